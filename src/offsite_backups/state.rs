//! From the API's answer to the data source's state: the client-side filters, `most_recent`,
//! the deterministic `id`, and the cty value of each backup (fields the API omits are null).

use hwcloud::OffsiteBackup;
use sha2::{Digest, Sha256};
use tfplugin::Value;

use crate::api_time;
use crate::offsite_backups::arguments::Arguments;

/// Applies `name`, `status` and then `most_recent`, keeping the API's order.
pub fn select(arguments: &Arguments, backups: Vec<OffsiteBackup>) -> Vec<OffsiteBackup> {
    let matches = |wanted: &Option<String>, actual: &Option<String>| {
        wanted.as_ref().is_none_or(|w| actual.as_ref() == Some(w))
    };
    let mut selected: Vec<OffsiteBackup> = backups
        .into_iter()
        .filter(|b| matches(&arguments.name, &b.name) && matches(&arguments.status, &b.status))
        .collect();
    if arguments.most_recent == Some(true) {
        selected = most_recent(selected).into_iter().collect();
    }
    selected
}

/// The backup with the latest `begin_time` as an instant; the first in API order on ties.
/// Backups whose `begin_time` is missing or unreadable never win over one that has it.
fn most_recent(backups: Vec<OffsiteBackup>) -> Option<OffsiteBackup> {
    let begin = |b: &OffsiteBackup| {
        b.begin_time
            .as_deref()
            .and_then(|t| api_time::parse(t).ok())
    };
    let mut best: Option<(Option<time::OffsetDateTime>, OffsiteBackup)> = None;
    for backup in backups {
        let t = begin(&backup);
        let better = match &best {
            None => true,
            Some((best_t, _)) => t > *best_t,
        };
        if better {
            best = Some((t, backup));
        }
    }
    best.map(|(_, b)| b)
}

/// The same query always has the same ID: a digest of region, project and arguments.
pub fn id(region: &str, project_id: &str, arguments: &Arguments) -> String {
    let window = arguments.window.as_ref();
    let parts = [
        region,
        project_id,
        &arguments.instance_id,
        &arguments.backup_type,
        arguments.backup_id.as_deref().unwrap_or(""),
        window.map_or("", |w| w.begin_api.as_str()),
        window.map_or("", |w| w.end_api.as_str()),
        arguments.name.as_deref().unwrap_or(""),
        arguments.status.as_deref().unwrap_or(""),
        match arguments.most_recent {
            Some(true) => "most_recent",
            _ => "",
        },
    ];
    let digest = Sha256::digest(parts.join("\n").as_bytes());
    hex::encode(&digest[..16])
}

/// The whole state object, arguments as written plus the computed attributes.
pub fn state(
    arguments: &Arguments,
    region: &str,
    project_id: &str,
    total_count: Option<u64>,
    backups: &[OffsiteBackup],
) -> Value {
    let window = arguments.window.as_ref();
    Value::object([
        ("id", Value::from(id(region, project_id, arguments))),
        ("instance_id", Value::from(arguments.instance_id.as_str())),
        ("backup_type", Value::from(arguments.backup_type.as_str())),
        (
            "backup_id",
            Value::string_or_null(arguments.backup_id.clone()),
        ),
        (
            "begin_time",
            Value::string_or_null(window.map(|w| w.begin_as_written.clone())),
        ),
        (
            "end_time",
            Value::string_or_null(window.map(|w| w.end_as_written.clone())),
        ),
        ("region", Value::from(region)),
        ("name", Value::string_or_null(arguments.name.clone())),
        ("status", Value::string_or_null(arguments.status.clone())),
        (
            "most_recent",
            arguments.most_recent.map_or(Value::Null, Value::Bool),
        ),
        (
            "total_count",
            // Null when the API did not report it: never invented from what was received.
            total_count.map_or(Value::Null, |n| {
                Value::Number(tfplugin::cty::Number::from(n))
            }),
        ),
        (
            "backups",
            Value::List(backups.iter().map(backup_value).collect()),
        ),
    ])
}

