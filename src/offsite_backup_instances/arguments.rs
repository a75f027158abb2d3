//! The data source's arguments: every rule checked on what is known (so `terraform validate`
//! reports problems before any request), and the typed filters a read uses.

use tfplugin::{Diagnostic, Diagnostics, Value};

use crate::config_value::{self, Setting};
use crate::data_source::arguments::{
    Examination, invalid, listed, non_empty, project_id, quoted, region, region_named, resource_id,
};
use crate::offsite_backup_instances::TYPE_NAME;
use crate::offsite_backup_instances::schema::ENGINES;
use crate::offsite_backup_instances::schema::names::{
    self, DESTINATION_PROJECT_ID, DESTINATION_REGION, ENGINE, INSTANCE_ID, KEEP_DAYS, NAME,
    SOURCE_PROJECT_ID, SOURCE_REGION,
};
use crate::typed_config::ConfigObject;

/// Wholly known, valid arguments. Every filter is optional; `None` keeps every instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Arguments {
    pub region: Option<String>,
    pub instance_id: Option<String>,
    pub name: Option<String>,
    pub source_region: Option<String>,
    pub source_project_id: Option<String>,
    pub destination_region: Option<String>,
    pub destination_project_id: Option<String>,
    /// As written; compared without regard to case.
    pub engine: Option<String>,
    pub keep_days: Option<i64>,
    /// `timeouts` as written (null when unset); its rules are `timeouts::examine`'s.
    pub timeouts: Value,
}

impl Default for Arguments {
    /// No filter, provider's region, default `timeouts`.
    fn default() -> Arguments {
        Arguments {
            region: None,
            instance_id: None,
            name: None,
            source_region: None,
            source_project_id: None,
            destination_region: None,
            destination_project_id: None,
            engine: None,
            keep_days: None,
            timeouts: Value::Null,
        }
    }
}

/// Checks every rule on the known values. Returns the arguments too when everything is known
/// and valid (always the case at read time). `config` must have exactly the schema's
/// attributes (see [`ConfigObject`]).
pub fn examine(config: &Value) -> (Diagnostics, Option<Arguments>) {
    let config = match ConfigObject::strict(TYPE_NAME, config, &names::ALL) {
        Ok(config) => config,
        Err(bug) => return (bug.into(), None),
    };
    let mut exam = Examination::default();
    let region = exam.note(region(&config)).known();
    let instance_id = exam.note(resource_id(&config, INSTANCE_ID)).known();
    let name = exam.note(non_empty(&config, NAME)).known();
    let source_region = exam.note(region_named(&config, SOURCE_REGION)).known();
    let source_project_id = exam.note(project_id(&config, SOURCE_PROJECT_ID)).known();
    let destination_region = exam.note(region_named(&config, DESTINATION_REGION)).known();
    let destination_project_id = exam
        .note(project_id(&config, DESTINATION_PROJECT_ID))
        .known();
    let engine = exam.note(engine(&config)).known();
    let keep_days = exam.note(keep_days(&config)).known();
    let timeouts = exam.timeouts(&config);
    exam.finish(|| {
        Some(Arguments {
            region,
            instance_id,
            name,
            source_region,
            source_project_id,
            destination_region,
            destination_project_id,
            engine,
            keep_days,
            timeouts,
        })
    })
}

/// One of [`ENGINES`], in any case.
fn engine(config: &ConfigObject) -> Result<Setting<String>, Diagnostic> {
    let setting = config_value::string(config, ENGINE)?;
    if let Setting::Known(value) = &setting
        && !ENGINES
            .iter()
            .any(|known| known.eq_ignore_ascii_case(value))
    {
        let shown = quoted(value).unwrap_or_else(|| "the value".to_owned());
        return Err(invalid(
            ENGINE,
            format!(
                "{ENGINE} must be one of {} (in any case); got {shown}.",
                listed(&ENGINES)
            ),
        ));
    }
    Ok(setting)
}

