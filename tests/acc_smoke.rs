//! The smoke set: what must work on every Terraform the provider supports (protocol 6,
//! Terraform 1.0 to 1.15), few enough tests to run on each version of the matrix.
//! `scripts/test.sh` runs it on every Terraform of `tests/python/terraform-versions.txt`
//! and on `terraform`/`tofu` found on `PATH`, the whole suite (this file included) on the
//! reference 1.15.5. By hand, against one Terraform:
//! `TF_ACC_TERRAFORM_PATH=.venv/terraform/1.6.6/terraform cargo test --workspace --test acc_smoke`.
//!
//! Each test holds to what every version shares, so it states nothing a newer Terraform
//! alone does: the configurations use no feature newer than 1.0 (a value unknown at plan
//! comes from `timestamp()`, not from `terraform_data`), and the schema is checked for its
//! data sources and attribute names, not for how each version renders nested types.
//! The deeper tests of each part are in `acc_protocol`, `acc_validation` and `acc_read`.

#[path = "support/protocol.rs"]
mod protocol;
#[path = "support/read.rs"]
mod read_support;
mod support;
#[path = "support/validation.rs"]
mod validation;

use protocol::{
    PROVIDER_MODULE, REQUIRED_PROVIDERS, RunningSimulator, assert_every_provider_exited_cleanly,
    field, provider_lines, unwrapped, use_simulator_credentials,
};
use rds_simulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEMO_MYSQL_INSTANCE_ID, Engine, Faults, Query,
};
use read_support::{
    INSTANCE_ID, arguments, assert_same_backups, blocking, dataset, expected_backup,
    expected_backups, expected_offsets, offset_of, offsite_requests, provider_block, scenario,
    start,
};
use serde_json::{Value, json};
use support::{Workdir, terraform};
use validation::{BadCase, assert_cases};

/// The provider's address as Terraform spells it in `providers schema -json`.
const PROVIDER_ADDRESS: &str = "registry.terraform.io/tfrds/rds";

/// Backups in the read test: three pages of the API's 100.
const BACKUPS: usize = 250;

#[test]
fn the_schema_lists_the_data_sources_with_their_attributes_and_descriptions() {
    let output = Workdir::new(REQUIRED_PROVIDERS).run(&["providers", "schema", "-json"]);
    output.assert_success();
    let json: Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|err| panic!("schema is not JSON ({err}): {}", output.stdout));
    let schemas = &json["provider_schemas"][PROVIDER_ADDRESS];
    let data_sources = schemas["data_source_schemas"]
        .as_object()
        .unwrap_or_else(|| panic!("no data sources under {PROVIDER_ADDRESS}: {json:#}"));
    assert_eq!(
        data_sources.keys().collect::<Vec<_>>(),
        [
            "rds_offsite_backup_instances",
            "rds_offsite_backup_policy",
            "rds_offsite_backups",
            "rds_offsite_restore_times"
        ],
        "Terraform {}",
        terraform().version
    );
    for (name, schema) in data_sources {
        assert!(
            schema["block"]["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "{name} has no description: {schema:#}"
        );
    }
    let attributes = data_sources["rds_offsite_backups"]["block"]["attributes"]
        .as_object()
        .expect("rds_offsite_backups has attributes");
    let mut names: Vec<&str> = attributes.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "backup_id",
            "backup_type",
            "backups",
            "begin_time",
            "end_time",
            "id",
            "instance_id",
            "most_recent",
            "name",
            "region",
            "status",
            "timeouts",
            "total_count"
        ]
    );
    for (name, attribute) in attributes {
        assert!(
            attribute["description"]
                .as_str()
                .is_some_and(|d| !d.trim().is_empty()),
            "rds_offsite_backups.{name} has no description: {attribute:#}"
        );
    }
    let provider = schemas["provider"]["block"]["attributes"]
        .as_object()
        .expect("the provider block has attributes");
    assert_eq!(provider["secret_key"]["sensitive"], json!(true));
}

