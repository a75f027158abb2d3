//! End-to-end behaviour of `Client::list_offsite_restore_times` (`ListOffSiteRestoreTimes`)
//! against a local mock API.

mod support;

use std::time::Duration;

use futures::FutureExt;
use hwcloud::{
    CallOptions, CancellationToken, Client, ClientOptions, Error, ErrorKind, OffsiteRestoreTime,
    OffsiteRestoreTimeQuery, OffsiteRestoreTimes,
};
use support::{MockApi, PROJECT_ID, REGION, Reply, cancelled_while_hanging};

/// Guard against hangs only; never used to assert how fast something is.
const HANG_GUARD: Duration = Duration::from_secs(60);
const INSTANCE: &str = "0c2e0c9f5f8d4b3a9a3c6e1f2d4b5a60in01";
const LOOKED_UP: &str = "5d3c2b1a5d3c2b1a5d3c2b1a5d3c2b1a";

fn query(date: Option<&str>) -> OffsiteRestoreTimeQuery {
    OffsiteRestoreTimeQuery {
        instance_id: INSTANCE.into(),
        date: date.map(str::to_owned),
    }
}

fn path(project_id: &str) -> String {
    format!("/v3/{project_id}/instances/{INSTANCE}/offsite-restore-time")
}

async fn call(
    client: &Client,
    query: &OffsiteRestoreTimeQuery,
    options: &CallOptions,
    cancel: &CancellationToken,
) -> Result<OffsiteRestoreTimes, Error> {
    tokio::time::timeout(
        HANG_GUARD,
        client.list_offsite_restore_times(REGION, query, options, cancel),
    )
    .await
    .expect("the call hung")
}

async fn read(server: &MockApi, date: Option<&str>) -> Result<OffsiteRestoreTimes, Error> {
    call(
        &server.client(),
        &query(date),
        &CallOptions::default(),
        &CancellationToken::new(),
    )
    .await
}

async fn answering(status: u16, body: &'static str) -> MockApi {
    MockApi::start(move |_, _| async move { Reply::json(status, body) }.boxed()).await
}

#[tokio::test]
async fn reads_the_windows_in_api_order_with_one_signed_request() {
    let server = answering(
        200,
        r#"{"restore_time":[{"start_time":1795572000000,"end_time":1795662000000},
            {"start_time":1795834800000,"end_time":1795834800000},{"end_time":9},{}]}"#,
    )
    .await;
    let answer = read(&server, None).await.expect("read");
    assert_eq!(answer.project_id, PROJECT_ID);
    assert_eq!(answer.requests, 1);
    assert_eq!(
        answer.restore_times,
        vec![
            OffsiteRestoreTime {
                start_time: Some(1_795_572_000_000),
                end_time: Some(1_795_662_000_000),
            },
            OffsiteRestoreTime {
                start_time: Some(1_795_834_800_000),
                end_time: Some(1_795_834_800_000),
            },
            // Absent fields stay absent.
            OffsiteRestoreTime {
                start_time: None,
                end_time: Some(9),
            },
            OffsiteRestoreTime::default(),
        ]
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, path(PROJECT_ID));
    assert_eq!(request.raw_query, "", "no date, no query");
    assert!(request.signature_valid, "{request:?}");
    assert_eq!(request.header("x-project-id"), Some(PROJECT_ID));
    assert!(request.signed_headers.contains(&"x-project-id".to_owned()));
}

