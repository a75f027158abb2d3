//! `GET /v3/{project_id}/offsite-backups`: validation, faults, paging.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;

use crate::api_error::{ApiError, PROJECT_NOT_FOUND};
use crate::handler::{Outcome, Shared};
use crate::listing::current_listing;
use crate::model::BackupList;
use crate::query_params::parse_list_request;

pub(crate) fn list_offsite_backups(
    shared: &Shared,
    project_id: &str,
    headers: &HeaderMap,
    query: &[(String, String)],
) -> Outcome {
    if let Some(failure) = shared.faults.failure_for_next_request() {
        return Outcome::answer_with_fault(failure.error.into_response(), failure.label);
    }
    if let Some(status) = shared.faults.hostile_error_status() {
        return Outcome::answer_with_fault(
            ApiError::hostile(status).into_response(),
            "hostile-error".to_owned(),
        );
    }
    if let Some(status) = shared.faults.echo_headers_status() {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let error = ApiError::echoing(
            status,
            &header("authorization"),
            &header("x-security-token"),
        );
        return Outcome::answer_with_fault(error.into_response(), "echo-headers".to_owned());
    }
    let header_project = headers
        .get("x-project-id")
        .and_then(|value| value.to_str().ok());
    if let Some(header_project) = header_project
        && header_project != project_id
    {
        return Outcome::answer(
            ApiError::invalid_parameter(
                "project_id",
                "The project ID in the URL does not match the X-Project-Id header.",
            )
            .into_response(),
        );
    }
    if !shared.scenario.knows_project(project_id) {
        return Outcome::answer(
            ApiError::new(
                404,
                PROJECT_NOT_FOUND,
                format!("The project {project_id} does not exist or is not accessible."),
            )
            .into_response(),
        );
    }
    let request = match parse_list_request(query) {
        Ok(request) => request,
        Err(error) => return Outcome::answer(error.into_response()),
    };
    if shared.faults.should_drop_connection(request.offset) {
        return Outcome::DropConnection;
    }
    if let Some(page) = shared.faults.page_body(request.offset) {
        shared.faults.page_served();
        let response = (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
            page.body.to_string(),
        )
            .into_response();
        return Outcome::answer_with_fault(response, "page-body".to_owned());
    }
    let listing = current_listing(
        &shared.scenario.dataset,
        &request.query,
        shared.faults.inserted_backups(),
        shared.faults.seed(),
    );
    let total_count = listing.len() as u64;
    let page: Vec<_> = listing
        .into_iter()
        .skip(usize::try_from(request.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(request.limit).unwrap_or(usize::MAX))
        .collect();
    let body = serde_json::to_string(&BackupList {
        backups: page,
        total_count,
    })
    .unwrap_or_default();
    let (body, padded) = match shared.faults.pad_pages_to() {
        Some(size) if body.len() < size => {
            let padding = size - body.len();
            (body + &" ".repeat(padding), true)
        }
        _ => (body, false),
    };
    let malformed = shared.faults.should_malform(request.offset);
    shared.faults.page_served();
    let (body, mut fault) = if malformed {
        (truncated(&body), Some("malformed-json".to_owned()))
    } else if padded {
        (body, Some("padded".to_owned()))
    } else {
        (body, None)
    };
    let content_type = [(header::CONTENT_TYPE, "application/json;charset=UTF-8")];
    let response = match shared.faults.trickle() {
        Some(every) => {
            fault.get_or_insert_with(|| "trickle".to_owned());
            (StatusCode::OK, content_type, trickling(body, every)).into_response()
        }
        None => (StatusCode::OK, content_type, body).into_response(),
    };
    match fault {
        Some(label) => Outcome::answer_with_fault(response, label),
        None => Outcome::answer(response),
    }
}

/// `body` sent one byte per `every` (in chunked encoding, one byte per chunk).
fn trickling(body: String, every: Duration) -> Body {
    let bytes = body.into_bytes();
    let chunks = futures::stream::unfold((bytes, 0usize), move |(bytes, sent)| async move {
        if sent >= bytes.len() {
            return None;
        }
        if sent > 0 {
            tokio::time::sleep(every).await;
        }
        let chunk = axum::body::Bytes::copy_from_slice(&bytes[sent..=sent]);
        Some((Ok::<_, std::convert::Infallible>(chunk), (bytes, sent + 1)))
    });
    Body::from_stream(chunks)
}

/// The first half of `body` (cut on a character boundary): JSON that ends mid-document.
fn truncated(body: &str) -> String {
    let mut cut = body.len() / 2;
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    body[..cut].to_owned()
}
