//! Serde models of the API's JSON: the backup items and the list response.
//!
//! Field names are exactly the API's (hence `r#type`), so a file captured from the real API
//! loads as is and what the simulator serves is what the real API would send.

use serde::{Deserialize, Serialize};

/// One item of `backups` in a `GET /v3/{project_id}/offsite-backups` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backup {
    pub id: String,
    pub name: String,
    /// `auto` or `incremental`.
    pub r#type: String,
    /// Size in KB.
    pub size: i64,
    /// `BUILDING`, `COMPLETED`, `FAILED` or `DELETING`.
    pub status: String,
    /// Only sent for RDS for SQL Server instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub databases: Option<Vec<BackupDatabase>>,
    /// `yyyy-mm-ddThh:mm:ss±hhmm`.
    pub begin_time: String,
    /// `yyyy-mm-ddThh:mm:ss±hhmm`.
    pub end_time: String,
    pub datastore: Datastore,
    pub instance_id: String,
    /// Only sent for RDS for MySQL instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_with_ddm: Option<bool>,
}

/// A self-built database contained in a SQL Server backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupDatabase {
    pub name: String,
}

/// The DB engine and its version, e.g. `{"type":"MySQL","version":"8.0"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Datastore {
    /// `MySQL`, `PostgreSQL` or `sqlserver` (the spellings the API uses).
    pub r#type: String,
    pub version: String,
}

/// The list response body `{"backups":[...],"total_count":N}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupList {
    pub backups: Vec<Backup>,
    /// Size of the whole filtered set, not of this page.
    pub total_count: u64,
}

/// One item of `offsite_backup_instances` in a `GET /v3/backups/offsite-backup-instance`
/// response (`ListOffSiteInstances`): an instance whose backups are copied to this region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsiteInstance {
    pub id: String,
    pub name: String,
    pub source_region: String,
    pub source_project_id: String,
    pub datastore: Datastore,
    pub destination_region: String,
    pub destination_project_id: String,
    /// Days offsite backups are kept.
    pub keep_days: u32,
}

/// The response body `{"offsite_backup_instances":[...],"total_count":N}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsiteInstanceList {
    pub offsite_backup_instances: Vec<OffsiteInstance>,
    pub total_count: u64,
}

/// One item of `restore_time` in a `GET /v3/{project_id}/instances/{id}/offsite-restore-time`
/// response (`ListOffSiteRestoreTimes`): milliseconds since the epoch, UTC, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreTime {
    pub start_time: i64,
    pub end_time: i64,
}

/// The response body `{"restore_time":[...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreTimeList {
    pub restore_time: Vec<RestoreTime>,
}

/// One item of `policy_para` in a `GET /v3/{project_id}/instances/{id}/backups/offsite-policy`
/// response (`ShowOffsiteBackupPolicy`), read in the instance's own (source) region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsitePolicy {
    /// `auto`, `incremental` or `manual`.
    pub backup_type: String,
    pub keep_days: u32,
    pub destination_region: String,
    pub destination_project_id: String,
}

/// The response body `{"policy_para":[...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsitePolicyList {
    pub policy_para: Vec<OffsitePolicy>,
}
