//! The set a list request pages over right now: the dataset's filtered list, plus the backups
//! "created" meanwhile when the `total_count_change` fault is active.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::Duration;

use crate::dataset::{Dataset, Query};
use crate::model::Backup;
use hwcloud::api_time::{format_api_time, parse_api_time};

/// The backups a list request with `query` pages over, newest first.
///
/// With `inserted > 0`, that many new backups (copies of the newest backup of the instance and
/// type, one minute apart and newer than it, with fresh deterministic ids) come first; the
/// query's `backup_id` and time window filters apply to them as to any other backup.
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
    let newest = dataset.query(&unfiltered).first().map(|b| (*b).clone());
    let Some(newest) = newest else {
        return Vec::new();
    };
    let mut combined = new_backups(&newest, inserted, seed);
    combined.extend(dataset.backups.iter().cloned());
    Dataset { backups: combined }
        .query(query)
        .into_iter()
        .cloned()
        .collect()
}

fn new_backups(newest: &Backup, count: usize, seed: u64) -> Vec<Backup> {
    let Some(newest_begin) = parse_api_time(&newest.begin_time) else {
        return Vec::new();
    };
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
