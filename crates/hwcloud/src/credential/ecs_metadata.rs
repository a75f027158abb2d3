//! The ECS metadata service: the temporary keys of the instance's agency.
//!
//! As the official SDK does: `PUT {endpoint}/meta-data/latest/api/token` with
//! `X-Metadata-Token-Ttl-Seconds` gets a session token, then
//! `GET {endpoint}/openstack/latest/securitykey` with `X-Metadata-Token` gets the keys. Only
//! when the PUT answers 404, 405 or 503 (a service without session tokens) is the GET sent
//! without the token; any other failure of the PUT is the error. Unsigned, never through a
//! proxy, 3 s per call, not retried (a refresh happens minutes before expiry, and the next
//! request tries again). The session token and the keys are secrets: they are never logged,
//! and are removed from anything the service's answers are quoted with.

use std::time::Duration;

use http::HeaderValue;
use time::OffsetDateTime;
use tracing::debug;

use crate::credential::answer::{self, TemporaryKeys};
use crate::credential::error::{CredentialError, CredentialOrigin, CredentialProblem};
use crate::errors::{RequestDescription, decode_error_body};
use crate::http::{MAX_BODY_BYTES, error_chain};
use crate::untrusted::Redactor;

/// Path of the session token, below the endpoint.
pub(crate) const TOKEN_PATH: &str = "/meta-data/latest/api/token";
/// Path of the keys, below the endpoint.
pub(crate) const SECURITY_KEY_PATH: &str = "/openstack/latest/securitykey";
/// Lifetime asked for the session token (the SDK's: 6 hours).
pub(crate) const TOKEN_TTL_SECONDS: u64 = 6 * 60 * 60;
/// Limit of each call (connect, send, read the answer), as the official SDK.
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_secs(3);
/// Statuses of a service that has no session tokens: the keys are asked for without one.
const NO_TOKEN_STATUSES: [u16; 3] = [404, 405, 503];

/// The HTTP client for the metadata service: its own timeouts, no proxy, no redirects.
pub(crate) fn http_client(user_agent: &str) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(user_agent)
        .connect_timeout(CALL_TIMEOUT)
        .timeout(CALL_TIMEOUT)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// One answer of the service.
struct Answer {
    status: u16,
    body: Vec<u8>,
    request_id: Option<String>,
}

/// Gets the instance's keys from the metadata service at `endpoint`; `now` dates their expiry.
pub(crate) async fn fetch(
    client: &reqwest::Client,
    endpoint: &str,
    now: impl Fn() -> OffsetDateTime,
) -> Result<TemporaryKeys, CredentialError> {
    let endpoint = endpoint.trim_end_matches('/');
    let describe = |method: &str, path: &str| RequestDescription {
        method: method.into(),
        endpoint: endpoint.to_owned(),
        path: path.into(),
        offset: None,
    };
    let fail = |problem, request: RequestDescription| CredentialError {
        origin: CredentialOrigin::EcsMetadata {
            endpoint: endpoint.to_owned(),
        },
        problem,
        request: Some(request),
    };

    let token_request = describe("PUT", TOKEN_PATH);
    let put = client.put(format!("{endpoint}{TOKEN_PATH}")).header(
        "X-Metadata-Token-Ttl-Seconds",
        TOKEN_TTL_SECONDS.to_string(),
    );
    let answer = exchange(put, &Redactor::default())
        .await
        .map_err(|problem| fail(problem, token_request.clone()))?;
    debug!(
        endpoint,
        path = TOKEN_PATH,
        status = answer.status,
        "ECS metadata token answer"
    );
    let token = match answer.status {
        200..=299 => {
            let token = String::from_utf8_lossy(&answer.body).trim().to_owned();
            let mut value = HeaderValue::from_str(&token).map_err(|_| {
                fail(
                    CredentialProblem::Decode {
                        status: answer.status,
                        reason: "the session token cannot be sent in a header".into(),
                    },
                    token_request.clone(),
                )
            })?;
            if token.is_empty() {
                return Err(fail(
                    CredentialProblem::Decode {
                        status: answer.status,
                        reason: "the session token is empty".into(),
                    },
                    token_request,
                ));
            }
            value.set_sensitive(true);
            Some((token, value))
        }
        status if NO_TOKEN_STATUSES.contains(&status) => None,
        _ => {
            return Err(fail(
                status_problem(&answer, &Redactor::default()),
                token_request,
            ));
        }
    };

    let keys_request = describe("GET", SECURITY_KEY_PATH);
    let redactor = Redactor::new(token.as_ref().map(|(text, _)| text.as_str()));
    let mut get = client.get(format!("{endpoint}{SECURITY_KEY_PATH}"));
    if let Some((_, value)) = &token {
        get = get.header("X-Metadata-Token", value.clone());
    }
    let answer = exchange(get, &redactor)
        .await
        .map_err(|problem| fail(problem, keys_request.clone()))?;
    debug!(
        endpoint,
        path = SECURITY_KEY_PATH,
        status = answer.status,
        with_session_token = token.is_some(),
        "ECS metadata security key answer"
    );
    if !(200..300).contains(&answer.status) {
        return Err(fail(status_problem(&answer, &redactor), keys_request));
    }
    answer::decode(&answer.body, answer.status, now())
        .map_err(|problem| fail(problem, keys_request))
}

/// Sends one request and reads its whole answer (within [`MAX_BODY_BYTES`]).
async fn exchange(
    request: reqwest::RequestBuilder,
    redactor: &Redactor,
) -> Result<Answer, CredentialProblem> {
    let transport = |e: reqwest::Error| CredentialProblem::Transport {
        reason: redactor.clean(&error_chain(&e)),
        timed_out: e.is_timeout(),
    };
    let mut response = request.send().await.map_err(transport)?;
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|id| redactor.clean(id));
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(CredentialProblem::Decode {
                status,
                reason: format!(
                    "the answer is larger than {} MiB",
                    MAX_BODY_BYTES / (1024 * 1024)
                ),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status,
        body,
        request_id,
    })
}

fn status_problem(answer: &Answer, redactor: &Redactor) -> CredentialProblem {
    let decoded = decode_error_body(&answer.body, redactor);
    CredentialProblem::Status {
        status: answer.status,
        code: decoded.code,
        message: decoded.message,
        request_id: answer.request_id.clone(),
    }
}
