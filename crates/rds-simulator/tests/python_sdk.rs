//! The official Python SDK (`huaweicloudsdkrds`, `huaweicloudsdkiam`, the core's metadata
//! accessor) against the simulator: an independent client agreeing with the simulator's
//! signing (also with temporary keys and their token), query decoding, bodies and JSON.

use std::path::PathBuf;

use rds_simulator::{DEMO_MYSQL_INSTANCE_ID, Query, Scenario, SignatureCheck, Simulator};

fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `tests/python/sdk_smoke.py` with the project venv's Python against `sim`, with the
/// simulator's credentials, `project_id` and the extra `env` (`SIM_CALL` among them, else the
/// backup list), and returns the JSON it prints.
async fn sdk_run(sim: &Simulator, project_id: &str, env: &[(&str, &str)]) -> serde_json::Value {
    let python = project_root().join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `bash scripts/test.sh --setup` (it creates the project venv with \
         huaweicloudsdkrds, and builds nothing)",
        python.display()
    );
    let script = project_root().join("tests/python/sdk_smoke.py");
    let scenario = sim.scenario();
    let output = tokio::process::Command::new(&python)
        .arg(&script)
        .env("SIM_ENDPOINT", sim.base_url())
        .env("SIM_AK", &scenario.access_key)
        .env("SIM_SK", &scenario.secret_key)
        .env("SIM_PROJECT_ID", project_id)
        .envs(env.iter().copied())
        .output()
        .await
        .expect("run the SDK smoke script");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "sdk_smoke.py {env:?} failed ({}):\n{}\nrequests: {:#?}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        sim.requests()
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("sdk_smoke.py {env:?} printed no JSON ({e}): {stdout}"))
}

#[tokio::test]
async fn official_python_sdk_lists_backups() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let scenario = sim.scenario().clone();
    let begin_time = "2026-08-01T00:00:00+0800";
    let end_time = "2026-12-31T23:59:59+0800";
    let result = sdk_run(
        &sim,
        &scenario.project_id,
        &[
            ("SIM_INSTANCE_ID", DEMO_MYSQL_INSTANCE_ID),
            ("SIM_REGION", &scenario.regions[0]),
            ("SIM_BEGIN_TIME", begin_time),
            ("SIM_END_TIME", end_time),
        ],
    )
    .await;

    let expected: Vec<String> = sim
        .dataset()
        .query(&Query {
            begin_time: Some(begin_time.into()),
            end_time: Some(end_time.into()),
            ..Query::new(DEMO_MYSQL_INSTANCE_ID, "auto")
        })
        .iter()
        .map(|b| b.id.clone())
        .collect();
    assert!(expected.len() > 100, "the window must need two pages");
    assert_eq!(result["total_count"], expected.len());
    let ids: Vec<String> = serde_json::from_value(result["ids"].clone()).expect("ids");
    assert_eq!(ids, expected);

    let log = sim.requests();
    assert_eq!(log.len(), 2);
    for record in &log {
        assert_eq!(record.status, 200);
        assert_eq!(record.signature, SignatureCheck::Valid);
        assert_eq!(record.query_value("begin_time"), Some(begin_time));
        assert!(record.signed_headers.contains(&"x-project-id".to_owned()));
    }
    assert_eq!(log[1].query_value("offset"), Some("100"));
    sim.shutdown().await;
}

/// `ListOffSiteRestoreTimesRequest` of the official SDK reads the restore-time route, without
/// and with `date`, and gets the world model's windows.
#[tokio::test]
async fn official_python_sdk_reads_offsite_restore_times() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let scenario = sim.scenario().clone();
    let all = rds_simulator::restore_windows(sim.dataset(), DEMO_MYSQL_INSTANCE_ID, None)
        .expect("the demo instance is known");
    assert!(!all.is_empty(), "the demo instance has restore windows");
    // The UTC day of the first window's end: a day the windows touch.
    let end = time::OffsetDateTime::from_unix_timestamp(all[0].end_time / 1000).expect("time");
    let date = format!(
        "{:04}-{:02}-{:02}",
        end.year(),
        u8::from(end.month()),
        end.day()
    );
    let on_date =
        rds_simulator::restore_windows(sim.dataset(), DEMO_MYSQL_INSTANCE_ID, Some(end.date()))
            .expect("known");
    assert!(!on_date.is_empty());

    let result = sdk_run(
        &sim,
        &scenario.project_id,
        &[
            ("SIM_CALL", "restore_times"),
            ("SIM_INSTANCE_ID", DEMO_MYSQL_INSTANCE_ID),
            ("SIM_DATE", &date),
        ],
    )
    .await;
    let pairs = |windows: &[rds_simulator::RestoreTime]| {
        serde_json::json!(
            windows
                .iter()
                .map(|w| [w.start_time, w.end_time])
                .collect::<Vec<_>>()
        )
    };
    assert_eq!(result["all"], pairs(&all));
    assert_eq!(result["on_date"], pairs(&on_date));

    let log = sim.requests();
    assert_eq!(log.len(), 2);
    for record in &log {
        assert_eq!(record.status, 200);
        assert_eq!(record.signature, SignatureCheck::Valid);
        assert!(
            record.path.ends_with("/offsite-restore-time"),
            "{}",
            record.path
        );
    }
    assert_eq!(log[1].query_value("date"), Some(date.as_str()));
    sim.shutdown().await;
}

