//! Acceptance tests of the credential chain under a real Terraform, against the simulator's
//! IAM `securitytokens` route and ECS metadata service over loopback HTTP: each source alone,
//! the precedence between them, `assume_role` on top of each base, refresh of short-lived
//! credentials in the middle of a long read, the 401 path, the "nothing found" error, bad
//! profile files, and validation of the new settings at `terraform validate`.

#[path = "support/protocol.rs"]
mod protocol;
#[path = "support/read.rs"]
mod read_support;
mod support;

use std::time::Duration;

use rds_simulator::{
    Agency, CredentialKind, DEFAULT_AGENCY_DOMAIN_ID, DEFAULT_AGENCY_DOMAIN_NAME,
    DEFAULT_AGENCY_NAME, Engine, Faults, MetadataRoute, Scenario, Simulator,
};
use read_support::{
    ACCESS_KEY, SECRET_KEY, apply, arguments, blocking, configuration, dataset, listed_ids,
    scenario, start, try_apply,
};
use support::Workdir;

/// The region the tests read (the simulator's backup region).
const REGION: &str = "cn-north-4";

/// A scenario with `backups` automated backups, the default agency assumable by anyone, and
/// the metadata service on.
fn world(backups: usize) -> Scenario {
    Scenario {
        agencies: vec![Agency::default()],
        metadata_enabled: true,
        ..scenario(dataset(Engine::MySql, backups, 0), Faults::default())
    }
}

/// A provider block with the simulator's endpoints, `region` and `extra` lines; no keys.
fn provider(simulator: &Simulator, extra: &str) -> String {
    let base = simulator.base_url();
    format!(
        r#"
provider "rds" {{
  region = "{REGION}"
  endpoints = {{
    rds = "{base}"
    iam = "{base}"
  }}
{extra}
}}
"#
    )
}

fn new_workdir(simulator: &Simulator, extra: &str, reads: usize) -> Workdir {
    let sources: Vec<(String, String)> = (0..reads)
        .map(|i| (format!("read{i}"), arguments("auto", "")))
        .collect();
    let sources: Vec<(&str, &str)> = sources
        .iter()
        .map(|(n, a)| (n.as_str(), a.as_str()))
        .collect();
    Workdir::new(&configuration(&provider(simulator, extra), &sources))
}

fn with_keys(workdir: &mut Workdir) {
    workdir.env("HW_ACCESS_KEY", ACCESS_KEY);
    workdir.env("HW_SECRET_KEY", SECRET_KEY);
}

const ASSUME_DEFAULT_AGENCY: &str = r#"
  assume_role {
    agency_name = "rds_dr_reader"
    domain_name = "backup-account"
  }
"#;

/// The kinds of key that signed the RDS requests (not IAM, not metadata).
fn rds_signers(simulator: &Simulator) -> Vec<Option<CredentialKind>> {
    simulator
        .requests()
        .iter()
        .filter(|r| r.path.contains("offsite-backups"))
        .map(|r| r.credential)
        .collect()
}

