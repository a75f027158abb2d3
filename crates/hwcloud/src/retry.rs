//! Retry policy: which failures are retried and how long to wait before the next attempt.
//!
//! Pure functions (the caller supplies the clock and the random jitter) so the policy is
//! testable without sleeping.
//!
//! Chosen values: exponential backoff starting at 200 ms and doubling per retry, capped at
//! 10 s, with "equal jitter" (a random delay between half and all of the exponential value) so
//! that concurrent page requests throttled together do not retry in lock-step. A server's
//! `Retry-After` (seconds or HTTP date) replaces the computed delay, capped at 300 s: the
//! gateway throttles over 5-minute windows ("limit:200,time:5 minute"), so a longer wish is
//! bogus and must not stall a Terraform run. A shorter wish than the backoff (`Retry-After: 0`)
//! is not honoured: a misbehaving server must not get a hot loop. After an HTTP 429 the delay
//! holds back every request of the client, not only the throttled one (see `http`). No wait
//! goes past the call's deadline: [`decide`] cuts it there, and the call then fails.

use std::time::{Duration, SystemTime};

/// Delay before the first retry, before jitter.
pub const BASE_DELAY: Duration = Duration::from_millis(200);
/// Upper bound of the exponential delay.
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// Upper bound of a server-requested `Retry-After` wait: the gateway's 5-minute throttle window.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// Throttling and transient gateway/server failures. Other statuses (400, 401, 403, 404, ...)
/// are final: retrying them cannot succeed, and repeated signature failures lock the key.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// Backoff before retry number `retry` (0 = first retry); `jitter` in `[0, 1]` picks a point
/// between half and all of the capped exponential delay.
pub fn backoff_delay(retry: u32, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(retry.min(16));
    let exponential = BASE_DELAY.saturating_mul(factor).min(MAX_BACKOFF);
    let half = exponential / 2;
    half + half.mul_f64(jitter.clamp(0.0, 1.0))
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP date relative to `now`; capped at
/// [`MAX_RETRY_AFTER`]. A date in the past means "now". Unparsable values give `None`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let delay = if let Ok(seconds) = value.parse::<u64>() {
        Duration::from_secs(seconds)
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        at.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(delay.min(MAX_RETRY_AFTER))
}

/// Delay before retry number `retry`: the backoff, or the server's wish when that is longer.
pub fn delay_before_retry(retry_after: Option<Duration>, retry: u32, jitter: f64) -> Duration {
    let backoff = backoff_delay(retry, jitter);
    retry_after.map_or(backoff, |wish| wish.max(backoff))
}

/// How an attempt failed, as far as the policy cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// An HTTP answer that is not a success, with its parsed `Retry-After`.
    Status {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// No HTTP answer: the connection failed, was reset or timed out. `retryable` is false
    /// for failures a retry cannot fix (TLS, an unusable request).
    Transport { retryable: bool },
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Report this failure: it is final, or the retries are used up.
    GiveUp,
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// The wait would reach the call's deadline: wait only until the deadline (this long),
    /// then report that the deadline passed.
    WaitForDeadline(Duration),
}

