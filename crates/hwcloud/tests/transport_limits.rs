//! Requests and answers beyond what HTTP or this API can carry are reported as what they are,
//! never as a network problem.

mod support;

use std::time::Duration;

use futures::FutureExt;
use hwcloud::{CancellationToken, Client, Error, OffsiteBackupQuery};
use support::{MockApi, REGION, Reply, stable_page};

const HANG_GUARD: Duration = Duration::from_secs(60);

fn query(instance_id: String) -> OffsiteBackupQuery {
    OffsiteBackupQuery {
        instance_id,
        backup_type: "auto".into(),
        ..OffsiteBackupQuery::default()
    }
}

async fn list_error(client: &Client, query: &OffsiteBackupQuery) -> Error {
    let cancel = CancellationToken::new();
    let call = client.list_offsite_backups(REGION, query, &cancel);
    match tokio::time::timeout(HANG_GUARD, call).await {
        Ok(Ok(list)) => panic!("expected an error, got {} backups", list.backups.len()),
        Ok(Err(error)) => error,
        Err(_) => panic!("the list call hung"),
    }
}

#[track_caller]
fn assert_not_a_network_problem(error: &Error) {
    let text = format!("{}\n{}", error.summary(), error.detail());
    assert!(!text.contains("Could not reach"), "{text}");
    assert!(!text.contains("network"), "{text}");
}

#[tokio::test]
async fn an_oversize_body_is_reported_as_such_and_not_retried() {
    let server = MockApi::start(|_, _| {
        async {
            Reply::json(
                200,
                format!("{{\"backups\":[\"{}\"]}}", "x".repeat(33 << 20)),
            )
        }
        .boxed()
    })
    .await;
    let error = list_error(&server.client(), &query("inst1".into())).await;
    assert!(matches!(error, Error::BodyTooLarge(_)), "{error:?}");
    assert_not_a_network_problem(&error);
    assert_eq!(error.status(), Some(200));
    assert!(
        error.detail().contains("exceeds 32 MiB"),
        "{}",
        error.detail()
    );
    assert_eq!(server.requests().len(), 1, "a body too large is final");
}

#[tokio::test]
async fn an_argument_too_long_for_a_url_is_not_sent() {
    let server = MockApi::start(|request, _| {
        async move { Reply::json(200, stable_page(1, request.offset())) }.boxed()
    })
    .await;
    let error = list_error(&server.client(), &query("i".repeat(70_000))).await;
    let Error::UrlTooLong(too_long) = &error else {
        panic!("expected UrlTooLong, got {error:?}");
    };
    assert!(too_long.length > 70_000, "{too_long:?}");
    assert_eq!(too_long.limit, 65_534);
    assert_not_a_network_problem(&error);
    let detail = error.detail();
    assert!(detail.contains("not sent"), "{detail}");
    assert!(
        !detail.contains("iiiiiiii"),
        "the query is not quoted back: {detail}"
    );
    assert!(server.requests().is_empty());

    // Just under the limit the request goes out.
    let list = server
        .client()
        .list_offsite_backups(
            REGION,
            &query("i".repeat(60_000)),
            &CancellationToken::new(),
        )
        .await
        .expect("a long but sendable id");
    assert_eq!(list.backups.len(), 1);
}

#[tokio::test]
async fn a_server_refusing_a_long_request_is_explained() {
    for status in [414, 431] {
        let server = MockApi::start(move |_, _| {
            async move { Reply::json(status, "<html>Request-URI Too Large</html>") }.boxed()
        })
        .await;
        let error = list_error(&server.client(), &query("inst1".into())).await;
        assert_eq!(error.status(), Some(status));
        assert_not_a_network_problem(&error);
        let detail = error.detail();
        assert!(
            detail.contains("refused the request as too large"),
            "{detail}"
        );
        assert_eq!(server.requests().len(), 1, "not retried");
    }
}
