//! Helpers shared by the plugin-foundation acceptance tests (`acc_protocol`,
//! `acc_validation`, `acc_debug_mode`, `acc_smoke`): an in-process API simulator with the
//! configuration text that points the provider at it, small readers of Terraform's output,
//! and the checks of the provider's lines in Terraform's log.
//!
//! Declared by those files only, with
//! `#[path = "support/protocol.rs"] mod protocol;` next to `mod support;`.
#![allow(dead_code)] // each test file uses a different part

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command};

use rds_simulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_REGION, DEFAULT_SECRET_KEY, RequestRecord, Scenario,
    SignatureCheck, Simulator,
};
use serde_json::Value;

use crate::support::Workdir;

/// What every configuration needs so that `rds` means this provider.
pub const REQUIRED_PROVIDERS: &str = r#"terraform {
  required_providers {
    rds = {
      source = "tfrds/rds"
    }
  }
}
"#;

/// The hclog module of the provider's own log lines, as Terraform logs them.
pub const PROVIDER_MODULE: &str = "provider.terraform-provider-rds";

/// An in-process simulator of the API and the runtime that serves it. The
/// runtime's worker threads keep answering while a test blocks on Terraform.
pub struct RunningSimulator {
    pub simulator: Simulator,
    _runtime: tokio::runtime::Runtime,
}

impl RunningSimulator {
    /// A simulator serving the demo data with the default credentials.
    pub fn start() -> RunningSimulator {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("start a tokio runtime for the simulator");
        let simulator = runtime
            .block_on(Simulator::start(Scenario::default()))
            .expect("start the simulator");
        RunningSimulator {
            simulator,
            _runtime: runtime,
        }
    }

    pub fn base_url(&self) -> String {
        self.simulator.base_url()
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        self.simulator.requests()
    }

    /// A provider block that sends RDS and IAM requests here; region and
    /// credentials are left to the `HW_*` environment variables.
    pub fn provider_block(&self) -> String {
        let url = Value::String(self.base_url());
        format!(
            "provider \"rds\" {{\n  endpoints = {{\n    rds = {url}\n    iam = {url}\n  }}\n}}\n"
        )
    }

    /// Asserts that requests arrived and that every one was answered 200 and
    /// carried a valid signature with the simulator's access key.
    #[track_caller]
    pub fn assert_signed_requests_served(&self) {
        let requests = self.requests();
        assert!(!requests.is_empty(), "the simulator received no request");
        for request in &requests {
            assert_eq!(request.status, 200, "{request:?}");
            assert_eq!(request.signature, SignatureCheck::Valid, "{request:?}");
            assert_eq!(
                request.access_key.as_deref(),
                Some(DEFAULT_ACCESS_KEY),
                "{request:?}"
            );
        }
    }
}

/// The simulator's region and credentials, as a user gives them: `HW_*`
/// environment variables of the Terraform commands.
pub fn use_simulator_credentials(workdir: &mut Workdir) {
    workdir
        .env("HW_REGION_NAME", DEFAULT_REGION)
        .env("HW_ACCESS_KEY", DEFAULT_ACCESS_KEY)
        .env("HW_SECRET_KEY", DEFAULT_SECRET_KEY);
}

/// Text with every run of whitespace turned into one space, so that messages
/// Terraform wraps at 80 columns can be searched for.
pub fn unwrapped(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The 1-based number of the only line of `text` that contains `needle`.
#[track_caller]
pub fn line_of(text: &str, needle: &str) -> u64 {
    let found: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(needle))
        .map(|(index, _)| index + 1)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{needle:?} must be on exactly one line of:\n{text}"
    );
    found[0] as u64
}

/// Sends a signal by name (`TERM`, `INT`) to a process this test started.
#[track_caller]
pub fn send_signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} {} failed", child.id());
}

/// Reads stdout lines until one starts with `prefix` (after leading
/// whitespace); returns that line trimmed. Panics when stdout ends first.
#[track_caller]
pub fn read_line_starting_with(stdout: &mut BufReader<ChildStdout>, prefix: &str) -> String {
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let read = stdout
            .read_line(&mut line)
            .expect("read the plugin's stdout");
        assert_ne!(
            read, 0,
            "stdout ended before a line starting with {prefix:?}:\n{seen}"
        );
        if line.trim_start().starts_with(prefix) {
            return line.trim().to_owned();
        }
        seen.push_str(&line);
    }
}

/// Lines of a Terraform log (`TF_LOG=TRACE`) made from the provider's own hclog entries.
pub fn provider_lines(log: &str) -> Vec<&str> {
    let marker = format!(" {PROVIDER_MODULE}: ");
    log.lines().filter(|line| line.contains(&marker)).collect()
}

/// The value of `key=` in a Terraform log line.
pub fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split(' ')
        .find_map(|word| word.strip_prefix(&format!("{key}=")))
}

/// Asserts, from a Terraform log at TRACE, that every provider process Terraform started
/// exited once, normally and without error, and that Terraform complained about none.
#[track_caller]
pub fn assert_every_provider_exited_cleanly(log: &str) {
    let started: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("[DEBUG] provider: plugin started:"))
        .filter_map(|line| field(line, "pid"))
        .collect();
    assert!(!started.is_empty(), "no provider process started");
    for pid in &started {
        // Terraform 1.9 and later (their go-plugin) log a normal exit at INFO with `id=`, 1.8
        // and earlier at DEBUG with `pid=`; an abnormal one is logged with `error=`.
        let exits: Vec<&str> = log
            .lines()
            .filter(|line| line.contains("provider: plugin process exited:"))
            .filter(|line| field(line, "id").or_else(|| field(line, "pid")) == Some(pid))
            .collect();
        assert_eq!(exits.len(), 1, "process {pid}: {exits:?}");
        assert!(
            exits[0].contains("[INFO]  provider: plugin process exited:")
                || exits[0].contains("[DEBUG] provider: plugin process exited:"),
            "{}",
            exits[0]
        );
        assert!(field(exits[0], "error").is_none(), "{}", exits[0]);
    }
    let plugin_exited = log
        .lines()
        .filter(|line| line.ends_with("[DEBUG] provider: plugin exited"))
        .count();
    assert_eq!(
        plugin_exited,
        started.len(),
        "one `plugin exited` per process"
    );
    for bad in ["plugin failed to exit gracefully", "plugin crashed"] {
        assert!(!log.contains(bad), "the log says {bad:?}");
    }
    let complaints: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("[ERROR] provider") || line.contains("[WARN]  provider"))
        .filter(|line| !is_go_plugin_stdout_race(line))
        .collect();
    assert!(complaints.is_empty(), "{}", complaints.join("\n"));
}

/// go-plugin >= 1.5.1 (Terraform 1.11 here) sometimes logs this when a plugin
/// exits normally: its client closes the plugin's stdout pipe while its own
/// scanner still reads it (hashicorp/go-plugin#298). It happens with Go
/// providers too and says nothing about this one.
fn is_go_plugin_stdout_race(line: &str) -> bool {
    line.contains("[ERROR] provider: error encountered while scanning stdout: error=\"read |0: file already closed\"")
}
