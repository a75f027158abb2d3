//! Non-fatal findings of a call, shaped like a diagnostic: a kind whose summary names it and a
//! detail with the specifics (values seen, ids, offsets).

use std::fmt;

/// What kind of irregularity a [`Warning`] reports; callers match on it, never on text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// `total_count` changed between pages, backups appeared on more than one page, or a page
    /// was short before the reported total.
    BackupsChanged,
    /// A page came without `total_count`.
    TotalCountMissing,
    /// A page reached beyond the reported `total_count`.
    TotalCountTooLow,
}

impl WarningKind {
    /// One line naming the kind, suitable as a diagnostic summary.
    pub fn summary(self) -> &'static str {
        match self {
            WarningKind::BackupsChanged => "Backups changed during the read",
            WarningKind::TotalCountMissing => "Response without total_count",
            WarningKind::TotalCountTooLow => "API reported fewer backups than it returned",
        }
    }
}

/// Something irregular that did not stop the call, e.g. backups changing during a paged read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    /// What exactly was seen.
    pub detail: String,
}

impl Warning {
    pub fn new(kind: WarningKind, detail: impl Into<String>) -> Warning {
        Warning {
            kind,
            detail: detail.into(),
        }
    }

    /// The kind's one-line summary.
    pub fn summary(&self) -> &'static str {
        self.kind.summary()
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.summary(), self.detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_summary() {
        let warning = Warning::new(WarningKind::TotalCountMissing, "page at offset 0");
        assert_eq!(warning.summary(), "Response without total_count");
        assert_eq!(
            warning.to_string(),
            "Response without total_count: page at offset 0"
        );
        assert_eq!(
            WarningKind::BackupsChanged.summary(),
            "Backups changed during the read"
        );
        assert_eq!(
            WarningKind::TotalCountTooLow.summary(),
            "API reported fewer backups than it returned"
        );
    }
}
