//! `GET /v3/{project_id}/instances/{instance_id}/backups/offsite-policy`: the world's policy,
//! served only with the source region's project, 404 `DBS.200002` otherwise, and every fault
//! class on it (offset 0).

mod common;

use std::process::{Command, Stdio};

use common::{Answer, Signing, get_raw};
use rds_simulator::{
    DEFAULT_PROJECT_ID, DEFAULT_REGION, DEMO_MYSQL_INSTANCE_ID as MYSQL,
    DEMO_SQLSERVER_INSTANCE_ID as SQLSERVER, FailSpec, Faults, PageBody, PageOffsets, Scenario,
    Simulator, derived_project_id, keep_days_of,
};
use serde_json::json;

const SOURCE_REGION: &str = "cn-east-3";

async fn start(scenario: Scenario) -> Simulator {
    Simulator::start(scenario).await.expect("start")
}

async fn with_faults(faults: Faults) -> Simulator {
    start(Scenario {
        faults,
        ..Scenario::default()
    })
    .await
}

fn path(project_id: &str, instance_id: &str) -> String {
    format!("/v3/{project_id}/instances/{instance_id}/backups/offsite-policy")
}

/// A signed request with the `X-Project-Id` header, as the SDKs send it.
async fn try_show(sim: &Simulator, project_id: &str, instance_id: &str) -> reqwest::Result<Answer> {
    let mut signing = Signing::for_config(sim.scenario());
    signing
        .extra_headers
        .push(("x-project-id".to_owned(), project_id.to_owned()));
    get_raw(sim, &path(project_id, instance_id), "", &[], Some(&signing)).await
}

async fn show(sim: &Simulator, project_id: &str, instance_id: &str) -> Answer {
    try_show(sim, project_id, instance_id)
        .await
        .expect("an HTTP answer")
}

fn source_project() -> String {
    derived_project_id(SOURCE_REGION)
}

/// The policy entry the world gives the demo instances, computed here from its rules.
fn entry(instance_id: &str, backup_type: &str) -> serde_json::Value {
    json!({
        "backup_type": backup_type,
        "keep_days": keep_days_of(instance_id),
        "destination_region": DEFAULT_REGION,
        "destination_project_id": DEFAULT_PROJECT_ID,
    })
}

#[tokio::test]
async fn the_source_region_serves_one_entry_per_backup_type() {
    let sim = start(Scenario::default()).await;
    let answer = show(&sim, &source_project(), MYSQL).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.json(),
        json!({"policy_para": [entry(MYSQL, "auto"), entry(MYSQL, "incremental")]})
    );
    assert!(answer.request_id.is_some());
    let log = sim.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, 200);
    assert_eq!(log[0].project_region.as_deref(), Some(SOURCE_REGION));
}

#[tokio::test]
async fn unknown_instances_and_other_regions_are_404_instance_not_found() {
    let sim = start(Scenario {
        regions: vec![DEFAULT_REGION.to_owned(), "ap-southeast-1".to_owned()],
        ..Scenario::default()
    })
    .await;
    let expected = json!({
        "error_code": "DBS.200002",
        "error_msg": "The DB instance does not exist."
    });
    for (project, instance) in [
        (
            source_project(),
            "ffffffffffffffffffffffffffffffffin01".to_owned(),
        ),
        // The destination region's project does not know the source region's instances.
        (DEFAULT_PROJECT_ID.to_owned(), MYSQL.to_owned()),
        (derived_project_id("ap-southeast-1"), SQLSERVER.to_owned()),
    ] {
        let answer = show(&sim, &project, &instance).await;
        assert_eq!(answer.status, 404, "{project} {instance}");
        assert_eq!(answer.json(), expected);
    }
    let unknown_project = show(&sim, "ffffffffffffffffffffffffffffffff", MYSQL).await;
    assert_eq!(unknown_project.status, 404);
    assert_eq!(unknown_project.error_code(), "DBS.280238");
}

