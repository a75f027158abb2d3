//! Every fault class, run the same way against each data source that is not
//! `rds_offsite_backups` (`acc_faults.rs` covers that one in more depth): a [`Target`] says how
//! one data source is read and what it calls, [`FaultClass`] is the table of faults, and
//! [`Target::read`] and [`Target::assert_class`] apply one fault and check what every data
//! source must do under it. A test adds only what is its data source's own (its state, its
//! wording).
//!
//! Declared with `#[path = "support/fault_classes.rs"] mod fault_classes;` next to
//! `read_support` and `support`.
#![allow(dead_code)]

use rds_simulator::{FailSpec, Faults, PageBody, PageOffsets, RequestRecord, Scenario, Simulator};
use serde_json::Value;

use crate::read_support::{SECRET_KEY, blocking, flattened, provider_block, start, try_apply};
use crate::support::{RunOutput, Workdir};

/// The token of the temporary credentials in [`FaultClass::EchoedHeaders`]: distinctive, so
/// finding it anywhere is a leak.
pub const SECURITY_TOKEN: &str = "acc-fault-classes-token-Wq3Lz8Kp-never-shown";

/// A 200 answer of another call (the backup list), which no other data source may read as an
/// empty answer.
pub const NOT_AN_ANSWER: &str = r#"{"backups":[],"total_count":250}"#;

/// `max_retries` of [`FaultClass::BeyondMaxRetries`].
const MAX_RETRIES: usize = 2;

/// The fault classes every data source is read under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultClass {
    /// Two 503s, then a 429 with `Retry-After: 1`, on the first request: retried, then read.
    Retried,
    /// 500 on every attempt: fails after the first attempt and `max_retries` = 2 retries.
    BeyondMaxRetries,
    /// A 200 whose JSON is cut short at the faulted request.
    MalformedJson,
    /// A 200 that is the answer of another call ([`NOT_AN_ANSWER`]) at the faulted request.
    NotAnAnswer,
    /// The connection of the faulted request dropped once: retried, then read.
    DroppedConnection,
    /// A 403 whose body holds terminal control sequences.
    HostileBody,
    /// A 403 whose body echoes the request's headers, credentials included.
    EchoedHeaders,
}

impl FaultClass {
    /// The simulator's faults of this class, aimed at the request at `offset`, and the
    /// provider settings (HCL lines) the class reads with.
    pub fn faults(self, offset: u64) -> (Faults, String) {
        let fail_first = |status, count, retry_after| FailSpec {
            status,
            count,
            retry_after,
        };
        match self {
            FaultClass::Retried => (
                Faults {
                    fail_first: vec![fail_first(503, 2, None), fail_first(429, 1, Some(1))],
                    ..Faults::default()
                },
                String::new(),
            ),
            FaultClass::BeyondMaxRetries => (
                Faults {
                    fail_first: vec![fail_first(500, 10, None)],
                    ..Faults::default()
                },
                format!("  max_retries = {MAX_RETRIES}"),
            ),
            FaultClass::MalformedJson => (
                Faults {
                    malformed_json_at_offset: Some(offset),
                    ..Faults::default()
                },
                String::new(),
            ),
            FaultClass::NotAnAnswer => (
                Faults {
                    page_bodies: vec![PageBody::new(PageOffsets::At(offset), NOT_AN_ANSWER)],
                    ..Faults::default()
                },
                String::new(),
            ),
            FaultClass::DroppedConnection => (
                Faults {
                    drop_connection_at_offset: Some((offset, 1)),
                    ..Faults::default()
                },
                String::new(),
            ),
            FaultClass::HostileBody => (
                Faults {
                    hostile_error_status: Some(403),
                    ..Faults::default()
                },
                String::new(),
            ),
            FaultClass::EchoedHeaders => (
                Faults {
                    echo_headers_status: Some(403),
                    ..Faults::default()
                },
                format!("  security_token = \"{SECURITY_TOKEN}\""),
            ),
        }
    }
}

/// A configuration: `required_providers`, `provider_block`, and one `data "<data_source>"`
/// per `(name, arguments)`, each with a sensitive output of the same name holding the whole
/// object (`terraform output -json` still shows it).
pub fn configuration(
    data_source: &str,
    provider_block: &str,
    data_sources: &[(&str, &str)],
) -> String {
    let mut text = String::from(
        "terraform {\n  required_providers {\n    rds = {\n      source = \"tfrds/rds\"\n    }\n  }\n}\n",
    );
    text.push_str(provider_block);
    for (name, arguments) in data_sources {
        text.push_str(&format!(
            "\ndata \"{data_source}\" \"{name}\" {{\n{arguments}\n}}\n\noutput \"{name}\" {{\n  \
             value     = data.{data_source}.{name}\n  sensitive = true\n}}\n"
        ));
    }
    text
}

