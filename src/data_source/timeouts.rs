//! The `timeouts` argument (`timeouts = { read = "10m" }`): how long one read may take in
//! total, retries and waits included. HashiCorp's convention for data sources in attribute
//! form, an optional single nested attribute with a Go duration string `read`. It goes to
//! Terraform as the plain type `object({read = string})` (Terraform 1.0 panics on a null
//! optional nested attribute, see `tfplugin::schema::AttributeType`), so an object written
//! must have `read`, which may be null: `timeouts = {}` is refused by Terraform itself.

use std::time::Duration;

use tfplugin::{Attribute, AttributePath, Diagnostic, Diagnostics, Nesting, Value};

use crate::data_source::arguments::quoted;
use crate::go_duration;
use crate::typed_config::ConfigObject;

pub const ATTRIBUTE: &str = "timeouts";
pub const READ: &str = "read";
/// `read` when it is not set.
pub const DEFAULT_READ: Duration = Duration::from_secs(10 * 60);
/// [`DEFAULT_READ`] as users write it.
pub const DEFAULT_READ_TEXT: &str = "10m";

pub fn attribute() -> Attribute {
    Attribute::nested(
        ATTRIBUTE,
        Nesting::Single,
        vec![Attribute::string(READ).required().description(format!(
            "How long the whole read may take, in Go duration syntax such as `\"90s\"`, \
             `\"10m\"`, `\"1h30m\"` or `\"1.5h\"`; must be greater than zero. `null` \
             means the default, `\"{DEFAULT_READ_TEXT}\"`. Covers every page, retry and wait (including a \
             server's `Retry-After`); when it passes, the read fails naming the page that was \
             pending and how many attempts were made."
        ))],
    )
    .optional()
    .description(format!(
        "Time limits of this data source: `read` (default `\"{DEFAULT_READ_TEXT}\"`, also \
         when `timeouts` is not set)."
    ))
}

fn path() -> AttributePath {
    AttributePath::root(ATTRIBUTE).attribute(READ)
}

fn invalid(detail: String) -> Diagnostic {
    Diagnostic::error("Invalid timeouts.read", detail).at(path())
}

/// Checks `timeouts.read` when it is known; returns the read's time limit when it is known
/// (the default when unset), `None` while it is unknown or invalid.
pub fn examine(config: &Value) -> (Diagnostics, Option<Duration>) {
    let mut diagnostics = Diagnostics::new();
    let read = match config.get(ATTRIBUTE) {
        None | Some(Value::Null) => return (diagnostics, Some(DEFAULT_READ)),
        Some(Value::Unknown) => return (diagnostics, None),
        // Read strictly: an object without `read` means the schema and this code disagree.
        Some(timeouts) => match ConfigObject::strict(ATTRIBUTE, timeouts, &[READ])
            .and_then(|timeouts| timeouts.value(READ))
        {
            Err(bug) => {
                diagnostics.push(bug);
                return (diagnostics, None);
            }
            Ok(Value::Null) => return (diagnostics, Some(DEFAULT_READ)),
            Ok(Value::Unknown) => return (diagnostics, None),
            Ok(Value::String(read)) => read,
            Ok(_) => {
                diagnostics.push(invalid("timeouts.read must be a string.".into()));
                return (diagnostics, None);
            }
        },
    };
    match parse_read(read) {
        Ok(limit) => (diagnostics, Some(limit)),
        Err(detail) => {
            diagnostics.push(invalid(detail));
            (diagnostics, None)
        }
    }
}

/// A positive Go duration; the error says what is accepted.
fn parse_read(text: &str) -> Result<Duration, String> {
    // Only printable, short values are quoted back (the text may be anything at all).
    let shown = quoted(text).unwrap_or_else(|| "the value".to_owned());
    match go_duration::parse(text) {
        Ok(nanos) if nanos > 0 => Ok(Duration::from_nanos(nanos.unsigned_abs())),
        Ok(_) => Err(format!(
            "timeouts.read must be greater than zero; got {shown}. It accepts {}.",
            go_duration::ACCEPTED
        )),
        Err(reason) => Err(format!(
            "{shown} is not a duration: {reason}. timeouts.read accepts {}.",
            go_duration::ACCEPTED
        )),
    }
}

