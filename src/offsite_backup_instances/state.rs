//! From the API's answer to the state: the client-side filters, the deterministic `id` and
//! the cty value of each instance (fields the API omits are null).

use hwcloud::OffsiteInstance;
use tfplugin::Value;

use crate::data_source::id::digest;
use crate::offsite_backup_instances::arguments::Arguments;
use crate::offsite_backup_instances::schema::{instance_names, names};

/// Whether `instance` passes every filter of `arguments`: equality, `engine` without regard
/// to case. A filter on a field the API omitted never matches.
pub fn matches(arguments: &Arguments, instance: &OffsiteInstance) -> bool {
    let equal = |wanted: &Option<String>, actual: &Option<String>| {
        wanted.as_ref().is_none_or(|w| actual.as_ref() == Some(w))
    };
    let engine = instance.datastore.as_ref().and_then(|d| d.engine.as_ref());
    equal(&arguments.instance_id, &instance.id)
        && equal(&arguments.name, &instance.name)
        && equal(&arguments.source_region, &instance.source_region)
        && equal(&arguments.source_project_id, &instance.source_project_id)
        && equal(&arguments.destination_region, &instance.destination_region)
        && equal(
            &arguments.destination_project_id,
            &instance.destination_project_id,
        )
        && arguments
            .engine
            .as_ref()
            .is_none_or(|w| engine.is_some_and(|e| e.eq_ignore_ascii_case(w)))
        && arguments.keep_days.is_none_or(|w| {
            instance
                .keep_days
                .is_some_and(|days| i64::try_from(days) == Ok(w))
        })
}

/// The same query always has the same ID: a digest of region, project and filters (`engine`
/// in lowercase, since it matches without regard to case).
pub fn id(region: &str, project_id: &str, arguments: &Arguments) -> String {
    fn text(value: &Option<String>) -> &str {
        value.as_deref().unwrap_or("")
    }
    let engine = text(&arguments.engine).to_ascii_lowercase();
    let keep_days = arguments.keep_days.map(|days| days.to_string());
    digest(&[
        region,
        project_id,
        text(&arguments.instance_id),
        text(&arguments.name),
        text(&arguments.source_region),
        text(&arguments.source_project_id),
        text(&arguments.destination_region),
        text(&arguments.destination_project_id),
        &engine,
        keep_days.as_deref().unwrap_or(""),
    ])
}

/// The whole state object: the arguments as written plus the computed attributes.
pub fn state(
    arguments: &Arguments,
    region: &str,
    project_id: &str,
    total_count: Option<u64>,
    instances: Vec<Value>,
) -> Value {
    let text = |value: &Option<String>| Value::string_or_null(value.clone());
    Value::object([
        (names::REGION, Value::from(region)),
        (names::INSTANCE_ID, text(&arguments.instance_id)),
        (names::NAME, text(&arguments.name)),
        (names::SOURCE_REGION, text(&arguments.source_region)),
        (names::SOURCE_PROJECT_ID, text(&arguments.source_project_id)),
        (
            names::DESTINATION_REGION,
            text(&arguments.destination_region),
        ),
        (
            names::DESTINATION_PROJECT_ID,
            text(&arguments.destination_project_id),
        ),
        (names::ENGINE, text(&arguments.engine)),
        (
            names::KEEP_DAYS,
            arguments.keep_days.map_or(Value::Null, |days| {
                Value::from(tfplugin::cty::Number::from(days))
            }),
        ),
        (names::TIMEOUTS, arguments.timeouts.clone()),
        (names::ID, Value::from(id(region, project_id, arguments))),
        (
            names::TOTAL_COUNT,
            // Null when the API did not report it: never invented from what was received.
            total_count.map_or(Value::Null, |n| {
                Value::Number(tfplugin::cty::Number::from(n))
            }),
        ),
        (names::INSTANCES, Value::List(instances)),
    ])
}

/// One instance as the cty value of the schema's `instances` element.
pub fn instance_value(instance: &OffsiteInstance) -> Value {
    let text = |value: &Option<String>| Value::string_or_null(value.clone());
    let datastore = instance.datastore.as_ref().map_or(Value::Null, |ds| {
        Value::object([
            (instance_names::DATASTORE_TYPE, text(&ds.engine)),
            (instance_names::DATASTORE_VERSION, text(&ds.version)),
        ])
    });
    Value::object([
        (instance_names::ID, text(&instance.id)),
        (instance_names::NAME, text(&instance.name)),
        (instance_names::SOURCE_REGION, text(&instance.source_region)),
        (
            instance_names::SOURCE_PROJECT_ID,
            text(&instance.source_project_id),
        ),
        (instance_names::DATASTORE, datastore),
        (
            instance_names::DESTINATION_REGION,
            text(&instance.destination_region),
        ),
        (
            instance_names::DESTINATION_PROJECT_ID,
            text(&instance.destination_project_id),
        ),
        (
            instance_names::KEEP_DAYS,
            instance.keep_days.map_or(Value::Null, |days| {
                Value::from(tfplugin::cty::Number::from(days))
            }),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use hwcloud::Datastore;

    fn instance() -> OffsiteInstance {
        OffsiteInstance {
            id: Some("i1".into()),
            name: Some("mysql-1".into()),
            source_region: Some("cn-east-3".into()),
            source_project_id: Some("p-src".into()),
            datastore: Some(Datastore {
                engine: Some("MySQL".into()),
                version: Some("8.0".into()),
            }),
            destination_region: Some("cn-north-4".into()),
            destination_project_id: Some("p-dst".into()),
            keep_days: Some(7),
        }
    }

    #[test]
    fn each_filter_selects_on_its_field() {
        let all = Arguments::default();
        assert!(matches(&all, &instance()));
        let engine = |e: &str| Arguments {
            engine: Some(e.into()),
            ..Arguments::default()
        };
        assert!(matches(&engine("mysql"), &instance()));
        assert!(!matches(&engine("PostgreSQL"), &instance()));
        let bare = OffsiteInstance::default();
        assert!(!matches(&engine("mysql"), &bare), "no datastore, no match");
        let days = |d| Arguments {
            keep_days: Some(d),
            ..Arguments::default()
        };
        assert!(matches(&days(7), &instance()));
        assert!(!matches(&days(8), &instance()));
        let source = Arguments {
            source_region: Some("cn-east-3".into()),
            destination_project_id: Some("p-other".into()),
            ..Arguments::default()
        };
        assert!(!matches(&source, &instance()), "every filter must match");
    }

    #[test]
    fn the_id_depends_on_the_query_only() {
        let a = Arguments {
            engine: Some("MySQL".into()),
            ..Arguments::default()
        };
        let b = Arguments {
            engine: Some("mysql".into()),
            ..Arguments::default()
        };
        assert_eq!(id("r", "p", &a), id("r", "p", &b));
        assert_ne!(id("r", "p", &a), id("r2", "p", &a));
        assert_ne!(id("r", "p", &a), id("r", "p", &Arguments::default()));
        assert_eq!(id("r", "p", &a).len(), 32);
    }
}
