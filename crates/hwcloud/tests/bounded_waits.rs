//! Every wait of a call is bounded: by the call's deadline (`CallOptions::timeout`), by the
//! per-attempt timeout (also while a body trickles in), and `Retry-After: 0` still backs off.
//!
//! These tests use real time with short limits; the elapsed time is never asserted, only
//! guarded against hangs (a call that ignored the bound would run into the guard).

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use futures::FutureExt;
use hwcloud::{CallOptions, CancellationToken, Client, ClientOptions, Error, OffsiteBackupQuery};
use support::{MockApi, REGION, Reply, stable_page};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const HANG_GUARD: Duration = Duration::from_secs(60);

fn query() -> OffsiteBackupQuery {
    OffsiteBackupQuery {
        instance_id: "inst1".into(),
        backup_type: "auto".into(),
        ..OffsiteBackupQuery::default()
    }
}

async fn list_error(client: &Client, timeout: Option<Duration>) -> Error {
    let options = CallOptions { timeout };
    let (query, cancel) = (query(), CancellationToken::new());
    let call = client.list_offsite_backups_with(REGION, &query, &options, &cancel);
    match tokio::time::timeout(HANG_GUARD, call).await {
        Ok(Ok(list)) => panic!("expected an error, got {} backups", list.backups.len()),
        Ok(Err(error)) => error,
        Err(_) => panic!("the list call was not bounded"),
    }
}

const THROTTLED: &str =
    r#"{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached"}"#;

#[tokio::test]
async fn retry_after_never_waits_past_the_deadline() {
    let server = MockApi::start(|_, _| {
        async { Reply::json(429, THROTTLED).with_header("retry-after", "300") }.boxed()
    })
    .await;
    let error = list_error(&server.client(), Some(Duration::from_secs(1))).await;
    let Error::DeadlineExceeded(deadline) = &error else {
        panic!("expected the deadline error, got {error:?}");
    };
    assert_eq!(deadline.request.offset, Some(0));
    assert_eq!(deadline.attempts, 1);
    assert_eq!(deadline.limit, Duration::from_secs(1));
    assert_eq!(
        deadline.last_outcome.as_deref(),
        Some("HTTP 429 APIGW.0308: The throttling threshold has been reached")
    );
    assert_eq!(
        error.summary(),
        "Huawei Cloud API read did not finish within 1s"
    );
    let detail = error.detail();
    assert!(
        detail.contains("The page at offset 0 was still pending when the time limit of 1s passed, after 1 attempt(s)."),
        "{detail}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn retry_after_zero_is_no_hot_loop() {
    let server = MockApi::start(|_, _| {
        async {
            Reply::json(503, r#"{"error_code":"APIG.0202","error_msg":"busy"}"#)
                .with_header("retry-after", "0")
        }
        .boxed()
    })
    .await;
    let options = ClientOptions {
        max_retries: hwcloud::MAX_RETRIES_LIMIT,
        ..server.options()
    };
    let client = Client::new(options).expect("client");
    let error = list_error(&client, Some(Duration::from_secs(1))).await;
    assert!(matches!(error, Error::DeadlineExceeded(_)), "{error:?}");
    // With the backoff (100-200 ms, then doubling) at most a handful of attempts fit in a
    // second; a client honouring `Retry-After: 0` literally would send hundreds.
    let sent = server.requests().len();
    assert!((2..=8).contains(&sent), "{sent} requests in one second");
}

#[tokio::test]
async fn the_deadline_covers_the_project_lookup() {
    let server = MockApi::start(|_, _| {
        async {
            Reply::json(503, r#"{"error_code":"APIG.0202","error_msg":"busy"}"#)
                .with_header("retry-after", "120")
        }
        .boxed()
    })
    .await;
    let mut options = server.options();
    options.project_ids.clear();
    let client = Client::new(options).expect("client");
    let error = list_error(&client, Some(Duration::from_millis(500))).await;
    let Error::DeadlineExceeded(deadline) = &error else {
        panic!("expected the deadline error, got {error:?}");
    };
    assert_eq!(deadline.request.path, "/v3/projects");
    assert_eq!(deadline.request.offset, None);
    assert!(
        error.detail().starts_with("The request was still pending"),
        "{}",
        error.detail()
    );
}

#[tokio::test]
async fn the_deadline_covers_waiting_for_another_calls_project_lookup() {
    // IAM is busy for a minute; the first call (no limit) starts the lookup, the second
    // call (1 s) finds it under way and must not wait for it beyond its own limit.
    let server = MockApi::start(|request, _| {
        let iam = request.path == "/v3/projects";
        async move {
            if iam {
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
            Reply::json(503, r#"{"error_code":"APIG.0202","error_msg":"busy"}"#)
        }
        .boxed()
    })
    .await;
    let mut options = server.options();
    options.project_ids.clear();
    options.request_timeout = Duration::from_secs(120);
    let client = Client::new(options).expect("client");
    let first_cancel = CancellationToken::new();
    let first = {
        let (client, cancel) = (client.clone(), first_cancel.clone());
        tokio::spawn(async move {
            let query = query();
            let options = CallOptions::default();
            client
                .list_offsite_backups_with(REGION, &query, &options, &cancel)
                .await
        })
    };
    // The second call starts once the first one's lookup is under way.
    while server.requests().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let error = list_error(&client, Some(Duration::from_secs(1))).await;
    let Error::DeadlineExceeded(deadline) = &error else {
        panic!("expected the deadline error, got {error:?}");
    };
    assert_eq!(deadline.request.path, "/v3/projects");
    assert_eq!(deadline.attempts, 0, "this call sent nothing itself");
    assert_eq!(server.requests().len(), 1, "one lookup for both calls");
    first_cancel.cancel();
    let first = first.await.expect("the first call ends");
    assert!(matches!(first, Err(Error::Cancelled)), "{first:?}");
}

/// A server that answers every connection with a 200 header announcing a large body, then
/// sends the body one byte per `every`.
async fn trickling_server(every: Duration) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 8192];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                loop {
                    if socket.write_all(b" ").await.is_err() {
                        return;
                    }
                    tokio::time::sleep(every).await;
                }
            });
        }
    });
    addr
}

