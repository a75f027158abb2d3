//! `GET /v3/{project_id}/instances/{instance_id}/offsite-restore-time`: windows of a small
//! hand-written dataset (values computed by hand, checked with `date -u -d @SECONDS`), date
//! clipping, validation, the unknown instance, and the fault classes on this route.

mod common;
#[path = "common/restore_dataset.rs"]
mod restore_dataset;

use common::{Signing, get_raw, get_signed, pairs};
use rds_simulator::{FailSpec, Faults, PageBody, PageOffsets, Scenario, SignatureCheck, Simulator};
use restore_dataset::{INSTANCE, NO_WINDOW, dataset};

async fn start(faults: Faults) -> Simulator {
    Simulator::start(Scenario {
        dataset: dataset(),
        faults,
        ..Scenario::default()
    })
    .await
    .expect("start")
}

fn path(sim: &Simulator, instance: &str) -> String {
    format!(
        "/v3/{}/instances/{instance}/offsite-restore-time",
        sim.scenario().project_id
    )
}

async fn read(sim: &Simulator, instance: &str, date: Option<&str>) -> common::Answer {
    let query: Vec<(&str, &str)> = date.map(|d| ("date", d)).into_iter().collect();
    get_signed(sim, &path(sim, instance), &pairs(&query)).await
}

