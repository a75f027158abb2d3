//! `GET /v3/{project_id}/instances/{instance_id}/backups/offsite-policy`
//! (`ShowOffSiteBackupPolicy`): the policy of [`world::offsite_policy`], served only in the
//! instance's source region.

use axum::http::HeaderMap;
use axum::response::IntoResponse;

use crate::api_error::ApiError;
use crate::handler::{Outcome, Shared};
use crate::model::OffsitePolicyList;
use crate::route_faults::{check_project, json_answer, page_faults, request_faults};
use crate::world;

/// The API's code for an instance the region does not know.
pub(crate) const INSTANCE_NOT_FOUND: &str = "DBS.200002";

pub(crate) fn show_offsite_policy(
    shared: &Shared,
    project_id: &str,
    instance_id: &str,
    headers: &HeaderMap,
) -> Outcome {
    if let Some(outcome) = request_faults(shared, headers) {
        return outcome;
    }
    if let Some(outcome) = check_project(shared, project_id, headers) {
        return outcome;
    }
    let scenario = &shared.scenario;
    // Like the real API, another region's project does not know the instance at all.
    let in_source_region =
        scenario.project_id_for(&scenario.source_region).as_deref() == Some(project_id);
    let policy = in_source_region
        .then(|| world::offsite_policy(scenario, instance_id))
        .flatten();
    let Some(policy_para) = policy else {
        return Outcome::answer(
            ApiError::new(404, INSTANCE_NOT_FOUND, "The DB instance does not exist.")
                .into_response(),
        );
    };
    if let Some(outcome) = page_faults(shared, 0) {
        return outcome;
    }
    let body = serde_json::to_string(&OffsitePolicyList { policy_para }).unwrap_or_default();
    json_answer(shared, 0, body)
}
