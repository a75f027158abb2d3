//! Validation as a user meets it under a real Terraform: `terraform validate`
//! reports each bad argument of the data source and of the provider block with
//! its message AT the offending line, accepts what is merely unknown yet, and
//! `terraform plan` explains a missing region or missing credentials unless
//! the `HW_*` environment supplies them.

#[path = "support/protocol.rs"]
mod protocol;
mod support;
#[path = "support/validation.rs"]
mod validation;

use protocol::{
    REQUIRED_PROVIDERS, RunningSimulator, line_of, unwrapped, use_simulator_credentials,
};
use serde_json::json;
use support::Workdir;
use validation::{BadCase, assert_cases, configuration, data_arguments, errors_of};

#[test]
fn a_good_configuration_is_valid_in_every_accepted_time_format() {
    let provider = r#"provider "rds" {
  region                  = "cn-north-4"
  project_id              = "0483b6b16e954cb88930a360d2c4e663"
  access_key              = "AK"
  secret_key              = "SK"
  security_token          = "TOKEN"
  cloud                   = "myhuaweicloud.com"
  endpoints               = { rds = "https://rds.example.com", iam = "http://127.0.0.1:8080" }
  insecure                = false
  max_retries             = 0
  max_concurrent_requests = 32
}"#;
    let windows = [
        // RFC 3339 with an offset, and with Z: 03:00Z is after 10:41+08:00 (02:41Z).
        ("2018-08-06T10:41:14+08:00", "2018-08-06T03:00:00Z"),
        // The API's own format, and the two formats mixed.
        ("2018-08-06T10:41:14+0800", "2018-08-07T10:41:14+0800"),
        ("2018-08-06T02:41:14Z", "2018-08-06T10:41:15+0800"),
    ];
    for (begin, end) in windows {
        let arguments = data_arguments(&format!(
            "  backup_id   = \"a87c029b93e9c675a2925d388cfaa4b6br01\"\n  begin_time  = \"{begin}\"\n  \
             end_time    = \"{end}\"\n  region      = \"cn-north-4\"\n  name        = \"backup-1\"\n  \
             status      = \"COMPLETED\"\n  most_recent = true\n"
        ));
        let report = Workdir::new(&configuration(provider, &arguments)).validate_json();
        assert_eq!(report["valid"], json!(true), "{begin} .. {end}: {report:#}");
        assert_eq!(
            report["error_count"],
            json!(0),
            "{begin} .. {end}: {report:#}"
        );
    }
    let incremental = data_arguments("").replace("\"auto\"", "\"incremental\"");
    let report = Workdir::new(&configuration("", &incremental)).validate_json();
    assert_eq!(report["valid"], json!(true), "{report:#}");
}

#[test]
fn each_bad_data_source_argument_is_reported_at_its_line() {
    assert_cases(&[
        BadCase {
            what: "backup_type",
            provider_block: "",
            data_arguments: "  instance_id = \"demo-instance\"\n  backup_type = \"full\"\n".into(),
            summary: "Invalid backup_type",
            detail: "backup_type must be one of \"auto\", \"incremental\"; got \"full\".",
            at_line_with: "backup_type = \"full\"",
        },
        BadCase {
            what: "instance_id",
            provider_block: "",
            data_arguments: "  instance_id = \"\"\n  backup_type = \"auto\"\n".into(),
            summary: "Empty instance_id",
            detail: "instance_id must not be empty.",
            at_line_with: "instance_id = \"\"",
        },
        BadCase::in_data(
            "status",
            "  status = \"done\"\n",
            "Invalid status",
            "status must be one of \"BUILDING\", \"COMPLETED\", \"FAILED\", \"DELETING\"; got \"done\".",
            "status = \"done\"",
        ),
        BadCase::in_data(
            "begin_time alone",
            "  begin_time = \"2018-08-06T10:41:14+0800\"\n",
            "Missing end_time",
            "begin_time is set but end_time is not",
            "begin_time = ",
        ),
        BadCase::in_data(
            "end_time alone",
            "  end_time = \"2018-08-06T10:41:14+0800\"\n",
            "Missing begin_time",
            "end_time is set but begin_time is not",
            "end_time = ",
        ),
        BadCase::in_data(
            "malformed begin_time",
            "  begin_time = \"2018-08-06 10:41:14\"\n  end_time = \"2018-08-07T10:41:14Z\"\n",
            "Invalid begin_time",
            "begin_time accepts the API's format `2018-08-06T10:41:14+0800` or RFC 3339",
            "begin_time = ",
        ),
        BadCase::in_data(
            "malformed end_time",
            "  begin_time = \"2018-08-06T10:41:14Z\"\n  end_time = \"tomorrow\"\n",
            "Invalid end_time",
            "\"tomorrow\" is not a valid time",
            "end_time = ",
        ),
        BadCase::in_data(
            "end at the same instant as begin",
            "  begin_time = \"2018-08-06T10:41:14+0800\"\n  end_time = \"2018-08-06T02:41:14Z\"\n",
            "end_time is not after begin_time",
            "end_time (2018-08-06T02:41:14Z) must be later than begin_time (2018-08-06T10:41:14+0800), compared as instants.",
            "end_time = ",
        ),
        BadCase::in_data(
            "end before begin",
            "  begin_time = \"2018-08-07T00:00:00Z\"\n  end_time = \"2018-08-06T00:00:00Z\"\n",
            "end_time is not after begin_time",
            "must be later than begin_time",
            "end_time = ",
        ),
    ]);
}

