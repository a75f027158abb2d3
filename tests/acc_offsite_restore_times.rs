//! Acceptance tests of `rds_offsite_restore_times` under a real Terraform against the
//! simulator: exact outputs for a small hand-written dataset (expected values computed by
//! hand and checked with `date -u -d @SECONDS`), `date` validated at the attribute by
//! `terraform validate`, the unknown instance, and every fault class.

#[path = "support/read.rs"]
mod read_support;
mod support;

use std::path::PathBuf;

use rds_simulator::{
    DEFAULT_PROJECT_ID, DEFAULT_REGION, Dataset, FailSpec, Faults, PageBody, PageOffsets,
    RequestRecord, SignatureCheck, Simulator,
};
use read_support::{SECRET_KEY, blocking, flattened, provider_block, scenario, start, try_apply};
use serde_json::{Value, json};
use support::{RunOutput, Workdir};

const INSTANCE: &str = "7f3e9a1c2b4d4e6f8a0b1c2d3e4f5a6bin01";
/// Has only a failed backup: known to the API, but without any restore window.
const NO_WINDOW: &str = "1a2b3c4d5e6f4a7b8c9d0e1f2a3b4c5din01";
const UNKNOWN: &str = "ffffffffffffffffffffffffffffffffin01";
const SECURITY_TOKEN: &str = "acc-restore-token-Pw3Xz8Kq1-never-shown";

fn backup(id: &str, instance: &str, kind: &str, status: &str, begin: &str, end: &str) -> String {
    format!(
        r#"{{"id":"{id}","name":"n-{id}","type":"{kind}","size":1,"status":"{status}",
            "begin_time":"{begin}","end_time":"{end}",
            "datastore":{{"type":"MySQL","version":"8.0"}},"instance_id":"{instance}"}}"#
    )
}

/// Two restore windows of [`INSTANCE`] (the simulator opens a window at the end of a completed
/// full backup and extends it by each completed backup beginning within 26 h):
/// 2026-11-25T02:00:00Z..2026-11-26T10:05:00Z (b1, b2 written in +0800, b3) and, after a gap
/// of almost 50 h, 2026-11-28T12:45:30Z..2026-11-29T08:20:00Z (b5, b6).
fn dataset() -> Dataset {
    let backups = [
        backup(
            "b1",
            INSTANCE,
            "auto",
            "COMPLETED",
            "2026-11-25T01:00:00+0000",
            "2026-11-25T02:00:00+0000",
        ),
        backup(
            "b2",
            INSTANCE,
            "incremental",
            "COMPLETED",
            "2026-11-25T20:00:00+0000",
            "2026-11-26T09:30:15+0800",
        ),
        backup(
            "b3",
            INSTANCE,
            "incremental",
            "COMPLETED",
            "2026-11-26T10:00:00+0000",
            "2026-11-26T10:05:00+0000",
        ),
        backup(
            "b4",
            INSTANCE,
            "auto",
            "FAILED",
            "2026-11-27T01:00:00+0000",
            "2026-11-27T01:10:00+0000",
        ),
        backup(
            "b5",
            INSTANCE,
            "auto",
            "COMPLETED",
            "2026-11-28T12:00:00+0000",
            "2026-11-28T12:45:30+0000",
        ),
        backup(
            "b6",
            INSTANCE,
            "incremental",
            "COMPLETED",
            "2026-11-29T08:00:00+0000",
            "2026-11-29T08:20:00+0000",
        ),
        backup(
            "b7",
            NO_WINDOW,
            "auto",
            "FAILED",
            "2026-11-25T01:00:00+0000",
            "2026-11-25T02:00:00+0000",
        ),
    ];
    Dataset::from_json_str(&format!(
        r#"{{"backups":[{}],"total_count":{}}}"#,
        backups.join(","),
        backups.len()
    ))
    .expect("dataset")
}

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

