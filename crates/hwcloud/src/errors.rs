//! The one error type of this crate, and decoding of Huawei Cloud error bodies.
//!
//! Every message is built from non-secret data only: status, error code and message from the
//! server, request id, method, endpoint, path and page offset. Headers are never included.
//! Whatever the server sent (code, message, request id, raw body) is stored here only after
//! [`crate::untrusted`] cleaned it: secrets redacted, control characters escaped, cut short.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::credential::{AssumeRolePart, CredentialError};
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
const HINT_CREDENTIALS: &str = "Check that the access key and secret key are correct and belong \
     to the same key pair; temporary credentials also need a valid, unexpired security token. \
     The local clock must be within 15 minutes of the real time (requests are signed with it). \
     Note: repeated signature failures lock the access key for 5 minutes.";
/// The permission part of the hint for RDS calls.
const HINT_RDS_PERMISSION: &str = "The user needs RDS read permissions in this region's project (for example the RDS \
     ReadOnlyAccess policy; listing offsite backups needs rds:backup:list).";
/// The permission part of the hint for the IAM project lookup.
const HINT_IAM_PROJECT_LOOKUP: &str = "The project id of the region was being looked up in \
     IAM: configure it in the client's project_ids to skip the lookup, or grant permission to \
     list IAM projects (iam:projects:list).";

