//! From the API's answer to the state: times as RFC 3339 and as milliseconds, the latest
//! restorable time, and the deterministic `id`.

use hwcloud::OffsiteRestoreTime;
use tfplugin::Value;
use tfplugin::cty::Number;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::data_source::id::digest;
use crate::offsite_restore_times::arguments::Arguments;
use crate::offsite_restore_times::schema::{names, restore_time_names};

/// `ms` (milliseconds since the epoch) in RFC 3339, UTC, suffix `Z`, milliseconds only when
/// not zero: `2026-11-25T02:00:00Z`, `2026-11-25T23:59:59.999Z`. `None` beyond what RFC 3339
/// can write (the client refuses such answers already).
pub fn rfc3339(ms: u64) -> Option<String> {
    let nanos = i128::from(ms).checked_mul(1_000_000)?;
    let instant = OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
    let seconds = instant
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]"
        ))
        .ok()?;
    if seconds.len() != 19 {
        return None;
    }
    Some(match ms % 1000 {
        0 => format!("{seconds}Z"),
        millis => format!("{seconds}.{millis:03}Z"),
    })
}

/// The same query always has the same ID: a digest of region, project and arguments.
pub fn id(region: &str, project_id: &str, arguments: &Arguments) -> String {
    digest(&[
        "offsite_restore_times",
        region,
        project_id,
        &arguments.instance_id,
        arguments.date.as_deref().unwrap_or(""),
    ])
}

fn time_value(ms: Option<u64>) -> Result<Value, String> {
    match ms {
        None => Ok(Value::Null),
        Some(ms) => rfc3339(ms)
            .map(Value::from)
            .ok_or_else(|| format!("{ms} milliseconds since the epoch is beyond RFC 3339")),
    }
}

fn number(ms: Option<u64>) -> Value {
    ms.map_or(Value::Null, |ms| Value::Number(Number::from(ms)))
}

/// One time range as the cty value of the schema's `restore_times` element.
fn restore_time_value(time: &OffsiteRestoreTime) -> Result<Value, String> {
    Ok(Value::object([
        (restore_time_names::START_TIME, time_value(time.start_time)?),
        (restore_time_names::END_TIME, time_value(time.end_time)?),
        (restore_time_names::START_TIME_MS, number(time.start_time)),
        (restore_time_names::END_TIME_MS, number(time.end_time)),
    ]))
}

/// The whole state object: the arguments as written plus the computed attributes. Fails only
/// for a time RFC 3339 cannot write.
pub fn state(
    arguments: &Arguments,
    region: &str,
    project_id: &str,
    times: &[OffsiteRestoreTime],
) -> Result<Value, String> {
    let restore_times = times
        .iter()
        .map(restore_time_value)
        .collect::<Result<Vec<_>, _>>()?;
    let latest = times.iter().filter_map(|time| time.end_time).max();
    Ok(Value::object([
        (names::ID, Value::from(id(region, project_id, arguments))),
        (
            names::INSTANCE_ID,
            Value::from(arguments.instance_id.as_str()),
        ),
        (names::DATE, Value::string_or_null(arguments.date.clone())),
        (names::REGION, Value::from(region)),
        (names::TIMEOUTS, arguments.timeouts.clone()),
        (names::RESTORE_TIMES, Value::List(restore_times)),
        (names::LATEST_RESTORABLE_TIME, time_value(latest)?),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_shows_milliseconds_only_when_not_zero() {
        // 1795564800 is 2026-11-25T00:00:00Z (`date -u -d 2026-11-25 +%s`).
        assert_eq!(
            rfc3339(1_795_564_800_000).as_deref(),
            Some("2026-11-25T00:00:00Z")
        );
        assert_eq!(
            rfc3339(1_795_651_199_999).as_deref(),
            Some("2026-11-25T23:59:59.999Z")
        );
        assert_eq!(
            rfc3339(1_795_564_800_050).as_deref(),
            Some("2026-11-25T00:00:00.050Z")
        );
        assert_eq!(rfc3339(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            rfc3339(hwcloud::MAX_RESTORE_TIME_MS).as_deref(),
            Some("9999-12-31T23:59:59.999Z")
        );
        assert_eq!(rfc3339(hwcloud::MAX_RESTORE_TIME_MS + 1), None);
        assert_eq!(rfc3339(u64::MAX), None);
    }

    fn arguments(date: Option<&str>) -> Arguments {
        Arguments {
            instance_id: "inst".into(),
            date: date.map(str::to_owned),
            region: None,
            timeouts: Value::Null,
        }
    }

    #[test]
    fn ids_are_stable_and_differ_by_query() {
        let a = id("cn-north-4", "p", &arguments(None));
        assert_eq!(a, id("cn-north-4", "p", &arguments(None)));
        assert_eq!(a.len(), 32);
        assert_ne!(a, id("cn-north-4", "p", &arguments(Some("2026-11-25"))));
        assert_ne!(a, id("cn-east-3", "p", &arguments(None)));
    }

    #[test]
    fn latest_is_the_greatest_end_and_null_without_one() {
        let times = [
            OffsiteRestoreTime {
                start_time: Some(1),
                end_time: Some(1_795_651_199_999),
            },
            OffsiteRestoreTime {
                start_time: None,
                end_time: Some(1_795_564_800_000),
            },
        ];
        let state = state(&arguments(None), "r", "p", &times).expect("state");
        assert_eq!(
            state.get(names::LATEST_RESTORABLE_TIME),
            Some(&Value::from("2026-11-25T23:59:59.999Z"))
        );
        let empty = super::state(&arguments(None), "r", "p", &[]).expect("state");
        assert_eq!(empty.get(names::LATEST_RESTORABLE_TIME), Some(&Value::Null));
        assert_eq!(
            empty.get(names::RESTORE_TIMES),
            Some(&Value::List(Vec::new()))
        );
    }
}
