//! Signed HTTP requests (GET, and POST with a JSON body) with retries, timeouts,
//! cancellation and client-wide throttling.
//!
//! Every attempt asks the client's credential cache (`credential::cache`) for the current keys
//! when it signs, so temporary keys refreshed in the middle of a long paged read are picked up
//! by the next page. An HTTP 401 to keys that can be refreshed triggers one refresh and one
//! immediate retry of that request, never more; a 401 to keys that cannot be refreshed is final.
//!
//! An HTTP 429 holds back every request of the client (see [`crate::throttle`]), not only the
//! throttled one. Each attempt is signed afresh (new `X-Sdk-Date`), so a retry after a long `Retry-After`
//! wait is not rejected for clock skew. Only non-secret data reaches logs and errors: the
//! `Authorization` and `X-Security-Token` header values are marked sensitive and never
//! formatted, and whatever the server sent (error code and message, request id, raw body,
//! causes of transport failures) is cleaned by the attempt's [`Redactor`] first.
//!
//! The loop of [`SignedHttp::send`] does only the I/O, the waiting and the logging: what an
//! attempt means and what follows it are the pure [`crate::attempt::classify`] and
//! [`crate::attempt::decide`] (which applies [`crate::retry::decide`]).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;
use tracing::debug;

use crate::attempt::{Attempt, Call, Outcome, Step, classify, decide};
use crate::client_options::{ClientOptions, Credentials};
use crate::credential::cache::{CredentialCache, CurrentKeys};
use crate::deadline::{self, Deadline};
use crate::endpoints::{BaseUrl, Service, Target};
use crate::errors::{
    ClientOption, DeadlineError, Error, OptionError, OptionProblem, RequestDescription,
    UrlTooLongError,
};
use crate::signing;
use crate::throttle::Throttle;
use crate::untrusted::Redactor;

/// Largest response body accepted; offsite-backup pages are a few tens of KiB.
pub(crate) const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// Longest URL sent: the HTTP stack cannot carry a longer one (`http::Uri` stops at 64 KiB - 2),
/// and no argument the API issues comes close (ids are a few dozen characters).
const MAX_URL_BYTES: usize = 65_534;

const X_SDK_DATE: HeaderName = HeaderName::from_static("x-sdk-date");
const X_PROJECT_ID: HeaderName = HeaderName::from_static("x-project-id");
const X_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-security-token");
const X_LANGUAGE: HeaderName = HeaderName::from_static("x-language");

/// One API call: where it goes and what identifies it in messages.
pub(crate) struct ApiRequest<'a> {
    /// The service called, for error hints.
    pub service: Service,
    pub method: http::Method,
    /// The region of the call (the credential cache may need IAM there).
    pub region: &'a str,
    /// Sent and signed (its SHA-256); empty for GET.
    pub body: &'a [u8],
    pub base: &'a BaseUrl,
    /// Base URL as configured, for messages.
    pub endpoint: &'a str,
    /// Raw (unencoded) path segments under the base.
    pub segments: &'a [&'a str],
    pub query: &'a [(String, String)],
    /// Sent and signed as `X-Project-Id` (RDS calls); `None` for IAM calls.
    pub project_id: Option<&'a str>,
    /// Page offset, for logs and messages.
    pub offset: Option<u64>,
    /// When the whole call must be over; every wait of this request ends there.
    pub deadline: Option<Deadline>,
}

/// A successful (2xx) response.
pub(crate) struct ApiResponse {
    pub status: u16,
    pub body: Bytes,
    pub request_id: Option<String>,
    pub request: RequestDescription,
    /// The secrets of the request that got this answer, to clean server text with.
    pub redactor: Redactor,
}

impl ApiResponse {
    /// The start of the body as text that is safe to show: secrets redacted, control
    /// characters escaped, cut to a fixed length (see [`crate::untrusted`]).
    pub fn body_excerpt(&self) -> String {
        self.redactor.clean(&String::from_utf8_lossy(&self.body))
    }
}

