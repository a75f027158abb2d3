//! Acceptance tests of `rds_offsite_restore_times` under a real Terraform against the
//! simulator: exact outputs for a small hand-written dataset (expected values computed by
//! hand and checked with `date -u -d @SECONDS`), `date` validated at the attribute by
//! `terraform validate`, the unknown instance, and every fault class.

#[path = "support/fault_classes.rs"]
mod fault_classes;
#[path = "support/read.rs"]
mod read_support;
#[path = "../crates/rds-simulator/tests/common/restore_dataset.rs"]
mod restore_dataset;
mod support;

use fault_classes::{FaultClass, FaultyRead, Target, outputs_after};
use rds_simulator::{
    DEFAULT_PROJECT_ID, DEFAULT_REGION, Faults, RequestRecord, SignatureCheck, Simulator,
};
use read_support::{blocking, flattened, provider_block, scenario, start, try_apply};
use restore_dataset::{INSTANCE, NO_WINDOW, UNKNOWN, dataset};
use serde_json::{Value, json};
use support::Workdir;

fn window(start: &str, end: &str, start_ms: u64, end_ms: u64) -> Value {
    json!({"start_time": start, "end_time": end, "start_time_ms": start_ms, "end_time_ms": end_ms})
}

/// The two whole windows.
fn all_windows() -> Value {
    json!([
        window(
            "2026-11-25T02:00:00Z",
            "2026-11-26T10:05:00Z",
            1_795_572_000_000,
            1_795_687_500_000
        ),
        window(
            "2026-11-28T12:45:30Z",
            "2026-11-29T08:20:00Z",
            1_795_869_930_000,
            1_795_940_400_000
        ),
    ])
}

async fn simulator(faults: Faults) -> Simulator {
    start(scenario(dataset(), faults)).await
}

/// A configuration with one `rds_offsite_restore_times` per `(name, arguments)`.
fn configuration(provider_block: &str, data_sources: &[(&str, String)]) -> String {
    let data_sources: Vec<(&str, &str)> = data_sources
        .iter()
        .map(|(name, arguments)| (*name, arguments.as_str()))
        .collect();
    fault_classes::configuration("rds_offsite_restore_times", provider_block, &data_sources)
}

fn of(instance: &str, extra: &str) -> String {
    format!("  instance_id = \"{instance}\"\n{extra}")
}

fn on(date: &str) -> String {
    of(INSTANCE, &format!("  date = \"{date}\""))
}

fn restore_requests(simulator: &Simulator) -> Vec<RequestRecord> {
    simulator
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/offsite-restore-time"))
        .collect()
}