/// `terraform output -json` after a successful apply: each output's value by name.
#[track_caller]
pub fn outputs_after(run: &RunOutput, workdir: &Workdir) -> Value {
    run.assert_success();
    let output = blocking(|| workdir.run(&["output", "-json"]));
    output.assert_success();
    let outputs: Value = serde_json::from_str(&output.stdout).expect("output -json is JSON");
    let mut values = serde_json::Map::new();
    for (name, output) in outputs.as_object().expect("outputs are an object") {
        values.insert(name.clone(), output["value"].clone());
    }
    Value::Object(values)
}

/// Asserts that none of `secrets` is in the run's streams or in Terraform's debug log (which
/// must hold the provider's lines).
#[track_caller]
pub fn assert_secrets_never_shown(run: &RunOutput, log: &str, secrets: &[&str]) {
    assert!(
        log.contains("provider.terraform-provider-rds"),
        "the debug log holds the provider's lines"
    );
    for (what, text) in [
        ("stdout", run.stdout.as_str()),
        ("stderr", run.stderr.as_str()),
        ("the debug log", log),
    ] {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret:?} appears in {what}");
        }
    }
}

/// How one data source is read under faults.
pub struct Target {
    /// The data source type, e.g. `rds_offsite_restore_times`.
    pub data_source: &'static str,
    /// How the path of its requests ends (also named by its error messages).
    pub path_suffix: &'static str,
    /// The arguments of the faulted read.
    pub arguments: String,
    /// The simulator's world, given the faults.
    pub scenario: fn(Faults) -> Scenario,
    /// The offset of the request the faults aim at: a later page of a paged read, else 0.
    pub fault_offset: u64,
    /// How many requests an unfaulted read makes.
    pub requests: usize,
    /// What its error says when an answer cannot be decoded.
    pub decode_error: &'static str,
}

/// One apply under a fault: what the test still wants to look at.
pub struct FaultyRead {
    pub simulator: Simulator,
    pub run: RunOutput,
    /// Terraform's debug log of the apply.
    pub log: String,
    pub workdir: Workdir,
}

impl FaultyRead {
    /// The state of the data source `all` after a successful apply.
    #[track_caller]
    pub fn state(&self) -> Value {
        outputs_after(&self.run, &self.workdir)["all"].clone()
    }

    /// Terraform's output, flattened (see [`flattened`]).
    pub fn message(&self) -> String {
        flattened(&self.run)
    }

    /// Asserts that the flattened output holds each of `wanted`.
    #[track_caller]
    pub fn assert_message(&self, wanted: &[&str]) {
        let message = self.message();
        for wanted in wanted {
            assert!(message.contains(wanted), "{wanted:?} in {message}");
        }
    }
}

impl Target {
    /// The configuration reading `data_sources` from `simulator`, with `provider_settings`.
    pub fn configuration(
        &self,
        simulator: &Simulator,
        provider_settings: &str,
        data_sources: &[(&str, &str)],
    ) -> String {
        configuration(
            self.data_source,
            &provider_block(simulator, provider_settings),
            data_sources,
        )
    }

    /// The logged requests of this data source, in the order they were answered.
    pub fn requests(&self, simulator: &Simulator) -> Vec<RequestRecord> {
        simulator
            .requests()
            .into_iter()
            .filter(|record| record.path.ends_with(self.path_suffix))
            .collect()
    }

    /// `(offset, status, fault)` of each request, in order; offset 0 for an unpaged request.
    pub fn outcomes(&self, simulator: &Simulator) -> Vec<(u64, u16, Option<String>)> {
        self.requests(simulator)
            .iter()
            .map(|record| {
                let offset = match record.query_value("offset") {
                    Some(offset) => offset
                        .parse()
                        .unwrap_or_else(|_| panic!("offset {offset:?} is not a number")),
                    None => 0,
                };
                (offset, record.status, record.fault.clone())
            })
            .collect()
    }

    /// Applies the read of [`Target::arguments`] (as data source `all`) under `class`, with
    /// Terraform's debug log on, and checks that the secret key shows nowhere.
    pub async fn read(&self, class: FaultClass) -> FaultyRead {
        let (faults, provider_settings) = class.faults(self.fault_offset);
        let simulator = start((self.scenario)(faults)).await;
        let mut workdir = Workdir::new(&self.configuration(
            &simulator,
            &provider_settings,
            &[("all", &self.arguments)],
        ));
        let log_path = workdir.debug_log();
        let run = try_apply(&workdir);
        let log = std::fs::read_to_string(&log_path).expect("Terraform's debug log");
        assert_secrets_never_shown(&run, &log, &[SECRET_KEY]);
        FaultyRead {
            simulator,
            run,
            log,
            workdir,
        }
    }

