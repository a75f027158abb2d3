//! Acceptance tests of `rds_offsite_backup_policy` under a real Terraform against the
//! in-process simulator: exact outputs for a policy present, absent and kept for 0 days, the
//! 404 of an unknown instance and of the wrong region, validation at the attributes, and every
//! fault class (retried statuses, malformed JSON, a body that is no policy answer, a dropped
//! connection, hostile and header-echoing bodies).
//!
//! Expected values come from the simulator's world rules (`keep_days_of`, the default region
//! and project, `derived_project_id` of the source region), never from the provider's code.

#[path = "support/fault_classes.rs"]
mod fault_classes;
#[path = "support/protocol.rs"]
mod protocol;
#[path = "support/read.rs"]
mod read_support;
mod support;

use fault_classes::{FaultClass, FaultyRead, Target};
use rds_simulator::{
    DEFAULT_PROJECT_ID, DEFAULT_REGION, DEFAULT_SOURCE_REGION, Engine, FailSpec, Faults, PageBody,
    PageOffsets, RequestRecord, Scenario, Simulator, derived_project_id, keep_days_of,
};
use read_support::{
    INSTANCE_ID, SECRET_KEY, blocking, dataset, flattened, provider_block, scenario, start,
    try_apply,
};
use serde_json::{Value, json};
use support::{RunOutput, Workdir};

/// An instance the simulator's world does not have.
const UNKNOWN_INSTANCE: &str = "ffffffffffffffffffffffffffffffffin01";

/// A configuration with one `rds_offsite_backup_policy` per `(name, arguments)`.
fn configuration(provider_block: &str, data_sources: &[(&str, &str)]) -> String {
    fault_classes::configuration("rds_offsite_backup_policy", provider_block, data_sources)
}

/// The arguments reading `instance_id` in the source region, plus `extra` lines.
fn in_source_region(instance_id: &str, extra: &str) -> String {
    format!(
        "  instance_id = \"{instance_id}\"\n  region      = \"{DEFAULT_SOURCE_REGION}\"\n{extra}"
    )
}

/// The world of these tests: [`INSTANCE_ID`] with 3 automated and 2 incremental backups.
fn world(faults: Faults) -> Scenario {
    scenario(dataset(Engine::MySql, 3, 2), faults)
}

async fn simulator_with(faults: Faults) -> Simulator {
    start(world(faults)).await
}

/// The policy entry of `backup_type` the world gives [`INSTANCE_ID`]: the default region and
/// its project as destination, `keep_days_of` the instance.
fn entry(backup_type: &str) -> Value {
    json!({
        "backup_type": backup_type,
        "keep_days": keep_days_of(INSTANCE_ID),
        "destination_region": DEFAULT_REGION,
        "destination_project_id": DEFAULT_PROJECT_ID,
    })
}

fn policy_path(project_id: &str, instance_id: &str) -> String {
    format!("/v3/{project_id}/instances/{instance_id}/backups/offsite-policy")
}

fn is_policy_request(record: &RequestRecord) -> bool {
    record.path.ends_with("/backups/offsite-policy")
}

/// `(status, fault)` of each logged policy request, in order.
fn policy_outcomes(simulator: &Simulator) -> Vec<(u16, Option<String>)> {
    simulator
        .requests()
        .into_iter()
        .filter(is_policy_request)
        .map(|record| (record.status, record.fault))
        .collect()
}

/// Applies `data_sources` against `simulator` (provider settings `extra`) and returns the
/// outputs by name.
fn apply(simulator: &Simulator, extra: &str, data_sources: &[(&str, &str)]) -> Value {
    let workdir = Workdir::new(&configuration(
        &provider_block(simulator, extra),
        data_sources,
    ));
    let outputs = blocking(|| workdir.apply_outputs());
    let mut states = serde_json::Map::new();
    if let Value::Object(outputs) = outputs {
        for (name, output) in outputs {
            states.insert(name, output["value"].clone());
        }
    }
    Value::Object(states)
}

/// Applies one read of `arguments` that must fail; its output and the workdir (which holds
/// the debug log).
fn failed_read(simulator: &Simulator, extra: &str, arguments: &str) -> (RunOutput, Workdir) {
    let mut workdir = Workdir::new(&configuration(
        &provider_block(simulator, extra),
        &[("policy", arguments)],
    ));
    workdir.debug_log();
    let apply = try_apply(&workdir);
    apply.assert_failure();
    (apply, workdir)
}

