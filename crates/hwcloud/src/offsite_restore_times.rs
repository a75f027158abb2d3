//! `ListOffSiteRestoreTimes`: the time ranges an instance can be restored to from its
//! cross-region backups, read in the backup region.
//!
//! `GET /v3/{project_id}/instances/{instance_id}/offsite-restore-time[?date=yyyy-mm-dd]`,
//! answered with `{"restore_time":[{"start_time":ms,"end_time":ms},...]}` (milliseconds since
//! the epoch, UTC). One request, not paged.

use std::sync::atomic::{AtomicU32, Ordering};

use serde::Deserialize;
use time::macros::format_description;
use tokio_util::sync::CancellationToken;
use tracing::debug;

use crate::client::Client;
use crate::deadline::Deadline;
use crate::endpoints::Service;
use crate::errors::{DecodeError, Error};
use crate::http::{ApiRequest, ApiResponse};
use crate::strict_json::{ObjectOnly, present_u64};

/// The operation's name, as the SDKs call it; decode errors name it.
pub const LIST_OFFSITE_RESTORE_TIMES: &str = "ListOffSiteRestoreTimes";

/// The latest time this client accepts in a restore window: 9999-12-31T23:59:59.999Z in
/// milliseconds since the epoch (RFC 3339 has four-digit years); a later one is not an answer
/// of this API.
pub const MAX_RESTORE_TIME_MS: u64 = 253_402_300_799_999;

/// What the `date` query parameter accepts, in words.
pub const RESTORE_DATE_FORMAT: &str = "a UTC calendar date written `YYYY-MM-DD`, e.g. `2026-11-25`";

/// Checks a `date` for the call: exactly `YYYY-MM-DD` (four-digit year, two-digit month and
/// day) and a real calendar date (`2026-02-30` is not). The reason never quotes the value.
pub fn validate_restore_date(date: &str) -> Result<time::Date, String> {
    let shape_ok = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(format!("it is not {RESTORE_DATE_FORMAT}"));
    }
    let layout = format_description!("[year]-[month]-[day]");
    time::Date::parse(date, layout).map_err(|_| {
        format!("it has the form YYYY-MM-DD but is not a real calendar date; it must be {RESTORE_DATE_FORMAT}")
    })
}

/// Arguments of one call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsiteRestoreTimeQuery {
    pub instance_id: String,
    /// A UTC day (`YYYY-MM-DD`): only the parts of the windows within it; `None` for all.
    pub date: Option<String>,
}

impl OffsiteRestoreTimeQuery {
    fn validate(&self) -> Result<(), Error> {
        crate::validate::validate_resource_id(&self.instance_id)
            .map_err(|reason| Error::InvalidArgument(format!("instance_id: {reason}")))?;
        if let Some(date) = &self.date {
            validate_restore_date(date)
                .map_err(|reason| Error::InvalidArgument(format!("date: {reason}")))?;
        }
        Ok(())
    }

    fn pairs(&self) -> Vec<(String, String)> {
        self.date
            .iter()
            .map(|date| ("date".to_owned(), date.clone()))
            .collect()
    }
}

/// One time range the instance can be restored to, both ends included, in milliseconds since
/// the epoch (UTC). A field the API omits is `None`; when both are there, `start_time` is not
/// after `end_time`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct OffsiteRestoreTime {
    #[serde(default, deserialize_with = "present_u64")]
    pub start_time: Option<u64>,
    #[serde(default, deserialize_with = "present_u64")]
    pub end_time: Option<u64>,
}

/// Result of a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsiteRestoreTimes {
    pub project_id: String,
    /// In API order.
    pub restore_times: Vec<OffsiteRestoreTime>,
    /// HTTP requests made, retries and any IAM project lookup included.
    pub requests: u32,
}

/// The body as the API documents it: an object with a `restore_time` array of objects.
#[derive(Deserialize)]
struct AnswerFields {
    restore_time: Vec<ObjectOnly<OffsiteRestoreTime>>,
}

/// Decodes the body, refusing what the API does not document (see the module docs).
fn decode(body: &[u8]) -> Result<Vec<OffsiteRestoreTime>, String> {
    let ObjectOnly(fields) = serde_json::from_slice::<ObjectOnly<AnswerFields>>(body)
        .map_err(|error| error.to_string())?;
    let times: Vec<OffsiteRestoreTime> = fields.restore_time.into_iter().map(|t| t.0).collect();
    for (index, time) in times.iter().enumerate() {
        for (name, value) in [("start_time", time.start_time), ("end_time", time.end_time)] {
            if let Some(ms) = value
                && ms > MAX_RESTORE_TIME_MS
            {
                return Err(format!(
                    "restore_time[{index}].{name} is {ms}, later than the year 9999 (at most \
                     {MAX_RESTORE_TIME_MS} milliseconds since the epoch)"
                ));
            }
        }
        if let (Some(start), Some(end)) = (time.start_time, time.end_time)
            && start > end
        {
            return Err(format!(
                "restore_time[{index}] starts after it ends (start_time {start} > end_time {end})"
            ));
        }
    }
    Ok(times)
}

