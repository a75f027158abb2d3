//! The client-wide "not before" instant set by throttling answers.
//!
//! The gateway throttles per user ("limit:200,time:5 minute"), so when one request is answered
//! with HTTP 429, every other request of the client (the concurrent pages of a list, other
//! lists) must hold back too, not only the one that was throttled. Every attempt first waits
//! until the shared instant has passed.

use std::sync::{Mutex, PoisonError};

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::errors::Error;

/// Shared by all requests of one client.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    not_before: Mutex<Option<Instant>>,
}

impl Throttle {
    pub(crate) fn new() -> Throttle {
        Throttle::default()
    }

    /// Holds back every attempt until `until`; an existing later hold is kept.
    pub(crate) fn hold_until(&self, until: Instant) {
        let mut not_before = self.lock();
        if not_before.is_none_or(|current| current < until) {
            *not_before = Some(until);
        }
    }

    /// The instant before which no attempt starts, if one was set.
    pub(crate) fn not_before(&self) -> Option<Instant> {
        *self.lock()
    }

    /// Returns once no hold is in force, or [`Error::Cancelled`] when `cancel` fires first. The
    /// hold is read again after each sleep, since another request may have extended it.
    pub(crate) async fn wait(&self, cancel: &CancellationToken) -> Result<(), Error> {
        loop {
            let until = match self.not_before() {
                Some(until) if until > Instant::now() => until,
                _ => return Ok(()),
            };
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(Error::Cancelled),
                () = tokio::time::sleep_until(until) => {}
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        // The value is a plain instant: a panic elsewhere cannot leave it inconsistent.
        self.not_before
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn no_hold_means_no_wait() {
        let throttle = Throttle::new();
        let start = Instant::now();
        throttle
            .wait(&CancellationToken::new())
            .await
            .expect("no hold");
        assert_eq!(Instant::now(), start, "the paused clock did not move");
    }

    #[tokio::test(start_paused = true)]
    async fn every_waiter_is_held_until_the_instant() {
        let throttle = Arc::new(Throttle::new());
        let start = Instant::now();
        throttle.hold_until(start + Duration::from_secs(30));
        let cancel = CancellationToken::new();
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let throttle = Arc::clone(&throttle);
                let cancel = cancel.clone();
                tokio::spawn(async move {
                    throttle.wait(&cancel).await.expect("not cancelled");
                    Instant::now()
                })
            })
            .collect();
        for waiter in waiters {
            let released = waiter.await.expect("task");
            assert!(released >= start + Duration::from_secs(30));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_earlier_hold_does_not_shorten_a_later_one() {
        let throttle = Throttle::new();
        let start = Instant::now();
        throttle.hold_until(start + Duration::from_secs(300));
        throttle.hold_until(start + Duration::from_secs(1));
        assert_eq!(
            throttle.not_before(),
            Some(start + Duration::from_secs(300))
        );
        throttle
            .wait(&CancellationToken::new())
            .await
            .expect("not cancelled");
        assert!(Instant::now() >= start + Duration::from_secs(300));
    }

    #[tokio::test(start_paused = true)]
    async fn a_hold_extended_during_the_wait_is_honoured() {
        let throttle = Arc::new(Throttle::new());
        let start = Instant::now();
        throttle.hold_until(start + Duration::from_secs(1));
        let extender = {
            let throttle = Arc::clone(&throttle);
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(500)).await;
                throttle.hold_until(Instant::now() + Duration::from_secs(5));
            })
        };
        throttle
            .wait(&CancellationToken::new())
            .await
            .expect("not cancelled");
        extender.await.expect("task");
        assert!(Instant::now() >= start + Duration::from_millis(5500));
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_ends_the_wait() {
        let throttle = Throttle::new();
        throttle.hold_until(Instant::now() + Duration::from_secs(300));
        let cancel = CancellationToken::new();
        cancel.cancel();
        let err = throttle.wait(&cancel).await.expect_err("cancelled");
        assert!(err.is_cancelled());
    }
}