#[test]
fn each_bad_provider_setting_is_reported_at_its_line() {
    assert_cases(&[
        BadCase::in_provider(
            "max_concurrent_requests = 0",
            "provider \"rds\" {\n  max_concurrent_requests = 0\n}",
            "Invalid max_concurrent_requests",
            "max_concurrent_requests must be a whole number from 1 to 32 (got 0).",
            "max_concurrent_requests = 0",
        ),
        BadCase::in_provider(
            "max_concurrent_requests = 33",
            "provider \"rds\" {\n  max_concurrent_requests = 33\n}",
            "Invalid max_concurrent_requests",
            "from 1 to 32 (got 33).",
            "max_concurrent_requests = 33",
        ),
        BadCase::in_provider(
            "max_retries = -1",
            "provider \"rds\" {\n  max_retries = -1\n}",
            "Invalid max_retries",
            "max_retries must be a whole number from 0 to 20 (got -1).",
            "max_retries = -1",
        ),
        BadCase::in_provider(
            "unknown endpoint key",
            "provider \"rds\" {\n  endpoints = { ecs = \"https://ecs.example.com\" }\n}",
            "Unknown endpoint key",
            "endpoints has the key \"ecs\"; the accepted keys are \"rds\" and \"iam\".",
            "ecs = ",
        ),
        BadCase::in_provider(
            "endpoint without a scheme",
            "provider \"rds\" {\n  endpoints = {\n    rds = \"rds.example.com\"\n  }\n}",
            "Invalid endpoint URL",
            "endpoints[\"rds\"] must be a full base URL such as",
            "rds = \"rds.example.com\"",
        ),
        BadCase::in_provider(
            "region that is not a region name",
            "provider \"rds\" {\n  region = \"cn north 4\"\n}",
            "Invalid region",
            "region: ",
            "region = ",
        ),
        BadCase::in_provider(
            "project_id with path characters",
            "provider \"rds\" {\n  project_id = \"../other\"\n}",
            "Invalid project_id",
            "project_id: ",
            "project_id = ",
        ),
    ]);
}

/// `terraform validate` treats input variables as unknown: nothing that only
/// depends on them may be reported, in the data block or the provider block.
#[test]
fn values_unknown_at_validation_are_not_errors() {
    let variables: String = [
        ("instance_id", "string"),
        ("begin_time", "string"),
        ("end_time", "string"),
        ("most_recent", "bool"),
        ("region", "string"),
        ("access_key", "string"),
        ("secret_key", "string"),
        ("max_retries", "number"),
        ("max_concurrent_requests", "number"),
        ("endpoints", "map(string)"),
    ]
    .iter()
    .map(|(name, ty)| format!("variable \"{name}\" {{\n  type = {ty}\n}}\n"))
    .collect();
    let provider = r#"provider "rds" {
  region                  = var.region
  access_key              = var.access_key
  secret_key              = var.secret_key
  max_retries             = var.max_retries
  max_concurrent_requests = var.max_concurrent_requests
  endpoints               = var.endpoints
}"#;
    let arguments = "  instance_id = var.instance_id\n  backup_type = \"auto\"\n  \
                     begin_time  = var.begin_time\n  end_time    = var.end_time\n  \
                     most_recent = var.most_recent\n";
    // timestamp() is unknown until apply too: a window ending "now".
    let now_window = "  instance_id = \"demo-instance\"\n  backup_type = \"incremental\"\n  \
                      begin_time  = timeadd(timestamp(), \"-24h\")\n  end_time    = timestamp()\n";
    let main_tf = format!(
        "{}{variables}\ndata \"rds_offsite_backups\" \"now\" {{\n{now_window}}}\n",
        configuration(provider, arguments)
    );

    let report = Workdir::new(&main_tf).validate_json();

    assert_eq!(report["valid"], json!(true), "{report:#}");
    assert!(errors_of(&report).is_empty(), "{report:#}");
}

