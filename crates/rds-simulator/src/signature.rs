//! The server side of Huawei Cloud's AK/SK signature, `SDK-HMAC-SHA256`, written from the
//! published algorithm (the signing guide; the official SDK signers agree with it) and NOT from
//! the client in `hwcloud`: a canonicalisation mistake in the client then fails the simulator
//! tests instead of being repeated here.
//!
//! From the request as the server received it, the verifier rebuilds
//!
//! ```text
//! CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
//!                    SignedHeaders \n hex(sha256(body))
//! StringToSign     = SDK-HMAC-SHA256 \n X-Sdk-Date \n hex(sha256(CanonicalRequest))
//! Signature        = hex(HMAC-SHA256(secret key, StringToSign))
//! ```
//!
//! and compares the signature with the one in
//! `Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`.
//! Pure: no I/O, no clock (the clock-skew rule is in `auth.rs`).

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// The signing guide's encoding: RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) stay,
/// every other byte of the UTF-8 text becomes `%XX` with uppercase hex digits.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `X-Sdk-Date`: basic ISO 8601, always UTC (`20261127T021500Z`).
const SDK_DATE: &[BorrowedFormatItem<'static>] =
    format_description!("[year][month][day]T[hour][minute][second]Z");

/// What a request claims in its `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Authorization {
    pub access_key: String,
    /// The `SignedHeaders` names, in the order given.
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Reads `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`.
///
/// `None` for another scheme, no blank after the scheme, an unknown, repeated, missing or
/// empty field, or an empty header name in `SignedHeaders`.
pub(crate) fn parse_authorization(header: &str) -> Option<Authorization> {
    let header = header.trim();
    let fields = header.strip_prefix(ALGORITHM)?;
    if !fields.starts_with(char::is_whitespace) {
        return None;
    }
    let mut found: [Option<&str>; 3] = [None; 3];
    for field in fields.split(',') {
        let (name, value) = field.split_once('=')?;
        let value = value.trim();
        let index = ["Access", "SignedHeaders", "Signature"]
            .iter()
            .position(|known| *known == name.trim())?;
        if value.is_empty() || found[index].is_some() {
            return None;
        }
        found[index] = Some(value);
    }
    let [Some(access_key), Some(names), Some(signature)] = found else {
        return None;
    };
    let signed_headers: Vec<String> = names.split(';').map(|n| n.trim().to_owned()).collect();
    if signed_headers.iter().any(String::is_empty) {
        return None;
    }
    Some(Authorization {
        access_key: access_key.to_owned(),
        signed_headers,
        signature: signature.to_owned(),
    })
}

/// Reads an `X-Sdk-Date` value; `None` unless it is exactly `YYYYMMDDTHHMMSSZ`.
pub(crate) fn parse_sdk_date(value: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(value, SDK_DATE)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// The parts of a received request that are signed, besides its headers.
pub(crate) struct Request<'a> {
    pub method: &'a str,
    /// The path after percent-decoding; the canonical form encodes it again.
    pub path: &'a str,
    /// The query pairs after decoding, as the server reads them.
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
}

fn encode(text: &str) -> impl std::fmt::Display + '_ {
    utf8_percent_encode(text, NOT_UNRESERVED)
}

/// Every path segment encoded; the canonical URI always ends with `/`, whether or not the
/// path sent did.
fn canonical_uri(path: &str) -> String {
    let mut uri = String::with_capacity(path.len() + 1);
    for (index, segment) in path.split('/').enumerate() {
        if index > 0 {
            uri.push('/');
        }
        uri.push_str(&encode(segment).to_string());
    }
    if !uri.starts_with('/') {
        uri.insert(0, '/');
    }
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Pairs sorted by key, then by value (both bytewise, before encoding), written
/// `enc(key)=enc(value)` and joined by `&`.
fn canonical_query(query: &[(String, String)]) -> String {
    let mut sorted: Vec<(&[u8], &[u8], &str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_bytes(), v.as_bytes(), k.as_str(), v.as_str()))
        .collect();
    sorted.sort_unstable();
    let mut out = String::new();
    for (_, _, key, value) in sorted {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&format!("{}={}", encode(key), encode(value)));
    }
    out
}