/// Status and fault label of each restore-time request, in order.
fn outcomes(simulator: &Simulator) -> Vec<(u16, Option<String>)> {
    restore_requests(simulator)
        .into_iter()
        .map(|r| (r.status, r.fault))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn exact_windows_whole_clipped_to_a_day_and_empty() {
    let simulator = simulator(Faults::default()).await;
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &[
            ("all", of(INSTANCE, "")),
            ("on_25", on("2026-11-25")),
            ("on_26", on("2026-11-26")),
            ("on_27", on("2026-11-27")),
            ("on_28", on("2026-11-28")),
            (
                "none",
                of(
                    NO_WINDOW,
                    &format!("  region = \"{DEFAULT_REGION}\"\n  timeouts = {{ read = \"2m\" }}"),
                ),
            ),
        ],
    ));
    let states = outputs_after(&try_apply(&workdir), &workdir);

    let all = &states["all"];
    assert_eq!(all["restore_times"], all_windows());
    assert_eq!(all["latest_restorable_time"], "2026-11-29T08:20:00Z");
    assert_eq!(all["instance_id"], INSTANCE);
    assert_eq!(all["date"], Value::Null);
    assert_eq!(all["region"], DEFAULT_REGION, "the provider's region");
    assert_eq!(all["timeouts"], Value::Null);
    // 2026-11-25T02:00:00Z .. the end of that UTC day.
    assert_eq!(
        states["on_25"]["restore_times"],
        json!([window(
            "2026-11-25T02:00:00Z",
            "2026-11-25T23:59:59.999Z",
            1_795_572_000_000,
            1_795_651_199_999
        )])
    );
    assert_eq!(
        states["on_25"]["latest_restorable_time"],
        "2026-11-25T23:59:59.999Z"
    );
    assert_eq!(states["on_25"]["date"], "2026-11-25");
    assert_eq!(
        states["on_26"]["restore_times"],
        json!([window(
            "2026-11-26T00:00:00Z",
            "2026-11-26T10:05:00Z",
            1_795_651_200_000,
            1_795_687_500_000
        )])
    );
    assert_eq!(
        states["on_26"]["latest_restorable_time"],
        "2026-11-26T10:05:00Z"
    );
    assert_eq!(states["on_27"]["restore_times"], json!([]));
    assert_eq!(states["on_27"]["latest_restorable_time"], Value::Null);
    assert_eq!(
        states["on_28"]["restore_times"],
        json!([window(
            "2026-11-28T12:45:30Z",
            "2026-11-28T23:59:59.999Z",
            1_795_869_930_000,
            1_795_910_399_999
        )])
    );
    assert_eq!(states["none"]["restore_times"], json!([]));
    assert_eq!(states["none"]["latest_restorable_time"], Value::Null);
    assert_eq!(states["none"]["timeouts"], json!({"read": "2m"}));

    let ids: std::collections::BTreeSet<&str> = ["all", "on_25", "on_26", "on_27", "on_28", "none"]
        .iter()
        .map(|name| states[*name]["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(ids.len(), 6, "one id per query: {ids:?}");
    assert!(
        ids.iter()
            .all(|id| id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()))
    );

    let requests = restore_requests(&simulator);
    assert_eq!(requests.len(), 6, "one request per data source");
    assert!(
        requests
            .iter()
            .all(|r| r.signature == SignatureCheck::Valid && r.status == 200)
    );
    let mut dates: Vec<Option<&str>> = requests.iter().map(|r| r.query_value("date")).collect();
    dates.sort_unstable();
    assert_eq!(
        dates,
        [
            None,
            None,
            Some("2026-11-25"),
            Some("2026-11-26"),
            Some("2026-11-27"),
            Some("2026-11-28")
        ]
    );
    assert!(requests.iter().all(|r| {
        r.path
            .starts_with(&format!("/v3/{DEFAULT_PROJECT_ID}/instances/"))
    }));

    // The same query again: the same id.
    let again = outputs_after(&try_apply(&workdir), &workdir);
    assert_eq!(again["all"]["id"], all["id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_dates_are_errors_at_the_attribute_before_any_request() {
    let simulator = simulator(Faults::default()).await;
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &[
            ("not_a_day", on("2026-02-30")),
            ("a_timestamp", on("2026-11-25T00:00:00Z")),
            ("fine", on("2028-02-29")),
        ],
    ));
    let validation = blocking(|| workdir.validate_json());
    assert_eq!(validation["valid"], false, "{validation}");
    let errors: Vec<&Value> = validation["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 2, "{validation}");
    let text = std::fs::read_to_string(workdir.path().join("main.tf")).expect("main.tf");
    for (name, value, reason) in [
        (
            "not_a_day",
            "2026-02-30",
            "it has the form YYYY-MM-DD but is not a real calendar date",
        ),
        (
            "a_timestamp",
            "2026-11-25T00:00:00Z",
            "it is not a UTC calendar date written `YYYY-MM-DD`, e.g. `2026-11-25`",
        ),
    ] {
        let address = format!("data.rds_offsite_restore_times.{name}");
        let diagnostic = errors
            .iter()
            .find(|d| d["address"] == address.as_str())
            .unwrap_or_else(|| panic!("no error for {address}: {validation}"));
        assert_eq!(diagnostic["severity"], "error");
        assert_eq!(diagnostic["summary"], "Invalid date");
        let detail = diagnostic["detail"].as_str().expect("detail");
        assert!(
            detail.starts_with(&format!("date {value:?}: {reason}")),
            "{detail}"
        );
        // At the attribute: the diagnostic's range is the `date = ...` line.
        let line = diagnostic["range"]["start"]["line"]
            .as_u64()
            .expect("a range") as usize;
        let written = text.lines().nth(line - 1).expect("the line");
        assert!(
            written.contains(&format!("date = \"{value}\"")),
            "{written}"
        );
    }
    assert!(simulator.requests().is_empty(), "validate sends nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_instance_names_the_instance_and_the_region() {
    let simulator = simulator(Faults::default()).await;
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &[("gone", of(UNKNOWN, ""))],
    ));
    let apply = try_apply(&workdir);
    apply.assert_failure();
    let message = flattened(&apply);
    assert!(
        message.contains(&format!(
            "Error: DB instance {UNKNOWN} not found in region {DEFAULT_REGION}"
        )),
        "{message}"
    );
    assert!(message.contains("HTTP 404 DBS.200002"), "{message}");
    assert!(
        message.contains("The DB instance does not exist."),
        "{message}"
    );
    assert!(
        message.contains("set region to the backup region"),
        "{message}"
    );
    assert_eq!(outcomes(&simulator), [(404, None)], "a 404 is not retried");
}