/// What to tell a user whose read ran out of time; `fewer_pages` is the data source's way to
/// read less (e.g. a narrower time window), when it has one.
pub fn deadline_hint(limit: Duration, fewer_pages: Option<&str>) -> String {
    let configured = if limit == DEFAULT_READ {
        format!("the default of timeouts.read ({DEFAULT_READ_TEXT})")
    } else {
        "timeouts.read".to_owned()
    };
    let or_fewer = fewer_pages.map_or_else(String::new, |fewer| format!(", or {fewer}"));
    format!(
        "Hint: the read's time limit is {configured}. If the API is slow or throttling, raise \
         it in the data source, e.g. timeouts = {{ read = \"30m\" }}{or_fewer}."
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use tfplugin::diag::PathStep;

    use super::*;

    fn config(timeouts: Value) -> Value {
        Value::Object(BTreeMap::from([(ATTRIBUTE.to_owned(), timeouts)]))
    }

    fn with_read(read: Value) -> Value {
        config(Value::Object(BTreeMap::from([(READ.to_owned(), read)])))
    }

    #[test]
    fn unset_means_the_default() {
        assert_eq!(
            examine(&Value::Object(BTreeMap::new())).1,
            Some(DEFAULT_READ)
        );
        assert_eq!(examine(&config(Value::Null)).1, Some(DEFAULT_READ));
        assert_eq!(examine(&with_read(Value::Null)).1, Some(DEFAULT_READ));
        assert_eq!(DEFAULT_READ, Duration::from_secs(600));
    }

    #[test]
    fn go_durations_are_accepted() {
        for (text, expected) in [
            ("90s", Duration::from_secs(90)),
            ("10m", Duration::from_secs(600)),
            ("1h30m", Duration::from_secs(5400)),
            ("1.5h", Duration::from_secs(5400)),
            ("300ms", Duration::from_millis(300)),
        ] {
            let (diagnostics, limit) = examine(&with_read(text.into()));
            assert!(diagnostics.is_empty(), "{text}: {diagnostics:?}");
            assert_eq!(limit, Some(expected), "{text}");
        }
    }

    #[test]
    fn unknown_values_wait() {
        let (diagnostics, limit) = examine(&with_read(Value::Unknown));
        assert!(diagnostics.is_empty());
        assert_eq!(limit, None);
        assert_eq!(examine(&config(Value::Unknown)).1, None);
    }

    #[test]
    fn bad_values_are_errors_at_timeouts_read() {
        for (text, expected) in [
            ("10 minutes", "\"10 minutes\" is not a duration"),
            ("10", "unit is missing"),
            ("1d", "\"d\" is not a unit"),
            ("0s", "must be greater than zero"),
            ("-5m", "must be greater than zero"),
            ("", "it is empty"),
        ] {
            let (diagnostics, limit) = examine(&with_read(text.into()));
            assert_eq!(limit, None);
            assert_eq!(diagnostics.0.len(), 1, "{text}");
            let d = &diagnostics.0[0];
            assert!(d.detail.contains(expected), "{text}: {}", d.detail);
            assert!(
                d.detail.contains("\"1h30m\""),
                "says what is accepted: {}",
                d.detail
            );
            let steps = &d.attribute.as_ref().expect("a path").steps;
            assert_eq!(
                steps,
                &vec![
                    PathStep::Attribute(ATTRIBUTE.into()),
                    PathStep::Attribute(READ.into())
                ]
            );
        }
    }

    #[test]
    fn long_or_control_values_are_not_quoted() {
        let (diagnostics, _) = examine(&with_read("x\x1b[2J".into()));
        assert!(diagnostics.0[0].detail.starts_with("the value is not"));
        let (diagnostics, _) = examine(&with_read("9".repeat(100).into()));
        assert!(!diagnostics.0[0].detail.contains("9999"));
    }

    #[test]
    fn a_timeouts_object_without_read_is_a_provider_bug_not_the_default() {
        let (diagnostics, limit) = examine(&config(Value::Object(BTreeMap::new())));
        assert_eq!(limit, None);
        assert_eq!(diagnostics.0.len(), 1);
        assert_eq!(diagnostics.0[0].summary, "Provider bug");
        assert!(
            diagnostics.0[0]
                .detail
                .contains("lacks the declared attribute read")
        );
    }

    #[test]
    fn the_hint_names_the_setting() {
        assert!(deadline_hint(DEFAULT_READ, None).contains("the default of timeouts.read (10m)"));
        assert!(
            deadline_hint(Duration::from_secs(2), None).contains("time limit is timeouts.read.")
        );
    }
}
