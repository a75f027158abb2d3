//! `terraform test` on the module `examples/restore-point`: its mocked tests (Terraform's
//! `mock_provider` loads the real provider's schema and runs its validation, with no
//! credentials and no network) and its tests against the simulator.
//!
//! Always run with the pinned Terraform (`support::pinned_terraform`, 1.15.5), not the one
//! `TF_ACC_TERRAFORM_PATH` chooses: mock providers need Terraform 1.7 and variable blocks in
//! test files a recent one, and these tests must never skip.

mod support;

use std::fs;
use std::path::Path;

use rds_simulator::{
    Backup, DEFAULT_ACCESS_KEY, DEFAULT_REGION, DEFAULT_SECRET_KEY, DEMO_MYSQL_INSTANCE_ID, Query,
    Scenario, Simulator, parse_api_time,
};
use support::{RunOutput, Terraform, Workdir, pinned_terraform};

/// `terraform test` with mock providers appeared in Terraform 1.7.
const MOCKS_NEED: (u64, u64, u64) = (1, 7, 0);

fn terraform() -> &'static Terraform {
    pinned_terraform(MOCKS_NEED)
}

/// A workdir holding a copy of `examples/restore-point`: its `.tf` files and `tests/`.
fn module_workdir() -> Workdir {
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/restore-point");
    let workdir = Workdir::new("");
    fs::remove_file(workdir.path().join("main.tf")).expect("remove the empty main.tf");
    fs::create_dir(workdir.path().join("tests")).expect("create tests/");
    for relative in [
        "main.tf",
        "providers.tf",
        "tests/mocked.tftest.hcl",
        "tests/simulator.tftest.hcl",
    ] {
        let text = fs::read_to_string(module.join(relative))
            .unwrap_or_else(|err| panic!("read examples/restore-point/{relative}: {err}"));
        workdir.write(relative, &text);
    }
    workdir
}

/// An in-process simulator serving the demo data, and the runtime that drives it.
struct Running {
    simulator: Simulator,
    _runtime: tokio::runtime::Runtime,
}

fn start_simulator() -> Running {
    let runtime = tokio::runtime::Runtime::new().expect("start a tokio runtime");
    let simulator = runtime
        .block_on(Simulator::start(Scenario::default()))
        .expect("start the simulator");
    Running {
        simulator,
        _runtime: runtime,
    }
}

/// `terraform test` of one test file.
fn run_test_file(workdir: &Workdir, file: &str) -> RunOutput {
    workdir.run_with(terraform(), &["test", &format!("-filter=tests/{file}")])
}

