//! The API's time format, `yyyy-mm-ddThh:mm:ss±hhmm` (for example `2026-11-27T02:15:00+0800`).
//!
//! Both the backup items and the `begin_time`/`end_time` filters use it. Times are compared as
//! instants, so `10:00:00+0800` and `02:00:00+0000` are the same moment. The client sends
//! filters in this format. (The API simulator has its own reader and writer of it, so that it
//! judges the client by the API's rule rather than by this code.)

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

const API_TIME_FORMAT: &[BorrowedFormatItem<'static>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
);

/// Parses an API time; `None` when it is not exactly `yyyy-mm-ddThh:mm:ss±hhmm`.
///
/// A value whose `+` was sent unencoded arrives as `" 0800"` and is rejected here, as the real
/// server does.
pub fn parse_api_time(value: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(value, API_TIME_FORMAT).ok()
}

/// Formats `instant` in the API format, shown in the time zone `offset`.
pub fn format_api_time(instant: OffsetDateTime, offset: UtcOffset) -> String {
    instant
        .to_offset(offset)
        .format(API_TIME_FORMAT)
        // Only numeric components of a valid date: formatting fails only for years past 9999.
        .unwrap_or_else(|_| String::from("9999-12-31T23:59:59+0000"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn parses_and_compares_offsets_as_instants() {
        let beijing = parse_api_time("2026-11-27T10:00:00+0800");
        let utc = parse_api_time("2026-11-27T02:00:00+0000");
        assert!(beijing.is_some());
        assert_eq!(beijing, utc);
    }

    #[test]
    fn rejects_space_instead_of_plus_and_other_layouts() {
        assert_eq!(parse_api_time("2026-11-27T10:00:00 0800"), None);
        assert_eq!(parse_api_time("2026-11-27T10:00:00Z"), None);
        assert_eq!(parse_api_time("2026-11-27 10:00:00+0800"), None);
        assert_eq!(parse_api_time("2026-11-27T10:00:00+08:00"), None);
        assert_eq!(parse_api_time(""), None);
    }

    #[test]
    fn formats_in_the_requested_offset() {
        let instant = datetime!(2026-11-27 02:15:00 UTC);
        assert_eq!(
            format_api_time(instant, offset!(+8)),
            "2026-11-27T10:15:00+0800"
        );
        assert_eq!(
            format_api_time(instant, UtcOffset::UTC),
            "2026-11-27T02:15:00+0000"
        );
    }
}