#[tokio::test]
async fn windows_whole_and_clipped_to_a_utc_day() {
    let sim = start(Faults::default()).await;
    for (date, expected) in [
        (
            None,
            r#"{"restore_time":[{"start_time":1795572000000,"end_time":1795687500000},{"start_time":1795869930000,"end_time":1795940400000}]}"#,
        ),
        // 2026-11-25T02:00:00Z .. 2026-11-25T23:59:59.999Z
        (
            Some("2026-11-25"),
            r#"{"restore_time":[{"start_time":1795572000000,"end_time":1795651199999}]}"#,
        ),
        // 2026-11-26T00:00:00Z .. 2026-11-26T10:05:00Z
        (
            Some("2026-11-26"),
            r#"{"restore_time":[{"start_time":1795651200000,"end_time":1795687500000}]}"#,
        ),
        (Some("2026-11-27"), r#"{"restore_time":[]}"#),
    ] {
        let answer = read(&sim, INSTANCE, date).await;
        assert_eq!(answer.status, 200, "{date:?}: {}", answer.body);
        assert_eq!(answer.body, expected, "{date:?}");
    }
    let none = read(&sim, NO_WINDOW, None).await;
    assert_eq!(
        (none.status, none.body.as_str()),
        (200, r#"{"restore_time":[]}"#)
    );

    let log = sim.requests();
    assert!(log.iter().all(|r| r.signature == SignatureCheck::Valid));
    assert_eq!(log[1].query_value("date"), Some("2026-11-25"));
    assert_eq!(log[0].project_region.as_deref(), Some("cn-north-4"));
    sim.shutdown().await;
}

#[tokio::test]
async fn an_unknown_instance_is_a_404() {
    let sim = start(Faults::default()).await;
    let answer = read(&sim, "ffffffffffffffffffffffffffffffffin01", None).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.error_code(), "DBS.200002");
    assert_eq!(answer.error_msg(), "The DB instance does not exist.");
    assert!(answer.request_id.is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn dates_must_be_real_yyyy_mm_dd_days() {
    let sim = start(Faults::default()).await;
    for bad in [
        "2026-02-30",
        "2026-13-01",
        "2026-11-5",
        "2026-11-25T00:00:00Z",
        "25.11.2026",
    ] {
        let answer = read(&sim, INSTANCE, Some(bad)).await;
        assert_eq!(answer.status, 400, "{bad}");
        assert_eq!(answer.error_code(), "DBS.280001", "{bad}");
        assert!(
            answer.error_msg().starts_with("Invalid parameter: date."),
            "{bad}"
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn the_project_must_be_known_and_match_the_header() {
    let sim = start(Faults::default()).await;
    let unknown = "ffffffffffffffffffffffffffffffff";
    let path = format!("/v3/{unknown}/instances/{INSTANCE}/offsite-restore-time");
    let answer = get_signed(&sim, &path, &[]).await;
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (404, "DBS.280238")
    );
    // The source region is known, but the backups (and so the windows) are in the backup
    // region only: there the instance does not exist.
    let source = rds_simulator::derived_project_id(rds_simulator::DEFAULT_SOURCE_REGION);
    let path = format!("/v3/{source}/instances/{INSTANCE}/offsite-restore-time");
    let answer = get_signed(&sim, &path, &[]).await;
    assert_eq!(
        (answer.status, answer.error_code().as_str()),
        (404, "DBS.200002")
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn error_statuses_then_the_answer() {
    let sim = start(Faults {
        fail_first: vec![FailSpec {
            status: 503,
            count: 2,
            retry_after: Some(1),
        }],
        ..Faults::default()
    })
    .await;
    for _ in 0..2 {
        let answer = read(&sim, INSTANCE, None).await;
        assert_eq!(answer.status, 503);
        assert_eq!(answer.retry_after.as_deref(), Some("1"));
    }
    assert_eq!(read(&sim, INSTANCE, None).await.status, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn body_faults_aim_at_offset_zero() {
    let sim = start(Faults {
        malformed_json_at_offset: Some(0),
        malformed_json_once: true,
        ..Faults::default()
    })
    .await;
    let malformed = read(&sim, INSTANCE, Some("2026-11-26")).await;
    assert_eq!(malformed.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&malformed.body).is_err());
    assert!(
        r#"{"restore_time":[{"start_time":1795651200000,"end_time":1795687500000}]}"#
            .starts_with(&malformed.body)
    );
    assert_eq!(sim.requests()[0].fault.as_deref(), Some("malformed-json"));
    assert_eq!(
        read(&sim, INSTANCE, Some("2026-11-26")).await.json()["restore_time"][0]["end_time"],
        1_795_687_500_000_i64
    );
    sim.shutdown().await;

    let sim = start(Faults {
        page_bodies: vec![PageBody::new(PageOffsets::At(0), r#"{"backups":[]}"#)],
        ..Faults::default()
    })
    .await;
    let answer = read(&sim, INSTANCE, None).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, r#"{"backups":[]}"#)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn dropped_connections_and_hostile_or_echoing_errors() {
    let sim = start(Faults {
        drop_connection_at_offset: Some((0, 1)),
        ..Faults::default()
    })
    .await;
    let signing = Signing::for_config(sim.scenario());
    let dropped = get_raw(&sim, &path(&sim, INSTANCE), "", &[], Some(&signing)).await;
    assert!(dropped.is_err(), "the first answer is a closed connection");
    assert_eq!(read(&sim, INSTANCE, None).await.status, 200);
    sim.shutdown().await;

    let sim = start(Faults {
        hostile_error_status: Some(500),
        ..Faults::default()
    })
    .await;
    let answer = read(&sim, INSTANCE, None).await;
    assert_eq!(answer.status, 500);
    assert!(answer.error_msg().contains("Apply complete!"));
    sim.shutdown().await;

    let sim = start(Faults {
        echo_headers_status: Some(502),
        ..Faults::default()
    })
    .await;
    let answer = read(&sim, INSTANCE, None).await;
    assert_eq!(answer.status, 502);
    assert!(
        answer
            .error_msg()
            .contains("Authorization: SDK-HMAC-SHA256 Access=")
    );
    sim.shutdown().await;
}

#[test]
fn help_documents_the_route() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rds-api-simulator"))
        .arg("--help")
        .output()
        .expect("run --help");
    let help = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "/v3/{project_id}/instances/{instance_id}/offsite-restore-time[?date=yyyy-mm-dd]",
        "ListOffSiteRestoreTimes",
        "404 DBS.200002",
    ] {
        assert!(help.contains(expected), "--help lacks {expected}: {help}");
    }
}