/// The canonical request of `request`, whose signed headers are `signed` (name, value as
/// received). Names are compared lowercased and sorted; values are trimmed.
pub(crate) fn canonical_request(request: &Request<'_>, signed: &[(String, String)]) -> String {
    let mut headers: Vec<(String, &str)> = signed
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .collect();
    headers.sort_unstable();
    let mut lines = vec![
        request.method.to_ascii_uppercase(),
        canonical_uri(request.path),
        canonical_query(request.query),
    ];
    lines.extend(
        headers
            .iter()
            .map(|(name, value)| format!("{name}:{value}")),
    );
    // CanonicalHeaders ends with its own newline, so an empty line precedes SignedHeaders.
    lines.push(String::new());
    let names: Vec<&str> = headers.iter().map(|(name, _)| name.as_str()).collect();
    lines.push(names.join(";"));
    lines.push(hex::encode(Sha256::digest(request.body)));
    lines.join("\n")
}

/// `SDK-HMAC-SHA256\n{sdk_date}\n{hex(sha256(canonical_request))}`.
pub(crate) fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    let digest = hex::encode(Sha256::digest(canonical_request.as_bytes()));
    format!("{ALGORITHM}\n{sdk_date}\n{digest}")
}

/// Whether `claimed` is hex(HMAC-SHA256(secret_key, string_to_sign)), in lowercase hex as the
/// SDKs write it.
pub(crate) fn signature_matches(secret_key: &str, string_to_sign: &str, claimed: &str) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()) else {
        // HMAC takes keys of any length; no key can get here.
        return false;
    };
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes()) == claimed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// Checks a whole request: the canonical request, then the signature.
    fn verify(
        secret_key: &str,
        request: &Request<'_>,
        headers: &[(&str, &str)],
        authorization: &str,
    ) -> (String, bool) {
        let auth = parse_authorization(authorization).expect("well-formed Authorization");
        let signed: Vec<(String, String)> = auth
            .signed_headers
            .iter()
            .map(|name| {
                let value = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| (*v).to_owned())
                    .expect("signed header present");
                (name.clone(), value)
            })
            .collect();
        let date = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-sdk-date"))
            .map(|(_, v)| *v)
            .expect("X-Sdk-Date");
        let canonical = canonical_request(request, &signed);
        let ok = signature_matches(
            secret_key,
            &string_to_sign(date, &canonical),
            &auth.signature,
        );
        (canonical, ok)
    }

    // The vectors below were computed once with the official Python SDK's signer
    // (`huaweicloudsdkcore.signer.signer.Signer` from the project's .venv, huaweicloudsdkcore
    // 3.1.x): a throwaway script built an `SdkRequest` with the same method, resource path,
    // query pairs, headers and body, called `Signer(BasicCredentials(ak, sk)).sign(request)`
    // and printed `_process_canonical_request(...)` and the `Authorization` header.

    #[test]
    fn python_sdk_vector_offsite_backups_list() {
        let query = pairs(&[
            ("instance_id", "43e4feaab48f11e89039fa163ebaa7e4br01"),
            ("backup_type", "auto"),
            ("begin_time", "2026-11-01T00:00:00+0800"),
            ("end_time", "2026-11-30T00:00:00+0000"),
            ("offset", "0"),
            ("limit", "100"),
        ]);
        let request = Request {
            method: "GET",
            path: "/v3/0483b6b16e954cb88930a360d2c4e663/offsite-backups",
            query: &query,
            body: b"",
        };
        let headers = [
            ("Host", "127.0.0.1:8080"),
            ("X-Sdk-Date", "20261127T021500Z"),
            ("X-Project-Id", "0483b6b16e954cb88930a360d2c4e663"),
            ("Content-Type", "application/json"),
        ];
        let (canonical, ok) = verify(
            "simulator-secret-key",
            &request,
            &headers,
            "SDK-HMAC-SHA256 Access=SIMULATORAK, \
             SignedHeaders=content-type;host;x-project-id;x-sdk-date, \
             Signature=e9b0edfb96238ec203058082e3e3d85a5ae0078cbf20cb1ac36d607a03546241",
        );
        assert_eq!(
            canonical,
            "GET\n/v3/0483b6b16e954cb88930a360d2c4e663/offsite-backups/\n\
             backup_type=auto&begin_time=2026-11-01T00%3A00%3A00%2B0800\
             &end_time=2026-11-30T00%3A00%3A00%2B0000\
             &instance_id=43e4feaab48f11e89039fa163ebaa7e4br01&limit=100&offset=0\n\
             content-type:application/json\nhost:127.0.0.1:8080\n\
             x-project-id:0483b6b16e954cb88930a360d2c4e663\nx-sdk-date:20261127T021500Z\n\n\
             content-type;host;x-project-id;x-sdk-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex::encode(Sha256::digest(canonical.as_bytes())),
            "93824919710b4f8766ffb78d87c9eb420662c57b1baa243d4af5f84d8d6ae6b4"
        );
        assert!(ok);
    }

    /// What the provider's client never sends: keys to sort (uppercase before lowercase, a key
    /// before its longer prefix-sharing sibling, a repeated key whose values sort as text
    /// "10" < "2"), keys and values to encode (blank, `/`, `*`, non-ASCII; `~` kept), an empty
    /// value, a path segment to encode and no trailing slash, a mixed-case header name and a
    /// value with blanks around it.
    #[test]
    fn python_sdk_vector_with_what_the_client_never_sends() {
        let query = pairs(&[
            ("zeta", "1"),
            ("a_b", "x"),
            ("a", "2"),
            ("B", "y"),
            ("a", "10"),
            ("q r", "s/t*u~v"),
            ("été", "café"),
            ("empty", ""),
        ]);
        let request = Request {
            method: "get",
            path: "/v3/a b+c/list",
            query: &query,
            body: b"",
        };
        let headers = [
            ("Host", "sim.example:9"),
            ("X-Sdk-Date", "20260102T030405Z"),
            ("X-Custom-Header", "  padded value  "),
        ];
        let (canonical, ok) = verify(
            "a secret",
            &request,
            &headers,
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-custom-header;x-sdk-date, \
             Signature=1c7a8fade5f27ae753e44ab265e2c62aacb5f3b7bfae1e6022d111fca10ba511",
        );
        assert_eq!(
            canonical,
            "GET\n/v3/a%20b%2Bc/list/\n\
             B=y&a=10&a=2&a_b=x&empty=&q%20r=s%2Ft%2Au~v&zeta=1&%C3%A9t%C3%A9=caf%C3%A9\n\
             host:sim.example:9\nx-custom-header:padded value\nx-sdk-date:20260102T030405Z\n\n\
             host;x-custom-header;x-sdk-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex::encode(Sha256::digest(canonical.as_bytes())),
            "09c696f05253519242d5a5c2e0ae002998919ef3aa7402c678c4308dd8687cde"
        );
        assert!(ok);
    }

    #[test]
    fn python_sdk_vector_with_a_body() {
        let query = pairs(&[("k", "v")]);
        let request = Request {
            method: "POST",
            path: "/v3/p/things/",
            query: &query,
            body: br#"{"name":"x"}"#,
        };
        let headers = [
            ("Host", "h.example"),
            ("X-Sdk-Date", "20260102T030405Z"),
            ("Content-Type", "application/json"),
        ];
        let (canonical, ok) = verify(
            "SK",
            &request,
            &headers,
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-sdk-date, \
             Signature=295cf7d5741d341d1669c3cdffcad3776ef83fa671d43a1ca42f69c577e27f3b",
        );
        assert!(
            canonical
                .ends_with("\n0229d37e33daae149bf40543a5ce1db4459d10f830d5139279aa2bfd5f6485a1")
        );
        assert!(ok);
    }

    /// The signing guide's worked example (also in the official SDKs' tests).
    #[test]
    fn signing_guide_vector() {
        let query = pairs(&[
            ("limit", "2"),
            ("marker", "13551d6b-755d-4757-b956-536f674975c0"),
        ]);
        let request = Request {
            method: "GET",
            path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
            query: &query,
            body: b"",
        };
        let headers = [
            ("Content-Type", "application/json"),
            ("Host", "service.region.example.com"),
            ("X-Sdk-Date", "20191115T033655Z"),
        ];
        let (canonical, ok) = verify(
            "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
            &request,
            &headers,
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-sdk-date, \
             Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
        );
        assert_eq!(
            hex::encode(Sha256::digest(canonical.as_bytes())),
            "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
        );
        assert!(ok);
    }

    #[test]
    fn any_change_to_a_signed_part_fails() {
        let query = pairs(&[("k", "v")]);
        let body = br#"{"name":"x"}"#;
        let headers = [
            ("Host", "h.example"),
            ("X-Sdk-Date", "20260102T030405Z"),
            ("Content-Type", "application/json"),
        ];
        let authorization = "SDK-HMAC-SHA256 Access=AK, \
            SignedHeaders=content-type;host;x-sdk-date, \
            Signature=295cf7d5741d341d1669c3cdffcad3776ef83fa671d43a1ca42f69c577e27f3b";
        let other_query = pairs(&[("k", "w")]);
        let changed = [
            ("GET", "/v3/p/things/", &query, &body[..]),
            ("POST", "/v3/p/thing/", &query, &body[..]),
            ("POST", "/v3/p/things/", &other_query, &body[..]),
            ("POST", "/v3/p/things/", &query, &b"{}"[..]),
        ];
        for (method, path, query, body) in changed {
            let request = Request {
                method,
                path,
                query,
                body,
            };
            assert!(
                !verify("SK", &request, &headers, authorization).1,
                "{method} {path}"
            );
        }
        let request = Request {
            method: "POST",
            path: "/v3/p/things/",
            query: &query,
            body,
        };
        assert!(verify("SK", &request, &headers, authorization).1);
        assert!(!verify("sk", &request, &headers, authorization).1);
        let other_type = [headers[0], headers[1], ("Content-Type", "text/plain")];
        assert!(!verify("SK", &request, &other_type, authorization).1);
        let upper = authorization.replace("295cf7d5", "295CF7D5");
        assert!(!verify("SK", &request, &headers, &upper).1);
    }

    #[test]
    fn canonical_uri_ends_with_a_slash_and_encodes_segments() {
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(
            canonical_uri("/v3/p/offsite-backups"),
            "/v3/p/offsite-backups/"
        );
        assert_eq!(
            canonical_uri("/v3/p/offsite-backups/"),
            "/v3/p/offsite-backups/"
        );
        assert_eq!(canonical_uri("/a:b/é~"), "/a%3Ab/%C3%A9~/");
    }

    #[test]
    fn authorization_is_read_field_by_field() {
        assert_eq!(
            parse_authorization(
                "  SDK-HMAC-SHA256 Access=AK,SignedHeaders= host ; x-sdk-date ,  Signature=ab  "
            ),
            Some(Authorization {
                access_key: "AK".into(),
                signed_headers: vec!["host".into(), "x-sdk-date".into()],
                signature: "ab".into(),
            })
        );
        // Field order is free.
        assert!(
            parse_authorization("SDK-HMAC-SHA256 Signature=s, Access=a, SignedHeaders=h").is_some()
        );
        for bad in [
            "",
            "SDK-HMAC-SHA256",
            "SDK-HMAC-SHA256 ",
            "AWS4-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=s",
            "SDK-HMAC-SHA256Access=a, SignedHeaders=host, Signature=s",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host",
            "SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature=s",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host;;x, Signature=s",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host;, Signature=s",
            "SDK-HMAC-SHA256 Access=a, Access=b, SignedHeaders=host, Signature=s",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=s, Extra=1",
            "SDK-HMAC-SHA256 Access=a SignedHeaders=host Signature=s",
            "Basic dXNlcjpwYXNz",
        ] {
            assert_eq!(parse_authorization(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn sdk_date_is_basic_iso_8601_in_utc() {
        assert_eq!(
            parse_sdk_date("20261127T021500Z"),
            Some(time::macros::datetime!(2026-11-27 02:15:00 UTC))
        );
        for bad in [
            "",
            "2026-11-27T02:15:00Z",
            "20261127T021500",
            "20261127T021500+0000",
            "20261327T021500Z",
            "20261127T241500Z",
            "20261127 021500Z",
        ] {
            assert_eq!(parse_sdk_date(bad), None, "{bad:?}");
        }
    }
}
