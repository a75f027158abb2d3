//! The data source's arguments: every validation rule, checked on what is known (so
//! `terraform validate` reports problems before any request), and the typed arguments a read
//! uses once everything is known.

use tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};

use crate::config_value::{self, Setting};
use crate::data_source::arguments::{Examination, non_empty, one_of, region, resource_id};
use crate::offsite_backups::TYPE_NAME;
use crate::offsite_backups::schema::names::{
    self, BACKUP_ID, BACKUP_TYPE, BEGIN_TIME, END_TIME, INSTANCE_ID, MOST_RECENT, NAME, STATUS,
};
use crate::offsite_backups::schema::{BACKUP_TYPES, STATUSES};
use crate::time_arguments;
use crate::typed_config::ConfigObject;

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
    /// `timeouts` as written (null when unset), kept in state like every other argument; its
    /// rules are `timeouts::examine`'s.
    pub timeouts: Value,
}

/// Checks every rule on the known values. Returns the arguments too when everything is known
/// and valid, which is always the case at read time. `config` must have exactly the schema's
/// attributes (see [`ConfigObject`]); anything else is reported as a provider bug.
pub fn examine(config: &Value) -> (Diagnostics, Option<Arguments>) {
    let config = match ConfigObject::strict(TYPE_NAME, config, &names::ALL) {
        Ok(config) => config,
        Err(bug) => return (bug.into(), None),
    };
    let mut exam = Examination::default();
    let instance_id = exam.note(resource_id(&config, INSTANCE_ID));
    let backup_type = exam.note(one_of(&config, BACKUP_TYPE, &BACKUP_TYPES));
    let backup_id = exam.note(resource_id(&config, BACKUP_ID));
    let begin = exam.note(time(&config, BEGIN_TIME));
    let end = exam.note(time(&config, END_TIME));
    let region = exam.note(region(&config));
    // An empty name can match no backup: rejected like an empty ID, not answered with nothing.
    let name = exam.note(non_empty(&config, NAME));
    let status = exam.note(one_of(&config, STATUS, &STATUSES));
    let most_recent = exam.note(config_value::bool(&config, MOST_RECENT));
    let timeouts = exam.timeouts(&config);
    let window = match time_window(&config, &begin, &end) {
        Ok(window) => window,
        Err(d) => {
            exam.diagnostics.push(d);
            None
        }
    };
    exam.finish(|| {
        // Required attributes are enforced by Terraform itself; a missing one here means the
        // configuration never reached a valid state, which the diagnostics already cover.
        let (Setting::Known(instance_id), Setting::Known(backup_type)) = (instance_id, backup_type)
        else {
            return None;
        };
        Some(Arguments {
            instance_id,
            backup_type,
            backup_id: backup_id.known(),
            window,
            region: region.known(),
            name: name.known(),
            status: status.known(),
            most_recent: most_recent.known(),
            timeouts,
        })
    })
}

fn time(config: &ConfigObject, name: &str) -> Result<Setting<String>, Diagnostic> {
    let setting = config_value::string(config, name)?;
    if let Setting::Known(value) = &setting
        && let Err(reason) = time_arguments::parse(value)
    {
        return Err(Diagnostic::error(
            format!("Invalid {name}"),
            format!(
                "{reason}. {name} accepts {}.",
                time_arguments::ACCEPTED_FORMATS
            ),
        )
        .at(AttributePath::root(name)));
    }
    Ok(setting)
}

