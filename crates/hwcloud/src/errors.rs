//! The one error type of this crate, and decoding of Huawei Cloud error bodies.
//!
//! Every message is built from non-secret data only: status, error code and message from the
//! server, request id, method, endpoint, path and page offset. Headers are never included.
//! Whatever the server sent (code, message, request id, raw body) is stored here only after
//! [`crate::untrusted`] cleaned it: secrets redacted, control characters escaped, cut short.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::endpoints::Service;
use crate::paging::{MAX_ITEMS, MAX_PAGES, PAGE_SIZE, PageLimitExceeded};
use crate::untrusted::Redactor;

/// Which request failed, for messages: method, endpoint, path and page offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestDescription {
    pub method: String,
    /// Base URL of the service, e.g. `https://rds.cn-north-4.myhuaweicloud.com`.
    pub endpoint: String,
    /// Encoded URL path (no query string).
    pub path: String,
    /// Page offset for list requests.
    pub offset: Option<u64>,
}

impl fmt::Display for RequestDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}{}", self.method, self.endpoint, self.path)?;
        if let Some(offset) = self.offset {
            write!(f, " (offset {offset})")?;
        }
        Ok(())
    }
}

/// A non-success HTTP answer from the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// Which service answered: RDS (the list) or IAM (the project id lookup).
    pub service: Service,
    pub status: u16,
    /// `error_code` / `code` from the body, e.g. `APIG.0301`, `DBS.280234`.
    pub code: Option<String>,
    /// `error_msg` / `message` from the body, else the raw body (truncated).
    pub message: String,
    /// `X-Request-Id` response header, to quote to Huawei Cloud support.
    pub request_id: Option<String>,
    pub request: RequestDescription,
    /// HTTP attempts made for this request (1 = not retried).
    pub attempts: u32,
}

/// The credentials and clock part of the hint for 401 (authentication failed).
const HINT_CREDENTIALS: &str = "Check that access_key and secret_key are correct and belong to \
     the same key pair; temporary credentials also need a valid, unexpired security_token. The \
     local clock must be within 15 minutes of the real time (requests are signed with it). \
     Note: repeated signature failures lock the access key for 5 minutes.";
/// The permission part of the hint for RDS calls.
const HINT_RDS_PERMISSION: &str =
    "The user needs the permission rds:backup:list in this region's project.";
/// The permission part of the hint for the IAM project lookup.
const HINT_IAM_PROJECT_LOOKUP: &str = "The project id of the region was being looked up in \
     IAM: set project_id (HW_PROJECT_ID) to skip the lookup, or grant permission to list IAM \
     projects (iam:projects:list).";

impl ApiError {
    /// What to check for authentication, authorization and throttling failures, depending on
    /// the service that answered.
    pub fn hint(&self) -> Option<String> {
        let permission = match self.service {
            Service::Rds => HINT_RDS_PERMISSION,
            Service::Iam => HINT_IAM_PROJECT_LOOKUP,
        };
        match self.status {
            401 => Some(format!("{HINT_CREDENTIALS} {permission}")),
            403 => Some(permission.to_owned()),
            429 => Some(
                "The API throttled the requests; lower max_concurrent_requests or retry later."
                    .to_owned(),
            ),
            414 | 431 => Some(
                "The server refused the request as too large: an argument of the query is \
                 longer than the API accepts (no id the API issues is that long)."
                    .to_owned(),
            ),
            _ => None,
        }
    }
}

/// The connection failed or timed out (after retries).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError {
    pub request: RequestDescription,
    /// Why, including the underlying causes (never the request headers).
    pub reason: String,
    pub timed_out: bool,
    pub attempts: u32,
}

/// The call's overall time limit passed while a request was still pending (waiting for an
/// answer, for a retry or for a throttling hold).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadlineError {
    /// The request that was pending; its `offset` names the page.
    pub request: RequestDescription,
    /// HTTP attempts made for that request when the limit passed.
    pub attempts: u32,
    /// The time limit of the whole call.
    pub limit: Duration,
    /// What the last attempt of the request got, cleaned for display (e.g.
    /// `HTTP 429 APIGW.0308: ...`); `None` when no attempt had completed.
    pub last_outcome: Option<String>,
}

/// The response body was larger than the client accepts (a page of this API is a few tens of
/// KiB, so a much larger body is not a page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyTooLargeError {
    pub request: RequestDescription,
    pub status: u16,
    /// The limit, in bytes.
    pub limit_bytes: usize,
}

