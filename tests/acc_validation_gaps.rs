//! The validation rules a careless user or a copy-paste mistake meets, under a
//! real Terraform: plain `http://` endpoints off this machine, IDs no API
//! issues, impossible time offsets, a `cloud` that is not a DNS suffix,
//! credentials with whitespace or control characters (in the block or in
//! `HW_*`), too many retries, an empty `name`, untrimmed `HW_*` values, and
//! secrets pasted into `region` or `project_id`. Values known to `terraform
//! validate` are errors at their line; `HW_*` values, which only the provider
//! sees, are errors of `terraform plan` that name the variable. No message
//! quotes a value that could be a secret.

#[path = "support/protocol.rs"]
mod protocol;
mod support;
#[path = "support/validation.rs"]
mod validation;

use protocol::{
    REQUIRED_PROVIDERS, RunningSimulator, line_of, unwrapped, use_simulator_credentials,
};
use serde_json::json;
use support::{RunOutput, Workdir};
use validation::{BadCase, assert_cases, configuration, data_arguments, errors_of};

/// Looks like a secret key, so a message that quotes it would leak one.
const PASTED_SECRET: &str = "Xk9Qw2Lr7Zp4Vt8Nb3Mc6Hd1Jf5Gs0Ay2Ue7Io4/";

#[test]
fn plain_http_endpoints_are_errors_unless_on_loopback() {
    assert_cases(&[
        BadCase::in_provider(
            "http to a cloud host",
            "provider \"rds\" {\n  endpoints = {\n    rds = \"http://rds.cn-north-4.myhuaweicloud.com\"\n  }\n}",
            "Invalid endpoint URL",
            "endpoints[\"rds\"] must be a full base URL such as \
             \"https://rds.cn-north-4.myhuaweicloud.com\": invalid endpoint URL \
             \"http://rds.cn-north-4.myhuaweicloud.com\": http:// is accepted only for a \
             loopback host (127.0.0.0/8, ::1 or localhost, e.g. a local simulator): request \
             signatures and security tokens need https.",
            "rds = \"http://rds.cn-north-4",
        ),
        BadCase::in_provider(
            "http to a private address",
            "provider \"rds\" {\n  endpoints = {\n    iam = \"http://10.0.0.1:8080\"\n  }\n}",
            "Invalid endpoint URL",
            "request signatures and security tokens need https",
            "iam = \"http://10.0.0.1:8080\"",
        ),
    ]);
    // The simulator's own addresses stay valid: every other acceptance test uses one.
    for local in [
        "http://127.0.0.1:8080",
        "http://127.0.0.2",
        "http://localhost:8080",
        "http://[::1]:8080",
    ] {
        let provider = format!("provider \"rds\" {{\n  endpoints = {{ rds = \"{local}\" }}\n}}");
        let report = Workdir::new(&configuration(&provider, &data_arguments(""))).validate_json();
        assert_eq!(report["valid"], json!(true), "{local}: {report:#}");
    }
}

/// A 70,000-character ID is a mistake: it is reported at its line as what it
/// is, in a message of ordinary length, before any request is built.
#[test]
fn ids_longer_than_any_the_api_issues_are_errors_at_validate() {
    let long_id = "0c2e0c9f5f8d4b3a".repeat(4_375);
    let main_tf = configuration(
        "",
        &format!("  instance_id = \"{long_id}\"\n  backup_type = \"auto\"\n"),
    );

    let report = Workdir::new(&main_tf).validate_json();

    let errors = errors_of(&report);
    assert_eq!(errors.len(), 1, "{report:#}");
    let error = errors[0];
    assert_eq!(error["summary"], json!("Invalid instance_id"));
    let detail = error["detail"].as_str().unwrap_or_default();
    assert_eq!(
        unwrapped(detail),
        "instance_id: it has 70000 characters; IDs have at most 64 characters and no \
         whitespace (RDS IDs have 36: 32 hex digits and a suffix such as \"in01\" or \"br01\")."
    );
    assert_eq!(
        error["range"]["start"]["line"],
        json!(line_of(&main_tf, "instance_id = "))
    );

    assert_cases(&[BadCase::in_data(
        "a backup_id of 65 characters",
        &format!("  backup_id = \"{}\"\n", "b".repeat(65)),
        "Invalid backup_id",
        "backup_id: it has 65 characters; IDs have at most 64 characters",
        "backup_id = ",
    )]);
}

#[test]
fn times_beyond_fourteen_hours_from_utc_or_in_year_zero_are_errors() {
    assert_cases(&[
        BadCase::in_data(
            "offset +15:00",
            "  begin_time = \"2018-08-06T10:41:14+1500\"\n  end_time = \"2018-08-07T10:41:14Z\"\n",
            "Invalid begin_time",
            "\"2018-08-06T10:41:14+1500\" has a UTC offset beyond 14 hours; offsets range from \
             -14:00 to +14:00. begin_time accepts",
            "begin_time = ",
        ),
        BadCase::in_data(
            "offset -23:59 in RFC 3339",
            "  begin_time = \"2018-08-06T10:41:14Z\"\n  end_time = \"2018-08-07T10:41:14-23:59\"\n",
            "Invalid end_time",
            "offsets range from -14:00 to +14:00",
            "end_time = ",
        ),
        BadCase::in_data(
            "year 0000",
            "  begin_time = \"0000-01-01T00:00:00Z\"\n  end_time = \"2018-08-07T10:41:14Z\"\n",
            "Invalid begin_time",
            "\"0000-01-01T00:00:00Z\" is in the year 0000; years from 0001 to 9999 are accepted.",
            "begin_time = ",
        ),
    ]);
}

