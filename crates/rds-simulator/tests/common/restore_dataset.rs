//! The hand-written dataset of the restore-time tests, shared by the simulator's own tests
//! (`crates/rds-simulator/tests/offsite_restore_times.rs`) and the acceptance tests
//! (`tests/acc_offsite_restore_times.rs`), which include this file with `#[path]`. Its windows
//! are computed by hand (checked with `date -u -d @SECONDS`) in each test, not here.
#![allow(dead_code)] // each including test uses a different subset

use rds_simulator::Dataset;

/// Has two restore windows (see [`dataset`]).
pub const INSTANCE: &str = "7f3e9a1c2b4d4e6f8a0b1c2d3e4f5a6bin01";
/// Has only a failed backup: known to the API, but without any restore window.
pub const NO_WINDOW: &str = "1a2b3c4d5e6f4a7b8c9d0e1f2a3b4c5din01";
/// An instance the dataset does not have.
pub const UNKNOWN: &str = "ffffffffffffffffffffffffffffffffin01";

fn backup(id: &str, instance: &str, kind: &str, status: &str, begin: &str, end: &str) -> String {
    format!(
        r#"{{"id":"{id}","name":"n-{id}","type":"{kind}","size":1,"status":"{status}",
            "begin_time":"{begin}","end_time":"{end}",
            "datastore":{{"type":"MySQL","version":"8.0"}},"instance_id":"{instance}"}}"#
    )
}

/// Two restore windows of [`INSTANCE`] (the simulator opens a window at the end of a completed
/// full backup and extends it by each completed backup beginning within 26 h):
/// 2026-11-25T02:00:00Z..2026-11-26T10:05:00Z (b1, b2 written in +0800, b3) and, after a gap
/// of almost 50 h, 2026-11-28T12:45:30Z..2026-11-29T08:20:00Z (b5, b6). [`NO_WINDOW`] has
/// one failed backup (b7).
pub fn dataset() -> Dataset {
    let backups = [
        backup(
            "b1",
            INSTANCE,
            "auto",
            "COMPLETED",
            "2026-11-25T01:00:00+0000",
            "2026-11-25T02:00:00+0000",
        ),
        backup(
            "b2",
            INSTANCE,
            "incremental",
            "COMPLETED",
            "2026-11-25T20:00:00+0000",
            "2026-11-26T09:30:15+0800",
        ),
        backup(
            "b3",
            INSTANCE,
            "incremental",
            "COMPLETED",
            "2026-11-26T10:00:00+0000",
            "2026-11-26T10:05:00+0000",
        ),
        backup(
            "b4",
            INSTANCE,
            "auto",
            "FAILED",
            "2026-11-27T01:00:00+0000",
            "2026-11-27T01:10:00+0000",
        ),
        backup(
            "b5",
            INSTANCE,
            "auto",
            "COMPLETED",
            "2026-11-28T12:00:00+0000",
            "2026-11-28T12:45:30+0000",
        ),
        backup(
            "b6",
            INSTANCE,
            "incremental",
            "COMPLETED",
            "2026-11-29T08:00:00+0000",
            "2026-11-29T08:20:00+0000",
        ),
        backup(
            "b7",
            NO_WINDOW,
            "auto",
            "FAILED",
            "2026-11-25T01:00:00+0000",
            "2026-11-25T02:00:00+0000",
        ),
    ];
    Dataset::from_json_str(&format!(
        r#"{{"backups":[{}],"total_count":{}}}"#,
        backups.join(","),
        backups.len()
    ))
    .expect("dataset")
}
