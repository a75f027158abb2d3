//! From the API's answer to the data source's state: the client-side filters, `most_recent`,
//! the deterministic `id`, and the cty value of each backup (fields the API omits are null).
//!
//! Backups arrive one by one while the pages are read; each kept backup is encoded at once
//! into the state's list ([`Collector`]), so the read never holds every backup as structs and
//! as cty values at the same time.

use std::ops::ControlFlow;

use hwcloud::OffsiteBackup;
use tfplugin::cty::{CodecError, EncodedList};
use tfplugin::{Type, Value};

use crate::data_source::id::digest;
use crate::offsite_backups::arguments::Arguments;
use crate::offsite_backups::schema::{backup_names, data_source_schema, names};
use crate::time_arguments;

/// Room left in a plugin protocol message for everything in the answer but the backups: the
/// other attributes and the diagnostics (warnings quote at most a few ids each).
const MESSAGE_HEADROOM: usize = 1024 * 1024;
/// Bytes the encoded backups may take so that the state still fits in one message.
pub const STATE_BUDGET: usize = tfplugin::MAX_MESSAGE_SIZE - MESSAGE_HEADROOM;

/// Applies `name`, `status` and then `most_recent` to backups offered in API order.
pub struct Selector {
    name: Option<String>,
    status: Option<String>,
    most_recent: bool,
    /// With `most_recent`: the latest so far, with its `begin_time` as an instant.
    best: Option<(Option<time::OffsetDateTime>, OffsiteBackup)>,
}

impl Selector {
    pub fn new(arguments: &Arguments) -> Selector {
        Selector {
            name: arguments.name.clone(),
            status: arguments.status.clone(),
            most_recent: arguments.most_recent == Some(true),
            best: None,
        }
    }

    /// The backup if it is kept now; with `most_recent` nothing is kept before [`finish`].
    ///
    /// [`finish`]: Selector::finish
    pub fn offer(&mut self, backup: OffsiteBackup) -> Option<OffsiteBackup> {
        let matches = |wanted: &Option<String>, actual: &Option<String>| {
            wanted.as_ref().is_none_or(|w| actual.as_ref() == Some(w))
        };
        if !(matches(&self.name, &backup.name) && matches(&self.status, &backup.status)) {
            return None;
        }
        if !self.most_recent {
            return Some(backup);
        }
        // The latest `begin_time` as an instant; the first in API order on ties. Backups whose
        // `begin_time` is missing or unreadable never win over one that has it.
        let begin = backup
            .begin_time
            .as_deref()
            .and_then(|t| time_arguments::parse(t).ok());
        let better = match &self.best {
            None => true,
            Some((best_begin, _)) => begin > *best_begin,
        };
        if better {
            self.best = Some((begin, backup));
        }
        None
    }

    /// The most recent backup, with `most_recent`; else `None` (everything was kept already).
    pub fn finish(self) -> Option<OffsiteBackup> {
        self.best.map(|(_, backup)| backup)
    }
}

/// Applies `name`, `status` and then `most_recent` to a whole list, keeping the API's order:
/// the simple form the streaming [`Collector`] is checked against.
#[cfg(test)]
pub fn select(arguments: &Arguments, backups: Vec<OffsiteBackup>) -> Vec<OffsiteBackup> {
    let mut selector = Selector::new(arguments);
    let mut selected: Vec<OffsiteBackup> = backups
        .into_iter()
        .filter_map(|backup| selector.offer(backup))
        .collect();
    selected.extend(selector.finish());
    selected
}

/// Why the selected backups cannot become the state.
#[derive(Debug)]
pub enum CollectError {
    /// The encoded backups passed [`STATE_BUDGET`] after `kept` backups.
    TooLarge { kept: usize, bytes: usize },
    /// A backup's value did not fit the schema (a provider bug).
    Encoding(CodecError),
}

/// Selects backups as they arrive and encodes each kept one into the state's list at once.
pub struct Collector {
    selector: Selector,
    backups: EncodedList,
    budget: usize,
    failure: Option<CollectError>,
}

