//! End-to-end behaviour of `Client::list_offsite_backups` against a local mock API.

mod support;

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use hwcloud::{CancellationToken, Client, ClientOptions, OffsiteBackupQuery, WarningKind};
use support::{
    MockApi, PROJECT_ID, REGION, Reply, backup_id, cancelled_while_hanging, page_body, stable_page,
};
use tokio::sync::Barrier;

/// Guard against hangs only; never used to assert how fast something is.
const HANG_GUARD: Duration = Duration::from_secs(60);

fn query() -> OffsiteBackupQuery {
    OffsiteBackupQuery {
        instance_id: "inst1".into(),
        backup_type: "auto".into(),
        ..OffsiteBackupQuery::default()
    }
}

async fn stable_server(total: u64) -> MockApi {
    MockApi::start(move |request, _| {
        async move { Reply::json(200, stable_page(total, request.offset())) }.boxed()
    })
    .await
}

async fn list(client: &Client, query: &OffsiteBackupQuery) -> hwcloud::Error {
    match tokio::time::timeout(
        HANG_GUARD,
        client.list_offsite_backups(REGION, query, &CancellationToken::new()),
    )
    .await
    {
        Ok(Ok(list)) => panic!("expected an error, got {} backups", list.backups.len()),
        Ok(Err(e)) => e,
        Err(_) => panic!("list call hung"),
    }
}

#[tokio::test]
async fn reads_exactly_the_needed_pages() {
    for (total, expected_offsets) in [
        (0, vec![0]),
        (1, vec![0]),
        (100, vec![0]),
        (101, vec![0, 100]),
        (250, vec![0, 100, 200]),
    ] {
        let server = stable_server(total).await;
        let list = server
            .client()
            .list_offsite_backups(REGION, &query(), &CancellationToken::new())
            .await
            .expect("list");
        let requests = server.requests();
        let mut offsets: Vec<u64> = requests.iter().map(|r| r.offset()).collect();
        offsets.sort_unstable();
        assert_eq!(offsets, expected_offsets, "total {total}");
        assert_eq!(list.requests as usize, expected_offsets.len());
        assert_eq!(list.total_count, Some(total));
        assert_eq!(list.project_id, PROJECT_ID);
        assert!(list.warnings.is_empty(), "{:?}", list.warnings);
        let ids: Vec<String> = list.backups.iter().filter_map(|b| b.id.clone()).collect();
        assert_eq!(ids, (0..total).map(backup_id).collect::<Vec<_>>());
        for request in &requests {
            assert_eq!(request.method, "GET");
            assert_eq!(
                request.path,
                format!("/v3/{PROJECT_ID}/offsite-backups"),
                "path"
            );
            assert_eq!(request.param("limit"), Some("100"));
            assert_eq!(request.param("instance_id"), Some("inst1"));
            assert_eq!(request.param("backup_type"), Some("auto"));
            assert!(request.signature_valid, "signature of {request:?}");
        }
    }
}

#[tokio::test]
async fn requests_are_signed_and_carry_the_documented_headers() {
    let server = stable_server(1).await;
    let query = OffsiteBackupQuery {
        begin_time: Some("2018-08-06T10:41:14+0800".into()),
        end_time: Some("2018-08-16T10:41:14+0800".into()),
        backup_id: Some("bk1".into()),
        ..query()
    };
    let list = server
        .client()
        .list_offsite_backups(REGION, &query, &CancellationToken::new())
        .await
        .expect("list");
    assert_eq!(list.backups.len(), 1);
    let backup = &list.backups[0];
    assert_eq!(backup.size, Some(2803));
    assert_eq!(
        backup.datastore.as_ref().and_then(|d| d.engine.as_deref()),
        Some("MySQL")
    );

    let request = &server.requests()[0];
    assert!(request.signature_valid);
    assert_eq!(
        request.raw_query,
        "backup_id=bk1&backup_type=auto&begin_time=2018-08-06T10%3A41%3A14%2B0800\
         &end_time=2018-08-16T10%3A41%3A14%2B0800&instance_id=inst1&limit=100&offset=0"
    );
    assert_eq!(
        request.param("begin_time"),
        Some("2018-08-06T10:41:14+0800")
    );
    assert_eq!(
        request.signed_headers,
        ["host", "x-project-id", "x-sdk-date"]
    );
    assert_eq!(
        request.header("host"),
        Some(server.addr.to_string().as_str())
    );
    assert_eq!(request.header("x-project-id"), Some(PROJECT_ID));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("x-language"), Some("en-us"));
    assert_eq!(request.header("user-agent"), Some("hwcloud-tests/1"));
    assert_eq!(request.header("x-security-token"), None);
    let date = request.header("x-sdk-date").expect("date");
    assert!(hwcloud::signing::parse_sdk_date(date).is_some());
}

