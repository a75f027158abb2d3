//! Panics, as Terraform sees them.
//!
//! Terraform (through go-plugin) scans a plugin's stderr for a line beginning with `panic: `
//! (the Go runtime's crash format). From that line on it considers the plugin crashed: it
//! reports "plugin crashed!" to the user and routes every later stderr line of that plugin
//! instance into the crash report. So the hook distinguishes two cases:
//!
//! - **A panic in provider code that the server catches** (see [`guarded`]): the process keeps
//!   serving and the user gets an error diagnostic from the RPC. The hook writes one ERROR-level
//!   hclog JSON line (`provider bug: panic: <message> at <file>:<line>`, with a backtrace field)
//!   and no `panic: ` line, so Terraform does not declare a crash.
//! - **Any other panic** (a real crash): the hook writes `panic: <message> (at <location>)`
//!   followed by a backtrace captured whatever `RUST_BACKTRACE` says, so the crash report
//!   Terraform shows has a stack trace.
//!
//! In both cases the hook writes everything itself and does not run the previous hook (Rust's
//! default report would only repeat the message, and in the first case would print outside the
//! hclog format).

use std::backtrace::Backtrace;
use std::cell::Cell;
use std::future::Future;
use std::io::Write;
use std::panic::{Location, PanicHookInfo};
use std::sync::Once;

use serde_json::{Map, Value as Json};
use tracing::Level;

use crate::logging;

thread_local! {
    /// Set while this thread polls provider code whose panics the server catches.
    static IN_GUARDED_CODE: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is polling provider code run through [`guarded`].
pub fn in_guarded_code() -> bool {
    IN_GUARDED_CODE.with(Cell::get)
}

/// Sets the flag for its lifetime and restores the previous value when dropped, which also
/// happens while a panic unwinds through the poll.
struct GuardedScope {
    previous: bool,
}

impl GuardedScope {
    fn enter() -> Self {
        Self {
            previous: IN_GUARDED_CODE.with(|flag| flag.replace(true)),
        }
    }
}

impl Drop for GuardedScope {
    fn drop(&mut self) {
        IN_GUARDED_CODE.with(|flag| flag.set(self.previous));
    }
}

/// Runs `body`, marking each of its polls as guarded provider code: a panic during a poll is
/// reported by the hook as a provider bug (hclog line), not as a crash. The caller must catch
/// the unwind (e.g. with `catch_unwind` around this future); the flag is only set while `body`
/// is being polled, so work it spawns elsewhere is not covered.
pub async fn guarded<F: Future>(body: F) -> F::Output {
    let mut body = std::pin::pin!(body);
    std::future::poll_fn(|context| {
        let _scope = GuardedScope::enter();
        body.as_mut().poll(context)
    })
    .await
}

/// Installs the hook once per process; later calls do nothing.
pub fn install() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let report = report(info);
            // One write, so the report is not interleaved with other output. Writing must not
            // panic inside the hook (that would abort): errors are ignored.
            let _ = std::io::stderr().lock().write_all(report.as_bytes());
        }));
    });
}

/// What the hook writes for this panic, on this thread, now.
fn report(info: &PanicHookInfo<'_>) -> String {
    render_report(
        in_guarded_code(),
        &panic_message(info.payload()),
        info.location(),
        &Backtrace::force_capture().to_string(),
    )
}

/// The hook's decision: for a guarded panic one ERROR-level hclog JSON line, otherwise the
/// `panic: ` line followed by the backtrace. Always ends with a newline.
pub fn render_report(
    guarded: bool,
    message: &str,
    location: Option<&Location<'_>>,
    backtrace: &str,
) -> String {
    if guarded {
        let at = location
            .map(|location| format!(" at {}:{}", location.file(), location.line()))
            .unwrap_or_default();
        let mut fields = Map::new();
        fields.insert("backtrace".into(), Json::from(backtrace));
        logging::hclog_line(
            Level::ERROR,
            &format!("provider bug: panic: {message}{at}"),
            logging::module(),
            fields,
        )
    } else {
        let thread = std::thread::current();
        let mut text = panic_line(message, location);
        text.push_str(&format!(
            "\n\nthread '{}' backtrace:\n{}",
            thread.name().unwrap_or("<unnamed>"),
            backtrace.trim_end()
        ));
        text.push('\n');
        text
    }
}

