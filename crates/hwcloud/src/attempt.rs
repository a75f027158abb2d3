//! What one HTTP attempt means for the call, and what the call does next.
//!
//! Pure functions, in the style of [`crate::retry`]: [`classify`] turns what an attempt
//! produced ([`Attempt`]) into an [`Outcome`] (the response, or the error the call would report
//! and how it failed), and [`decide`] turns an outcome into a [`Decision`]: return the response,
//! fail with the error, or retry after a delay, plus the client-wide hold after an HTTP 429.
//! The loop of [`crate::http::SignedHttp::get`] does only the I/O, the waiting and the logging.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, RETRY_AFTER};

use crate::endpoints::Service;
use crate::errors::{
    ApiError, BodyTooLargeError, Error, RequestDescription, TransportError, decode_error_body,
};
use crate::http::{ApiResponse, MAX_BODY_BYTES};
use crate::retry;
use crate::untrusted::Redactor;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What one attempt produced.
pub(crate) enum Attempt {
    Response {
        status: u16,
        headers: HeaderMap,
        body: Bytes,
    },
    TransportFailure {
        reason: String,
        timed_out: bool,
        retryable: bool,
        /// The TLS handshake refused the server's certificate.
        untrusted_certificate: bool,
        cause: reqwest::Error,
    },
    /// The body grew past [`MAX_BODY_BYTES`]; the rest was not read.
    BodyTooLarge { status: u16 },
}

/// The call an attempt belongs to, as its errors describe it.
pub(crate) struct Call<'a> {
    pub service: Service,
    pub request: &'a RequestDescription,
}

/// An attempt's meaning: server text already cleaned by the attempt's redactor.
pub(crate) enum Outcome {
    /// A 2xx answer.
    Success(ApiResponse),
    /// An HTTP answer that is not a success.
    Status {
        status: u16,
        request_id: Option<String>,
        retry_after: Option<Duration>,
        /// What the attempt got, for a later deadline error.
        last_outcome: String,
        error: Error,
    },
    /// No HTTP answer.
    Transport {
        reason: String,
        timed_out: bool,
        retryable: bool,
        last_outcome: String,
        error: Error,
    },
    /// The body was larger than [`MAX_BODY_BYTES`]: final.
    BodyTooLarge { status: u16, error: Error },
}

/// Classifies attempt number `attempt` of `call`, signed with the secrets `redactor` knows;
/// `now` dates a `Retry-After` given as an HTTP date.
pub(crate) fn classify(
    produced: Attempt,
    call: &Call<'_>,
    attempt: u32,
    redactor: Redactor,
    now: SystemTime,
) -> Outcome {
    match produced {
        Attempt::Response {
            status,
            headers,
            body,
        } => {
            let request_id = header_text(&headers, &X_REQUEST_ID).map(|id| redactor.clean(&id));
            if (200..300).contains(&status) {
                return Outcome::Success(ApiResponse {
                    status,
                    body,
                    request_id,
                    request: call.request.clone(),
                    redactor,
                });
            }
            let retry_after = header_text(&headers, &RETRY_AFTER)
                .and_then(|value| retry::parse_retry_after(&value, now));
            let decoded = decode_error_body(&body, &redactor);
            let last_outcome = match &decoded.code {
                Some(code) => format!("HTTP {status} {code}: {}", decoded.message),
                None => format!("HTTP {status}: {}", decoded.message),
            };
            let error = Error::Api(Box::new(ApiError {
                service: call.service,
                status,
                code: decoded.code,
                message: decoded.message,
                request_id: request_id.clone(),
                request: call.request.clone(),
                attempts: attempt,
            }));
            Outcome::Status {
                status,
                request_id,
                retry_after,
                last_outcome,
                error,
            }
        }
        Attempt::TransportFailure {
            reason,
            timed_out,
            retryable,
            untrusted_certificate,
            cause,
        } => {
            // Causes may quote what the server sent (a malformed status line).
            let reason = redactor.clean(&reason);
            let last_outcome = if timed_out {
                format!("timed out: {reason}")
            } else {
                format!("no answer: {reason}")
            };
            let error = Error::Transport(Box::new(TransportError {
                request: call.request.clone(),
                reason: reason.clone(),
                timed_out,
                untrusted_certificate,
                attempts: attempt,
                cause: Some(Arc::new(cause)),
            }));
            Outcome::Transport {
                reason,
                timed_out,
                retryable,
                last_outcome,
                error,
            }
        }
        Attempt::BodyTooLarge { status } => Outcome::BodyTooLarge {
            status,
            error: Error::BodyTooLarge(Box::new(BodyTooLargeError {
                request: call.request.clone(),
                status,
                limit_bytes: MAX_BODY_BYTES,
            })),
        },
    }
}