/// The request's URL would be longer than HTTP can carry: the endpoint's path or an argument
/// is far longer than any the API uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlTooLongError {
    pub request: RequestDescription,
    /// Length of the URL that would have been sent, in bytes.
    pub length: usize,
    /// Longest URL sent, in bytes.
    pub limit: usize,
}

/// A successful HTTP answer whose body is not the expected JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// What could not be decoded, e.g. `page at offset 200`.
    pub what: String,
    pub reason: String,
    pub status: u16,
    pub request_id: Option<String>,
    pub request: RequestDescription,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client settings or call arguments are unusable.
    #[error("invalid Huawei Cloud client configuration: {0}")]
    Config(String),
    /// The arguments of a call (region, query) are unusable.
    #[error("invalid Huawei Cloud request: {0}")]
    InvalidArgument(String),
    #[error("{}: {}", self.summary(), .0.message)]
    Api(Box<ApiError>),
    #[error("{}: {}", self.summary(), .0.reason)]
    Transport(Box<TransportError>),
    #[error("could not decode {}: {}", .0.what, .0.reason)]
    Decode(Box<DecodeError>),
    #[error("{}", self.summary())]
    DeadlineExceeded(Box<DeadlineError>),
    #[error("{}: the response body exceeds {} MiB", self.summary(), .0.limit_bytes / (1024 * 1024))]
    BodyTooLarge(Box<BodyTooLargeError>),
    #[error("{}: the URL would be {} bytes long, more than {}", self.summary(), .0.length, .0.limit)]
    UrlTooLong(Box<UrlTooLongError>),
    /// IAM returned no project named after the region.
    #[error("{}", self.summary())]
    ProjectNotFound { region: String, endpoint: String },
    /// The caller's cancellation token fired.
    #[error("the Huawei Cloud request was cancelled")]
    Cancelled,
    /// The list needs more pages than one read may make; listing a part would be a wrong
    /// answer. Callers say how to narrow the query.
    #[error("{}", self.summary())]
    TooManyBackups(PageLimitExceeded),
}

impl Error {
    /// One line, suitable as a diagnostic summary, e.g. `Huawei Cloud API error: HTTP 401 APIG.0301`.
    pub fn summary(&self) -> String {
        match self {
            Error::Config(_) => "Invalid Huawei Cloud client configuration".into(),
            Error::InvalidArgument(_) => "Invalid Huawei Cloud request".into(),
            Error::Api(e) => match &e.code {
                Some(code) => format!("Huawei Cloud API error: HTTP {} {code}", e.status),
                None => format!("Huawei Cloud API error: HTTP {}", e.status),
            },
            Error::Transport(e) if e.timed_out => {
                format!("Huawei Cloud API request timed out: {}", e.request.endpoint)
            }
            Error::Transport(e) => {
                format!(
                    "Could not reach the Huawei Cloud API at {}",
                    e.request.endpoint
                )
            }
            Error::Decode(e) => format!("Huawei Cloud API error: could not decode {}", e.what),
            Error::DeadlineExceeded(e) => format!(
                "Huawei Cloud API read did not finish within {}",
                format_limit(e.limit)
            ),
            Error::BodyTooLarge(e) => format!(
                "Huawei Cloud API response too large: {}",
                e.request.endpoint
            ),
            Error::UrlTooLong(_) => "Huawei Cloud API request too long".into(),
            Error::ProjectNotFound { region, .. } => {
                format!("No Huawei Cloud project found for region {region}")
            }
            Error::Cancelled => "Huawei Cloud request cancelled".into(),
            Error::TooManyBackups(_) => "Too many backups to list in one read".into(),
        }
    }

