//! Fault injection settings: how the simulator misbehaves on purpose, so that clients'
//! retries, error reporting and paging consistency can be tested.
//!
//! Faults apply to the RDS routes (each calls `route_faults`; routes that are not paged count
//! as offset 0); the IAM lookup is never faulted, and `latency` applies to every request. Counted faults are counted per [`crate::Simulator`], from the
//! moment it starts, over requests that passed the signature check.

use std::str::FromStr;
use std::time::Duration;

use crate::page_body::PageBody;

/// All faults; the default is none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added to every request before it is answered.
    pub latency: Duration,
    /// The first requests answer with an error status, spec after spec: with
    /// `[{503, 2}, {429, 1}]` requests 1–2 get 503 and request 3 gets 429.
    pub fail_first: Vec<FailSpec>,
    /// This fraction (0..=1) of requests, drawn with a PRNG seeded by `seed`, answer the status.
    pub fail_fraction: Option<(f64, u16)>,
    /// `Retry-After` seconds sent with the `fail_fraction` answers (none if `None`; ignored
    /// without `fail_fraction`).
    pub fail_fraction_retry_after: Option<u32>,
    /// The page at this offset answers 200 with truncated JSON.
    pub malformed_json_at_offset: Option<u64>,
    /// With `malformed_json_at_offset`: only the first such page is malformed (else every one).
    pub malformed_json_once: bool,
    /// `(offset, times)`: the first `times` requests for the page at `offset` get their
    /// connection closed without any HTTP response.
    pub drop_connection_at_offset: Option<(u64, u32)>,
    /// Data changing while a client pages through it.
    pub total_count_change: Option<TotalCountChange>,
    /// Every list request answers this error status with a hostile body: terminal escape
    /// sequences, BEL, CR, a fake "Apply complete!" and a fake second "Error:" block in the
    /// code and message (as a compromised proxy could send).
    pub hostile_error_status: Option<u16>,
    /// Every list request answers this error status with a body that echoes the request's
    /// `Authorization` and `X-Security-Token` headers (as some proxies do).
    pub echo_headers_status: Option<u16>,
    /// Every page body is sent one byte per this interval (headers at once), so that one
    /// answer takes minutes.
    pub trickle: Option<Duration>,
    /// Every page body is padded with spaces (still valid JSON) to at least this many bytes,
    /// to test clients' limits on response size.
    pub pad_pages_to: Option<usize>,
    /// Seed of the PRNG behind `fail_fraction`.
    pub seed: u64,
    /// Pages answered 200 with a given raw body (the first matching entry wins).
    pub page_bodies: Vec<PageBody>,
}

/// `count` requests answered with `status` (and `Retry-After: retry_after` seconds if set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailSpec {
    pub status: u16,
    pub count: u32,
    pub retry_after: Option<u32>,
}

/// After the first successfully served page, `inserted` new backups appear at the head of
/// every listed set (newer than all others), so `total_count` grows and later pages shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotalCountChange {
    pub inserted: usize,
}

/// Parses an HTTP error status (400..599) given on its own, e.g. `403`.
pub fn parse_error_status(text: &str) -> Result<u16, String> {
    parse_status(text, "status")
}

fn parse_status(text: &str, flag: &str) -> Result<u16, String> {
    match text.trim().parse::<u16>() {
        Ok(status @ 400..=599) => Ok(status),
        _ => Err(format!(
            "{flag}: {text:?} is not an HTTP error status (400..599)"
        )),
    }
}

impl FromStr for FailSpec {
    type Err = String;

    /// `STATUS:COUNT[:RETRY_AFTER]`, e.g. `503:2:1`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split(':').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(format!(
                "fail-first {s:?}: expected STATUS:COUNT[:RETRY_AFTER]"
            ));
        }
        let status = parse_status(parts[0], "fail-first")?;
        let count = parts[1]
            .trim()
            .parse::<u32>()
            .map_err(|_| format!("fail-first {s:?}: COUNT {:?} is not a number", parts[1]))?;
        let retry_after = match parts.get(2) {
            Some(secs) => Some(secs.trim().parse::<u32>().map_err(|_| {
                format!("fail-first {s:?}: RETRY_AFTER {secs:?} is not a number of seconds")
            })?),
            None => None,
        };
        Ok(FailSpec {
            status,
            count,
            retry_after,
        })
    }
}

