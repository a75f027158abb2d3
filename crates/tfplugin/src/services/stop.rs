//! StopProvider semantics: cancel everything in flight, then keep serving.

use std::sync::{Mutex, PoisonError};

use tokio_util::sync::CancellationToken;

/// Hands each request the current cancellation token; [`StopSignal::stop`] cancels that token
/// and installs a fresh one, so requests in flight see the cancellation and later ones do not.
#[derive(Debug, Default)]
pub(crate) struct StopSignal {
    current: Mutex<CancellationToken>,
}

impl StopSignal {
    /// The token for a request starting now.
    pub(crate) fn token(&self) -> CancellationToken {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Cancels every request started so far.
    pub(crate) fn stop(&self) {
        let previous =
            std::mem::take(&mut *self.current.lock().unwrap_or_else(PoisonError::into_inner));
        previous.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_cancels_earlier_tokens_only() {
        let signal = StopSignal::default();
        let before = signal.token();
        signal.stop();
        let after = signal.token();
        assert!(before.is_cancelled());
        assert!(!after.is_cancelled());
    }
}
