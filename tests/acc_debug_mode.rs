//! Debug mode under a real Terraform: a developer starts the provider with
//! `--debug` (e.g. under a debugger), copies the `TF_REATTACH_PROVIDERS` line
//! it prints, and Terraform then uses that running process instead of
//! starting one, across as many commands as they like, until Ctrl-C.

#[path = "support/protocol.rs"]
mod protocol;
mod support;

use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;

use protocol::{REQUIRED_PROVIDERS, RunningSimulator, read_line_starting_with, send_signal};
use rds_simulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_REGION, DEFAULT_SECRET_KEY, DEMO_MYSQL_INSTANCE_ID, Query,
};
use serde_json::{Value, json};
use support::{Workdir, provider_binary};

fn configuration(simulator: &RunningSimulator) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
{provider}
data "rds_offsite_backups" "this" {{
  instance_id = "{DEMO_MYSQL_INSTANCE_ID}"
  backup_type = "auto"
}}

output "total_count" {{
  value = data.rds_offsite_backups.this.total_count
}}
"#,
        provider = simulator.provider_block()
    )
}

#[test]
fn terraform_reattaches_to_a_provider_in_debug_mode_until_ctrl_c() {
    let simulator = RunningSimulator::start();
    // Region and credentials only in the debug process's environment: a plan
    // that succeeds was served by it, not by a provider Terraform started
    // itself (which would report the missing region and credentials).
    let mut provider = Command::new(provider_binary())
        .arg("--debug")
        .env_clear()
        .envs(std::env::vars_os().filter(|(key, _)| key == "PATH" || key == "TMPDIR"))
        .env("HW_REGION_NAME", DEFAULT_REGION)
        .env("HW_ACCESS_KEY", DEFAULT_ACCESS_KEY)
        .env("HW_SECRET_KEY", DEFAULT_SECRET_KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the provider in debug mode");
    let stderr = provider.stderr.take().expect("stderr is piped");
    let stderr = thread::spawn(move || {
        let mut text = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut text);
        text
    });
    let mut stdout = BufReader::new(provider.stdout.take().expect("stdout is piped"));

    let line = read_line_starting_with(&mut stdout, "TF_REATTACH_PROVIDERS=");
    let reattach = line
        .strip_prefix("TF_REATTACH_PROVIDERS='")
        .and_then(|rest| rest.strip_suffix('\''))
        .unwrap_or_else(|| panic!("not a shell-ready assignment: {line}"));
    let parsed: Value = serde_json::from_str(reattach).expect("the value is JSON");
    let entry = &parsed["registry.terraform.io/tfrds/rds"];
    assert_eq!(entry["Protocol"], json!("grpc"), "{parsed:#}");
    assert_eq!(entry["ProtocolVersion"], json!(6), "{parsed:#}");
    assert_eq!(entry["Test"], json!(true), "{parsed:#}");
    assert_eq!(entry["Pid"], json!(provider.id()), "{parsed:#}");
    assert_eq!(entry["Addr"]["Network"], json!("unix"), "{parsed:#}");
    let socket = PathBuf::from(entry["Addr"]["String"].as_str().expect("a socket path"));
    assert!(socket.exists(), "{} does not exist", socket.display());

    let expected_count = simulator
        .simulator
        .dataset()
        .query(&Query::new(DEMO_MYSQL_INSTANCE_ID, "auto"))
        .len();
    // With the harness's dev_overrides in effect, and with no CLI config at
    // all (no override, no `terraform init`): the reattached provider wins.
    for cli_config in [None, Some("/dev/null")] {
        let mut workdir = Workdir::new(&configuration(&simulator));
        workdir.env("TF_REATTACH_PROVIDERS", reattach);
        if let Some(path) = cli_config {
            workdir.env("TF_CLI_CONFIG_FILE", path);
        }

        let plan = workdir.run(&["plan", "-input=false"]);
        plan.assert_success();
        let outputs = workdir.apply_outputs();

        assert_eq!(
            outputs["total_count"]["value"],
            json!(expected_count),
            "CLI config {cli_config:?}"
        );
        assert!(
            provider.try_wait().expect("query the provider").is_none(),
            "Terraform must not stop a reattached provider (CLI config {cli_config:?})"
        );
    }
    simulator.assert_signed_requests_served();

    send_signal(&provider, "INT");
    let status = provider.wait().expect("wait for the provider");
    let stderr = stderr.join().expect("stderr reader");
    assert_eq!(
        status.code(),
        Some(0),
        "Ctrl-C ends debug mode cleanly:\n{stderr}"
    );
    assert!(!socket.exists(), "the socket is removed on exit");
    let reads = stderr
        .lines()
        .filter(|line| line.contains("\"@message\":\"read rds_offsite_backups\""))
        .count();
    // Two plans and two applies, each reading once.
    assert_eq!(reads, 4, "the debug process served every read:\n{stderr}");
}
