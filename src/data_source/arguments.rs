//! The argument readers every data source uses: each reads one attribute of a strict
//! [`ConfigObject`], checks it by the client's rule when it is known, and reports a problem at
//! the attribute. [`Examination`] collects their outcomes into one `examine`.

use tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};

use crate::config_value::{self, Setting};
use crate::data_source::names::{REGION, TIMEOUTS};
use crate::typed_config::ConfigObject;

/// The diagnostics of one `examine`, and whether every value read was known.
#[derive(Debug)]
pub struct Examination {
    pub diagnostics: Diagnostics,
    pub all_known: bool,
}

impl Default for Examination {
    fn default() -> Examination {
        Examination {
            diagnostics: Diagnostics::new(),
            all_known: true,
        }
    }
}

impl Examination {
    /// A reader's outcome: a problem is recorded (and read as unset), an unknown value marks
    /// the arguments as not yet known.
    pub fn note<T>(&mut self, setting: Result<Setting<T>, Diagnostic>) -> Setting<T> {
        match setting {
            Ok(Setting::Unknown) => {
                self.all_known = false;
                Setting::Unknown
            }
            Ok(setting) => setting,
            Err(diagnostic) => {
                self.diagnostics.push(diagnostic);
                Setting::Unset
            }
        }
    }

    /// `timeouts` as written (null when unset), kept in state like every other argument; its
    /// rules are `timeouts::examine`'s.
    pub fn timeouts(&mut self, config: &ConfigObject) -> Value {
        match config.value(TIMEOUTS) {
            Ok(timeouts) => timeouts.clone(),
            Err(bug) => {
                self.diagnostics.push(bug);
                Value::Null
            }
        }
    }

    /// The diagnostics, and the arguments `build` makes when everything is known and valid.
    pub fn finish<A>(self, build: impl FnOnce() -> Option<A>) -> (Diagnostics, Option<A>) {
        if self.diagnostics.has_errors() || !self.all_known {
            return (self.diagnostics, None);
        }
        (self.diagnostics, build())
    }
}

/// `Invalid {name}` at the attribute.
pub fn invalid(name: &str, detail: String) -> Diagnostic {
    Diagnostic::error(format!("Invalid {name}"), detail).at(AttributePath::root(name))
}

/// `text` quoted, when it is short and printable enough to be shown back (the text may be
/// anything at all).
pub fn quoted(text: &str) -> Option<String> {
    (text.chars().count() <= 40 && !text.chars().any(char::is_control)).then(|| format!("{text:?}"))
}

/// A string that must not be empty (or only whitespace).
pub fn non_empty(config: &ConfigObject, name: &str) -> Result<Setting<String>, Diagnostic> {
    let setting = config_value::string(config, name)?;
    if let Setting::Known(value) = &setting
        && value.trim().is_empty()
    {
        return Err(Diagnostic::error(
            format!("Empty {name}"),
            format!("{name} must not be empty."),
        )
        .at(AttributePath::root(name)));
    }
    Ok(setting)
}

/// A non-empty string that passes the client's `rule`; its error is `{name}: {reason}.`.
fn by_rule(
    config: &ConfigObject,
    name: &str,
    rule: fn(&str) -> Result<(), String>,
) -> Result<Setting<String>, Diagnostic> {
    let setting = non_empty(config, name)?;
    if let Setting::Known(value) = &setting
        && let Err(reason) = rule(value)
    {
        return Err(invalid(name, format!("{name}: {reason}.")));
    }
    Ok(setting)
}

/// An instance or backup ID, by the client's rule for IDs (bounded length, no whitespace), so
/// that an ID no API issues is reported here, not as a failed request.
pub fn resource_id(config: &ConfigObject, name: &str) -> Result<Setting<String>, Diagnostic> {
    by_rule(config, name, hwcloud::validate_resource_id)
}

/// The `region` argument, by the client's own rule for region names.
pub fn region(config: &ConfigObject) -> Result<Setting<String>, Diagnostic> {
    region_named(config, REGION)
}

/// A region name under another attribute name (a filter, say).
pub fn region_named(config: &ConfigObject, name: &str) -> Result<Setting<String>, Diagnostic> {
    by_rule(config, name, hwcloud::validate_region)
}

/// A project ID, by the client's rule for project IDs.
pub fn project_id(config: &ConfigObject, name: &str) -> Result<Setting<String>, Diagnostic> {
    by_rule(config, name, hwcloud::validate_project_id)
}

/// One of `accepted`, exactly.
pub fn one_of(
    config: &ConfigObject,
    name: &str,
    accepted: &[&str],
) -> Result<Setting<String>, Diagnostic> {
    let setting = config_value::string(config, name)?;
    if let Setting::Known(value) = &setting
        && !accepted.contains(&value.as_str())
    {
        return Err(invalid(
            name,
            format!("{name} must be one of {}; got {value:?}.", listed(accepted)),
        ));
    }
    Ok(setting)
}

/// `"a", "b", "c"`: accepted values as an error message lists them.
pub fn listed(accepted: &[&str]) -> String {
    accepted
        .iter()
        .map(|a| format!("{a:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}
