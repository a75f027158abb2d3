//! Acceptance tests of the KooCLI profile settings under a real Terraform: a provider block
//! that sets only `shared_config_file` and `profile` (plus the simulator's endpoints) reads
//! `rds_offsite_backups` with the profile's keys and region, and a missing profile fails with
//! an error naming the file and the profile, never a key.

#[path = "support/read.rs"]
mod read_support;
mod support;

use rds_simulator::{DEFAULT_ACCESS_KEY, DEFAULT_REGION, DEFAULT_SECRET_KEY, Engine, Faults};
use read_support::{
    apply, arguments, configuration, dataset, listed_ids, scenario, start, try_apply,
};
use support::Workdir;

/// A KooCLI file whose current profile `other` has no keys, and whose profile `sim` holds the
/// simulator's credentials and region.
fn profile_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("config.json");
    let text = serde_json::json!({
        "current": "other",
        "profiles": [
            {"name": "other", "mode": "AKSK", "accessKeyId": "", "secretAccessKey": ""},
            {"name": "sim", "mode": "AKSK", "accessKeyId": DEFAULT_ACCESS_KEY,
             "secretAccessKey": DEFAULT_SECRET_KEY, "region": DEFAULT_REGION},
        ]
    });
    std::fs::write(&path, text.to_string()).expect("write the profile file");
    path
}

fn provider_block(base_url: &str, file: &std::path::Path, profile: &str) -> String {
    format!(
        r#"
provider "rds" {{
  shared_config_file = "{}"
  profile            = "{profile}"
  endpoints = {{
    rds = "{base_url}"
    iam = "{base_url}"
  }}
}}
"#,
        file.display()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_alone_authenticates_a_read() {
    let mut world = scenario(dataset(Engine::MySql, 3, 0), Faults::default());
    world.access_key = DEFAULT_ACCESS_KEY.to_owned();
    world.secret_key = DEFAULT_SECRET_KEY.to_owned();
    let simulator = start(world).await;
    let dir = tempfile::tempdir().unwrap();
    let file = profile_file(dir.path());
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator.base_url(), &file, "sim"),
        &[("all", arguments("auto", ""))],
    ));
    let states = apply(&workdir);
    assert_eq!(listed_ids(&states["all"]).len(), 3, "{states:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_profile_names_the_file_and_the_profile() {
    let simulator = start(scenario(dataset(Engine::MySql, 1, 0), Faults::default())).await;
    let dir = tempfile::tempdir().unwrap();
    let file = profile_file(dir.path());
    let workdir = Workdir::new(&configuration(
        &provider_block(&simulator.base_url(), &file, "prod"),
        &[("all", arguments("auto", ""))],
    ));
    let run = try_apply(&workdir);
    run.assert_failure();
    let output = run.combined();
    assert!(output.contains("Unusable profile"), "{output}");
    assert!(output.contains("\"prod\""), "{output}");
    assert!(output.contains(&file.display().to_string()), "{output}");
    // At the attribute: Terraform quotes the provider block's line.
    assert!(output.contains("profile            = \"prod\""), "{output}");
    assert!(!output.contains(DEFAULT_SECRET_KEY), "{output}");
    assert!(
        simulator.requests().is_empty(),
        "no request without credentials"
    );
}