fn client_of(addr: SocketAddr, request_timeout: Duration) -> Client {
    // MockApi's configuration, pointed at the trickling server.
    let url = format!("http://{addr}");
    let mut options = ClientOptions {
        request_timeout,
        max_retries: 0,
        ..ClientOptions::default()
    };
    options.credentials = hwcloud::Credentials {
        access_key: support::ACCESS_KEY.into(),
        secret_key: support::SECRET_KEY.into(),
        security_token: None,
    }
    .into();
    options.project_ids = [(REGION.to_owned(), support::PROJECT_ID.to_owned())].into();
    options.endpoints = hwcloud::Endpoints {
        rds: Some(url.clone()),
        iam: Some(url),
    };
    Client::new(options).expect("client")
}

#[tokio::test]
async fn a_trickling_body_cannot_stretch_an_attempt_past_its_timeout() {
    let addr = trickling_server(Duration::from_secs(1)).await;
    let client = client_of(addr, Duration::from_secs(2));
    // No call deadline: only the per-attempt timeout can end this (the body would take
    // 100,000 seconds).
    let error = list_error(&client, None).await;
    let Error::Transport(transport) = &error else {
        panic!("expected a transport timeout, got {error:?}");
    };
    assert!(transport.timed_out, "{transport:?}");
    assert_eq!(transport.request.offset, Some(0));
}

#[tokio::test]
async fn the_deadline_cuts_a_trickling_attempt() {
    let addr = trickling_server(Duration::from_secs(1)).await;
    let client = client_of(addr, Duration::from_secs(3600));
    let error = list_error(&client, Some(Duration::from_secs(2))).await;
    let Error::DeadlineExceeded(deadline) = &error else {
        panic!("expected the deadline error, got {error:?}");
    };
    assert_eq!(deadline.request.offset, Some(0));
    assert_eq!(deadline.attempts, 1);
    assert_eq!(
        deadline.last_outcome, None,
        "the only attempt never completed"
    );
}

#[tokio::test]
async fn a_read_within_its_deadline_succeeds() {
    let server = MockApi::start(|request, _| {
        async move { Reply::json(200, stable_page(250, request.offset())) }.boxed()
    })
    .await;
    let options = CallOptions {
        timeout: Some(Duration::from_secs(30)),
    };
    let list = server
        .client()
        .list_offsite_backups_with(REGION, &query(), &options, &CancellationToken::new())
        .await
        .expect("list");
    assert_eq!(list.backups.len(), 250);
}