impl ApiError {
    /// What to check, in the client's own words (its configuration fields, the API's
    /// permissions); a caller with other names for the same things words its own from
    /// [`Error::kind`].
    pub fn hint(&self) -> Option<String> {
        let permission = match self.service {
            Service::Rds => HINT_RDS_PERMISSION,
            Service::Iam => HINT_IAM_PROJECT_LOOKUP,
        };
        match self.status {
            401 => Some(format!("{HINT_CREDENTIALS} {permission}")),
            403 => Some(permission.to_owned()),
            429 => Some(
                "The API throttled the requests; send fewer requests at a time or retry later."
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
#[derive(Clone, Debug)]
pub struct TransportError {
    pub request: RequestDescription,
    /// Why, including the underlying causes (never the request headers), cleaned for display.
    pub reason: String,
    pub timed_out: bool,
    /// The TLS handshake refused the server's certificate (from the TLS stack's typed error).
    pub untrusted_certificate: bool,
    pub attempts: u32,
    /// The HTTP stack's own error, for callers that inspect causes by type. Its text is not
    /// cleaned (it may quote what the server sent): show `reason`, never this error's
    /// messages. For that reason it is not this error's [`std::error::Error::source`], so
    /// that no generic error reporter walking the chain prints it.
    pub cause: Option<Arc<reqwest::Error>>,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// No `source()`: see [`TransportError::cause`].
impl std::error::Error for TransportError {}

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

/// Which field of [`crate::ClientOptions`] an [`OptionError`] is about.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientOption {
    AccessKey,
    SecretKey,
    SecurityToken,
    Cloud,
    /// A region named in `project_ids`.
    ProjectIds,
    /// The project id of a region: given in `project_ids` (the region is then known), or sent
    /// by IAM.
    ProjectId {
        region: Option<String>,
    },
    /// The service's endpoint override, or the base URL derived from region and cloud.
    Endpoint(Service),
    MaxConcurrentRequests,
    MaxRetries,
    /// `connect_timeout` and `request_timeout`.
    Timeouts,
    /// The path of a [`crate::ProfileSource`].
    ProfileFile,
    /// The profile name of a [`crate::ProfileSource`].
    ProfileName,
    /// The endpoint of [`crate::EcsMetadata`].
    EcsMetadataEndpoint,
    /// A part of [`crate::AssumeRole`].
    AssumeRole(AssumeRolePart),
    /// A region named in `project_names` (`None`), or the name given for it.
    ProjectNames {
        region: Option<String>,
    },
    /// `ca_certificates_pem`.
    CaCertificates,
}

impl ClientOption {
    /// The field as the client's configuration names it.
    pub fn name(&self) -> String {
        match self {
            ClientOption::AccessKey => "credentials.access_key".into(),
            ClientOption::SecretKey => "credentials.secret_key".into(),
            ClientOption::SecurityToken => "credentials.security_token".into(),
            ClientOption::Cloud => "cloud".into(),
            ClientOption::ProjectIds => "project_ids".into(),
            ClientOption::ProjectId {
                region: Some(region),
            } => format!("project_ids[{region:?}]"),
            ClientOption::ProjectId { region: None } => "the project id".into(),
            ClientOption::Endpoint(service) => format!("endpoints.{}", service.name()),
            ClientOption::MaxConcurrentRequests => "max_concurrent_requests".into(),
            ClientOption::MaxRetries => "max_retries".into(),
            ClientOption::Timeouts => "timeouts".into(),
            ClientOption::ProfileFile => "credentials.profile.path".into(),
            ClientOption::ProfileName => "credentials.profile.profile".into(),
            ClientOption::EcsMetadataEndpoint => "credentials.ecs_metadata.endpoint".into(),
            ClientOption::AssumeRole(part) => match part {
                AssumeRolePart::AgencyName => "assume_role.agency_name".into(),
                AssumeRolePart::Domain => "assume_role.domain".into(),
                AssumeRolePart::Duration => "assume_role.duration".into(),
            },
            ClientOption::ProjectNames {
                region: Some(region),
            } => format!("project_names[{region:?}]"),
            ClientOption::ProjectNames { region: None } => "project_names".into(),
            ClientOption::CaCertificates => "ca_certificates_pem".into(),
        }
    }
}

/// What is wrong with a [`ClientOption`]'s value; [`OptionProblem::describe`] words it around
/// whatever name the caller gives the field.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionProblem {
    /// Empty or only whitespace.
    Empty,
    /// Given, but empty (for an optional field that is better left out).
    SetButEmpty,
    /// Refused by one of the input rules of [`crate::validate_region`] and its siblings; the
    /// reason never quotes the value.
    Invalid(String),
    OutOfRange {
        min: u64,
        max: u64,
        got: u64,
    },
    AboveLimit {
        limit: u64,
        got: u64,
    },
    NotPositive,
    /// The value cannot be sent in an HTTP header.
    NotAHeaderValue,
    /// The base URL (override or derived from region and cloud) is not usable; `url` has its
    /// user information replaced by `***`.
    UnusableUrl {
        url: String,
        reason: String,
    },
}

impl OptionProblem {
    /// The problem in one sentence about the field called `name`.
    pub fn describe(&self, name: &str) -> String {
        match self {
            OptionProblem::Empty => format!("{name} is empty"),
            OptionProblem::SetButEmpty => {
                format!("{name} is set but empty; omit it for permanent credentials")
            }
            OptionProblem::Invalid(reason) => format!("{name}: {reason}"),
            OptionProblem::OutOfRange { min, max, got } => {
                format!("{name} must be between {min} and {max}, got {got}")
            }
            OptionProblem::AboveLimit { limit, got } => {
                format!("{name} must be at most {limit}, got {got}")
            }
            OptionProblem::NotPositive => format!("{name} must be greater than zero"),
            OptionProblem::NotAHeaderValue => {
                format!("{name} contains characters not allowed in an HTTP header")
            }
            // Not named after the field: the URL may be derived, not configured.
            OptionProblem::UnusableUrl { url, reason } => format!("endpoint {url:?}: {reason}"),
        }
    }
}

/// A field of the client's configuration that cannot work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionError {
    pub field: ClientOption,
    pub problem: OptionProblem,
}

impl OptionError {
    pub fn new(field: ClientOption, problem: OptionProblem) -> OptionError {
        OptionError { field, problem }
    }
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem.describe(&self.field.name()))
    }
}

/// What went wrong, for callers that word their own hints: one value per distinct advice, not
/// per variant (HTTP 401 and 403 are both [`Error::Api`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The client's configuration is unusable ([`Error::InvalidOption`], [`Error::HttpClient`]).
    InvalidOption,
    InvalidArgument,
    /// HTTP 401 from `service`: credentials, signature or clock.
    InvalidCredentials(Service),
    /// Credentials could not be obtained from their source (ECS metadata, assume_role, a
    /// profile file): [`Error::Credentials`].
    Credentials,
    /// HTTP 403 from `service`: a missing permission.
    PermissionDenied(Service),
    /// HTTP 429, after the retries.
    Throttled,
    /// HTTP 414 or 431: the request was too large for the server.
    RequestTooLarge,
    /// Any other HTTP error status.
    OtherStatus,
    /// The server's TLS certificate was not trusted.
    TlsCertificate,
    /// The connection failed or timed out.
    Unreachable,
    Decode,
    DeadlineExceeded,
    BodyTooLarge,
    UrlTooLong,
    ProjectNotFound,
    Cancelled,
    TooManyItems,
    /// The API's [`INSTANCE_NOT_FOUND_CODE`] (sent with HTTP 404): the DB instance named in
    /// the request does not exist in the region and project asked (or was deleted).
    InstanceNotFound,
}

