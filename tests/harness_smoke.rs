//! Proves the acceptance-test harness itself, with configurations that need no
//! provider but Terraform's built-in one, so a broken harness is told apart
//! from a broken provider.

mod support;

use serde_json::json;
use support::{Workdir, terraform};

#[test]
fn terraform_resolves_and_reports_its_version() {
    let tf = terraform();
    assert!(tf.path.is_absolute(), "{}", tf.path.display());
    let (major, minor, _) = tf.version_triple();
    assert!(
        (major, minor) >= (1, 4),
        "terraform_data needs 1.4+, got {}",
        tf.version
    );

    let output = Workdir::new("").run(&["version"]);
    output.assert_success();
    assert!(
        output.stdout.contains(&format!("v{}", tf.version)),
        "`version` does not mention {}:\n{}",
        tf.version,
        output.stdout
    );
}

#[test]
fn apply_outputs_returns_each_output_with_value_type_and_sensitivity() {
    let workdir = Workdir::new(
        r#"
locals {
  greeting = "hello"
  numbers  = [1, 2, 3]
}

resource "terraform_data" "echo" {
  input = {
    greeting = local.greeting
    count    = length(local.numbers)
  }
}

output "greeting" {
  value = terraform_data.echo.output.greeting
}

output "count" {
  value = terraform_data.echo.output.count
}

output "numbers" {
  value = local.numbers
}

output "secret" {
  value     = "s3cr3t"
  sensitive = true
}
"#,
    );

    let outputs = workdir.apply_outputs();

    assert_eq!(
        outputs["greeting"],
        json!({"value": "hello", "type": "string", "sensitive": false})
    );
    assert_eq!(
        outputs["count"],
        json!({"value": 3, "type": "number", "sensitive": false})
    );
    assert_eq!(outputs["numbers"]["value"], json!([1, 2, 3]));
    assert_eq!(outputs["secret"]["value"], json!("s3cr3t"));
    assert_eq!(outputs["secret"]["sensitive"], json!(true));
    assert_eq!(outputs.as_object().map(|o| o.len()), Some(4), "{outputs}");
}

#[test]
fn validate_json_reports_errors_with_their_source_range() {
    let workdir = Workdir::new("output \"broken\" {\n  value = local.missing\n}\n");

    let report = workdir.validate_json();

    assert_eq!(report["valid"], json!(false), "{report}");
    assert_eq!(report["error_count"], json!(1), "{report}");
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["severity"], json!("error"));
    assert_eq!(
        diagnostic["summary"],
        json!("Reference to undeclared local value")
    );
    assert_eq!(diagnostic["range"]["filename"], json!("main.tf"));
    assert_eq!(diagnostic["range"]["start"]["line"], json!(2));
}

#[test]
fn validate_json_reports_a_valid_configuration() {
    let report = Workdir::new("output \"fine\" {\n  value = 1\n}\n").validate_json();

    assert_eq!(report["valid"], json!(true), "{report}");
    assert_eq!(report["error_count"], json!(0), "{report}");
}

/// Terraform's `local-exec` runs a shell with Terraform's own environment,
/// which shows exactly what the harness passed.
#[test]
fn commands_run_in_a_clean_environment_plus_the_tests_additions() {
    let mut workdir = Workdir::new(
        r#"
resource "terraform_data" "dump_environment" {
  provisioner "local-exec" {
    command = "env > environment.txt"
  }
}
"#,
    );
    workdir.env("HARNESS_SMOKE_MARKER", "added by the test");

    workdir
        .run(&["apply", "-auto-approve", "-input=false"])
        .assert_success();

    let dump = std::fs::read_to_string(workdir.path().join("environment.txt"))
        .expect("local-exec wrote environment.txt");
    let vars: Vec<(&str, &str)> = dump
        .lines()
        .filter_map(|line| line.split_once('='))
        .collect();
    let value_of = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);

    assert_eq!(value_of("HARNESS_SMOKE_MARKER"), Some("added by the test"));
    assert_eq!(value_of("TF_IN_AUTOMATION"), Some("1"));
    assert_eq!(value_of("TF_INPUT"), Some("0"));
    assert_eq!(value_of("CHECKPOINT_DISABLE"), Some("1"));
    let home = value_of("HOME").expect("HOME is set");
    assert!(
        home.starts_with(&*workdir.path().to_string_lossy()),
        "HOME={home} is outside the workdir"
    );
    // Nothing else from the test process (cargo's CARGO_* variables, HW_*
    // credentials, ...) may reach Terraform; the shell only adds its own.
    const PASSED: [&str; 9] = [
        "PATH",
        "TMPDIR",
        "HOME",
        "TF_CLI_CONFIG_FILE",
        "TF_IN_AUTOMATION",
        "TF_INPUT",
        "CHECKPOINT_DISABLE",
        "NO_COLOR",
        "HARNESS_SMOKE_MARKER",
    ];
    const SHELL_OWN: [&str; 4] = ["PWD", "OLDPWD", "SHLVL", "_"];
    let unexpected: Vec<&str> = vars
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !PASSED.contains(name) && !SHELL_OWN.contains(name))
        .collect();
    assert!(
        unexpected.is_empty(),
        "variables Terraform should not see: {unexpected:?}"
    );
}

#[test]
fn run_turns_colour_off_for_commands_that_support_it() {
    let workdir = Workdir::new("output \"answer\" {\n  value = 42\n}\n");

    let plan = workdir.run(&["plan", "-input=false"]);

    plan.assert_success();
    assert!(plan.stdout.contains("answer"), "{}", plan.stdout);
    assert!(
        !plan.combined().contains('\u{1b}'),
        "colour codes in: {}",
        plan.combined()
    );
}

#[test]
fn debug_log_captures_terraforms_trace_log() {
    let mut workdir = Workdir::new("output \"answer\" {\n  value = 42\n}\n");
    let log = workdir.debug_log();

    workdir.run(&["plan", "-input=false"]).assert_success();

    let text = std::fs::read_to_string(&log).expect("Terraform wrote the log file");
    assert!(
        text.contains("[TRACE]"),
        "no TRACE lines in {}",
        log.display()
    );
}