/// What the call does after an attempt.
pub(crate) enum Step {
    /// The call succeeded with this response.
    Return(ApiResponse),
    /// The call fails with this error: it is final, or the retries are used up.
    Fail(Error),
    /// Wait this long, then try again.
    Retry {
        after: Duration,
        last_outcome: String,
    },
    /// The wait would reach the call's deadline: wait this long (until the deadline), then
    /// report that the deadline passed.
    WaitForDeadline {
        wait: Duration,
        last_outcome: String,
    },
}

/// The next step, and how long every request of the client must hold back from now on
/// (after HTTP 429, also when this request is not retried).
pub(crate) struct Decision {
    pub step: Step,
    pub hold_client: Option<Duration>,
}

/// The decision after attempt number `attempt` (1-based) had `outcome`, given the retry
/// budget, the time `remaining` until the call's deadline (`None`: no deadline) and a
/// `jitter` in `[0, 1]` (see [`retry::decide`]).
pub(crate) fn decide(
    outcome: Outcome,
    attempt: u32,
    max_retries: u32,
    remaining: Option<Duration>,
    jitter: f64,
) -> Decision {
    let (failure, last_outcome, error, hold_client) = match outcome {
        Outcome::Success(response) => {
            return Decision {
                step: Step::Return(response),
                hold_client: None,
            };
        }
        Outcome::BodyTooLarge { error, .. } => {
            return Decision {
                step: Step::Fail(error),
                hold_client: None,
            };
        }
        Outcome::Status {
            status,
            retry_after,
            last_outcome,
            error,
            ..
        } => {
            // The gateway limits the user, not this request.
            let hold = (status == 429)
                .then(|| retry::delay_before_retry(retry_after, attempt.saturating_sub(1), jitter));
            let failure = retry::Failure::Status {
                status,
                retry_after,
            };
            (failure, last_outcome, error, hold)
        }
        Outcome::Transport {
            retryable,
            last_outcome,
            error,
            ..
        } => (
            retry::Failure::Transport { retryable },
            last_outcome,
            error,
            None,
        ),
    };
    let step = match retry::decide(failure, attempt, max_retries, remaining, jitter) {
        retry::Decision::GiveUp => Step::Fail(error),
        retry::Decision::RetryAfter(after) => Step::Retry {
            after,
            last_outcome,
        },
        retry::Decision::WaitForDeadline(wait) => Step::WaitForDeadline { wait, last_outcome },
    };
    Decision { step, hold_client }
}

