//! The data source's arguments: every validation rule, checked on what is known (so
//! `terraform validate` reports problems before any request), and the typed arguments a read
//! uses once everything is known.

use tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};

use crate::api_time;
use crate::config_value::{self, Setting};
use crate::offsite_backups::schema::{BACKUP_TYPES, STATUSES};

/// The time window, as written (kept in state) and in the API's format (sent).
#[derive(Debug, Clone, PartialEq)]
pub struct TimeWindow {
    pub begin_as_written: String,
    pub end_as_written: String,
    pub begin_api: String,
    pub end_api: String,
}

/// Wholly known, valid arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Arguments {
    pub instance_id: String,
    pub backup_type: String,
    pub backup_id: Option<String>,
    pub window: Option<TimeWindow>,
    pub region: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
    pub most_recent: Option<bool>,
}

/// Checks every rule on the known values. Returns the arguments too when everything is known
/// and valid, which is always the case at read time.
pub fn examine(config: &Value) -> (Diagnostics, Option<Arguments>) {
    let mut diags = Diagnostics::new();
    let mut all_known = true;
    let mut note = |setting: Result<Setting<String>, Diagnostic>| match setting {
        Ok(Setting::Unknown) => {
            all_known = false;
            Setting::Unknown
        }
        Ok(s) => s,
        Err(d) => {
            diags.push(d);
            Setting::Unset
        }
    };

    let instance_id = note(non_empty(config, "instance_id"));
    let backup_type = note(one_of(config, "backup_type", &BACKUP_TYPES));
    let backup_id = note(non_empty(config, "backup_id"));
    let begin = note(time(config, "begin_time"));
    let end = note(time(config, "end_time"));
    let region = note(non_empty(config, "region"));
    let name = note(config_value::string(config, "name"));
    let status = note(one_of(config, "status", &STATUSES));
    let most_recent = match config_value::bool(config, "most_recent") {
        Ok(Setting::Unknown) => {
            all_known = false;
            None
        }
        Ok(s) => s.known(),
        Err(d) => {
            diags.push(d);
            None
        }
    };

    let window = match time_window(config, &begin, &end) {
        Ok(window) => window,
        Err(d) => {
            diags.push(d);
            None
        }
    };

    if diags.has_errors() || !all_known {
        return (diags, None);
    }
    // Required attributes are enforced by Terraform itself; a missing one here means the
    // configuration never reached a valid state, which the diagnostics above already cover.
    let (Setting::Known(instance_id), Setting::Known(backup_type)) = (instance_id, backup_type)
    else {
        return (diags, None);
    };
    let arguments = Arguments {
        instance_id,
        backup_type,
        backup_id: backup_id.known(),
        window,
        region: region.known(),
        name: name.known(),
        status: status.known(),
        most_recent,
    };
    (diags, Some(arguments))
}

fn non_empty(config: &Value, name: &str) -> Result<Setting<String>, Diagnostic> {
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

fn one_of(config: &Value, name: &str, accepted: &[&str]) -> Result<Setting<String>, Diagnostic> {
    let setting = config_value::string(config, name)?;
    if let Setting::Known(value) = &setting
        && !accepted.contains(&value.as_str())
    {
        let list = accepted.iter().map(|a| format!("{a:?}")).collect::<Vec<_>>().join(", ");
        return Err(Diagnostic::error(
            format!("Invalid {name}"),
            format!("{name} must be one of {list}; got {value:?}."),
        )
        .at(AttributePath::root(name)));
    }
    Ok(setting)
}

fn time(config: &Value, name: &str) -> Result<Setting<String>, Diagnostic> {
    let setting = config_value::string(config, name)?;
    if let Setting::Known(value) = &setting
        && let Err(reason) = api_time::parse(value)
    {
        return Err(Diagnostic::error(
            format!("Invalid {name}"),
            format!("{reason}. {name} accepts {}.", api_time::ACCEPTED_FORMATS),
        )
        .at(AttributePath::root(name)));
    }
    Ok(setting)
}

/// Pairs `begin_time` with `end_time`: both or neither, end later than begin as instants.
fn time_window(
    config: &Value,
    begin: &Setting<String>,
    end: &Setting<String>,
) -> Result<Option<TimeWindow>, Diagnostic> {
    let pair_error = |given: &str, missing: &str| {
        Diagnostic::error(
            format!("Missing {missing}"),
            format!(
                "{given} is set but {missing} is not: the API takes a time window only as both \
                 begin_time and end_time."
            ),
        )
        .at(AttributePath::root(given))
    };
    // A value that failed to parse was reported already and arrives here as Unset; only
    // report a missing partner when the partner is really absent from the configuration.
    let written = |name: &str| !matches!(config.get(name), None | Some(Value::Null));
    match (begin, end) {
        (Setting::Known(b), Setting::Known(e)) => {
            let (Ok(begin_t), Ok(end_t)) = (api_time::parse(b), api_time::parse(e)) else {
                return Ok(None);
            };
            if end_t <= begin_t {
                return Err(Diagnostic::error(
                    "end_time is not after begin_time",
                    format!(
                        "end_time ({e}) must be later than begin_time ({b}), compared as \
                         instants."
                    ),
                )
                .at(AttributePath::root("end_time")));
            }
            Ok(Some(TimeWindow {
                begin_as_written: b.clone(),
                end_as_written: e.clone(),
                begin_api: api_time::to_api_format(begin_t),
                end_api: api_time::to_api_format(end_t),
            }))
        }
        (Setting::Known(_), Setting::Unset) if !written("end_time") => {
            Err(pair_error("begin_time", "end_time"))
        }
        (Setting::Unset, Setting::Known(_)) if !written("begin_time") => {
            Err(pair_error("end_time", "begin_time"))
        }
        _ => Ok(None),
    }
}
