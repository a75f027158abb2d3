//! `GET /v3/backups/offsite-backup-instance`: paging over the world's instances, the project
//! from the `X-Project-Id` header, parameter validation and every fault class.

mod common;

use std::sync::Arc;

use common::{Signing, get_raw, pairs};
use rds_simulator::{
    Dataset, Engine, FailSpec, Faults, GenerateSpec, InstanceSpec, PageBody, PageOffsets, Scenario,
    Simulator, derived_project_id, offsite_instances,
};

const PATH: &str = "/v3/backups/offsite-backup-instance";

/// `count` instances with one auto backup each, engines in turn.
fn scenario(count: usize) -> Scenario {
    let engines = [Engine::MySql, Engine::PostgreSql, Engine::SqlServer];
    Scenario {
        dataset: Dataset::generate(&GenerateSpec {
            instances: (0..count)
                .map(|i| InstanceSpec {
                    instance_id: format!("{:032x}in01", i + 1),
                    engine: engines[i % engines.len()],
                    auto: 1,
                    incremental: 0,
                })
                .collect(),
            seed: 7,
        }),
        ..Scenario::default()
    }
}

async fn start(count: usize, faults: Faults) -> Simulator {
    Simulator::start(Scenario {
        faults,
        ..scenario(count)
    })
    .await
    .expect("start")
}

/// A signed GET of the route, with `X-Project-Id` when given.
async fn get(
    sim: &Simulator,
    project_id: Option<&str>,
    query: &[(&str, &str)],
) -> Result<common::Answer, reqwest::Error> {
    let query = pairs(query);
    let mut signing = Signing::for_config(sim.scenario());
    if let Some(project_id) = project_id {
        signing
            .extra_headers
            .push(("x-project-id".into(), project_id.into()));
    }
    get_raw(
        sim,
        PATH,
        &hwcloud::signing::canonical_query(&query),
        &query,
        Some(&signing),
    )
    .await
}

async fn page(sim: &Simulator, offset: &str) -> common::Answer {
    let project_id = sim.scenario().project_id.clone();
    get(
        sim,
        Some(&project_id),
        &[("offset", offset), ("limit", "100")],
    )
    .await
    .expect("an HTTP answer")
}

fn ids(answer: &common::Answer) -> Vec<String> {
    answer.json()["offsite_backup_instances"]
        .as_array()
        .expect("a page")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn pages_cover_the_world_in_order() {
    let sim = start(250, Faults::default()).await;
    let expected = offsite_instances(sim.scenario());
    assert_eq!(expected.len(), 250);
    let mut seen = Vec::new();
    for offset in ["0", "100", "200", "300"] {
        let answer = page(&sim, offset).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.json()["total_count"], 250);
        seen.extend(ids(&answer));
    }
    let expected_ids: Vec<String> = expected.iter().map(|i| i.id.clone()).collect();
    assert_eq!(seen, expected_ids);
    // The first item whole, as the world model describes it.
    let first = &page(&sim, "0").await.json()["offsite_backup_instances"][0];
    assert_eq!(first, &serde_json::to_value(&expected[0]).expect("json"));
    assert_eq!(first["source_region"], "cn-east-3");
    assert_eq!(first["destination_region"], "cn-north-4");
    assert_eq!(first["destination_project_id"], sim.scenario().project_id);
    assert_eq!(first["source_project_id"], derived_project_id("cn-east-3"));
    assert!(first["keep_days"].is_u64());
    let log = sim.requests();
    assert!(
        log.iter()
            .all(|r| r.project_region.as_deref() == Some("cn-north-4")),
        "{log:?}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn an_empty_world_is_an_empty_page() {
    let sim = start(0, Faults::default()).await;
    let answer = page(&sim, "0").await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json(),
        serde_json::json!({"offsite_backup_instances": [], "total_count": 0})
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_project_comes_from_the_header() {
    let sim = start(3, Faults::default()).await;
    let missing = get(&sim, None, &[]).await.expect("answer");
    assert_eq!(missing.status, 400, "{}", missing.body);
    assert_eq!(missing.error_code(), "DBS.280001");
    assert!(
        missing.error_msg().contains("X-Project-Id"),
        "{}",
        missing.body
    );

    let unknown = get(&sim, Some("ffffffffffffffffffffffffffffffff"), &[])
        .await
        .expect("answer");
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert_eq!(unknown.error_code(), "DBS.280238");

    // The source region's project is a known project too, but its region holds no offsite
    // backups: they are all in the default (backup) region.
    let source = derived_project_id("cn-east-3");
    let answer = get(&sim, Some(&source), &[]).await.expect("answer");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(ids(&answer).len(), 0);
    assert_eq!(answer.json()["total_count"], 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn offset_and_limit_are_validated_like_the_backup_list() {
    let sim = start(3, Faults::default()).await;
    let project_id = sim.scenario().project_id.clone();
    for (name, value) in [
        ("limit", "0"),
        ("limit", "101"),
        ("limit", "x"),
        ("offset", "-1"),
    ] {
        let answer = get(&sim, Some(&project_id), &[(name, value)])
            .await
            .expect("answer");
        assert_eq!(answer.status, 400, "{name}={value}");
        assert!(answer.error_msg().contains(name), "{}", answer.body);
    }
    let answer = get(&sim, Some(&project_id), &[("offset", "1"), ("limit", "1")])
        .await
        .expect("answer");
    let expected = offsite_instances(sim.scenario());
    assert_eq!(ids(&answer), [expected[1].id.clone()]);
    sim.shutdown().await;
}

#[tokio::test]
async fn every_fault_class_works_on_the_route() {
    let sim = start(
        150,
        Faults {
            fail_first: vec![FailSpec {
                status: 503,
                count: 1,
                retry_after: None,
            }],
            malformed_json_at_offset: Some(100),
            malformed_json_once: true,
            drop_connection_at_offset: Some((0, 1)),
            ..Faults::default()
        },
    )
    .await;
    assert_eq!(page(&sim, "0").await.status, 503);
    let project_id = sim.scenario().project_id.clone();
    let dropped = get(&sim, Some(&project_id), &[("offset", "0")]).await;
    assert!(dropped.is_err(), "the connection must be dropped");
    assert_eq!(page(&sim, "0").await.status, 200);
    let malformed = page(&sim, "100").await;
    assert_eq!(malformed.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&malformed.body).is_err());
    assert_eq!(ids(&page(&sim, "100").await).len(), 50);
    let faults: Vec<Option<String>> = sim.requests().into_iter().map(|r| r.fault).collect();
    assert_eq!(
        faults,
        [
            Some("fail-first 503".to_owned()),
            Some("drop-connection".to_owned()),
            None,
            Some("malformed-json".to_owned()),
            None
        ]
    );
    sim.shutdown().await;

    let sim = start(
        2,
        Faults {
            page_bodies: vec![PageBody {
                offsets: PageOffsets::Every,
                body: Arc::from(r#"{"backups":[]}"#),
            }],
            ..Faults::default()
        },
    )
    .await;
    assert_eq!(page(&sim, "0").await.body, r#"{"backups":[]}"#);
    sim.shutdown().await;

    for faults in [
        Faults {
            hostile_error_status: Some(500),
            ..Faults::default()
        },
        Faults {
            echo_headers_status: Some(400),
            ..Faults::default()
        },
    ] {
        let sim = start(2, faults).await;
        let answer = page(&sim, "0").await;
        assert!(answer.status >= 400, "{}", answer.body);
        assert!(!answer.error_code().is_empty());
        sim.shutdown().await;
    }
}