fn successful_assumes(simulator: &Simulator) -> usize {
    simulator
        .assume_role_calls()
        .iter()
        .filter(|c| c.status == 201)
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn assume_role_on_explicit_keys_signs_every_read_with_the_agencys_keys() {
    assert_eq!(DEFAULT_AGENCY_NAME, "rds_dr_reader");
    assert_eq!(DEFAULT_AGENCY_DOMAIN_NAME, "backup-account");
    let simulator = start(world(3)).await;
    let mut workdir = new_workdir(&simulator, ASSUME_DEFAULT_AGENCY, 1);
    with_keys(&mut workdir);
    let states = apply(&workdir);
    assert_eq!(listed_ids(&states["read0"]).len(), 3, "{states:#}");
    let calls = simulator.assume_role_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0];
    assert_eq!(call.status, 201);
    assert_eq!(call.signed_with, Some(CredentialKind::Permanent));
    assert_eq!(call.agency_name.as_deref(), Some(DEFAULT_AGENCY_NAME));
    assert_eq!(
        call.domain_name.as_deref(),
        Some(DEFAULT_AGENCY_DOMAIN_NAME)
    );
    assert_eq!(call.domain_id, None);
    // Always sent, and the documented default (IAM's own would be 900).
    assert_eq!(call.duration_seconds, Some(3600));
    let signers = rds_signers(&simulator);
    assert!(!signers.is_empty());
    assert!(
        signers.iter().all(|k| *k == Some(CredentialKind::Assumed)),
        "{signers:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn assume_role_from_variables_alone_with_domain_id_and_duration() {
    let simulator = start(world(2)).await;
    let mut workdir = new_workdir(&simulator, "", 1);
    with_keys(&mut workdir);
    workdir.env("HW_ASSUME_ROLE_AGENCY_NAME", DEFAULT_AGENCY_NAME);
    workdir.env("HW_ASSUME_ROLE_DOMAIN_ID", DEFAULT_AGENCY_DOMAIN_ID);
    workdir.env("HW_ASSUME_ROLE_DURATION", "7200");
    let states = apply(&workdir);
    assert_eq!(listed_ids(&states["read0"]).len(), 2);
    let calls = simulator.assume_role_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        calls[0].domain_id.as_deref(),
        Some(DEFAULT_AGENCY_DOMAIN_ID)
    );
    assert_eq!(calls[0].domain_name, None);
    assert_eq!(calls[0].duration_seconds, Some(7200));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_agency_fails_the_read_naming_it() {
    let simulator = start(world(1)).await;
    let mut workdir = new_workdir(
        &simulator,
        r#"
  assume_role {
    agency_name = "no_such_agency"
    domain_name = "backup-account"
  }
"#,
        1,
    );
    with_keys(&mut workdir);
    let run = try_apply(&workdir);
    run.assert_failure();
    let output = run.combined();
    assert!(output.contains("no_such_agency"), "{output}");
    assert!(output.contains("403"), "{output}");
    assert!(!output.contains(SECRET_KEY), "{output}");
    assert!(
        rds_signers(&simulator).is_empty(),
        "no RDS request without keys"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ecs_metadata_alone_and_with_assume_role_on_top() {
    let simulator = start(world(2)).await;
    let mut workdir = new_workdir(&simulator, "  use_ecs_metadata = true\n", 1);
    workdir.env("HW_ECS_METADATA_ENDPOINT", simulator.base_url());
    let states = apply(&workdir);
    assert_eq!(listed_ids(&states["read0"]).len(), 2);
    let calls = simulator.metadata_calls();
    let routes: Vec<MetadataRoute> = calls.iter().map(|c| c.route).collect();
    assert_eq!(
        routes,
        [MetadataRoute::Token, MetadataRoute::SecurityKey],
        "{calls:?}"
    );
    assert!(calls[0].ttl_seconds.is_some(), "{calls:?}");
    assert!(calls[1].with_token, "{calls:?}");
    let signers = rds_signers(&simulator);
    assert!(
        signers.iter().all(|k| *k == Some(CredentialKind::Metadata)),
        "{signers:?}"
    );

    let simulator = start(world(2)).await;
    let mut workdir = new_workdir(
        &simulator,
        &format!("  use_ecs_metadata = true\n{ASSUME_DEFAULT_AGENCY}"),
        1,
    );
    workdir.env("HW_ECS_METADATA_ENDPOINT", simulator.base_url());
    apply(&workdir);
    let calls = simulator.assume_role_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].signed_with, Some(CredentialKind::Metadata));
    let signers = rds_signers(&simulator);
    assert!(
        signers.iter().all(|k| *k == Some(CredentialKind::Assumed)),
        "{signers:?}"
    );
}

/// A KooCLI file: `keys` holds the tests' keys, `agency` the same keys plus an agency.
fn profile_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("config.json");
    let text = serde_json::json!({
        "current": "keys",
        "profiles": [
            {"name": "keys", "mode": "AKSK", "accessKeyId": ACCESS_KEY,
             "secretAccessKey": SECRET_KEY, "region": REGION},
            {"name": "agency", "mode": "AKSK", "accessKeyId": ACCESS_KEY,
             "secretAccessKey": SECRET_KEY, "region": REGION,
             "agencyName": DEFAULT_AGENCY_NAME, "agencyDomainName": DEFAULT_AGENCY_DOMAIN_NAME},
            {"name": "nokeys", "mode": "AKSK", "accessKeyId": "", "secretAccessKey": ""},
            {"name": "other", "mode": "AKSK", "accessKeyId": "PROFILEAKNOTSIM",
             "secretAccessKey": "profile-secret-the-simulator-refuses", "region": REGION},
        ]
    });
    std::fs::write(&path, text.to_string()).expect("write the profile file");
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn assume_role_on_a_profile_from_the_block_or_the_profiles_agency() {
    let dir = tempfile::tempdir().unwrap();
    let file = profile_file(dir.path());
    for (profile, extra) in [("keys", ASSUME_DEFAULT_AGENCY), ("agency", "")] {
        let simulator = start(world(2)).await;
        let mut workdir = new_workdir(&simulator, extra, 1);
        workdir.env("HW_SHARED_CONFIG_FILE", &file);
        workdir.env("HW_PROFILE", profile);
        let states = apply(&workdir);
        assert_eq!(listed_ids(&states["read0"]).len(), 2, "{profile}");
        let calls = simulator.assume_role_calls();
        assert_eq!(calls.len(), 1, "{profile}: {calls:?}");
        assert_eq!(calls[0].signed_with, Some(CredentialKind::Permanent));
        let signers = rds_signers(&simulator);
        assert!(
            signers.iter().all(|k| *k == Some(CredentialKind::Assumed)),
            "{profile}: {signers:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn explicit_keys_win_over_the_profile_and_metadata_is_never_asked() {
    let dir = tempfile::tempdir().unwrap();
    let file = profile_file(dir.path());
    let simulator = start(world(2)).await;
    let mut workdir = new_workdir(&simulator, "  use_ecs_metadata = true\n", 1);
    with_keys(&mut workdir);
    // The profile's keys are other keys, which the simulator would refuse.
    workdir.env("HW_SHARED_CONFIG_FILE", &file);
    workdir.env("HW_PROFILE", "other");
    workdir.env("HW_ECS_METADATA_ENDPOINT", simulator.base_url());
    apply(&workdir);
    assert!(simulator.metadata_calls().is_empty());
    assert!(simulator.assume_role_calls().is_empty());
    let requests = simulator.requests();
    assert!(!requests.is_empty());
    assert!(
        requests
            .iter()
            .all(|r| r.access_key.as_deref() == Some(ACCESS_KEY) && r.status == 200),
        "{requests:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profile_wins_over_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let file = profile_file(dir.path());
    let simulator = start(world(1)).await;
    let mut workdir = new_workdir(&simulator, "  use_ecs_metadata = true\n", 1);
    workdir.env("HW_SHARED_CONFIG_FILE", &file);
    workdir.env("HW_ECS_METADATA_ENDPOINT", simulator.base_url());
    apply(&workdir);
    assert!(simulator.metadata_calls().is_empty());
    let signers = rds_signers(&simulator);
    assert!(
        signers
            .iter()
            .all(|k| *k == Some(CredentialKind::Permanent)),
        "{signers:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_found_lists_every_source_and_sends_nothing() {
    let simulator = start(world(1)).await;
    let mut workdir = new_workdir(&simulator, "", 1);
    // Metadata would answer here, but it is not enabled: it must not be asked.
    workdir.env("HW_ECS_METADATA_ENDPOINT", simulator.base_url());
    let run = try_apply(&workdir);
    run.assert_failure();
    let output = protocol::unwrapped(&run.combined());
    for part in [
        "Error: Missing credentials",
        "1. explicit keys: access_key and secret_key are not set in the provider block, and \
         HW_ACCESS_KEY and HW_SECRET_KEY are unset",
        "2. a KooCLI profile: neither shared_config_file nor profile is set",
        "3. the ECS metadata service: use_ecs_metadata is not set (nor HW_USE_ECS_METADATA)",
    ] {
        assert!(output.contains(part), "{part:?} missing from:\n{output}");
    }
    assert!(
        simulator.requests().is_empty(),
        "{:?}",
        simulator.requests()
    );
    assert!(simulator.metadata_calls().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn metadata_that_is_off_fails_clearly_and_at_once() {
    let simulator = start(Scenario {
        metadata_enabled: false,
        ..world(1)
    })
    .await;
    let mut workdir = new_workdir(&simulator, "  use_ecs_metadata = true\n", 1);
    workdir.env("HW_ECS_METADATA_ENDPOINT", simulator.base_url());
    let run = try_apply(&workdir);
    run.assert_failure();
    let output = run.combined();
    assert!(output.contains("metadata"), "{output}");
    assert!(output.contains("404"), "{output}");
    assert!(rds_signers(&simulator).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_profile_files_are_errors_naming_the_file_and_profile() {
    let dir = tempfile::tempdir().unwrap();
    let file = profile_file(dir.path());
    let encrypted = dir.path().join("encrypted.json");
    std::fs::write(&encrypted, format!("ENCRYPTED:{SECRET_KEY}")).unwrap();
    let simulator = start(world(1)).await;
    for (path, profile, wanted) in [
        (&encrypted, "keys", "is not JSON"),
        (&file, "nokeys", "has no access key and secret key"),
        (&dir.path().join("absent.json"), "keys", "cannot be read"),
    ] {
        let mut workdir = new_workdir(&simulator, "", 1);
        workdir.env("HW_SHARED_CONFIG_FILE", path);
        workdir.env("HW_PROFILE", profile);
        let run = try_apply(&workdir);
        run.assert_failure();
        let output = protocol::unwrapped(&run.combined());
        assert!(output.contains("Unusable profile"), "{output}");
        assert!(output.contains(wanted), "{wanted}: {output}");
        assert!(output.contains(&path.display().to_string()), "{output}");
        assert!(!output.contains(SECRET_KEY), "{output}");
    }
    assert!(simulator.requests().is_empty());
}

/// Four reads at once, long-lived assumed keys: one `securitytokens` call for the process.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_reads_share_one_assumed_credential() {
    let simulator = start(world(250)).await;
    let mut workdir = new_workdir(&simulator, ASSUME_DEFAULT_AGENCY, 4);
    with_keys(&mut workdir);
    let states = apply(&workdir);
    for i in 0..4 {
        assert_eq!(listed_ids(&states[format!("read{i}")]).len(), 250);
    }
    assert_eq!(
        successful_assumes(&simulator),
        1,
        "{:?}",
        simulator.assume_role_calls()
    );
}

/// 10,000 backups read one page at a time with latency, while the assumed keys last 4 s: the
/// provider renews them (half their lifetime before they expire) in the middle of the read,
/// and every page is served.
#[tokio::test(flavor = "multi_thread")]
async fn short_lived_assumed_keys_are_renewed_during_a_long_read() {
    let simulator = start(Scenario {
        assumed_credential_lifetime: Some(Duration::from_secs(4)),
        faults: Faults {
            latency: Duration::from_millis(60),
            ..Faults::default()
        },
        ..world(10_000)
    })
    .await;
    let mut workdir = new_workdir(
        &simulator,
        &format!("  max_concurrent_requests = 1\n{ASSUME_DEFAULT_AGENCY}"),
        1,
    );
    with_keys(&mut workdir);
    let started = std::time::Instant::now();
    let states = apply(&workdir);
    let elapsed = started.elapsed();
    assert_eq!(listed_ids(&states["read0"]).len(), 10_000);
    let assumes = successful_assumes(&simulator);
    // 100 pages at >= 60 ms each take over 6 s: renewed every 2 s (half of the 4 s lifetime),
    // before the keys expire (no request was refused for expired keys), never per request.
    let renewals_at_most = (elapsed.as_secs_f64() / 2.0).ceil() as usize + 2;
    assert!(assumes >= 3, "{assumes} assume calls in {elapsed:?}");
    assert!(
        assumes <= renewals_at_most,
        "{assumes} assume calls in {elapsed:?}"
    );
    assert_eq!(
        simulator.expired_credential_rejections(),
        0,
        "renewed only after a 401"
    );
    let pages: Vec<_> = simulator
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("offsite-backups"))
        .collect();
    assert!(
        pages
            .iter()
            .all(|r| r.credential == Some(CredentialKind::Assumed))
    );
    let served = pages.iter().filter(|r| r.status == 200).count();
    assert!(served >= 100, "{served} pages served");
}

/// Keys revoked in the middle of a read: the next request gets 401, the provider renews
/// once and sends it again, and the read completes.
#[tokio::test(flavor = "multi_thread")]
async fn a_401_on_temporary_keys_renews_them_once_and_retries() {
    let simulator = std::sync::Arc::new(
        start(Scenario {
            faults: Faults {
                latency: Duration::from_millis(40),
                ..Faults::default()
            },
            ..world(5_000)
        })
        .await,
    );
    let mut workdir = new_workdir(
        &simulator,
        &format!("  max_concurrent_requests = 1\n{ASSUME_DEFAULT_AGENCY}"),
        1,
    );
    with_keys(&mut workdir);
    let revoker = {
        let simulator = simulator.clone();
        std::thread::spawn(move || {
            // Wait until the read is under way, then expire every key issued so far.
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            while std::time::Instant::now() < deadline {
                let pages = simulator
                    .requests()
                    .iter()
                    .filter(|r| r.path.contains("offsite-backups") && r.status == 200)
                    .count();
                if pages >= 5 {
                    simulator.expire_issued_credentials();
                    return true;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            false
        })
    };
    let states = apply(&workdir);
    assert!(revoker.join().unwrap(), "the read never got under way");
    assert_eq!(listed_ids(&states["read0"]).len(), 5_000);
    assert!(simulator.expired_credential_rejections() >= 1);
    assert_eq!(
        successful_assumes(&simulator),
        2,
        "{:?}",
        simulator.assume_role_calls()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn new_settings_are_checked_by_terraform_validate_at_their_attributes() {
    let simulator = start(world(1)).await;
    for (extra, wanted) in [
        (
            "  assume_role {\n    agency_name = \"a\"\n    domain_name = \"d\"\n    duration    = 60\n  }\n",
            "assume_role.duration must be a whole number of seconds from 900 to 43200",
        ),
        (
            "  assume_role {\n    agency_name = \"a\"\n    domain_name = \"d\"\n    domain_id   = \"i\"\n  }\n",
            "set exactly one of domain_name and domain_id",
        ),
        (
            "  shared_config_file = \"/nonexistent/config.json\"\n  profile = \"dr\"\n",
            "the profile file /nonexistent/config.json cannot be read",
        ),
        (
            "  cacert_file = \"/nonexistent/ca.pem\"\n",
            "the file /nonexistent/ca.pem cannot be read",
        ),
        (
            "  auth_url = \"http://127.0.0.1:1/v3\"\n",
            "auth_url and endpoints[\"iam\"] name different IAM endpoints",
        ),
    ] {
        let workdir = new_workdir(&simulator, extra, 1);
        let run = blocking(|| workdir.run(&["validate", "-no-color"]));
        run.assert_failure();
        let output = protocol::unwrapped(&run.combined());
        assert!(
            output.contains(wanted),
            "{wanted:?} missing from:\n{output}"
        );
        assert!(output.contains("on main.tf line"), "{output}");
    }
    assert!(simulator.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn project_name_is_the_project_looked_up() {
    let simulator = start(world(1)).await;
    let mut workdir = new_workdir(&simulator, "  project_name = \"cn-north-4_backup\"\n", 1);
    with_keys(&mut workdir);
    let run = try_apply(&workdir);
    // The simulator's IAM knows no such sub-project: the lookup by that name fails, naming it.
    run.assert_failure();
    let output = run.combined();
    assert!(output.contains("cn-north-4_backup"), "{output}");
    let lookups: Vec<_> = simulator
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v3/projects")
        .collect();
    assert!(!lookups.is_empty());
    assert!(
        lookups.iter().all(|r| r
            .query
            .contains(&("name".to_owned(), "cn-north-4_backup".to_owned()))),
        "{lookups:?}"
    );
}

/// Metadata keys that last 2 s are fetched again during a read that takes longer.
#[tokio::test(flavor = "multi_thread")]
async fn short_lived_metadata_keys_are_renewed_during_a_long_read() {
    let simulator = start(Scenario {
        metadata_credential_lifetime: Duration::from_secs(2),
        faults: Faults {
            latency: Duration::from_millis(60),
            ..Faults::default()
        },
        ..world(5_000)
    })
    .await;
    let mut workdir = new_workdir(
        &simulator,
        "  use_ecs_metadata = true\n  max_concurrent_requests = 1\n",
        1,
    );
    workdir.env("HW_ECS_METADATA_ENDPOINT", simulator.base_url());
    let states = apply(&workdir);
    assert_eq!(listed_ids(&states["read0"]).len(), 5_000);
    let keys = simulator
        .metadata_calls()
        .iter()
        .filter(|c| c.route == MetadataRoute::SecurityKey && c.status == 200)
        .count();
    // 50 pages at >= 60 ms take over 3 s: renewed at the 1 s mark and later.
    assert!(keys >= 2, "{:?}", simulator.metadata_calls());
    assert!(keys < 30, "{:?}", simulator.metadata_calls());
}

/// Under TF_LOG=trace, neither the base secret nor any issued secret or token appears in
/// Terraform's output, the provider's log or the state.
#[tokio::test(flavor = "multi_thread")]
async fn no_secret_reaches_the_log_or_the_state() {
    let simulator = start(world(3)).await;
    let mut workdir = new_workdir(
        &simulator,
        &format!("  use_ecs_metadata = true\n{ASSUME_DEFAULT_AGENCY}"),
        1,
    );
    workdir.env("HW_ECS_METADATA_ENDPOINT", simulator.base_url());
    let log = workdir.debug_log();
    let run = try_apply(&workdir);
    run.assert_success();
    let log_text = std::fs::read_to_string(&log).expect("the TF_LOG_PATH file");
    let state =
        std::fs::read_to_string(workdir.path().join("terraform.tfstate")).expect("the state file");
    let issued = simulator.issued_credentials();
    assert_eq!(
        issued.len(),
        2,
        "one metadata and one assumed credential: {issued:?}"
    );
    assert!(
        log_text.contains("provider"),
        "the log holds the provider's lines"
    );
    for credential in &issued {
        for secret in [&credential.secret_key, &credential.security_token] {
            for (name, text) in [
                ("output", run.combined()),
                ("log", log_text.clone()),
                ("state", state.clone()),
            ] {
                assert!(!text.contains(secret.as_str()), "a secret in the {name}");
            }
        }
    }
}
