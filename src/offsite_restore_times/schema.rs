//! The `rds_offsite_restore_times` schema. Descriptions follow the API documentation of
//! `ListOffSiteRestoreTimes`.

use tfplugin::{Attribute, Nesting, Schema};

use crate::data_source::schema::{self as common, id_rule};

/// The data source's attribute names, used by the schema, `arguments::examine` and
/// `state::state`.
pub mod names {
    pub const INSTANCE_ID: &str = "instance_id";
    pub const DATE: &str = "date";
    pub const REGION: &str = crate::data_source::names::REGION;
    pub const TIMEOUTS: &str = crate::data_source::names::TIMEOUTS;
    pub const ID: &str = crate::data_source::names::ID;
    pub const RESTORE_TIMES: &str = "restore_times";
    pub const LATEST_RESTORABLE_TIME: &str = "latest_restorable_time";

    /// Every attribute, in schema order: what a configuration object must have exactly.
    pub const ALL: [&str; 7] = [
        INSTANCE_ID,
        DATE,
        REGION,
        TIMEOUTS,
        ID,
        RESTORE_TIMES,
        LATEST_RESTORABLE_TIME,
    ];
}

/// The attribute names of one element of `restore_times`.
pub mod restore_time_names {
    pub const START_TIME: &str = "start_time";
    pub const END_TIME: &str = "end_time";
    pub const START_TIME_MS: &str = "start_time_ms";
    pub const END_TIME_MS: &str = "end_time_ms";
}

/// How the RFC 3339 attributes are written, and what they are good for.
const RFC3339_FORM: &str = "in RFC 3339, in UTC with the suffix `Z`, exact to the millisecond: \
     milliseconds are shown only when they are not zero (`2026-11-25T02:00:00Z`, \
     `2026-11-25T23:59:59.999Z`). Terraform's `timecmp()` and `timeadd()` accept it as it is";

/// What the millisecond attributes are.
const MILLISECONDS_FORM: &str = "in milliseconds since the Unix epoch (UTC), as the API returns \
     it: the form the RDS restore APIs take as the point in time to restore to";

pub fn data_source_schema() -> Schema {
    use restore_time_names::{END_TIME, END_TIME_MS, START_TIME, START_TIME_MS};
    Schema::new(
        "Lists the time ranges a Huawei Cloud RDS instance can be restored to from its \
         cross-region (\"offsite\") backups, as stored in the backup region: the API \
         `GET /v3/{project_id}/instances/{instance_id}/offsite-restore-time` \
         (ListOffSiteRestoreTimes), one request. `latest_restorable_time` is the latest point \
         in time any of them reaches.",
        vec![
            Attribute::string(names::INSTANCE_ID)
                .required()
                .description(format!(
                    "The ID of the DB instance whose restore times are listed. {}",
                    id_rule()
                )),
            Attribute::string(names::DATE)
                .optional()
                .description(format!(
                    "Only the parts of the time ranges within this day (UTC, from `00:00:00Z` to \
                 `23:59:59.999Z`): {}. It must be a real calendar date (`2026-02-30` is \
                 refused). Unset: the whole ranges.",
                    hwcloud::RESTORE_DATE_FORMAT
                )),
            common::region(
                "The region to read the restore times in (the backup region). Defaults to the \
                 provider's region.",
            ),
            common::timeouts(),
            common::id(
                "An identifier derived from the region, the project and the arguments: the same \
                 query always has the same ID.",
            ),
            Attribute::nested(
                names::RESTORE_TIMES,
                Nesting::List,
                vec![
                    Attribute::string(START_TIME)
                        .computed()
                        .description(format!(
                            "Start of the time range (included), {RFC3339_FORM}. Null if the API \
                         omits it."
                        )),
                    Attribute::string(END_TIME).computed().description(format!(
                        "End of the time range (included), {RFC3339_FORM}. Null if the API \
                         omits it."
                    )),
                    Attribute::number(START_TIME_MS)
                        .computed()
                        .description(format!("`start_time` {MILLISECONDS_FORM}.")),
                    Attribute::number(END_TIME_MS)
                        .computed()
                        .description(format!("`end_time` {MILLISECONDS_FORM}.")),
                ],
            )
            .computed()
            .description(
                "The time ranges the instance can be restored to, in the order the API returns \
                 them; empty when there is none (on `date`).",
            ),
            Attribute::string(names::LATEST_RESTORABLE_TIME)
                .computed()
                .description(format!(
                    "The greatest `end_time` of `restore_times`, {RFC3339_FORM}. Null when \
                     there is no time range."
                )),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_say_what_is_accepted() {
        let schema = data_source_schema();
        let description = |name: &str| {
            schema
                .attribute(name)
                .map(|attribute| attribute.description.clone())
                .unwrap_or_else(|| panic!("no attribute {name}"))
        };
        assert!(description(names::DATE).contains("`YYYY-MM-DD`"));
        assert!(description(names::DATE).contains("`2026-02-30` is refused"));
        assert!(description(names::LATEST_RESTORABLE_TIME).contains("`timecmp()` and `timeadd()`"));
    }
}
