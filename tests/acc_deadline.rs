//! Acceptance tests of `timeouts = { read = ... }` under a real Terraform: validated at
//! `timeouts.read` by `terraform validate`, kept in state, and bounding the whole read: a
//! server's `Retry-After: 300` and a body that trickles in one byte per second both end at
//! the limit with an error naming the pending page, the attempts and the setting.
//!
//! Elapsed time is never asserted; the harness's hang limit only keeps a broken provider from
//! blocking the suite.

#[path = "support/read.rs"]
mod read_support;
mod support;

use std::time::Duration;

use rds_simulator::{Engine, FailSpec, Faults, Simulator};
use read_support::{
    apply, arguments, configuration, dataset, flattened, offsite_requests, provider_block,
    scenario, start, try_apply,
};
use serde_json::Value;
use support::{Workdir, terraform};

async fn simulator_with(faults: Faults) -> Simulator {
    start(scenario(dataset(Engine::MySql, 150, 0), faults)).await
}

fn workdir(simulator: &Simulator, timeouts: &str) -> Workdir {
    Workdir::new(&configuration(
        &provider_block(simulator, ""),
        &[("all", &arguments("auto", timeouts))],
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_never_waits_past_timeouts_read() {
    let simulator = simulator_with(Faults {
        fail_first: vec![FailSpec {
            status: 429,
            count: 1_000_000,
            retry_after: Some(300),
        }],
        ..Faults::default()
    })
    .await;
    let workdir = workdir(&simulator, "  timeouts = { read = \"2s\" }\n");
    let output = try_apply(&workdir);
    output.assert_failure();
    let flat = flattened(&output);
    for expected in [
        "Error: Huawei Cloud API read did not finish within 2s",
        "The page at offset 0 was still pending when the time limit of 2s passed, after 1 attempt(s).",
        "Last answer: HTTP 429 APIGW.0308: The throttling threshold has been reached",
        "the read's time limit is timeouts.read.",
        "timeouts = { read = \"30m\" }",
    ] {
        assert!(flat.contains(expected), "missing {expected:?} in:\n{flat}");
    }
    assert_eq!(
        offsite_requests(&simulator).len(),
        1,
        "the 300 s wait was cut at the deadline, not followed by a retry"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trickling_body_ends_at_timeouts_read() {
    let simulator = simulator_with(Faults {
        trickle: Some(Duration::from_secs(1)),
        ..Faults::default()
    })
    .await;
    let workdir = workdir(&simulator, "  timeouts = { read = \"3s\" }\n");
    let output = try_apply(&workdir);
    output.assert_failure();
    let flat = flattened(&output);
    assert!(
        flat.contains("Error: Huawei Cloud API read did not finish within 3s"),
        "{flat}"
    );
    assert!(
        flat.contains("The page at offset 0 was still pending when the time limit of 3s passed, after 1 attempt(s)."),
        "{flat}"
    );
    assert!(
        !flat.contains("Last answer"),
        "no attempt completed: {flat}"
    );
    let requests = offsite_requests(&simulator);
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].fault.as_deref(), Some("trickle"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_within_its_limit_keeps_timeouts_in_state() {
    let simulator = simulator_with(Faults::default()).await;
    let workdir = workdir(&simulator, "  timeouts = { read = \"1h30m\" }\n");
    let states = apply(&workdir);
    let state = &states["all"];
    assert_eq!(state["timeouts"], serde_json::json!({ "read": "1h30m" }));
    assert_eq!(state["backups"].as_array().map(Vec::len), Some(150));
}

/// Errors of `terraform validate -json` as `(summary, detail, line)`.
fn validate_errors(workdir: &Workdir) -> Vec<(String, String, u64)> {
    let report = workdir.validate_json();
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["summary"].as_str().unwrap_or_default().to_owned(),
                d["detail"].as_str().unwrap_or_default().to_owned(),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_reports_a_bad_timeouts_read_at_its_line() {
    let simulator = simulator_with(Faults::default()).await;
    for (value, expected) in [
        ("10 minutes", "\"10 minutes\" is not a duration"),
        ("10", "unit is missing"),
        ("0s", "must be greater than zero"),
        ("-1m", "must be greater than zero"),
    ] {
        let timeouts = format!("  timeouts = {{\n    read = \"{value}\"\n  }}\n");
        let workdir = workdir(&simulator, &timeouts);
        let main_tf = std::fs::read_to_string(workdir.path().join("main.tf")).expect("main.tf");
        let line = main_tf
            .lines()
            .position(|l| l.contains("read = "))
            .expect("the read line") as u64
            + 1;
        let block_line = main_tf
            .lines()
            .position(|l| l.starts_with("data \"rds_offsite_backups\""))
            .expect("the data block") as u64
            + 1;
        let errors = validate_errors(&workdir);
        assert_eq!(errors.len(), 1, "{value}: {errors:?}");
        let (summary, detail, at) = &errors[0];
        assert_eq!(summary, "Invalid timeouts.read");
        assert!(detail.contains(expected), "{value}: {detail}");
        assert!(
            detail.contains("\"90s\", \"10m\", \"1h30m\", \"1.5h\" or \"300ms\""),
            "says what is accepted: {detail}"
        );
        // Terraform 1.15 points at the `read` line; older ones (1.11) resolve no path into a
        // nested attribute's object and point at the data block.
        let resolves_nested_paths = terraform().version_triple() >= (1, 15, 0);
        assert!(
            *at == line || (!resolves_nested_paths && *at == block_line),
            "{value}: reported at line {at}, not at the read line {line} (or the block, \
             {block_line}) of\n{main_tf}"
        );
    }
    let good = workdir(&simulator, "  timeouts = { read = \"1.5h\" }\n");
    assert_eq!(validate_errors(&good), Vec::new());
    let report: Value = good.validate_json();
    assert_eq!(report["valid"], true);
    assert!(
        offsite_requests(&simulator).is_empty(),
        "validate reads nothing"
    );
}
