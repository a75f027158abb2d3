//! The API's time text, `yyyy-mm-ddThh:mm:ss±hhmm` (`2026-11-27T10:15:00+0800`), as the
//! simulator reads it in `begin_time`/`end_time` and writes it in backups.
//!
//! Also the expiry time of temporary credentials (`expires_at` of IAM's `securitytokens` and of
//! the ECS metadata `securitykey`), `2017-04-17T07:55:18.575000Z`.
//!
//! Written here from the API reference rather than taken from the client (`hwcloud`), so the
//! simulator judges the client's times by the API's rule, not by the client's own.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// Date, `T`, time to the second, then a signed four-digit offset without a colon.
const API_TIME: &[BorrowedFormatItem<'static>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
);

/// `expires_at` of a temporary credential: UTC, microseconds, `Z`. The IAM API reference's
/// example answer of `POST /v3.0/OS-CREDENTIAL/securitytokens` shows
/// `"expires_at": "2017-04-17T07:55:18.575000Z"`, and the official Python SDK's core reads it
/// with `"%Y-%m-%dT%H:%M:%S.%fZ"` (`huaweicloudsdkcore/auth/internal.py`, `_TIME_FORMAT`).
const CREDENTIAL_EXPIRY: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Writes `instant` as a temporary credential's `expires_at` (in UTC, microseconds).
pub fn format_credential_expiry(instant: OffsetDateTime) -> String {
    instant
        .to_offset(UtcOffset::UTC)
        .format(CREDENTIAL_EXPIRY)
        .unwrap_or_else(|_| String::from("9999-12-31T23:59:59.000000Z"))
}

/// Reads a temporary credential's `expires_at`; `None` unless it is exactly
/// `yyyy-mm-ddThh:mm:ss.ffffffZ`.
pub fn parse_credential_expiry(text: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(text, CREDENTIAL_EXPIRY)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}

/// Reads an API time; `None` unless it is exactly `yyyy-mm-ddThh:mm:ss±hhmm`.
///
/// A `+` sent unencoded arrives as a blank (`" 0800"`) and is refused, like the real server.
pub fn parse_api_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, API_TIME).ok()
}

/// Writes `instant` as an API time, shown in the time zone `offset`.
pub fn format_api_time(instant: OffsetDateTime, offset: UtcOffset) -> String {
    instant
        .to_offset(offset)
        .format(API_TIME)
        // The layout is numeric only; formatting fails for years beyond 9999 alone.
        .unwrap_or_else(|_| String::from("9999-12-31T23:59:59+0000"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn offsets_are_instants() {
        let beijing = parse_api_time("2026-11-27T10:00:00+0800");
        assert_eq!(beijing, Some(datetime!(2026-11-27 02:00:00 UTC)));
        assert_eq!(beijing, parse_api_time("2026-11-27T02:00:00+0000"));
        assert_eq!(
            parse_api_time("2026-11-26T20:30:00-0530"),
            Some(datetime!(2026-11-27 02:00:00 UTC))
        );
    }

    #[test]
    fn other_layouts_are_refused() {
        for bad in [
            "",
            "2026-11-27T10:00:00 0800",
            "2026-11-27T10:00:00Z",
            "2026-11-27 10:00:00+0800",
            "2026-11-27T10:00:00+08:00",
            "2026-11-27T10:00:00.5+0800",
            "2026-11-27T10:00+0800",
            "2026-13-27T10:00:00+0800",
        ] {
            assert_eq!(parse_api_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn credential_expiry_has_microseconds_and_z() {
        let instant = datetime!(2026-12-08 20:00:00.5 +8);
        let text = format_credential_expiry(instant);
        assert_eq!(text, "2026-12-08T12:00:00.500000Z");
        assert_eq!(parse_credential_expiry(&text), Some(instant));
        // The API reference's own example.
        assert_eq!(
            parse_credential_expiry("2017-04-17T07:55:18.575000Z"),
            Some(datetime!(2017-04-17 07:55:18.575 UTC))
        );
        for bad in [
            "2017-04-17T07:55:18Z",
            "2017-04-17T07:55:18.575Z",
            "2017-04-17T07:55:18.575000+00:00",
        ] {
            assert_eq!(parse_credential_expiry(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn written_in_the_requested_zone() {
        let instant = datetime!(2026-11-27 02:15:00 UTC);
        assert_eq!(
            format_api_time(instant, offset!(+8)),
            "2026-11-27T10:15:00+0800"
        );
        assert_eq!(
            format_api_time(instant, offset!(-5:30)),
            "2026-11-26T20:45:00-0530"
        );
        assert_eq!(
            format_api_time(instant, UtcOffset::UTC),
            "2026-11-27T02:15:00+0000"
        );
    }
}