#[test]
fn cloud_must_be_a_dns_suffix() {
    assert_cases(&[
        BadCase::in_provider(
            "cloud with a path",
            "provider \"rds\" {\n  cloud = \"evil.com/x\"\n}",
            "Invalid cloud",
            "cloud: invalid cloud domain (it contains '/'): expected a DNS suffix such as \
             \"myhuaweicloud.com\", i.e. labels of letters, digits and '-' joined by dots, \
             without a scheme, slash, port or user information.",
            "cloud = ",
        ),
        BadCase::in_provider(
            "cloud with an empty label",
            "provider \"rds\" {\n  cloud = \"myhuaweicloud..com\"\n}",
            "Invalid cloud",
            "cloud: invalid cloud domain (it has an empty label",
            "cloud = ",
        ),
    ]);
}

#[test]
fn credentials_with_whitespace_or_control_characters_are_errors_at_their_line() {
    assert_cases(&[
        BadCase::in_provider(
            "access_key ending in a line break",
            "provider \"rds\" {\n  access_key = \"QTWAOYTTINDUT2QVKYUC\\n\"\n}",
            "Invalid access_key",
            "access_key: it contains a line break at the end; credentials are printable ASCII \
             characters without whitespace or control characters (check for a stray space or \
             line break from copying).",
            "access_key = ",
        ),
        BadCase::in_provider(
            "secret_key with a space",
            "provider \"rds\" {\n  secret_key = \"MFyfvK41ba2giqM7 Uio6PznpdUKGpownRZlmVmHc\"\n}",
            "Invalid secret_key",
            "secret_key: it contains a space;",
            "secret_key = ",
        ),
        BadCase::in_provider(
            "security_token with an escape character",
            "provider \"rds\" {\n  security_token = \"tok\\u001b[2Jen\"\n}",
            "Invalid security_token",
            "security_token: it contains a control character;",
            "security_token = ",
        ),
    ]);
    // The detail never repeats the secret (the snippet shows the source line,
    // which the user wrote and Terraform prints anyway).
    let provider =
        "provider \"rds\" {\n  secret_key = \"MFyfvK41ba2giqM7 Uio6PznpdUKGpownRZlmVmHc\"\n}";
    let report = Workdir::new(&configuration(provider, &data_arguments(""))).validate_json();
    let errors = errors_of(&report);
    assert_eq!(errors.len(), 1, "{report:#}");
    assert!(
        !errors[0]["detail"].to_string().contains("MFyfvK41"),
        "{report:#}"
    );
}

#[test]
fn max_retries_above_the_documented_maximum_is_an_error() {
    assert_cases(&[BadCase::in_provider(
        "max_retries = 21",
        "provider \"rds\" {\n  max_retries = 21\n}",
        "Invalid max_retries",
        "max_retries must be a whole number from 0 to 20 (got 21).",
        "max_retries = 21",
    )]);
    let report = Workdir::new(&configuration(
        "provider \"rds\" {\n  max_retries = 20\n}",
        &data_arguments(""),
    ))
    .validate_json();
    assert_eq!(report["valid"], json!(true), "{report:#}");
}

#[test]
fn an_empty_name_is_rejected_like_an_empty_backup_id() {
    assert_cases(&[
        BadCase::in_data(
            "name = \"\"",
            "  name = \"\"\n",
            "Empty name",
            "name must not be empty.",
            "name = \"\"",
        ),
        BadCase::in_data(
            "backup_id = \"\"",
            "  backup_id = \"\"\n",
            "Empty backup_id",
            "backup_id must not be empty.",
            "backup_id = \"\"",
        ),
    ]);
}

/// A secret pasted into `region` or `project_id` is reported without being
/// printed back; the message says what those settings accept.
#[test]
fn a_secret_pasted_into_region_or_project_id_is_never_quoted() {
    let provider = format!(
        "provider \"rds\" {{\n  region     = \"{PASTED_SECRET}\"\n  project_id = \"{PASTED_SECRET}\"\n}}"
    );
    let main_tf = configuration(&provider, &data_arguments(""));

    let report = Workdir::new(&main_tf).validate_json();

    let errors = errors_of(&report);
    let summaries: Vec<_> = errors.iter().map(|e| e["summary"].clone()).collect();
    assert_eq!(
        summaries,
        [json!("Invalid region"), json!("Invalid project_id")],
        "{report:#}"
    );
    for (error, expected) in errors.iter().zip([
        "region: invalid region (it contains an uppercase letter at the start): expected a \
         name such as \"cn-north-4\" (lowercase letters, digits and '-', at most 63 characters).",
        "project_id: invalid project id (it contains '/' at the end): expected 1 to 64 \
         letters, digits, '-' or '_', such as \"0483b6b16e954cb88930a360d2c4e663\".",
    ]) {
        let detail = error["detail"].as_str().unwrap_or_default();
        assert_eq!(unwrapped(detail), expected, "{report:#}");
    }
}