/// The faulted read: the whole windows of [`INSTANCE`], one request.
fn target() -> Target {
    Target {
        data_source: "rds_offsite_restore_times",
        path_suffix: "/offsite-restore-time",
        arguments: of(INSTANCE, ""),
        scenario: |faults| scenario(dataset(), faults),
        fault_offset: 0,
        requests: 1,
        decode_error: "Error: Huawei Cloud API error: could not decode the answer of \
                       ListOffSiteRestoreTimes",
    }
}

/// Runs `class` and, when the read recovers, checks that it read both whole windows.
async fn fault_class(class: FaultClass) -> FaultyRead {
    let read = target().read_and_assert(class).await;
    if read.run.status == 0 {
        assert_eq!(read.state()["restore_times"], all_windows());
    }
    read
}

#[tokio::test(flavor = "multi_thread")]
async fn error_statuses_are_retried_and_the_read_succeeds() {
    fault_class(FaultClass::Retried).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_beyond_max_retries_fail_with_status_and_message() {
    fault_class(FaultClass::BeyondMaxRetries).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_an_error_naming_the_call_status_and_body() {
    fault_class(FaultClass::MalformedJson)
        .await
        .assert_message(&[
            r#"the body starts with: {"restore_time":[{"start_time":1795572000000"#,
            "(HTTP 200)",
        ]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_is_not_a_restore_time_answer_is_an_error() {
    fault_class(FaultClass::NotAnAnswer)
        .await
        .assert_message(&["missing field `restore_time`"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_connection_is_retried_and_the_read_succeeds() {
    fault_class(FaultClass::DroppedConnection).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_error_bodies_cannot_paint_the_terminal() {
    fault_class(FaultClass::HostileBody).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn echoed_headers_are_redacted() {
    fault_class(FaultClass::EchoedHeaders).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_ids_regions_and_time_limits_are_errors_at_validate() {
    let simulator = simulator(Faults::default()).await;
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &[
            ("spaced_id", of("abc def", "")),
            ("empty_id", of("", "")),
            ("bad_region", of(INSTANCE, "  region = \"Not A Region\"")),
            (
                "bad_limit",
                of(INSTANCE, "  timeouts = { read = \"10 minutes\" }"),
            ),
        ],
    ));
    let validation = blocking(|| workdir.validate_json());
    assert_eq!(validation["valid"], false, "{validation}");
    let errors: Vec<&Value> = validation["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 4, "{validation}");
    for (name, summary) in [
        ("spaced_id", "instance_id"),
        ("empty_id", "instance_id"),
        ("bad_region", "region"),
        ("bad_limit", "timeouts.read"),
    ] {
        let address = format!("data.rds_offsite_restore_times.{name}");
        let diagnostic = errors
            .iter()
            .find(|d| d["address"] == address.as_str())
            .unwrap_or_else(|| panic!("no error for {address}: {validation}"));
        let text = diagnostic["summary"].as_str().expect("summary");
        assert!(text.contains(summary), "{address}: {text}");
    }
    assert!(simulator.requests().is_empty(), "validate sends nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_never_waits_past_timeouts_read() {
    let simulator = simulator(Faults {
        fail_first: vec![rds_simulator::FailSpec {
            status: 429,
            count: 100,
            retry_after: Some(300),
        }],
        ..Faults::default()
    })
    .await;
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &[("slow", of(INSTANCE, "  timeouts = { read = \"2s\" }"))],
    ));
    let apply = try_apply(&workdir);
    apply.assert_failure();
    let message = flattened(&apply);
    assert!(message.contains("did not finish within 2s"), "{message}");
    assert!(message.contains("timeouts.read"), "{message}");
    assert!(
        !message.contains("begin_time"),
        "no argument of another data source: {message}"
    );
    assert_eq!(
        outcomes(&simulator).len(),
        1,
        "one attempt, then the wait hit the limit"
    );
}