/// Terraform's output folded to single spaces, so assertions do not depend on line wrapping.
fn flattened(output: &RunOutput) -> String {
    output
        .combined()
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The mocked workdir: no `HW_*` credentials at all, and the endpoint pointed at a simulator
/// only so that any request the mocks failed to stop would be seen (and could never reach a
/// real cloud address).
fn mocked_workdir(running: &Running) -> Workdir {
    let mut workdir = module_workdir();
    workdir.env("TF_VAR_rds_endpoint", running.simulator.base_url());
    workdir
}

#[test]
fn mocked_tests_pass_with_no_credentials_and_no_request() {
    let running = start_simulator();
    let workdir = mocked_workdir(&running);

    let output = run_test_file(&workdir, "mocked.tftest.hcl");

    output.assert_success();
    let text = flattened(&output);
    for run in ["newest_completed_backup", "no_completed_backup"] {
        assert!(text.contains(&format!("run \"{run}\"... pass")), "{text}");
    }
    assert!(text.contains("Success! 2 passed, 0 failed."), "{text}");
    let requests = running.simulator.requests();
    assert!(requests.is_empty(), "the mocks made requests: {requests:?}");
}

#[test]
fn mocked_provider_runs_the_providers_validation() {
    let running = start_simulator();
    let workdir = mocked_workdir(&running);
    // Not in the example (a failing run would fail its `terraform test`): `expect_failures`
    // catches custom conditions only, not a provider's diagnostics.
    workdir.write(
        "tests/invalid.tftest.hcl",
        r#"
mock_provider "rds" {}

run "invalid_backup_type" {
  command = plan

  variables {
    instance_id = "a48e43ff268f4c0e879652d65e63d0fbin01"
    backup_type = "full"
  }
}
"#,
    );

    let output = run_test_file(&workdir, "invalid.tftest.hcl");

    output.assert_failure();
    let text = flattened(&output);
    assert!(
        text.contains("run \"invalid_backup_type\"... fail"),
        "{text}"
    );
    assert!(text.contains("Error: Invalid backup_type"), "{text}");
    assert!(
        text.contains(r#"backup_type must be one of "auto", "incremental"; got "full"."#),
        "{text}"
    );
    assert!(text.contains("backup_type = var.backup_type"), "{text}");
    let requests = running.simulator.requests();
    assert!(requests.is_empty(), "the mocks made requests: {requests:?}");
}

/// The newest completed automated backup of the demo MySQL instance, from the simulator's
/// own data (the start instant decides, as `most_recent = true` does).
fn newest_completed(running: &Running) -> Backup {
    running
        .simulator
        .dataset()
        .query(&Query::new(DEMO_MYSQL_INSTANCE_ID, "auto"))
        .into_iter()
        .filter(|backup| backup.status == "COMPLETED")
        .max_by_key(|backup| parse_api_time(&backup.begin_time).expect("simulator times parse"))
        .expect("the demo instance has completed backups")
        .clone()
}

fn simulator_workdir(running: &Running, expected_backup_id: &str) -> Workdir {
    let mut workdir = module_workdir();
    workdir
        .env("HW_REGION_NAME", DEFAULT_REGION)
        .env("HW_ACCESS_KEY", DEFAULT_ACCESS_KEY)
        .env("HW_SECRET_KEY", DEFAULT_SECRET_KEY)
        .env("TF_VAR_rds_endpoint", running.simulator.base_url())
        .env("TF_VAR_expected_backup_id", expected_backup_id);
    workdir
}

#[test]
fn simulator_tests_pass_on_the_simulators_data() {
    let running = start_simulator();
    let expected = newest_completed(&running);
    let workdir = simulator_workdir(&running, &expected.id);

    let output = run_test_file(&workdir, "simulator.tftest.hcl");

    output.assert_success();
    let text = flattened(&output);
    for run in [
        "reads_the_newest_completed_backup",
        "an_instance_without_backups_has_no_restore_point",
    ] {
        assert!(text.contains(&format!("run \"{run}\"... pass")), "{text}");
    }
    assert!(text.contains("Success! 2 passed, 0 failed."), "{text}");
    // Both runs read the simulator: the demo instance and the one without backups.
    let listed: Vec<String> = running
        .simulator
        .requests()
        .iter()
        .filter(|record| record.path.ends_with("/offsite-backups"))
        .filter_map(|record| record.query_value("instance_id").map(str::to_owned))
        .collect();
    assert!(
        listed.iter().any(|id| id == DEMO_MYSQL_INSTANCE_ID),
        "{listed:?}"
    );
    assert!(
        listed
            .iter()
            .any(|id| id == "00000000000000000000000000000000in01"),
        "{listed:?}"
    );
}

#[test]
fn simulator_tests_fail_when_the_module_disagrees_with_the_data() {
    let running = start_simulator();
    let expected = newest_completed(&running);
    let workdir = simulator_workdir(&running, "not-the-newest-backup");

    let output = run_test_file(&workdir, "simulator.tftest.hcl");

    output.assert_failure();
    let text = flattened(&output);
    assert!(
        text.contains("run \"reads_the_newest_completed_backup\"... fail"),
        "{text}"
    );
    assert!(
        text.contains("backup_id is not the newest completed backup the simulator holds."),
        "{text}"
    );
    // Terraform's diff names the value the module found: the simulator's newest.
    assert!(text.contains(&format!("\"{}\"", expected.id)), "{text}");
}
