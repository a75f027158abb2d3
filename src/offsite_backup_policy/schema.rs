//! The `rds_offsite_backup_policy` schema. Descriptions follow the API documentation of
//! `ShowOffSiteBackupPolicy`; they feed `terraform providers schema -json` and the generated
//! `docs/data-sources` page.

use tfplugin::{Attribute, Nesting, Schema};

use crate::data_source::schema::{self as common, id_rule};

/// The data source's attribute names, used by the schema, `arguments::examine` and
/// `state::state`.
pub mod names {
    pub const INSTANCE_ID: &str = "instance_id";
    pub const REGION: &str = crate::data_source::names::REGION;
    pub const TIMEOUTS: &str = crate::data_source::names::TIMEOUTS;
    pub const ID: &str = crate::data_source::names::ID;
    pub const POLICIES: &str = "policies";
    pub const ENABLED: &str = "enabled";

    /// Every attribute, in schema order: what a configuration object must have exactly.
    pub const ALL: [&str; 6] = [INSTANCE_ID, REGION, TIMEOUTS, ID, POLICIES, ENABLED];
}

/// The attribute names of one element of `policies` (the API's field names).
pub mod policy_names {
    pub const BACKUP_TYPE: &str = "backup_type";
    pub const KEEP_DAYS: &str = "keep_days";
    pub const DESTINATION_REGION: &str = "destination_region";
    pub const DESTINATION_PROJECT_ID: &str = "destination_project_id";
}

pub fn data_source_schema() -> Schema {
    Schema::new(
        "Reads the cross-region (\"offsite\") backup policy of a Huawei Cloud RDS instance: the \
         API `GET /v3/{project_id}/instances/{instance_id}/backups/offsite-policy` \
         (ShowOffSiteBackupPolicy). Unlike the other data sources of this provider, it reads in \
         the instance's own (source) region, where the backups are made, not in the backup \
         region they are copied to.",
        vec![
            Attribute::string(names::INSTANCE_ID)
                .required()
                .description(format!(
                    "The ID of the DB instance whose cross-region backup policy is read. {}",
                    id_rule()
                )),
            common::region(
                "The region to read the policy in: it must be the instance's own (source) \
                 region, where the instance runs, not the backup (destination) region the \
                 other data sources read in. Defaults to the provider's region.",
            ),
            common::timeouts(),
            common::id(
                "An identifier derived from the region, its project and the instance ID: the \
                 same query always has the same ID.",
            ),
            Attribute::nested(names::POLICIES, Nesting::List, policy_attributes())
                .computed()
                .description(
                    "The cross-region backup policy, one element per backup type, in the order \
                     the API returns them; empty when the instance has no cross-region backup \
                     policy. Fields the API omits are null.",
                ),
            Attribute::bool(names::ENABLED).computed().description(
                "Whether cross-region backup is on: `true` when any element of `policies` keeps \
                 backups (`keep_days` greater than 0), `false` otherwise (also when `policies` \
                 is empty).",
            ),
        ],
    )
}

fn policy_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string(policy_names::BACKUP_TYPE)
            .computed()
            .description(
                "The backup type: `auto` (automated full backups), `incremental` (automated \
                 incremental backups) or `manual` (manual backups, returned only for RDS for \
                 SQL Server).",
            ),
        Attribute::number(policy_names::KEEP_DAYS)
            .computed()
            .description("The number of days the backup files are kept."),
        Attribute::string(policy_names::DESTINATION_REGION)
            .computed()
            .description("The ID of the destination region of the cross-region backup policy."),
        Attribute::string(policy_names::DESTINATION_PROJECT_ID)
            .computed()
            .description(
                "The ID of the destination project of the cross-region backup policy (the \
                 project of the destination region).",
            ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_description_says_source_region() {
        let schema = data_source_schema();
        let region = schema
            .block
            .attributes
            .iter()
            .find(|attribute| attribute.name == names::REGION)
            .expect("region");
        assert!(region.description.contains("own (source) region"));
    }
}