impl Collector {
    /// `budget`: the most bytes the encoded backups may take (see [`STATE_BUDGET`]). Fails
    /// only if the schema has no `backups` list (a provider bug).
    pub fn new(arguments: &Arguments, budget: usize) -> Result<Collector, String> {
        Ok(Collector {
            selector: Selector::new(arguments),
            backups: EncodedList::new(backup_type()?),
            budget,
            failure: None,
        })
    }

    /// Takes the next backup in API order; breaks the read off once the state cannot be
    /// delivered anyway (over the budget), instead of accumulating further.
    pub fn offer(&mut self, backup: OffsiteBackup) -> ControlFlow<()> {
        let Some(kept) = self.selector.offer(backup) else {
            return ControlFlow::Continue(());
        };
        match push_within(&mut self.backups, self.budget, &kept) {
            Ok(()) => ControlFlow::Continue(()),
            Err(failure) => {
                self.failure = Some(failure);
                ControlFlow::Break(())
            }
        }
    }

    /// The state's `backups` list (a [`Value::EncodedList`]) and how many it holds.
    pub fn finish(self) -> Result<(Value, usize), CollectError> {
        let Collector {
            selector,
            mut backups,
            budget,
            failure,
        } = self;
        if let Some(failure) = failure {
            return Err(failure);
        }
        if let Some(most_recent) = selector.finish() {
            push_within(&mut backups, budget, &most_recent)?;
        }
        let count = backups.len();
        Ok((Value::EncodedList(backups), count))
    }
}

/// Encodes `backup` into `backups`, failing once they take more than `budget` bytes.
fn push_within(
    backups: &mut EncodedList,
    budget: usize,
    backup: &OffsiteBackup,
) -> Result<(), CollectError> {
    backups
        .push(&backup_value(backup))
        .map_err(CollectError::Encoding)?;
    if backups.encoded_len() > budget {
        return Err(CollectError::TooLarge {
            kept: backups.len(),
            bytes: backups.encoded_len(),
        });
    }
    Ok(())
}

/// The element type of the state's `backups` list, as the schema declares it.
fn backup_type() -> Result<Type, String> {
    match data_source_schema().value_type() {
        Type::Object(attributes) => match attributes.get(names::BACKUPS) {
            Some(Type::List(element)) => Ok((**element).clone()),
            other => Err(format!("the schema's backups is not a list: {other:?}")),
        },
        other => Err(format!("the schema's type is not an object: {other:?}")),
    }
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
    digest(&parts)
}

/// The whole state object, arguments as written plus the computed attributes: every attribute
/// of the schema (see `names::ALL`).
pub fn state(
    arguments: &Arguments,
    region: &str,
    project_id: &str,
    total_count: Option<u64>,
    backups: Value,
) -> Value {
    let window = arguments.window.as_ref();
    Value::object([
        (names::ID, Value::from(id(region, project_id, arguments))),
        (
            names::INSTANCE_ID,
            Value::from(arguments.instance_id.as_str()),
        ),
        (
            names::BACKUP_TYPE,
            Value::from(arguments.backup_type.as_str()),
        ),
        (
            names::BACKUP_ID,
            Value::string_or_null(arguments.backup_id.clone()),
        ),
        (
            names::BEGIN_TIME,
            Value::string_or_null(window.map(|w| w.begin_as_written.clone())),
        ),
        (
            names::END_TIME,
            Value::string_or_null(window.map(|w| w.end_as_written.clone())),
        ),
        (names::REGION, Value::from(region)),
        (names::NAME, Value::string_or_null(arguments.name.clone())),
        (
            names::STATUS,
            Value::string_or_null(arguments.status.clone()),
        ),
        (
            names::MOST_RECENT,
            arguments.most_recent.map_or(Value::Null, Value::Bool),
        ),
        (names::TIMEOUTS, arguments.timeouts.clone()),
        (
            names::TOTAL_COUNT,
            // Null when the API did not report it: never invented from what was received.
            total_count.map_or(Value::Null, |n| {
                Value::Number(tfplugin::cty::Number::from(n))
            }),
        ),
        (names::BACKUPS, backups),
    ])
}

