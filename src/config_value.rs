//! Reading typed settings out of a configuration [`Value`], with diagnostics that name the
//! attribute. Unknown values (not known until apply) are reported as such, never as errors:
//! validation only checks what is known.

use std::collections::BTreeMap;

use tfplugin::{AttributePath, Diagnostic, Value};

/// A configuration attribute's state.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting<T> {
    /// Not set in the configuration.
    Unset,
    /// Set, but known only at apply time.
    Unknown,
    Known(T),
}

impl<T> Setting<T> {
    pub fn known(self) -> Option<T> {
        match self {
            Setting::Known(value) => Some(value),
            _ => None,
        }
    }
}

/// Where typed settings are read from: a configuration object, by attribute name.
pub trait Attributes {
    /// The attribute's state; an error when the object cannot have that attribute (a
    /// provider bug, see [`crate::typed_config::ConfigObject`]).
    fn attribute(&self, name: &str) -> Result<Setting<&Value>, Diagnostic>;
}

/// A configuration [`Value`] read leniently: an attribute it lacks is unset.
impl Attributes for Value {
    fn attribute(&self, name: &str) -> Result<Setting<&Value>, Diagnostic> {
        Ok(setting(self.get(name)))
    }
}

/// An attribute's value as a [`Setting`]: null (or absent) is unset.
pub fn setting(value: Option<&Value>) -> Setting<&Value> {
    match value {
        None | Some(Value::Null) => Setting::Unset,
        Some(Value::Unknown) => Setting::Unknown,
        Some(value) => Setting::Known(value),
    }
}

fn type_error(name: &str, expected: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Invalid value for {name}"),
        format!("The attribute {name} must be {expected}."),
    )
    .at(AttributePath::root(name))
}

pub fn string(
    config: &(impl Attributes + ?Sized),
    name: &str,
) -> Result<Setting<String>, Diagnostic> {
    match config.attribute(name)? {
        Setting::Known(Value::String(s)) => Ok(Setting::Known(s.clone())),
        Setting::Known(_) => Err(type_error(name, "a string")),
        Setting::Unknown => Ok(Setting::Unknown),
        Setting::Unset => Ok(Setting::Unset),
    }
}

pub fn bool(config: &(impl Attributes + ?Sized), name: &str) -> Result<Setting<bool>, Diagnostic> {
    match config.attribute(name)? {
        Setting::Known(Value::Bool(b)) => Ok(Setting::Known(*b)),
        Setting::Known(_) => Err(type_error(name, "true or false")),
        Setting::Unknown => Ok(Setting::Unknown),
        Setting::Unset => Ok(Setting::Unset),
    }
}

/// A whole number. Fractions and numbers beyond `i64` are errors that say so.
pub fn integer(
    config: &(impl Attributes + ?Sized),
    name: &str,
) -> Result<Setting<i64>, Diagnostic> {
    match config.attribute(name)? {
        Setting::Known(Value::Number(n)) => n
            .as_i64()
            .map(Setting::Known)
            .ok_or_else(|| type_error(name, &format!("a whole number (got {n})"))),
        Setting::Known(_) => Err(type_error(name, "a number")),
        Setting::Unknown => Ok(Setting::Unknown),
        Setting::Unset => Ok(Setting::Unset),
    }
}

/// A map of strings; the whole map may be unknown, and so may single values (kept as `None`).
pub fn string_map(
    config: &(impl Attributes + ?Sized),
    name: &str,
) -> Result<Setting<BTreeMap<String, Option<String>>>, Diagnostic> {
    match config.attribute(name)? {
        Setting::Known(Value::Map(entries)) => {
            let mut map = BTreeMap::new();
            for (key, value) in entries {
                let value = match value {
                    Value::String(s) => Some(s.clone()),
                    Value::Unknown | Value::Null => None,
                    _ => return Err(type_error(name, "a map of strings")),
                };
                map.insert(key.clone(), value);
            }
            Ok(Setting::Known(map))
        }
        Setting::Known(_) => Err(type_error(name, "a map of strings")),
        Setting::Unknown => Ok(Setting::Unknown),
        Setting::Unset => Ok(Setting::Unset),
    }
}
