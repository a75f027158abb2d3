//! Non-fatal findings of a call, shaped like a diagnostic: a short summary naming the kind and a
//! detail with the specifics (values seen, ids, offsets).

use std::fmt;

/// Something irregular that did not stop the call, e.g. backups changing during a paged read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// One of the `Warning::*` summary constants: identifies the kind.
    pub summary: String,
    /// What exactly was seen.
    pub detail: String,
}

impl Warning {
    /// `total_count` changed between pages, backups appeared on more than one page, or a page
    /// was short before the reported total.
    pub const BACKUPS_CHANGED: &'static str = "Backups changed during the read";
    /// A page came without `total_count`.
    pub const TOTAL_COUNT_MISSING: &'static str = "Response without total_count";
    /// A page reached beyond the reported `total_count`.
    pub const TOTAL_COUNT_TOO_LOW: &'static str = "API reported fewer backups than it returned";

    pub fn new(summary: impl Into<String>, detail: impl Into<String>) -> Warning {
        Warning {
            summary: summary.into(),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.summary, self.detail)
    }
}
