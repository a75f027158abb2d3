//! Acceptance tests of the `rds_offsite_backups` read when the API misbehaves, under a real
//! Terraform: each fault is either recovered from (and the simulator's request log shows the
//! retries) or reported with a message that says what failed. No secret key ever shows up in
//! Terraform's output or debug log. Ctrl-C stops a read that waits on a stalled API.

#[path = "support/read.rs"]
mod read_support;
mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rds_simulator::{
    DEFAULT_PROJECT_ID, Engine, FailSpec, Faults, Query, SignatureCheck, Simulator,
    TotalCountChange,
};
use read_support::{
    INSTANCE_ID, SECRET_KEY, arguments, assert_same_backups, assert_secret_absent, configuration,
    dataset, expected_backups, expected_offsets, flattened, listed_ids, offset_of,
    offsite_requests, page_outcomes, provider_block, provider_block_for, scenario, start,
    try_apply,
};
use serde_json::{Value, json};
use support::{RunOutput, Workdir};

/// Backups of the faulted reads: three pages.
const BACKUPS: usize = 250;

/// A workdir reading every `auto` backup from `simulator`, with `provider_settings` added to
/// the provider block, and Terraform's debug log turned on.
fn workdir_for(simulator: &Simulator, provider_settings: &str) -> (Workdir, PathBuf) {
    let mut workdir = Workdir::new(&configuration(
        &provider_block(simulator, provider_settings),
        &[("all", &arguments("auto", ""))],
    ));
    let log = workdir.debug_log();
    (workdir, log)
}

async fn faulty_simulator(faults: Faults) -> Simulator {
    start(scenario(dataset(Engine::MySql, BACKUPS, 0), faults)).await
}

/// A read through faults it must recover from, once its state was checked to list exactly the
/// simulator's backups: what the test still wants to look at.
struct Recovered {
    simulator: Simulator,
    apply: RunOutput,
    log: PathBuf,
    /// Holds the temporary directory, and so the debug log, until the test ends.
    _workdir: Workdir,
}

async fn read_recovering_from(faults: Faults, provider_settings: &str) -> Recovered {
    let simulator = faulty_simulator(faults).await;
    let (workdir, log) = workdir_for(&simulator, provider_settings);
    let apply = try_apply(&workdir);
    let state = state_after(&apply, &workdir);
    assert_same_backups(&state["backups"], &expected_listing(&simulator));
    Recovered {
        simulator,
        apply,
        log,
        _workdir: workdir,
    }
}

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("read Terraform's debug log {}: {err}", path.display()))
}

/// Asserts that `secret` is in none of the apply's streams nor in the debug log.
#[track_caller]
fn assert_secret_never_shown(secret: &str, apply: &RunOutput, log: &Path) {
    let log = read_log(log);
    assert!(
        log.contains("provider.terraform-provider-rds"),
        "the debug log holds the provider's lines"
    );
    assert_secret_absent(
        secret,
        &[
            ("stdout", &apply.stdout),
            ("stderr", &apply.stderr),
            ("the debug log", &log),
        ],
    );
}

/// `terraform output -json` of the workdir's single data source, after a successful apply.
#[track_caller]
fn state_after(apply: &RunOutput, workdir: &Workdir) -> Value {
    apply.assert_success();
    let output = read_support::blocking(|| workdir.run(&["output", "-json"]));
    output.assert_success();
    let outputs: Value = serde_json::from_str(&output.stdout).expect("output -json is JSON");
    outputs["all"]["value"].clone()
}

/// The complete, unfaulted listing of the simulator.
fn expected_listing(simulator: &Simulator) -> Value {
    expected_backups(simulator.dataset().query(&Query::new(INSTANCE_ID, "auto")))
}

/// Offsets of the successful page answers, sorted.
fn successful_offsets(simulator: &Simulator) -> Vec<u64> {
    let mut offsets: Vec<u64> = page_outcomes(simulator)
        .into_iter()
        .filter(|(_, status, _)| *status == 200)
        .map(|(offset, _, _)| offset)
        .collect();
    offsets.sort_unstable();
    offsets
}