/// With a known bad value next to unknown ones, the known one is still checked.
#[test]
fn a_known_bad_value_is_reported_next_to_unknown_ones() {
    let main_tf = configuration(
        "variable \"end_time\" {\n  type = string\n}\n",
        "  instance_id = \"demo-instance\"\n  backup_type = \"auto\"\n  \
         begin_time  = \"last tuesday\"\n  end_time    = var.end_time\n",
    );

    let report = Workdir::new(&main_tf).validate_json();

    let errors = errors_of(&report);
    assert_eq!(errors.len(), 1, "{report:#}");
    assert_eq!(errors[0]["summary"], json!("Invalid begin_time"));
    assert_eq!(
        errors[0]["range"]["start"]["line"],
        json!(line_of(&main_tf, "last tuesday"))
    );
}

const PLAN: [&str; 2] = ["plan", "-input=false"];

#[test]
fn plan_without_region_or_credentials_explains_both_and_their_variables() {
    let workdir = Workdir::new(&configuration("provider \"rds\" {}", &data_arguments("")));

    let plan = workdir.run(&PLAN);

    plan.assert_failure();
    let text = unwrapped(&plan.combined());
    for expected in [
        "Error: Missing region",
        "Set region in the provider block or the environment variable HW_REGION_NAME",
        "Error: Missing credentials",
        "explicit keys: access_key and secret_key are not set in the provider block, and \
         HW_ACCESS_KEY and HW_SECRET_KEY are unset",
        "the ECS metadata service: use_ecs_metadata is not set",
        "on main.tf line",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{}",
            plan.combined()
        );
    }
}

#[test]
fn plan_without_credentials_names_only_what_is_missing() {
    let mut workdir = Workdir::new(&configuration("provider \"rds\" {}", &data_arguments("")));
    workdir.env("HW_REGION_NAME", "cn-north-4");

    let plan = workdir.run(&PLAN);

    plan.assert_failure();
    let text = unwrapped(&plan.combined());
    assert!(
        text.contains("Error: Missing credentials"),
        "{}",
        plan.combined()
    );
    assert!(!text.contains("Missing region"), "{}", plan.combined());
}

/// An access key without its secret key is reported at plan time (the secret
/// may still come from `HW_SECRET_KEY`, which `validate` does not see), at the
/// line of the access key.
#[test]
fn plan_with_half_a_credential_pair_names_the_missing_half() {
    let provider = "provider \"rds\" {\n  region     = \"cn-north-4\"\n  access_key = \"AK\"\n}";
    let main_tf = configuration(provider, &data_arguments(""));
    let workdir = Workdir::new(&main_tf);

    assert!(errors_of(&workdir.validate_json()).is_empty());
    let plan = workdir.run(&PLAN);

    plan.assert_failure();
    let text = unwrapped(&plan.combined());
    for expected in [
        "Error: Incomplete credentials",
        "access_key is set but secret_key is not",
        "HW_SECRET_KEY",
        &format!("on main.tf line {}", line_of(&main_tf, "access_key = ")),
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{}",
            plan.combined()
        );
    }
}

/// The usual split: the access key in the configuration, the secret only in
/// the environment.
#[test]
fn plan_takes_the_secret_key_alone_from_the_environment() {
    let simulator = RunningSimulator::start();
    let provider = format!(
        "provider \"rds\" {{\n  region     = \"{}\"\n  access_key = \"{}\"\n  endpoints  = {{\n    rds = \"{url}\"\n    iam = \"{url}\"\n  }}\n}}\n",
        rds_simulator::DEFAULT_REGION,
        rds_simulator::DEFAULT_ACCESS_KEY,
        url = simulator.base_url(),
    );
    let main_tf = format!(
        "{REQUIRED_PROVIDERS}\n{provider}\ndata \"rds_offsite_backups\" \"this\" {{\n  \
         instance_id = \"{}\"\n  backup_type = \"auto\"\n}}\n",
        rds_simulator::DEMO_MYSQL_INSTANCE_ID
    );
    let mut workdir = Workdir::new(&main_tf);
    workdir.env("HW_SECRET_KEY", rds_simulator::DEFAULT_SECRET_KEY);

    let plan = workdir.run(&PLAN);

    plan.assert_success();
    simulator.assert_signed_requests_served();
}

/// Region and credentials from `HW_*` only: the data source is read at plan
/// time with signed requests.
#[test]
fn plan_takes_region_and_credentials_from_the_environment() {
    let simulator = RunningSimulator::start();
    let main_tf = format!(
        "{REQUIRED_PROVIDERS}\n{}\ndata \"rds_offsite_backups\" \"this\" {{\n  \
         instance_id = \"{}\"\n  backup_type = \"auto\"\n}}\n",
        simulator.provider_block(),
        rds_simulator::DEMO_MYSQL_INSTANCE_ID
    );
    let mut workdir = Workdir::new(&main_tf);
    use_simulator_credentials(&mut workdir);

    let plan = workdir.run(&PLAN);

    plan.assert_success();
    simulator.assert_signed_requests_served();
}