/// HTTP client plus credentials, retry budget and throttle; shared by all calls of a
/// [`crate::Client`].
pub(crate) struct SignedHttp {
    client: reqwest::Client,
    /// The keys every request of the client is signed with, refreshed when temporary.
    credentials: CredentialCache,
    max_retries: u32,
    /// Set by HTTP 429 answers; every attempt waits for it first.
    throttle: Throttle,
}

impl SignedHttp {
    pub(crate) fn new(options: &ClientOptions) -> Result<SignedHttp, Error> {
        // reqwest is built without a TLS crypto provider of its own and takes the process's
        // default. Make that *ring* unless the program chose one: reqwest's own default,
        // aws-lc-rs, seeds its CPU-jitter entropy (~23 ms) at the first TLS handshake, and
        // would put a second TLS library in the binary beside the plugin server's *ring*.
        // An error only means another provider was installed first, which is then used.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .user_agent(options.user_agent.as_str())
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .tls_danger_accept_invalid_certs(options.insecure)
            // A signed request must not be replayed against another host.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = &options.ca_certificates_pem {
            let certificates =
                crate::ca_certificates::reqwest_certificates(pem).map_err(|reason| {
                    OptionError::new(ClientOption::CaCertificates, OptionProblem::Invalid(reason))
                })?;
            // Added to the usual roots, not in their place.
            builder = builder.tls_certs_merge(certificates);
        }
        let client = builder.build().map_err(Error::HttpClient)?;
        Ok(SignedHttp {
            client,
            credentials: CredentialCache::new(options)?,
            max_retries: options.max_retries,
            throttle: Throttle::new(),
        })
    }

    /// Sends `request` signed with the client's current keys, retrying throttling, gateway
    /// errors and network failures, within the request's deadline. `attempts` counts every
    /// HTTP attempt made (shared by the pages of one list call).
    pub(crate) async fn send(
        &self,
        request: &ApiRequest<'_>,
        attempts: &AtomicU32,
        cancel: &CancellationToken,
    ) -> Result<ApiResponse, Error> {
        self.send_signed(request, None, attempts, cancel).await
    }

    /// [`SignedHttp::send`], signed with `keys` instead of the client's (the base keys of an
    /// assume_role); a 401 is then final here, the caller decides what follows.
    ///
    /// Boxed: it is called while the credential cache refreshes, inside another request's
    /// [`SignedHttp::send`] (a recursion the compiler needs to see through a pointer).
    pub(crate) fn send_with_keys<'a>(
        &'a self,
        request: &'a ApiRequest<'a>,
        keys: &'a Credentials,
        attempts: &'a AtomicU32,
        cancel: &'a CancellationToken,
    ) -> futures::future::BoxFuture<'a, Result<ApiResponse, Error>> {
        Box::pin(self.send_signed(request, Some(keys), attempts, cancel))
    }

    async fn send_signed(
        &self,
        request: &ApiRequest<'_>,
        fixed_keys: Option<&Credentials>,
        attempts: &AtomicU32,
        cancel: &CancellationToken,
    ) -> Result<ApiResponse, Error> {
        let query = signing::canonical_query(request.query);
        let target = request.base.target(request.segments, &query);
        let description = RequestDescription {
            method: request.method.as_str().into(),
            endpoint: request.endpoint.to_owned(),
            path: target.path.clone(),
            offset: request.offset,
        };
        if target.url.len() > MAX_URL_BYTES {
            return Err(Error::UrlTooLong(Box::new(UrlTooLongError {
                request: description,
                length: target.url.len(),
                limit: MAX_URL_BYTES,
            })));
        }
        let deadline = request.deadline;
        // What the last completed attempt got, for the deadline error.
        let mut last_outcome: Option<String> = None;
        let deadline_error = |attempt: u32, last_outcome: Option<String>| {
            debug!(
                path = %target.path,
                offset = request.offset,
                attempts = attempt,
                limit_ms = deadline.map_or(0, |d| d.limit.as_millis() as u64),
                "the call's time limit passed"
            );
            Error::DeadlineExceeded(Box::new(DeadlineError {
                request: description.clone(),
                attempts: attempt,
                limit: deadline.map(|d| d.limit).unwrap_or_default(),
                last_outcome,
            }))
        };
        let call = Call {
            service: request.service,
            request: &description,
        };
        let mut attempt: u32 = 0;
        // Whether the one refresh after an HTTP 401 was used.
        let mut refreshed_after_401 = false;
        loop {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            // Another request of this client may have been throttled meanwhile.
            tokio::select! {
                biased;
                waited = self.throttle.wait(cancel) => waited?,
                () = deadline::passed(deadline) => return Err(deadline_error(attempt, last_outcome)),
            }
            // The keys current now: a refresh may have happened since the last attempt.
            let keys = match fixed_keys {
                Some(keys) => CurrentKeys::fixed(keys.clone()),
                None => tokio::select! {
                    biased;
                    () = cancel.cancelled() => return Err(Error::Cancelled),
                    () = deadline::passed(deadline) => return Err(deadline_error(attempt, last_outcome)),
                    keys = self.credentials.current(self, request.region, deadline, cancel) => keys?,
                },
            };
            attempt = next_attempt(attempt);
            let (headers, redactor) = self.signed_headers(
                request,
                &target,
                &keys.credentials,
                OffsetDateTime::now_utc(),
            )?;
            count_attempt(attempts);
            let started = Instant::now();
            let produced = tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(Error::Cancelled),
                () = deadline::passed(deadline) => return Err(deadline_error(attempt, last_outcome)),
                produced = self.attempt(request, &target, headers) => produced,
            };
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let jitter: f64 = rand::random();
            let outcome = classify(produced, &call, attempt, redactor, SystemTime::now());
            log_outcome(&outcome, request, &target, attempt, elapsed_ms);
            if let Outcome::Status {
                status: 401,
                last_outcome: outcome,
                ..
            } = &outcome
                && keys.refreshable
                && !refreshed_after_401
            {
                // Temporary keys may have been revoked or expired early: one refresh, one
                // retry. A second 401 is the error.
                refreshed_after_401 = true;
                last_outcome = Some(outcome.clone());
                self.credentials.invalidate(keys.generation);
                debug!(
                    path = %target.path,
                    offset = request.offset,
                    attempt,
                    "HTTP 401 with temporary credentials: refreshing them and retrying once"
                );
                continue;
            }
            let remaining = deadline.map(|d| d.remaining());
            let decision = decide(outcome, attempt, self.max_retries, remaining, jitter);
            if let Some(hold) = decision.hold_client {
                self.throttle.hold_until(tokio::time::Instant::now() + hold);
            }
            let (wait, then_deadline) = match decision.step {
                Step::Return(response) => return Ok(response),
                Step::Fail(error) => return Err(error),
                Step::Retry {
                    after,
                    last_outcome: outcome,
                } => {
                    last_outcome = Some(outcome);
                    (after, false)
                }
                Step::WaitForDeadline {
                    wait,
                    last_outcome: outcome,
                } => {
                    last_outcome = Some(outcome);
                    (wait, true)
                }
            };
            debug!(
                path = %target.path,
                offset = request.offset,
                attempt,
                delay_ms = wait.as_millis() as u64,
                until_deadline = then_deadline,
                "retrying Huawei Cloud API request"
            );
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(Error::Cancelled),
                () = tokio::time::sleep(wait) => {}
            }
            if then_deadline {
                return Err(deadline_error(attempt, last_outcome));
            }
        }
    }

    /// Headers of one attempt, signed with `now` as `X-Sdk-Date`, and the redactor of the
    /// secrets they carry.
    fn signed_headers(
        &self,
        request: &ApiRequest<'_>,
        target: &Target,
        credentials: &Credentials,
        now: OffsetDateTime,
    ) -> Result<(HeaderMap, Redactor), Error> {
        let sdk_date = signing::format_sdk_date(now);
        let mut signed: Vec<(String, String)> = vec![
            ("host".into(), target.host.clone()),
            ("x-sdk-date".into(), sdk_date.clone()),
        ];
        if let Some(project_id) = request.project_id {
            signed.push(("x-project-id".into(), project_id.to_owned()));
        }
        if let Some(token) = &credentials.security_token {
            signed.push(("x-security-token".into(), token.expose().to_owned()));
        }
        let canonical = signing::canonical_request(
            request.method.as_str(),
            &target.signing_path,
            request.query,
            &signed,
            request.body,
        );
        let signature = signing::signature(
            credentials.secret_key.expose(),
            &signing::string_to_sign(&sdk_date, &canonical),
        );
        let authorization = signing::authorization_header(
            &credentials.access_key,
            &signing::signed_header_names(&signed),
            &signature,
        );

        // `Host` itself is set by the HTTP stack from the URL, to the value signed above.
        let mut headers = HeaderMap::new();
        // Formatted from the clock as digits, `T` and `Z`: always a valid header value.
        headers.insert(
            X_SDK_DATE,
            HeaderValue::from_str(&sdk_date).map_err(|_| {
                Error::InvalidArgument(
                    "X-Sdk-Date contains characters not allowed in an HTTP header".into(),
                )
            })?,
        );
        if let Some(project_id) = request.project_id {
            headers.insert(
                X_PROJECT_ID,
                header_value(project_id, ClientOption::ProjectId { region: None })?,
            );
        }
        if let Some(token) = &credentials.security_token {
            headers.insert(
                X_SECURITY_TOKEN,
                sensitive(token.expose(), ClientOption::SecurityToken)?,
            );
        }
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(X_LANGUAGE, HeaderValue::from_static("en-us"));
        headers.insert(
            AUTHORIZATION,
            sensitive(&authorization, ClientOption::AccessKey)?,
        );
        let token = credentials.security_token.as_ref().map(|t| t.expose());
        let redactor = Redactor::new(
            [
                credentials.secret_key.expose(),
                signature.as_str(),
                authorization.as_str(),
            ]
            .into_iter()
            .chain(token),
        );
        Ok((headers, redactor))
    }

    /// One HTTP exchange, body included, classified for the retry loop.
    async fn attempt(
        &self,
        request: &ApiRequest<'_>,
        target: &Target,
        headers: HeaderMap,
    ) -> Attempt {
        let result = async {
            let mut builder = self
                .client
                .request(request.method.clone(), &target.url)
                .headers(headers);
            if !request.body.is_empty() {
                builder = builder.body(request.body.to_vec());
            }
            let mut response = builder.send().await?;
            let status = response.status().as_u16();
            let headers = std::mem::take(response.headers_mut());
            let mut body = Vec::new();
            // The client's total timeout covers this loop too: a body that trickles in ends
            // with a timeout error like a server that never answers.
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Ok(Err(status));
                }
                body.extend_from_slice(&chunk);
            }
            Ok::<_, reqwest::Error>(Ok((status, headers, Bytes::from(body))))
        }
        .await;
        match result {
            Ok(Ok((status, headers, body))) => Attempt::Response {
                status,
                headers,
                body,
            },
            Ok(Err(status)) => Attempt::BodyTooLarge { status },
            Err(e) => Attempt::TransportFailure {
                reason: error_chain(&e),
                timed_out: e.is_timeout(),
                retryable: !e.is_builder() && !is_tls_failure(&e),
                untrusted_certificate: is_certificate_failure(&e),
                cause: e,
            },
        }
    }
}

