//! The gateway's AK/SK signature check, and the IAM project lookup.

mod common;

use common::{Signing, backups_path, get_raw, get_signed, pairs};
use hwcloud::signing;
use rds_simulator::{Scenario, SignatureCheck, Simulator};
use time::Duration;

fn list_query() -> Vec<(String, String)> {
    pairs(&[
        ("instance_id", rds_simulator::DEMO_MYSQL_INSTANCE_ID),
        ("backup_type", "auto"),
        ("begin_time", "2026-11-01T00:00:00+0800"),
        ("end_time", "2026-11-30T00:00:00+0000"),
    ])
}

async fn send(sim: &Simulator, signing: Option<&Signing>) -> common::Answer {
    let query = list_query();
    get_raw(
        sim,
        &backups_path(sim),
        &signing::canonical_query(&query),
        &query,
        signing,
    )
    .await
    .expect("answer")
}

#[tokio::test]
async fn valid_signature_with_extra_signed_headers_is_accepted() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let mut signing = Signing::for_config(sim.scenario());
    signing.extra_headers = vec![
        ("X-Project-Id".into(), sim.scenario().project_id.clone()),
        ("Content-Type".into(), "application/json".into()),
    ];
    let answer = send(&sim, Some(&signing)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let log = sim.requests();
    assert_eq!(log[0].signature, SignatureCheck::Valid);
    assert_eq!(
        log[0].signed_headers,
        ["content-type", "host", "x-project-id", "x-sdk-date"]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_secret_and_unknown_access_key_are_rejected() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let mut wrong_secret = Signing::for_config(sim.scenario());
    wrong_secret.secret_key = "not-the-secret".into();
    let mut unknown_key = Signing::for_config(sim.scenario());
    unknown_key.access_key = "OTHERAK".into();
    for signing in [wrong_secret, unknown_key] {
        let answer = send(&sim, Some(&signing)).await;
        assert_eq!(answer.status, 401);
        assert_eq!(
            answer.json(),
            serde_json::json!({
                "error_code": "APIG.0301",
                "error_msg": "Incorrect IAM authentication information: verify aksk signature fail"
            })
        );
    }
    let log = sim.requests();
    assert_eq!(
        log[0].signature,
        SignatureCheck::Invalid("signature mismatch".into())
    );
    assert_eq!(
        log[1].signature,
        SignatureCheck::Invalid("unknown access key".into())
    );
    assert_eq!(log[1].access_key.as_deref(), Some("OTHERAK"));
    sim.shutdown().await;
}

#[tokio::test]
async fn tampered_query_fails_the_signature() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let mut signing = Signing::for_config(sim.scenario());
    let mut signed = list_query();
    signed.push(("limit".into(), "10".into()));
    signing.signed_query_override = Some(signed);
    let answer = send(&sim, Some(&signing)).await;
    assert_eq!(answer.status, 401);
    sim.shutdown().await;
}

#[tokio::test]
async fn missing_and_malformed_authorization_are_rejected() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let missing = send(&sim, None).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.error_code(), "APIG.0301");
    assert!(
        missing
            .error_msg()
            .contains("Authorization header is missing")
    );

    let url = format!(
        "{}{}?instance_id=x&backup_type=auto",
        sim.base_url(),
        backups_path(&sim)
    );
    let garbled = common::client()
        .get(&url)
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .expect("answer");
    assert_eq!(garbled.status().as_u16(), 401);

    let log = sim.requests();
    assert_eq!(log[0].signature, SignatureCheck::Missing);
    assert!(matches!(log[1].signature, SignatureCheck::Invalid(_)));
    sim.shutdown().await;
}