#[tokio::test]
async fn security_token_is_sent_and_signed() {
    let server = stable_server(1).await;
    let mut options = server.options();
    options.credentials = support::keys_with_token("temporary-token").into();
    let client = Client::new(options).expect("client");
    client
        .list_offsite_backups(REGION, &query(), &CancellationToken::new())
        .await
        .expect("list");
    let request = &server.requests()[0];
    assert!(request.signature_valid);
    assert_eq!(
        request.signed_headers,
        ["host", "x-project-id", "x-sdk-date", "x-security-token"]
    );
    assert_eq!(request.header("x-security-token"), Some("temporary-token"));
}

#[tokio::test]
async fn concurrent_pages_are_assembled_in_offset_order() {
    const TOTAL: u64 = 450; // pages 0..=400: the first alone, then 4 concurrent ones
    // The four later pages only answer once all four have arrived, which proves they were in
    // flight together; later offsets then answer first.
    let barrier = Arc::new(Barrier::new(4));
    let server = MockApi::start(move |request, _| {
        let barrier = Arc::clone(&barrier);
        async move {
            let offset = request.offset();
            if offset > 0 {
                let _ = tokio::time::timeout(HANG_GUARD, barrier.wait()).await;
                tokio::time::sleep(Duration::from_millis(5 * (500 - offset) / 100)).await;
            }
            Reply::json(200, stable_page(TOTAL, offset))
        }
        .boxed()
    })
    .await;
    let options = ClientOptions {
        max_concurrent_requests: 4,
        ..server.options()
    };
    let list = Client::new(options)
        .expect("client")
        .list_offsite_backups(REGION, &query(), &CancellationToken::new())
        .await
        .expect("list");
    let ids: Vec<String> = list.backups.iter().filter_map(|b| b.id.clone()).collect();
    assert_eq!(ids, (0..TOTAL).map(backup_id).collect::<Vec<_>>());
    assert_eq!(list.requests, 5);
    assert_eq!(server.max_in_flight(), 4);
}

#[tokio::test]
async fn concurrency_limit_is_respected() {
    let server = stable_server(1000).await;
    let options = ClientOptions {
        max_concurrent_requests: 2,
        ..server.options()
    };
    let list = Client::new(options)
        .expect("client")
        .list_offsite_backups(REGION, &query(), &CancellationToken::new())
        .await
        .expect("list");
    assert_eq!(list.backups.len(), 1000);
    assert_eq!(list.requests, 10);
    assert!(server.max_in_flight() <= 2);
}

#[tokio::test]
async fn service_unavailable_is_retried() {
    let server = MockApi::start(|request, number| {
        async move {
            match number {
                0 => Reply::json(503, r#"{"error_code":"SYS.0503","error_msg":"busy"}"#)
                    .with_header("retry-after", "0"),
                // Without Retry-After the client falls back to its own backoff.
                1 => Reply::json(502, "bad gateway"),
                _ => Reply::json(200, stable_page(3, request.offset())),
            }
        }
        .boxed()
    })
    .await;
    let list = server
        .client()
        .list_offsite_backups(REGION, &query(), &CancellationToken::new())
        .await
        .expect("list after retries");
    assert_eq!(list.backups.len(), 3);
    assert_eq!(list.requests, 3);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.signature_valid));
}