#[test]
fn validate_reports_bad_arguments_and_settings_at_their_lines() {
    assert_cases(&[
        BadCase {
            what: "backup_type",
            provider_block: "",
            data_arguments: "  instance_id = \"demo-instance\"\n  backup_type = \"full\"\n".into(),
            summary: "Invalid backup_type",
            detail: "backup_type must be one of \"auto\", \"incremental\"; got \"full\".",
            at_line_with: "backup_type = \"full\"",
        },
        BadCase::in_data(
            "end before begin",
            "  begin_time = \"2018-08-07T00:00:00Z\"\n  end_time = \"2018-08-06T00:00:00Z\"\n",
            "end_time is not after begin_time",
            "must be later than begin_time",
            "end_time = ",
        ),
        BadCase::in_provider(
            "max_concurrent_requests = 0",
            "provider \"rds\" {\n  max_concurrent_requests = 0\n}",
            "Invalid max_concurrent_requests",
            "max_concurrent_requests must be a whole number from 1 to 32 (got 0).",
            "max_concurrent_requests = 0",
        ),
    ]);
}

/// 250 SQL Server backups, every other one without `databases` (the API omits the field):
/// a list whose elements differ in a nested attribute being null or not.
fn mixed_backups() -> rds_simulator::Dataset {
    let mut data = dataset(Engine::SqlServer, BACKUPS, 0);
    for backup in data.backups.iter_mut().skip(1).step_by(2) {
        backup.databases = None;
    }
    data
}

/// Outputs of single values and of expressions over the list, on top of the whole data
/// source (the `all` output of `read_support::configuration`).
const READ_OUTPUTS: &str = r#"
output "count" {
  value = length(data.rds_offsite_backups.all.backups)
}

output "first_id" {
  value = data.rds_offsite_backups.all.backups[0].id
}

output "last_name" {
  value = data.rds_offsite_backups.all.backups[249].name
}

output "first_databases" {
  value = data.rds_offsite_backups.all.backups[0].databases
}

output "second_databases" {
  value = data.rds_offsite_backups.all.backups[1].databases
}

output "ids" {
  value = [for backup in data.rds_offsite_backups.all.backups : backup.id]
}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_read_of_250_backups_gives_exact_outputs() {
    let simulator = start(scenario(mixed_backups(), Faults::default())).await;
    let workdir = Workdir::new(&read_support::configuration(
        &provider_block(&simulator, ""),
        &[("all", &arguments("auto", ""))],
    ));
    workdir.write("outputs.tf", READ_OUTPUTS);

    let outputs = blocking(|| workdir.apply_outputs());

    let expected: Vec<_> = simulator
        .dataset()
        .query(&Query::new(INSTANCE_ID, "auto"))
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(expected.len(), BACKUPS, "the generated data");
    assert!(
        expected[0].databases.is_some() && expected[1].databases.is_none(),
        "the data mixes backups with and without databases"
    );
    let state = &outputs["all"]["value"];
    assert_same_backups(&state["backups"], &expected_backups(expected.iter()));
    assert_eq!(state["total_count"], json!(BACKUPS));
    assert_eq!(outputs["count"]["value"], json!(BACKUPS));
    assert_eq!(outputs["first_id"]["value"], json!(expected[0].id));
    assert_eq!(outputs["last_name"]["value"], json!(expected[249].name));
    assert_eq!(
        outputs["first_databases"]["value"],
        expected_backup(&expected[0])["databases"]
    );
    assert_eq!(outputs["second_databases"]["value"], Value::Null);
    let ids: Vec<&str> = expected.iter().map(|backup| backup.id.as_str()).collect();
    assert_eq!(outputs["ids"]["value"], json!(ids));

    let mut offsets: Vec<u64> = offsite_requests(&simulator).iter().map(offset_of).collect();
    offsets.sort_unstable();
    assert_eq!(offsets, expected_offsets(BACKUPS), "each page exactly once");
}

