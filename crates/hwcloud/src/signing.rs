//! Huawei Cloud AK/SK request signing, algorithm `SDK-HMAC-SHA256`.
//!
//! This module is pure (no I/O, no clock): the client uses it to sign requests, and this
//! crate's test mock to verify them. The API simulator verifies with its own code, written
//! separately from the same algorithm, so the two check each other. The steps follow the
//! official SDK signers and signing guide:
//!
//! 1. `X-Sdk-Date` is UTC `YYYYMMDDTHHMMSSZ` ([`format_sdk_date`]).
//! 2. CanonicalRequest = METHOD, CanonicalURI, CanonicalQuery, CanonicalHeaders, SignedHeaders
//!    and hex(sha256(body)), joined by `\n` ([`canonical_request`]).
//! 3. StringToSign = `SDK-HMAC-SHA256\n{date}\n{hex(sha256(CanonicalRequest))}`.
//! 4. Signature = hex(HMAC-SHA256(secret key, StringToSign)).
//! 5. `Authorization: SDK-HMAC-SHA256 Access={ak}, SignedHeaders={a;b}, Signature={sig}`.

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

/// The signing algorithm name, first word of the `Authorization` header and of StringToSign.
pub(crate) const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// Every byte except the RFC 3986 unreserved characters is percent-encoded.
const ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `X-Sdk-Date` layout: basic ISO 8601 in UTC.
const SDK_DATE_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year][month][day]T[hour][minute][second]Z");

/// Percent-encode keeping `A-Z a-z 0-9 - _ . ~`; every other byte becomes `%XX` (uppercase).
///
/// Used for both the canonical form and the query string actually sent, so that characters such
/// as `+` (in time zone offsets like `+0800`) travel as `%2B` and are not read as a space.
pub(crate) fn encode(s: &str) -> String {
    utf8_percent_encode(s, ENCODE_SET).to_string()
}

/// Canonical query string: keys sorted bytewise, values sorted per key, `enc(k)=enc(v)` joined
/// by `&`. This is ALSO the exact query string the client sends.
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    // Sort the raw pairs (as the official SDK signers do), then encode: keys bytewise, and the
    // values of a repeated key bytewise among themselves.
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| {
        a.0.as_bytes()
            .cmp(b.0.as_bytes())
            .then_with(|| a.1.as_bytes().cmp(b.1.as_bytes()))
    });
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Canonical URI: each path segment percent-encoded, always ending with `/`.
///
/// The URL actually sent need not end with `/`; only the signed form does.
pub(crate) fn canonical_uri(path: &str) -> String {
    let encoded = path.split('/').map(encode).collect::<Vec<_>>().join("/");
    let mut uri = if encoded.starts_with('/') {
        encoded
    } else {
        format!("/{encoded}")
    };
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Lowercased, sorted header names joined by `;` and the matching canonical header block.
fn canonical_headers(signed_headers: &[(String, String)]) -> (String, String) {
    let mut headers: Vec<(String, &str)> = signed_headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .collect();
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    let block: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let names = headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    (block, names)
}

/// Lowercased, sorted names of the headers to sign (the `SignedHeaders` list).
pub fn signed_header_names(signed_headers: &[(String, String)]) -> Vec<String> {
    let mut names: Vec<String> = signed_headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .collect();
    names.sort();
    names
}

/// Builds the canonical request.
///
/// `signed_headers` are (name, value) pairs of exactly the headers being signed; names are
/// lowercased and sorted, values trimmed. `path` is the raw (unencoded) URL path.
pub fn canonical_request(
    method: &str,
    path: &str,
    query: &[(String, String)],
    signed_headers: &[(String, String)],
    body: &[u8],
) -> String {
    let (header_block, header_names) = canonical_headers(signed_headers);
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        canonical_uri(path),
        canonical_query(query),
        header_block,
        header_names,
        hex::encode(Sha256::digest(body)),
    )
}

/// StringToSign = `SDK-HMAC-SHA256\n{sdk_date}\n{hex(sha256(canonical_request))}`.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{sdk_date}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

/// Signature = hex(HMAC-SHA256(secret_key, string_to_sign)).
pub fn signature(secret_key: &str, string_to_sign: &str) -> String {
    // HMAC accepts keys of any length, so this constructor cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA256 accepts keys of any length"),
    };
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// `SDK-HMAC-SHA256 Access={ak}, SignedHeaders={a;b}, Signature={sig}`.
pub fn authorization_header(
    access_key: &str,
    signed_header_names: &[String],
    signature: &str,
) -> String {
    format!(
        "{ALGORITHM} Access={access_key}, SignedHeaders={}, Signature={signature}",
        signed_header_names.join(";")
    )
}