#[tokio::test]
async fn the_date_is_sent_as_given() {
    let server = answering(200, r#"{"restore_time":[]}"#).await;
    let answer = read(&server, Some("2026-11-26")).await.expect("read");
    assert!(answer.restore_times.is_empty());
    let requests = server.requests();
    assert_eq!(requests[0].raw_query, "date=2026-11-26");
    assert!(requests[0].signature_valid);
}

#[tokio::test]
async fn bad_arguments_send_nothing() {
    let server = answering(200, r#"{"restore_time":[]}"#).await;
    for date in ["2026-02-30", "2026-11-26T00:00:00Z", "26-11-2026"] {
        let error = read(&server, Some(date)).await.expect_err(date);
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{error}");
        assert!(error.to_string().contains("date: "), "{error}");
    }
    let spaced = OffsiteRestoreTimeQuery {
        instance_id: "in 01".into(),
        date: None,
    };
    let error = call(
        &server.client(),
        &spaced,
        &CallOptions::default(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("whitespace in the id");
    assert!(error.to_string().contains("instance_id: "), "{error}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn the_project_id_is_looked_up_when_not_configured() {
    let server = MockApi::start(|request, _| {
        async move {
            if request.path == "/v3/projects" {
                Reply::json(
                    200,
                    format!(r#"{{"projects":[{{"id":"{LOOKED_UP}","name":"{REGION}"}}]}}"#),
                )
            } else {
                Reply::json(200, r#"{"restore_time":[{"start_time":1,"end_time":2}]}"#)
            }
        }
        .boxed()
    })
    .await;
    let mut options = server.options();
    options.project_ids.clear();
    let client = Client::new(options).expect("client");
    let (no_options, cancel) = (CallOptions::default(), CancellationToken::new());
    let answer = call(&client, &query(None), &no_options, &cancel)
        .await
        .expect("read");
    assert_eq!(answer.project_id, LOOKED_UP);
    assert_eq!(answer.requests, 2, "lookup and call");
    // Looked up once per region.
    let again = call(&client, &query(None), &no_options, &cancel)
        .await
        .expect("read");
    assert_eq!(again.requests, 1);
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/v3/projects", &path(LOOKED_UP), &path(LOOKED_UP)]);
}

#[tokio::test]
async fn an_unknown_instance_is_recognisable_and_not_retried() {
    let server = MockApi::start(|_, _| {
        async {
            Reply::json(
                404,
                r#"{"error_code":"DBS.200002","error_msg":"The DB instance does not exist."}"#,
            )
            .with_header("x-request-id", "req-404")
        }
        .boxed()
    })
    .await;
    let error = read(&server, None).await.expect_err("404");
    assert_eq!(server.requests().len(), 1);
    assert_eq!(error.kind(), ErrorKind::InstanceNotFound);
    assert_eq!(error.code(), Some(hwcloud::INSTANCE_NOT_FOUND_CODE));
    assert_eq!(
        error.summary(),
        "Huawei Cloud API error: HTTP 404 DBS.200002"
    );
    let detail = error.detail();
    assert!(
        detail.contains("The DB instance does not exist."),
        "{detail}"
    );
    assert!(detail.contains("req-404"), "{detail}");
    assert!(detail.contains(&path(PROJECT_ID)), "{detail}");

    // Another 404 (a wrong path, say) is not an unknown instance.
    let other = answering(
        404,
        r#"{"error_code":"APIGW.0101","error_msg":"The API does not exist"}"#,
    )
    .await;
    let error = read(&other, None).await.expect_err("404");
    assert_eq!(error.kind(), ErrorKind::OtherStatus);
}

#[tokio::test]
async fn error_statuses_are_retried() {
    let server = MockApi::start(|_, number| {
        async move {
            match number {
                0 => Reply::json(503, r#"{"error_code":"APIG.0202","error_msg":"busy"}"#)
                    .with_header("retry-after", "0"),
                1 => Reply::json(
                    429,
                    r#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#,
                )
                .with_header("retry-after", "0"),
                _ => Reply::json(200, r#"{"restore_time":[{"start_time":1,"end_time":2}]}"#),
            }
        }
        .boxed()
    })
    .await;
    let answer = read(&server, None).await.expect("read after retries");
    assert_eq!(answer.requests, 3);
    assert_eq!(answer.restore_times.len(), 1);

    let failing = answering(500, r#"{"error_code":"DBS.200001","error_msg":"Internal"}"#).await;
    let options = ClientOptions {
        max_retries: 1,
        ..failing.options()
    };
    let error = call(
        &Client::new(options).expect("client"),
        &query(None),
        &CallOptions::default(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("500 twice");
    assert_eq!(failing.requests().len(), 2);
    assert_eq!(
        error.summary(),
        "Huawei Cloud API error: HTTP 500 DBS.200001"
    );
    assert!(error.detail().contains("Attempts: 2"), "{}", error.detail());
}

#[tokio::test]
async fn answers_that_are_not_restore_times_are_decode_errors() {
    for (body, reason) in [
        ("{}", "missing field `restore_time`"),
        (
            r#"{"restore_time":{"start_time":1}}"#,
            "expected a sequence",
        ),
        (
            r#"{"backups":[],"total_count":0}"#,
            "missing field `restore_time`",
        ),
        (
            r#"{"restore_time":[{"start_time":"1"}]}"#,
            "non-negative integer",
        ),
        (
            r#"{"restore_time":[{"start_time":-5,"end_time":1}]}"#,
            "non-negative integer",
        ),
        (
            r#"{"restore_time":[{"start_time":1.5,"end_time":2}]}"#,
            "non-negative integer",
        ),
        (
            r#"{"restore_time":[{"start_time":1,"end_time":2},{"start_time":9,"end_time":3}]}"#,
            "restore_time[1] starts after it ends (start_time 9 > end_time 3)",
        ),
        (r#"{"restore_time":[{"start_time":1,"end_ti"#, "EOF"),
    ] {
        let server = MockApi::start(move |_, _| {
            async move { Reply::json(200, body).with_header("x-request-id", "req-dec") }.boxed()
        })
        .await;
        let error = read(&server, None).await.expect_err(body);
        assert_eq!(error.kind(), ErrorKind::Decode, "{body}");
        assert_eq!(error.status(), Some(200));
        assert_eq!(error.request_id(), Some("req-dec"));
        assert_eq!(
            error.summary(),
            "Huawei Cloud API error: could not decode the answer of ListOffSiteRestoreTimes"
        );
        let detail = error.detail();
        assert!(detail.contains(reason), "{body}: {detail}");
        assert!(
            detail.contains(&format!(
                "the body starts with: {}",
                &body[..body.len().min(20)]
            )),
            "{detail}"
        );
        assert!(detail.contains("(HTTP 200)"), "{detail}");
        assert!(detail.contains(&path(PROJECT_ID)), "{detail}");
        assert_eq!(server.requests().len(), 1, "a wrong answer is not retried");
    }
}

#[tokio::test]
async fn secrets_echoed_in_bodies_are_redacted() {
    let server = MockApi::start(|request, _| {
        async move {
            let authorization = request
                .header("authorization")
                .unwrap_or_default()
                .to_owned();
            Reply::json(
                200,
                format!(
                    r#"{{"restore_time":"{} {}"}}"#,
                    authorization,
                    support::SECRET_KEY
                ),
            )
        }
        .boxed()
    })
    .await;
    let error = read(&server, None).await.expect_err("not a list");
    let shown = format!("{error}\n{}\n{error:?}", error.detail());
    assert!(!shown.contains(support::SECRET_KEY), "{shown}");
    assert!(!shown.contains("Signature="), "{shown}");
}

#[tokio::test]
async fn the_deadline_bounds_the_call() {
    let server = MockApi::start(|_, _| {
        async {
            Reply::json(
                429,
                r#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#,
            )
            .with_header("retry-after", "300")
        }
        .boxed()
    })
    .await;
    let options = CallOptions {
        timeout: Some(Duration::from_millis(500)),
    };
    let error = call(
        &server.client(),
        &query(None),
        &options,
        &CancellationToken::new(),
    )
    .await
    .expect_err("deadline");
    let Error::DeadlineExceeded(deadline) = &error else {
        panic!("expected the deadline error, got {error:?}");
    };
    assert_eq!(deadline.request.path, path(PROJECT_ID));
    assert_eq!(deadline.request.offset, None);
    assert!(
        error.detail().starts_with("The request was still pending"),
        "{}",
        error.detail()
    );
}

#[tokio::test]
async fn cancellation_interrupts_a_hanging_request() {
    let result = cancelled_while_hanging(|client, cancel| async move {
        call(&client, &query(None), &CallOptions::default(), &cancel).await
    })
    .await;
    assert!(result.expect_err("cancelled").is_cancelled());
}
