//! What the acceptance tests of the `rds_offsite_backups` read share (`acc_read.rs`,
//! `acc_faults.rs`, and the read of `acc_smoke.rs`): configurations pointed at an in-process simulator, the expected state
//! computed from the simulator's own data, and views of the simulator's request log.
//!
//! Declared by those files only, with `#[path = "support/read.rs"] mod read_support;`.
//!
//! Tests run on a multi-thread tokio runtime, because the simulator runs on it; Terraform
//! commands are blocking calls, made through [`blocking`] so the simulator keeps being
//! served while Terraform waits for it.
#![allow(dead_code)]

use rds_simulator::{
    Backup, DEFAULT_PROJECT_ID, DEFAULT_REGION, Dataset, Engine, Faults, GenerateSpec,
    InstanceSpec, RequestRecord, Scenario, Simulator,
};
use serde_json::{Map, Value};

use crate::support::{RunOutput, Workdir};

/// Access key of every simulator these tests start.
pub const ACCESS_KEY: &str = "ACCREADTESTAK";
/// Secret key of every simulator these tests start: distinctive, so that finding it in any
/// Terraform output or log is certain to be a leak and not a coincidence.
pub const SECRET_KEY: &str = "acc-read-secret-Zq81xWv4-must-never-be-printed";
/// The instance whose backups the tests list (the API's instance id shape).
pub const INSTANCE_ID: &str = "a48e43ff268f4c0e879652d65e63d0fbin01";
/// Seed of every generated dataset, so that failures reproduce.
pub const SEED: u64 = 20_261_127;
/// The API's page size, which the provider always asks for.
pub const PAGE_SIZE: usize = 100;

/// Every attribute of one element of `backups`, as the schema declares it.
pub const BACKUP_ATTRIBUTES: [&str; 11] = [
    "associated_with_ddm",
    "begin_time",
    "databases",
    "datastore",
    "end_time",
    "id",
    "instance_id",
    "name",
    "size",
    "status",
    "type",
];

/// Runs a blocking Terraform command without starving the simulator's runtime.
pub fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// A dataset of one instance of `engine` with `auto` automated and `incremental` incremental
/// backups.
pub fn dataset(engine: Engine, auto: usize, incremental: usize) -> Dataset {
    Dataset::generate(&GenerateSpec {
        instances: vec![InstanceSpec {
            instance_id: INSTANCE_ID.to_owned(),
            engine,
            auto,
            incremental,
        }],
        seed: SEED,
    })
}

/// The tests' simulator configuration: their credentials, `dataset`, `faults`.
pub fn scenario(dataset: Dataset, faults: Faults) -> Scenario {
    Scenario {
        access_key: ACCESS_KEY.to_owned(),
        secret_key: SECRET_KEY.to_owned(),
        dataset,
        faults,
        ..Scenario::default()
    }
}

/// Starts a simulator (on the current tokio runtime).
pub async fn start(config: Scenario) -> Simulator {
    Simulator::start(config)
        .await
        .expect("start the API simulator")
}

/// The `provider "rds"` block for `simulator`: region `cn-north-4`, the tests' credentials,
/// both endpoints on the simulator, plus `extra` settings (HCL lines).
pub fn provider_block(simulator: &Simulator, extra: &str) -> String {
    provider_block_for(&simulator.base_url(), SECRET_KEY, extra)
}

/// The `provider "rds"` block for any endpoint and secret key.
pub fn provider_block_for(base_url: &str, secret_key: &str, extra: &str) -> String {
    format!(
        r#"
provider "rds" {{
  region     = "{DEFAULT_REGION}"
  access_key = "{ACCESS_KEY}"
  secret_key = "{secret_key}"
  endpoints = {{
    rds = "{base_url}"
    iam = "{base_url}"
  }}
{extra}
}}
"#
    )
}

/// A whole configuration: `required_providers`, `provider_block`, and one
/// `data "rds_offsite_backups"` per `(name, arguments)` with an output of the same name
/// holding the whole data source object.
///
/// The outputs are sensitive only so that Terraform does not print up to 10,000 backups on
/// every apply; `terraform output -json` still shows their values.
pub fn configuration(provider_block: &str, data_sources: &[(&str, impl AsRef<str>)]) -> String {
    let mut text = String::from(
        r#"
terraform {
  required_providers {
    rds = {
      source = "tfrds/rds"
    }
  }
}
"#,
    );
    text.push_str(provider_block);
    for (name, arguments) in data_sources {
        let arguments = arguments.as_ref();
        text.push_str(&format!(
            r#"
data "rds_offsite_backups" "{name}" {{
{arguments}
}}

output "{name}" {{
  value     = data.rds_offsite_backups.{name}
  sensitive = true
}}
"#
        ));
    }
    text
}

/// The arguments listing every backup of `backup_type` of [`INSTANCE_ID`], plus `extra`.
pub fn arguments(backup_type: &str, extra: &str) -> String {
    format!("  instance_id = \"{INSTANCE_ID}\"\n  backup_type = \"{backup_type}\"\n{extra}")
}

