//! A panic hook that makes crashes visible in Terraform.
//!
//! Terraform scans a plugin's stderr for lines beginning with `panic: ` (the Go runtime's crash
//! format) and reports them to the user as a plugin crash. The hook writes such a line with the
//! message and the source location, then runs the previously installed hook (Rust's default
//! report and backtrace).

use std::io::Write;
use std::panic::PanicHookInfo;
use std::sync::Once;

/// Installs the hook once per process; later calls do nothing.
pub fn install() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // Writing must not panic inside the hook (that would abort): errors are ignored.
            let _ = writeln!(std::io::stderr(), "{}", panic_line(info));
            previous(info);
        }));
    });
}

/// `panic: <message> (at <file>:<line>:<column>)`.
pub fn panic_line(info: &PanicHookInfo<'_>) -> String {
    let message = panic_message(info.payload());
    match info.location() {
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
}
