//! Helpers shared by the plugin-foundation acceptance tests (`acc_protocol`,
//! `acc_validation`, `acc_debug_mode`): an in-process API simulator with the
//! configuration text that points the provider at it, and small readers of
//! Terraform's output.
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
