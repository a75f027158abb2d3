//! The ECS metadata service, on the simulator's own listener (clients are pointed at it
//! instead of `http://169.254.169.254`): `PUT /meta-data/latest/api/token` with
//! `X-Metadata-Token-Ttl-Seconds` answers a session token as text, and
//! `GET /openstack/latest/securitykey` with `X-Metadata-Token` answers the temporary
//! credentials of the instance's agency, `{"credential":{"access","secret","securitytoken",
//! "expires_at"}}`. Neither is AK/SK signed. The token API can be switched to the answers of
//! an older or broken service (404, 405, 503: the GET then works without a token, as the
//! official SDK's core expects; 500: an error).

use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use crate::credential_log::{MetadataCall, MetadataRoute};
use crate::handler::{Outcome, Shared};
use crate::temporary_credentials::{CredentialKind, Issue, METADATA_PRINCIPAL, random_text};

const TOKEN_HEADER: &str = "x-metadata-token";
const TTL_HEADER: &str = "x-metadata-token-ttl-seconds";
/// Longest session token lifetime the token API grants: 6 hours (the official SDK asks for
/// exactly that, `_DEFAULT_TOKEN_TTL_SECONDS` in `huaweicloudsdkcore/auth/internal.py`).
const MAX_TOKEN_TTL_SECONDS: u64 = 6 * 60 * 60;

/// How `PUT /meta-data/latest/api/token` behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetadataTokenApi {
    /// It answers a session token, and the GET requires one (401 without it or with a
    /// wrong or expired one).
    #[default]
    Required,
    /// It answers 404, as a service without the token API: the GET works without a token.
    NotFound,
    /// It answers 405; the GET works without a token.
    MethodNotAllowed,
    /// It answers 503; the GET works without a token.
    Unavailable,
    /// It answers 500, an error a client must report; the GET still requires a token (so it
    /// answers 401, no token being obtainable).
    ServerError,
}

impl MetadataTokenApi {
    /// The status the PUT answers instead of a token.
    fn failure_status(self) -> Option<StatusCode> {
        match self {
            MetadataTokenApi::Required => None,
            MetadataTokenApi::NotFound => Some(StatusCode::NOT_FOUND),
            MetadataTokenApi::MethodNotAllowed => Some(StatusCode::METHOD_NOT_ALLOWED),
            MetadataTokenApi::Unavailable => Some(StatusCode::SERVICE_UNAVAILABLE),
            MetadataTokenApi::ServerError => Some(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }

    fn token_required(self) -> bool {
        matches!(
            self,
            MetadataTokenApi::Required | MetadataTokenApi::ServerError
        )
    }
}

/// `required`, `404`, `405`, `503` or `500` (the CLI's `--metadata-token-api`).
impl FromStr for MetadataTokenApi {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "required" => Ok(MetadataTokenApi::Required),
            "404" => Ok(MetadataTokenApi::NotFound),
            "405" => Ok(MetadataTokenApi::MethodNotAllowed),
            "503" => Ok(MetadataTokenApi::Unavailable),
            "500" => Ok(MetadataTokenApi::ServerError),
            _ => Err(format!(
                "expected one of required, 404, 405, 503, 500, got {text:?}"
            )),
        }
    }
}

/// Session tokens handed out by the token API, each with its expiry.
#[derive(Debug, Default)]
pub(crate) struct MetadataTokens {
    tokens: Mutex<Vec<(String, OffsetDateTime)>>,
}

impl MetadataTokens {
    fn issue(&self, ttl: Duration, now: OffsetDateTime) -> String {
        let token = random_text(56);
        self.lock().push((token.clone(), now + ttl));
        token
    }

