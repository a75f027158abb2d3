//! The data source's arguments: checked on what is known (so `terraform validate` reports
//! problems before any request), and typed once everything is known. The ID and region rules
//! are the frame's (`data_source::arguments`); the date rule is the client's (`hwcloud::validate_restore_date`).

use tfplugin::{Diagnostic, Diagnostics, Value};

use crate::config_value::{self, Setting};
use crate::data_source::arguments::{Examination, invalid, quoted, region, resource_id};
use crate::offsite_restore_times::TYPE_NAME;
use crate::offsite_restore_times::schema::names::{self, DATE, INSTANCE_ID};
use crate::typed_config::ConfigObject;

/// Wholly known, valid arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Arguments {
    pub instance_id: String,
    /// `YYYY-MM-DD`, a real calendar date.
    pub date: Option<String>,
    pub region: Option<String>,
    /// `timeouts` as written (null when unset); its rules are `timeouts::examine`'s.
    pub timeouts: Value,
}

/// Checks every rule on the known values; returns the arguments too when everything is known
/// and valid. `config` must have exactly the schema's attributes (see [`ConfigObject`]).
pub fn examine(config: &Value) -> (Diagnostics, Option<Arguments>) {
    let config = match ConfigObject::strict(TYPE_NAME, config, &names::ALL) {
        Ok(config) => config,
        Err(bug) => return (bug.into(), None),
    };
    let mut exam = Examination::default();
    let instance_id = exam.note(resource_id(&config, INSTANCE_ID));
    let date = exam.note(date(&config));
    let region = exam.note(region(&config));
    let timeouts = exam.timeouts(&config);
    exam.finish(|| {
        let Setting::Known(instance_id) = instance_id else {
            return None;
        };
        Some(Arguments {
            instance_id,
            date: date.known(),
            region: region.known(),
            timeouts,
        })
    })
}

/// `date`: `YYYY-MM-DD` and a real calendar date.
fn date(config: &ConfigObject) -> Result<Setting<String>, Diagnostic> {
    let setting = config_value::string(config, DATE)?;
    if let Setting::Known(value) = &setting
        && let Err(reason) = hwcloud::validate_restore_date(value)
    {
        let shown = quoted(value).map_or_else(|| DATE.to_owned(), |q| format!("{DATE} {q}"));
        return Err(invalid(DATE, format!("{shown}: {reason}.")));
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
        attributes.insert(INSTANCE_ID.into(), "inst-1".into());
        for (k, v) in pairs {
            attributes.insert(k.to_string(), v.clone());
        }
        Value::Object(attributes)
    }

    #[test]
    fn minimal_and_full_configurations_are_valid() {
        let (diags, arguments) = examine(&config(&[]));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            arguments,
            Some(Arguments {
                instance_id: "inst-1".into(),
                date: None,
                region: None,
                timeouts: Value::Null,
            })
        );
        let (diags, arguments) = examine(&config(&[
            (DATE, "2028-02-29".into()),
            ("region", "cn-east-3".into()),
        ]));
        assert!(diags.is_empty(), "{diags:?}");
        let arguments = arguments.expect("known");
        assert_eq!(arguments.date.as_deref(), Some("2028-02-29"));
        assert_eq!(arguments.region.as_deref(), Some("cn-east-3"));
    }

    #[test]
    fn dates_must_be_real_calendar_days_at_the_attribute() {
        for (bad, expected) in [
            (
                "2026-02-30",
                "date \"2026-02-30\": it has the form YYYY-MM-DD but is not a real calendar date",
            ),
            (
                "2026-11-25T00:00:00Z",
                "date \"2026-11-25T00:00:00Z\": it is not a UTC calendar date written `YYYY-MM-DD`",
            ),
            ("", "date \"\": it is not"),
        ] {
            let (diags, arguments) = examine(&config(&[(DATE, bad.into())]));
            assert!(arguments.is_none());
            assert_eq!(diags.0.len(), 1, "{diags:?}");
            let d = &diags.0[0];
            assert!(d.detail.starts_with(expected), "{}", d.detail);
            assert_eq!(
                d.attribute.as_ref().map(|p| p.steps.clone()),
                Some(vec![PathStep::Attribute(DATE.into())])
            );
        }
        let (diags, _) = examine(&config(&[(DATE, "\x1b[2J2026".into())]));
        assert!(
            diags.0[0].detail.starts_with("date: it is not"),
            "{diags:?}"
        );
    }

    #[test]
    fn instance_id_follows_the_id_rule() {
        let (diags, _) = examine(&config(&[(INSTANCE_ID, "in 01".into())]));
        assert_eq!(diags.0.len(), 1, "{diags:?}");
        assert!(diags.0[0].detail.starts_with("instance_id: "), "{diags:?}");
    }

    #[test]
    fn unknown_values_are_not_errors() {
        let (diags, arguments) = examine(&config(&[(DATE, Value::Unknown)]));
        assert!(diags.is_empty());
        assert!(arguments.is_none());
    }
}
