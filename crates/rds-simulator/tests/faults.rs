//! Each injected fault, as a client sees it and as the request log records it.

mod common;

use std::time::{Duration, Instant};

use common::{Signing, backups_path, get_raw, list, page_ids};
use rds_simulator::{
    DEMO_MYSQL_INSTANCE_ID as MYSQL, FailSpec, Faults, Query, Scenario, Simulator, TotalCountChange,
};

async fn start(faults: Faults) -> Simulator {
    Simulator::start(Scenario {
        faults,
        ..Scenario::default()
    })
    .await
    .expect("start")
}

fn page(offset: &str) -> [(&'static str, String); 4] {
    [
        ("instance_id", MYSQL.to_owned()),
        ("backup_type", "auto".to_owned()),
        ("offset", offset.to_owned()),
        ("limit", "50".to_owned()),
    ]
}

async fn list_page(sim: &Simulator, offset: &str) -> common::Answer {
    let query = page(offset);
    let borrowed: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
    list(sim, &borrowed).await
}

#[tokio::test]
async fn fail_first_answers_statuses_in_order_then_recovers() {
    let sim = start(Faults {
        fail_first: vec![
            FailSpec {
                status: 503,
                count: 2,
                retry_after: Some(1),
            },
            FailSpec {
                status: 429,
                count: 1,
                retry_after: None,
            },
        ],
        ..Faults::default()
    })
    .await;
    let first = list_page(&sim, "0").await;
    assert_eq!(first.status, 503);
    assert_eq!(first.retry_after.as_deref(), Some("1"));
    assert_eq!(first.error_code(), "APIG.0202");
    assert!(first.request_id.is_some());
    assert_eq!(list_page(&sim, "0").await.status, 503);
    let throttled = list_page(&sim, "0").await;
    assert_eq!(throttled.status, 429);
    assert_eq!(
        throttled.json(),
        serde_json::json!({
            "error_code": "APIGW.0308",
            "error_msg": "The throttling threshold has been reached: policy user over ratelimit,limit:200,time:5 minute"
        })
    );
    assert_eq!(list_page(&sim, "0").await.status, 200);
    let faults: Vec<_> = sim.requests().into_iter().map(|r| r.fault).collect();
    assert_eq!(
        faults,
        [
            Some("fail-first 503".to_owned()),
            Some("fail-first 503".to_owned()),
            Some("fail-first 429".to_owned()),
            None
        ]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn fail_fraction_is_seeded_and_roughly_proportional() {
    async fn statuses(seed: u64) -> Vec<u16> {
        let sim = start(Faults {
            fail_fraction: Some((0.5, 500)),
            seed,
            ..Faults::default()
        })
        .await;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(list_page(&sim, "0").await.status);
        }
        let logged = sim.requests().iter().filter(|r| r.fault.is_some()).count();
        assert_eq!(logged, statuses.iter().filter(|s| **s == 500).count());
        sim.shutdown().await;
        statuses
    }
    let first = statuses(9).await;
    assert_eq!(first, statuses(9).await, "same seed, same failures");
    let failures = first.iter().filter(|s| **s == 500).count();
    assert!((5..=35).contains(&failures), "{failures} of 40 failed");
    assert!(first.iter().all(|s| *s == 200 || *s == 500));
}

#[tokio::test]
async fn fail_fraction_carries_retry_after_when_configured() {
    for retry_after in [Some(3), None] {
        let sim = start(Faults {
            fail_fraction: Some((1.0, 429)),
            fail_fraction_retry_after: retry_after,
            ..Faults::default()
        })
        .await;
        let answer = list_page(&sim, "0").await;
        assert_eq!(answer.status, 429);
        assert_eq!(answer.error_code(), "APIGW.0308");
        assert_eq!(
            answer.retry_after,
            retry_after.map(|secs: u32| secs.to_string())
        );
        assert_eq!(
            sim.requests()[0].fault.as_deref(),
            Some("fail-fraction 429")
        );
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn malformed_json_every_time_or_once() {
    for once in [false, true] {
        let sim = start(Faults {
            malformed_json_at_offset: Some(50),
            malformed_json_once: once,
            ..Faults::default()
        })
        .await;
        assert_eq!(page_ids(&list_page(&sim, "0").await).len(), 50);
        let broken = list_page(&sim, "50").await;
        assert_eq!(broken.status, 200);
        assert!(serde_json::from_str::<serde_json::Value>(&broken.body).is_err());
        assert!(broken.body.starts_with("{\"backups\":["));
        let again = list_page(&sim, "50").await;
        let again_ok = serde_json::from_str::<serde_json::Value>(&again.body).is_ok();
        assert_eq!(again_ok, once, "once={once}");
        assert_eq!(sim.requests()[1].fault.as_deref(), Some("malformed-json"));
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn dropped_connection_gives_no_http_response() {
    let sim = start(Faults {
        drop_connection_at_offset: Some((50, 2)),
        ..Faults::default()
    })
    .await;
    assert_eq!(list_page(&sim, "0").await.status, 200);
    for _ in 0..2 {
        let query = page("50");
        let pairs: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let signing = common::Signing::for_config(sim.scenario());
        let result = get_raw(
            &sim,
            &backups_path(&sim),
            &hwcloud::signing::canonical_query(&pairs),
            &pairs,
            Some(&signing),
        )
        .await;
        let error = match result {
            Ok(answer) => panic!("expected a connection error, got HTTP {}", answer.status),
            Err(error) => error,
        };
        assert!(error.status().is_none(), "{error}");
    }
    assert_eq!(list_page(&sim, "50").await.status, 200);
    let log = sim.requests();
    assert_eq!(log.len(), 4);
    assert_eq!(log[1].status, 0);
    assert_eq!(log[1].fault.as_deref(), Some("drop-connection"));
    assert_eq!(log[2].fault.as_deref(), Some("drop-connection"));
    assert_eq!(log[3].fault, None);
    sim.shutdown().await;
}

#[tokio::test]
async fn total_count_grows_after_the_first_page() {
    let sim = start(Faults {
        total_count_change: Some(TotalCountChange { inserted: 3 }),
        ..Faults::default()
    })
    .await;
    let query = Query::new(MYSQL, "auto");
    let original: Vec<String> = sim
        .dataset()
        .query(&query)
        .iter()
        .map(|b| b.id.clone())
        .collect();
    let first = list_page(&sim, "0").await;
    assert_eq!(first.json()["total_count"], 120);
    assert_eq!(page_ids(&first), original[..50]);

    let second = list_page(&sim, "50").await;
    assert_eq!(second.json()["total_count"], 123);
    // Three new backups at the head shift everything by three.
    assert_eq!(page_ids(&second), original[47..97]);

    let now = sim.current_listing(&query);
    assert_eq!(now.len(), 123);
    assert!(now[..3].iter().all(|b| !original.contains(&b.id)));
    let newest = rds_simulator::parse_api_time(&now[0].begin_time);
    let previous_head = rds_simulator::parse_api_time(&now[3].begin_time);
    assert!(newest > previous_head);
    sim.shutdown().await;
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let sim = start(Faults {
        latency: Duration::from_millis(200),
        ..Faults::default()
    })
    .await;
    let started = Instant::now();
    assert_eq!(list_page(&sim, "0").await.status, 200);
    // A lower bound only: sleeping guarantees at least the latency, whatever the machine load.
    assert!(started.elapsed() >= Duration::from_millis(200));
    sim.shutdown().await;
}

#[tokio::test]
async fn hostile_error_bodies_carry_terminal_controls_and_a_fake_block() {
    let sim = start(Faults {
        hostile_error_status: Some(403),
        ..Faults::default()
    })
    .await;
    let answer = list_page(&sim, "0").await;
    assert_eq!(answer.status, 403);
    let message = answer.error_msg();
    for control in ['\x1b', '\x07', '\r', '\n'] {
        assert!(
            message.contains(control),
            "{control:?} missing: {message:?}"
        );
    }
    assert!(message.contains("Apply complete!"), "{message:?}");
    assert!(message.contains("\n\nError: "), "{message:?}");
    assert!(answer.error_code().contains('\x1b'));
    assert_eq!(sim.requests()[0].fault.as_deref(), Some("hostile-error"));
}

#[tokio::test]
async fn echoing_errors_quote_the_request_headers() {
    let sim = start(Faults {
        echo_headers_status: Some(401),
        ..Faults::default()
    })
    .await;
    let query: Vec<(String, String)> = page("0")
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let mut signing = Signing::for_config(sim.scenario());
    signing.extra_headers = vec![("x-security-token".into(), "the-token-123".into())];
    let answer = get_raw(
        &sim,
        &backups_path(&sim),
        &hwcloud::signing::canonical_query(&query),
        &query,
        Some(&signing),
    )
    .await
    .expect("an answer");
    assert_eq!(answer.status, 401);
    let message = answer.error_msg();
    assert!(
        message.contains("Authorization: SDK-HMAC-SHA256 Access="),
        "{message}"
    );
    assert!(message.contains("Signature="), "{message}");
    assert!(
        message.contains("X-Security-Token: the-token-123"),
        "{message}"
    );
    assert_eq!(sim.requests()[0].fault.as_deref(), Some("echo-headers"));
}

#[tokio::test]
async fn trickled_pages_arrive_whole_but_slowly() {
    let sim = start(Faults {
        trickle: Some(Duration::from_millis(1)),
        ..Faults::default()
    })
    .await;
    // A page of 2 backups: a few hundred bytes, one per millisecond.
    let answer = list(
        &sim,
        &[
            ("instance_id", MYSQL),
            ("backup_type", "auto"),
            ("offset", "0"),
            ("limit", "2"),
        ],
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(page_ids(&answer).len(), 2);
    assert_eq!(sim.requests()[0].fault.as_deref(), Some("trickle"));
}

#[tokio::test]
async fn a_trickled_body_outlasts_a_short_client_timeout() {
    let sim = start(Faults {
        trickle: Some(Duration::from_secs(1)),
        ..Faults::default()
    })
    .await;
    let query: Vec<(String, String)> = page("0")
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let url = format!(
        "{}{}?{}",
        sim.base_url(),
        backups_path(&sim),
        hwcloud::signing::canonical_query(&query)
    );
    // Unsigned: the answer is a 401 sent at once, not trickled; trickling needs a page.
    let response = common::client().get(&url).send().await.expect("answer");
    assert_eq!(response.status().as_u16(), 401);
    let signing = Signing::for_config(sim.scenario());
    let slow = tokio::time::timeout(
        Duration::from_secs(2),
        get_raw(
            &sim,
            &backups_path(&sim),
            &hwcloud::signing::canonical_query(&query),
            &query,
            Some(&signing),
        ),
    )
    .await;
    assert!(slow.is_err(), "a page of 50 backups took less than 2 s");
}

#[tokio::test]
async fn padded_pages_are_still_pages() {
    let sim = start(Faults {
        pad_pages_to: Some(100_000),
        ..Faults::default()
    })
    .await;
    let answer = list_page(&sim, "0").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.len(), 100_000);
    assert_eq!(page_ids(&answer).len(), 50);
    assert_eq!(sim.requests()[0].fault.as_deref(), Some("padded"));
}
