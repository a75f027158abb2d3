//! Acceptance tests of `rds_offsite_backup_instances` (`ListOffSiteInstances`) under a real
//! Terraform, against the in-process simulator: exact states for 0, 1, 100, 101 and 250
//! instances with exactly the pages they need, every filter, validation at the attribute and
//! every fault class. Expected values come from the simulator's world model
//! (`rds_simulator::offsite_instances`) or are written out by hand.

#[path = "support/fault_classes.rs"]
mod fault_classes;
#[path = "support/read.rs"]
mod read_support;
mod support;

use fault_classes::{FaultClass, FaultyRead, Target};
use rds_simulator::{
    DEFAULT_PROJECT_ID, DEFAULT_REGION, Dataset, Engine, Faults, GenerateSpec, InstanceSpec,
    OffsiteInstance, RequestRecord, SignatureCheck, Simulator, derived_project_id,
    offsite_instances,
};
use read_support::{
    apply, blocking, expected_offsets, flattened, iam_lookups, offset_of, provider_block, scenario,
    start, try_apply,
};
use serde_json::{Value, json};
use support::Workdir;

const PATH: &str = "/v3/backups/offsite-backup-instance";
const DATA_SOURCE: &str = "rds_offsite_backup_instances";

/// A world of `count` instances with one automated backup each, engines in turn.
fn world(count: usize) -> Dataset {
    let engines = [Engine::MySql, Engine::PostgreSql, Engine::SqlServer];
    Dataset::generate(&GenerateSpec {
        instances: (0..count)
            .map(|i| InstanceSpec {
                instance_id: format!("{:032x}in01", i + 1),
                engine: engines[i % engines.len()],
                auto: 1,
                incremental: 0,
            })
            .collect(),
        seed: read_support::SEED,
    })
}

async fn simulator(count: usize, faults: Faults) -> Simulator {
    start(scenario(world(count), faults)).await
}

/// `required_providers`, `provider_block` and one data source per `(name, arguments)`.
fn configuration(provider_block: &str, data_sources: &[(&str, &str)]) -> String {
    fault_classes::configuration(DATA_SOURCE, provider_block, data_sources)
}

/// The world's instances as the state lists them (every field is present in the world).
fn expected(instances: &[&OffsiteInstance]) -> Value {
    Value::Array(
        instances
            .iter()
            .map(|i| serde_json::to_value(i).expect("serializes"))
            .collect(),
    )
}

fn pages(simulator: &Simulator) -> Vec<RequestRecord> {
    simulator
        .requests()
        .into_iter()
        .filter(|r| r.path == PATH)
        .collect()
}

/// `(offset, status, fault)` of each page request, in order.
fn outcomes(simulator: &Simulator) -> Vec<(u64, u16, Option<String>)> {
    pages(simulator)
        .iter()
        .map(|r| (offset_of(r), r.status, r.fault.clone()))
        .collect()
}

fn fault(label: &str) -> Option<String> {
    Some(label.to_owned())
}

fn all_instances() -> [(&'static str, &'static str); 1] {
    [("all", "")]
}

