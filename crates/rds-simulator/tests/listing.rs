//! The offsite-backups endpoint: paging, filters, validation, query decoding, request log.

mod common;

use common::{Signing, backups_path, get_raw, get_signed, list, page_ids, pairs};
use rds_simulator::{
    Dataset, Engine, GenerateSpec, InstanceSpec, Query, Scenario, SignatureCheck, Simulator,
};

const MYSQL: &str = "11111111111111111111111111111111in01";
const SQLSERVER: &str = "44444444444444444444444444444444in04";

fn scenario() -> Scenario {
    Scenario {
        dataset: Dataset::generate(&GenerateSpec {
            instances: vec![
                InstanceSpec {
                    instance_id: MYSQL.into(),
                    engine: Engine::MySql,
                    auto: 250,
                    incremental: 40,
                },
                InstanceSpec {
                    instance_id: SQLSERVER.into(),
                    engine: Engine::SqlServer,
                    auto: 30,
                    incremental: 5,
                },
            ],
            seed: 42,
        }),
        ..Scenario::default()
    }
}

fn expected_ids(sim: &Simulator, query: &Query) -> Vec<String> {
    sim.dataset()
        .query(query)
        .iter()
        .map(|b| b.id.clone())
        .collect()
}

#[tokio::test]
async fn pages_cover_the_filtered_set_in_api_order() {
    let sim = Simulator::start(scenario()).await.expect("start");
    let expected = expected_ids(&sim, &Query::new(MYSQL, "auto"));
    assert_eq!(expected.len(), 250);

    let mut seen = Vec::new();
    for offset in ["0", "100", "200", "300"] {
        let page = list(
            &sim,
            &[
                ("instance_id", MYSQL),
                ("backup_type", "auto"),
                ("offset", offset),
            ],
        )
        .await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(page.json()["total_count"], 250);
        seen.extend(page_ids(&page));
    }
    assert_eq!(seen, expected);

    let small = list(
        &sim,
        &[
            ("instance_id", MYSQL),
            ("backup_type", "auto"),
            ("offset", "7"),
            ("limit", "3"),
        ],
    )
    .await;
    assert_eq!(page_ids(&small), expected[7..10]);
    assert_eq!(small.json()["total_count"], 250);
    sim.shutdown().await;
}

