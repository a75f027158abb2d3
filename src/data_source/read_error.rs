//! A failed read as a diagnostic: the client's summary and detail in the provider's words
//! (`provider::client_error`), plus the data source's own hints ([`Hints`]).

use std::time::Duration;

use tfplugin::Diagnostic;

use crate::data_source::{Hints, timeouts};
use crate::provider::client_error;

/// The diagnostic for `error`; `read_limit` is the read's `timeouts.read`.
pub fn diagnostic(error: &hwcloud::Error, read_limit: Duration, hints: Hints) -> Diagnostic {
    let mut detail = client_error::detail(error);
    match error {
        hwcloud::Error::DeadlineExceeded(_) => {
            detail.push('\n');
            detail.push_str(&timeouts::deadline_hint(read_limit, hints.fewer_pages));
        }
        hwcloud::Error::TooManyItems(_) => {
            if let Some(too_many) = hints.too_many {
                detail.push_str("\nHint: ");
                detail.push_str(too_many);
            }
        }
        hwcloud::Error::UrlTooLong(_) => detail.push_str(
            "\nHint: check the endpoints settings (a base URL with a long path) and the \
             data source's arguments.",
        ),
        _ => {}
    }
    Diagnostic::error(error.summary(), detail)
}
