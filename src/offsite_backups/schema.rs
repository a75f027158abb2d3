//! The `rds_offsite_backups` schema. Descriptions follow the API documentation; they feed
//! `terraform providers schema -json` and the generated `docs/data-sources` page.

use tfplugin::{Attribute, Nesting, Schema};

use crate::data_source::schema::{self as common, id_rule, one_of, one_of_noted, with_thousands};

/// The data source's attribute names. The schema, the argument decoder
/// (`arguments::examine`) and the state encoder (`state::state`) all use these, so that a
/// misspelt name is a compile error rather than a silently unset attribute.
pub mod names {
    pub const INSTANCE_ID: &str = "instance_id";
    pub const BACKUP_TYPE: &str = "backup_type";
    pub const BACKUP_ID: &str = "backup_id";
    pub const BEGIN_TIME: &str = "begin_time";
    pub const END_TIME: &str = "end_time";
    pub const REGION: &str = crate::data_source::names::REGION;
    pub const NAME: &str = "name";
    pub const STATUS: &str = "status";
    pub const MOST_RECENT: &str = "most_recent";
    pub const TIMEOUTS: &str = crate::data_source::names::TIMEOUTS;
    pub const ID: &str = crate::data_source::names::ID;
    pub const TOTAL_COUNT: &str = "total_count";
    pub const BACKUPS: &str = "backups";

    /// Every attribute, in schema order: what a configuration object must have exactly.
    pub const ALL: [&str; 13] = [
        INSTANCE_ID,
        BACKUP_TYPE,
        BACKUP_ID,
        BEGIN_TIME,
        END_TIME,
        REGION,
        NAME,
        STATUS,
        MOST_RECENT,
        TIMEOUTS,
        ID,
        TOTAL_COUNT,
        BACKUPS,
    ];
}

/// The attribute names of one element of `backups`, for the schema and `state::backup_value`.
pub mod backup_names {
    pub const ID: &str = "id";
    pub const NAME: &str = "name";
    pub const TYPE: &str = "type";
    pub const SIZE: &str = "size";
    pub const STATUS: &str = "status";
    pub const INSTANCE_ID: &str = "instance_id";
    pub const BEGIN_TIME: &str = "begin_time";
    pub const END_TIME: &str = "end_time";
    pub const ASSOCIATED_WITH_DDM: &str = "associated_with_ddm";
    pub const DATABASES: &str = "databases";
    pub const DATASTORE: &str = "datastore";
    /// In each element of `databases`.
    pub const DATABASE_NAME: &str = "name";
    /// In `datastore`.
    pub const DATASTORE_TYPE: &str = "type";
    /// In `datastore`.
    pub const DATASTORE_VERSION: &str = "version";
}

pub const BACKUP_TYPES: [&str; 2] = ["auto", "incremental"];
pub const STATUSES: [&str; 4] = ["BUILDING", "COMPLETED", "FAILED", "DELETING"];

/// What a backup status means, where its name does not say it.
fn status_note(status: &str) -> Option<&'static str> {
    match status {
        "BUILDING" => Some("in progress"),
        "DELETING" => Some("being deleted"),
        _ => None,
    }
}

/// What one read may hold, from the limits the client and the protocol enforce.
fn read_limits() -> String {
    use hwcloud::paging::{MAX_ITEMS, MAX_PAGES, PAGE_SIZE};
    format!(
        "One read lists at most {} backups ({} pages of {PAGE_SIZE}) and its state must fit in \
         one {} MiB plugin protocol message; beyond either limit the read fails rather than \
         return part of the list: `begin_time` and `end_time` narrow the query.",
        with_thousands(MAX_ITEMS),
        with_thousands(MAX_PAGES),
        tfplugin::MAX_MESSAGE_SIZE / (1024 * 1024)
    )
}

