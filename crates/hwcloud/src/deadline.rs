//! The overall time limit of one call (a whole paged list, project lookup included).
//!
//! Retries, `Retry-After` waits and throttling holds each have their own bounds, but together
//! they could keep a call busy for a very long time (5 retries of a 300 s `Retry-After` are
//! 25 minutes per page). The caller's limit bounds all of them: every wait of the call ends
//! at the deadline, and the call then fails with [`crate::Error::DeadlineExceeded`].

use std::time::Duration;

use tokio::time::Instant;

/// Options of one call of [`crate::Client`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// Time limit of the whole call, from its start; `None` for no limit beyond the retry
    /// budget and per-attempt timeouts.
    pub timeout: Option<Duration>,
}

/// When a call must be over, and the limit it was derived from (for messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Deadline {
    pub at: Instant,
    pub limit: Duration,
}

impl Deadline {
    /// The deadline `limit` from now; `None` when no limit was given or it is too far in the
    /// future to be represented (which is no limit in practice).
    pub(crate) fn from_options(options: &CallOptions) -> Option<Deadline> {
        let limit = options.timeout?;
        Instant::now()
            .checked_add(limit)
            .map(|at| Deadline { at, limit })
    }

    /// Time left until the deadline (zero once it passed).
    pub(crate) fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }
}

/// Completes when `deadline` passes; never without one.
pub(crate) async fn passed(deadline: Option<Deadline>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline.at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_deadline_passes_after_the_limit() {
        let options = CallOptions {
            timeout: Some(Duration::from_secs(2)),
        };
        let deadline = Deadline::from_options(&options).expect("a deadline");
        assert_eq!(deadline.limit, Duration::from_secs(2));
        assert_eq!(deadline.remaining(), Duration::from_secs(2));
        let start = Instant::now();
        passed(Some(deadline)).await;
        assert_eq!(Instant::now() - start, Duration::from_secs(2));
        assert_eq!(deadline.remaining(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn no_limit_never_passes() {
        assert_eq!(Deadline::from_options(&CallOptions::default()), None);
        let huge = CallOptions {
            timeout: Some(Duration::MAX),
        };
        assert_eq!(
            Deadline::from_options(&huge),
            None,
            "unrepresentable: no limit"
        );
        let never = tokio::time::timeout(Duration::from_secs(3600), passed(None)).await;
        assert!(never.is_err(), "no deadline never passes");
    }
}
