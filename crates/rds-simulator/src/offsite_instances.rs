//! `GET /v3/backups/offsite-backup-instance` (`ListOffSiteInstances`): the instances of the
//! world that have offsite backups, paged; the project comes from the `X-Project-Id` header.

use axum::http::HeaderMap;
use axum::response::IntoResponse;

use crate::api_error::ApiError;
use crate::handler::{Outcome, Shared};
use crate::model::OffsiteInstanceList;
use crate::query_params::parse_page_request;
use crate::route_faults::{check_project, json_answer, page_faults, request_faults};
use crate::world::{is_backup_region_project, offsite_instances};

pub(crate) fn list_offsite_instances(
    shared: &Shared,
    headers: &HeaderMap,
    query: &[(String, String)],
) -> Outcome {
    if let Some(outcome) = request_faults(shared, headers) {
        return outcome;
    }
    let Some(project_id) = headers
        .get("x-project-id")
        .and_then(|value| value.to_str().ok())
        .filter(|value| !value.is_empty())
    else {
        return Outcome::answer(
            ApiError::invalid_parameter(
                "X-Project-Id",
                "It is mandatory: this API takes the project ID in the X-Project-Id header.",
            )
            .into_response(),
        );
    };
    if let Some(outcome) = check_project(shared, project_id, headers) {
        return outcome;
    }
    let (offset, limit) = match parse_page_request(query) {
        Ok(page) => page,
        Err(error) => return Outcome::answer(error.into_response()),
    };
    if let Some(outcome) = page_faults(shared, offset) {
        return outcome;
    }
    // Only the backup region holds offsite backups: elsewhere the list is empty.
    let instances = if is_backup_region_project(&shared.scenario, project_id) {
        offsite_instances(&shared.scenario)
    } else {
        Vec::new()
    };
    let total_count = instances.len() as u64;
    let page = instances
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    let body = serde_json::to_string(&OffsiteInstanceList {
        offsite_backup_instances: page,
        total_count,
    })
    .unwrap_or_default();
    json_answer(shared, offset, body)
}