/// One backup as the cty value of the schema's `backups` element.
pub fn backup_value(backup: &OffsiteBackup) -> Value {
    let databases = backup.databases.as_ref().map_or(Value::Null, |databases| {
        Value::List(
            databases
                .iter()
                .map(|db| {
                    Value::object([(
                        backup_names::DATABASE_NAME,
                        Value::string_or_null(db.name.clone()),
                    )])
                })
                .collect(),
        )
    });
    let datastore = backup.datastore.as_ref().map_or(Value::Null, |ds| {
        Value::object([
            (
                backup_names::DATASTORE_TYPE,
                Value::string_or_null(ds.engine.clone()),
            ),
            (
                backup_names::DATASTORE_VERSION,
                Value::string_or_null(ds.version.clone()),
            ),
        ])
    });
    Value::object([
        (backup_names::ID, Value::string_or_null(backup.id.clone())),
        (
            backup_names::NAME,
            Value::string_or_null(backup.name.clone()),
        ),
        (
            backup_names::TYPE,
            Value::string_or_null(backup.backup_type.clone()),
        ),
        (
            backup_names::SIZE,
            backup.size.map_or(Value::Null, Value::from),
        ),
        (
            backup_names::STATUS,
            Value::string_or_null(backup.status.clone()),
        ),
        (
            backup_names::INSTANCE_ID,
            Value::string_or_null(backup.instance_id.clone()),
        ),
        (
            backup_names::BEGIN_TIME,
            Value::string_or_null(backup.begin_time.clone()),
        ),
        (
            backup_names::END_TIME,
            Value::string_or_null(backup.end_time.clone()),
        ),
        (
            backup_names::ASSOCIATED_WITH_DDM,
            backup.associated_with_ddm.map_or(Value::Null, Value::Bool),
        ),
        (backup_names::DATABASES, databases),
        (backup_names::DATASTORE, datastore),
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
            timeouts: Value::Null,
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
        let value = state(&arguments(), "r", "p", None, Value::List(Vec::new()));
        assert_eq!(value.get("total_count"), Some(&Value::Null));
        let Value::Object(fields) = backup_value(&OffsiteBackup::default()) else {
            panic!("a backup is an object")
        };
        assert_eq!(fields.len(), 11);
        assert!(fields.values().all(Value::is_null), "{fields:?}");
        let known = state(&arguments(), "r", "p", Some(7), Value::List(Vec::new()));
        assert_eq!(
            known
                .get("total_count")
                .and_then(Value::as_number)
                .and_then(|n| n.as_i64()),
            Some(7)
        );
    }

    /// The ids of an encoded `backups` list, read back through the wire form.
    fn collected_ids(list: Value) -> Vec<String> {
        let ty = Type::object([("backups", Type::list(backup_type().expect("schema")))]);
        let encoded = tfplugin::cty::msgpack::encode(&Value::object([("backups", list)]), &ty)
            .expect("encodes");
        let decoded = tfplugin::cty::msgpack::decode(&encoded, &ty).expect("decodes");
        let Some(Value::List(items)) = decoded.get("backups") else {
            panic!("backups is a list: {decoded:?}")
        };
        items
            .iter()
            .filter_map(|item| item.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect()
    }

    #[test]
    fn the_collector_encodes_what_select_keeps_in_the_same_order() {
        let backups = vec![
            backup("a", "COMPLETED", Some("2026-11-27T09:00:00+0800")),
            backup("b", "FAILED", Some("2026-11-27T03:00:00+0000")),
            backup("c", "COMPLETED", Some("2026-11-27T02:00:00+0000")),
        ];
        for (status, most_recent) in [(None, None), (Some("COMPLETED"), None), (None, Some(true))] {
            let mut wanted = arguments();
            wanted.status = status.map(Into::into);
            wanted.most_recent = most_recent;
            let mut collector = Collector::new(&wanted, STATE_BUDGET).expect("schema");
            for backup in backups.clone() {
                assert!(collector.offer(backup).is_continue());
            }
            let (list, count) = collector.finish().expect("fits");
            let expected = select(&wanted, backups.clone());
            assert_eq!(count, expected.len());
            assert_eq!(collected_ids(list), ids(&expected));
        }
    }

    #[test]
    fn the_collector_stops_once_over_its_budget() {
        let mut collector = Collector::new(&arguments(), 1000).expect("schema");
        let mut offered = 0;
        for index in 0..100 {
            offered += 1;
            if collector
                .offer(backup(&format!("{index:040}"), "COMPLETED", None))
                .is_break()
            {
                break;
            }
        }
        assert!(offered < 100, "the collector asked to stop");
        match collector.finish() {
            Err(CollectError::TooLarge { kept, bytes }) => {
                assert_eq!(kept, offered);
                assert!(bytes > 1000);
            }
            other => panic!("{other:?}"),
        }
    }

    /// Every argument the schema declares, set to a valid value that differs from its default.
    fn every_argument() -> Vec<(&'static str, Value)> {
        vec![
            (names::INSTANCE_ID, "inst-1".into()),
            (names::BACKUP_TYPE, "incremental".into()),
            (names::BACKUP_ID, "br-1".into()),
            (names::BEGIN_TIME, "2018-08-06T10:41:14+0800".into()),
            (names::END_TIME, "2018-08-07T02:41:14Z".into()),
            (names::REGION, "ap-southeast-1".into()),
            (names::NAME, "nightly".into()),
            (names::STATUS, "COMPLETED".into()),
            (names::MOST_RECENT, Value::Bool(true)),
            (
                names::TIMEOUTS,
                Value::object([(crate::data_source::timeouts::READ, Value::from("5m"))]),
            ),
        ]
    }

    #[test]
    fn every_argument_is_decoded_and_kept_in_state_as_written() {
        let schema = data_source_schema();
        let arguments_declared: Vec<&str> = schema
            .block
            .attributes
            .iter()
            .filter(|attribute| attribute.required || attribute.optional)
            .map(|attribute| attribute.name.as_str())
            .collect();
        let written = every_argument();
        let listed: Vec<&str> = written.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            listed, arguments_declared,
            "a new argument needs a value here"
        );

        let mut config: std::collections::BTreeMap<String, Value> = names::ALL
            .iter()
            .map(|name| (name.to_string(), Value::Null))
            .collect();
        config.extend(written.iter().map(|(n, v)| (n.to_string(), v.clone())));
        let (diagnostics, decoded) =
            crate::offsite_backups::arguments::examine(&Value::Object(config));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let decoded = decoded.expect("wholly known");
        let region = decoded.region.clone().expect("region is set");
        let value = state(&decoded, &region, "p", Some(1), Value::List(Vec::new()));
        for (name, as_written) in &written {
            assert_eq!(value.get(name), Some(as_written), "{name}");
        }
    }

    #[test]
    fn the_state_has_exactly_the_schemas_type_and_every_backup_field() {
        let full = OffsiteBackup {
            id: Some("b".into()),
            name: Some("n".into()),
            backup_type: Some("auto".into()),
            size: Some(1),
            status: Some("COMPLETED".into()),
            instance_id: Some("i".into()),
            begin_time: Some("2026-11-27T02:00:00+0000".into()),
            end_time: Some("2026-11-27T03:00:00+0000".into()),
            associated_with_ddm: Some(false),
            databases: Some(vec![hwcloud::BackupDatabase {
                name: Some("db".into()),
            }]),
            datastore: Some(hwcloud::Datastore {
                engine: Some("MySQL".into()),
                version: Some("8.0".into()),
            }),
        };
        let encoded = backup_value(&full);
        assert!(encoded.is_wholly_known());
        let Value::Object(fields) = &encoded else {
            panic!("a backup is an object")
        };
        assert!(
            fields.values().all(|field| !field.is_null()),
            "every field of a full backup is encoded: {fields:?}"
        );
        let value = state(&arguments(), "r", "p", Some(1), Value::List(vec![encoded]));
        value
            .conforms_to(&data_source_schema().value_type())
            .expect("the state is exactly the schema's type");
    }
}
