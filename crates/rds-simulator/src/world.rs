//! One consistent disaster-recovery world, derived from the backups of the [`Dataset`] and
//! the regions of the [`Scenario`], so that the four read routes agree with each other:
//!
//! - every instance that has a backup in the dataset runs in `scenario.source_region` and
//!   copies its backups to the destination (default) region: `ListOffSiteInstances` lists it
//!   there, in the order of its first backup in the dataset;
//! - its offsite policy, read in the source region, names the same destination and
//!   `keep_days` (one entry per backup type it has);
//! - its restore windows, read in the destination region, are built from its `COMPLETED`
//!   backups (see [`restore_windows`]).
//!
//! Everything is a pure function of its inputs: tests can compute what a route serves.

use std::collections::HashSet;

use sha2::{Digest, Sha256};
use time::{Date, Duration, OffsetDateTime, Time};

use crate::dataset::Dataset;
use crate::model::{Backup, OffsiteInstance, OffsitePolicy, RestoreTime};
use crate::scenario::Scenario;
use crate::time_format::parse_api_time;

/// The retention periods instances are given, chosen by [`keep_days_of`].
pub const KEEP_DAYS_CHOICES: [u32; 4] = [7, 14, 30, 90];

/// Two completed backups further apart than this break a restore window: the log between them
/// is taken to be lost.
pub const MAX_LOG_GAP: Duration = Duration::hours(26);

/// `keep_days` of an instance: [`KEEP_DAYS_CHOICES`] indexed by the first byte of
/// `sha256(instance_id)` modulo 4 (stable, and spread over all four).
pub fn keep_days_of(instance_id: &str) -> u32 {
    let digest = Sha256::digest(instance_id.as_bytes());
    KEEP_DAYS_CHOICES[usize::from(digest[0]) % KEEP_DAYS_CHOICES.len()]
}

/// The name of an instance: the engine prefix of its backup names (`mysql`, `pg`,
/// `sqlserver`) and the last 8 characters of its id before the `inNN` suffix, e.g.
/// `mysql-2d4b5a60` for `0c2e…2d4b5a60in01`.
pub fn instance_name(instance_id: &str, datastore_type: &str) -> String {
    let prefix = match datastore_type.to_ascii_lowercase().as_str() {
        "mysql" => "mysql",
        "postgresql" => "pg",
        "sqlserver" => "sqlserver",
        _ => "rds",
    };
    // `get` instead of slicing: an id from a data file may hold multi-byte characters.
    let stem = match instance_id.len().checked_sub(4).and_then(|cut| {
        instance_id
            .get(cut..)
            .filter(|suffix| suffix.starts_with("in"))
            .and_then(|_| instance_id.get(..cut))
    }) {
        Some(stem) => stem,
        None => instance_id,
    };
    let tail: String = {
        let chars: Vec<char> = stem.chars().collect();
        chars[chars.len().saturating_sub(8)..].iter().collect()
    };
    format!("{prefix}-{tail}")
}

/// Whether `project_id` is the backup (destination) region's project, where the instances'
/// offsite backups and restore windows are: other regions hold none of them.
pub fn is_backup_region_project(scenario: &Scenario, project_id: &str) -> bool {
    project_id == scenario.project_id
        || scenario.region_of_project(project_id) == Some(scenario.destination_region())
}

