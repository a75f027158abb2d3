//! The backups the simulator serves, and the API's filtering of them.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::generate::{GenerateSpec, demo_spec, generate_backups};
use crate::model::{Backup, BackupList};
use crate::time_format::parse_api_time;

/// All backups known to the simulator, in the order the API lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dataset {
    pub backups: Vec<Backup>,
}

/// Why a data file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not an offsite-backups response ({{\"backups\":[...],\"total_count\":N}}): {source}"
    )]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// The filters of one list request (everything but paging).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub instance_id: String,
    /// `auto` or `incremental`.
    pub backup_type: String,
    pub backup_id: Option<String>,
    /// API time format; used only together with `end_time`.
    pub begin_time: Option<String>,
    /// API time format; used only together with `begin_time`.
    pub end_time: Option<String>,
}

impl Query {
    /// A query for one instance and backup type, without other filters.
    pub fn new(instance_id: impl Into<String>, backup_type: impl Into<String>) -> Query {
        Query {
            instance_id: instance_id.into(),
            backup_type: backup_type.into(),
            ..Query::default()
        }
    }
}

/// A parsed `[begin, end]` window (both ends included).
#[derive(Debug, Clone, Copy)]
struct TimeWindow {
    begin: OffsetDateTime,
    end: OffsetDateTime,
}

/// `None` window: no time filter. `Err`: the window can match nothing (a time did not parse).
fn window_of(query: &Query) -> Result<Option<TimeWindow>, ()> {
    match (&query.begin_time, &query.end_time) {
        (Some(begin), Some(end)) => {
            let begin = parse_api_time(begin).ok_or(())?;
            let end = parse_api_time(end).ok_or(())?;
            Ok(Some(TimeWindow { begin, end }))
        }
        _ => Ok(None),
    }
}

impl Dataset {
    /// Generated data (deterministic: same spec, same data).
    pub fn generate(spec: &GenerateSpec) -> Dataset {
        Dataset {
            backups: generate_backups(spec),
        }
    }

    /// The built-in demo data (three instances, see `demo_spec` in `generate.rs`).
    pub fn demo() -> Dataset {
        Dataset::generate(&demo_spec())
    }

    /// Loads a file in the API's response format `{"backups":[...],"total_count":N}`.
    /// The items are served in the file's order; `total_count` is ignored (it is recomputed).
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<Dataset, DatasetError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| DatasetError::Read {
            path: path.to_owned(),
            source,
        })?;
        Dataset::from_json_str(&text).map_err(|source| DatasetError::Parse {
            path: path.to_owned(),
            source,
        })
    }

    /// Parses the API's response format.
    pub fn from_json_str(text: &str) -> Result<Dataset, serde_json::Error> {
        let list: BackupList = serde_json::from_str(text)?;
        Ok(Dataset {
            backups: list.backups,
        })
    }

    /// The whole dataset in the API's response format (what [`Dataset::from_json_file`] reads).
    pub fn to_json(&self) -> String {
        let list = BackupList {
            backups: self.backups.clone(),
            total_count: self.backups.len() as u64,
        };
        serde_json::to_string_pretty(&list).unwrap_or_default()
    }

    /// The filtered list, in API order: what the endpoint pages over and counts in
    /// `total_count`. Backups whose begin time lies in `[begin_time, end_time]` (compared as
    /// instants) match the window; a window time that does not parse matches nothing.
    pub fn query(&self, query: &Query) -> Vec<&Backup> {
        let Ok(window) = window_of(query) else {
            return Vec::new();
        };
        self.backups
            .iter()
            .filter(|backup| matches(backup, query, window))
            .collect()
    }
}

