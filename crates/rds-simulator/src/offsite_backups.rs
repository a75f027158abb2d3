//! `GET /v3/{project_id}/offsite-backups`: validation, faults, paging.

use axum::http::HeaderMap;
use axum::response::IntoResponse;

use crate::handler::{Outcome, Shared};
use crate::listing::current_listing;
use crate::model::BackupList;
use crate::query_params::parse_list_request;
use crate::route_faults::{check_project, json_answer, page_faults, request_faults};

pub(crate) fn list_offsite_backups(
    shared: &Shared,
    project_id: &str,
    headers: &HeaderMap,
    query: &[(String, String)],
) -> Outcome {
    if let Some(outcome) = request_faults(shared, headers) {
        return outcome;
    }
    if let Some(outcome) = check_project(shared, project_id, headers) {
        return outcome;
    }
    let request = match parse_list_request(query) {
        Ok(request) => request,
        Err(error) => return Outcome::answer(error.into_response()),
    };
    if let Some(outcome) = page_faults(shared, request.offset) {
        return outcome;
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
    json_answer(shared, request.offset, body)
}
