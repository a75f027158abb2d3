//! `GET /v3/{project_id}/instances/{instance_id}/offsite-restore-time[?date=yyyy-mm-dd]`
//! (`ListOffSiteRestoreTimes`): the restore windows of the world model, whole or clipped to
//! one UTC day. Not paged: the page faults aim at it with offset 0.

use axum::http::HeaderMap;
use axum::response::IntoResponse;
use time::Date;
use time::macros::format_description;

use crate::api_error::{ApiError, INSTANCE_NOT_FOUND};
use crate::handler::{Outcome, Shared};
use crate::model::RestoreTimeList;
use crate::route_faults::{check_project, json_answer, page_faults, request_faults};
use crate::world::{is_backup_region_project, restore_windows};

pub(crate) fn list_offsite_restore_times(
    shared: &Shared,
    project_id: &str,
    instance_id: &str,
    headers: &HeaderMap,
    query: &[(String, String)],
) -> Outcome {
    if let Some(outcome) = request_faults(shared, headers) {
        return outcome;
    }
    if let Some(outcome) = check_project(shared, project_id, headers) {
        return outcome;
    }
    let date = match parse_date(query) {
        Ok(date) => date,
        Err(error) => return Outcome::answer(error.into_response()),
    };
    if let Some(outcome) = page_faults(shared, 0) {
        return outcome;
    }
    // Restore windows exist only where the backups are: the backup region.
    let windows = is_backup_region_project(&shared.scenario, project_id)
        .then(|| restore_windows(&shared.scenario.dataset, instance_id, date))
        .flatten();
    let Some(restore_time) = windows else {
        return Outcome::answer(
            ApiError::new(404, INSTANCE_NOT_FOUND, "The DB instance does not exist.")
                .into_response(),
        );
    };
    let body = serde_json::to_string(&RestoreTimeList { restore_time }).unwrap_or_default();
    json_answer(shared, 0, body)
}

/// `date`, when given (and not empty): exactly `yyyy-mm-dd`, a real calendar day (UTC).
fn parse_date(query: &[(String, String)]) -> Result<Option<Date>, ApiError> {
    let Some(text) = query
        .iter()
        .find(|(key, _)| key == "date")
        .map(|(_, value)| value.as_str())
        .filter(|value| !value.is_empty())
    else {
        return Ok(None);
    };
    let layout = format_description!("[year repr:full sign:automatic]-[month]-[day]");
    let shaped = text.len() == 10 && text.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    match Date::parse(text, layout) {
        Ok(date) if shaped => Ok(Some(date)),
        _ => Err(ApiError::invalid_parameter(
            "date",
            "It must be a date in the format yyyy-mm-dd, e.g. 2026-11-25.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Result<Option<Date>, ApiError> {
        parse_date(&[("date".to_owned(), text.to_owned())])
    }

    #[test]
    fn dates_are_real_days_in_the_documented_format() {
        assert_eq!(
            date("2026-11-25"),
            Ok(Some(time::macros::date!(2026 - 11 - 25)))
        );
        assert_eq!(date(""), Ok(None), "empty is not given");
        assert_eq!(parse_date(&[]), Ok(None));
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "2026-1-25",
            "2026-11-25T00:00:00Z",
            "20261125",
            "+2026-11-2",
            "2026/11/25",
        ] {
            let error = date(bad).expect_err(bad);
            assert_eq!(
                (error.status, error.code.as_str()),
                (400, "DBS.280001"),
                "{bad}"
            );
            assert!(
                error.message.starts_with("Invalid parameter: date."),
                "{bad}"
            );
        }
    }
}
