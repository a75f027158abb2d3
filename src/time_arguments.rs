//! The time arguments (`begin_time`, `end_time`) as Terraform users write them: the API's own
//! format (`2018-08-06T10:41:14+0800`, read by [`hwcloud::api_time`]) or RFC 3339
//! (`2018-08-06T10:41:14+08:00`, `2018-08-06T02:41:14Z`, what `timestamp()` and `timeadd()`
//! produce), with offsets a time zone can have. Requests always carry the API's own format,
//! keeping the offset the user wrote so the instant is unchanged. `most_recent` reads the
//! backups' `begin_time` by the same rules (`offsite_backups/state.rs`).

use hwcloud::api_time::{format_api_time, parse_api_time};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The largest UTC offset in use anywhere (Kiribati's +14:00), either way: both formats can
/// write offsets up to 23:59, which no time zone has, so such a time is a typing mistake.
const MAX_OFFSET_MINUTES: i16 = 14 * 60;

/// What the accepted formats are, for error messages.
pub const ACCEPTED_FORMATS: &str = "the API's format `2018-08-06T10:41:14+0800` or RFC 3339 \
    (`2018-08-06T10:41:14+08:00`, `2018-08-06T02:41:14Z`, as produced by timestamp() and timeadd())";

/// Parses a time in either accepted format, with a UTC offset within +-14:00 and a year from
/// 0001. The error says what was wrong, in words.
pub fn parse(text: &str) -> Result<OffsetDateTime, String> {
    let t = parse_format(text)?;
    if t.offset().whole_minutes().abs() > MAX_OFFSET_MINUTES {
        return Err(format!(
            "{text:?} has a UTC offset beyond 14 hours; offsets range from -14:00 to +14:00"
        ));
    }
    // Both formats write four-digit years, so 0000 is the only year before 0001 they can hold;
    // year 0 exists in no calendar the API uses.
    if t.year() < 1 {
        return Err(format!(
            "{text:?} is in the year 0000; years from 0001 to 9999 are accepted"
        ));
    }
    Ok(t)
}

/// Parses either accepted format, without the range checks of [`parse`].
fn parse_format(text: &str) -> Result<OffsetDateTime, String> {
    // RFC 3339 allows a leap second (`23:59:60`), which the time library turns into
    // `23:59:59.999999999`; say what is really wrong instead of blaming fractions.
    if text.get(16..19) == Some(":60") {
        return Err(format!(
            "{text:?} has a leap second (:60), which the API cannot express"
        ));
    }
    if let Some(t) = parse_api_time(text) {
        return Ok(t);
    }
    match OffsetDateTime::parse(text, &Rfc3339) {
        Ok(t) if t.nanosecond() != 0 => Err(format!(
            "{text:?} has fractional seconds, which the API cannot express; use whole seconds"
        )),
        Ok(t) => Ok(t),
        Err(_) => Err(format!("{text:?} is not a valid time")),
    }
}

/// Formats a time in the API's layout, in the time's own offset (`Z` becomes `+0000`).
pub fn to_api_format(t: OffsetDateTime) -> String {
    format_api_time(t, t.offset())
}

/// Converts an accepted time text to the API's format.
#[cfg(test)]
pub fn normalize(text: &str) -> Result<String, String> {
    parse(text).map(to_api_format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_format_is_kept_as_is() {
        assert_eq!(
            normalize("2018-08-06T10:41:14+0800").unwrap(),
            "2018-08-06T10:41:14+0800"
        );
        assert_eq!(
            normalize("2018-08-06T10:41:14-0530").unwrap(),
            "2018-08-06T10:41:14-0530"
        );
    }

    #[test]
    fn rfc3339_is_converted_keeping_the_offset() {
        assert_eq!(
            normalize("2018-08-06T10:41:14+08:00").unwrap(),
            "2018-08-06T10:41:14+0800"
        );
        assert_eq!(
            normalize("2018-08-06T02:41:14Z").unwrap(),
            "2018-08-06T02:41:14+0000"
        );
        assert_eq!(
            normalize("2018-08-06t02:41:14z").unwrap(),
            "2018-08-06T02:41:14+0000"
        );
    }

    #[test]
    fn same_instant_in_both_formats() {
        assert_eq!(
            parse("2018-08-06T10:41:14+0800").unwrap(),
            parse("2018-08-06T02:41:14Z").unwrap()
        );
    }

    #[test]
    fn bad_times_are_explained() {
        for bad in [
            "",
            "yesterday",
            "2018-08-06",
            "2018-08-06 10:41:14+0800",
            "2018-13-06T10:41:14Z",
            "2018-08-06T10:41:14",
            "2018-08-06T10:41:14 0800",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains("not a valid time"), "{bad}: {err}");
        }
        let err = parse("2018-08-06T10:41:14.5Z").unwrap_err();
        assert!(err.contains("fractional seconds"), "{err}");
        let err = parse("2016-12-31T23:59:60Z").unwrap_err();
        assert!(err.contains("leap second"), "{err}");
    }

    #[test]
    fn offsets_beyond_fourteen_hours_are_rejected() {
        for bad in [
            "2018-08-06T10:41:14+1401",
            "2018-08-06T10:41:14-1500",
            "2018-08-06T10:41:14+23:59",
            "2018-08-06T10:41:14-14:30",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(
                err.contains("offsets range from -14:00 to +14:00"),
                "{bad}: {err}"
            );
        }
        for good in [
            "2018-08-06T10:41:14+1400",
            "2018-08-06T10:41:14-14:00",
            "2018-08-06T10:41:14+0545",
        ] {
            assert!(parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn year_zero_is_rejected() {
        for bad in ["0000-01-01T00:00:00Z", "0000-12-31T23:59:59+0800"] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains("year 0000"), "{bad}: {err}");
        }
        assert!(parse("0001-01-01T00:00:00Z").is_ok());
        assert!(parse("9999-12-31T23:59:59+0000").is_ok());
    }
}