#[tokio::test]
async fn instances_without_a_policy_answer_an_empty_list() {
    let sim = start(Scenario {
        instances_without_offsite_policy: vec![MYSQL.to_owned()],
        ..Scenario::default()
    })
    .await;
    let answer = show(&sim, &source_project(), MYSQL).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), json!({"policy_para": []}));
    // Others keep theirs.
    let other = show(&sim, &source_project(), SQLSERVER).await;
    assert_eq!(
        other.json()["policy_para"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn signatures_are_checked() {
    let sim = start(Scenario::default()).await;
    let mut signing = Signing::for_config(sim.scenario());
    signing.secret_key = "wrong".into();
    let answer = get_raw(
        &sim,
        &path(&source_project(), MYSQL),
        "",
        &[],
        Some(&signing),
    )
    .await
    .expect("answer");
    assert_eq!(answer.status, 401);
}

#[tokio::test]
async fn error_statuses_come_first_then_the_policy() {
    let sim = with_faults(Faults {
        fail_first: vec![FailSpec {
            status: 503,
            count: 1,
            retry_after: Some(1),
        }],
        ..Faults::default()
    })
    .await;
    let failed = show(&sim, &source_project(), MYSQL).await;
    assert_eq!(failed.status, 503);
    assert_eq!(failed.retry_after.as_deref(), Some("1"));
    let recovered = show(&sim, &source_project(), MYSQL).await;
    assert_eq!(recovered.status, 200);
    let faults: Vec<Option<String>> = sim.requests().into_iter().map(|r| r.fault).collect();
    assert_eq!(faults[1], None);
    assert!(faults[0].is_some());
}

#[tokio::test]
async fn malformed_json_raw_bodies_and_dropped_connections_at_offset_0() {
    let malformed = with_faults(Faults {
        malformed_json_at_offset: Some(0),
        ..Faults::default()
    })
    .await;
    let answer = show(&malformed, &source_project(), MYSQL).await;
    assert_eq!(answer.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&answer.body).is_err());
    assert!(
        answer.body.starts_with(r#"{"policy_para":["#),
        "{}",
        answer.body
    );

    let raw = r#"{"policy_para":[{"backup_type":"auto","keep_days":0}]}"#;
    let raw_body = with_faults(Faults {
        page_bodies: vec![PageBody::new(PageOffsets::At(0), raw)],
        ..Faults::default()
    })
    .await;
    let answer = show(&raw_body, &source_project(), MYSQL).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, raw));
    // A raw body never makes an unknown instance known.
    let unknown = show(
        &raw_body,
        &source_project(),
        "ffffffffffffffffffffffffffffffffin01",
    )
    .await;
    assert_eq!(unknown.status, 404);

    let dropping = with_faults(Faults {
        drop_connection_at_offset: Some((0, 1)),
        ..Faults::default()
    })
    .await;
    assert!(try_show(&dropping, &source_project(), MYSQL).await.is_err());
    assert_eq!(show(&dropping, &source_project(), MYSQL).await.status, 200);
    let log = dropping.requests();
    assert_eq!(log[0].fault.as_deref(), Some("drop-connection"));
}

#[tokio::test]
async fn hostile_and_echoing_error_bodies() {
    let hostile = with_faults(Faults {
        hostile_error_status: Some(500),
        ..Faults::default()
    })
    .await;
    let answer = show(&hostile, &source_project(), MYSQL).await;
    assert_eq!(answer.status, 500);
    assert!(answer.body.contains("\\u001b"), "{}", answer.body);

    let echo = with_faults(Faults {
        echo_headers_status: Some(400),
        ..Faults::default()
    })
    .await;
    let answer = show(&echo, &source_project(), MYSQL).await;
    assert_eq!(answer.status, 400);
    assert!(
        answer.error_msg().contains("SDK-HMAC-SHA256"),
        "{}",
        answer.body
    );
}

#[test]
fn the_cli_flag_is_documented_and_removes_the_policy() {
    let binary = env!("CARGO_BIN_EXE_rds-api-simulator");
    let help = Command::new(binary).arg("--help").output().expect("help");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--without-offsite-policy <ID>"), "{help}");
    assert!(help.contains("offsite-policy"), "{help}");

    let mut child = Command::new(binary)
        .args(["--listen", "127.0.0.1:0", "--no-verify-signatures"])
        .args(["--without-offsite-policy", MYSQL])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
        .expect("startup line");
    let base_url = line.trim().strip_prefix("listening on ").map(str::to_owned);
    let body = base_url.map(|base_url| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let url = format!("{base_url}{}", path(&source_project(), MYSQL));
            reqwest::get(&url).await?.text().await
        })
    });
    let _ = child.kill();
    let _ = child.wait();
    let body = body.expect("a startup line").expect("an answer");
    assert_eq!(body, r#"{"policy_para":[]}"#);
}
