//! The plugin foundation under a real Terraform: the schema Terraform reads,
//! a data source read deferred to apply, the provider's log lines as Terraform
//! parses them (and never a secret), the clean exit of every provider process,
//! and the process contract itself (handshake line, run by hand, `--version`).

#[path = "support/protocol.rs"]
mod protocol;
mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use protocol::{
    PROVIDER_MODULE, REQUIRED_PROVIDERS, RunningSimulator, assert_every_provider_exited_cleanly,
    field, provider_lines, send_signal, unwrapped, use_simulator_credentials,
};
use rds_simulator::{DEFAULT_SECRET_KEY, DEMO_MYSQL_INSTANCE_ID, Query};
use serde_json::{Value, json};
use support::{Workdir, provider_binary};

/// The provider's address as Terraform spells it in `providers schema -json`.
const PROVIDER_ADDRESS: &str = "registry.terraform.io/tfrds/rds";
// Written out from the protocol facts rather than taken from tfplugin, so that a
// wrong constant there fails here.
const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

// --- schema -------------------------------------------------------------------

fn provider_schemas() -> Value {
    // The harness adds `-no-color` after `providers schema`, where Terraform accepts it.
    let output = Workdir::new(REQUIRED_PROVIDERS).run(&["providers", "schema", "-json"]);
    output.assert_success();
    let json: Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|err| panic!("schema is not JSON ({err}): {}", output.stdout));
    json["provider_schemas"][PROVIDER_ADDRESS].clone()
}

/// Every attribute of `block` (recursing into nested attributes) has a
/// non-empty description; returns the paths of those that do not.
fn undescribed(attributes: &Value, prefix: &str) -> Vec<String> {
    let mut missing = Vec::new();
    for (name, attribute) in attributes.as_object().into_iter().flatten() {
        let path = format!("{prefix}{name}");
        if attribute["description"]
            .as_str()
            .is_none_or(|d| d.trim().is_empty())
        {
            missing.push(path.clone());
        }
        if let Some(nested) = attribute.get("nested_type") {
            missing.extend(undescribed(&nested["attributes"], &format!("{path}.")));
        }
    }
    missing
}

/// `{name: (type or nesting, flags)}` of a block's attributes, compact enough to
/// compare whole: the flags are the set ones among required/optional/computed/sensitive.
fn shape(attributes: &Value) -> BTreeMap<String, (Value, Vec<&'static str>)> {
    attributes
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, attribute)| {
            let kind = match attribute.get("nested_type") {
                Some(nested) => json!(["nested", nested["nesting_mode"]]),
                None => attribute["type"].clone(),
            };
            let flags = ["required", "optional", "computed", "sensitive"]
                .into_iter()
                .filter(|flag| attribute[*flag] == json!(true))
                .collect();
            (name.clone(), (kind, flags))
        })
        .collect()
}

