//! Acceptance tests: answers and requests beyond what this API or HTTP can carry are reported
//! under a real Terraform as what they are, never as "Could not reach ... check the network".

#[path = "support/read.rs"]
mod read_support;
mod support;

use rds_simulator::{Engine, Faults, Simulator};
use read_support::{
    arguments, configuration, dataset, flattened, offsite_requests, provider_block, scenario,
    start, try_apply,
};
use support::{RunOutput, Workdir};

async fn simulator_with(faults: Faults) -> Simulator {
    start(scenario(dataset(Engine::MySql, 5, 0), faults)).await
}

#[track_caller]
fn assert_not_called_a_network_problem(output: &RunOutput) {
    let flat = flattened(output);
    assert!(!flat.contains("Could not reach"), "{flat}");
    assert!(!flat.contains("the network"), "{flat}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversize_answer_is_reported_as_too_large() {
    let simulator = simulator_with(Faults {
        pad_pages_to: Some(33 << 20),
        ..Faults::default()
    })
    .await;
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &[("all", &arguments("auto", ""))],
    ));
    let output = try_apply(&workdir);
    output.assert_failure();
    assert_not_called_a_network_problem(&output);
    let flat = flattened(&output);
    assert!(
        flat.contains("Error: Huawei Cloud API response too large"),
        "{flat}"
    );
    assert!(
        flat.contains("The response body (HTTP 200) exceeds 32 MiB"),
        "{flat}"
    );
    assert_eq!(offsite_requests(&simulator).len(), 1, "not retried");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_70000_character_instance_id_is_refused_before_any_request() {
    let simulator = simulator_with(Faults::default()).await;
    let instance_id = "i".repeat(70_000);
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator, ""),
        &[(
            "all",
            format!("  instance_id = \"{instance_id}\"\n  backup_type = \"auto\"\n"),
        )],
    ));
    let output = try_apply(&workdir);
    output.assert_failure();
    assert_not_called_a_network_problem(&output);
    let flat = flattened(&output);
    // Longer than any ID the API issues: refused by validation, at the attribute, before
    // anything is sent (a client-side URL-length check stands behind it).
    let shown: String = flat.chars().take(2000).collect();
    assert!(flat.contains("Error: Invalid instance_id"), "{shown}");
    assert!(flat.contains("IDs have at most 64 characters"), "{shown}");
    // Terraform itself shows the configuration line in its snippet; our messages must not
    // add the value again.
    let ours: String = output
        .combined()
        .lines()
        .filter(|line| !is_source_snippet(line))
        .collect();
    assert!(
        !ours.contains(&"i".repeat(1000)),
        "the value is quoted back outside Terraform's source snippet"
    );
    assert!(offsite_requests(&simulator).is_empty(), "nothing was sent");
}

/// A line of Terraform's configuration snippet in a diagnostic, e.g. `│   4:   instance_id = "..."`.
fn is_source_snippet(line: &str) -> bool {
    let rest = line.trim_start_matches(['│', ' ']);
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && rest[digits..].starts_with(':')
}