/// The RDS error code of HTTP 404 "The DB instance does not exist.".
pub const INSTANCE_NOT_FOUND_CODE: &str = "DBS.200002";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client settings are unusable.
    #[error("invalid Huawei Cloud client configuration: {0}")]
    InvalidOption(OptionError),
    /// The HTTP client could not be built from the settings.
    #[error(
        "invalid Huawei Cloud client configuration: could not create the HTTP client: {}",
        crate::http::error_chain(.0)
    )]
    HttpClient(#[source] reqwest::Error),
    /// The arguments of a call (region, query) are unusable.
    #[error("invalid Huawei Cloud request: {0}")]
    InvalidArgument(String),
    #[error("{}: {}", self.summary(), .0.message)]
    Api(Box<ApiError>),
    #[error("{}: {}", self.summary(), .0.reason)]
    Transport(#[source] Box<TransportError>),
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
    /// IAM returned no project with the name configured for the region (`project_names`).
    #[error("{}", self.summary())]
    ProjectNameNotFound {
        region: String,
        name: String,
        endpoint: String,
    },
    /// The caller's cancellation token fired.
    #[error("the Huawei Cloud request was cancelled")]
    Cancelled,
    /// Credentials could not be obtained (metadata service, assume_role, profile file).
    #[error("{0}")]
    Credentials(Box<CredentialError>),
    /// The list needs more pages than one read may make; listing a part would be a wrong
    /// answer. Callers say how to narrow the query.
    #[error("{}", self.summary())]
    TooManyItems(PageLimitExceeded),
}

impl From<OptionError> for Error {
    fn from(error: OptionError) -> Error {
        Error::InvalidOption(error)
    }
}

impl Error {
    /// What went wrong, for hints worded by the caller.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidOption(_) | Error::HttpClient(_) => ErrorKind::InvalidOption,
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::Api(e)
                if e.status == 404 && e.code.as_deref() == Some(INSTANCE_NOT_FOUND_CODE) =>
            {
                ErrorKind::InstanceNotFound
            }
            Error::Api(e) => match e.status {
                401 => ErrorKind::InvalidCredentials(e.service),
                403 => ErrorKind::PermissionDenied(e.service),
                429 => ErrorKind::Throttled,
                414 | 431 => ErrorKind::RequestTooLarge,
                _ => ErrorKind::OtherStatus,
            },
            Error::Transport(e) if e.untrusted_certificate => ErrorKind::TlsCertificate,
            Error::Transport(_) => ErrorKind::Unreachable,
            Error::Decode(_) => ErrorKind::Decode,
            Error::DeadlineExceeded(_) => ErrorKind::DeadlineExceeded,
            Error::BodyTooLarge(_) => ErrorKind::BodyTooLarge,
            Error::UrlTooLong(_) => ErrorKind::UrlTooLong,
            Error::ProjectNotFound { .. } | Error::ProjectNameNotFound { .. } => {
                ErrorKind::ProjectNotFound
            }
            Error::Cancelled => ErrorKind::Cancelled,
            Error::TooManyItems(_) => ErrorKind::TooManyItems,
            Error::Credentials(_) => ErrorKind::Credentials,
        }
    }

    /// One line, suitable as a diagnostic summary, e.g. `Huawei Cloud API error: HTTP 401 APIG.0301`.
    pub fn summary(&self) -> String {
        match self {
            Error::InvalidOption(_) | Error::HttpClient(_) => {
                "Invalid Huawei Cloud client configuration".into()
            }
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
            Error::ProjectNameNotFound { region, name, .. } => {
                format!("No Huawei Cloud project {name:?} found for region {region}")
            }
            Error::Cancelled => "Huawei Cloud request cancelled".into(),
            Error::Credentials(_) => "Could not obtain Huawei Cloud credentials".into(),
            Error::TooManyItems(exceeded) => {
                format!("Too many {} to list in one read", exceeded.items)
            }
        }
    }

    /// Several lines: the facts of [`Error::detail_without_hint`], then `Hint: ` and
    /// [`Error::hint`] when there is one.
    pub fn detail(&self) -> String {
        let mut detail = self.detail_without_hint();
        if let Some(hint) = self.hint() {
            detail.push_str("\nHint: ");
            detail.push_str(&hint);
        }
        detail
    }

    /// What to check, in the client's own words; `None` when the facts say it all. A caller
    /// that names the client's settings differently words its own hint from [`Error::kind`].
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Api(e) => e.hint(),
            Error::Transport(_) if self.kind() == ErrorKind::TlsCertificate => Some(
                "the server's TLS certificate is not trusted. Check the endpoint; only for test \
                 endpoints with self-signed certificates turn on the client's insecure option."
                    .into(),
            ),
            Error::Transport(_) => Some(
                "check the region, the cloud domain, the endpoint overrides and the network \
                 (proxy, firewall, DNS)."
                    .into(),
            ),
            Error::BodyTooLarge(_) => Some(
                "check that the endpoint is the Huawei Cloud API and not another service or a \
                 proxy's error page."
                    .into(),
            ),
            Error::ProjectNotFound { .. } => Some(
                "check the region name (or the project name looked up for it), or give the \
                 region's project id in the client's project_ids."
                    .into(),
            ),
            Error::ProjectNameNotFound { .. } => Some(
                "check the project name configured for the region (the whole name, e.g. \
                 cn-north-4_backup), or give the project's id in the client's project_ids."
                    .into(),
            ),
            Error::Credentials(e) => e.hint(),
            _ => None,
        }
    }

    /// Several lines: the server's message, request id and which request failed; no hint.
    pub fn detail_without_hint(&self) -> String {
        let mut lines = Vec::new();
        match self {
            Error::InvalidOption(error) => lines.push(error.to_string()),
            Error::HttpClient(error) => lines.push(format!(
                "could not create the HTTP client: {}",
                crate::http::error_chain(error)
            )),
            Error::InvalidArgument(message) => lines.push(message.clone()),
            Error::Api(e) => {
                lines.push(e.message.clone());
                if let Some(id) = &e.request_id {
                    lines.push(format!("Request ID: {id}"));
                }
                lines.push(format!("Request: {}", e.request));
                if e.attempts > 1 {
                    lines.push(format!("Attempts: {}", e.attempts));
                }
            }
            Error::Transport(e) => {
                lines.push(e.reason.clone());
                lines.push(format!("Request: {}", e.request));
                lines.push(format!("Attempts: {}", e.attempts));
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
            }
            Error::ProjectNameNotFound {
                region,
                name,
                endpoint,
            } => {
                lines.push(format!(
                    "IAM at {endpoint} lists no project named {name:?} (configured for region \
                     {region}) for these credentials."
                ));
            }
            Error::Cancelled => {
                lines.push("The operation was cancelled before it completed.".into())
            }
            Error::TooManyItems(exceeded) => lines.push(too_many_items(exceeded)),
            Error::Credentials(e) => {
                lines.push(e.to_string());
                if let Some(request) = &e.request {
                    lines.push(format!("Request: {request}"));
                }
            }
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
            Error::Credentials(e) => match &e.problem {
                crate::credential::CredentialProblem::Status { status, .. } => Some(*status),
                _ => None,
            },
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
fn too_many_items(exceeded: &PageLimitExceeded) -> String {
    let items = exceeded.items;
    let limit =
        format!("one read lists at most {MAX_ITEMS} {items} ({MAX_PAGES} pages of {PAGE_SIZE})");
    match exceeded.reported_total {
        Some(total) if total > MAX_ITEMS => {
            format!("The API reports {total} matching {items}, but {limit}.")
        }
        Some(total) => format!(
            "The API reports {total} matching {items} but kept returning full pages after {} \
             pages, and {limit}.",
            exceeded.pages_read
        ),
        None => format!(
            "The API did not report how many {items} match and kept returning full pages after \
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
        assert!(detail.contains("security token"));
        assert!(!err.is_cancelled());
        assert_eq!(err.kind(), ErrorKind::InvalidCredentials(Service::Rds));
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
                "configure it in the client's project_ids to skip the lookup, or grant \
                 permission to list IAM projects (iam:projects:list)"
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
        assert!(iam.contains("secret key"), "{iam}");
        assert!(iam.contains("15 minutes"), "{iam}");
        assert!(iam.contains("project_ids"), "{iam}");
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

    /// The words of the caller's configuration: what this crate must never write.
    const CALLER_WORDS: [&str; 6] = [
        "HW_",
        "project_id (",
        "insecure = true",
        "settings",
        "access_key",
        "max_concurrent_requests",
    ];

    fn assert_neutral(text: &str) {
        for word in CALLER_WORDS {
            assert!(!text.contains(word), "{word:?} in {text}");
        }
    }

    fn transport(reason: &str) -> Error {
        Error::Transport(Box::new(TransportError {
            request: request(),
            reason: reason.into(),
            timed_out: false,
            // Typed, never read from the text (see `certificate_failures_are_typed`).
            untrusted_certificate: reason.contains("UnknownIssuer"),
            attempts: 1,
            cause: None,
        }))
    }

    #[test]
    fn kinds_follow_status_and_cause() {
        let api = |service, status| Error::Api(Box::new(api_error(service, status)));
        assert_eq!(
            api(Service::Iam, 401).kind(),
            ErrorKind::InvalidCredentials(Service::Iam)
        );
        assert_eq!(
            api(Service::Rds, 403).kind(),
            ErrorKind::PermissionDenied(Service::Rds)
        );
        assert_eq!(api(Service::Rds, 429).kind(), ErrorKind::Throttled);
        assert_eq!(api(Service::Rds, 414).kind(), ErrorKind::RequestTooLarge);
        assert_eq!(api(Service::Rds, 431).kind(), ErrorKind::RequestTooLarge);
        assert_eq!(api(Service::Rds, 404).kind(), ErrorKind::OtherStatus);
        let mut unknown_instance = api_error(Service::Rds, 404);
        unknown_instance.code = Some("DBS.200002".into());
        assert_eq!(
            Error::Api(Box::new(unknown_instance)).kind(),
            ErrorKind::InstanceNotFound
        );
        // The code with another status is not "not found" (the API documents it with 404).
        let mut odd = api_error(Service::Rds, 400);
        odd.code = Some("DBS.200002".into());
        assert_eq!(Error::Api(Box::new(odd)).kind(), ErrorKind::OtherStatus);
        assert_eq!(
            transport("invalid peer certificate: UnknownIssuer").kind(),
            ErrorKind::TlsCertificate
        );
        assert_eq!(
            transport("connection refused").kind(),
            ErrorKind::Unreachable
        );
        let missing = Error::ProjectNotFound {
            region: "cn-north-4".into(),
            endpoint: "https://iam.example".into(),
        };
        assert_eq!(missing.kind(), ErrorKind::ProjectNotFound);
        assert_eq!(Error::Cancelled.kind(), ErrorKind::Cancelled);
        let options = Error::from(OptionError::new(ClientOption::Cloud, OptionProblem::Empty));
        assert_eq!(options.kind(), ErrorKind::InvalidOption);
    }

    #[test]
    fn hints_speak_of_the_api_and_the_client_only() {
        let missing = Error::ProjectNotFound {
            region: "cn-north-4".into(),
            endpoint: "https://iam.example".into(),
        };
        let mut errors = vec![
            transport("invalid peer certificate: UnknownIssuer"),
            transport("connection refused"),
            missing,
        ];
        for service in [Service::Rds, Service::Iam] {
            for status in [401, 403, 429, 414] {
                errors.push(Error::Api(Box::new(api_error(service, status))));
            }
        }
        for error in errors {
            let hint = error.hint().expect("a hint");
            assert_neutral(&hint);
            assert!(error.detail().ends_with(&format!("\nHint: {hint}")));
            assert_eq!(
                error.detail(),
                format!("{}\nHint: {hint}", error.detail_without_hint())
            );
        }
    }

    #[test]
    fn config_errors_name_the_client_field_and_word_the_problem_for_any_name() {
        let error = OptionError::new(ClientOption::AccessKey, OptionProblem::Empty);
        assert_eq!(error.to_string(), "credentials.access_key is empty");
        assert_eq!(error.problem.describe("the key"), "the key is empty");
        let error = Error::from(OptionError::new(
            ClientOption::MaxConcurrentRequests,
            OptionProblem::OutOfRange {
                min: 1,
                max: 32,
                got: 0,
            },
        ));
        assert_eq!(error.summary(), "Invalid Huawei Cloud client configuration");
        assert_eq!(
            error.detail(),
            "max_concurrent_requests must be between 1 and 32, got 0"
        );
        let region = Some("cn-north-4".to_owned());
        assert_eq!(
            ClientOption::ProjectId { region }.name(),
            "project_ids[\"cn-north-4\"]"
        );
        assert_eq!(ClientOption::Endpoint(Service::Iam).name(), "endpoints.iam");
        let unusable = OptionProblem::UnusableUrl {
            url: "https://***@x".into(),
            reason: "bad".into(),
        };
        assert_eq!(
            unusable.describe("ignored"),
            "endpoint \"https://***@x\": bad"
        );
    }
}