fn fault(label: &str) -> Option<String> {
    Some(label.to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn service_unavailable_twice_is_retried_and_the_read_succeeds() {
    let Recovered {
        simulator,
        apply,
        log,
        _workdir,
    } = read_recovering_from(
        Faults {
            fail_first: vec![FailSpec {
                status: 503,
                count: 2,
                retry_after: None,
            }],
            ..Faults::default()
        },
        "",
    )
    .await;
    let outcomes = page_outcomes(&simulator);
    // The first page is read alone (its total_count says what else to read): it takes both
    // failures and then succeeds.
    assert_eq!(
        outcomes[..3],
        [
            (0, 503, fault("fail-first 503")),
            (0, 503, fault("fail-first 503")),
            (0, 200, None),
        ]
    );
    assert_eq!(outcomes.len(), 5, "{outcomes:?}");
    assert_eq!(successful_offsets(&simulator), expected_offsets(BACKUPS));
    assert_secret_never_shown(SECRET_KEY, &apply, &log);
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_is_retried_after_the_servers_retry_after() {
    let Recovered {
        simulator,
        apply,
        log,
        _workdir,
    } = read_recovering_from(
        Faults {
            fail_first: vec![FailSpec {
                status: 429,
                count: 1,
                retry_after: Some(1),
            }],
            ..Faults::default()
        },
        "",
    )
    .await;
    let outcomes = page_outcomes(&simulator);
    assert_eq!(
        outcomes[..2],
        [(0, 429, fault("fail-first 429")), (0, 200, None)]
    );
    assert_eq!(outcomes.len(), 4, "{outcomes:?}");
    assert_eq!(successful_offsets(&simulator), expected_offsets(BACKUPS));
    // The wait before the retry is the server's Retry-After (1 s), not the backoff.
    let log_text = read_log(&log);
    let retry_line = log_text
        .lines()
        .find(|line| line.contains("retrying Huawei Cloud API request"))
        .expect("the provider logged its retry");
    assert!(retry_line.contains("delay_ms=1000"), "{retry_line}");
    assert_secret_never_shown(SECRET_KEY, &apply, &log);
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_beyond_max_retries_fail_with_the_status_code_and_message() {
    let simulator = faulty_simulator(Faults {
        fail_first: vec![FailSpec {
            status: 500,
            count: 10,
            retry_after: None,
        }],
        ..Faults::default()
    })
    .await;
    let (workdir, log) = workdir_for(&simulator, "  max_retries = 2");

    let apply = try_apply(&workdir);

    apply.assert_failure();
    let message = flattened(&apply);
    for expected in [
        "Error: Huawei Cloud API error: HTTP 500 DBS.200001",
        "Internal server error.",
        "Attempts: 3",
        "(offset 0)",
    ] {
        assert!(message.contains(expected), "{expected:?} in {message}");
    }
    assert_eq!(
        page_outcomes(&simulator),
        vec![(0, 500, fault("fail-first 500")); 3],
        "the first attempt and max_retries = 2 retries"
    );
    assert_secret_never_shown(SECRET_KEY, &apply, &log);
}

/// A rejected signature is final: retrying it only counts towards locking the access key.
async fn assert_wrong_secret_key_fails_at_once(provider_settings: &str, rejected_path: &str) {
    let wrong_secret = "wrong-secret-Kp27dNq9-must-never-be-printed";
    let simulator = faulty_simulator(Faults::default()).await;
    let mut workdir = Workdir::new(&configuration(
        &provider_block_for(&simulator.base_url(), wrong_secret, provider_settings),
        &[("all", &arguments("auto", ""))],
    ));
    let log = workdir.debug_log();

    let apply = try_apply(&workdir);

    apply.assert_failure();
    let message = flattened(&apply);
    for expected in [
        "Error: Huawei Cloud API error: HTTP 401 APIG.0301",
        "Incorrect IAM authentication information",
        "Check that access_key and secret_key are correct",
        "The local clock must be within 15 minutes of the real time",
    ] {
        assert!(message.contains(expected), "{expected:?} in {message}");
    }
    let requests = simulator.requests();
    assert_eq!(requests.len(), 1, "exactly one request, never retried");
    assert_eq!(requests[0].path, rejected_path);
    assert_eq!(requests[0].status, 401);
    assert!(
        matches!(requests[0].signature, SignatureCheck::Invalid(_)),
        "{:?}",
        requests[0].signature
    );
    assert_secret_never_shown(wrong_secret, &apply, &log);
    assert_secret_never_shown(SECRET_KEY, &apply, &log);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_secret_key_fails_the_list_request_once_with_the_credentials_hint() {
    assert_wrong_secret_key_fails_at_once(
        &format!("  project_id = \"{DEFAULT_PROJECT_ID}\""),
        &read_support::offsite_path(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_secret_key_fails_the_project_lookup_once_with_the_credentials_hint() {
    assert_wrong_secret_key_fails_at_once("", "/v3/projects").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_fails_naming_the_page_offset() {
    let simulator = faulty_simulator(Faults {
        malformed_json_at_offset: Some(100),
        ..Faults::default()
    })
    .await;
    let (workdir, log) = workdir_for(&simulator, "");

    let apply = try_apply(&workdir);

    apply.assert_failure();
    let message = flattened(&apply);
    assert!(
        message.contains("Error: Huawei Cloud API error: could not decode page at offset 100"),
        "{message}"
    );
    assert!(
        page_outcomes(&simulator)
            .iter()
            .any(|outcome| *outcome == (100, 200, fault("malformed-json"))),
        "{:?}",
        page_outcomes(&simulator)
    );
    assert_secret_never_shown(SECRET_KEY, &apply, &log);
}

#[tokio::test(flavor = "multi_thread")]
async fn dropped_connection_is_retried_and_the_read_succeeds() {
    let Recovered {
        simulator,
        apply,
        log,
        _workdir,
    } = read_recovering_from(
        Faults {
            drop_connection_at_offset: Some((100, 1)),
            ..Faults::default()
        },
        "",
    )
    .await;
    let outcomes = page_outcomes(&simulator);
    let dropped = outcomes
        .iter()
        .position(|o| *o == (100, 0, fault("drop-connection")))
        .unwrap_or_else(|| panic!("no dropped connection in {outcomes:?}"));
    assert!(
        outcomes[dropped..].contains(&(100, 200, None)),
        "offset 100 retried after the drop: {outcomes:?}"
    );
    assert_eq!(outcomes.len(), 4, "{outcomes:?}");
    assert_eq!(successful_offsets(&simulator), expected_offsets(BACKUPS));
    assert_secret_never_shown(SECRET_KEY, &apply, &log);
}

/// A random (seeded) share of the answers fails with 503 and no Retry-After: every failed
/// page is retried with backoff until it succeeds.
#[tokio::test(flavor = "multi_thread")]
async fn a_fraction_of_failing_answers_is_retried_and_the_read_succeeds() {
    let Recovered {
        simulator,
        apply,
        log,
        _workdir,
    } = read_recovering_from(
        Faults {
            fail_fraction: Some((0.5, 503)),
            ..Faults::default()
        },
        "  max_retries = 20",
    )
    .await;
    let outcomes = page_outcomes(&simulator);
    let failed = outcomes
        .iter()
        .filter(|(_, status, _)| *status == 503)
        .count();
    assert!(
        failed > 0,
        "the seeded draw failed some answers: {outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .filter(|(_, status, _)| *status == 503)
            .all(|(_, _, label)| *label == fault("fail-fraction 503")),
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.len(),
        3 + failed,
        "one retry per failed answer: {outcomes:?}"
    );
    assert_eq!(successful_offsets(&simulator), expected_offsets(BACKUPS));
    assert_secret_never_shown(SECRET_KEY, &apply, &log);
}

/// A share of the answers is throttled with `Retry-After: 1`: the provider waits what the
/// server says before retrying.
#[tokio::test(flavor = "multi_thread")]
async fn a_fraction_of_throttled_answers_waits_for_retry_after() {
    let Recovered {
        simulator,
        apply,
        log,
        _workdir,
    } = read_recovering_from(
        Faults {
            fail_fraction: Some((0.5, 429)),
            fail_fraction_retry_after: Some(1),
            ..Faults::default()
        },
        "  max_retries = 20",
    )
    .await;
    assert!(
        page_outcomes(&simulator)
            .iter()
            .any(|(_, status, _)| *status == 429),
        "the seeded draw throttled some answers"
    );
    let log_text = read_log(&log);
    let retry_lines: Vec<&str> = log_text
        .lines()
        .filter(|line| line.contains("retrying Huawei Cloud API request"))
        .collect();
    assert!(!retry_lines.is_empty(), "the provider logged its retries");
    assert!(
        retry_lines
            .iter()
            .all(|line| line.contains("delay_ms=1000")),
        "{retry_lines:#?}"
    );
    assert_secret_never_shown(SECRET_KEY, &apply, &log);
}

/// A connection that drops every time exhausts the retries and fails naming the page.
#[tokio::test(flavor = "multi_thread")]
async fn connection_dropped_every_time_fails_after_the_retries() {
    let simulator = faulty_simulator(Faults {
        drop_connection_at_offset: Some((100, 100)),
        ..Faults::default()
    })
    .await;
    let (workdir, log) = workdir_for(&simulator, "  max_retries = 2");

    let apply = try_apply(&workdir);

    apply.assert_failure();
    let message = flattened(&apply);
    assert!(message.contains("offset 100"), "{message}");
    assert!(message.contains(&simulator.base_url()), "{message}");
    let drops = page_outcomes(&simulator)
        .into_iter()
        .filter(|outcome| *outcome == (100, 0, fault("drop-connection")))
        .count();
    assert_eq!(drops, 3, "the first attempt and max_retries = 2 retries");
    assert_secret_never_shown(SECRET_KEY, &apply, &log);
}

#[tokio::test(flavor = "multi_thread")]
async fn total_count_growing_during_the_read_warns_and_lists_each_backup_once() {
    let simulator = faulty_simulator(Faults {
        total_count_change: Some(TotalCountChange { inserted: 5 }),
        ..Faults::default()
    })
    .await;
    let (workdir, log) = workdir_for(&simulator, "");

    let apply = try_apply(&workdir);

    let state = state_after(&apply, &workdir);
    let message = flattened(&apply);
    assert!(
        message.contains("Warning: Backups changed during the read"),
        "{message}"
    );
    assert!(
        message.contains("total_count values seen: 250, 255"),
        "{message}"
    );
    let ids = listed_ids(&state);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no backup listed twice");
    // Pages after the first shifted by the 5 new backups; those were created after the first
    // page was read, so the list is exactly the backups that existed when the read began.
    assert_same_backups(&state["backups"], &expected_listing(&simulator));
    assert_eq!(state["total_count"], json!(BACKUPS));
    let mut offsets: Vec<u64> = offsite_requests(&simulator).iter().map(offset_of).collect();
    offsets.sort_unstable();
    assert_eq!(offsets, expected_offsets(BACKUPS + 5));
    assert_secret_never_shown(SECRET_KEY, &apply, &log);
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_answers_are_waited_for() {
    let Recovered {
        simulator,
        apply,
        log,
        _workdir,
    } = read_recovering_from(
        Faults {
            latency: Duration::from_millis(20),
            ..Faults::default()
        },
        "",
    )
    .await;
    assert_eq!(successful_offsets(&simulator), expected_offsets(BACKUPS));
    assert_eq!(
        page_outcomes(&simulator).len(),
        expected_offsets(BACKUPS).len()
    );
    assert_secret_never_shown(SECRET_KEY, &apply, &log);
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_endpoint_fails_naming_the_endpoint() {
    // A port that was just free and is closed again: connections are refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let endpoint = format!("http://{}", closed.local_addr().expect("local address"));
    drop(closed);
    let mut workdir = Workdir::new(&configuration(
        &provider_block_for(&endpoint, SECRET_KEY, "  max_retries = 1"),
        &[("all", &arguments("auto", ""))],
    ));
    let log = workdir.debug_log();

    let apply = try_apply(&workdir);

    apply.assert_failure();
    let message = flattened(&apply);
    assert!(
        message.contains(&format!(
            "Error: Could not reach the Huawei Cloud API at {endpoint}"
        )),
        "{message}"
    );
    assert!(message.contains("Attempts: 2"), "{message}");
    assert_secret_never_shown(SECRET_KEY, &apply, &log);
}

mod cancellation {
    //! Ctrl-C while a read waits on an API that never answers: Terraform asks the provider to
    //! stop (StopProvider), the provider abandons the request, and Terraform exits.
    //!
    //! The command is `terraform plan`, where data sources are read. `terraform apply` (without
    //! a saved plan) runs its own planning phase without watching for interrupts: Terraform
    //! 1.11 and 1.15 print "Interrupt received" but never send StopProvider then, and the read
    //! only ends when the request does.
    //!
    //! The API here is a bare TCP listener that reads the request and never answers, so the
    //! test knows exactly when the request is in flight (a simulator logs a request only once
    //! it is answered). Were cancellation broken, the request would end by the client's
    //! 60-second timeout instead, with a "timed out" error that the assertions reject.

    use std::io::Read;
    use std::net::{TcpListener, TcpStream};
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc::{self, Receiver, Sender};
    use std::thread;
    use std::time::{Duration, Instant};

    use super::*;

    /// A safety net, not an assertion: how long to wait for something that should happen,
    /// before failing instead of hanging the suite.
    const HANG_GUARD: Duration = Duration::from_secs(300);

    /// What the stalling endpoint saw.
    enum Event {
        /// A request arrived; its request line.
        Request(String),
        /// The client closed a connection.
        Closed,
    }

    /// Accepts connections, reads each request head, reports it, and never answers.
    fn stalling_endpoint() -> (String, Receiver<Event>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the stalling endpoint");
        let endpoint = format!("http://{}", listener.local_addr().expect("local address"));
        let (events, received) = mpsc::channel();
        // The accept loop lives as long as the test binary; it holds nothing else.
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let events = events.clone();
                thread::spawn(move || stall(stream, &events));
            }
        });
        (endpoint, received)
    }

    fn stall(mut stream: TcpStream, events: &Sender<Event>) {
        let mut head = Vec::new();
        let mut buffer = [0u8; 4096];
        let mut reported = false;
        loop {
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buffer[..n]),
            }
            if !reported && head.windows(4).any(|w| w == b"\r\n\r\n") {
                let text = String::from_utf8_lossy(&head);
                let line = text.lines().next().unwrap_or_default().to_owned();
                let _ = events.send(Event::Request(line));
                reported = true;
            }
        }
        let _ = events.send(Event::Closed);
    }

    /// `terraform plan` started in `workdir` in the background, in the harness's clean
    /// environment, with stdout and stderr captured in files.
    fn spawn_plan(workdir: &Workdir, log: &Path) -> Child {
        let harness = workdir.path().join(".cancel");
        std::fs::create_dir_all(&harness).expect("create the capture directory");
        let stdout = std::fs::File::create(harness.join("stdout")).expect("create stdout file");
        let stderr = std::fs::File::create(harness.join("stderr")).expect("create stderr file");
        let mut command = workdir.command(&["plan", "-input=false"]);
        command
            .env("TF_LOG", "TRACE")
            .env("TF_LOG_PATH", log)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr);
        command.spawn().expect("start terraform plan")
    }

    fn captured(workdir: &Workdir, stream: &str) -> String {
        std::fs::read_to_string(workdir.path().join(".cancel").join(stream)).unwrap_or_default()
    }

    /// Waits for the child to exit; kills it and fails when it outlives the hang guard.
    fn wait_for_exit(child: &mut Child, workdir: &Workdir) -> i32 {
        let started = Instant::now();
        loop {
            match child.try_wait().expect("wait for terraform") {
                Some(status) => return status.code().unwrap_or(-1),
                None if started.elapsed() < HANG_GUARD => {
                    thread::sleep(Duration::from_millis(50));
                }
                None => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "terraform did not exit after SIGINT\n--- stdout ---\n{}\n--- stderr \
                         ---\n{}",
                        captured(workdir, "stdout"),
                        captured(workdir, "stderr")
                    );
                }
            }
        }
    }

    #[test]
    fn interrupt_stops_a_read_waiting_on_a_stalled_api() {
        let (endpoint, events) = stalling_endpoint();
        let workdir = Workdir::new(&configuration(
            &provider_block_for(
                &endpoint,
                SECRET_KEY,
                &format!("  project_id  = \"{DEFAULT_PROJECT_ID}\"\n  max_retries = 0"),
            ),
            &[("all", &arguments("auto", ""))],
        ));
        let log = workdir.path().join(".cancel-terraform.log");
        let mut terraform = spawn_plan(&workdir, &log);

        let request = match events.recv_timeout(HANG_GUARD) {
            Ok(Event::Request(line)) => line,
            Ok(Event::Closed) | Err(_) => {
                let _ = terraform.kill();
                let _ = terraform.wait();
                panic!(
                    "no request reached the endpoint\n--- stdout ---\n{}\n--- stderr ---\n{}",
                    captured(&workdir, "stdout"),
                    captured(&workdir, "stderr")
                );
            }
        };
        assert!(
            request.starts_with(&format!("GET {}", read_support::offsite_path())),
            "{request}"
        );
        let interrupted = Command::new("kill")
            .args(["-INT", &terraform.id().to_string()])
            .status()
            .expect("run kill");
        assert!(interrupted.success(), "kill -INT failed");
        let status = wait_for_exit(&mut terraform, &workdir);

        let output = RunOutput {
            command: "plan (interrupted)".to_owned(),
            status,
            stdout: captured(&workdir, "stdout"),
            stderr: captured(&workdir, "stderr"),
        };
        output.assert_failure();
        let message = flattened(&output);
        assert!(message.contains("Interrupt received"), "{message}");
        assert!(
            message.contains(
                "Error: Huawei Cloud request cancelled with data.rds_offsite_backups.all"
            ),
            "{message}"
        );
        assert!(!message.contains("timed out"), "{message}");
        let log_text = read_log(&log);
        assert!(
            log_text.contains("tf_rpc=StopProvider"),
            "Terraform asked the provider to stop"
        );
        assert!(
            matches!(events.recv_timeout(HANG_GUARD), Ok(Event::Closed)),
            "the abandoned request's connection was closed"
        );
        assert_secret_never_shown(SECRET_KEY, &output, &log);
    }
}