    fn is_valid(&self, token: &str, now: OffsetDateTime) -> bool {
        self.lock()
            .iter()
            .any(|(known, expires_at)| known == token && now < *expires_at)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, OffsetDateTime)>> {
        // Plain data: a panic while holding the lock leaves nothing half-written.
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn disabled() -> Response {
    text(StatusCode::NOT_FOUND, "404 Not Found")
}

/// `PUT /meta-data/latest/api/token`.
pub(crate) fn token(shared: &Shared, headers: &HeaderMap, now: OffsetDateTime) -> Outcome {
    let ttl_seconds = header_text(headers, TTL_HEADER).map(str::to_owned);
    let response = token_response(shared, ttl_seconds.as_deref(), now);
    shared.credential_log.push_metadata(MetadataCall {
        route: MetadataRoute::Token,
        ttl_seconds,
        with_token: false,
        status: response.status().as_u16(),
        issued_access_key: None,
    });
    Outcome::answer(response)
}

fn token_response(shared: &Shared, ttl_seconds: Option<&str>, now: OffsetDateTime) -> Response {
    let scenario = &shared.scenario;
    if !scenario.metadata_enabled {
        return disabled();
    }
    if let Some(status) = scenario.metadata_token_api.failure_status() {
        return text(status, format!("{status}"));
    }
    let ttl = match ttl_seconds.map(str::parse::<u64>) {
        Some(Ok(seconds)) if (1..=MAX_TOKEN_TTL_SECONDS).contains(&seconds) => seconds,
        _ => {
            return text(
                StatusCode::BAD_REQUEST,
                format!(
                    "400 Bad Request: X-Metadata-Token-Ttl-Seconds must be an integer from 1 to \
                     {MAX_TOKEN_TTL_SECONDS}"
                ),
            );
        }
    };
    let token = shared.metadata_tokens.issue(Duration::from_secs(ttl), now);
    text(StatusCode::OK, token)
}

/// `GET /openstack/latest/securitykey`.
pub(crate) fn security_key(shared: &Shared, headers: &HeaderMap, now: OffsetDateTime) -> Outcome {
    let token = header_text(headers, TOKEN_HEADER);
    let (response, issued_access_key) = security_key_response(shared, token, now);
    shared.credential_log.push_metadata(MetadataCall {
        route: MetadataRoute::SecurityKey,
        ttl_seconds: None,
        with_token: headers.contains_key(TOKEN_HEADER),
        status: response.status().as_u16(),
        issued_access_key,
    });
    Outcome::answer(response)
}

fn security_key_response(
    shared: &Shared,
    token: Option<&str>,
    now: OffsetDateTime,
) -> (Response, Option<String>) {
    let scenario = &shared.scenario;
    if !scenario.metadata_enabled {
        return (disabled(), None);
    }
    if scenario.metadata_token_api.token_required()
        && !token.is_some_and(|token| shared.metadata_tokens.is_valid(token, now))
    {
        let why = if token.is_some() {
            "the X-Metadata-Token is unknown or expired"
        } else {
            "an X-Metadata-Token is required"
        };
        return (
            text(StatusCode::UNAUTHORIZED, format!("401 Unauthorized: {why}")),
            None,
        );
    }
    let credential = shared.credentials.issue(
        &Issue {
            kind: CredentialKind::Metadata,
            lifetime: scenario.metadata_credential_lifetime,
            agency_name: None,
            principal: METADATA_PRINCIPAL,
        },
        now,
    );
    let response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        credential.answer_body(),
    )
        .into_response();
    (response, Some(credential.access_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_api_modes_parse() {
        assert_eq!("required".parse(), Ok(MetadataTokenApi::Required));
        assert_eq!("404".parse(), Ok(MetadataTokenApi::NotFound));
        assert_eq!("405".parse(), Ok(MetadataTokenApi::MethodNotAllowed));
        assert_eq!("503".parse(), Ok(MetadataTokenApi::Unavailable));
        assert_eq!("500".parse(), Ok(MetadataTokenApi::ServerError));
        assert!("401".parse::<MetadataTokenApi>().is_err());
        assert!(MetadataTokenApi::ServerError.token_required());
        assert!(!MetadataTokenApi::Unavailable.token_required());
    }

    #[test]
    fn tokens_expire() {
        let tokens = MetadataTokens::default();
        let now = OffsetDateTime::now_utc();
        let token = tokens.issue(Duration::from_secs(5), now);
        assert!(tokens.is_valid(&token, now + Duration::from_secs(4)));
        assert!(!tokens.is_valid(&token, now + Duration::from_secs(5)));
        assert!(!tokens.is_valid("other", now));
    }
}