fn matches(backup: &Backup, query: &Query, window: Option<TimeWindow>) -> bool {
    if backup.instance_id != query.instance_id || backup.r#type != query.backup_type {
        return false;
    }
    if let Some(id) = &query.backup_id
        && backup.id != *id
    {
        return false;
    }
    match window {
        None => true,
        Some(TimeWindow { begin, end }) => parse_api_time(&backup.begin_time)
            .is_some_and(|started| begin <= started && started <= end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::generate::InstanceSpec;
    use crate::model::Datastore;

    fn backup(id: &str, instance: &str, backup_type: &str, begin: &str) -> Backup {
        Backup {
            id: id.into(),
            name: format!("backup-{id}"),
            r#type: backup_type.into(),
            size: 1,
            status: "COMPLETED".into(),
            databases: None,
            begin_time: begin.into(),
            end_time: begin.into(),
            datastore: Datastore {
                r#type: "MySQL".into(),
                version: "8.0".into(),
            },
            instance_id: instance.into(),
            associated_with_ddm: Some(false),
        }
    }

    fn sample() -> Dataset {
        Dataset {
            backups: vec![
                backup("b4", "i1", "auto", "2026-11-27T10:00:00+0800"),
                backup("b3", "i1", "incremental", "2026-11-27T01:30:00+0000"),
                backup("b2", "i1", "auto", "2026-11-26T02:00:00+0000"),
                backup("b1", "i2", "auto", "2026-11-25T02:00:00+0000"),
            ],
        }
    }

    fn ids(found: Vec<&Backup>) -> Vec<&str> {
        found.iter().map(|b| b.id.as_str()).collect()
    }

    #[test]
    fn filters_by_instance_type_and_id() {
        let data = sample();
        assert_eq!(ids(data.query(&Query::new("i1", "auto"))), ["b4", "b2"]);
        assert_eq!(ids(data.query(&Query::new("i1", "incremental"))), ["b3"]);
        assert_eq!(
            ids(data.query(&Query::new("i3", "auto"))),
            Vec::<&str>::new()
        );
        let by_id = Query {
            backup_id: Some("b2".into()),
            ..Query::new("i1", "auto")
        };
        assert_eq!(ids(data.query(&by_id)), ["b2"]);
    }

    #[test]
    fn window_compares_instants_across_offsets_inclusively() {
        let data = sample();
        // 02:00+0000 is exactly 10:00+0800: both ends are inclusive.
        let window = Query {
            begin_time: Some("2026-11-27T02:00:00+0000".into()),
            end_time: Some("2026-11-27T10:00:00+0800".into()),
            ..Query::new("i1", "auto")
        };
        assert_eq!(ids(data.query(&window)), ["b4"]);
        // Ends one second before b4 (10:00+0800); b2 (02:00+0000 the day before) is inside.
        let earlier = Query {
            begin_time: Some("2026-11-26T09:59:59+0800".into()),
            end_time: Some("2026-11-27T09:59:59+0800".into()),
            ..Query::new("i1", "auto")
        };
        assert_eq!(ids(data.query(&earlier)), ["b2"]);
        let between = Query {
            begin_time: Some("2026-11-26T02:00:01+0000".into()),
            end_time: Some("2026-11-27T01:59:59+0000".into()),
            ..Query::new("i1", "auto")
        };
        assert_eq!(ids(data.query(&between)), Vec::<&str>::new());
        let wide = Query {
            begin_time: Some("2026-11-26T10:00:00+0800".into()),
            end_time: Some("2026-11-27T10:00:00+0800".into()),
            ..Query::new("i1", "auto")
        };
        assert_eq!(ids(data.query(&wide)), ["b4", "b2"]);
    }

    #[test]
    fn unparsable_window_matches_nothing() {
        let bad = Query {
            begin_time: Some("2026-11-26T10:00:00 0800".into()),
            end_time: Some("2026-11-27T10:00:00+0800".into()),
            ..Query::new("i1", "auto")
        };
        assert!(sample().query(&bad).is_empty());
    }

    #[test]
    fn json_round_trip_through_a_file() {
        let data = Dataset::generate(&GenerateSpec {
            instances: vec![InstanceSpec {
                instance_id: "x".into(),
                engine: Engine::PostgreSql,
                auto: 3,
                incremental: 2,
            }],
            seed: 3,
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("data.json");
        std::fs::write(&path, data.to_json()).expect("write data file");
        assert_eq!(
            Dataset::from_json_file(&path).expect("load data file"),
            data
        );
        std::fs::write(&path, "{\"items\":[]}").expect("write bad file");
        let err = Dataset::from_json_file(&path).expect_err("wrong shape");
        assert!(err.to_string().contains("not an offsite-backups response"));
        assert!(Dataset::from_json_file(dir.path().join("missing.json")).is_err());
    }
}
