//! The data source's arguments, checked on what is known (so `terraform validate` reports
//! problems before any request) with the frame's readers (`data_source::arguments`).

use tfplugin::{Diagnostics, Value};

use crate::config_value::Setting;
use crate::data_source::arguments::{Examination, region, resource_id};
use crate::offsite_backup_policy::TYPE_NAME;
use crate::offsite_backup_policy::schema::names::{self, INSTANCE_ID};
use crate::typed_config::ConfigObject;

/// Wholly known, valid arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Arguments {
    pub instance_id: String,
    pub region: Option<String>,
    /// `timeouts` as written (null when unset), kept in state like every other argument.
    pub timeouts: Value,
}

/// Checks every rule on the known values; returns the arguments too when everything is known
/// and valid, which is always the case at read time.
pub fn examine(config: &Value) -> (Diagnostics, Option<Arguments>) {
    let config = match ConfigObject::strict(TYPE_NAME, config, &names::ALL) {
        Ok(config) => config,
        Err(bug) => return (bug.into(), None),
    };
    let mut exam = Examination::default();
    let instance_id = exam.note(resource_id(&config, INSTANCE_ID));
    let region = exam.note(region(&config));
    let timeouts = exam.timeouts(&config);
    exam.finish(|| {
        // Terraform enforces required attributes; a missing one never reaches a read.
        let Setting::Known(instance_id) = instance_id else {
            return None;
        };
        Some(Arguments {
            instance_id,
            region: region.known(),
            timeouts,
        })
    })
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
        attributes.insert("instance_id".into(), "inst-1".into());
        for (k, v) in pairs {
            attributes.insert(k.to_string(), v.clone());
        }
        Value::Object(attributes)
    }

    fn single_error_attribute(pairs: &[(&str, Value)]) -> String {
        let (diags, arguments) = examine(&config(pairs));
        assert!(arguments.is_none());
        assert_eq!(diags.0.len(), 1, "{diags:?}");
        let Some(PathStep::Attribute(name)) =
            diags.0[0].attribute.as_ref().and_then(|p| p.steps.first())
        else {
            panic!("no attribute path: {diags:?}")
        };
        name.clone()
    }

    #[test]
    fn minimal_and_full_configurations_are_valid() {
        let (diags, arguments) = examine(&config(&[]));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            arguments,
            Some(Arguments {
                instance_id: "inst-1".into(),
                region: None,
                timeouts: Value::Null,
            })
        );
        let (_, arguments) = examine(&config(&[("region", "cn-east-3".into())]));
        assert_eq!(
            arguments.and_then(|a| a.region).as_deref(),
            Some("cn-east-3")
        );
    }

    #[test]
    fn bad_ids_and_regions_are_reported_at_their_attribute() {
        assert_eq!(
            single_error_attribute(&[("instance_id", " ".into())]),
            "instance_id"
        );
        assert_eq!(
            single_error_attribute(&[("instance_id", "a b".into())]),
            "instance_id"
        );
        assert_eq!(
            single_error_attribute(&[("region", "CN East".into())]),
            "region"
        );
    }

    #[test]
    fn unknown_values_give_no_arguments_and_no_error() {
        let (diags, arguments) = examine(&config(&[("instance_id", Value::Unknown)]));
        assert!(diags.is_empty());
        assert!(arguments.is_none());
    }
}