fn header_text(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::HeaderValue;

    fn request() -> RequestDescription {
        RequestDescription {
            method: "GET".into(),
            endpoint: "https://rds.example.com".into(),
            path: "/v3/p/offsite-backups".into(),
            offset: Some(100),
        }
    }

    fn response(status: u16, headers: &[(&'static str, &str)], body: &str) -> Attempt {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        Attempt::Response {
            status,
            headers: map,
            body: Bytes::from(body.to_owned()),
        }
    }

    fn classify_at(produced: Attempt, attempt: u32) -> Outcome {
        let request = request();
        let call = Call {
            service: Service::Rds,
            request: &request,
        };
        classify(
            produced,
            &call,
            attempt,
            Redactor::new(["s3cret"]),
            SystemTime::UNIX_EPOCH,
        )
    }

    /// A transport failure the HTTP stack reports without any I/O: an unusable URL.
    fn transport_failure(reason: &str, timed_out: bool, retryable: bool) -> Attempt {
        // As in `SignedHttp::new`: reqwest takes the process's TLS provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let cause = reqwest::Client::new()
            .get("not a url")
            .build()
            .expect_err("a relative URL cannot be sent");
        Attempt::TransportFailure {
            reason: reason.to_owned(),
            timed_out,
            retryable,
            untrusted_certificate: false,
            cause,
        }
    }

    #[test]
    fn a_success_keeps_the_body_and_the_cleaned_request_id() {
        let produced = response(200, &[("x-request-id", " id-s3cret ")], "{}");
        let Outcome::Success(response) = classify_at(produced, 1) else {
            panic!("not a success");
        };
        assert_eq!(response.status, 200);
        assert_eq!(&response.body[..], b"{}");
        assert_eq!(response.request_id.as_deref(), Some("id-***"));
        assert_eq!(response.request, request());
    }

    #[test]
    fn an_error_status_becomes_an_api_error_and_its_last_outcome() {
        let body = r#"{"error_code":"APIG.0308","error_msg":"throttled s3cret"}"#;
        let produced = response(429, &[("retry-after", "7"), ("x-request-id", "r1")], body);
        let Outcome::Status {
            status,
            request_id,
            retry_after,
            last_outcome,
            error,
        } = classify_at(produced, 3)
        else {
            panic!("not a status");
        };
        assert_eq!(
            (status, request_id.as_deref(), retry_after),
            (429, Some("r1"), Some(Duration::from_secs(7)))
        );
        assert_eq!(last_outcome, "HTTP 429 APIG.0308: throttled ***");
        let Error::Api(api) = error else {
            panic!("{error:?}");
        };
        assert_eq!(api.attempts, 3);
        assert_eq!(api.code.as_deref(), Some("APIG.0308"));
        assert_eq!(api.message, "throttled ***");
        assert_eq!(api.request_id.as_deref(), Some("r1"));
    }

    #[test]
    fn a_status_without_an_error_code_quotes_the_body() {
        let Outcome::Status { last_outcome, .. } =
            classify_at(response(502, &[], "Bad Gateway"), 1)
        else {
            panic!("not a status");
        };
        assert_eq!(last_outcome, "HTTP 502: Bad Gateway");
    }

    #[test]
    fn a_transport_failure_is_cleaned_and_says_whether_it_timed_out() {
        let outcome = classify_at(transport_failure("reset by s3cret", false, true), 2);
        let Outcome::Transport {
            reason,
            last_outcome,
            error,
            ..
        } = outcome
        else {
            panic!("not a transport failure");
        };
        assert_eq!(reason, "reset by ***");
        assert_eq!(last_outcome, "no answer: reset by ***");
        let Error::Transport(transport) = error else {
            panic!("{error:?}");
        };
        assert_eq!((transport.attempts, transport.timed_out), (2, false));
        assert!(transport.cause.is_some());
        let Outcome::Transport { last_outcome, .. } =
            classify_at(transport_failure("operation timed out", true, true), 1)
        else {
            panic!("not a transport failure");
        };
        assert_eq!(last_outcome, "timed out: operation timed out");
    }

    #[test]
    fn a_body_too_large_names_the_limit() {
        let Outcome::BodyTooLarge { status, error } =
            classify_at(Attempt::BodyTooLarge { status: 200 }, 1)
        else {
            panic!("not too large");
        };
        assert_eq!(status, 200);
        let Error::BodyTooLarge(too_large) = error else {
            panic!("{error:?}");
        };
        assert_eq!(too_large.limit_bytes, MAX_BODY_BYTES);
    }

    fn decide_after(produced: Attempt, attempt: u32, remaining: Option<Duration>) -> Decision {
        decide(classify_at(produced, attempt), attempt, 2, remaining, 1.0)
    }

    #[test]
    fn a_success_is_returned() {
        let decision = decide_after(response(200, &[], "{}"), 1, None);
        assert!(matches!(decision.step, Step::Return(_)));
        assert_eq!(decision.hold_client, None);
    }

    #[test]
    fn a_body_too_large_fails_at_once() {
        let decision = decide_after(Attempt::BodyTooLarge { status: 200 }, 1, None);
        assert!(matches!(decision.step, Step::Fail(Error::BodyTooLarge(_))));
        assert_eq!(decision.hold_client, None);
    }

    #[test]
    fn retryable_failures_are_retried_with_their_last_outcome() {
        let decision = decide_after(response(503, &[], "down"), 1, None);
        let Step::Retry {
            after,
            last_outcome,
        } = decision.step
        else {
            panic!("not retried");
        };
        // First retry, full jitter: the base delay.
        assert_eq!(after, retry::BASE_DELAY);
        assert_eq!(last_outcome, "HTTP 503: down");
        assert_eq!(decision.hold_client, None);
        let decision = decide_after(transport_failure("reset", false, true), 2, None);
        assert!(
            matches!(decision.step, Step::Retry { after, .. } if after == retry::BASE_DELAY * 2)
        );
    }

    #[test]
    fn final_failures_and_spent_budgets_fail_with_the_error() {
        let decision = decide_after(response(403, &[], "denied"), 1, None);
        assert!(matches!(decision.step, Step::Fail(Error::Api(_))));
        let decision = decide_after(response(503, &[], "down"), 3, None);
        assert!(matches!(decision.step, Step::Fail(Error::Api(_))));
        let decision = decide_after(transport_failure("bad certificate", false, false), 1, None);
        assert!(matches!(decision.step, Step::Fail(Error::Transport(_))));
    }

    #[test]
    fn throttling_holds_the_client_even_when_not_retried() {
        let throttled = || response(429, &[("retry-after", "4")], "slow down");
        let decision = decide_after(throttled(), 1, None);
        assert_eq!(decision.hold_client, Some(Duration::from_secs(4)));
        assert!(
            matches!(decision.step, Step::Retry { after, .. } if after == Duration::from_secs(4))
        );
        let decision = decide_after(throttled(), 3, None);
        assert_eq!(decision.hold_client, Some(Duration::from_secs(4)));
        assert!(matches!(decision.step, Step::Fail(Error::Api(_))));
    }

    #[test]
    fn a_wait_past_the_deadline_waits_only_until_it() {
        let rest = Duration::from_millis(50);
        let decision = decide_after(response(500, &[], "oops"), 1, Some(rest));
        let Step::WaitForDeadline { wait, last_outcome } = decision.step else {
            panic!("not cut at the deadline");
        };
        assert_eq!(wait, rest);
        assert_eq!(last_outcome, "HTTP 500: oops");
    }
}
