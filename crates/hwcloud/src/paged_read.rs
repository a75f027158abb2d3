//! The paged, concurrent read every list call shares: the first page, then the further
//! offsets [`Pager`] plans, fetched `buffered` (up to `max_concurrent_requests` at a time) and
//! fed back in offset order; each page decoded strictly, a page that does not decode an
//! [`Error::Decode`] naming its offset, status and the start of its body.
//!
//! A list call supplies only its path, its query, its page decoder and its item id.

use std::sync::atomic::{AtomicU32, Ordering};

use futures::{StreamExt, TryStreamExt, stream};
use tokio_util::sync::CancellationToken;
use tracing::debug;

use crate::client::Client;
use crate::deadline::Deadline;
use crate::endpoints::{BaseUrl, Service};
use crate::errors::{DecodeError, Error};
use crate::http::ApiRequest;
use crate::paging::{Paged, Pager, Step};
use crate::warning::Warning;

/// What a streamed list call saw; the items themselves went to the caller one by one.
#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    pub project_id: String,
    /// `total_count` reported by the first page; `None` when it had none (never replaced by a
    /// count of our own; a [`Warning`] then says it was missing).
    pub total_count: Option<u64>,
    /// Items handed to the caller, each id once.
    pub received: u64,
    /// Irregularities met while paging (total changed, duplicates dropped, ...), each with a
    /// [`crate::WarningKind`] and a specific detail.
    pub warnings: Vec<Warning>,
    /// HTTP requests made, retries and any IAM project lookup included.
    pub requests: u32,
    /// False when the caller's callback broke the read off.
    pub complete: bool,
}

/// One RDS list call in `region`: what it lists (plural, for messages), its path from the
/// region's project id, and the query of the page at an offset.
pub(crate) struct ListCall<'a> {
    pub items: &'static str,
    pub path: &'a (dyn Fn(&str) -> Vec<String> + Sync),
    pub query: &'a (dyn Fn(u64) -> Vec<(String, String)> + Sync),
}

/// Looks up the region's project (counted in the listing's requests), then reads every page of
/// `list` in `region` with [`read_pages`], handing each new item to `each`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn list_paged<T, D, I, F>(
    client: &Client,
    region: &str,
    list: &ListCall<'_>,
    deadline: Option<Deadline>,
    cancel: &CancellationToken,
    decode: D,
    id: I,
    each: F,
) -> Result<Listing, Error>
where
    D: Fn(&[u8]) -> Result<DecodedPage<T>, serde_json::Error>,
    I: Fn(&T) -> Option<&str>,
    F: FnMut(T) -> std::ops::ControlFlow<()>,
{
    let attempts = AtomicU32::new(0);
    let project_id = client
        .project_id_counting(region, &attempts, deadline, cancel)
        .await?;
    let (base, endpoint) = client.base_url(Service::Rds, region)?;
    let path = (list.path)(&project_id);
    let segments: Vec<&str> = path.iter().map(String::as_str).collect();
    let call = PagedCall {
        items: list.items,
        region,
        base: &base,
        endpoint: &endpoint,
        segments: &segments,
        project_id: &project_id,
        query: list.query,
        deadline,
    };
    let (paged, complete) = read_pages(client, &call, &attempts, cancel, decode, id, each).await?;
    let requests = attempts.load(Ordering::Relaxed);
    debug!(
        region,
        items = list.items,
        pages = paged.pages,
        requests,
        received = paged.kept,
        warnings = paged.warnings.len(),
        complete,
        "listed every page"
    );
    Ok(Listing {
        project_id,
        total_count: paged.total_count,
        received: paged.kept,
        warnings: paged.warnings,
        requests,
        complete,
    })
}

/// One decoded page: its items, in page order, and the `total_count` it reported.
pub(crate) struct DecodedPage<T> {
    pub items: Vec<T>,
    pub total_count: Option<u64>,
}

/// Where the pages of one list call come from.
pub(crate) struct PagedCall<'a> {
    /// What the list holds, plural and lowercase (`backups`, `instances`), for its warnings and
    /// errors.
    pub items: &'static str,
    /// The region called, for the credential cache (which may need IAM).
    pub region: &'a str,
    pub base: &'a BaseUrl,
    pub endpoint: &'a str,
    pub segments: &'a [&'a str],
    /// Sent and signed as `X-Project-Id`.
    pub project_id: &'a str,
    /// The query of the page at an offset (the call's parameters, `offset` and `limit`).
    pub query: &'a (dyn Fn(u64) -> Vec<(String, String)> + Sync),
    pub deadline: Option<Deadline>,
}

/// Reads every page of `call` and hands each item not seen before to `each`, in offset order.
/// Returns what the pager saw and whether the read went to the end (`each` may break it off).
pub(crate) async fn read_pages<T, D, I, F>(
    client: &Client,
    call: &PagedCall<'_>,
    attempts: &AtomicU32,
    cancel: &CancellationToken,
    decode: D,
    id: I,
    mut each: F,
) -> Result<(Paged, bool), Error>
where
    D: Fn(&[u8]) -> Result<DecodedPage<T>, serde_json::Error>,
    I: Fn(&T) -> Option<&str>,
    F: FnMut(T) -> std::ops::ControlFlow<()>,
{
    let decode = &decode;
    let fetch_page = |offset: u64| {
        let pairs = (call.query)(offset);
        async move {
            let request = ApiRequest {
                service: Service::Rds,
                method: http::Method::GET,
                region: call.region,
                body: b"",
                base: call.base,
                endpoint: call.endpoint,
                segments: call.segments,
                query: &pairs,
                project_id: Some(call.project_id),
                offset: Some(offset),
                deadline: call.deadline,
            };
            let response = client.http().send(&request, attempts, cancel).await?;
            let page = decode(&response.body).map_err(|e| {
                Error::Decode(Box::new(DecodeError {
                    what: format!("page at offset {offset}"),
                    // serde's messages quote the values they could not use: server text.
                    reason: format!(
                        "{}; the body starts with: {}",
                        response.redactor.clean(&e.to_string()),
                        response.body_excerpt()
                    ),
                    status: response.status,
                    request_id: response.request_id.clone(),
                    request: response.request.clone(),
                }))
            })?;
            Ok::<_, Error>((offset, page))
        }
    };

    let mut pager = Pager::new(call.items);
    let mut complete = true;
    'read: loop {
        let batch = pager.next_batch().map_err(Error::TooManyItems)?;
        if batch.is_empty() {
            break;
        }
        // `buffered` keeps at most N requests in flight and yields answers in offset order;
        // dropping the stream (Stop or error) abandons the requests still in flight.
        let mut pages = stream::iter(batch)
            .map(fetch_page)
            .buffered(client.max_concurrent_requests());
        while let Some((offset, page)) = pages.try_next().await? {
            let mut items = page.items;
            let step = pager.accept(offset, page.total_count, &mut items, &id);
            for item in items {
                if each(item).is_break() {
                    complete = false;
                    break 'read;
                }
            }
            if step == Step::Stop {
                break;
            }
        }
    }
    Ok((pager.finish(), complete))
}