/// The debug line of one attempt, by what it got.
fn log_outcome(
    outcome: &Outcome,
    request: &ApiRequest<'_>,
    target: &Target,
    attempt: u32,
    elapsed_ms: u64,
) {
    match outcome {
        Outcome::Success(ApiResponse {
            status, request_id, ..
        })
        | Outcome::Status {
            status, request_id, ..
        } => debug!(
            method = request.method.as_str(),
            endpoint = request.endpoint,
            path = %target.path,
            offset = request.offset,
            status = *status,
            request_id = request_id.as_deref(),
            attempt,
            elapsed_ms,
            "Huawei Cloud API response"
        ),
        Outcome::Transport {
            reason, timed_out, ..
        } => debug!(
            method = request.method.as_str(),
            endpoint = request.endpoint,
            path = %target.path,
            offset = request.offset,
            attempt,
            elapsed_ms,
            timed_out = *timed_out,
            reason = %reason,
            "Huawei Cloud API request failed"
        ),
        Outcome::BodyTooLarge { status, .. } => debug!(
            method = request.method.as_str(),
            endpoint = request.endpoint,
            path = %target.path,
            offset = request.offset,
            status = *status,
            attempt,
            elapsed_ms,
            "Huawei Cloud API response body too large"
        ),
    }
}

