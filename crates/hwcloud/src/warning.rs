//! Non-fatal findings of a call, shaped like a diagnostic: a kind whose summary names it and a
//! detail with the specifics (values seen, ids, offsets).

use std::fmt;

/// What kind of irregularity a [`Warning`] reports; callers match on it, never on text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// `total_count` changed between pages, items appeared on more than one page, or a page
    /// was short before the reported total.
    ListChanged,
    /// A page came without `total_count`.
    TotalCountMissing,
    /// A page reached beyond the reported `total_count`.
    TotalCountTooLow,
}

/// Something irregular that did not stop the call, e.g. backups changing during a paged read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    /// What the list holds, plural and lowercase (`backups`, `instances`), for the summary.
    pub items: &'static str,
    /// What exactly was seen.
    pub detail: String,
}

impl Warning {
    pub fn new(kind: WarningKind, items: &'static str, detail: impl Into<String>) -> Warning {
        Warning {
            kind,
            items,
            detail: detail.into(),
        }
    }

    /// One line naming the kind and the list, suitable as a diagnostic summary.
    pub fn summary(&self) -> String {
        match self.kind {
            WarningKind::ListChanged => {
                format!("{} changed during the read", capitalized(self.items))
            }
            WarningKind::TotalCountMissing => "Response without total_count".to_owned(),
            WarningKind::TotalCountTooLow => {
                format!("API reported fewer {} than it returned", self.items)
            }
        }
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
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
    fn each_kind_has_its_summary_naming_the_list() {
        let warning = Warning::new(
            WarningKind::TotalCountMissing,
            "backups",
            "page at offset 0",
        );
        assert_eq!(warning.summary(), "Response without total_count");
        assert_eq!(
            warning.to_string(),
            "Response without total_count: page at offset 0"
        );
        assert_eq!(
            Warning::new(WarningKind::ListChanged, "backups", "").summary(),
            "Backups changed during the read"
        );
        assert_eq!(
            Warning::new(WarningKind::ListChanged, "instances", "").summary(),
            "Instances changed during the read"
        );
        assert_eq!(
            Warning::new(WarningKind::TotalCountTooLow, "instances", "").summary(),
            "API reported fewer instances than it returned"
        );
    }
}