/// Every instance with offsite backups, in the order of its first backup in the dataset.
pub fn offsite_instances(scenario: &Scenario) -> Vec<OffsiteInstance> {
    let destination_region = scenario.destination_region().to_owned();
    let destination_project_id = scenario
        .project_id_for(&destination_region)
        .unwrap_or_else(|| scenario.project_id.clone());
    let source_project_id = scenario
        .project_id_for(&scenario.source_region)
        .unwrap_or_default();
    let mut seen = HashSet::new();
    scenario
        .dataset
        .backups
        .iter()
        .filter(|backup| seen.insert(backup.instance_id.as_str()))
        .map(|backup| OffsiteInstance {
            id: backup.instance_id.clone(),
            name: instance_name(&backup.instance_id, &backup.datastore.r#type),
            source_region: scenario.source_region.clone(),
            source_project_id: source_project_id.clone(),
            datastore: backup.datastore.clone(),
            destination_region: destination_region.clone(),
            destination_project_id: destination_project_id.clone(),
            keep_days: keep_days_of(&backup.instance_id),
        })
        .collect()
}

/// The offsite policy of `instance_id` as its source region reports it: `None` for an
/// instance the source region does not know (a 404), an empty list for one of
/// `instances_without_offsite_policy`, else one entry per backup type the instance has in the
/// dataset (`auto` first), each with the instance's destination and `keep_days`.
pub fn offsite_policy(scenario: &Scenario, instance_id: &str) -> Option<Vec<OffsitePolicy>> {
    if scenario
        .instances_without_offsite_policy
        .iter()
        .any(|id| id == instance_id)
    {
        return Some(Vec::new());
    }
    let instance = offsite_instances(scenario)
        .into_iter()
        .find(|instance| instance.id == instance_id)?;
    let types = ["auto", "incremental"]
        .into_iter()
        .filter(|backup_type| {
            scenario
                .dataset
                .backups
                .iter()
                .any(|b| b.instance_id == instance_id && b.r#type == *backup_type)
        })
        .map(|backup_type| OffsitePolicy {
            backup_type: backup_type.to_owned(),
            keep_days: instance.keep_days,
            destination_region: instance.destination_region.clone(),
            destination_project_id: instance.destination_project_id.clone(),
        })
        .collect();
    Some(types)
}

/// The windows `instance_id` can be restored to, oldest first, or `None` for an instance
/// without backups here (a 404). Walking its `COMPLETED` backups by begin time, a window opens
/// at the end of an `auto` (full) backup and grows to the end of each later completed backup
/// (of either type) that begins within [`MAX_LOG_GAP`] of the window's end; a longer gap closes
/// it, and the next completed `auto` backup opens a new one. Backups whose times do not parse
/// are ignored.
///
/// With `date`, only the parts of the windows inside that UTC day
/// (`[00:00:00.000, 23:59:59.999]`) are returned.
pub fn restore_windows(
    dataset: &Dataset,
    instance_id: &str,
    date: Option<Date>,
) -> Option<Vec<RestoreTime>> {
    let mut completed: Vec<(OffsetDateTime, OffsetDateTime, &Backup)> = Vec::new();
    let mut known = false;
    for backup in &dataset.backups {
        if backup.instance_id != instance_id {
            continue;
        }
        known = true;
        if backup.status != "COMPLETED" {
            continue;
        }
        if let (Some(begin), Some(end)) = (
            parse_api_time(&backup.begin_time),
            parse_api_time(&backup.end_time),
        ) {
            completed.push((begin, end, backup));
        }
    }
    if !known {
        return None;
    }
    completed.sort_by_key(|(begin, end, _)| (*begin, *end));
    let mut windows: Vec<(OffsetDateTime, OffsetDateTime)> = Vec::new();
    let mut open: Option<(OffsetDateTime, OffsetDateTime)> = None;
    for (begin, end, backup) in completed {
        if let Some((start, last)) = open {
            if begin - last <= MAX_LOG_GAP {
                open = Some((start, last.max(end)));
                continue;
            }
            windows.push((start, last));
            open = None;
        }
        if backup.r#type == "auto" {
            open = Some((end, end));
        }
    }
    windows.extend(open);
    let windows = windows.into_iter().filter_map(|(start, end)| match date {
        None => Some((start, end)),
        Some(day) => {
            let day_start = day.with_time(Time::MIDNIGHT).assume_utc();
            // Checked: the day after 9999-12-31 is beyond what `time` represents.
            let day_end = day
                .with_time(time::macros::time!(23:59:59.999))
                .assume_utc();
            let (start, end) = (start.max(day_start), end.min(day_end));
            (start <= end).then_some((start, end))
        }
    });
    Some(
        windows
            .map(|(start, end)| RestoreTime {
                start_time: millis(start),
                end_time: millis(end),
            })
            .collect(),
    )
}

fn millis(instant: OffsetDateTime) -> i64 {
    (instant.unix_timestamp_nanos() / 1_000_000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Datastore;
    use time::macros::date;

    fn backup(instance: &str, backup_type: &str, status: &str, begin: &str, end: &str) -> Backup {
        Backup {
            id: format!("{instance}-{begin}"),
            name: "n".into(),
            r#type: backup_type.into(),
            size: 1,
            status: status.into(),
            databases: None,
            begin_time: begin.into(),
            end_time: end.into(),
            datastore: Datastore {
                r#type: "MySQL".into(),
                version: "8.0".into(),
            },
            instance_id: instance.into(),
            associated_with_ddm: Some(false),
        }
    }

    /// 2026-11-25T00:00:00Z in milliseconds, from `date -u -d 2026-11-25 +%s` = 1795564800.
    const NOV_25_MS: i64 = 1_795_564_800_000;
    const HOUR_MS: i64 = 3_600_000;

    fn dataset() -> Dataset {
        Dataset {
            backups: vec![
                // Full backup 25 Nov 01:00-02:00 UTC, then incrementals until 26 Nov 03:00 UTC
                // (the second one in +0800), a failed full backup that changes nothing.
                backup(
                    "i1",
                    "auto",
                    "COMPLETED",
                    "2026-11-25T01:00:00+0000",
                    "2026-11-25T02:00:00+0000",
                ),
                backup(
                    "i1",
                    "incremental",
                    "COMPLETED",
                    "2026-11-25T12:00:00+0000",
                    "2026-11-25T12:10:00+0000",
                ),
                backup(
                    "i1",
                    "incremental",
                    "COMPLETED",
                    "2026-11-26T10:50:00+0800",
                    "2026-11-26T11:00:00+0800",
                ),
                backup(
                    "i1",
                    "auto",
                    "FAILED",
                    "2026-11-26T04:00:00+0000",
                    "2026-11-26T04:00:00+0000",
                ),
                // A gap of more than 26 hours, an incremental that opens nothing, then a full
                // backup opening a second window on 28 Nov.
                backup(
                    "i1",
                    "incremental",
                    "COMPLETED",
                    "2026-11-27T12:00:00+0000",
                    "2026-11-27T12:05:00+0000",
                ),
                backup(
                    "i1",
                    "auto",
                    "COMPLETED",
                    "2026-11-28T01:00:00+0000",
                    "2026-11-28T01:30:00+0000",
                ),
                backup(
                    "i2",
                    "auto",
                    "BUILDING",
                    "2026-11-28T01:00:00+0000",
                    "2026-11-28T01:00:00+0000",
                ),
            ],
        }
    }

    #[test]
    fn windows_open_at_full_backups_and_break_at_gaps() {
        let windows = restore_windows(&dataset(), "i1", None).expect("known");
        assert_eq!(
            windows,
            vec![
                RestoreTime {
                    start_time: NOV_25_MS + 2 * HOUR_MS,
                    end_time: NOV_25_MS + 24 * HOUR_MS + 3 * HOUR_MS,
                },
                RestoreTime {
                    start_time: NOV_25_MS + 3 * 24 * HOUR_MS + 90 * 60_000,
                    end_time: NOV_25_MS + 3 * 24 * HOUR_MS + 90 * 60_000,
                },
            ]
        );
        assert_eq!(restore_windows(&dataset(), "i2", None), Some(Vec::new()));
        assert_eq!(restore_windows(&dataset(), "unknown", None), None);
    }

    #[test]
    fn a_date_clips_windows_to_that_utc_day() {
        let on_26 = restore_windows(&dataset(), "i1", Some(date!(2026 - 11 - 26))).expect("known");
        assert_eq!(
            on_26,
            vec![RestoreTime {
                start_time: NOV_25_MS + 24 * HOUR_MS,
                end_time: NOV_25_MS + 24 * HOUR_MS + 3 * HOUR_MS,
            }]
        );
        let on_25 = restore_windows(&dataset(), "i1", Some(date!(2026 - 11 - 25))).expect("known");
        assert_eq!(
            on_25,
            vec![RestoreTime {
                start_time: NOV_25_MS + 2 * HOUR_MS,
                end_time: NOV_25_MS + 24 * HOUR_MS - 1,
            }]
        );
        let on_27 = restore_windows(&dataset(), "i1", Some(date!(2026 - 11 - 27))).expect("known");
        assert!(on_27.is_empty());
    }

    #[test]
    fn instances_and_policies_agree() {
        let scenario = Scenario {
            dataset: dataset(),
            instances_without_offsite_policy: vec!["bare".into()],
            ..Scenario::default()
        };
        let instances = offsite_instances(&scenario);
        assert_eq!(
            instances.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
            ["i1", "i2"]
        );
        let first = &instances[0];
        assert_eq!(first.source_region, "cn-east-3");
        assert_eq!(first.destination_region, "cn-north-4");
        assert_eq!(first.destination_project_id, scenario.project_id);
        assert_eq!(
            Some(first.source_project_id.clone()),
            scenario.project_id_for("cn-east-3")
        );
        let policy = offsite_policy(&scenario, "i1").expect("known");
        assert_eq!(
            policy
                .iter()
                .map(|p| p.backup_type.as_str())
                .collect::<Vec<_>>(),
            ["auto", "incremental"]
        );
        assert!(policy.iter().all(|p| p.keep_days == first.keep_days
            && p.destination_region == first.destination_region
            && p.destination_project_id == first.destination_project_id));
        assert_eq!(offsite_policy(&scenario, "i2").expect("known").len(), 1);
        assert_eq!(offsite_policy(&scenario, "bare"), Some(Vec::new()));
        assert_eq!(offsite_policy(&scenario, "unknown"), None);
    }

    #[test]
    fn the_last_representable_day_and_odd_ids_do_not_panic() {
        let last = restore_windows(&dataset(), "i1", Some(date!(9999 - 12 - 31))).expect("known");
        assert!(last.is_empty());
        assert_eq!(instance_name("ééaéin01", "MySQL"), "mysql-ééaé");
        // Four bytes from the end falls inside "é": slicing there would panic.
        assert_eq!(instance_name("éabc", "MySQL"), "mysql-éabc");
    }

    #[test]
    fn names_and_keep_days() {
        assert_eq!(
            instance_name("0c2e0c9f5f8d4b3a9a3c6e1f2d4b5a60in01", "MySQL"),
            "mysql-2d4b5a60"
        );
        assert_eq!(instance_name("abc", "sqlserver"), "sqlserver-abc");
        assert_eq!(
            instance_name("5b7d1e3c9a2f4e6b8c0d2f4a6b8c0e13in03", "PostgreSQL"),
            "pg-6b8c0e13"
        );
        let all: HashSet<u32> = (0..64).map(|i| keep_days_of(&format!("id{i}"))).collect();
        assert_eq!(all.len(), KEEP_DAYS_CHOICES.len(), "all four choices occur");
    }
}