/// Parses `FRACTION:STATUS[:RETRY_AFTER]`, e.g. `0.2:503` or `0.2:429:2`, into
/// `(fraction, status, retry_after)` for [`Faults::fail_fraction`] and
/// [`Faults::fail_fraction_retry_after`].
pub fn parse_fail_fraction_spec(s: &str) -> Result<(f64, u16, Option<u32>), String> {
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(format!(
            "fail-fraction {s:?}: expected FRACTION:STATUS[:RETRY_AFTER]"
        ));
    }
    let fraction = parts[0]
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|f| (0.0..=1.0).contains(f))
        .ok_or_else(|| format!("fail-fraction {s:?}: FRACTION must be a number from 0 to 1"))?;
    let status = parse_status(parts[1], "fail-fraction")?;
    let retry_after = match parts.get(2) {
        Some(secs) => Some(secs.trim().parse::<u32>().map_err(|_| {
            format!("fail-fraction {s:?}: RETRY_AFTER {secs:?} is not a number of seconds")
        })?),
        None => None,
    };
    Ok((fraction, status, retry_after))
}

/// Parses `OFFSET[:TIMES]` (TIMES defaults to 1), e.g. `100:2`.
pub fn parse_offset_times(s: &str) -> Result<(u64, u32), String> {
    let (offset, times) = match s.split_once(':') {
        Some((offset, times)) => (offset, Some(times)),
        None => (s, None),
    };
    let offset = offset
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("{s:?}: OFFSET {offset:?} is not a non-negative number"))?;
    let times = match times {
        Some(times) => times
            .trim()
            .parse::<u32>()
            .map_err(|_| format!("{s:?}: TIMES {times:?} is not a number"))?,
        None => 1,
    };
    Ok((offset, times))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fail_specs() {
        assert_eq!(
            "503:2:1".parse::<FailSpec>(),
            Ok(FailSpec {
                status: 503,
                count: 2,
                retry_after: Some(1)
            })
        );
        assert_eq!(
            "429:1".parse::<FailSpec>(),
            Ok(FailSpec {
                status: 429,
                count: 1,
                retry_after: None
            })
        );
        assert!("200:1".parse::<FailSpec>().is_err());
        assert!("503".parse::<FailSpec>().is_err());
        assert!("503:x".parse::<FailSpec>().is_err());
        assert!("503:1:2:3".parse::<FailSpec>().is_err());
    }

    #[test]
    fn parses_fractions_and_offsets() {
        assert_eq!(parse_fail_fraction_spec("0.25:500"), Ok((0.25, 500, None)));
        assert!(parse_fail_fraction_spec("1.5:500").is_err());
        assert!(parse_fail_fraction_spec("0.5").is_err());
        assert_eq!(
            parse_fail_fraction_spec("0.5:429:2"),
            Ok((0.5, 429, Some(2)))
        );
        assert_eq!(parse_fail_fraction_spec("0.25:500"), Ok((0.25, 500, None)));
        assert_eq!(parse_fail_fraction_spec("1:429:2"), Ok((1.0, 429, Some(2))));
        assert!(parse_fail_fraction_spec("0.5:429:x").is_err());
        assert!(parse_fail_fraction_spec("0.5:429:1:2").is_err());
        assert!(parse_fail_fraction_spec("0.5:200").is_err());
        assert!(parse_fail_fraction_spec("-0.1:500").is_err());
        assert_eq!(parse_offset_times("100"), Ok((100, 1)));
        assert_eq!(parse_offset_times("100:3"), Ok((100, 3)));
        assert!(parse_offset_times("-1").is_err());
        assert!(parse_offset_times("1:x").is_err());
        assert_eq!(parse_error_status("403"), Ok(403));
        assert!(parse_error_status("200").is_err());
        assert!(parse_error_status("x").is_err());
    }
}