fn backup_value(backup: &OffsiteBackup) -> Value {
    let databases = backup.databases.as_ref().map_or(Value::Null, |databases| {
        Value::List(
            databases
                .iter()
                .map(|db| Value::object([("name", Value::string_or_null(db.name.clone()))]))
                .collect(),
        )
    });
    let datastore = backup.datastore.as_ref().map_or(Value::Null, |ds| {
        Value::object([
            ("type", Value::string_or_null(ds.engine.clone())),
            ("version", Value::string_or_null(ds.version.clone())),
        ])
    });
    Value::object([
        ("id", Value::string_or_null(backup.id.clone())),
        ("name", Value::string_or_null(backup.name.clone())),
        ("type", Value::string_or_null(backup.backup_type.clone())),
        ("size", backup.size.map_or(Value::Null, Value::from)),
        ("status", Value::string_or_null(backup.status.clone())),
        (
            "instance_id",
            Value::string_or_null(backup.instance_id.clone()),
        ),
        (
            "begin_time",
            Value::string_or_null(backup.begin_time.clone()),
        ),
        ("end_time", Value::string_or_null(backup.end_time.clone())),
        (
            "associated_with_ddm",
            backup.associated_with_ddm.map_or(Value::Null, Value::Bool),
        ),
        ("databases", databases),
        ("datastore", datastore),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arguments() -> Arguments {
        Arguments {
            instance_id: "i".into(),
            backup_type: "auto".into(),
            backup_id: None,
            window: None,
            region: None,
            name: None,
            status: None,
            most_recent: None,
        }
    }

    fn backup(id: &str, status: &str, begin_time: Option<&str>) -> OffsiteBackup {
        OffsiteBackup {
            id: Some(id.into()),
            name: Some(format!("name-{id}")),
            status: Some(status.into()),
            begin_time: begin_time.map(Into::into),
            ..OffsiteBackup::default()
        }
    }

    fn ids(backups: &[OffsiteBackup]) -> Vec<&str> {
        backups.iter().filter_map(|b| b.id.as_deref()).collect()
    }

    #[test]
    fn most_recent_compares_instants_after_the_filters() {
        let backups = vec![
            backup("a", "COMPLETED", Some("2026-11-27T09:00:00+0800")), // 01:00Z
            backup("b", "FAILED", Some("2026-11-27T03:00:00+0000")),
            backup("c", "COMPLETED", Some("2026-11-27T02:00:00+0000")), // latest completed
            backup("d", "COMPLETED", None),
        ];
        let mut wanted = arguments();
        wanted.status = Some("COMPLETED".into());
        assert_eq!(ids(&select(&wanted, backups.clone())), ["a", "c", "d"]);
        wanted.most_recent = Some(true);
        assert_eq!(ids(&select(&wanted, backups.clone())), ["c"]);
        wanted.status = None;
        assert_eq!(ids(&select(&wanted, backups)), ["b"]);
    }

    #[test]
    fn ties_keep_the_first_in_api_order() {
        let mut wanted = arguments();
        wanted.most_recent = Some(true);
        let same = "2026-11-27T02:00:00+0000";
        let backups = vec![
            backup("x", "COMPLETED", Some(same)),
            backup("y", "COMPLETED", Some(same)),
        ];
        assert_eq!(ids(&select(&wanted, backups)), ["x"]);
    }

    #[test]
    fn id_depends_on_every_argument_and_nothing_else() {
        let base = id("r", "p", &arguments());
        assert_eq!(base, id("r", "p", &arguments()));
        assert_ne!(base, id("r2", "p", &arguments()));
        assert_ne!(base, id("r", "p2", &arguments()));
        let mut other = arguments();
        other.name = Some("n".into());
        assert_ne!(base, id("r", "p", &other));
    }

    #[test]
    fn absent_fields_and_total_are_null_never_invented() {
        let value = state(&arguments(), "r", "p", None, &[OffsiteBackup::default()]);
        assert_eq!(value.get("total_count"), Some(&Value::Null));
        let Some(Value::List(items)) = value.get("backups") else {
            panic!("backups is a list: {value:?}")
        };
        let Value::Object(fields) = &items[0] else {
            panic!("a backup is an object")
        };
        assert_eq!(fields.len(), 11);
        assert!(fields.values().all(Value::is_null), "{fields:?}");
        let known = state(&arguments(), "r", "p", Some(7), &[]);
        assert_eq!(
            known
                .get("total_count")
                .and_then(Value::as_number)
                .and_then(|n| n.as_i64()),
            Some(7)
        );
    }
}