/// Lists every instance of a world of `count` and checks the state and the request log.
async fn assert_complete_read(count: usize) {
    let simulator = simulator(count, Faults::default()).await;
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &all_instances(),
    ));
    let state = &apply(&workdir)["all"];

    let world = offsite_instances(simulator.scenario());
    assert_eq!(world.len(), count);
    let listed = state["instances"].as_array().expect("instances");
    for (index, (actual, wanted)) in listed.iter().zip(&world).enumerate() {
        assert_eq!(
            actual,
            &serde_json::to_value(wanted).expect("json"),
            "instances[{index}]"
        );
    }
    assert_eq!(listed.len(), count);
    assert_eq!(state["total_count"], json!(count));
    assert_eq!(state["region"], json!(DEFAULT_REGION));
    assert_eq!(state["id"].as_str().map(str::len), Some(32));
    for unset in [
        "instance_id",
        "name",
        "source_region",
        "source_project_id",
        "destination_region",
        "destination_project_id",
        "engine",
        "keep_days",
        "timeouts",
    ] {
        assert_eq!(state[unset], Value::Null, "{unset}");
    }

    // One IAM lookup (no project_id configured), then each page once: ceil(N/100) requests,
    // at least one, never an empty page after a short one.
    assert_eq!(iam_lookups(&simulator), [DEFAULT_REGION]);
    let pages = pages(&simulator);
    let mut offsets: Vec<u64> = pages.iter().map(offset_of).collect();
    offsets.sort_unstable();
    assert_eq!(offsets, expected_offsets(count), "pages of {count}");
    for page in &pages {
        assert_eq!(page.status, 200);
        assert_eq!(page.signature, SignatureCheck::Valid);
        assert!(page.signed_headers.iter().any(|h| h == "x-project-id"));
        assert_eq!(page.query_value("limit"), Some("100"));
        assert_eq!(
            page.project_region.as_deref(),
            Some(DEFAULT_REGION),
            "the project of the backup region travels in X-Project-Id"
        );
    }
    assert_eq!(
        simulator.requests().len(),
        pages.len() + 1,
        "nothing but the lookup and the pages"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_instances() {
    assert_complete_read(0).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_instance() {
    assert_complete_read(1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_full_page() {
    assert_complete_read(100).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_more_than_a_page() {
    assert_complete_read(101).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn three_pages_read_concurrently() {
    assert_complete_read(250).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_filter_selects_by_its_field() {
    let simulator = simulator(12, Faults::default()).await;
    let world = offsite_instances(simulator.scenario());
    let fifth = &world[4];
    let keep_days = world[0].keep_days;
    let source_project = derived_project_id("cn-east-3");
    // The world's spelling of each engine (the simulator writes SQL Server as `sqlserver`).
    let of_engine = |engine: &str| -> Vec<&OffsiteInstance> {
        world
            .iter()
            .filter(|i| i.datastore.r#type == engine)
            .collect()
    };
    assert_eq!(of_engine("PostgreSQL").len(), 4, "engines in turn");
    let mysql_keep = format!("  engine = \"mysql\"\n  keep_days = {keep_days}");
    let cases: Vec<(&str, String, Vec<&OffsiteInstance>)> = vec![
        (
            "by_id",
            format!("  instance_id = \"{}\"", fifth.id),
            vec![fifth],
        ),
        (
            "by_name",
            format!("  name = \"{}\"", fifth.name),
            vec![fifth],
        ),
        (
            "by_source_region",
            "  source_region = \"cn-east-3\"".into(),
            world.iter().collect(),
        ),
        (
            "other_source_region",
            "  source_region = \"ap-southeast-1\"".into(),
            vec![],
        ),
        (
            "by_source_project",
            format!("  source_project_id = \"{source_project}\""),
            world.iter().collect(),
        ),
        (
            "by_destination_region",
            format!("  destination_region = \"{DEFAULT_REGION}\""),
            world.iter().collect(),
        ),
        (
            "other_destination_project",
            "  destination_project_id = \"ffffffffffffffffffffffffffffffff\"".into(),
            vec![],
        ),
        (
            "by_destination_project",
            format!("  destination_project_id = \"{DEFAULT_PROJECT_ID}\""),
            world.iter().collect(),
        ),
        (
            "by_engine_any_case",
            "  engine = \"POSTGRESQL\"".into(),
            of_engine("PostgreSQL"),
        ),
        (
            "by_engine_sqlserver",
            "  engine = \"SQLServer\"".into(),
            of_engine("sqlserver"),
        ),
        (
            "by_keep_days",
            format!("  keep_days = {keep_days}"),
            world.iter().filter(|i| i.keep_days == keep_days).collect(),
        ),
        (
            "mysql_and_keep_days",
            mysql_keep,
            of_engine("MySQL")
                .into_iter()
                .filter(|i| i.keep_days == keep_days)
                .collect(),
        ),
        (
            "explicit_region",
            format!("  region = \"{DEFAULT_REGION}\"\n  engine = \"MySQL\""),
            of_engine("MySQL"),
        ),
    ];
    let data_sources: Vec<(&str, &str)> = cases
        .iter()
        .map(|(name, arguments, _)| (*name, arguments.as_str()))
        .collect();
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &data_sources,
    ));
    let states = apply(&workdir);
    for (name, _, wanted) in &cases {
        let state = &states[*name];
        assert_eq!(state["instances"], expected(wanted), "{name}");
        assert_eq!(
            state["total_count"],
            json!(12),
            "{name}: before the filters"
        );
    }
    assert_eq!(states["by_keep_days"]["keep_days"], json!(keep_days));
    assert_eq!(states["by_engine_any_case"]["engine"], json!("POSTGRESQL"));
    // The id is the query's: equal for "MySQL" and "mysql" in the same region, else not.
    let ids: Vec<&str> = cases
        .iter()
        .map(|(name, _, _)| states[*name]["id"].as_str().expect("id"))
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    // Every data source read on its own: one lookup, one page each.
    assert_eq!(pages(&simulator).len(), cases.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_id_does_not_depend_on_the_engines_case_or_on_the_run() {
    let simulator = simulator(3, Faults::default()).await;
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &[
            ("upper", "  engine = \"MySQL\""),
            ("lower", "  engine = \"mysql\""),
        ],
    ));
    let first = apply(&workdir);
    assert_eq!(first["upper"]["id"], first["lower"]["id"]);
    let second = apply(&workdir);
    assert_eq!(first["upper"]["id"], second["upper"]["id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_arguments_are_errors_at_their_attribute_before_any_request() {
    let simulator = simulator(3, Faults::default()).await;
    let cases: [(&str, &str, &str); 10] = [
        ("instance_id", "\"\"", "instance_id must not be empty."),
        ("instance_id", "\"a b\"", "instance_id:"),
        ("name", "\"\"", "name must not be empty."),
        ("source_region", "\"CN East\"", "source_region:"),
        ("source_project_id", "\"../x\"", "source_project_id:"),
        (
            "destination_region",
            "\"\"",
            "destination_region must not be empty.",
        ),
        (
            "destination_project_id",
            "\"a/b\"",
            "destination_project_id:",
        ),
        (
            "engine",
            "\"oracle\"",
            "engine must be one of \"MySQL\", \"PostgreSQL\", \"SQLServer\", \"MariaDB\" (in any case); got \"oracle\".",
        ),
        (
            "keep_days",
            "0",
            "keep_days must be a whole number greater than zero; got 0.",
        ),
        ("keep_days", "1.5", "whole number"),
    ];
    for (attribute, value, wanted) in cases {
        let arguments = format!("  {attribute} = {value}");
        let text = configuration(&provider_block(&simulator, ""), &[("bad", &arguments)]);
        let workdir = Workdir::new(&text);
        let report = blocking(|| workdir.validate_json());
        assert_eq!(
            report["valid"],
            json!(false),
            "{attribute} = {value}: {report}"
        );
        let errors: Vec<&Value> = report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["severity"] == "error")
            .collect();
        assert_eq!(errors.len(), 1, "{attribute} = {value}: {report}");
        let error = errors[0];
        let detail = error["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(wanted), "{attribute} = {value}: {detail}");
        let line = text
            .lines()
            .position(|l| l.contains(&arguments))
            .expect("the argument's line") as u64
            + 1;
        assert_eq!(
            error["range"]["start"]["line"],
            json!(line),
            "{attribute} = {value}: at the attribute: {error}"
        );
    }
    assert!(simulator.requests().is_empty(), "validate sends nothing");
}

/// The faulted read: every instance of a world of 250 (three pages), the faults aimed at the
/// page at offset 100.
fn target() -> Target {
    Target {
        data_source: DATA_SOURCE,
        path_suffix: PATH,
        arguments: String::new(),
        scenario: |faults| scenario(world(250), faults),
        fault_offset: 100,
        requests: 3,
        decode_error: "Error: Huawei Cloud API error: could not decode page at offset 100",
    }
}

/// Runs `class` and, when the read recovers, checks that its state holds the whole world.
async fn fault_class(class: FaultClass) -> FaultyRead {
    let read = target().read_and_assert(class).await;
    if read.run.status == 0 {
        let world = offsite_instances(read.simulator.scenario());
        let world: Vec<&OffsiteInstance> = world.iter().collect();
        assert_eq!(read.state()["instances"], expected(&world));
    }
    read
}

#[tokio::test(flavor = "multi_thread")]
async fn error_statuses_are_retried_and_the_read_succeeds() {
    fault_class(FaultClass::Retried).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_beyond_max_retries_fail_with_status_code_and_message() {
    fault_class(FaultClass::BeyondMaxRetries)
        .await
        .assert_message(&["(offset 0)"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_fails_naming_the_page_offset() {
    fault_class(FaultClass::MalformedJson).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_200_that_is_not_a_page_fails_quoting_the_body() {
    fault_class(FaultClass::NotAnAnswer)
        .await
        .assert_message(&["offsite_backup_instances"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_connection_is_retried_and_the_read_succeeds() {
    fault_class(FaultClass::DroppedConnection).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_error_body_is_shown_escaped_in_one_error_block() {
    fault_class(FaultClass::HostileBody).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn echoed_request_headers_are_redacted() {
    fault_class(FaultClass::EchoedHeaders).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trickling_page_ends_at_timeouts_read_which_is_kept_in_state() {
    let slow = simulator(
        3,
        Faults {
            trickle: Some(std::time::Duration::from_secs(1)),
            ..Faults::default()
        },
    )
    .await;
    let workdir = Workdir::new(&configuration(
        &provider_block(&slow, ""),
        &[("all", "  timeouts = { read = \"3s\" }")],
    ));
    let run = try_apply(&workdir);
    run.assert_failure();
    let flat = flattened(&run);
    for wanted in [
        "Error: Huawei Cloud API read did not finish within 3s",
        "The page at offset 0 was still pending",
        "the read's time limit is timeouts.read.",
    ] {
        assert!(flat.contains(wanted), "{wanted:?} in {flat}");
    }
    assert_eq!(outcomes(&slow), [(0, 200, fault("trickle"))]);

    let simulator = simulator(3, Faults::default()).await;
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &[("all", "  timeouts = { read = \"1h30m\" }")],
    ));
    let state = &apply(&workdir)["all"];
    assert_eq!(state["timeouts"], json!({ "read": "1h30m" }));
    assert_eq!(state["instances"].as_array().map(Vec::len), Some(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn another_region_sends_that_regions_project_in_x_project_id() {
    let simulator = start(rds_simulator::Scenario {
        regions: vec![DEFAULT_REGION.to_owned(), "ap-southeast-1".to_owned()],
        ..scenario(world(2), Faults::default())
    })
    .await;
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &[("other", "  region = \"ap-southeast-1\"")],
    ));
    let state = &apply(&workdir)["other"];
    assert_eq!(state["region"], json!("ap-southeast-1"));
    // The backups are copied to the default region only: this region holds none.
    assert_eq!(state["instances"], json!([]));
    assert_eq!(state["total_count"], json!(0));
    assert_eq!(iam_lookups(&simulator), ["ap-southeast-1"]);
    let pages = pages(&simulator);
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].project_region.as_deref(), Some("ap-southeast-1"));
}