    /// Several lines: the server's message, request id, hint, and which request failed.
    pub fn detail(&self) -> String {
        let mut lines = Vec::new();
        match self {
            Error::Config(message) | Error::InvalidArgument(message) => lines.push(message.clone()),
            Error::Api(e) => {
                lines.push(e.message.clone());
                if let Some(id) = &e.request_id {
                    lines.push(format!("Request ID: {id}"));
                }
                lines.push(format!("Request: {}", e.request));
                if e.attempts > 1 {
                    lines.push(format!("Attempts: {}", e.attempts));
                }
                if let Some(hint) = e.hint() {
                    lines.push(format!("Hint: {hint}"));
                }
            }
            Error::Transport(e) => {
                lines.push(e.reason.clone());
                lines.push(format!("Request: {}", e.request));
                lines.push(format!("Attempts: {}", e.attempts));
                if e.reason.contains("certificate") {
                    lines.push(
                        "Hint: the server's TLS certificate is not trusted. Check the endpoint; \
                         only for test endpoints with self-signed certificates set insecure = \
                         true."
                            .into(),
                    );
                } else {
                    lines.push(
                        "Hint: check the region, cloud and endpoints settings and the network \
                         (proxy, firewall, DNS)."
                            .into(),
                    );
                }
            }
            Error::Decode(e) => {
                lines.push(format!("could not decode {}: {}", e.what, e.reason));
                if let Some(id) = &e.request_id {
                    lines.push(format!("Request ID: {id}"));
                }
                lines.push(format!("Request: {} (HTTP {})", e.request, e.status));
            }
            Error::DeadlineExceeded(e) => {
                let pending = match e.request.offset {
                    Some(offset) => format!("The page at offset {offset}"),
                    None => "The request".to_owned(),
                };
                lines.push(format!(
                    "{pending} was still pending when the time limit of {} passed, after {} \
                     attempt(s).",
                    format_limit(e.limit),
                    e.attempts
                ));
                if let Some(outcome) = &e.last_outcome {
                    lines.push(format!("Last answer: {outcome}"));
                }
                lines.push(format!("Request: {}", e.request));
            }
            Error::BodyTooLarge(e) => {
                lines.push(format!(
                    "The response body (HTTP {}) exceeds {} MiB, far more than any answer of \
                     this API; it was not read further and not retried.",
                    e.status,
                    e.limit_bytes / (1024 * 1024)
                ));
                lines.push(format!("Request: {}", e.request));
                lines.push(
                    "Hint: check that the endpoint is the Huawei Cloud API and not another \
                     service or a proxy's error page."
                        .into(),
                );
            }
            Error::UrlTooLong(e) => {
                lines.push(format!(
                    "The request URL would be {} bytes long; HTTP requests of this client are \
                     limited to {} bytes: the endpoint's path or an argument of the query is far \
                     longer than any the API uses. The request was not sent.",
                    e.length, e.limit
                ));
                lines.push(format!(
                    "Request: {} {}{} (query not shown)",
                    e.request.method, e.request.endpoint, e.request.path
                ));
            }
            Error::ProjectNotFound { region, endpoint } => {
                lines.push(format!(
                    "IAM at {endpoint} lists no project named {region:?} for these credentials."
                ));
                lines.push("Hint: check the region name, or set project_id explicitly.".into());
            }
            Error::Cancelled => {
                lines.push("The operation was cancelled before it completed.".into())
            }
            Error::TooManyBackups(exceeded) => lines.push(too_many_backups(exceeded)),
        }
        lines.join("\n")
    }

    pub fn is_cancelled(&self) -> bool {
        matches!(self, Error::Cancelled)
    }

    /// HTTP status of the failing response, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::BodyTooLarge(e) => Some(e.status),
            _ => None,
        }
    }

    /// Server error code such as `APIG.0301`, when the body carried one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.code.as_deref(),
            _ => None,
        }
    }

    /// `X-Request-Id` of the failing response, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode(e) => e.request_id.as_deref(),
            _ => None,
        }
    }
}

/// What the API reported against what one read may list.
fn too_many_backups(exceeded: &PageLimitExceeded) -> String {
    let limit =
        format!("one read lists at most {MAX_ITEMS} backups ({MAX_PAGES} pages of {PAGE_SIZE})");
    match exceeded.reported_total {
        Some(total) if total > MAX_ITEMS => {
            format!("The API reports {total} matching backups, but {limit}.")
        }
        Some(total) => format!(
            "The API reports {total} matching backups but kept returning full pages after \
             {} pages, and {limit}.",
            exceeded.pages_read
        ),
        None => format!(
            "The API did not report how many backups match and kept returning full pages after \
             {} pages, and {limit}.",
            exceeded.pages_read
        ),
    }
}

/// Code and message decoded from an error response body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ErrorBody {
    pub code: Option<String>,
    pub message: String,
}

/// Decodes the error shapes used by the gateway and services:
/// `{"error_code","error_msg"}`, `{"code","message"}`, and either nested under `"error"`;
/// anything else becomes the raw body. Code and message come back cleaned by `redactor`
/// (the secrets of the request that got this answer removed, control characters escaped, cut
/// to [`crate::untrusted::MAX_UNTRUSTED_CHARS`] characters).
pub(crate) fn decode_error_body(body: &[u8], redactor: &Redactor) -> ErrorBody {
    if let Ok(value) = serde_json::from_slice::<Value>(body)
        && let Some(decoded) =
            error_fields(&value).or_else(|| value.get("error").and_then(error_fields))
    {
        return ErrorBody {
            code: decoded.code.map(|code| redactor.clean(&code)),
            message: redactor.clean(&decoded.message),
        };
    }
    ErrorBody {
        code: None,
        message: raw_body_message(body, redactor),
    }
}