#[tokio::test]
async fn items_have_the_api_fields() {
    let sim = Simulator::start(scenario()).await.expect("start");
    let page = list(
        &sim,
        &[
            ("instance_id", SQLSERVER),
            ("backup_type", "auto"),
            ("limit", "1"),
        ],
    )
    .await;
    let item = &page.json()["backups"][0];
    let expected = sim.dataset().query(&Query::new(SQLSERVER, "auto"))[0].clone();
    assert_eq!(item["id"], expected.id.as_str());
    assert_eq!(item["type"], "auto");
    assert_eq!(item["datastore"]["type"], "sqlserver");
    assert!(item["databases"].is_array());
    assert!(item.get("associated_with_ddm").is_none());
    let served: rds_simulator::Backup =
        serde_json::from_value(item.clone()).expect("item deserializes as a Backup");
    assert_eq!(served, expected);

    let mysql = list(
        &sim,
        &[
            ("instance_id", MYSQL),
            ("backup_type", "incremental"),
            ("limit", "1"),
        ],
    )
    .await;
    let item = &mysql.json()["backups"][0];
    assert_eq!(item["type"], "incremental");
    assert_eq!(item["datastore"]["type"], "MySQL");
    assert!(item["associated_with_ddm"].is_boolean());
    assert!(item.get("databases").is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn filters_by_backup_id_type_and_unknown_instance() {
    let sim = Simulator::start(scenario()).await.expect("start");
    let target = sim.dataset().query(&Query::new(MYSQL, "auto"))[5]
        .id
        .clone();
    let by_id = list(
        &sim,
        &[
            ("instance_id", MYSQL),
            ("backup_type", "auto"),
            ("backup_id", &target),
        ],
    )
    .await;
    assert_eq!(page_ids(&by_id), std::slice::from_ref(&target));
    assert_eq!(by_id.json()["total_count"], 1);

    // The id of an auto backup is not found among incremental ones.
    let wrong_type = list(
        &sim,
        &[
            ("instance_id", MYSQL),
            ("backup_type", "incremental"),
            ("backup_id", &target),
        ],
    )
    .await;
    assert_eq!(wrong_type.json()["total_count"], 0);

    let unknown = list(&sim, &[("instance_id", "nope"), ("backup_type", "auto")]).await;
    assert_eq!(unknown.status, 200);
    assert_eq!(
        unknown.json(),
        serde_json::json!({"backups": [], "total_count": 0})
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn time_window_compares_instants_across_offsets() {
    let sim = Simulator::start(scenario()).await.expect("start");
    let all = sim.dataset().query(&Query::new(MYSQL, "auto"));
    // Window from the 20th newest to the 10th newest backup, written in two different offsets.
    let begin_utc = rds_simulator::parse_api_time(&all[19].begin_time).expect("time");
    let end_utc = rds_simulator::parse_api_time(&all[10].begin_time).expect("time");
    let begin = rds_simulator::format_api_time(begin_utc, time::macros::offset!(+8));
    let end = rds_simulator::format_api_time(end_utc, time::UtcOffset::UTC);
    let query = Query {
        begin_time: Some(begin.clone()),
        end_time: Some(end.clone()),
        ..Query::new(MYSQL, "auto")
    };
    let expected = expected_ids(&sim, &query);
    assert_eq!(
        expected,
        all[10..20].iter().map(|b| b.id.clone()).collect::<Vec<_>>()
    );

    let page = list(
        &sim,
        &[
            ("instance_id", MYSQL),
            ("backup_type", "auto"),
            ("begin_time", &begin),
            ("end_time", &end),
        ],
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page_ids(&page), expected);
    assert_eq!(page.json()["total_count"], 10);
    sim.shutdown().await;
}

#[tokio::test]
async fn invalid_parameters_answer_400_naming_them() {
    let sim = Simulator::start(scenario()).await.expect("start");
    let base = [("instance_id", MYSQL), ("backup_type", "auto")];
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("limit", "0")], "limit"),
        (vec![("limit", "101")], "limit"),
        (vec![("limit", "-1")], "limit"),
        (vec![("limit", "abc")], "limit"),
        (vec![("offset", "-1")], "offset"),
        (vec![("offset", "abc")], "offset"),
        (vec![("begin_time", "2026-11-20T00:00:00+0800")], "end_time"),
        (vec![("end_time", "2026-11-20T00:00:00+0800")], "begin_time"),
        (
            vec![
                ("begin_time", "2026-11-21T00:00:00+0800"),
                ("end_time", "2026-11-20T00:00:00+0800"),
            ],
            "end_time",
        ),
        (
            vec![
                ("begin_time", "2026-11-20"),
                ("end_time", "2026-11-21T00:00:00+0800"),
            ],
            "begin_time",
        ),
    ];
    for (extra, parameter) in cases {
        let mut query = base.to_vec();
        query.extend(extra.iter().copied());
        let answer = list(&sim, &query).await;
        assert_eq!(answer.status, 400, "{extra:?}: {}", answer.body);
        assert_eq!(answer.error_code(), "DBS.280001");
        assert!(
            answer.error_msg().contains(parameter),
            "{extra:?}: {} should name {parameter}",
            answer.error_msg()
        );
    }
    let no_type = list(&sim, &[("instance_id", MYSQL)]).await;
    assert_eq!(no_type.status, 400);
    assert!(no_type.error_msg().contains("backup_type"));
    let no_instance = list(&sim, &[("backup_type", "auto")]).await;
    assert!(no_instance.error_msg().contains("instance_id"));
    let bad_type = list(&sim, &[("instance_id", MYSQL), ("backup_type", "full")]).await;
    assert!(bad_type.error_msg().contains("backup_type"));
    sim.shutdown().await;
}

#[tokio::test]
async fn literal_plus_is_a_space_and_percent_2b_is_a_plus() {
    let scenario = Scenario {
        check_signatures: false,
        ..scenario()
    };
    let sim = Simulator::start(scenario).await.expect("start");
    let path = backups_path(&sim);
    let base = format!("instance_id={MYSQL}&backup_type=auto");

    let encoded = format!(
        "{base}&begin_time=2026-11-01T00%3A00%3A00%2B0800&end_time=2026-11-30T00%3A00%3A00%2B0800"
    );
    let ok = get_raw(&sim, &path, &encoded, &[], None)
        .await
        .expect("answer");
    assert_eq!(ok.status, 200, "{}", ok.body);

    let literal =
        format!("{base}&begin_time=2026-11-01T00:00:00+0800&end_time=2026-11-30T00:00:00%2B0800");
    let rejected = get_raw(&sim, &path, &literal, &[], None)
        .await
        .expect("answer");
    assert_eq!(rejected.status, 400);
    assert!(rejected.error_msg().contains("begin_time"));

    let log = sim.requests();
    assert_eq!(
        log[0].query_value("begin_time"),
        Some("2026-11-01T00:00:00+0800")
    );
    assert_eq!(
        log[1].query_value("begin_time"),
        Some("2026-11-01T00:00:00 0800")
    );
    assert_eq!(log[1].raw_query, literal);
    sim.shutdown().await;
}

#[tokio::test]
async fn unsigned_plus_signed_as_plus_fails_the_signature() {
    // A client that signs "+0800" but sends a raw '+' is caught by the signature check,
    // since the server reads a space.
    let sim = Simulator::start(scenario()).await.expect("start");
    let path = backups_path(&sim);
    let sent = pairs(&[
        ("instance_id", MYSQL),
        ("backup_type", "auto"),
        ("begin_time", "2026-11-01T00:00:00+0800"),
        ("end_time", "2026-11-30T00:00:00+0800"),
    ]);
    let raw = format!(
        "instance_id={MYSQL}&backup_type=auto&begin_time=2026-11-01T00:00:00+0800&end_time=2026-11-30T00:00:00+0800"
    );
    let signing = Signing::for_config(sim.scenario());
    let answer = get_raw(&sim, &path, &raw, &sent, Some(&signing))
        .await
        .expect("answer");
    assert_eq!(answer.status, 401);
    assert_eq!(answer.error_code(), "APIG.0301");
    sim.shutdown().await;
}

#[tokio::test]
async fn project_must_match_configuration_and_header() {
    let sim = Simulator::start(scenario()).await.expect("start");
    let query = pairs(&[("instance_id", MYSQL), ("backup_type", "auto")]);
    let other = get_signed(
        &sim,
        "/v3/ffffffffffffffffffffffffffffffff/offsite-backups",
        &query,
    )
    .await;
    assert_eq!(other.status, 404);
    assert!(
        other
            .error_msg()
            .contains("ffffffffffffffffffffffffffffffff")
    );

    let mut signing = Signing::for_config(sim.scenario());
    signing.extra_headers = vec![("x-project-id".into(), "0000".into())];
    let path = backups_path(&sim);
    let mismatch = get_raw(
        &sim,
        &path,
        &hwcloud::signing::canonical_query(&query),
        &query,
        Some(&signing),
    )
    .await
    .expect("answer");
    assert_eq!(mismatch.status, 400);
    assert!(mismatch.error_msg().contains("project_id"));

    let unknown_api = get_signed(&sim, "/v3/projects/abc/instances", &[]).await;
    assert_eq!(unknown_api.status, 404);
    assert_eq!(unknown_api.error_code(), "APIGW.0101");
    sim.shutdown().await;
}

/// Each region has its own project; the endpoint accepts any known region's project (one
/// dataset for all), the header must name the path's project, and the log says whose it was.
#[tokio::test]
async fn every_region_has_its_own_project_and_the_log_names_it() {
    let sim = Simulator::start(Scenario {
        regions: vec!["cn-north-4".into(), "ap-southeast-1".into()],
        ..scenario()
    })
    .await
    .expect("start");
    let default_project = sim.scenario().project_id_for("cn-north-4").expect("known");
    let other_project = sim
        .scenario()
        .project_id_for("ap-southeast-1")
        .expect("known");
    assert_eq!(default_project, sim.scenario().project_id);
    assert_ne!(other_project, default_project);
    let query = pairs(&[("instance_id", MYSQL), ("backup_type", "auto")]);
    let send = async |path_project: &str, header_project: &str| {
        let mut signing = Signing::for_config(sim.scenario());
        signing.extra_headers = vec![("x-project-id".into(), header_project.to_owned())];
        get_raw(
            &sim,
            &format!("/v3/{path_project}/offsite-backups"),
            &hwcloud::signing::canonical_query(&query),
            &query,
            Some(&signing),
        )
        .await
        .expect("answer")
    };

    let default_answer = send(&default_project, &default_project).await;
    let other_answer = send(&other_project, &other_project).await;
    assert_eq!(default_answer.status, 200, "{}", default_answer.body);
    assert_eq!(other_answer.status, 200, "{}", other_answer.body);
    assert_eq!(page_ids(&other_answer), page_ids(&default_answer));
    let mismatch = send(&other_project, &default_project).await;
    assert_eq!(mismatch.status, 400);
    assert!(mismatch.error_msg().contains("X-Project-Id"));
    let elsewhere = rds_simulator::derived_project_id("eu-west-101");
    let unknown = send(&elsewhere, &elsewhere).await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.error_msg().contains(&elsewhere));

    let regions: Vec<Option<String>> = sim
        .requests()
        .into_iter()
        .map(|r| r.project_region)
        .collect();
    assert_eq!(
        regions,
        [
            Some("cn-north-4".to_owned()),
            Some("ap-southeast-1".to_owned()),
            Some("ap-southeast-1".to_owned()),
            None
        ]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn request_log_and_request_ids() {
    let sim = Simulator::start(scenario()).await.expect("start");
    let first = list(
        &sim,
        &[
            ("instance_id", MYSQL),
            ("backup_type", "auto"),
            ("limit", "2"),
        ],
    )
    .await;
    let second = list(
        &sim,
        &[
            ("instance_id", MYSQL),
            ("backup_type", "auto"),
            ("limit", "0"),
        ],
    )
    .await;
    let ids = [first.request_id.clone(), second.request_id.clone()];
    for id in &ids {
        let id = id.as_deref().expect("X-Request-Id on every answer");
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }
    assert_ne!(ids[0], ids[1]);

    let log = sim.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].path, backups_path(&sim));
    assert_eq!(log[0].status, 200);
    assert_eq!(log[0].signature, SignatureCheck::Valid);
    assert_eq!(log[0].access_key.as_deref(), Some("SIMULATORAK"));
    assert_eq!(log[0].signed_headers, ["host", "x-sdk-date"]);
    assert_eq!(log[0].query_value("limit"), Some("2"));
    assert_eq!(log[0].fault, None);
    assert_eq!(log[0].project_region.as_deref(), Some("cn-north-4"));
    assert!(log[0].raw_query.contains("backup_type=auto"));
    assert_eq!(log[1].status, 400);
    sim.clear_requests();
    assert!(sim.requests().is_empty());
    sim.shutdown().await;
}
