//! The parts of answering that every RDS route shares: injected faults before a request is
//! looked at, the project check, and the faults that shape a 200 JSON body. A route calls
//! them in this order, so that every fault class works on every route; a route that is not
//! paged passes offset 0 (the `*_at_offset` faults then aim at it with offset 0).

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;

use crate::api_error::{ApiError, PROJECT_NOT_FOUND};
use crate::handler::{Outcome, Shared};

/// Faults that answer before the request is examined: `fail_first`/`fail_fraction`, hostile
/// and header-echoing error bodies.
pub(crate) fn request_faults(shared: &Shared, headers: &HeaderMap) -> Option<Outcome> {
    if let Some(failure) = shared.faults.failure_for_next_request() {
        return Some(Outcome::answer_with_fault(
            failure.error.into_response(),
            failure.label,
        ));
    }
    if let Some(status) = shared.faults.hostile_error_status() {
        return Some(Outcome::answer_with_fault(
            ApiError::hostile(status).into_response(),
            "hostile-error".to_owned(),
        ));
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
        return Some(Outcome::answer_with_fault(
            error.into_response(),
            "echo-headers".to_owned(),
        ));
    }
    None
}

/// The project of the path (or of the `X-Project-Id` header, for routes without one in the
/// path): it must match the header when both are there, and be a project of a known region.
pub(crate) fn check_project(
    shared: &Shared,
    project_id: &str,
    headers: &HeaderMap,
) -> Option<Outcome> {
    let header_project = headers
        .get("x-project-id")
        .and_then(|value| value.to_str().ok());
    if let Some(header_project) = header_project
        && header_project != project_id
    {
        return Some(Outcome::answer(
            ApiError::invalid_parameter(
                "project_id",
                "The project ID in the URL does not match the X-Project-Id header.",
            )
            .into_response(),
        ));
    }
    if !shared.scenario.knows_project(project_id) {
        return Some(Outcome::answer(
            ApiError::new(
                404,
                PROJECT_NOT_FOUND,
                format!("The project {project_id} does not exist or is not accessible."),
            )
            .into_response(),
        ));
    }
    None
}

/// Faults that replace the answer at `offset`: a dropped connection, a raw page body.
pub(crate) fn page_faults(shared: &Shared, offset: u64) -> Option<Outcome> {
    if shared.faults.should_drop_connection(offset) {
        return Some(Outcome::DropConnection);
    }
    if let Some(page) = shared.faults.page_body(offset) {
        shared.faults.page_served();
        let response = (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
            page.body.to_string(),
        )
            .into_response();
        return Some(Outcome::answer_with_fault(response, "page-body".to_owned()));
    }
    None
}

/// A 200 answer with the JSON `body` at `offset`, shaped by the body faults: padding,
/// truncation (malformed JSON) and trickling.
pub(crate) fn json_answer(shared: &Shared, offset: u64, body: String) -> Outcome {
    let (body, padded) = match shared.faults.pad_pages_to() {
        Some(size) if body.len() < size => {
            let padding = size - body.len();
            (body + &" ".repeat(padding), true)
        }
        _ => (body, false),
    };
    let malformed = shared.faults.should_malform(offset);
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
