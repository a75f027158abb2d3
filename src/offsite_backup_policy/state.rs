//! From the API's answer to the data source's state: the deterministic `id`, `enabled`, and
//! each policy as the cty value of the schema's `policies` element (omitted fields null).

use hwcloud::OffsiteBackupPolicy;
use tfplugin::Value;

use crate::data_source::id::digest;
use crate::offsite_backup_policy::arguments::Arguments;
use crate::offsite_backup_policy::schema::{names, policy_names};

/// The same query always has the same ID: a digest of the data source, region, project and
/// instance.
pub fn id(region: &str, project_id: &str, instance_id: &str) -> String {
    digest(&[
        crate::offsite_backup_policy::TYPE_NAME,
        region,
        project_id,
        instance_id,
    ])
}

/// Cross-region backup is on when any policy keeps backups for a day or more.
pub fn enabled(policies: &[OffsiteBackupPolicy]) -> bool {
    policies
        .iter()
        .any(|policy| policy.keep_days.is_some_and(|days| days > 0))
}

/// The whole state object: every attribute of the schema (see `names::ALL`).
pub fn state(
    arguments: &Arguments,
    region: &str,
    project_id: &str,
    policies: &[OffsiteBackupPolicy],
) -> Value {
    Value::object([
        (
            names::ID,
            Value::from(id(region, project_id, &arguments.instance_id)),
        ),
        (
            names::INSTANCE_ID,
            Value::from(arguments.instance_id.as_str()),
        ),
        (names::REGION, Value::from(region)),
        (names::TIMEOUTS, arguments.timeouts.clone()),
        (
            names::POLICIES,
            Value::List(policies.iter().map(policy_value).collect()),
        ),
        (names::ENABLED, Value::Bool(enabled(policies))),
    ])
}

/// One policy as the cty value of the schema's `policies` element.
pub fn policy_value(policy: &OffsiteBackupPolicy) -> Value {
    Value::object([
        (
            policy_names::BACKUP_TYPE,
            Value::string_or_null(policy.backup_type.clone()),
        ),
        (
            policy_names::KEEP_DAYS,
            policy.keep_days.map_or(Value::Null, |days| {
                Value::from(tfplugin::cty::Number::from(days))
            }),
        ),
        (
            policy_names::DESTINATION_REGION,
            Value::string_or_null(policy.destination_region.clone()),
        ),
        (
            policy_names::DESTINATION_PROJECT_ID,
            Value::string_or_null(policy.destination_project_id.clone()),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keeping(days: Option<u64>) -> OffsiteBackupPolicy {
        OffsiteBackupPolicy {
            backup_type: Some("auto".into()),
            keep_days: days,
            ..OffsiteBackupPolicy::default()
        }
    }

    #[test]
    fn enabled_needs_a_positive_keep_days() {
        assert!(!enabled(&[]));
        assert!(!enabled(&[keeping(Some(0)), keeping(None)]));
        assert!(enabled(&[keeping(Some(0)), keeping(Some(7))]));
    }

    #[test]
    fn ids_are_stable_and_tell_queries_apart() {
        let a = id("cn-east-3", "p", "i1");
        assert_eq!(a, id("cn-east-3", "p", "i1"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, id("cn-north-4", "p", "i1"));
        assert_ne!(a, id("cn-east-3", "p", "i2"));
    }

    #[test]
    fn omitted_fields_are_null() {
        let value = policy_value(&keeping(None));
        assert_eq!(value.get(policy_names::KEEP_DAYS), Some(&Value::Null));
        assert_eq!(
            value.get(policy_names::DESTINATION_REGION),
            Some(&Value::Null)
        );
        assert_eq!(
            value.get(policy_names::BACKUP_TYPE),
            Some(&Value::from("auto"))
        );
    }
}