#[tokio::test]
async fn retries_stop_after_max_retries() {
    let server = MockApi::start(|_, _| {
        async {
            Reply::json(
                429,
                r#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#,
            )
            .with_header("retry-after", "0")
        }
        .boxed()
    })
    .await;
    let options = ClientOptions {
        max_retries: 2,
        ..server.options()
    };
    let err = list(&Client::new(options).expect("client"), &query()).await;
    assert_eq!(server.requests().len(), 3);
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.summary(), "Huawei Cloud API error: HTTP 429 APIGW.0308");
    assert!(err.detail().contains("Attempts: 3"));
}

#[tokio::test]
async fn unauthorized_is_not_retried_and_explained() {
    let server = MockApi::start(|_, _| {
        async {
            Reply::json(
                401,
                r#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail"}"#,
            )
            .with_header("x-request-id", "req-0301")
        }
        .boxed()
    })
    .await;
    let err = list(&server.client(), &query()).await;
    assert_eq!(server.requests().len(), 1);
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.summary(), "Huawei Cloud API error: HTTP 401 APIG.0301");
    let detail = err.detail();
    assert!(detail.contains("verify aksk signature fail"), "{detail}");
    assert!(detail.contains("req-0301"), "{detail}");
    assert!(detail.contains("15 minutes"), "{detail}");
    assert!(detail.contains("rds:backup:list"), "{detail}");
    assert!(detail.contains("(offset 0)"), "{detail}");
    assert!(!detail.contains(support::SECRET_KEY));
    assert!(!format!("{err:?}").contains(support::SECRET_KEY));
}

#[tokio::test]
async fn not_found_is_not_retried() {
    let server = MockApi::start(|_, _| {
        async {
            Reply::json(
                404,
                r#"{"error":{"code":"DBS.280234","message":"no instance"}}"#,
            )
        }
        .boxed()
    })
    .await;
    let err = list(&server.client(), &query()).await;
    assert_eq!(server.requests().len(), 1);
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code(), Some("DBS.280234"));
}

#[tokio::test]
async fn cancellation_interrupts_a_hanging_request() {
    let result = cancelled_while_hanging(|client, cancel| async move {
        client.list_offsite_backups(REGION, &query(), &cancel).await
    })
    .await;
    let err = result.expect_err("cancelled");
    assert!(err.is_cancelled(), "{err}");
}