fn decode_error(response: &ApiResponse, reason: &str) -> Error {
    Error::Decode(Box::new(DecodeError {
        what: format!("the answer of {LIST_OFFSITE_RESTORE_TIMES}"),
        // serde's messages quote the values they could not use: server text.
        reason: format!(
            "{}; the body starts with: {}",
            response.redactor.clean(reason),
            response.body_excerpt()
        ),
        status: response.status,
        request_id: response.request_id.clone(),
        request: response.request.clone(),
    }))
}

/// Reads the restore windows of `query.instance_id` in `region`.
pub(crate) async fn list(
    client: &Client,
    region: &str,
    query: &OffsiteRestoreTimeQuery,
    deadline: Option<Deadline>,
    cancel: &CancellationToken,
) -> Result<OffsiteRestoreTimes, Error> {
    query.validate()?;
    let attempts = AtomicU32::new(0);
    let project_id = client
        .project_id_counting(region, &attempts, deadline, cancel)
        .await?;
    let (base, endpoint) = client.base_url(Service::Rds, region)?;
    let segments = [
        "v3",
        project_id.as_str(),
        "instances",
        query.instance_id.as_str(),
        "offsite-restore-time",
    ];
    let pairs = query.pairs();
    let request = ApiRequest {
        service: Service::Rds,
        method: http::Method::GET,
        region,
        body: b"",
        base: &base,
        endpoint: &endpoint,
        segments: &segments,
        query: &pairs,
        project_id: Some(project_id.as_str()),
        offset: None,
        deadline,
    };
    let response = client.http().send(&request, &attempts, cancel).await?;
    let restore_times =
        decode(&response.body).map_err(|reason| decode_error(&response, &reason))?;
    let requests = attempts.load(Ordering::Relaxed);
    debug!(
        region,
        requests,
        windows = restore_times.len(),
        "listed offsite restore times"
    );
    Ok(OffsiteRestoreTimes {
        project_id,
        restore_times,
        requests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(start: Option<u64>, end: Option<u64>) -> OffsiteRestoreTime {
        OffsiteRestoreTime {
            start_time: start,
            end_time: end,
        }
    }

    #[test]
    fn documented_answers_decode_in_order() {
        let body = br#"{"restore_time":[{"start_time":1795572000000,"end_time":1795575600000},
            {"start_time":5,"end_time":5},{"end_time":7},{}]}"#;
        assert_eq!(
            decode(body),
            Ok(vec![
                window(Some(1_795_572_000_000), Some(1_795_575_600_000)),
                window(Some(5), Some(5)),
                window(None, Some(7)),
                window(None, None),
            ])
        );
        assert_eq!(decode(br#"{"restore_time":[]}"#), Ok(Vec::new()));
    }

    #[test]
    fn undocumented_answers_are_errors() {
        for (body, expected) in [
            (&br#"{}"#[..], "missing field `restore_time`"),
            (br#"[]"#, "a JSON object"),
            (br#"{"restore_time":null}"#, "invalid type: null"),
            (br#"{"restore_time":{}}"#, "expected a sequence"),
            (br#"{"restore_time":[[1,2]]}"#, "a JSON object"),
            (br#"{"restore_time":[{"start_time":-1}]}"#, "non-negative"),
            (br#"{"restore_time":[{"start_time":1.5}]}"#, "non-negative"),
            (br#"{"restore_time":[{"end_time":"7"}]}"#, "non-negative"),
            (br#"{"restore_time":[{"end_time":null}]}"#, "non-negative"),
            (
                br#"{"restore_time":[{"start_time":2,"end_time":1}]}"#,
                "restore_time[0] starts after it ends (start_time 2 > end_time 1)",
            ),
            (
                br#"{"restore_time":[{"end_time":253402300800000}]}"#,
                "restore_time[0].end_time is 253402300800000, later than the year 9999",
            ),
        ] {
            let error = decode(body).expect_err(&String::from_utf8_lossy(body));
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn dates_must_be_real_calendar_days() {
        assert_eq!(
            validate_restore_date("2026-11-25"),
            Ok(time::macros::date!(2026 - 11 - 25))
        );
        assert!(validate_restore_date("2028-02-29").is_ok());
        for shape in [
            "2026-1-25",
            "26-11-25",
            "2026/11/25",
            "2026-11-25T00:00:00Z",
            "",
            " 2026-11-2",
        ] {
            let reason = validate_restore_date(shape).expect_err(shape);
            assert!(
                reason.starts_with("it is not a UTC calendar date"),
                "{reason}"
            );
        }
        for unreal in [
            "2026-02-29",
            "2026-02-30",
            "2026-13-01",
            "2026-04-31",
            "2026-00-10",
        ] {
            let reason = validate_restore_date(unreal).expect_err(unreal);
            assert!(reason.contains("not a real calendar date"), "{reason}");
        }
    }

    #[test]
    fn the_query_sends_date_only_when_given() {
        let mut query = OffsiteRestoreTimeQuery {
            instance_id: "inst".into(),
            date: None,
        };
        assert!(query.pairs().is_empty());
        query.date = Some("2026-11-25".into());
        assert_eq!(query.pairs(), vec![("date".into(), "2026-11-25".into())]);
        assert!(query.validate().is_ok());
        query.date = Some("2026-02-30".into());
        assert!(
            matches!(query.validate(), Err(Error::InvalidArgument(m)) if m.starts_with("date: "))
        );
    }
}
