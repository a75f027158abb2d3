//! A failed read as a diagnostic: the client's summary and detail in the provider's words
//! (`provider::client_error`), plus the hints that name this data source's arguments.

use std::time::Duration;

use tfplugin::Diagnostic;

use crate::offsite_backups::timeouts;
use crate::provider::client_error;

/// The diagnostic for `error`; `read_limit` is the read's `timeouts.read`.
pub fn diagnostic(error: &hwcloud::Error, read_limit: Duration) -> Diagnostic {
    let mut detail = client_error::detail(error);
    match error {
        hwcloud::Error::DeadlineExceeded(_) => {
            detail.push('\n');
            detail.push_str(&timeouts::deadline_hint(read_limit));
        }
        hwcloud::Error::TooManyItems(_) => {
            detail.push_str("\nHint: ");
            detail.push_str(super::NARROW_THE_QUERY);
        }
        hwcloud::Error::UrlTooLong(_) => detail.push_str(
            "\nHint: check the endpoints settings (a base URL with a long path) and the \
             data source's arguments.",
        ),
        _ => {}
    }
    Diagnostic::error(error.summary(), detail)
}