/// `ShowOffSiteBackupPolicy` through the official SDK, built for the source region's project:
/// it reads the route without error and decodes the world's policy.
#[tokio::test]
async fn official_python_sdk_reads_the_offsite_policy() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let scenario = sim.scenario().clone();
    let source_project = scenario
        .project_id_for(&scenario.source_region)
        .expect("the source region is known");
    let result = sdk_run(
        &sim,
        &source_project,
        &[
            ("SIM_CALL", "offsite_policy"),
            ("SIM_INSTANCE_ID", DEMO_MYSQL_INSTANCE_ID),
        ],
    )
    .await;
    let policy = rds_simulator::offsite_policy(&scenario, DEMO_MYSQL_INSTANCE_ID).expect("known");
    assert_eq!(policy.len(), 2, "the demo instance has both backup types");
    assert_eq!(
        result["policy_para"],
        serde_json::to_value(&policy).expect("serializes")
    );
    let log = sim.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, 200);
    assert_eq!(log[0].signature, SignatureCheck::Valid);
    assert_eq!(
        log[0].path,
        format!("/v3/{source_project}/instances/{DEMO_MYSQL_INSTANCE_ID}/backups/offsite-policy")
    );
    assert_eq!(
        log[0].project_region.as_deref(),
        Some(scenario.source_region.as_str())
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn official_python_sdk_lists_offsite_instances() {
    use rds_simulator::{Dataset, Engine, GenerateSpec, InstanceSpec, offsite_instances};
    let scenario = Scenario {
        dataset: Dataset::generate(&GenerateSpec {
            instances: (0..150)
                .map(|i| InstanceSpec {
                    instance_id: format!("{:032x}in01", i + 1),
                    engine: [Engine::MySql, Engine::PostgreSql, Engine::SqlServer][i % 3],
                    auto: 1,
                    incremental: 0,
                })
                .collect(),
            seed: 3,
        }),
        ..Scenario::default()
    };
    let sim = Simulator::start(scenario).await.expect("start");
    let project_id = sim.scenario().project_id.clone();
    let result = sdk_run(&sim, &project_id, &[("SIM_CALL", "offsite_instances")]).await;
    let expected = offsite_instances(sim.scenario());
    assert_eq!(result["total_count"], 150);
    let ids: Vec<String> = serde_json::from_value(result["ids"].clone()).expect("ids");
    assert_eq!(
        ids,
        expected.iter().map(|i| i.id.clone()).collect::<Vec<_>>()
    );
    assert_eq!(
        result["first"],
        serde_json::to_value(&expected[0]).expect("json")
    );
    let log = sim.requests();
    assert_eq!(log.len(), 2, "two pages");
    for record in &log {
        assert_eq!(record.path, "/v3/backups/offsite-backup-instance");
        assert_eq!(record.status, 200);
        assert_eq!(record.signature, SignatureCheck::Valid);
        assert!(record.signed_headers.contains(&"x-project-id".to_owned()));
    }
    sim.shutdown().await;
}

/// IAM's `CreateTemporaryAccessKeyByAgency` of the official `huaweicloudsdkiam` assumes the
/// default agency (its body, signature and 201 answer agree with the simulator), the SDK
/// signs an RDS call with the temporary keys and their token, and an unknown agency comes
/// back as the SDK's 403 with `IAM.0002`.
#[tokio::test]
async fn official_python_sdk_assumes_an_agency_and_uses_the_keys() {
    use rds_simulator::{
        AssumeRoleCall, CredentialKind, DEFAULT_AGENCY_DOMAIN_NAME, DEFAULT_AGENCY_NAME,
        parse_credential_expiry,
    };
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let project_id = sim.scenario().project_id.clone();
    let result = sdk_run(
        &sim,
        &project_id,
        &[
            ("SIM_CALL", "assume_role"),
            // The caller's own account id, which GlobalCredentials sends as X-Domain-Id (the
            // simulator does not check it); given, so the SDK looks nothing up first.
            ("SIM_DOMAIN_ID", "9b0e4e1a0f6c4d2c8f7a5e3b1d9c7a52"),
            ("SIM_AGENCY_NAME", DEFAULT_AGENCY_NAME),
            ("SIM_AGENCY_DOMAIN_NAME", DEFAULT_AGENCY_DOMAIN_NAME),
            ("SIM_UNKNOWN_AGENCY", "no_such_agency"),
            ("SIM_DURATION", "3600"),
            ("SIM_INSTANCE_ID", DEMO_MYSQL_INSTANCE_ID),
        ],
    )
    .await;
    let issued = sim.issued_credentials();
    assert_eq!(issued.len(), 1);
    assert_eq!(result["access"], issued[0].access_key.as_str());
    let expires_at = result["expires_at"].as_str().expect("expires_at");
    assert_eq!(
        parse_credential_expiry(expires_at),
        Some(issued[0].expires_at)
    );
    assert_eq!(
        result["total_count"], 120,
        "the demo instance's auto backups"
    );
    assert_eq!(
        result["unknown_agency"],
        serde_json::json!({"status": 403, "error_code": "IAM.0002"})
    );

    let calls = sim.assume_role_calls();
    assert_eq!(calls.len(), 2);
    let AssumeRoleCall {
        methods,
        agency_name,
        domain_name,
        domain_id,
        duration_seconds,
        status,
        signed_with,
        ..
    } = &calls[0];
    assert_eq!(methods.as_deref(), Some(&["assume_role".to_owned()][..]));
    assert_eq!(agency_name.as_deref(), Some(DEFAULT_AGENCY_NAME));
    assert_eq!(domain_name.as_deref(), Some(DEFAULT_AGENCY_DOMAIN_NAME));
    assert_eq!(*domain_id, None);
    assert_eq!(*duration_seconds, Some(3600));
    assert_eq!(*status, 201);
    assert_eq!(*signed_with, Some(CredentialKind::Permanent));
    let log = sim.requests();
    let list = log
        .iter()
        .find(|r| r.path.ends_with("/offsite-backups"))
        .expect("the list request");
    assert_eq!(list.signature, SignatureCheck::Valid);
    assert_eq!(list.credential, Some(CredentialKind::Assumed));
    assert!(list.signed_headers.contains(&"x-security-token".to_owned()));
    sim.shutdown().await;
}

/// The core SDK's own `MetadataAccessor` (endpoint pointed at the simulator) gets the ECS
/// agency's credentials, with the session token and, when the token API answers 404, without
/// it, and the SDK signs an RDS call with them.
#[tokio::test]
async fn official_python_sdk_reads_ecs_metadata_credentials() {
    use rds_simulator::{CredentialKind, MetadataRoute, MetadataTokenApi};
    for mode in [MetadataTokenApi::Required, MetadataTokenApi::NotFound] {
        let sim = Simulator::start(Scenario {
            metadata_token_api: mode,
            ..Scenario::default()
        })
        .await
        .expect("start");
        let project_id = sim.scenario().project_id.clone();
        let result = sdk_run(
            &sim,
            &project_id,
            &[
                ("SIM_CALL", "metadata"),
                ("SIM_INSTANCE_ID", DEMO_MYSQL_INSTANCE_ID),
            ],
        )
        .await;
        let issued = sim.issued_credentials();
        assert_eq!(issued.len(), 1, "{mode:?}");
        assert_eq!(issued[0].kind, CredentialKind::Metadata);
        assert_eq!(result["access"], issued[0].access_key.as_str());
        assert_eq!(result["total_count"], 120);
        let calls = sim.metadata_calls();
        assert_eq!(calls.len(), 2, "{mode:?}: {calls:?}");
        assert_eq!(calls[0].route, MetadataRoute::Token);
        assert_eq!(calls[0].ttl_seconds.as_deref(), Some("21600"));
        assert_eq!(calls[1].route, MetadataRoute::SecurityKey);
        assert_eq!(calls[1].status, 200);
        assert_eq!(calls[1].with_token, mode == MetadataTokenApi::Required);
        sim.shutdown().await;
    }
}
