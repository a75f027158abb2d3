//! Acceptance tests: answers and requests beyond what this API or HTTP can carry are reported
//! under a real Terraform as what they are, never as "Could not reach ... check the network".

#[path = "support/read.rs"]
mod read_support;
mod support;

use rds_simulator::{Engine, Faults, Simulator};
use read_support::{
    arguments, configuration, dataset, flattened, offsite_requests, provider_block,
    simulator_config, start, try_apply,
};
use support::{RunOutput, Workdir};

async fn simulator_with(faults: Faults) -> Simulator {
    start(simulator_config(dataset(Engine::MySql, 5, 0), faults)).await
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
async fn an_instance_id_too_long_for_a_url_is_named() {
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
    // Either reported by validation or by the client before sending: both name instance_id.
    assert!(flat.contains("instance_id"), "{flat}");
    assert!(
        !flat.contains(&"i".repeat(1000)),
        "the value is not quoted back whole"
    );
    assert!(offsite_requests(&simulator).is_empty(), "nothing was sent");
}