#[tokio::test]
async fn cancellation_interrupts_retry_waits() {
    let server = MockApi::start(|_, _| {
        async { Reply::json(503, "busy").with_header("retry-after", "60") }.boxed()
    })
    .await;
    let client = server.client();
    let cancel = CancellationToken::new();
    let call = {
        let cancel = cancel.clone();
        tokio::spawn(async move { client.list_offsite_backups(REGION, &query(), &cancel).await })
    };
    // Wait until the first attempt has been answered, then cancel during the 60 s wait.
    while server.requests().is_empty() {
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    cancel.cancel();
    let result = tokio::time::timeout(HANG_GUARD, call)
        .await
        .expect("cancellation must end the wait")
        .expect("task");
    assert!(result.expect_err("cancelled").is_cancelled());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn changing_total_warns_and_drops_duplicates() {
    // The data set is b0001..=b0200 when the first page is served; then b0000 is created at
    // the front, so later pages are shifted by one and report 201.
    let server = MockApi::start(|request, number| {
        async move {
            let offset = request.offset();
            if number == 0 {
                return Reply::json(200, page_body(Some(200), (1..101).map(backup_id)));
            }
            let ids = (offset..(offset + 100).min(201)).map(backup_id);
            Reply::json(200, page_body(Some(201), ids))
        }
        .boxed()
    })
    .await;
    let list = server
        .client()
        .list_offsite_backups(REGION, &query(), &CancellationToken::new())
        .await
        .expect("list");
    assert_eq!(
        server.requests().len(),
        3,
        "offsets 0, 100 and then 200 for the grown total"
    );
    let ids: Vec<String> = list.backups.iter().filter_map(|b| b.id.clone()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no duplicates");
    assert_eq!(ids, (1..201).map(backup_id).collect::<Vec<_>>());
    assert_eq!(list.total_count, Some(200));
    assert_eq!(list.warnings.len(), 1, "{:?}", list.warnings);
    let warning = &list.warnings[0];
    assert_eq!(warning.kind, WarningKind::ListChanged);
    assert_eq!(warning.summary(), "Backups changed during the read");
    assert!(warning.detail.contains("200, 201"), "{warning:?}");
    assert!(warning.detail.contains(&backup_id(100)), "{warning:?}");
}

#[tokio::test]
async fn malformed_page_names_its_offset() {
    let server = MockApi::start(|request, _| {
        async move {
            match request.offset() {
                200 => Reply::json(200, r#"{"backups":[{"id":"#),
                offset => Reply::json(200, stable_page(250, offset)),
            }
        }
        .boxed()
    })
    .await;
    let err = list(&server.client(), &query()).await;
    let text = err.to_string();
    assert!(
        text.contains("could not decode page at offset 200"),
        "{text}"
    );
    assert!(err.detail().contains("(offset 200)"));
}

#[tokio::test]
async fn connection_failure_names_the_endpoint() {
    // Reserve a port, then free it so nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let server = stable_server(0).await;
    let mut options = server.options();
    options.endpoints.rds = Some(format!("http://{addr}"));
    options.max_retries = 1;
    let err = list(&Client::new(options).expect("client"), &query()).await;
    assert!(
        err.summary().contains(&addr.to_string()),
        "{}",
        err.summary()
    );
    assert!(err.detail().contains("Attempts: 2"), "{}", err.detail());
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn missing_total_count_is_reported_not_invented() {
    let server = MockApi::start(|request, _| {
        async move {
            let offset = request.offset();
            let end = (offset + 100).min(130);
            Reply::json(200, page_body(None, (offset..end).map(backup_id)))
        }
        .boxed()
    })
    .await;
    let list = server
        .client()
        .list_offsite_backups(REGION, &query(), &CancellationToken::new())
        .await
        .expect("list");
    assert_eq!(list.backups.len(), 130);
    assert_eq!(list.total_count, None);
    assert_eq!(list.warnings.len(), 1, "{:?}", list.warnings);
    assert_eq!(list.warnings[0].summary(), "Response without total_count");
    assert!(
        list.warnings[0].detail.contains("offset 0, 100"),
        "{:?}",
        list.warnings
    );
}

#[tokio::test]
async fn full_page_beyond_the_reported_total_is_read_on() {
    // Reports 150 but holds 250: the full page at 100 (reaching 200) would otherwise end the
    // read.
    let server = MockApi::start(|request, _| {
        async move {
            let offset = request.offset();
            let end = (offset + 100).min(250);
            Reply::json(
                200,
                page_body(Some(150), (offset.min(250)..end).map(backup_id)),
            )
        }
        .boxed()
    })
    .await;
    let list = server
        .client()
        .list_offsite_backups(REGION, &query(), &CancellationToken::new())
        .await
        .expect("list");
    assert_eq!(list.backups.len(), 250);
    assert_eq!(list.total_count, Some(150));
    let mut offsets: Vec<u64> = server.requests().iter().map(|r| r.offset()).collect();
    offsets.sort_unstable();
    assert_eq!(offsets, [0, 100, 200]);
    assert_eq!(list.warnings.len(), 1, "{:?}", list.warnings);
    assert_eq!(
        list.warnings[0].summary(),
        "API reported fewer backups than it returned"
    );
    assert!(
        list.warnings[0]
            .detail
            .contains("reported total_count 150 but returned more backups"),
        "{:?}",
        list.warnings
    );
}

/// The retry count is bounded where the client is built (it once could be `u32::MAX`, and a
/// test then showed that the arithmetic did not overflow); the largest accepted value works.
#[tokio::test]
async fn max_retries_beyond_the_limit_is_refused_and_the_limit_works() {
    let server = MockApi::start(|request, number| {
        async move {
            if number < 2 {
                Reply::json(503, r#"{"error_code":"SYS.0503","error_msg":"busy"}"#)
                    .with_header("retry-after", "0")
            } else {
                Reply::json(200, stable_page(3, request.offset()))
            }
        }
        .boxed()
    })
    .await;
    for too_many in [hwcloud::MAX_RETRIES_LIMIT + 1, u32::MAX] {
        let refused = Client::new(ClientOptions {
            max_retries: too_many,
            ..server.options()
        })
        .expect_err("more retries than the limit");
        assert!(
            refused
                .to_string()
                .contains("max_retries must be at most 20"),
            "{refused}"
        );
    }
    let options = ClientOptions {
        max_retries: hwcloud::MAX_RETRIES_LIMIT,
        ..server.options()
    };
    let list = tokio::time::timeout(
        HANG_GUARD,
        Client::new(options).expect("client").list_offsite_backups(
            REGION,
            &query(),
            &CancellationToken::new(),
        ),
    )
    .await
    .expect("no hang")
    .expect("list after two failures");
    assert_eq!(list.backups.len(), 3);
    assert_eq!(list.requests, 3);
}

#[tokio::test]
async fn throttling_holds_back_every_request_of_the_client() {
    // The first request is throttled for a whole gateway window; everything else succeeds.
    let server = MockApi::start(|request, number| {
        async move {
            if number == 0 {
                Reply::json(
                    429,
                    r#"{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:200,time:5 minute"}"#,
                )
                .with_header("retry-after", "300")
            } else {
                Reply::json(200, stable_page(3, request.offset()))
            }
        }
        .boxed()
    })
    .await;
    // Not retried, so the call returns the 429 at once and the order of events is causal: the
    // second call starts after the client has seen the 429.
    let options = ClientOptions {
        max_retries: 0,
        ..server.options()
    };
    let client = Client::new(options.clone()).expect("client");
    let err = list(&client, &query()).await;
    assert_eq!(err.status(), Some(429));
    assert_eq!(server.requests().len(), 1);

    // Another call of the same client holds back instead of sending (the gateway would only
    // throttle it too), and its wait is cancellable.
    let cancel = CancellationToken::new();
    let held_query = query();
    let held = client.list_offsite_backups(REGION, &held_query, &cancel);
    tokio::pin!(held);
    tokio::select! {
        result = &mut held => panic!("the held call completed: {result:?}"),
        // Long enough for an unthrottled call to have reached the server many times over; this
        // bounds nothing about the client's speed: the held call must not send at all.
        () = tokio::time::sleep(Duration::from_millis(300)) => {}
    }
    assert_eq!(server.requests().len(), 1, "no request during the hold");
    cancel.cancel();
    let result = tokio::time::timeout(HANG_GUARD, held)
        .await
        .expect("cancellation ends the wait");
    assert!(result.expect_err("cancelled").is_cancelled());
    assert_eq!(server.requests().len(), 1);

    // The hold belongs to that client: a new client of the same server is not held back.
    let fresh = Client::new(options).expect("client");
    let list = tokio::time::timeout(
        HANG_GUARD,
        fresh.list_offsite_backups(REGION, &query(), &CancellationToken::new()),
    )
    .await
    .expect("not held")
    .expect("list");
    assert_eq!(list.backups.len(), 3);
    assert_eq!(server.requests().len(), 2);
}