/// The data source's `instance_id` is unknown at plan: `timestamp()` is known only at apply
/// (in every Terraform since 0.12), and this expression of it gives the demo instance then.
fn deferred_read_configuration(simulator: &RunningSimulator) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
{provider}
locals {{
  instance_id = timestamp() == "" ? "" : "{DEMO_MYSQL_INSTANCE_ID}"
}}

data "rds_offsite_backups" "this" {{
  instance_id = local.instance_id
  backup_type = "auto"
}}

output "total_count" {{
  value = data.rds_offsite_backups.this.total_count
}}

output "instance_id" {{
  value = data.rds_offsite_backups.this.instance_id
}}
"#,
        provider = simulator.provider_block()
    )
}

#[test]
fn a_read_with_an_unknown_argument_is_deferred_to_apply() {
    let simulator = RunningSimulator::start();
    let mut workdir = Workdir::new(&deferred_read_configuration(&simulator));
    use_simulator_credentials(&mut workdir);

    let plan = workdir.run(&["plan", "-input=false"]);

    plan.assert_success();
    let text = unwrapped(&plan.stdout);
    for expected in [
        "data.rds_offsite_backups.this will be read during apply",
        "(config refers to values not yet known)",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{}",
            plan.stdout
        );
    }
    assert!(
        simulator.requests().is_empty(),
        "nothing may be read at plan time"
    );

    let outputs = workdir.apply_outputs();

    let expected = simulator
        .simulator
        .dataset()
        .query(&Query::new(DEMO_MYSQL_INSTANCE_ID, "auto"));
    assert!(!expected.is_empty(), "the demo instance has backups");
    assert_eq!(outputs["total_count"]["value"], json!(expected.len()));
    assert_eq!(
        outputs["instance_id"]["value"],
        json!(DEMO_MYSQL_INSTANCE_ID)
    );
    simulator.assert_signed_requests_served();
}

#[test]
fn the_providers_log_lines_reach_tf_log_and_every_provider_exits_cleanly() {
    let simulator = RunningSimulator::start();
    let url = Value::String(simulator.base_url());
    let mut workdir = Workdir::new(&format!(
        r#"{REQUIRED_PROVIDERS}
provider "rds" {{
  region     = "cn-north-4"
  access_key = "{DEFAULT_ACCESS_KEY}"
  secret_key = "{DEFAULT_SECRET_KEY}"
  endpoints = {{
    rds = {url}
    iam = {url}
  }}
}}

data "rds_offsite_backups" "this" {{
  instance_id = "{DEMO_MYSQL_INSTANCE_ID}"
  backup_type = "auto"
  most_recent = true
}}

output "count" {{
  value = length(data.rds_offsite_backups.this.backups)
}}
"#
    ));
    let log = workdir.debug_log();

    let outputs = workdir.apply_outputs();

    assert_eq!(outputs["count"]["value"], json!(1), "{outputs:#}");
    simulator.assert_signed_requests_served();
    let log =
        std::fs::read_to_string(&log).unwrap_or_else(|err| panic!("read {}: {err}", log.display()));
    let lines = provider_lines(&log);
    let read = lines
        .iter()
        .find(|line| {
            line.contains(&format!(
                "[INFO]  {PROVIDER_MODULE}: read rds_offsite_backups:"
            ))
        })
        .unwrap_or_else(|| {
            panic!(
                "no parsed `read rds_offsite_backups` line in:\n{}",
                lines.join("\n")
            )
        });
    assert_eq!(
        field(read, "instance_id"),
        Some(DEMO_MYSQL_INSTANCE_ID),
        "{read}"
    );
    assert_eq!(field(read, "selected"), Some("1"), "{read}");
    assert!(
        !log.contains("\"@message\""),
        "an hclog line was not parsed"
    );
    assert!(
        !log.contains(DEFAULT_SECRET_KEY),
        "the log contains a secret"
    );
    assert_every_provider_exited_cleanly(&log);
}
