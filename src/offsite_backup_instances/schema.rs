//! The `rds_offsite_backup_instances` schema. Descriptions follow the API documentation of
//! `ListOffSiteInstances`; they feed `terraform providers schema -json` and the generated
//! `docs/data-sources` page.

use tfplugin::{Attribute, Nesting, Schema};

use crate::data_source::schema::{self as common, id_rule, one_of, with_thousands};

/// The data source's attribute names, used by the schema, `arguments::examine` and
/// `state::state`.
pub mod names {
    pub const REGION: &str = crate::data_source::names::REGION;
    pub const INSTANCE_ID: &str = "instance_id";
    pub const NAME: &str = "name";
    pub const SOURCE_REGION: &str = "source_region";
    pub const SOURCE_PROJECT_ID: &str = "source_project_id";
    pub const DESTINATION_REGION: &str = "destination_region";
    pub const DESTINATION_PROJECT_ID: &str = "destination_project_id";
    pub const ENGINE: &str = "engine";
    pub const KEEP_DAYS: &str = "keep_days";
    pub const TIMEOUTS: &str = crate::data_source::names::TIMEOUTS;
    pub const ID: &str = crate::data_source::names::ID;
    pub const TOTAL_COUNT: &str = "total_count";
    pub const INSTANCES: &str = "instances";

    /// Every attribute, in schema order: what a configuration object must have exactly.
    pub const ALL: [&str; 13] = [
        REGION,
        INSTANCE_ID,
        NAME,
        SOURCE_REGION,
        SOURCE_PROJECT_ID,
        DESTINATION_REGION,
        DESTINATION_PROJECT_ID,
        ENGINE,
        KEEP_DAYS,
        TIMEOUTS,
        ID,
        TOTAL_COUNT,
        INSTANCES,
    ];
}

/// The attribute names of one element of `instances`, for the schema and
/// `state::instance_value`.
pub mod instance_names {
    pub const ID: &str = "id";
    pub const NAME: &str = "name";
    pub const SOURCE_REGION: &str = "source_region";
    pub const SOURCE_PROJECT_ID: &str = "source_project_id";
    pub const DATASTORE: &str = "datastore";
    pub const DESTINATION_REGION: &str = "destination_region";
    pub const DESTINATION_PROJECT_ID: &str = "destination_project_id";
    pub const KEEP_DAYS: &str = "keep_days";
    /// In `datastore`.
    pub const DATASTORE_TYPE: &str = "type";
    /// In `datastore`.
    pub const DATASTORE_VERSION: &str = "version";
}

/// The DB engines the API names (`datastore.type`, case-insensitive).
pub const ENGINES: [&str; 4] = ["MySQL", "PostgreSQL", "SQLServer", "MariaDB"];

/// Filters applied by the provider to what the API lists (the API takes none).
const FILTERED: &str = "filtered by the provider, not the API";

pub fn data_source_schema() -> Schema {
    use hwcloud::paging::{MAX_ITEMS, MAX_PAGES, PAGE_SIZE};
    Schema::new(
        format!(
            "Lists the RDS DB instances that have cross-region (\"offsite\") backups in a \
             region (the backup region): the API `GET /v3/backups/offsite-backup-instance` \
             (`ListOffSiteInstances`), paged through completely. Optional filters narrow the \
             result on the client side. One read lists at most {} instances ({} pages of \
             {PAGE_SIZE}); beyond that the read fails rather than return part of the list.",
            with_thousands(MAX_ITEMS),
            with_thousands(MAX_PAGES),
        ),
        vec![
            common::region(
                "The region to list the instances in (the backup region, where the \
                 cross-region backups are stored). Defaults to the provider's region.",
            ),
            Attribute::string(names::INSTANCE_ID)
                .optional()
                .description(format!(
                    "Only the instance with this ID ({FILTERED}). {}",
                    id_rule()
                )),
            Attribute::string(names::NAME)
                .optional()
                .description(format!(
                    "Only instances with exactly this name ({FILTERED}); must not be empty."
                )),
            Attribute::string(names::SOURCE_REGION)
                .optional()
                .description(format!(
                    "Only instances whose source backup region (where the instance runs) is \
                     this region ({FILTERED}). A region name such as `cn-east-3`."
                )),
            Attribute::string(names::SOURCE_PROJECT_ID)
                .optional()
                .description(format!(
                    "Only instances of this project ID of the tenant in the source backup \
                     region ({FILTERED})."
                )),
            Attribute::string(names::DESTINATION_REGION)
                .optional()
                .description(format!(
                    "Only instances whose cross-region backups are in this region \
                     ({FILTERED})."
                )),
            Attribute::string(names::DESTINATION_PROJECT_ID)
                .optional()
                .description(format!(
                    "Only instances whose cross-region backups are in this project ID of the \
                     tenant in the destination region ({FILTERED})."
                )),
            Attribute::string(names::ENGINE)
                .optional()
                .description(format!(
                    "Only instances of this DB engine, compared with `datastore.type` without \
                 regard to case ({FILTERED}): {}.",
                    one_of(&ENGINES)
                )),
            Attribute::number(names::KEEP_DAYS)
                .optional()
                .description(format!(
                    "Only instances whose cross-region backups are kept this many days \
                 ({FILTERED}); a whole number greater than zero."
                )),
            common::timeouts(),
            common::id(
                "An identifier derived from the region, the project and the filters: the same \
                 query always has the same ID.",
            ),
            Attribute::number(names::TOTAL_COUNT)
                .computed()
                .description(
                    "The total number of records the API reports, before the filters; null if the \
                 API does not report it.",
                ),
            Attribute::nested(names::INSTANCES, Nesting::List, instance_attributes())
                .computed()
                .description(
                    "The instances with cross-region backups, in the order the API returns \
                     them, after the filters. Fields the API omits are null.",
                ),
        ],
    )
}

fn instance_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string(instance_names::ID)
            .computed()
            .description("The instance ID."),
        Attribute::string(instance_names::NAME)
            .computed()
            .description("The instance name."),
        Attribute::string(instance_names::SOURCE_REGION)
            .computed()
            .description("The source backup region: where the instance runs."),
        Attribute::string(instance_names::SOURCE_PROJECT_ID)
            .computed()
            .description("The project ID of the tenant in the source backup region."),
        Attribute::nested(
            instance_names::DATASTORE,
            Nesting::Single,
            vec![
                Attribute::string(instance_names::DATASTORE_TYPE)
                    .computed()
                    .description(format!(
                        "The DB engine: {} (the API's spelling, any case).",
                        one_of(&ENGINES)
                    )),
                Attribute::string(instance_names::DATASTORE_VERSION)
                    .computed()
                    .description("The DB engine version."),
            ],
        )
        .computed()
        .description("The database engine and version."),
        Attribute::string(instance_names::DESTINATION_REGION)
            .computed()
            .description("The region where the cross-region backups are stored."),
        Attribute::string(instance_names::DESTINATION_PROJECT_ID)
            .computed()
            .description("The project ID of the tenant in the destination backup region."),
        Attribute::number(instance_names::KEEP_DAYS)
            .computed()
            .description("The number of days the cross-region backups are kept."),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_description_names_every_engine() {
        let schema = data_source_schema();
        let engine = schema
            .block
            .attributes
            .iter()
            .find(|attribute| attribute.name == names::ENGINE)
            .expect("engine");
        for value in ENGINES {
            assert!(engine.description.contains(&format!("`{value}`")));
        }
    }
}