/// `terraform plan` of a data source read from a simulator, with region and
/// credentials from `HW_*` and then `overrides` of them: the simulator makes
/// sure that nothing is sent anywhere but loopback if configuration succeeds.
fn plan_with_environment(overrides: &[(&str, &str)]) -> (RunOutput, RunningSimulator) {
    let simulator = RunningSimulator::start();
    let main_tf = format!(
        "{REQUIRED_PROVIDERS}\n{}\ndata \"rds_offsite_backups\" \"this\" {{\n  \
         instance_id = \"{}\"\n  backup_type = \"auto\"\n}}\n",
        simulator.provider_block(),
        rds_simulator::DEMO_MYSQL_INSTANCE_ID
    );
    let mut workdir = Workdir::new(&main_tf);
    use_simulator_credentials(&mut workdir);
    for (variable, value) in overrides {
        workdir.env(variable, value);
    }
    let plan = workdir.run(&["plan", "-input=false"]);
    (plan, simulator)
}

#[test]
fn credentials_with_whitespace_from_the_environment_name_the_variable() {
    let secret_with_space = "MFyfvK41ba2giqM7 Uio6PznpdUKGpownRZlmVmHc";
    let token_with_escape = "tokenpart1\u{1b}[2Jtokenpart2";

    let (plan, simulator) = plan_with_environment(&[
        ("HW_ACCESS_KEY", "QTWAOYTTINDUT2QVKYUC\n"),
        ("HW_SECRET_KEY", secret_with_space),
        ("HW_SECURITY_TOKEN", token_with_escape),
    ]);

    plan.assert_failure();
    let output = plan.combined();
    let text = unwrapped(&output);
    for expected in [
        "Error: Invalid HW_ACCESS_KEY",
        "The environment variable HW_ACCESS_KEY (for access_key) is not valid: it contains a \
         line break at the end; credentials are printable ASCII characters without whitespace",
        "Error: Invalid HW_SECRET_KEY",
        "The environment variable HW_SECRET_KEY (for secret_key) is not valid: it contains a \
         space;",
        "Error: Invalid HW_SECURITY_TOKEN",
        "The environment variable HW_SECURITY_TOKEN (for security_token) is not valid: it \
         contains a control character;",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{output}"
        );
    }
    for secret in ["MFyfvK41", "Uio6Pz", "tokenpart", "\u{1b}"] {
        assert!(!output.contains(secret), "{secret:?} printed:\n{output}");
    }
    assert!(
        simulator.requests().is_empty(),
        "{:?}",
        simulator.requests()
    );
}

/// Every `HW_*` value is used exactly as set, whatever it holds: stray
/// whitespace is an error naming the variable, never trimmed away for some
/// variables and kept for others.
#[test]
fn environment_values_are_never_trimmed() {
    let (plan, simulator) = plan_with_environment(&[
        (
            "HW_REGION_NAME",
            &format!("{} ", rds_simulator::DEFAULT_REGION),
        ),
        ("HW_MAX_RETRIES", " 2"),
        ("HW_INSECURE", "false\n"),
    ]);

    plan.assert_failure();
    let output = plan.combined();
    let text = unwrapped(&output);
    for expected in [
        "Error: Invalid HW_REGION_NAME",
        "The environment variable HW_REGION_NAME (for region) is not valid: invalid region (it \
         contains a space at the end): expected a name such as \"cn-north-4\"",
        "Error: Invalid HW_MAX_RETRIES",
        "The environment variable HW_MAX_RETRIES must be a whole number from 0 to 20",
        "Error: Invalid HW_INSECURE",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{output}"
        );
    }
    assert!(
        simulator.requests().is_empty(),
        "{:?}",
        simulator.requests()
    );
}

#[test]
fn environment_values_beyond_the_rules_name_the_variable_and_quote_no_secret() {
    let (plan, simulator) = plan_with_environment(&[
        ("HW_PROJECT_ID", PASTED_SECRET),
        ("HW_CLOUD", "evil.com/x"),
        ("HW_MAX_RETRIES", "21"),
    ]);

    plan.assert_failure();
    let output = plan.combined();
    let text = unwrapped(&output);
    for expected in [
        "Error: Invalid HW_PROJECT_ID",
        "invalid project id (it contains '/' at the end): expected 1 to 64 letters",
        "Error: Invalid HW_CLOUD",
        "The environment variable HW_CLOUD (for cloud) is not valid: invalid cloud domain (it \
         contains '/'): expected a DNS suffix",
        "Error: Invalid HW_MAX_RETRIES",
        "must be a whole number from 0 to 20; got \"21\".",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{output}"
        );
    }
    assert!(!output.contains("Xk9Qw2"), "{output}");
    assert!(!output.contains("evil.com"), "{output}");
    assert!(
        simulator.requests().is_empty(),
        "{:?}",
        simulator.requests()
    );
}