/// A configuration with one `rds_offsite_restore_times` per `(name, arguments)`, each with an
/// output of the same name holding the whole object.
fn configuration(provider_block: &str, data_sources: &[(&str, String)]) -> String {
    let mut text = String::from(
        "terraform {\n  required_providers {\n    rds = { source = \"tfrds/rds\" }\n  }\n}\n",
    );
    text.push_str(provider_block);
    for (name, arguments) in data_sources {
        text.push_str(&format!(
            "\ndata \"rds_offsite_restore_times\" \"{name}\" {{\n{arguments}\n}}\n\
             output \"{name}\" {{\n  value = data.rds_offsite_restore_times.{name}\n}}\n"
        ));
    }
    text
}

fn of(instance: &str, extra: &str) -> String {
    format!("  instance_id = \"{instance}\"\n{extra}")
}

fn on(date: &str) -> String {
    of(INSTANCE, &format!("  date = \"{date}\""))
}

/// A workdir reading the whole windows of [`INSTANCE`], with Terraform's debug log on.
fn one_read(simulator: &Simulator, provider_settings: &str) -> (Workdir, PathBuf) {
    let mut workdir = Workdir::new(&configuration(
        &provider_block(simulator, provider_settings),
        &[("all", of(INSTANCE, ""))],
    ));
    let log = workdir.debug_log();
    (workdir, log)
}

/// The outputs after a successful apply, by name.
#[track_caller]
fn outputs(apply: &RunOutput, workdir: &Workdir) -> Value {
    apply.assert_success();
    let output = blocking(|| workdir.run(&["output", "-json"]));
    output.assert_success();
    let outputs: Value = serde_json::from_str(&output.stdout).expect("output -json is JSON");
    let mut values = serde_json::Map::new();
    for (name, output) in outputs.as_object().expect("an object") {
        values.insert(name.clone(), output["value"].clone());
    }
    Value::Object(values)
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

/// Asserts that none of the secrets is in the apply's streams or the debug log.
#[track_caller]
fn assert_no_secret(apply: &RunOutput, log: &PathBuf, secrets: &[&str]) {
    let log = std::fs::read_to_string(log).expect("Terraform's debug log");
    assert!(
        log.contains("provider.terraform-provider-rds"),
        "the log has the provider's lines"
    );
    for (what, text) in [
        ("stdout", &apply.stdout),
        ("stderr", &apply.stderr),
        ("the debug log", &log),
    ] {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret:?} appears in {what}");
        }
    }
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
    let states = outputs(&try_apply(&workdir), &workdir);

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
    let again = outputs(&try_apply(&workdir), &workdir);
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

