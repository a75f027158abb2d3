//! End-to-end behaviour of `Client::for_each_offsite_instance` (`ListOffSiteInstances`)
//! against a local mock API: the path without project, the project in `X-Project-Id`, paging,
//! strict pages, retries and the caller breaking off.

mod support;

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use hwcloud::{
    CallOptions, CancellationToken, Client, ClientOptions, Error, OffsiteInstance,
    OffsiteInstanceListing, WarningKind,
};
use support::{MockApi, PROJECT_ID, REGION, Reply, cancelled_while_hanging};
use tokio::sync::Barrier;

/// Guard against hangs only; never used to assert how fast something is.
const HANG_GUARD: Duration = Duration::from_secs(60);
const PATH: &str = "/v3/backups/offsite-backup-instance";

fn instance_id(index: u64) -> String {
    format!("i{index:04}")
}

/// A page body of instances with the given ids (every field present).
fn page_body(total: Option<u64>, ids: impl IntoIterator<Item = String>) -> String {
    let items: Vec<serde_json::Value> = ids
        .into_iter()
        .map(|id| {
            serde_json::json!({
                "id": id,
                "name": format!("name-{id}"),
                "source_region": "cn-east-3",
                "source_project_id": "0503fc3b5c8b48b8b9b6b25c0c6a2d0f",
                "datastore": {"type": "MySQL", "version": "8.0"},
                "destination_region": REGION,
                "destination_project_id": PROJECT_ID,
                "keep_days": 7
            })
        })
        .collect();
    let mut body = serde_json::json!({ "offsite_backup_instances": items });
    if let Some(total) = total {
        body["total_count"] = total.into();
    }
    body.to_string()
}

fn stable_page(total: u64, offset: u64) -> String {
    let end = (offset + 100).min(total);
    page_body(Some(total), (offset.min(total)..end).map(instance_id))
}

async fn stable_server(total: u64) -> MockApi {
    MockApi::start(move |request, _| {
        async move { Reply::json(200, stable_page(total, request.offset())) }.boxed()
    })
    .await
}

async fn read_all(
    client: &Client,
    region: &str,
) -> Result<(OffsiteInstanceListing, Vec<OffsiteInstance>), Error> {
    let mut instances = Vec::new();
    let listing = tokio::time::timeout(
        HANG_GUARD,
        client.for_each_offsite_instance(
            region,
            &CallOptions::default(),
            &CancellationToken::new(),
            |instance| {
                instances.push(instance);
                ControlFlow::Continue(())
            },
        ),
    )
    .await
    .expect("the read hung")?;
    Ok((listing, instances))
}

#[tokio::test]
async fn reads_exactly_the_needed_pages_with_the_project_in_the_header() {
    for (total, expected_offsets) in [
        (0, vec![0]),
        (1, vec![0]),
        (100, vec![0]),
        (101, vec![0, 100]),
        (250, vec![0, 100, 200]),
    ] {
        let server = stable_server(total).await;
        let (listing, instances) = read_all(&server.client(), REGION).await.expect("list");
        let requests = server.requests();
        let mut offsets: Vec<u64> = requests.iter().map(|r| r.offset()).collect();
        offsets.sort_unstable();
        assert_eq!(offsets, expected_offsets, "total {total}");
        assert_eq!(listing.requests as usize, expected_offsets.len());
        assert_eq!(listing.total_count, Some(total));
        assert_eq!(listing.received, total);
        assert!(listing.complete);
        assert_eq!(listing.project_id, PROJECT_ID);
        assert!(listing.warnings.is_empty(), "{:?}", listing.warnings);
        let ids: Vec<String> = instances.iter().filter_map(|i| i.id.clone()).collect();
        assert_eq!(ids, (0..total).map(instance_id).collect::<Vec<_>>());
        for request in &requests {
            assert_eq!(request.method, "GET");
            assert_eq!(request.path, PATH, "no project id in the path");
            assert_eq!(
                request.raw_query,
                format!("limit=100&offset={}", request.offset())
            );
            assert_eq!(request.header("x-project-id"), Some(PROJECT_ID));
            assert_eq!(
                request.signed_headers,
                ["host", "x-project-id", "x-sdk-date"]
            );
            assert!(request.signature_valid, "signature of {request:?}");
        }
    }
}