/// `panic: <message> (at <file>:<line>:<column>)`.
pub fn panic_line(message: &str, location: Option<&Location<'_>>) -> String {
    match location {
        Some(location) => format!("panic: {message} (at {location})"),
        None => format!("panic: {message}"),
    }
}

/// The text of a panic payload (`&str` or `String`), or a placeholder for other payloads.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(non-string panic payload)".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::panic::AssertUnwindSafe;

    use futures::FutureExt;

    use super::*;

    #[test]
    fn message_from_str_and_string_payloads() {
        let payload: Box<dyn std::any::Any + Send> = Box::new("boom");
        assert_eq!(panic_message(payload.as_ref()), "boom");
        let payload: Box<dyn std::any::Any + Send> = Box::new(String::from("formatted 42"));
        assert_eq!(panic_message(payload.as_ref()), "formatted 42");
        let payload: Box<dyn std::any::Any + Send> = Box::new(7_u8);
        assert_eq!(
            panic_message(payload.as_ref()),
            "(non-string panic payload)"
        );
    }

    #[tokio::test]
    async fn the_flag_is_set_only_while_guarded_code_is_polled() {
        assert!(!in_guarded_code());
        let seen = guarded(async {
            let before = in_guarded_code();
            tokio::task::yield_now().await; // a second poll
            (before, in_guarded_code())
        })
        .await;
        assert_eq!(seen, (true, true));
        assert!(!in_guarded_code(), "reset after the future completes");

        // Reset on unwind too.
        let caught = AssertUnwindSafe(guarded(async {
            tokio::task::yield_now().await;
            std::panic::resume_unwind(Box::new("unwinding"));
        }))
        .catch_unwind()
        .await;
        assert!(caught.is_err());
        assert!(!in_guarded_code(), "reset after a panic unwound the poll");

        // Nested guards restore the outer state.
        guarded(async {
            guarded(async {}).await;
            assert!(in_guarded_code());
        })
        .await;
        assert!(!in_guarded_code());
    }

    #[test]
    fn guarded_panic_is_an_hclog_error_line_not_a_crash() {
        let location = Location::caller();
        let report = render_report(true, "boom", Some(location), "   0: frame\n   1: other");
        assert!(!report.starts_with("panic: "), "{report}");
        assert_eq!(report.lines().count(), 1, "one line: {report}");
        assert!(report.ends_with('\n'));
        let json: Json = serde_json::from_str(report.trim_end()).expect("JSON line");
        assert_eq!(json["@level"], "error");
        assert_eq!(
            json["@message"],
            format!(
                "provider bug: panic: boom at {}:{}",
                location.file(),
                location.line()
            )
        );
        assert_eq!(json["backtrace"], "   0: frame\n   1: other");
        assert!(
            json["@module"]
                .as_str()
                .expect("module")
                .starts_with("provider")
        );
        assert!(json["@timestamp"].is_string());
    }

    #[test]
    fn unguarded_panic_is_a_crash_with_a_backtrace() {
        let location = Location::caller();
        let report = render_report(false, "boom", Some(location), "   0: frame\n");
        let mut lines = report.lines();
        assert_eq!(
            lines.next(),
            Some(format!("panic: boom (at {location})").as_str())
        );
        assert!(report.contains("backtrace:\n   0: frame\n"), "{report}");
        assert_eq!(
            render_report(false, "x", None, "").lines().next(),
            Some("panic: x")
        );
    }
}