/// `terraform apply` (asserted to succeed), then the state of each data source by name.
#[track_caller]
pub fn apply(workdir: &Workdir) -> Value {
    let outputs = blocking(|| workdir.apply_outputs());
    let mut states = Map::new();
    if let Value::Object(outputs) = outputs {
        for (name, output) in outputs {
            states.insert(name, output["value"].clone());
        }
    }
    Value::Object(states)
}

/// `terraform apply`, whatever its outcome.
pub fn try_apply(workdir: &Workdir) -> RunOutput {
    blocking(|| workdir.run(&["apply", "-auto-approve", "-input=false"]))
}

/// One backup as the data source's state holds it: every attribute of the schema, null where
/// the API omitted the field.
pub fn expected_backup(backup: &Backup) -> Value {
    let mut value = serde_json::to_value(backup).expect("a simulator backup serializes");
    if let Value::Object(fields) = &mut value {
        for attribute in BACKUP_ATTRIBUTES {
            fields.entry(attribute).or_insert(Value::Null);
        }
    }
    value
}

/// The `backups` attribute expected for `backups`, in their order.
pub fn expected_backups<'a>(backups: impl IntoIterator<Item = &'a Backup>) -> Value {
    Value::Array(backups.into_iter().map(expected_backup).collect())
}

/// The `id`s of a state's `backups`, in order.
pub fn listed_ids(state: &Value) -> Vec<String> {
    state["backups"]
        .as_array()
        .unwrap_or_else(|| panic!("backups is not a list in {state}"))
        .iter()
        .map(|backup| {
            backup["id"]
                .as_str()
                .unwrap_or_else(|| panic!("a backup without id: {backup}"))
                .to_owned()
        })
        .collect()
}

/// Asserts that two lists of backups are equal, naming the first differing element instead
/// of printing megabytes of JSON.
#[track_caller]
pub fn assert_same_backups(actual: &Value, expected: &Value) {
    let actual = actual
        .as_array()
        .unwrap_or_else(|| panic!("backups is not a list: {actual}"));
    let expected = expected.as_array().expect("expected backups are a list");
    for (index, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_eq!(a, e, "backups[{index}] differs");
    }
    assert_eq!(
        actual.len(),
        expected.len(),
        "number of backups (first {} equal)",
        actual.len().min(expected.len())
    );
}

/// Whether a logged request is a page of the offsite-backups list.
pub fn is_offsite_request(record: &RequestRecord) -> bool {
    record.path.ends_with("/offsite-backups")
}

/// Whether a logged request is the IAM project lookup.
pub fn is_iam_request(record: &RequestRecord) -> bool {
    record.path == "/v3/projects"
}

/// The logged offsite-backups requests, in the order they were answered.
pub fn offsite_requests(simulator: &Simulator) -> Vec<RequestRecord> {
    simulator
        .requests()
        .into_iter()
        .filter(is_offsite_request)
        .collect()
}

/// The regions named by the logged IAM lookups, in order.
pub fn iam_lookups(simulator: &Simulator) -> Vec<String> {
    simulator
        .requests()
        .iter()
        .filter(|record| is_iam_request(record))
        .map(|record| record.query_value("name").unwrap_or_default().to_owned())
        .collect()
}

/// The `offset` parameter of a logged request.
#[track_caller]
pub fn offset_of(record: &RequestRecord) -> u64 {
    record
        .query_value("offset")
        .and_then(|offset| offset.parse().ok())
        .unwrap_or_else(|| panic!("no numeric offset in {:?}", record.raw_query))
}

/// `(offset, status, fault)` of each logged offsite-backups request, in order.
pub fn page_outcomes(simulator: &Simulator) -> Vec<(u64, u16, Option<String>)> {
    offsite_requests(simulator)
        .iter()
        .map(|record| (offset_of(record), record.status, record.fault.clone()))
        .collect()
}

/// The offsets `0, 100, 200, ...` a complete read of `count` backups requests: one page per
/// started hundred, and always the first page.
pub fn expected_offsets(count: usize) -> Vec<u64> {
    let pages = count.div_ceil(PAGE_SIZE).max(1);
    (0..pages).map(|page| (page * PAGE_SIZE) as u64).collect()
}

/// The project id in the path of every offsite-backups request.
pub fn offsite_path() -> String {
    format!("/v3/{DEFAULT_PROJECT_ID}/offsite-backups")
}

/// Terraform's output with line breaks and box-drawing margins folded to single spaces, so
/// that assertions on messages do not depend on how Terraform wrapped them.
pub fn flattened(output: &RunOutput) -> String {
    output
        .combined()
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Asserts that `secret` occurs nowhere in `texts` (`(what, text)` pairs).
#[track_caller]
pub fn assert_secret_absent(secret: &str, texts: &[(&str, &str)]) {
    for (what, text) in texts {
        assert!(!text.contains(secret), "the secret key appears in {what}");
    }
}