/// The decision after attempt number `attempt` (1-based) failed with `failure`, given the
/// retry budget, the time `remaining` until the call's deadline (`None`: no deadline) and a
/// `jitter` in `[0, 1]`.
pub fn decide(
    failure: Failure,
    attempt: u32,
    max_retries: u32,
    remaining: Option<Duration>,
    jitter: f64,
) -> Decision {
    let retry = attempt.saturating_sub(1);
    let (retryable, delay) = match failure {
        Failure::Status {
            status,
            retry_after,
        } => (
            is_retryable_status(status),
            delay_before_retry(retry_after, retry, jitter),
        ),
        Failure::Transport { retryable } => (retryable, backoff_delay(retry, jitter)),
    };
    if !retryable || attempt > max_retries {
        return Decision::GiveUp;
    }
    match remaining {
        Some(remaining) if delay >= remaining => Decision::WaitForDeadline(remaining),
        _ => Decision::RetryAfter(delay),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses() {
        for status in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(status), "{status}");
        }
        for status in [200, 400, 401, 403, 404, 409, 501] {
            assert!(!is_retryable_status(status), "{status}");
        }
    }

    #[test]
    fn backoff_doubles_within_jitter_bounds() {
        assert_eq!(backoff_delay(0, 0.0), Duration::from_millis(100));
        assert_eq!(backoff_delay(0, 1.0), Duration::from_millis(200));
        assert_eq!(backoff_delay(1, 0.0), Duration::from_millis(200));
        assert_eq!(backoff_delay(1, 1.0), Duration::from_millis(400));
        assert_eq!(backoff_delay(3, 1.0), Duration::from_millis(1600));
    }

    #[test]
    fn backoff_is_capped() {
        assert_eq!(backoff_delay(6, 1.0), MAX_BACKOFF);
        assert_eq!(backoff_delay(6, 0.0), MAX_BACKOFF / 2);
        assert_eq!(backoff_delay(u32::MAX, 1.0), MAX_BACKOFF);
        // Out-of-range jitter is clamped rather than trusted.
        assert_eq!(backoff_delay(u32::MAX, 7.0), MAX_BACKOFF);
        assert_eq!(backoff_delay(0, -1.0), Duration::from_millis(100));
    }

    #[test]
    fn retry_after_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        // A whole throttle window is honoured; beyond it is capped.
        assert_eq!(
            parse_retry_after("300", now),
            Some(Duration::from_secs(300))
        );
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after("301", now), Some(MAX_RETRY_AFTER));
        assert_eq!(MAX_RETRY_AFTER, Duration::from_secs(300));
        assert_eq!(parse_retry_after("3600", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn retry_after_http_date() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").expect("date");
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after("Mon, 07 Nov 1994 08:49:37 GMT", now),
            Some(MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn server_delay_wins_over_backoff() {
        assert_eq!(
            delay_before_retry(Some(Duration::from_secs(3)), 0, 0.5),
            Duration::from_secs(3)
        );
        assert_eq!(delay_before_retry(None, 1, 1.0), Duration::from_millis(400));
    }

    #[test]
    fn retry_after_zero_still_waits_the_backoff() {
        assert_eq!(
            delay_before_retry(Some(Duration::ZERO), 0, 0.0),
            Duration::from_millis(100)
        );
        assert_eq!(
            delay_before_retry(Some(Duration::from_millis(50)), 2, 1.0),
            Duration::from_millis(800)
        );
    }

    fn throttled(retry_after: u64) -> Failure {
        Failure::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(retry_after)),
        }
    }

    #[test]
    fn final_failures_and_spent_budgets_give_up() {
        let not_found = Failure::Status {
            status: 404,
            retry_after: None,
        };
        assert_eq!(decide(not_found, 1, 5, None, 0.5), Decision::GiveUp);
        let tls = Failure::Transport { retryable: false };
        assert_eq!(decide(tls, 1, 5, None, 0.5), Decision::GiveUp);
        // Attempt 6 of max_retries 5 was the last retry.
        assert_eq!(decide(throttled(1), 6, 5, None, 0.5), Decision::GiveUp);
        // Giving up wins over the deadline: the real failure is reported.
        assert_eq!(
            decide(throttled(1), 1, 0, Some(Duration::ZERO), 0.5),
            Decision::GiveUp
        );
    }

    #[test]
    fn retries_wait_the_server_wish_or_the_backoff() {
        assert_eq!(
            decide(throttled(7), 1, 5, None, 0.5),
            Decision::RetryAfter(Duration::from_secs(7))
        );
        assert_eq!(
            decide(Failure::Transport { retryable: true }, 2, 5, None, 1.0),
            Decision::RetryAfter(Duration::from_millis(400))
        );
        assert_eq!(
            decide(throttled(0), 1, 5, Some(Duration::from_secs(60)), 0.0),
            Decision::RetryAfter(Duration::from_millis(100)),
            "Retry-After: 0 is no hot loop"
        );
    }

    #[test]
    fn no_wait_goes_past_the_deadline() {
        assert_eq!(
            decide(throttled(300), 1, 5, Some(Duration::from_secs(2)), 0.5),
            Decision::WaitForDeadline(Duration::from_secs(2))
        );
        assert_eq!(
            decide(
                Failure::Status {
                    status: 503,
                    retry_after: None
                },
                3,
                5,
                Some(Duration::from_millis(10)),
                1.0
            ),
            Decision::WaitForDeadline(Duration::from_millis(10))
        );
        // A wait that ends before the deadline is kept whole.
        assert_eq!(
            decide(throttled(1), 1, 5, Some(Duration::from_secs(2)), 0.5),
            Decision::RetryAfter(Duration::from_secs(1))
        );
    }
}