pub fn data_source_schema() -> Schema {
    Schema::new(
        format!(
            "Lists the cross-region (\"offsite\") backups of a Huawei Cloud RDS instance, as \
             stored in the backup region: the API `GET /v3/{{project_id}}/offsite-backups`, paged \
             through completely. Optional filters narrow the result on the client side, and \
             `most_recent` keeps only the newest backup, e.g. to restore from it. {}",
            read_limits()
        ),
        vec![
            Attribute::string(names::INSTANCE_ID)
                .required()
                .description(format!(
                    "The ID of the DB instance whose cross-region backups are listed. {}",
                    id_rule()
                )),
            Attribute::string(names::BACKUP_TYPE).required().description(format!(
                "The backup type: `{}` (automated full backups and manual backups; cross-region \
                 manual backups exist only for RDS for SQL Server) or `{}` (automated \
                 incremental backups).",
                BACKUP_TYPES[0], BACKUP_TYPES[1]
            )),
            Attribute::string(names::BACKUP_ID)
                .optional()
                .description(format!("Only the backup with this ID. {}", id_rule())),
            Attribute::string(names::BEGIN_TIME).optional().description(
                "Start of the time window of backups to list. Accepted in the API's format \
                 `2018-08-06T10:41:14+0800` or in RFC 3339 (`2018-08-06T10:41:14+08:00`, \
                 `2018-08-06T02:41:14Z`, as `timestamp()` and `timeadd()` produce). Requires \
                 `end_time`. Kept in state as written; sent in the API's format.",
            ),
            Attribute::string(names::END_TIME).optional().description(
                "End of the time window, in the same formats as `begin_time`; must be later than \
                 `begin_time`. Requires `begin_time`.",
            ),
            common::region(
                "The region to list backups in (the backup region). Defaults to the provider's \
                 region.",
            ),
            Attribute::string(names::NAME).optional().description(
                "Only backups with exactly this name (filtered by the provider, not the API); \
                 must not be empty.",
            ),
            Attribute::string(names::STATUS).optional().description(format!(
                "Only backups with this status: {} (filtered by the provider, not the API).",
                one_of(&STATUSES)
            )),
            Attribute::bool(names::MOST_RECENT).optional().description(
                "When `true`, keep only the backup with the latest `begin_time` after the other \
                 filters: `backups` then has at most one element.",
            ),
            common::timeouts(),
            common::id(
                "An identifier derived from the region, the project and the arguments: the same \
                 query always has the same ID.",
            ),
            Attribute::number(names::TOTAL_COUNT).computed().description(
                "The number of backups the API reports for the query, before the `name`, \
                 `status` and `most_recent` filters; null if the API does not report it.",
            ),
            Attribute::nested(names::BACKUPS, Nesting::List, backup_attributes())
                .computed()
                .description(
                    "The backups, in the order the API returns them, after the \
                     filters. Fields the API omits are null.",
                ),
        ],
    )
}

fn backup_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string(backup_names::ID)
            .computed()
            .description("The backup ID."),
        Attribute::string(backup_names::NAME)
            .computed()
            .description("The backup name."),
        Attribute::string(backup_names::TYPE)
            .computed()
            .description(format!("The backup type: {}.", one_of(&BACKUP_TYPES))),
        Attribute::number(backup_names::SIZE)
            .computed()
            .description("The backup size in KB."),
        Attribute::string(backup_names::STATUS)
            .computed()
            .description(format!(
                "The backup status: {}.",
                one_of_noted(&STATUSES, status_note)
            )),
        Attribute::string(backup_names::INSTANCE_ID)
            .computed()
            .description("The ID of the DB instance the backup was created for."),
        Attribute::string(backup_names::BEGIN_TIME)
            .computed()
            .description("The backup start time, in the API's format `yyyy-mm-ddThh:mm:ss+hhmm`."),
        Attribute::string(backup_names::END_TIME)
            .computed()
            .description(
                "The backup end time: for a full backup, when it ended; for an incremental backup, \
             when the last transaction in the backup file was committed. Same format as \
             `begin_time`.",
            ),
        Attribute::bool(backup_names::ASSOCIATED_WITH_DDM)
            .computed()
            .description(
                "Whether the backup is associated with DDM. Returned only for RDS for MySQL; null \
             otherwise.",
            ),
        Attribute::nested(
            backup_names::DATABASES,
            Nesting::List,
            vec![
                Attribute::string(backup_names::DATABASE_NAME)
                    .computed()
                    .description("The name of the self-built database."),
            ],
        )
        .computed()
        .description(
            "The self-built databases. Returned only for RDS for SQL Server; null otherwise.",
        ),
        Attribute::nested(
            backup_names::DATASTORE,
            Nesting::Single,
            vec![
                Attribute::string(backup_names::DATASTORE_TYPE)
                    .computed()
                    .description("The DB engine, e.g. `MySQL`, `PostgreSQL` or `sqlserver`."),
                Attribute::string(backup_names::DATASTORE_VERSION)
                    .computed()
                    .description("The DB engine version."),
            ],
        )
        .computed()
        .description("The database engine and version."),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_name_every_accepted_value_and_the_limits() {
        let schema = data_source_schema();
        let description = |name: &str| {
            schema
                .block
                .attributes
                .iter()
                .find(|attribute| attribute.name == name)
                .map(|attribute| attribute.description.clone())
                .unwrap_or_else(|| panic!("no attribute {name}"))
        };
        for value in BACKUP_TYPES {
            assert!(description("backup_type").contains(&format!("`{value}`")));
        }
        for value in STATUSES {
            assert!(description("status").contains(&format!("`{value}`")));
        }
        assert!(
            schema
                .block
                .description
                .contains("at most 100,000 backups (1,000 pages of 100)")
        );
        assert!(
            schema
                .block
                .description
                .contains("one 256 MiB plugin protocol message")
        );
    }
}