/// The parts of an `Authorization` header value (used by verifiers such as the test mock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access_key: String,
    /// Names as they appear in the header (lowercase, `;`-separated in the header).
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Parses `SDK-HMAC-SHA256 Access=.., SignedHeaders=..;.., Signature=..`.
///
/// Returns `None` for another algorithm, a missing or empty part, or a repeated part.
pub fn parse_authorization(value: &str) -> Option<Authorization> {
    let rest = value.trim().strip_prefix(ALGORITHM)?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let mut access_key = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (key, val) = part.trim().split_once('=')?;
        let val = val.trim();
        if val.is_empty() {
            return None;
        }
        let slot = match key.trim() {
            "Access" => &mut access_key,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => return None,
        };
        if slot.replace(val.to_owned()).is_some() {
            return None;
        }
    }
    let signed_headers: Vec<String> = signed_headers?
        .split(';')
        .map(|name| name.trim().to_owned())
        .collect();
    if signed_headers.iter().any(String::is_empty) {
        return None;
    }
    Some(Authorization {
        access_key: access_key?,
        signed_headers,
        signature: signature?,
    })
}

/// Formats `t` (converted to UTC) as `YYYYMMDDTHHMMSSZ`, the `X-Sdk-Date` value.
pub fn format_sdk_date(t: OffsetDateTime) -> String {
    let utc = t.to_offset(time::UtcOffset::UTC);
    // The format only contains numeric components of a valid date, so formatting cannot fail
    // for years 0..=9999; fall back to a visibly wrong but harmless value otherwise.
    utc.format(SDK_DATE_FORMAT)
        .unwrap_or_else(|_| String::from("00000000T000000Z"))
}