    /// Asserts what every data source must do under `class`: recovered reads (checked for
    /// success here; their state is the test's) retried exactly the faulted requests, failed
    /// reads say what failed, and no control character or credential reaches the output.
    #[track_caller]
    pub fn assert_class(&self, class: FaultClass, read: &FaultyRead) {
        let outcomes = self.outcomes(&read.simulator);
        let fault = |label: &str| Some(label.to_owned());
        let at = self.fault_offset;
        match class {
            FaultClass::Retried => {
                read.run.assert_success();
                // The first request takes every failure, then succeeds.
                assert_eq!(
                    outcomes[..4],
                    [
                        (0, 503, fault("fail-first 503")),
                        (0, 503, fault("fail-first 503")),
                        (0, 429, fault("fail-first 429")),
                        (0, 200, None),
                    ],
                    "{outcomes:?}"
                );
                assert_eq!(outcomes.len(), 3 + self.requests, "{outcomes:?}");
                // The wait after the 429 is the server's Retry-After (1 s), not the backoff.
                assert!(
                    read.log
                        .lines()
                        .any(|line| line.contains("retrying Huawei Cloud API request")
                            && line.contains("delay_ms=1000")),
                    "no retry after the server's Retry-After in the debug log"
                );
            }
            FaultClass::BeyondMaxRetries => {
                read.run.assert_failure();
                read.assert_message(&[
                    "Error: Huawei Cloud API error: HTTP 500 DBS.200001",
                    "Internal server error.",
                    &format!("Attempts: {}", MAX_RETRIES + 1),
                    self.path_suffix,
                ]);
                assert_eq!(
                    outcomes,
                    vec![(0, 500, fault("fail-first 500")); MAX_RETRIES + 1],
                    "the first attempt and max_retries = {MAX_RETRIES} retries"
                );
            }
            FaultClass::MalformedJson => {
                read.run.assert_failure();
                read.assert_message(&[self.decode_error, "HTTP 200"]);
                assert!(
                    outcomes.contains(&(at, 200, fault("malformed-json"))),
                    "{outcomes:?}"
                );
            }
            FaultClass::NotAnAnswer => {
                read.run.assert_failure();
                read.assert_message(&[
                    self.decode_error,
                    "HTTP 200",
                    &format!("the body starts with: {NOT_AN_ANSWER}"),
                ]);
                assert!(
                    outcomes.contains(&(at, 200, fault("page-body"))),
                    "{outcomes:?}"
                );
            }
            FaultClass::DroppedConnection => {
                read.run.assert_success();
                let dropped = outcomes
                    .iter()
                    .position(|o| *o == (at, 0, fault("drop-connection")))
                    .unwrap_or_else(|| panic!("no dropped connection in {outcomes:?}"));
                assert!(
                    outcomes[dropped..].contains(&(at, 200, None)),
                    "offset {at} retried after the drop: {outcomes:?}"
                );
                assert_eq!(outcomes.len(), 1 + self.requests, "{outcomes:?}");
            }
            FaultClass::HostileBody => {
                read.run.assert_failure();
                let output = read.run.combined();
                for control in ['\x1b', '\x07', '\r', '\u{9b}', '\u{202e}'] {
                    assert!(
                        !output.contains(control),
                        "{control:?} reached Terraform's output:\n{output}"
                    );
                }
                let errors = output
                    .lines()
                    .map(|line| line.trim_start_matches(['│', '╷', '╵', ' ']))
                    .filter(|line| line.starts_with("Error:"))
                    .count();
                assert_eq!(errors, 1, "one error block: {output}");
                read.assert_message(&[
                    "Error: Huawei Cloud API error: HTTP 403",
                    "\\x1b[32mApply complete!",
                ]);
                assert_eq!(outcomes.len(), 1, "403 is not retried");
            }
            FaultClass::EchoedHeaders => {
                read.run.assert_failure();
                read.assert_message(&[
                    "Received headers: Authorization: ***; X-Security-Token: ***",
                ]);
                assert_secrets_never_shown(
                    &read.run,
                    &read.log,
                    &[SECRET_KEY, SECURITY_TOKEN, "SDK-HMAC-SHA256", "Signature="],
                );
                let requests = self.requests(&read.simulator);
                assert_eq!(requests.len(), 1, "403 is not retried");
                assert!(
                    requests[0]
                        .signed_headers
                        .iter()
                        .any(|header| header == "x-security-token"),
                    "the token is signed"
                );
            }
        }
    }

    /// [`Target::read`] under `class`, then [`Target::assert_class`].
    pub async fn read_and_assert(&self, class: FaultClass) -> FaultyRead {
        let read = self.read(class).await;
        self.assert_class(class, &read);
        read
    }
}
