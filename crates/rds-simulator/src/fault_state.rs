//! The per-simulator counters and PRNG that make configured [`Faults`] happen, deterministically.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::api_error::ApiError;
use crate::faults::Faults;
use crate::page_body::PageBody;

/// Runtime state of the faults of one simulator.
#[derive(Debug)]
pub(crate) struct FaultState {
    faults: Faults,
    /// Authenticated offsite-backups requests seen so far (for `fail_first`).
    requests: AtomicU64,
    fraction_rng: Mutex<ChaCha8Rng>,
    malformed_served: AtomicU32,
    drops_done: AtomicU32,
    pages_served: AtomicU64,
}

/// An injected error answer and its label in the request log.
pub(crate) struct InjectedFailure {
    pub error: ApiError,
    pub label: String,
}

impl FaultState {
    pub(crate) fn new(faults: Faults) -> FaultState {
        FaultState {
            fraction_rng: Mutex::new(ChaCha8Rng::seed_from_u64(faults.seed)),
            faults,
            requests: AtomicU64::new(0),
            malformed_served: AtomicU32::new(0),
            drops_done: AtomicU32::new(0),
            pages_served: AtomicU64::new(0),
        }
    }

    pub(crate) fn latency(&self) -> std::time::Duration {
        self.faults.latency
    }

    /// Counts one request and says whether it must fail before being processed:
    /// `fail_first` by position, then `fail_fraction` by a seeded draw.
    pub(crate) fn failure_for_next_request(&self) -> Option<InjectedFailure> {
        let position = self.requests.fetch_add(1, Ordering::SeqCst);
        let mut first_after = 0u64;
        for spec in &self.faults.fail_first {
            first_after += u64::from(spec.count);
            if position < first_after {
                return Some(InjectedFailure {
                    error: ApiError::injected(spec.status, spec.retry_after),
                    label: format!("fail-first {}", spec.status),
                });
            }
        }
        let (fraction, status) = self.faults.fail_fraction?;
        let draw: f64 = self
            .fraction_rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .random();
        (draw < fraction).then(|| InjectedFailure {
            error: ApiError::injected(status, self.faults.fail_fraction_retry_after),
            label: format!("fail-fraction {status}"),
        })
    }

    /// True if this request for the page at `offset` must lose its connection.
    pub(crate) fn should_drop_connection(&self, offset: u64) -> bool {
        match self.faults.drop_connection_at_offset {
            Some((at, times)) if at == offset => self
                .drops_done
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |done| {
                    (done < times).then_some(done + 1)
                })
                .is_ok(),
            _ => false,
        }
    }

    /// True if the page at `offset` must be answered with truncated JSON.
    pub(crate) fn should_malform(&self, offset: u64) -> bool {
        if self.faults.malformed_json_at_offset != Some(offset) {
            return false;
        }
        let served_before = self.malformed_served.fetch_add(1, Ordering::SeqCst);
        !self.faults.malformed_json_once || served_before == 0
    }

    /// Backups inserted at the head of every listing now (0 before the first page is served).
    pub(crate) fn inserted_backups(&self) -> usize {
        match self.faults.total_count_change {
            Some(change) if self.pages_served.load(Ordering::SeqCst) > 0 => change.inserted,
            _ => 0,
        }
    }

    /// The raw body to serve instead of the page at `offset`, if any.
    pub(crate) fn page_body(&self, offset: u64) -> Option<&PageBody> {
        PageBody::for_offset(&self.faults.page_bodies, offset)
    }

    pub(crate) fn page_served(&self) {
        self.pages_served.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn hostile_error_status(&self) -> Option<u16> {
        self.faults.hostile_error_status
    }

    pub(crate) fn echo_headers_status(&self) -> Option<u16> {
        self.faults.echo_headers_status
    }

    pub(crate) fn trickle(&self) -> Option<std::time::Duration> {
        self.faults.trickle
    }

    pub(crate) fn pad_pages_to(&self) -> Option<usize> {
        self.faults.pad_pages_to
    }

    pub(crate) fn seed(&self) -> u64 {
        self.faults.seed
    }
}
