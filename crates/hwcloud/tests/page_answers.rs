//! A successful HTTP answer is a result only when it is a page of the API, and a list is a
//! result only when it is whole: anything else is an error, never a short or empty list.

mod support;

use std::ops::ControlFlow;
use std::time::Duration;

use futures::FutureExt;
use hwcloud::paging::{MAX_ITEMS, MAX_PAGES};
use hwcloud::{CallOptions, CancellationToken, Error, OffsiteBackupList, OffsiteBackupQuery};
use support::{MockApi, REGION, Reply, backup_id, page_body, stable_page};

/// Guard against hangs only; never used to assert how fast something is.
const HANG_GUARD: Duration = Duration::from_secs(120);

fn query() -> OffsiteBackupQuery {
    OffsiteBackupQuery {
        instance_id: "inst1".into(),
        backup_type: "auto".into(),
        ..OffsiteBackupQuery::default()
    }
}

async fn list(server: &MockApi) -> Result<OffsiteBackupList, Error> {
    tokio::time::timeout(
        HANG_GUARD,
        server
            .client()
            .list_offsite_backups(REGION, &query(), &CancellationToken::new()),
    )
    .await
    .expect("the list call hung")
}

/// 200 answers that are not pages, each served at offset 100 of a 250-backup list.
const NOT_PAGES: [&str; 8] = [
    "{}",
    "[]",
    "[null,null]",
    r#"[[{"id":"b0100"}],1]"#,
    r#"{"error_code":"DBS.280001","error_msg":"internal error"}"#,
    r#"{"total_count":250}"#,
    r#"{"backups":null,"total_count":250}"#,
    r#"{"backups":[],"total_count":-1}"#,
];

#[tokio::test]
async fn a_200_answer_that_is_not_a_page_fails_naming_offset_status_and_body() {
    for body in NOT_PAGES {
        let server = MockApi::start(move |request, _| {
            async move {
                match request.offset() {
                    100 => Reply::json(200, body),
                    offset => Reply::json(200, stable_page(250, offset)),
                }
            }
            .boxed()
        })
        .await;
        let error = match list(&server).await {
            Ok(list) => panic!("{body} was read as a page: {} backups", list.backups.len()),
            Err(error) => error,
        };
        assert!(matches!(error, Error::Decode(_)), "{body}: {error:?}");
        assert_eq!(error.status(), Some(200), "{body}");
        let detail = error.detail();
        assert!(
            detail.contains("could not decode page at offset 100"),
            "{body}: {detail}"
        );
        assert!(detail.contains("HTTP 200"), "{body}: {detail}");
        assert!(
            detail.contains(&format!("the body starts with: {body}")),
            "{body}: {detail}"
        );
    }
}

#[tokio::test]
async fn a_total_beyond_the_limit_fails_after_the_first_page() {
    let total = MAX_ITEMS + 1;
    let server = MockApi::start(move |request, _| {
        async move { Reply::json(200, stable_page(total, request.offset())) }.boxed()
    })
    .await;
    let error = list(&server)
        .await
        .expect_err("a partial list is not a result");
    let Error::TooManyItems(exceeded) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(exceeded.reported_total, Some(total));
    assert_eq!(server.requests().len(), 1, "no page is read in vain");
    let detail = error.detail();
    assert!(
        detail.contains(&format!("The API reports {total} matching backups")),
        "{detail}"
    );
    assert!(
        detail.contains(&format!("at most {MAX_ITEMS} backups")),
        "{detail}"
    );
}

#[tokio::test]
async fn full_pages_beyond_the_total_fail_at_the_page_limit() {
    // Claims 150 backups but every page is full: the read may not end with a part.
    let server = MockApi::start(|request, _| {
        async move {
            let offset = request.offset();
            Reply::json(
                200,
                page_body(Some(150), (offset..offset + 100).map(backup_id)),
            )
        }
        .boxed()
    })
    .await;
    let error = list(&server)
        .await
        .expect_err("a partial list is not a result");
    let Error::TooManyItems(exceeded) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(exceeded.reported_total, Some(150));
    assert_eq!(exceeded.pages_read, MAX_PAGES);
    assert_eq!(server.requests().len() as u64, MAX_PAGES);
}

#[tokio::test]
async fn backups_are_handed_out_in_api_order_and_the_caller_may_stop() {
    let server = MockApi::start(|request, _| {
        async move { Reply::json(200, stable_page(250, request.offset())) }.boxed()
    })
    .await;
    let client = server.client();
    let mut ids = Vec::new();
    let listing = client
        .for_each_offsite_backup(
            REGION,
            &query(),
            &CallOptions::default(),
            &CancellationToken::new(),
            |backup| {
                ids.extend(backup.id);
                ControlFlow::Continue(())
            },
        )
        .await
        .expect("list");
    assert_eq!(ids, (0..250).map(backup_id).collect::<Vec<_>>());
    assert_eq!(listing.received, 250);
    assert_eq!(listing.total_count, Some(250));
    assert!(listing.complete);

    let mut seen = 0;
    let listing = client
        .for_each_offsite_backup(
            REGION,
            &query(),
            &CallOptions::default(),
            &CancellationToken::new(),
            |_| {
                seen += 1;
                if seen == 120 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .await
        .expect("list");
    assert_eq!(seen, 120, "nothing is handed out after a break");
    assert!(!listing.complete);
}