#[tokio::test]
async fn skewed_date_is_rejected_as_expired() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    for skew in [Duration::minutes(20), Duration::minutes(-20)] {
        let mut signing = Signing::for_config(sim.scenario());
        signing.date += skew;
        let answer = send(&sim, Some(&signing)).await;
        assert_eq!(answer.status, 401);
        assert_eq!(answer.error_code(), "APIG.0301");
        assert!(
            answer.error_msg().contains("expired"),
            "{}",
            answer.error_msg()
        );
    }
    // Well within the tolerance.
    let mut slightly_off = Signing::for_config(sim.scenario());
    slightly_off.date -= Duration::minutes(5);
    assert_eq!(send(&sim, Some(&slightly_off)).await.status, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn signed_headers_must_include_host_and_date() {
    let sim = Simulator::start(Scenario::default()).await.expect("start");
    let path = backups_path(&sim);
    let sdk_date = signing::format_sdk_date(time::OffsetDateTime::now_utc());
    let headers = vec![("x-sdk-date".to_owned(), sdk_date.clone())];
    let canonical = signing::canonical_request("GET", &path, &[], &headers, b"");
    let signature = signing::signature(
        &sim.scenario().secret_key,
        &signing::string_to_sign(&sdk_date, &canonical),
    );
    let answer = common::client()
        .get(format!("{}{}", sim.base_url(), path))
        .header("x-sdk-date", sdk_date)
        .header(
            "Authorization",
            signing::authorization_header("SIMULATORAK", &["x-sdk-date".to_owned()], &signature),
        )
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status().as_u16(), 401);
    assert_eq!(
        sim.requests()[0].signature,
        SignatureCheck::Invalid("SignedHeaders does not include host".into())
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn unchecked_mode_accepts_anything_and_logs_not_checked() {
    let scenario = Scenario {
        check_signatures: false,
        ..Scenario::default()
    };
    let sim = Simulator::start(scenario).await.expect("start");
    assert_eq!(send(&sim, None).await.status, 200);
    assert_eq!(sim.requests()[0].signature, SignatureCheck::NotChecked);
    sim.shutdown().await;
}

#[tokio::test]
async fn iam_lookup_finds_known_regions_only() {
    let scenario = Scenario {
        regions: vec!["cn-north-4".into(), "ap-southeast-1".into()],
        ..Scenario::default()
    };
    let sim = Simulator::start(scenario).await.expect("start");
    let found = get_signed(&sim, "/v3/projects", &pairs(&[("name", "ap-southeast-1")])).await;
    assert_eq!(found.status, 200, "{}", found.body);
    let projects = found.json()["projects"].clone();
    assert_eq!(projects.as_array().map(Vec::len), Some(1));
    // Every region has its own project; only the first region's is `project_id`.
    let own = sim
        .scenario()
        .project_id_for("ap-southeast-1")
        .expect("known");
    assert_ne!(own, rds_simulator::DEFAULT_PROJECT_ID);
    assert_eq!(projects[0]["id"], own.as_str());
    assert_eq!(projects[0]["name"], "ap-southeast-1");
    assert_eq!(projects[0]["enabled"], true);
    assert!(projects[0]["domain_id"].is_string());

    let default = get_signed(&sim, "/v3/projects", &pairs(&[("name", "cn-north-4")])).await;
    assert_eq!(
        default.json()["projects"][0]["id"],
        rds_simulator::DEFAULT_PROJECT_ID
    );
    let all = get_signed(&sim, "/v3/projects", &[]).await.json();
    let ids: Vec<&str> = all["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    // The listed regions, then the source region of the instances (known to IAM too).
    let source = rds_simulator::derived_project_id(rds_simulator::DEFAULT_SOURCE_REGION);
    assert_eq!(
        ids,
        [
            rds_simulator::DEFAULT_PROJECT_ID,
            own.as_str(),
            source.as_str()
        ]
    );

    let unknown = get_signed(&sim, "/v3/projects", &pairs(&[("name", "eu-west-101")])).await;
    assert_eq!(unknown.status, 200);
    assert_eq!(unknown.json()["projects"], serde_json::json!([]));

    let unsigned = get_raw(&sim, "/v3/projects", "name=cn-north-4", &[], None)
        .await
        .expect("answer");
    assert_eq!(unsigned.status, 401);
    let log = sim.requests();
    assert_eq!(log[0].path, "/v3/projects");
    assert_eq!(log[0].signature, SignatureCheck::Valid);
    assert_eq!(log[0].project_region, None);
    sim.shutdown().await;
}