/// Number of the attempt after `attempt` (1-based). Saturates: `max_retries` is bounded by
/// `MAX_RETRIES_LIMIT`, but a count must never be able to wrap whatever the configuration.
fn next_attempt(attempt: u32) -> u32 {
    attempt.saturating_add(1)
}

/// Counts one HTTP attempt into the per-call total (saturating, for the same reason).
fn count_attempt(attempts: &AtomicU32) {
    // The closure always returns `Some`, so this cannot fail.
    let _ = attempts.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
        Some(n.saturating_add(1))
    });
}

/// Header value from a configured (non-secret) value; `field` is named on failure.
fn header_value(value: &str, field: ClientOption) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value)
        .map_err(|_| OptionError::new(field, OptionProblem::NotAHeaderValue).into())
}

/// Header value that the HTTP stack must treat as secret (never shown in its debug output).
fn sensitive(value: &str, field: ClientOption) -> Result<HeaderValue, Error> {
    let mut value = header_value(value, field)?;
    value.set_sensitive(true);
    Ok(value)
}

/// A TLS handshake failure (untrusted certificate, protocol mismatch): retrying cannot fix
/// it. The TLS stack reports these as I/O errors of kind `InvalidData`, possibly wrapped in
/// further I/O errors (whose `source()` skips the wrapped error, hence `get_ref`).
fn is_tls_failure(error: &reqwest::Error) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        current = match e.downcast_ref::<std::io::Error>() {
            Some(io) if io.kind() == std::io::ErrorKind::InvalidData => return true,
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    false
}

/// A TLS handshake that refused the server's certificate (unknown issuer, expired, wrong
/// name...), told by the TLS stack's own error type in the cause chain, never by its text.
fn is_certificate_failure(error: &reqwest::Error) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(rustls::Error::InvalidCertificate(_)) = e.downcast_ref::<rustls::Error>() {
            return true;
        }
        current = match e.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    false
}

/// The error and its causes on one line, without the URL (the caller names the endpoint).
pub(crate) fn error_chain(error: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut current: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = current {
        let text = match e.downcast_ref::<reqwest::Error>() {
            Some(reqwest_error) => {
                let shown = reqwest_error.to_string();
                match reqwest_error.url() {
                    Some(url) => shown.replace(&format!(" for url ({url})"), ""),
                    None => shown,
                }
            }
            None => e.to_string(),
        };
        if !parts.contains(&text) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_numbers_saturate() {
        assert_eq!(next_attempt(0), 1);
        assert_eq!(next_attempt(u32::MAX - 1), u32::MAX);
        assert_eq!(next_attempt(u32::MAX), u32::MAX);
        let attempts = AtomicU32::new(u32::MAX);
        count_attempt(&attempts);
        assert_eq!(attempts.load(Ordering::Relaxed), u32::MAX);
    }
}