#[track_caller]
fn assert_deterministic_id(state: &Value) {
    let id = state["id"].as_str().unwrap_or_default();
    assert!(
        id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "id {id:?} in {state}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_policy_present_lists_both_backup_types_in_api_order() {
    let simulator = simulator_with(Faults::default()).await;
    let outputs = apply(
        &simulator,
        "",
        &[
            ("policy", &in_source_region(INSTANCE_ID, "")),
            (
                "with_timeouts",
                &in_source_region(INSTANCE_ID, "  timeouts = { read = \"2m\" }"),
            ),
        ],
    );
    let state = &outputs["policy"];
    assert_deterministic_id(state);
    let mut without_id = state.clone();
    without_id["id"] = Value::Null;
    assert_eq!(
        without_id,
        json!({
            "id": null,
            "instance_id": INSTANCE_ID,
            "region": DEFAULT_SOURCE_REGION,
            "timeouts": null,
            "policies": [entry("auto"), entry("incremental")],
            "enabled": true,
        })
    );
    let timed = &outputs["with_timeouts"];
    assert_eq!(timed["timeouts"], json!({"read": "2m"}));
    assert_eq!(timed["policies"], state["policies"]);
    assert_eq!(
        timed["id"], state["id"],
        "same instance and region, same id"
    );

    // Read in the source region, with its own project (looked up in IAM).
    let source_project = derived_project_id(DEFAULT_SOURCE_REGION);
    let requests: Vec<RequestRecord> = simulator
        .requests()
        .into_iter()
        .filter(is_policy_request)
        .collect();
    assert_eq!(requests.len(), 2);
    for record in &requests {
        assert_eq!(record.path, policy_path(&source_project, INSTANCE_ID));
        assert_eq!(record.status, 200);
        assert_eq!(
            record.project_region.as_deref(),
            Some(DEFAULT_SOURCE_REGION)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_policy_absent_is_an_empty_list_and_not_enabled() {
    let simulator = start(Scenario {
        instances_without_offsite_policy: vec![INSTANCE_ID.to_owned()],
        ..world(Faults::default())
    })
    .await;
    let outputs = apply(
        &simulator,
        "",
        &[("policy", &in_source_region(INSTANCE_ID, ""))],
    );
    let state = &outputs["policy"];
    assert_eq!(state["policies"], json!([]));
    assert_eq!(state["enabled"], json!(false));
    assert_deterministic_id(state);
}

#[tokio::test(flavor = "multi_thread")]
async fn keep_days_zero_is_not_enabled_and_absent_fields_are_null() {
    let simulator = simulator_with(Faults {
        page_bodies: vec![PageBody::new(
            PageOffsets::At(0),
            r#"{"policy_para":[{"backup_type":"auto","keep_days":0}]}"#,
        )],
        ..Faults::default()
    })
    .await;
    let outputs = apply(
        &simulator,
        "",
        &[("policy", &in_source_region(INSTANCE_ID, ""))],
    );
    let state = &outputs["policy"];
    assert_eq!(
        state["policies"],
        json!([{
            "backup_type": "auto",
            "keep_days": 0,
            "destination_region": null,
            "destination_project_id": null,
        }])
    );
    assert_eq!(state["enabled"], json!(false));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_instance_names_the_instance_and_the_region() {
    let simulator = simulator_with(Faults::default()).await;
    let (apply, _workdir) = failed_read(&simulator, "", &in_source_region(UNKNOWN_INSTANCE, ""));
    let message = flattened(&apply);
    assert!(
        message.contains(&format!(
            "Error: RDS instance {UNKNOWN_INSTANCE} not found in region {DEFAULT_SOURCE_REGION}"
        )),
        "{message}"
    );
    assert!(message.contains("HTTP 404 DBS.200002"), "{message}");
    assert!(
        message.contains("The DB instance does not exist."),
        "{message}"
    );
    assert!(message.contains("Request ID:"), "{message}");
    assert!(
        message.contains("read in the instance's own (source) region"),
        "{message}"
    );
    assert_eq!(
        policy_outcomes(&simulator),
        [(404, None)],
        "a 404 is not retried"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_backup_region_does_not_know_the_instance_and_the_hint_says_so() {
    let simulator = simulator_with(Faults::default()).await;
    // No region: the provider's, the backup region where rds_offsite_backups reads.
    let (apply, _workdir) = failed_read(
        &simulator,
        "",
        &format!("  instance_id = \"{INSTANCE_ID}\""),
    );
    let message = flattened(&apply);
    assert!(
        message.contains(&format!(
            "RDS instance {INSTANCE_ID} not found in region {DEFAULT_REGION}"
        )),
        "{message}"
    );
    assert!(
        message.contains(
            "Hint: The offsite backup policy is read in the instance's own (source) region"
        ),
        "{message}"
    );
    assert!(
        message.contains("set region on this data source"),
        "{message}"
    );
    let requests: Vec<RequestRecord> = simulator
        .requests()
        .into_iter()
        .filter(is_policy_request)
        .collect();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].path,
        policy_path(DEFAULT_PROJECT_ID, INSTANCE_ID)
    );
}

#[test]
fn validate_reports_bad_arguments_at_their_attribute() {
    let cases = [
        (
            "  instance_id = \"a b\"",
            "Invalid instance_id",
            "it contains",
            "instance_id = \"a b\"",
        ),
        (
            "  instance_id = \"\"",
            "Empty instance_id",
            "must not be empty",
            "instance_id = \"\"",
        ),
        (
            "  instance_id = \"i1\"\n  region = \"CN East\"",
            "Invalid region",
            "region:",
            "region = \"CN East\"",
        ),
        (
            "  instance_id = \"i1\"\n  timeouts = {\n    read = \"soon\"\n  }",
            "Invalid timeouts.read",
            "is not a duration",
            "read = \"soon\"",
        ),
    ];
    let provider = read_support::provider_block_for("http://127.0.0.1:9", SECRET_KEY, "");
    let mut failures = Vec::new();
    for (arguments, summary, detail, line_text) in cases {
        let main_tf = configuration(&provider, &[("policy", arguments)]);
        let report = Workdir::new(&main_tf).validate_json();
        let errors: Vec<&Value> = report["diagnostics"]
            .as_array()
            .map(|all| all.iter().filter(|d| d["severity"] == "error").collect())
            .unwrap_or_default();
        let expected_line = protocol::line_of(&main_tf, line_text);
        // Terraform 1.15 points at a nested attribute's line; older ones (1.11) resolve no
        // path into a nested attribute's object and point at the data block.
        let block_line = protocol::line_of(&main_tf, "data \"rds_offsite_backup_policy\"");
        let nested_fallback =
            line_text.starts_with("read") && support::terraform().version_triple() < (1, 15, 0);
        let at = &errors
            .first()
            .map_or(Value::Null, |e| e["range"]["start"]["line"].clone());
        let ok = errors.len() == 1
            && errors[0]["summary"] == json!(summary)
            && errors[0]["detail"]
                .as_str()
                .is_some_and(|d| protocol::unwrapped(d).contains(detail))
            && (*at == json!(expected_line) || (nested_fallback && *at == json!(block_line)));
        if !ok {
            failures.push(format!(
                "{arguments:?}: expected {summary:?} at line {expected_line}, got {report:#}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The faulted read: the policy of [`INSTANCE_ID`] in the source region, one request.
fn target() -> Target {
    Target {
        data_source: "rds_offsite_backup_policy",
        path_suffix: "/backups/offsite-policy",
        arguments: in_source_region(INSTANCE_ID, ""),
        scenario: world,
        fault_offset: 0,
        requests: 1,
        decode_error: "Error: Huawei Cloud API error: could not decode the offsite backup policy \
                       (ShowOffSiteBackupPolicy)",
    }
}

/// Runs `class` and, when the read recovers, checks that it read the whole policy.
async fn fault_class(class: FaultClass) -> FaultyRead {
    let read = target().read_and_assert(class).await;
    if read.run.status == 0 {
        let state = read.state();
        assert_eq!(
            state["policies"],
            json!([entry("auto"), entry("incremental")])
        );
        assert_eq!(state["enabled"], json!(true));
    }
    read
}

#[tokio::test(flavor = "multi_thread")]
async fn error_statuses_are_retried_then_the_policy_is_read() {
    fault_class(FaultClass::Retried).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_end_with_an_error_naming_status_and_attempts() {
    fault_class(FaultClass::BeyondMaxRetries).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_an_error_quoting_the_body() {
    fault_class(FaultClass::MalformedJson)
        .await
        .assert_message(&[r#"the body starts with: {"policy_para":["#]);
}

/// A 200 answer of another call: no `policy_para`, never read as "no policy".
#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_is_no_policy_answer_is_an_error() {
    fault_class(FaultClass::NotAnAnswer)
        .await
        .assert_message(&["policy_para"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_connection_is_retried() {
    fault_class(FaultClass::DroppedConnection).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_error_body_is_shown_escaped() {
    fault_class(FaultClass::HostileBody).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn echoed_credentials_are_redacted_everywhere() {
    fault_class(FaultClass::EchoedHeaders).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_never_waits_past_timeouts_read() {
    let simulator = simulator_with(Faults {
        fail_first: vec![FailSpec {
            status: 429,
            count: 100,
            retry_after: Some(300),
        }],
        ..Faults::default()
    })
    .await;
    let (apply, _workdir) = failed_read(
        &simulator,
        "",
        &in_source_region(INSTANCE_ID, "  timeouts = { read = \"2s\" }"),
    );
    let message = flattened(&apply);
    assert!(
        message.contains("Error: Huawei Cloud API read did not finish within 2s"),
        "{message}"
    );
    assert!(
        message.contains("The request was still pending when the time limit of 2s passed"),
        "{message}"
    );
    assert!(
        message.contains("Hint: the read's time limit is timeouts.read (2s)"),
        "{message}"
    );
    assert!(
        !message.contains("begin_time"),
        "no argument of another data source: {message}"
    );
    assert_eq!(policy_outcomes(&simulator).len(), 1);
}

/// `(type or nesting, flags)` of each attribute of a schema block, and every attribute without
/// a description (nested ones included, should Terraform ever be sent nested attributes; the
/// provider sends nested data as plain object types, see `tfplugin::schema`).
fn shape_and_undescribed(attributes: &Value, prefix: &str) -> (Vec<(String, Value)>, Vec<String>) {
    let mut shape = Vec::new();
    let mut undescribed = Vec::new();
    for (name, attribute) in attributes.as_object().into_iter().flatten() {
        let path = format!("{prefix}{name}");
        let flags: Vec<&str> = ["required", "optional", "computed", "sensitive"]
            .into_iter()
            .filter(|flag| attribute[*flag] == json!(true))
            .collect();
        let kind = match attribute.get("nested_type") {
            Some(nested) => json!(["nested", nested["nesting_mode"]]),
            None => attribute["type"].clone(),
        };
        shape.push((path.clone(), json!([kind, flags])));
        if attribute["description"]
            .as_str()
            .is_none_or(|d| d.trim().is_empty())
        {
            undescribed.push(path.clone());
        }
        if let Some(nested) = attribute.get("nested_type") {
            let (inner, missing) =
                shape_and_undescribed(&nested["attributes"], &format!("{path}."));
            shape.extend(inner);
            undescribed.extend(missing);
        }
    }
    (shape, undescribed)
}

#[test]
fn the_schema_terraform_sees_has_every_attribute_described() {
    let output = Workdir::new(protocol::REQUIRED_PROVIDERS).run(&["providers", "schema", "-json"]);
    output.assert_success();
    let schemas: Value = serde_json::from_str(&output.stdout).expect("schema JSON");
    let block = &schemas["provider_schemas"][terraform_provider_rds::PROVIDER_ADDRESS]["data_source_schemas"]
        ["rds_offsite_backup_policy"]["block"];
    let (shape, undescribed) = shape_and_undescribed(&block["attributes"], "");
    let shape: serde_json::Map<String, Value> = shape.into_iter().collect();
    assert_eq!(
        Value::Object(shape),
        json!({
            "instance_id": ["string", ["required"]],
            "region": ["string", ["optional", "computed"]],
            "timeouts": [["object", {"read": "string"}], ["optional"]],
            "id": ["string", ["computed"]],
            "enabled": ["bool", ["computed"]],
            "policies": [["list", ["object", {
                "backup_type": "string",
                "keep_days": "number",
                "destination_region": "string",
                "destination_project_id": "string",
            }]], ["computed"]],
        })
    );
    assert_eq!(undescribed, Vec::<String>::new());
    let description = block["description"].as_str().unwrap_or_default();
    assert!(description.contains("source) region"), "{description}");
}