/// A whole number of days greater than zero.
fn keep_days(config: &ConfigObject) -> Result<Setting<i64>, Diagnostic> {
    let setting = config_value::integer(config, KEEP_DAYS)?;
    if let Setting::Known(days) = setting
        && days < 1
    {
        return Err(invalid(
            KEEP_DAYS,
            format!("{KEEP_DAYS} must be a whole number greater than zero; got {days}."),
        ));
    }
    Ok(setting)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::diag::PathStep;

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut attributes: std::collections::BTreeMap<String, Value> = names::ALL
            .iter()
            .map(|k| (k.to_string(), Value::Null))
            .collect();
        for (k, v) in pairs {
            attributes.insert(k.to_string(), v.clone());
        }
        Value::Object(attributes)
    }

    fn single_error(pairs: &[(&str, Value)]) -> (String, String) {
        let (diags, arguments) = examine(&config(pairs));
        assert!(arguments.is_none());
        assert_eq!(diags.0.len(), 1, "{diags:?}");
        let d = &diags.0[0];
        let Some(PathStep::Attribute(name)) = d.attribute.as_ref().and_then(|p| p.steps.first())
        else {
            panic!("no attribute path: {d:?}")
        };
        (name.clone(), d.detail.clone())
    }

    #[test]
    fn no_filter_is_valid() {
        let (diags, arguments) = examine(&config(&[]));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(arguments, Some(Arguments::default()));
    }

    #[test]
    fn every_filter_is_read() {
        let (diags, arguments) = examine(&config(&[
            ("instance_id", "a48e43ff268f4c0e879652d65e63d0fbin01".into()),
            ("name", "rds-1".into()),
            ("source_region", "cn-east-3".into()),
            (
                "source_project_id",
                "0503fc3b5c8b48b8b9b6b25c0c6a2d0f".into(),
            ),
            ("destination_region", "cn-north-4".into()),
            (
                "destination_project_id",
                "0483b6b16e954cb88930a360d2c4e663".into(),
            ),
            ("engine", "mysql".into()),
            ("keep_days", Value::from(7i64)),
        ]));
        assert!(diags.is_empty(), "{diags:?}");
        let arguments = arguments.expect("known");
        assert_eq!(arguments.engine.as_deref(), Some("mysql"));
        assert_eq!(arguments.keep_days, Some(7));
        assert_eq!(arguments.source_region.as_deref(), Some("cn-east-3"));
    }

    #[test]
    fn empty_and_malformed_values_are_rejected_at_their_attribute() {
        for name in [
            "instance_id",
            "name",
            "source_region",
            "source_project_id",
            "destination_region",
            "destination_project_id",
        ] {
            let (attr, detail) = single_error(&[(name, "".into())]);
            assert_eq!(attr, name);
            assert_eq!(detail, format!("{name} must not be empty."));
        }
        let (attr, _) = single_error(&[("source_region", "cn east".into())]);
        assert_eq!(attr, "source_region");
        let (attr, _) = single_error(&[("destination_project_id", "../x".into())]);
        assert_eq!(attr, "destination_project_id");
        let (attr, _) = single_error(&[("instance_id", "a b".into())]);
        assert_eq!(attr, "instance_id");
    }

    #[test]
    fn engine_is_one_of_the_apis_engines_in_any_case() {
        for engine in ["MySQL", "postgresql", "SQLSERVER", "sqlserver", "MariaDB"] {
            let (diags, _) = examine(&config(&[("engine", engine.into())]));
            assert!(diags.is_empty(), "{engine}: {diags:?}");
        }
        let (attr, detail) = single_error(&[("engine", "oracle".into())]);
        assert_eq!(attr, "engine");
        assert!(
            detail.contains("\"MySQL\"") && detail.contains("\"oracle\""),
            "{detail}"
        );
    }

    #[test]
    fn keep_days_is_a_positive_whole_number() {
        for bad in [Value::from(0i64), Value::from(-3i64)] {
            let (attr, detail) = single_error(&[("keep_days", bad)]);
            assert_eq!(attr, "keep_days");
            assert!(detail.contains("greater than zero"), "{detail}");
        }
        let fraction = Value::Number(tfplugin::cty::Number::parse("1.5").expect("number"));
        let (attr, detail) = single_error(&[("keep_days", fraction)]);
        assert_eq!(attr, "keep_days");
        assert!(detail.contains("whole number"), "{detail}");
    }

    #[test]
    fn unknown_values_are_not_errors() {
        let (diags, arguments) = examine(&config(&[
            ("engine", Value::Unknown),
            ("keep_days", Value::Unknown),
        ]));
        assert!(diags.is_empty(), "{diags:?}");
        assert!(arguments.is_none());
    }
}