/// Pairs `begin_time` with `end_time`: both or neither, end later than begin as instants.
fn time_window(
    config: &ConfigObject,
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
    let written = |name: &str| !matches!(config.value(name), Ok(Value::Null));
    match (begin, end) {
        (Setting::Known(b), Setting::Known(e)) => {
            let (Ok(begin_t), Ok(end_t)) = (time_arguments::parse(b), time_arguments::parse(e))
            else {
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
                .at(AttributePath::root(END_TIME)));
            }
            Ok(Some(TimeWindow {
                begin_as_written: b.clone(),
                end_as_written: e.clone(),
                begin_api: time_arguments::to_api_format(begin_t),
                end_api: time_arguments::to_api_format(end_t),
            }))
        }
        (Setting::Known(_), Setting::Unset) if !written(END_TIME) => {
            Err(pair_error(BEGIN_TIME, END_TIME))
        }
        (Setting::Unset, Setting::Known(_)) if !written(BEGIN_TIME) => {
            Err(pair_error(END_TIME, BEGIN_TIME))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offsite_backups::schema::names::TIMEOUTS;
    use tfplugin::diag::PathStep;

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut attributes: std::collections::BTreeMap<String, Value> = names::ALL
            .iter()
            .map(|k| (k.to_string(), Value::Null))
            .collect();
        attributes.insert("instance_id".into(), "inst-1".into());
        attributes.insert("backup_type".into(), "auto".into());
        for (k, v) in pairs {
            attributes.insert(k.to_string(), v.clone());
        }
        Value::Object(attributes)
    }

    /// The single error's attribute name and detail.
    fn single_error(pairs: &[(&str, Value)]) -> (String, String) {
        let (diags, arguments) = examine(&config(pairs));
        assert!(arguments.is_none());
        assert_eq!(diags.0.len(), 1, "{diags:?}");
        let d = &diags.0[0];
        assert_eq!(d.severity, tfplugin::Severity::Error);
        let Some(PathStep::Attribute(name)) = d.attribute.as_ref().and_then(|p| p.steps.first())
        else {
            panic!("no attribute path: {d:?}")
        };
        (name.clone(), d.detail.clone())
    }

    #[test]
    fn minimal_configuration_is_valid() {
        let (diags, arguments) = examine(&config(&[]));
        assert!(diags.is_empty(), "{diags:?}");
        let arguments = arguments.unwrap();
        assert_eq!(arguments.instance_id, "inst-1");
        assert_eq!(arguments.backup_type, "auto");
        assert_eq!(arguments.window, None);
        assert_eq!(arguments.most_recent, None);
    }

    #[test]
    fn backup_type_must_be_auto_or_incremental() {
        let (attr, detail) = single_error(&[("backup_type", "full".into())]);
        assert_eq!(attr, "backup_type");
        assert!(
            detail.contains("\"auto\", \"incremental\"") && detail.contains("\"full\""),
            "{detail}"
        );
        let (diags, _) = examine(&config(&[("backup_type", "incremental".into())]));
        assert!(diags.is_empty());
    }

    #[test]
    fn instance_id_must_not_be_empty() {
        let (attr, detail) = single_error(&[("instance_id", "  ".into())]);
        assert_eq!(attr, "instance_id");
        assert!(detail.contains("must not be empty"), "{detail}");
    }

    #[test]
    fn ids_longer_than_any_the_api_issues_are_rejected() {
        for name in ["instance_id", "backup_id"] {
            let (attr, detail) = single_error(&[(name, "a".repeat(70_000).into())]);
            assert_eq!(attr, name);
            assert!(
                detail.starts_with(&format!("{name}: it has 70000 characters;"))
                    && detail.contains("at most 64 characters"),
                "{detail}"
            );
            assert!(detail.len() < 300, "{detail}");
            let (attr, detail) = single_error(&[(name, "br01\n".into())]);
            assert_eq!(attr, name);
            assert!(detail.contains("a line break at the end"), "{detail}");
            let (diags, _) = examine(&config(&[(name, "a".repeat(64).into())]));
            assert!(diags.is_empty(), "{diags:?}");
        }
    }

    #[test]
    fn empty_name_is_rejected_like_an_empty_backup_id() {
        for name in ["name", "backup_id"] {
            let (attr, detail) = single_error(&[(name, "".into())]);
            assert_eq!(attr, name);
            assert_eq!(detail, format!("{name} must not be empty."));
        }
    }

    #[test]
    fn times_beyond_the_utc_offsets_or_in_year_zero_are_rejected() {
        let (attr, detail) = single_error(&[
            ("begin_time", "2018-08-06T10:41:14+1500".into()),
            ("end_time", "2018-08-07T10:41:14Z".into()),
        ]);
        assert_eq!(attr, "begin_time");
        assert!(detail.contains("from -14:00 to +14:00"), "{detail}");
        let (attr, detail) = single_error(&[
            ("begin_time", "0000-01-01T00:00:00Z".into()),
            ("end_time", "2018-08-07T10:41:14Z".into()),
        ]);
        assert_eq!(attr, "begin_time");
        assert!(detail.contains("year 0000"), "{detail}");
    }

    #[test]
    fn region_must_be_a_region_name() {
        let (attr, _) = single_error(&[("region", "cn north".into())]);
        assert_eq!(attr, "region");
        let (diags, _) = examine(&config(&[("region", "ap-southeast-1".into())]));
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn status_must_be_a_known_status() {
        let (attr, detail) = single_error(&[("status", "completed".into())]);
        assert_eq!(attr, "status");
        assert!(
            detail.contains("\"COMPLETED\"") && detail.contains("\"DELETING\""),
            "{detail}"
        );
    }

    #[test]
    fn times_must_parse() {
        let (attr, detail) = single_error(&[
            ("begin_time", "2018-08-06 10:41:14".into()),
            ("end_time", "2018-08-07T10:41:14Z".into()),
        ]);
        assert_eq!(attr, "begin_time");
        assert!(
            detail.contains("RFC 3339") && detail.contains("+0800"),
            "{detail}"
        );
    }

    #[test]
    fn times_go_together() {
        let (attr, detail) = single_error(&[("begin_time", "2018-08-06T10:41:14+0800".into())]);
        assert_eq!(attr, "begin_time");
        assert!(detail.contains("end_time is not"), "{detail}");
        let (attr, _) = single_error(&[("end_time", "2018-08-06T10:41:14+0800".into())]);
        assert_eq!(attr, "end_time");
    }

    #[test]
    fn end_must_be_after_begin_as_instants() {
        // 10:41 +0800 is 02:41Z: the same instant is not "later".
        let (attr, detail) = single_error(&[
            ("begin_time", "2018-08-06T10:41:14+0800".into()),
            ("end_time", "2018-08-06T02:41:14Z".into()),
        ]);
        assert_eq!(attr, "end_time");
        assert!(detail.contains("later than"), "{detail}");
        // 03:00Z is later than 10:41+0800 even though "03" < "10".
        let (diags, arguments) = examine(&config(&[
            ("begin_time", "2018-08-06T10:41:14+0800".into()),
            ("end_time", "2018-08-06T03:00:00Z".into()),
        ]));
        assert!(diags.is_empty(), "{diags:?}");
        let window = arguments.unwrap().window.unwrap();
        assert_eq!(window.begin_api, "2018-08-06T10:41:14+0800");
        assert_eq!(window.end_api, "2018-08-06T03:00:00+0000");
        assert_eq!(window.end_as_written, "2018-08-06T03:00:00Z");
    }

    #[test]
    fn unknown_values_are_not_errors() {
        let (diags, arguments) = examine(&config(&[
            ("instance_id", Value::Unknown),
            ("begin_time", Value::Unknown),
            ("end_time", "2018-08-06T03:00:00Z".into()),
            ("most_recent", Value::Unknown),
        ]));
        assert!(diags.is_empty(), "{diags:?}");
        assert!(arguments.is_none(), "not everything is known yet");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let (diags, _) = examine(&config(&[
            ("backup_type", "x".into()),
            ("status", "y".into()),
            ("instance_id", "".into()),
        ]));
        assert_eq!(diags.0.len(), 3, "{diags:?}");
    }

    #[test]
    fn a_configuration_unlike_the_schema_is_a_provider_bug() {
        let Value::Object(mut attributes) = config(&[]) else {
            unreachable!()
        };
        attributes.remove(TIMEOUTS);
        let (diags, arguments) = examine(&Value::Object(attributes.clone()));
        assert!(arguments.is_none());
        assert_eq!(diags.0.len(), 1, "{diags:?}");
        assert_eq!(diags.0[0].summary, "Provider bug");
        assert_eq!(
            diags.0[0].detail,
            "rds_offsite_backups: the configuration lacks the declared attribute timeouts. \
             Please report this issue to the provider developers."
        );
        attributes.insert(TIMEOUTS.into(), Value::Null);
        attributes.insert("instance".into(), "inst-1".into());
        let (diags, arguments) = examine(&Value::Object(attributes));
        assert!(arguments.is_none());
        assert!(
            diags.0[0].detail.contains("undeclared attribute instance."),
            "{diags:?}"
        );
    }
}