/// Reads code/message from one JSON object, accepting either naming.
fn error_fields(value: &Value) -> Option<ErrorBody> {
    let object = value.as_object()?;
    let text = |key: &str| match object.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let code = text("error_code").or_else(|| text("code"));
    let message = text("error_msg").or_else(|| text("message"));
    match (code, message) {
        (None, None) => None,
        (code, Some(message)) => Some(ErrorBody { code, message }),
        (code, None) => Some(ErrorBody {
            code,
            message: "(no error message in the response)".into(),
        }),
    }
}

/// The body as text for a message, cleaned by `redactor` (the cut says how much was left out).
pub(crate) fn raw_body_message(body: &[u8], redactor: &Redactor) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "(empty response body)".into();
    }
    redactor.clean(text)
}

/// A time limit as people write it: `10m`, `1h30m`, `2s`, `1.5s`, `300ms`.
pub(crate) fn format_limit(limit: Duration) -> String {
    if limit < Duration::from_secs(1) {
        return format!("{}ms", limit.as_millis());
    }
    if limit.subsec_millis() != 0 {
        let seconds = format!("{:.3}", limit.as_secs_f64());
        return format!("{}s", seconds.trim_end_matches('0'));
    }
    let seconds = limit.as_secs();
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let mut out = String::new();
    for (value, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if value > 0 {
            out.push_str(&format!("{value}{unit}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::untrusted::MAX_UNTRUSTED_CHARS;

    fn decode(body: &[u8]) -> ErrorBody {
        decode_error_body(body, &Redactor::default())
    }

    fn request() -> RequestDescription {
        RequestDescription {
            method: "GET".into(),
            endpoint: "https://rds.cn-north-4.myhuaweicloud.com".into(),
            path: "/v3/p/offsite-backups".into(),
            offset: Some(200),
        }
    }

    #[test]
    fn decodes_error_code_and_error_msg() {
        let body =
            br#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}"#;
        assert_eq!(
            decode(body),
            ErrorBody {
                code: Some("APIG.0301".into()),
                message: "Incorrect IAM authentication information".into()
            }
        );
    }

    #[test]
    fn decodes_code_and_message() {
        let body = br#"{"code":"DBS.280234","message":"instance not found"}"#;
        let decoded = decode(body);
        assert_eq!(decoded.code.as_deref(), Some("DBS.280234"));
        assert_eq!(decoded.message, "instance not found");
    }

    #[test]
    fn decodes_nested_error_objects_with_either_naming() {
        let decoded = decode(br#"{"error":{"code":"X.1","message":"nested"}}"#);
        assert_eq!(decoded.code.as_deref(), Some("X.1"));
        assert_eq!(decoded.message, "nested");
        let decoded = decode(br#"{"error":{"error_code":"X.2","error_msg":"nested2"}}"#);
        assert_eq!(decoded.code.as_deref(), Some("X.2"));
        assert_eq!(decoded.message, "nested2");
    }

    #[test]
    fn numeric_code_and_missing_message() {
        let decoded = decode(br#"{"code":404}"#);
        assert_eq!(decoded.code.as_deref(), Some("404"));
        assert!(decoded.message.contains("no error message"));
    }

    #[test]
    fn falls_back_to_raw_body() {
        let decoded = decode(b"<html>Bad Gateway</html>");
        assert_eq!(decoded.code, None);
        assert_eq!(decoded.message, "<html>Bad Gateway</html>");
        assert_eq!(decode(br#"{"other":1}"#).message, r#"{"other":1}"#);
        assert_eq!(decode(b"").message, "(empty response body)");
    }

    #[test]
    fn raw_body_is_cut_on_char_boundary_and_the_cut_marked() {
        let body = "é".repeat(2000);
        let message = decode(body.as_bytes()).message;
        assert!(
            message.starts_with(&"é".repeat(MAX_UNTRUSTED_CHARS)),
            "{message}"
        );
        assert!(
            message.ends_with(&format!(
                "… [cut: {} more characters]",
                2000 - MAX_UNTRUSTED_CHARS
            )),
            "{message}"
        );
    }

    #[test]
    fn server_text_is_cleaned_in_code_and_message() {
        let redactor = Redactor::new(["the-security-token"]);
        let body = br#"{"error_code":"X\u001b[31m","error_msg":"bad\r\nError: fake\u0007 token=the-security-token"}"#;
        let decoded = decode_error_body(body, &redactor);
        assert_eq!(decoded.code.as_deref(), Some("X\\x1b[31m"));
        assert_eq!(decoded.message, "bad\\x0d\\x0aError: fake\\x07 token=***");
        let raw = decode_error_body(b"<p>\x1b]0;title\x07 the-security-token</p>", &redactor);
        assert_eq!(raw.message, "<p>\\x1b]0;title\\x07 ***</p>");
    }

    #[test]
    fn limits_are_written_like_go_durations() {
        assert_eq!(format_limit(Duration::from_secs(600)), "10m");
        assert_eq!(format_limit(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format_limit(Duration::from_secs(2)), "2s");
        assert_eq!(format_limit(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_limit(Duration::from_millis(300)), "300ms");
    }

    #[test]
    fn api_error_summary_and_detail() {
        let err = Error::Api(Box::new(ApiError {
            service: Service::Rds,
            status: 401,
            code: Some("APIG.0301".into()),
            message: "verify aksk signature fail".into(),
            request_id: Some("req-123".into()),
            request: request(),
            attempts: 1,
        }));
        assert_eq!(err.summary(), "Huawei Cloud API error: HTTP 401 APIG.0301");
        assert_eq!(err.status(), Some(401));
        assert_eq!(err.code(), Some("APIG.0301"));
        let detail = err.detail();
        assert!(detail.contains("verify aksk signature fail"));
        assert!(detail.contains("Request ID: req-123"));
        assert!(detail.contains(
            "GET https://rds.cn-north-4.myhuaweicloud.com/v3/p/offsite-backups (offset 200)"
        ));
        assert!(detail.contains("15 minutes"));
        assert!(detail.contains("rds:backup:list"));
        assert!(detail.contains("security_token"));
        assert!(!err.is_cancelled());
    }

    fn api_error(service: Service, status: u16) -> ApiError {
        ApiError {
            service,
            status,
            code: None,
            message: "denied".into(),
            request_id: None,
            request: request(),
            attempts: 1,
        }
    }

    #[test]
    fn hints_name_the_permission_of_the_failing_service() {
        let rds = api_error(Service::Rds, 403).hint().expect("hint");
        assert!(rds.contains("rds:backup:list"), "{rds}");
        assert!(!rds.contains("iam:"), "{rds}");

        let iam = api_error(Service::Iam, 403).hint().expect("hint");
        assert!(
            iam.contains(
                "set project_id (HW_PROJECT_ID) to skip the lookup, or grant permission to \
                 list IAM projects (iam:projects:list)"
            ),
            "{iam}"
        );
        assert!(!iam.contains("rds:backup:list"), "{iam}");
        assert!(
            !iam.contains("15 minutes"),
            "403 is not about the signature: {iam}"
        );
    }

    #[test]
    fn unauthorized_hints_add_credentials_and_clock() {
        let iam = api_error(Service::Iam, 401).hint().expect("hint");
        assert!(iam.contains("secret_key"), "{iam}");
        assert!(iam.contains("15 minutes"), "{iam}");
        assert!(iam.contains("HW_PROJECT_ID"), "{iam}");
        assert!(iam.contains("iam:projects:list"), "{iam}");
        assert!(!iam.contains("rds:backup:list"), "{iam}");

        let rds = api_error(Service::Rds, 401).hint().expect("hint");
        assert!(rds.contains("15 minutes"), "{rds}");
        assert!(rds.contains("rds:backup:list"), "{rds}");
        assert!(!rds.contains("iam:projects:list"), "{rds}");
    }

    #[test]
    fn no_hint_for_not_found() {
        let err = ApiError {
            service: Service::Rds,
            status: 404,
            code: None,
            message: "nope".into(),
            request_id: None,
            request: request(),
            attempts: 1,
        };
        assert_eq!(err.hint(), None);
        assert_eq!(
            Error::Api(Box::new(err)).summary(),
            "Huawei Cloud API error: HTTP 404"
        );
    }

    #[test]
    fn decode_error_names_the_offset() {
        let err = Error::Decode(Box::new(DecodeError {
            what: "page at offset 200".into(),
            reason: "EOF while parsing".into(),
            status: 200,
            request_id: None,
            request: request(),
        }));
        assert_eq!(
            err.to_string(),
            "could not decode page at offset 200: EOF while parsing"
        );
        assert!(err.detail().contains("could not decode page at offset 200"));
    }

    #[test]
    fn cancelled_is_recognised() {
        assert!(Error::Cancelled.is_cancelled());
        assert_eq!(Error::Cancelled.status(), None);
    }
}
