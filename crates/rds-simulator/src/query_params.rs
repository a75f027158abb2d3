//! Reading the query string the way the real server does, and validating the list request.

use crate::api_error::ApiError;
use crate::dataset::Query;
use crate::time_format::parse_api_time;

/// Default and maximum page size.
pub const MAX_LIMIT: u64 = 100;

/// Decodes `a=1&b=x%2By+z` into pairs: percent-decoding, and a literal `+` read as a SPACE
/// (form decoding, as the real server does). So an unencoded `+0800` arrives as `" 0800"`.
pub fn decode_query(raw_query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw_query.as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

/// A validated `GET /v3/{project_id}/offsite-backups` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    pub query: Query,
    pub offset: u64,
    pub limit: u64,
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// A parameter that is absent or empty counts as not given.
fn given<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    value(pairs, name).filter(|v| !v.is_empty())
}

fn parse_count(
    pairs: &[(String, String)],
    name: &str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
    why: &str,
) -> Result<u64, ApiError> {
    let Some(text) = given(pairs, name) else {
        return Ok(default);
    };
    text.parse::<u64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| ApiError::invalid_parameter(name, why))
}

/// `offset` and `limit` of a paged route without other parameters (e.g.
/// `GET /v3/backups/offsite-backup-instance`), validated like the backup list's.
pub fn parse_page_request(pairs: &[(String, String)]) -> Result<(u64, u64), ApiError> {
    let offset = parse_count(
        pairs,
        "offset",
        0,
        0..=u64::MAX,
        "It must be an integer that is not negative.",
    )?;
    let limit = parse_count(
        pairs,
        "limit",
        MAX_LIMIT,
        1..=MAX_LIMIT,
        "It must be an integer from 1 to 100.",
    )?;
    Ok((offset, limit))
}

/// Validates the list parameters; the error names the first invalid one.
pub fn parse_list_request(pairs: &[(String, String)]) -> Result<ListRequest, ApiError> {
    let instance_id = given(pairs, "instance_id")
        .ok_or_else(|| ApiError::invalid_parameter("instance_id", "It is mandatory."))?;
    let backup_type = given(pairs, "backup_type")
        .ok_or_else(|| ApiError::invalid_parameter("backup_type", "It is mandatory."))?;
    if backup_type != "auto" && backup_type != "incremental" {
        return Err(ApiError::invalid_parameter(
            "backup_type",
            "Its value must be auto or incremental.",
        ));
    }
    let offset = parse_count(
        pairs,
        "offset",
        0,
        0..=u64::MAX,
        "It must be an integer that is not negative.",
    )?;
    let limit = parse_count(
        pairs,
        "limit",
        MAX_LIMIT,
        1..=MAX_LIMIT,
        "It must be an integer from 1 to 100.",
    )?;
    let begin_time = given(pairs, "begin_time");
    let end_time = given(pairs, "end_time");
    match (begin_time, end_time) {
        (Some(begin), Some(end)) => {
            const FORMAT: &str = "It must be in the format yyyy-mm-ddThh:mm:ssZ, e.g. 2026-11-27T10:41:14+0800 (send + as %2B).";
            let begin_at = parse_api_time(begin)
                .ok_or_else(|| ApiError::invalid_parameter("begin_time", FORMAT))?;
            let end_at = parse_api_time(end)
                .ok_or_else(|| ApiError::invalid_parameter("end_time", FORMAT))?;
            if end_at <= begin_at {
                return Err(ApiError::invalid_parameter(
                    "end_time",
                    "The end time must be later than the begin time.",
                ));
            }
        }
        (Some(_), None) => {
            return Err(ApiError::invalid_parameter(
                "end_time",
                "It is mandatory when begin_time is specified.",
            ));
        }
        (None, Some(_)) => {
            return Err(ApiError::invalid_parameter(
                "begin_time",
                "It is mandatory when end_time is specified.",
            ));
        }
        (None, None) => {}
    }
    Ok(ListRequest {
        query: Query {
            instance_id: instance_id.to_owned(),
            backup_type: backup_type.to_owned(),
            backup_id: given(pairs, "backup_id").map(str::to_owned),
            begin_time: begin_time.map(str::to_owned),
            end_time: end_time.map(str::to_owned),
        },
        offset,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<ListRequest, ApiError> {
        parse_list_request(&decode_query(raw))
    }

    fn rejected_parameter(raw: &str) -> String {
        let err = parse(raw).expect_err("must be rejected");
        assert_eq!(err.status, 400);
        assert_eq!(err.code, "DBS.280001");
        err.message
    }

    #[test]
    fn plus_is_a_space_and_percent_2b_is_a_plus() {
        assert_eq!(
            decode_query("t=10:00:00+0800&u=10%3A00%3A00%2B0800"),
            [
                ("t".to_owned(), "10:00:00 0800".to_owned()),
                ("u".to_owned(), "10:00:00+0800".to_owned())
            ]
        );
    }

    #[test]
    fn defaults_and_full_request() {
        let minimal = parse("instance_id=i&backup_type=auto").expect("valid");
        assert_eq!((minimal.offset, minimal.limit), (0, 100));
        let full = parse(
            "instance_id=i&backup_type=incremental&backup_id=b&offset=5&limit=1\
             &begin_time=2026-11-27T10%3A00%3A00%2B0800&end_time=2026-11-27T03%3A00%3A00%2B0000",
        )
        .expect("valid");
        assert_eq!((full.offset, full.limit), (5, 1));
        assert_eq!(full.query.backup_id.as_deref(), Some("b"));
        assert_eq!(
            full.query.begin_time.as_deref(),
            Some("2026-11-27T10:00:00+0800")
        );
    }

    #[test]
    fn invalid_parameters_are_named() {
        let base = "instance_id=i&backup_type=auto";
        assert!(rejected_parameter("backup_type=auto").contains("instance_id"));
        assert!(rejected_parameter("instance_id=i").contains("backup_type"));
        assert!(rejected_parameter("instance_id=i&backup_type=full").contains("backup_type"));
        for limit in ["0", "101", "-1", "abc", "1.5"] {
            assert!(rejected_parameter(&format!("{base}&limit={limit}")).contains("limit"));
        }
        for offset in ["-1", "abc"] {
            assert!(rejected_parameter(&format!("{base}&offset={offset}")).contains("offset"));
        }
        let unencoded = "&begin_time=2026-11-27T10:00:00+0800&end_time=2026-11-28T10:00:00%2B0800";
        assert!(rejected_parameter(&format!("{base}{unencoded}")).contains("begin_time"));
        let only_begin = "&begin_time=2026-11-27T10:00:00%2B0800";
        assert!(rejected_parameter(&format!("{base}{only_begin}")).contains("end_time"));
        let only_end = "&end_time=2026-11-27T10:00:00%2B0800";
        assert!(rejected_parameter(&format!("{base}{only_end}")).contains("begin_time"));
        // 10:00+0800 is 02:00+0000: equal instants, so end is not later than begin.
        let equal = "&begin_time=2026-11-27T10:00:00%2B0800&end_time=2026-11-27T02:00:00%2B0000";
        assert!(rejected_parameter(&format!("{base}{equal}")).contains("end_time"));
    }
}
