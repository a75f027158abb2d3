//! Acceptance test of the provider process's lifetime under a real Terraform: when Terraform
//! is killed in the middle of a read, the provider it started exits too, and whoever captures
//! Terraform's output sees it end (the CI job that pipes `terraform plan` into a log does not
//! hang on a provider that lingers).

#[path = "support/read.rs"]
mod read_support;
mod support;

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use rds_simulator::{Engine, Faults};
use read_support::{arguments, blocking, configuration, dataset, provider_block, scenario, start};
use rustix::process::{Pid, WaitOptions, getpid, set_child_subreaper, waitpid};
use support::{Workdir, provider_binary};

/// So long that the read is still waiting for the API when Terraform is killed.
const API_LATENCY: Duration = Duration::from_secs(120);
/// Bounds on waits, so that a failure cannot hang the suite; never asserted as durations.
const GENEROUS: Duration = Duration::from_secs(60);
const EXIT_BOUND: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread")]
async fn killing_terraform_mid_read_ends_the_provider_and_terraforms_output() {
    // The provider, orphaned when Terraform dies, is re-parented to this test process instead
    // of pid 1, so that its exit status can be read and it cannot linger unseen.
    set_child_subreaper(Some(getpid())).expect("become a child subreaper");
    let simulator = start(scenario(
        dataset(Engine::MySql, 10, 0),
        Faults {
            latency: API_LATENCY,
            ..Faults::default()
        },
    ))
    .await;
    let mut workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &[("all", &arguments("auto", ""))],
    ));
    let log = workdir.debug_log();

    let mut terraform = workdir
        .command(&["plan", "-input=false"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start terraform plan");
    let stdout_end = end_of(terraform.stdout.take().expect("stdout"));
    let stderr_end = end_of(terraform.stderr.take().expect("stderr"));
    let terraform_pid = terraform.id();

    // Terraform has sent the read, which now waits for the slow API.
    blocking(|| {
        wait_until(GENEROUS, "Terraform to send ReadDataSource", || {
            fs::read_to_string(&log).is_ok_and(|text| text.contains("ReadDataSource"))
        })
    });
    let providers = providers_started_by(terraform_pid);
    assert!(
        !providers.is_empty(),
        "no provider process is a child of Terraform ({terraform_pid})"
    );

    terraform.kill().expect("SIGKILL terraform");
    terraform.wait().expect("reap terraform");

    let mut orphans = 0;
    for provider in providers {
        // None: an instance that was already ending (Terraform starts one per phase) and that
        // Terraform reaped itself before it died.
        if let Some(status) = blocking(|| wait_for_exit(provider)) {
            orphans += 1;
            assert_eq!(
                status.exit_status(),
                Some(0),
                "provider {provider:?} ends gracefully, as on SIGTERM: {status:?}"
            );
        }
    }
    assert!(
        orphans > 0,
        "the provider serving the read was orphaned and has exited"
    );
    for (name, end) in [("stdout", stdout_end), ("stderr", stderr_end)] {
        end.recv_timeout(EXIT_BOUND).unwrap_or_else(|_| {
            panic!("Terraform's {name} pipe is still open: something holds it")
        });
    }
    drop(simulator);
}

/// A channel that receives once `stream` reaches end of file.
fn end_of(mut stream: impl Read + Send + 'static) -> mpsc::Receiver<()> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut sink = Vec::new();
        if stream.read_to_end(&mut sink).is_ok() {
            let _ = sender.send(());
        }
    });
    receiver
}

#[track_caller]
fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        thread::sleep(Duration::from_millis(50));
    }
}

/// The running children of `parent` whose executable is the provider under test.
fn providers_started_by(parent: u32) -> Vec<Pid> {
    let binary = fs::canonicalize(provider_binary()).expect("provider binary");
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let is_child = parent_of(&entry.path()) == Some(parent);
        let is_provider = fs::read_link(entry.path().join("exe")).is_ok_and(|exe| exe == binary);
        if is_child && is_provider {
            found.extend(Pid::from_raw(pid));
        }
    }
    found
}

/// The parent pid in `/proc/<pid>/stat` (the field after the parenthesised command name,
/// which may itself contain spaces and parentheses, and the state).
fn parent_of(proc_dir: &Path) -> Option<u32> {
    let stat = fs::read_to_string(proc_dir.join("stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// Waits for `provider` (re-parented to this subreaper) to exit, killing it after
/// [`EXIT_BOUND`] so that the failure does not leave it running. `None` when it is not this
/// process's child: Terraform reaped it before dying, so it is gone already.
fn wait_for_exit(provider: Pid) -> Option<rustix::process::WaitStatus> {
    let started = Instant::now();
    let deadline = started + EXIT_BOUND;
    loop {
        match waitpid(Some(provider), WaitOptions::NOHANG) {
            Ok(Some((_, status))) => {
                // A figure for notes (`--nocapture`), never an assertion: machines are noisy.
                eprintln!(
                    "provider {provider:?} exited {} ms after Terraform was killed",
                    started.elapsed().as_millis()
                );
                return Some(status);
            }
            Err(rustix::io::Errno::CHILD) => return None,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = rustix::process::kill_process(provider, rustix::process::Signal::KILL);
                panic!(
                    "provider {provider:?} still runs {EXIT_BOUND:?} after Terraform was killed"
                );
            }
            Err(error) => panic!("waitpid({provider:?}): {error}"),
        }
    }
}