#[tokio::test(flavor = "multi_thread")]
async fn error_statuses_are_retried_and_the_read_succeeds() {
    let simulator = simulator(Faults {
        fail_first: vec![
            FailSpec {
                status: 503,
                count: 1,
                retry_after: Some(0),
            },
            FailSpec {
                status: 429,
                count: 1,
                retry_after: Some(1),
            },
        ],
        ..Faults::default()
    })
    .await;
    let (workdir, log) = one_read(&simulator, "");
    let apply = try_apply(&workdir);
    let states = outputs(&apply, &workdir);
    assert_eq!(states["all"]["restore_times"], all_windows());
    let statuses: Vec<u16> = outcomes(&simulator).into_iter().map(|(s, _)| s).collect();
    assert_eq!(statuses, [503, 429, 200]);
    assert_no_secret(&apply, &log, &[SECRET_KEY]);
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_beyond_max_retries_fail_with_status_and_message() {
    let simulator = simulator(Faults {
        fail_first: vec![FailSpec {
            status: 500,
            count: 10,
            retry_after: None,
        }],
        ..Faults::default()
    })
    .await;
    let (workdir, log) = one_read(&simulator, "  max_retries = 1");
    let apply = try_apply(&workdir);
    apply.assert_failure();
    let message = flattened(&apply);
    assert!(
        message.contains("Error: Huawei Cloud API error: HTTP 500 DBS.200001"),
        "{message}"
    );
    assert!(message.contains("Internal server error."), "{message}");
    assert!(message.contains("Attempts: 2"), "{message}");
    assert_eq!(
        outcomes(&simulator).len(),
        2,
        "the first attempt and one retry"
    );
    assert_no_secret(&apply, &log, &[SECRET_KEY]);
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_an_error_naming_the_call_status_and_body() {
    let simulator = simulator(Faults {
        malformed_json_at_offset: Some(0),
        ..Faults::default()
    })
    .await;
    let (workdir, log) = one_read(&simulator, "");
    let apply = try_apply(&workdir);
    apply.assert_failure();
    let message = flattened(&apply);
    assert!(
        message.contains(
            "Error: Huawei Cloud API error: could not decode the answer of ListOffSiteRestoreTimes"
        ),
        "{message}"
    );
    assert!(
        message.contains(r#"the body starts with: {"restore_time":[{"start_time":1795572000000"#),
        "{message}"
    );
    assert!(message.contains("(HTTP 200)"), "{message}");
    assert_eq!(
        outcomes(&simulator),
        [(200, Some("malformed-json".to_owned()))]
    );
    assert_no_secret(&apply, &log, &[SECRET_KEY]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_is_not_a_restore_time_answer_is_an_error() {
    let simulator = simulator(Faults {
        page_bodies: vec![PageBody::new(
            PageOffsets::Every,
            r#"{"backups":[],"total_count":0}"#,
        )],
        ..Faults::default()
    })
    .await;
    let (workdir, _log) = one_read(&simulator, "");
    let apply = try_apply(&workdir);
    apply.assert_failure();
    let message = flattened(&apply);
    assert!(
        message.contains("could not decode the answer of ListOffSiteRestoreTimes"),
        "{message}"
    );
    assert!(
        message.contains("missing field `restore_time`"),
        "{message}"
    );
    assert!(
        message.contains(r#"the body starts with: {"backups":[],"total_count":0}"#),
        "{message}"
    );
    assert_eq!(outcomes(&simulator), [(200, Some("page-body".to_owned()))]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_connection_is_retried_and_the_read_succeeds() {
    let simulator = simulator(Faults {
        drop_connection_at_offset: Some((0, 1)),
        ..Faults::default()
    })
    .await;
    let (workdir, log) = one_read(&simulator, "");
    let apply = try_apply(&workdir);
    let states = outputs(&apply, &workdir);
    assert_eq!(states["all"]["restore_times"], all_windows());
    assert_eq!(
        outcomes(&simulator),
        [(0, Some("drop-connection".to_owned())), (200, None)]
    );
    assert_no_secret(&apply, &log, &[SECRET_KEY]);
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_error_bodies_cannot_paint_the_terminal() {
    let simulator = simulator(Faults {
        hostile_error_status: Some(403),
        ..Faults::default()
    })
    .await;
    let (workdir, _log) = one_read(&simulator, "");
    let apply = try_apply(&workdir);
    apply.assert_failure();
    let output = apply.combined();
    for control in ['\x1b', '\x07', '\r', '\u{9b}', '\u{202e}'] {
        assert!(
            !output.contains(control),
            "{control:?} reached Terraform's output:\n{output}"
        );
    }
    let errors = output
        .lines()
        .map(|line| line.trim_start_matches(['│', '╷', '╵', ' ']))
        .filter(|line| line.starts_with("Error:"))
        .count();
    assert_eq!(errors, 1, "{output}");
    let message = flattened(&apply);
    assert!(
        message.contains("Error: Huawei Cloud API error: HTTP 403"),
        "{message}"
    );
    assert!(
        message.contains("\\x1b[32mApply complete!"),
        "escaped: {message}"
    );
    assert_eq!(outcomes(&simulator).len(), 1, "403 is not retried");
}

#[tokio::test(flavor = "multi_thread")]
async fn echoed_headers_are_redacted() {
    let simulator = simulator(Faults {
        echo_headers_status: Some(403),
        ..Faults::default()
    })
    .await;
    let (workdir, log) = one_read(
        &simulator,
        &format!("  security_token = \"{SECURITY_TOKEN}\""),
    );
    let apply = try_apply(&workdir);
    apply.assert_failure();
    let message = flattened(&apply);
    assert!(
        message.contains("Received headers: Authorization: ***; X-Security-Token: ***"),
        "{message}"
    );
    assert_no_secret(
        &apply,
        &log,
        &[SECRET_KEY, SECURITY_TOKEN, "SDK-HMAC-SHA256", "Signature="],
    );
    let requests = restore_requests(&simulator);
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0]
            .signed_headers
            .iter()
            .any(|h| h == "x-security-token")
    );
}