#[tokio::test]
async fn every_field_is_decoded_and_omitted_ones_stay_null() {
    let server = MockApi::start(|_, _| {
        async move {
            let mut body: serde_json::Value =
                serde_json::from_str(&page_body(Some(2), [instance_id(0), instance_id(1)]))
                    .expect("json");
            body["offsite_backup_instances"][1] = serde_json::json!({"id": "bare"});
            Reply::json(200, body.to_string())
        }
        .boxed()
    })
    .await;
    let (_, instances) = read_all(&server.client(), REGION).await.expect("list");
    let first = &instances[0];
    assert_eq!(first.name.as_deref(), Some("name-i0000"));
    assert_eq!(first.source_region.as_deref(), Some("cn-east-3"));
    assert_eq!(
        first.source_project_id.as_deref(),
        Some("0503fc3b5c8b48b8b9b6b25c0c6a2d0f")
    );
    let datastore = first.datastore.as_ref().expect("datastore");
    assert_eq!(datastore.engine.as_deref(), Some("MySQL"));
    assert_eq!(datastore.version.as_deref(), Some("8.0"));
    assert_eq!(first.destination_region.as_deref(), Some(REGION));
    assert_eq!(first.destination_project_id.as_deref(), Some(PROJECT_ID));
    assert_eq!(first.keep_days, Some(7));
    assert_eq!(
        instances[1],
        OffsiteInstance {
            id: Some("bare".into()),
            ..OffsiteInstance::default()
        }
    );
}