/// Parses an `X-Sdk-Date` value (`YYYYMMDDTHHMMSSZ`, UTC).
pub fn parse_sdk_date(s: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(s, SDK_DATE_FORMAT)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AK: &str = "AccessKey";
    const SK: &str = "SecretKey";

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sign(
        sk: &str,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&str, &str)],
        body: &[u8],
        date: &str,
    ) -> (String, String) {
        let cr = canonical_request(method, path, &pairs(query), &pairs(headers), body);
        let sts = string_to_sign(date, &cr);
        (cr, signature(sk, &sts))
    }

    #[test]
    fn vector_get_signed_date_only() {
        let date = "20060102T150405Z";
        let (_, sig) = sign(
            SK,
            "GET",
            "/path",
            &[("limit", "1")],
            &[("X-Sdk-Date", date)],
            b"",
            date,
        );
        assert_eq!(
            sig,
            "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"
        );
    }

    #[test]
    fn vector_post_signed_date_only() {
        let date = "20060102T150405Z";
        let (_, sig) = sign(
            SK,
            "POST",
            "/path",
            &[("key", "value")],
            &[("X-Sdk-Date", date)],
            b"{\"Name\":\"test\",\"Id\":1}\n",
            date,
        );
        assert_eq!(
            sig,
            "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59"
        );
    }

    #[test]
    fn vector_get_signed_host_and_date() {
        let date = "20200608T023900Z";
        let (_, sig) = sign(
            SK,
            "GET",
            "/resources",
            &[("size", "1")],
            &[
                ("Host", "service.endpoint.myhuaweicloud.com"),
                ("X-Sdk-Date", date),
            ],
            b"",
            date,
        );
        assert_eq!(
            sig,
            "cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
        );
    }

    #[test]
    fn vector_post_signed_host_and_date() {
        let date = "20200608T023900Z";
        let (_, sig) = sign(
            SK,
            "POST",
            "/resources",
            &[("size", "1")],
            &[
                ("Host", "service.endpoint.myhuaweicloud.com"),
                ("X-Sdk-Date", date),
            ],
            b"{\"name\":\"test\",\"id\":1}",
            date,
        );
        assert_eq!(
            sig,
            "436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f"
        );
    }

    #[test]
    fn vector_signing_guide() {
        let date = "20191115T033655Z";
        let (cr, sig) = sign(
            "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
            "GET",
            "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
            &[
                ("limit", "2"),
                ("marker", "13551d6b-755d-4757-b956-536f674975c0"),
            ],
            &[
                ("Content-Type", "application/json"),
                ("Host", "service.region.example.com"),
                ("X-Sdk-Date", date),
            ],
            b"",
            date,
        );
        assert_eq!(
            hex::encode(Sha256::digest(cr.as_bytes())),
            "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
        );
        assert_eq!(
            sig,
            "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        );
    }

    #[test]
    fn encode_keeps_only_unreserved() {
        assert_eq!(encode("aZ09-_.~"), "aZ09-_.~");
        assert_eq!(encode("a b+c/d:e"), "a%20b%2Bc%2Fd%3Ae");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode("*"), "%2A");
    }

    #[test]
    fn canonical_query_encodes_plus_in_time_offsets() {
        let q = canonical_query(&pairs(&[("begin_time", "2018-08-06T10:41:14+0800")]));
        assert_eq!(q, "begin_time=2018-08-06T10%3A41%3A14%2B0800");
    }

    #[test]
    fn canonical_query_sorts_keys_bytewise_and_values_per_key() {
        let q = canonical_query(&pairs(&[
            ("offset", "0"),
            ("b", "2"),
            ("B", "x"),
            ("b", "10"),
            ("a", "z"),
            ("a_b", "1"),
        ]));
        // 'B' (0x42) < 'a' (0x61); "a" < "a_b"; values of "b" sorted bytewise: "10" < "2".
        assert_eq!(q, "B=x&a=z&a_b=1&b=10&b=2&offset=0");
    }

    #[test]
    fn canonical_query_of_nothing_is_empty() {
        assert_eq!(canonical_query(&[]), "");
    }

    #[test]
    fn canonical_query_keeps_empty_values() {
        assert_eq!(canonical_query(&pairs(&[("k", "")])), "k=");
    }

    #[test]
    fn canonical_uri_encodes_segments_and_ends_with_slash() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(
            canonical_uri("/v3/abc/offsite-backups"),
            "/v3/abc/offsite-backups/"
        );
        assert_eq!(canonical_uri("/v3/a b/x/"), "/v3/a%20b/x/");
        assert_eq!(canonical_uri("v3"), "/v3/");
    }

    #[test]
    fn canonical_request_lowercases_sorts_and_trims_headers() {
        let cr = canonical_request(
            "get",
            "/v3/p/offsite-backups",
            &pairs(&[("limit", "100"), ("instance_id", "i")]),
            &pairs(&[
                ("X-Sdk-Date", "20240101T000000Z"),
                ("Host", "  rds.example.com "),
                ("X-Project-Id", "p"),
            ]),
            b"",
        );
        let expected = "GET\n/v3/p/offsite-backups/\ninstance_id=i&limit=100\n\
                        host:rds.example.com\nx-project-id:p\nx-sdk-date:20240101T000000Z\n\n\
                        host;x-project-id;x-sdk-date\n\
                        e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(cr, expected);
    }

    #[test]
    fn authorization_header_round_trips() {
        let names = vec!["host".to_string(), "x-sdk-date".to_string()];
        let header = authorization_header(AK, &names, "abc123");
        assert_eq!(
            header,
            "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=abc123"
        );
        let parsed = parse_authorization(&header).expect("parses");
        assert_eq!(
            parsed,
            Authorization {
                access_key: AK.into(),
                signed_headers: names,
                signature: "abc123".into()
            }
        );
    }

    #[test]
    fn parse_authorization_rejects_malformed_values() {
        for bad in [
            "",
            "SDK-HMAC-SHA256",
            "AWS4-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=s",
            "SDK-HMAC-SHA256Access=a, SignedHeaders=host, Signature=s",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host",
            "SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=s",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host;;x, Signature=s",
            "SDK-HMAC-SHA256 Access=a, Access=b, SignedHeaders=host, Signature=s",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=s, Extra=1",
            "SDK-HMAC-SHA256 Access=a SignedHeaders=host Signature=s",
        ] {
            assert_eq!(parse_authorization(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn signed_header_names_are_lowercase_and_sorted() {
        let names = signed_header_names(&pairs(&[
            ("X-Sdk-Date", "d"),
            ("Host", "h"),
            ("X-Project-Id", "p"),
        ]));
        assert_eq!(names, vec!["host", "x-project-id", "x-sdk-date"]);
    }

    #[test]
    fn sdk_date_formats_in_utc_and_parses_back() {
        let t = time::macros::datetime!(2006-01-02 23:04:05 +08:00);
        let s = format_sdk_date(t);
        assert_eq!(s, "20060102T150405Z");
        assert_eq!(parse_sdk_date(&s), Some(t));
    }

    #[test]
    fn parse_sdk_date_rejects_other_layouts() {
        assert_eq!(parse_sdk_date("2006-01-02T15:04:05Z"), None);
        assert_eq!(parse_sdk_date("20060102T150405"), None);
        assert_eq!(parse_sdk_date("20061302T150405Z"), None);
        assert_eq!(parse_sdk_date(""), None);
    }
}