fn expected_shape(
    rows: &[(&str, Value, &[&'static str])],
) -> BTreeMap<String, (Value, Vec<&'static str>)> {
    rows.iter()
        .map(|(name, kind, flags)| ((*name).to_owned(), (kind.clone(), flags.to_vec())))
        .collect()
}

/// `timeouts`, which every data source has: an object the user writes, sent as a plain object
/// type (protocol-6 nested attributes crash Terraform 1.0, see `tfplugin::schema`).
fn timeouts_type() -> Value {
    json!(["object", {"read": "string"}])
}

/// `datastore` in the backups and instances lists.
fn datastore_type() -> Value {
    json!(["object", {"type": "string", "version": "string"}])
}

#[test]
fn provider_schema_has_its_settings_and_the_assume_role_block_with_types_and_descriptions() {
    let provider = provider_schemas()["provider"].clone();
    let block = &provider["block"];

    const OPTIONAL: &[&str] = &["optional"];
    const SECRET: &[&str] = &["optional", "sensitive"];
    assert_eq!(
        shape(&block["attributes"]),
        expected_shape(&[
            ("region", json!("string"), OPTIONAL),
            ("project_id", json!("string"), OPTIONAL),
            ("project_name", json!("string"), OPTIONAL),
            ("access_key", json!("string"), OPTIONAL),
            ("secret_key", json!("string"), SECRET),
            ("security_token", json!("string"), SECRET),
            ("shared_config_file", json!("string"), OPTIONAL),
            ("profile", json!("string"), OPTIONAL),
            ("use_ecs_metadata", json!("bool"), OPTIONAL),
            ("cloud", json!("string"), OPTIONAL),
            ("auth_url", json!("string"), OPTIONAL),
            ("endpoints", json!(["map", "string"]), OPTIONAL),
            ("insecure", json!("bool"), OPTIONAL),
            ("cacert_file", json!("string"), OPTIONAL),
            ("max_retries", json!("number"), OPTIONAL),
            ("max_concurrent_requests", json!("number"), OPTIONAL),
        ]),
        "{provider:#}"
    );
    // `assume_role { ... }`, a block as in the official provider, written at most once.
    let block_types = block["block_types"].as_object().expect("block types");
    assert_eq!(
        block_types.keys().collect::<Vec<_>>(),
        ["assume_role"],
        "{block:#}"
    );
    let assume_role = &block_types["assume_role"];
    assert_eq!(
        assume_role["nesting_mode"],
        json!("single"),
        "{assume_role:#}"
    );
    assert_eq!(
        shape(&assume_role["block"]["attributes"]),
        expected_shape(&[
            ("agency_name", json!("string"), OPTIONAL),
            ("domain_name", json!("string"), OPTIONAL),
            ("domain_id", json!("string"), OPTIONAL),
            ("duration", json!("number"), OPTIONAL),
        ]),
        "{assume_role:#}"
    );
    assert_eq!(
        undescribed(&assume_role["block"]["attributes"], "assume_role."),
        Vec::<String>::new()
    );
    assert_eq!(undescribed(&block["attributes"], ""), Vec::<String>::new());
    assert!(
        block["description"].as_str().is_some_and(|d| !d.is_empty()),
        "{block:#}"
    );
}

#[test]
fn data_source_schema_has_its_arguments_and_backups_as_a_list_of_objects() {
    let schemas = provider_schemas();
    let data_sources = schemas["data_source_schemas"]
        .as_object()
        .expect("data_source_schemas is an object");
    assert_eq!(
        data_sources.keys().collect::<Vec<_>>(),
        [
            "rds_offsite_backup_instances",
            "rds_offsite_backup_policy",
            "rds_offsite_backups",
            "rds_offsite_restore_times"
        ],
        "the provider's data sources"
    );
    assert!(
        schemas["resource_schemas"]
            .as_object()
            .is_none_or(|r| r.is_empty()),
        "no resources: {schemas:#}"
    );
    let block = &data_sources["rds_offsite_backups"]["block"];

    const REQUIRED: &[&str] = &["required"];
    const OPTIONAL: &[&str] = &["optional"];
    const OPTIONAL_COMPUTED: &[&str] = &["optional", "computed"];
    const COMPUTED: &[&str] = &["computed"];
    assert_eq!(
        shape(&block["attributes"]),
        expected_shape(&[
            ("instance_id", json!("string"), REQUIRED),
            ("backup_type", json!("string"), REQUIRED),
            ("backup_id", json!("string"), OPTIONAL),
            ("begin_time", json!("string"), OPTIONAL),
            ("end_time", json!("string"), OPTIONAL),
            ("name", json!("string"), OPTIONAL),
            ("status", json!("string"), OPTIONAL),
            ("most_recent", json!("bool"), OPTIONAL),
            ("region", json!("string"), OPTIONAL_COMPUTED),
            ("timeouts", timeouts_type(), OPTIONAL),
            ("id", json!("string"), COMPUTED),
            ("total_count", json!("number"), COMPUTED),
            (
                "backups",
                json!(["list", ["object", {
                    "id": "string",
                    "name": "string",
                    "type": "string",
                    "size": "number",
                    "status": "string",
                    "instance_id": "string",
                    "begin_time": "string",
                    "end_time": "string",
                    "associated_with_ddm": "bool",
                    "databases": ["list", ["object", {"name": "string"}]],
                    "datastore": datastore_type(),
                }]]),
                COMPUTED,
            ),
        ]),
        "{block:#}"
    );

    assert_eq!(undescribed(&block["attributes"], ""), Vec::<String>::new());
    assert!(
        block["description"].as_str().is_some_and(|d| !d.is_empty()),
        "{block:#}"
    );
}

#[test]
fn offsite_backup_instances_schema_has_its_filters_and_instances_as_a_list_of_objects() {
    let schemas = provider_schemas();
    let block = &schemas["data_source_schemas"]["rds_offsite_backup_instances"]["block"];
    const OPTIONAL: &[&str] = &["optional"];
    const OPTIONAL_COMPUTED: &[&str] = &["optional", "computed"];
    const COMPUTED: &[&str] = &["computed"];
    assert_eq!(
        shape(&block["attributes"]),
        expected_shape(&[
            ("region", json!("string"), OPTIONAL_COMPUTED),
            ("instance_id", json!("string"), OPTIONAL),
            ("name", json!("string"), OPTIONAL),
            ("source_region", json!("string"), OPTIONAL),
            ("source_project_id", json!("string"), OPTIONAL),
            ("destination_region", json!("string"), OPTIONAL),
            ("destination_project_id", json!("string"), OPTIONAL),
            ("engine", json!("string"), OPTIONAL),
            ("keep_days", json!("number"), OPTIONAL),
            ("timeouts", timeouts_type(), OPTIONAL),
            ("id", json!("string"), COMPUTED),
            ("total_count", json!("number"), COMPUTED),
            (
                "instances",
                json!(["list", ["object", {
                    "id": "string",
                    "name": "string",
                    "source_region": "string",
                    "source_project_id": "string",
                    "datastore": datastore_type(),
                    "destination_region": "string",
                    "destination_project_id": "string",
                    "keep_days": "number",
                }]]),
                COMPUTED,
            ),
        ]),
        "{block:#}"
    );
    assert_eq!(undescribed(&block["attributes"], ""), Vec::<String>::new());
}

// --- plan and apply -------------------------------------------------------------

/// A data source whose instance ID comes from a resource: unknown at plan.
fn deferred_read_configuration(simulator: &RunningSimulator) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
{provider}
resource "terraform_data" "instance" {{
  input = "{DEMO_MYSQL_INSTANCE_ID}"
}}

data "rds_offsite_backups" "this" {{
  instance_id = terraform_data.instance.output
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
fn a_read_with_unknown_arguments_is_deferred_to_apply() {
    let simulator = RunningSimulator::start();
    let mut workdir = Workdir::new(&deferred_read_configuration(&simulator));
    use_simulator_credentials(&mut workdir);

    let plan = workdir.run(&["plan", "-input=false"]);

    plan.assert_success();
    let text = unwrapped(&plan.stdout);
    for expected in [
        "data.rds_offsite_backups.this will be read during apply",
        "(config refers to values not yet known)",
        "+ instance_id = (known after apply)",
        "+ total_count = (known after apply)",
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

// --- logging --------------------------------------------------------------------

const SECURITY_TOKEN: &str = "security-token-that-must-not-leak";

/// A configuration read at plan time, with the secrets written in the provider
/// block (the strictest case for leaks).
fn logged_configuration(simulator: &RunningSimulator) -> String {
    let url = Value::String(simulator.base_url());
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "rds" {{
  region         = "cn-north-4"
  access_key     = "{access_key}"
  secret_key     = "{DEFAULT_SECRET_KEY}"
  security_token = "{SECURITY_TOKEN}"
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
"#,
        access_key = rds_simulator::DEFAULT_ACCESS_KEY
    )
}

/// Applies the logged configuration with `TF_LOG=TRACE` (plus `extra_env`) and
/// returns the log.
fn applied_log(simulator: &RunningSimulator, extra_env: &[(&str, &str)]) -> String {
    let mut workdir = Workdir::new(&logged_configuration(simulator));
    let log = workdir.debug_log();
    for (key, value) in extra_env {
        workdir.env(key, value);
    }
    let outputs = workdir.apply_outputs();
    assert_eq!(outputs["count"]["value"], json!(1), "{outputs:#}");
    simulator.assert_signed_requests_served();
    std::fs::read_to_string(&log).unwrap_or_else(|err| panic!("read {}: {err}", log.display()))
}

#[test]
fn provider_log_lines_reach_terraforms_log_parsed_and_without_secrets() {
    let simulator = RunningSimulator::start();
    let log = applied_log(&simulator, &[]);

    let lines = provider_lines(&log);
    // The provider's info line about the read, as a parsed hclog entry: level,
    // module, message, the entry's fields, and the `timestamp` go-plugin adds
    // only when it parsed `@timestamp`.
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
    assert_eq!(field(read, "@module"), Some(PROVIDER_MODULE), "{read}");
    assert_eq!(
        field(read, "instance_id"),
        Some(DEMO_MYSQL_INSTANCE_ID),
        "{read}"
    );
    assert_eq!(field(read, "selected"), Some("1"), "{read}");
    assert!(field(read, "timestamp").is_some(), "{read}");
    assert!(
        lines.iter().any(|line| line.contains("[DEBUG] ")),
        "TRACE shows the provider's debug lines too"
    );
    // A line Terraform could not parse would be shown raw.
    assert!(!log.contains("{\"@level\""), "an hclog line was not parsed");
    assert!(
        !log.contains("\"@message\""),
        "an hclog line was not parsed"
    );

    for secret in [DEFAULT_SECRET_KEY, SECURITY_TOKEN] {
        assert!(!log.contains(secret), "the log contains a secret");
    }
    for signature_part in ["SDK-HMAC-SHA256 ", "Signature="] {
        assert!(
            !log.contains(signature_part),
            "the log contains an Authorization header value ({signature_part:?})"
        );
    }
}

#[test]
fn every_provider_process_exits_cleanly() {
    let simulator = RunningSimulator::start();
    let log = applied_log(&simulator, &[]);

    assert_every_provider_exited_cleanly(&log);
}

#[test]
fn tf_log_provider_error_hides_the_providers_lower_level_lines() {
    let simulator = RunningSimulator::start();
    let log = applied_log(&simulator, &[("TF_LOG_PROVIDER", "ERROR")]);

    assert!(
        log.contains("[TRACE] "),
        "Terraform's own lines stay at TRACE"
    );
    let lower: Vec<&str> = provider_lines(&log)
        .into_iter()
        .filter(|line| !line.contains("[ERROR] "))
        .collect();
    assert!(
        lower.is_empty(),
        "provider lines below ERROR:\n{}",
        lower.join("\n")
    );
}

#[test]
fn tf_log_provider_off_hides_every_provider_line() {
    let simulator = RunningSimulator::start();
    let log = applied_log(&simulator, &[("TF_LOG_PROVIDER", "OFF")]);

    assert!(
        log.contains("[TRACE] "),
        "Terraform's own lines stay at TRACE"
    );
    let lines = provider_lines(&log);
    assert!(lines.is_empty(), "provider lines:\n{}", lines.join("\n"));
}

// --- the process contract ---------------------------------------------------------

/// The provider binary with an empty environment plus `env`, stdin closed and
/// both output streams piped.
fn plugin_command(env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(provider_binary());
    command
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

#[test]
fn run_by_hand_it_explains_itself_on_stderr_and_exits_1() {
    let output = plugin_command(&[]).output().expect("run the provider");

    assert_eq!(output.status.code(), Some(1));
    assert!(
        output.stdout.is_empty(),
        "stdout: {:?}",
        String::from_utf8_lossy(&output.stdout)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("This binary is a plugin. These are not meant to be executed directly."),
        "{stderr}"
    );
}

#[test]
fn version_and_help_work_by_hand() {
    let version = plugin_command(&[])
        .arg("--version")
        .output()
        .expect("run --version");
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        "terraform-provider-rds 0.1.0"
    );

    let help = plugin_command(&[])
        .arg("--help")
        .output()
        .expect("run --help");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for expected in [
        "Usage: terraform-provider-rds",
        "--debug",
        "--version",
        "--help",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

/// A client certificate like Terraform's AutoMTLS one: ECDSA P-521 / SHA-512,
/// self-signed, a CA, for `localhost`.
fn terraform_like_client_certificate_pem() -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key");
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("certificate params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .self_signed(&key)
        .expect("self-signed certificate")
        .pem()
}

/// The environment Terraform gives a plugin, with the socket in `socket_dir`.
fn terraform_environment(socket_dir: &Path, client_pem: &str, log_env: &[(&str, &str)]) -> Command {
    let socket_dir = socket_dir.to_str().expect("a UTF-8 temporary path");
    let mut env = vec![
        (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
        ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
        ("PLUGIN_MIN_PORT", "10000"),
        ("PLUGIN_MAX_PORT", "25000"),
        ("PLUGIN_CLIENT_CERT", client_pem),
        ("PLUGIN_UNIX_SOCKET_DIR", socket_dir),
    ];
    env.extend_from_slice(log_env);
    plugin_command(&env)
}

/// Stops a plugin with SIGTERM; returns how it exited, the rest of its stdout
/// and its stderr.
fn terminate(
    mut child: Child,
    mut stdout: BufReader<std::process::ChildStdout>,
) -> (ExitStatus, String, String) {
    send_signal(&child, "TERM");
    let status = child.wait().expect("wait for the provider");
    let mut rest = String::new();
    stdout
        .read_to_string(&mut rest)
        .expect("read the rest of stdout");
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut stderr).expect("read stderr");
    }
    (status, rest, stderr)
}

/// Checks one stderr line is an hclog JSON entry Terraform accepts.
fn assert_hclog_line(line: &str) {
    let json: Value = serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}"));
    assert_eq!(json["@module"], json!(PROVIDER_MODULE), "{line}");
    assert!(json["@message"].is_string(), "{line}");
    let level = json["@level"].as_str().unwrap_or_default();
    assert!(
        ["trace", "debug", "info", "warn", "error"].contains(&level),
        "{line}"
    );
    // Go layout 2006-01-02T15:04:05.000000Z07:00, in UTC.
    let timestamp = json["@timestamp"].as_str().unwrap_or_default();
    let layout_ok = timestamp.len() == 27
        && timestamp.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            19 => b == b'.',
            26 => b == b'Z',
            _ => b.is_ascii_digit(),
        });
    assert!(layout_ok, "@timestamp {timestamp:?} in {line}");
}

#[test]
fn handshake_line_announces_protocol_6_a_unix_socket_and_the_server_certificate() {
    let socket_dir = tempfile::tempdir().expect("socket directory");
    let client_pem = terraform_like_client_certificate_pem();
    let mut child = terraform_environment(socket_dir.path(), &client_pem, &[("TF_LOG", "DEBUG")])
        .spawn()
        .expect("start the provider");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));

    let mut line = String::new();
    stdout
        .read_line(&mut line)
        .expect("read the handshake line");

    let fields: Vec<&str> = line
        .strip_suffix('\n')
        .unwrap_or(&line)
        .split('|')
        .collect();
    assert_eq!(fields.len(), 6, "{line:?}");
    assert_eq!(fields[..3], ["1", "6", "unix"], "{line:?}");
    assert_eq!(fields[4], "grpc", "{line:?}");
    let socket = PathBuf::from(fields[3]);
    assert!(socket.starts_with(socket_dir.path()), "{line:?}");
    let socket_type = std::fs::metadata(&socket)
        .expect("the socket exists")
        .file_type();
    assert!(
        socket_type.is_socket(),
        "{} is not a socket",
        socket.display()
    );
    let certificate = fields[5];
    assert!(
        certificate.len() > 50,
        "go-plugin ignores a certificate field this short"
    );
    assert!(
        !certificate.contains('='),
        "base64 without padding: {certificate}"
    );
    let der = STANDARD_NO_PAD
        .decode(certificate)
        .expect("standard base64 alphabet");
    assert_eq!(
        der.first(),
        Some(&0x30),
        "DER of a certificate starts with a SEQUENCE"
    );

    let (status, rest, stderr) = terminate(child, stdout);
    assert_eq!(status.code(), Some(0), "stderr:\n{stderr}");
    assert_eq!(rest, "", "nothing but the handshake line on stdout");
    assert!(!socket.exists(), "the socket is removed on exit");
    let log_lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with('{')).collect();
    assert!(
        !log_lines.is_empty(),
        "TF_LOG=DEBUG gives log lines:\n{stderr}"
    );
    for line in log_lines {
        assert_hclog_line(line);
    }
}

#[test]
fn tf_log_provider_overrides_tf_log_in_the_plugin_itself() {
    let socket_dir = tempfile::tempdir().expect("socket directory");
    let client_pem = terraform_like_client_certificate_pem();
    let log_env = [("TF_LOG", "TRACE"), ("TF_LOG_PROVIDER", "ERROR")];
    let mut child = terraform_environment(socket_dir.path(), &client_pem, &log_env)
        .spawn()
        .expect("start the provider");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut line = String::new();
    stdout
        .read_line(&mut line)
        .expect("read the handshake line");
    assert!(line.starts_with("1|6|unix|"), "{line:?}");

    let (status, _, stderr) = terminate(child, stdout);

    assert_eq!(status.code(), Some(0), "stderr:\n{stderr}");
    assert_eq!(stderr, "", "nothing below ERROR is written");
}

#[test]
fn without_protocol_6_on_offer_it_exits_1_with_an_explanation() {
    let output = plugin_command(&[
        (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
        ("PLUGIN_PROTOCOL_VERSIONS", "5"),
        (
            "PLUGIN_CLIENT_CERT",
            &terraform_like_client_certificate_pem(),
        ),
    ])
    .output()
    .expect("run the provider");

    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no handshake line");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("protocol version 6"), "{stderr}");
}

#[test]
fn a_malformed_client_certificate_is_a_clean_error() {
    let output = plugin_command(&[
        (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
        ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
        ("PLUGIN_CLIENT_CERT", "not a certificate"),
    ])
    .output()
    .expect("run the provider");

    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no handshake line");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("PLUGIN_CLIENT_CERT"), "{stderr}");
    assert!(!stderr.contains("panic"), "{stderr}");
}