#[tokio::test]
async fn the_project_of_another_region_is_looked_up_and_sent_in_the_header() {
    const OTHER_REGION: &str = "ap-southeast-1";
    const LOOKED_UP: &str = "5f0e9b1a2c3d4e5f6a7b8c9d0e1f2a3b";
    let server = MockApi::start(|request, _| {
        async move {
            if request.path == "/v3/projects" {
                Reply::json(
                    200,
                    format!(r#"{{"projects":[{{"id":"{LOOKED_UP}","name":"{OTHER_REGION}"}}]}}"#),
                )
            } else {
                Reply::json(200, stable_page(3, request.offset()))
            }
        }
        .boxed()
    })
    .await;
    let (listing, instances) = read_all(&server.client(), OTHER_REGION)
        .await
        .expect("list");
    assert_eq!(instances.len(), 3);
    assert_eq!(listing.project_id, LOOKED_UP);
    assert_eq!(listing.requests, 2, "the IAM lookup and one page");
    let requests = server.requests();
    let page = requests.iter().find(|r| r.path == PATH).expect("a page");
    assert_eq!(page.header("x-project-id"), Some(LOOKED_UP));
    assert!(page.signature_valid);
}

#[tokio::test]
async fn pages_are_read_concurrently_within_the_limit_and_in_offset_order() {
    const TOTAL: u64 = 450;
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
    let client = Client::new(ClientOptions {
        max_concurrent_requests: 4,
        ..server.options()
    })
    .expect("client");
    let (listing, instances) = read_all(&client, REGION).await.expect("list");
    let ids: Vec<String> = instances.iter().filter_map(|i| i.id.clone()).collect();
    assert_eq!(ids, (0..TOTAL).map(instance_id).collect::<Vec<_>>());
    assert_eq!(listing.requests, 5);
    assert_eq!(server.max_in_flight(), 4);
}

#[tokio::test]
async fn a_200_that_is_not_a_page_fails_naming_offset_status_and_body() {
    for body in [
        r#"{"backups":[],"total_count":0}"#,
        r#"{"offsite_backup_instances":[{"keep_days":"7"}],"total_count":1}"#,
        r#"{"offsite_backup_instances":[{"id":"x"#,
    ] {
        let server = MockApi::start(move |request, _| {
            async move {
                match request.offset() {
                    100 => Reply::json(200, body),
                    offset => Reply::json(200, stable_page(150, offset)),
                }
            }
            .boxed()
        })
        .await;
        let error = read_all(&server.client(), REGION)
            .await
            .expect_err("not a page");
        let text = error.to_string();
        assert!(
            text.contains("could not decode page at offset 100"),
            "{text}"
        );
        let detail = error.detail();
        assert!(detail.contains("HTTP 200"), "{detail}");
        assert!(detail.contains(PATH), "{detail}");
    }
}

#[tokio::test]
async fn errors_are_retried_then_reported() {
    let server = MockApi::start(|request, number| {
        async move {
            match number {
                0 => Reply::json(503, r#"{"error_code":"SYS.0503","error_msg":"busy"}"#)
                    .with_header("retry-after", "0"),
                _ => Reply::json(200, stable_page(3, request.offset())),
            }
        }
        .boxed()
    })
    .await;
    let (listing, instances) = read_all(&server.client(), REGION).await.expect("retried");
    assert_eq!(instances.len(), 3);
    assert_eq!(listing.requests, 2);

    let server = MockApi::start(|_, _| {
        async move {
            Reply::json(
                403,
                r#"{"error_code":"DBS.280238","error_msg":"The project does not exist."}"#,
            )
        }
        .boxed()
    })
    .await;
    let error = read_all(&server.client(), REGION)
        .await
        .expect_err("forbidden");
    assert_eq!(server.requests().len(), 1, "403 is not retried");
    assert!(error.summary().contains("HTTP 403 DBS.280238"), "{error}");
}

#[tokio::test]
async fn duplicates_are_dropped_with_a_warning_and_the_caller_may_stop() {
    // i0001..=i0200 when the first page is served; then i0000 appears at the front.
    let server = MockApi::start(|request, number| {
        async move {
            let offset = request.offset();
            if number == 0 {
                return Reply::json(200, page_body(Some(200), (1..101).map(instance_id)));
            }
            let ids = (offset..(offset + 100).min(201)).map(instance_id);
            Reply::json(200, page_body(Some(201), ids))
        }
        .boxed()
    })
    .await;
    let (listing, instances) = read_all(&server.client(), REGION).await.expect("list");
    let ids: Vec<String> = instances.iter().filter_map(|i| i.id.clone()).collect();
    assert_eq!(ids, (1..201).map(instance_id).collect::<Vec<_>>());
    assert_eq!(listing.total_count, Some(200));
    assert_eq!(listing.warnings.len(), 1, "{:?}", listing.warnings);
    assert_eq!(listing.warnings[0].kind, WarningKind::ListChanged);
    assert!(listing.warnings[0].detail.contains(&instance_id(100)));
    // Worded for the list it is about, not for backups.
    assert_eq!(
        listing.warnings[0].summary(),
        "Instances changed during the read"
    );
    assert!(!listing.warnings[0].detail.contains("backup"));

    let server = stable_server(250).await;
    let mut seen = 0;
    let listing = server
        .client()
        .for_each_offsite_instance(
            REGION,
            &CallOptions::default(),
            &CancellationToken::new(),
            |_| {
                seen += 1;
                if seen == 5 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .await
        .expect("list");
    assert!(!listing.complete);
    assert_eq!(seen, 5);
}

#[tokio::test]
async fn cancellation_interrupts_a_hanging_page() {
    let result = cancelled_while_hanging(|client, cancel| async move {
        client
            .for_each_offsite_instance(REGION, &CallOptions::default(), &cancel, |_| {
                ControlFlow::Continue(())
            })
            .await
    })
    .await;
    let error = result.expect_err("cancelled");
    assert!(error.is_cancelled(), "{error}");
}
