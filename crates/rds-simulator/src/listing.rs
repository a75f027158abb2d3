//! The set a list request pages over right now: the dataset's filtered list, plus the backups
//! "created" meanwhile when the `total_count_change` fault is active.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Duration, OffsetDateTime};

use crate::dataset::{Dataset, Query};
use crate::model::Backup;
use crate::time_format::{format_api_time, parse_api_time};

/// The backups a list request with `query` pages over, newest first.
///
/// With `inserted > 0`, that many new backups (copies of the newest backup of the instance and
/// type, the one with the latest `begin_time` compared as instants wherever it is in the data,
/// one minute apart and newer than it, with fresh deterministic ids) come first; the query's
/// `backup_id` and time window filters apply to them as to any other backup.
pub(crate) fn current_listing(
    dataset: &Dataset,
    query: &Query,
    inserted: usize,
    seed: u64,
) -> Vec<Backup> {
    if inserted == 0 {
        return dataset.query(query).into_iter().cloned().collect();
    }
    let unfiltered = Query::new(query.instance_id.clone(), query.backup_type.clone());
    let newest = dataset
        .query(&unfiltered)
        .into_iter()
        .filter_map(|backup| Some((parse_api_time(&backup.begin_time)?, backup)))
        .max_by_key(|(begin, _)| *begin);
    let Some((newest_begin, newest)) = newest else {
        // Nothing to copy (no backup of the instance and type has a readable begin time).
        return dataset.query(query).into_iter().cloned().collect();
    };
    let mut combined = new_backups(newest, newest_begin, inserted, seed);
    combined.extend(dataset.backups.iter().cloned());
    Dataset { backups: combined }
        .query(query)
        .into_iter()
        .cloned()
        .collect()
}

fn new_backups(
    newest: &Backup,
    newest_begin: OffsetDateTime,
    count: usize,
    seed: u64,
) -> Vec<Backup> {
    let offset = newest_begin.offset();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6e65_7762_6163_6b75);
    (0..count)
        .map(|k| {
            let begin = newest_begin + Duration::minutes((count - k) as i64);
            Backup {
                id: format!("{:032x}br01", rng.random::<u128>()),
                name: format!("{}-new{}", newest.name, k + 1),
                status: "COMPLETED".to_owned(),
                begin_time: format_api_time(begin, offset),
                end_time: format_api_time(begin + Duration::seconds(30), offset),
                ..newest.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::GenerateSpec;

    fn backup(id: &str, begin_time: &str) -> Backup {
        let template = Dataset::generate(&GenerateSpec {
            instances: vec!["inst1:mysql:1:0".parse().expect("spec")],
            seed: 3,
        })
        .backups
        .remove(0);
        Backup {
            id: id.to_owned(),
            name: format!("backup-{id}"),
            begin_time: begin_time.to_owned(),
            ..template
        }
    }

    /// Data in arbitrary order (as a JSON file may have it), with mixed UTC offsets: the
    /// copies follow the backup with the latest begin instant, not the first or the latest
    /// string.
    #[test]
    fn inserted_backups_are_newer_than_the_latest_begin_instant() {
        let dataset = Dataset {
            backups: vec![
                backup("old", "2026-01-01T00:00:00+0800"),
                // The largest string, but 02:00 UTC.
                backup("late-string", "2026-01-01T10:00:00+0800"),
                // The newest instant: 03:00 UTC.
                backup("newest", "2026-01-01T03:00:00+0000"),
                backup("older", "2025-12-31T23:00:00+0800"),
            ],
        };
        let query = Query::new("inst1", "auto");
        let listing = current_listing(&dataset, &query, 2, 7);
        assert_eq!(listing.len(), 6);
        let newest = parse_api_time("2026-01-01T03:00:00+0000").expect("time");
        for copy in &listing[..2] {
            assert!(copy.name.starts_with("backup-newest-new"), "{}", copy.name);
            let begin = parse_api_time(&copy.begin_time).expect("time");
            assert!(begin > newest, "{} is not newer", copy.begin_time);
        }
        let ids: Vec<&str> = listing[2..].iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["old", "late-string", "newest", "older"]);
    }

    #[test]
    fn unreadable_begin_times_insert_nothing_but_keep_the_data() {
        let dataset = Dataset {
            backups: vec![backup("a", "yesterday"), backup("b", "today")],
        };
        let listing = current_listing(&dataset, &Query::new("inst1", "auto"), 3, 7);
        let ids: Vec<&str> = listing.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
    }
}
