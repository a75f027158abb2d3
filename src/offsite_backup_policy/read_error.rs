//! A failed read as a diagnostic. An instance the region does not know names the instance and
//! the region, with the hint that the policy lives in the instance's source region; a passed
//! time limit points at `timeouts.read`; everything else is worded by the frame
//! (`data_source::read_error`).

use std::time::Duration;

use hwcloud::ErrorKind;
use tfplugin::Diagnostic;

use crate::data_source::{Hints, read_error, timeouts};
use crate::offsite_backup_policy::schema::names::{INSTANCE_ID, REGION};
use crate::provider::client_error;

/// Where the policy is read, for the not-found hint.
pub const SOURCE_REGION_HINT: &str = "The offsite backup policy is read in the instance's own \
     (source) region, where the instance runs, not in the backup region its backups are copied \
     to: set region on this data source to the instance's source region (the source_region \
     that rds_offsite_backup_instances reports in the backup region).";

/// The diagnostic for `error` while reading `instance_id` in `region`.
pub fn diagnostic(
    error: &hwcloud::Error,
    read_limit: Duration,
    instance_id: &str,
    region: &str,
) -> Diagnostic {
    match error.kind() {
        ErrorKind::InstanceNotFound => Diagnostic::error(
            format!("RDS instance {instance_id} not found in region {region}"),
            format!(
                "{}: region {region} ({REGION}) has no DB instance {instance_id} \
                 ({INSTANCE_ID}).\n{}\nHint: {SOURCE_REGION_HINT}",
                error.summary(),
                client_error::detail(error)
            ),
        ),
        ErrorKind::DeadlineExceeded => Diagnostic::error(
            error.summary(),
            format!(
                "{}\nHint: the read's time limit is timeouts.read ({}); if the API is slow or \
                 throttling, raise it in the data source, e.g. timeouts = {{ read = \"30m\" }}.",
                client_error::detail(error),
                limit_text(read_limit)
            ),
        ),
        _ => read_error::diagnostic(error, read_limit, Hints::NONE),
    }
}

/// `read_limit` as the default's text when it is the default, else in seconds.
fn limit_text(read_limit: Duration) -> String {
    if read_limit == timeouts::DEFAULT_READ {
        format!("default {}", timeouts::DEFAULT_READ_TEXT)
    } else {
        format!("{}s", read_limit.as_secs_f64())
    }
}
