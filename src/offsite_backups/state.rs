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
    total_count: u64,
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
            Value::Number(tfplugin::cty::Number::from(total_count)),
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
