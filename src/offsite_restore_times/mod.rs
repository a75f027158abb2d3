//! The `rds_offsite_restore_times` data source: the time ranges an instance can be restored to
//! from its cross-region backups (`ListOffSiteRestoreTimes`), in the frame of `data_source`.

pub mod arguments;
pub mod schema;
pub mod state;

use std::time::Instant;

use async_trait::async_trait;
use tfplugin::{Diagnostic, Diagnostics, Schema, Value};

use crate::data_source::{Call, Definition, Failure, read_error};
use crate::provider::client_error;

pub const TYPE_NAME: &str = "rds_offsite_restore_times";

/// No hints beyond raising `timeouts.read`: the read is one request.
pub struct OffsiteRestoreTimesDataSource;

#[async_trait]
impl Definition for OffsiteRestoreTimesDataSource {
    const TYPE_NAME: &'static str = TYPE_NAME;
    type Arguments = arguments::Arguments;

    fn schema(&self) -> Schema {
        schema::data_source_schema()
    }

    fn examine(&self, config: &Value) -> (Diagnostics, Option<arguments::Arguments>) {
        arguments::examine(config)
    }

    fn region(arguments: &arguments::Arguments) -> Option<&str> {
        arguments.region.as_deref()
    }

    async fn read(
        &self,
        call: &Call<'_>,
        arguments: &arguments::Arguments,
        _diagnostics: &mut Diagnostics,
    ) -> Result<Value, Failure> {
        let query = hwcloud::OffsiteRestoreTimeQuery {
            instance_id: arguments.instance_id.clone(),
            date: arguments.date.clone(),
        };
        let started = Instant::now();
        let answer = call
            .client
            .list_offsite_restore_times(&call.region, &query, &call.options, call.cancel)
            .await?;
        tracing::info!(
            region = %call.region,
            instance_id = %arguments.instance_id,
            windows = answer.restore_times.len(),
            requests = answer.requests,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "read {TYPE_NAME}"
        );
        state::state(
            arguments,
            &call.region,
            &answer.project_id,
            &answer.restore_times,
        )
        .map_err(Failure::Bug)
    }

    /// An unknown instance names the instance and the region; anything else as the frame
    /// words it.
    fn error_diagnostic(
        &self,
        error: &hwcloud::Error,
        arguments: &arguments::Arguments,
        call: &Call<'_>,
    ) -> Diagnostic {
        if error.kind() != hwcloud::ErrorKind::InstanceNotFound {
            return read_error::diagnostic(error, call.read_limit, Self::HINTS);
        }
        let region = &call.region;
        Diagnostic::error(
            format!(
                "DB instance {} not found in region {region}",
                arguments.instance_id
            ),
            format!(
                "The API reports no DB instance {} in region {region} ({}).\n{}\nHint: check \
                 instance_id, and set region to the backup region, where the instance's \
                 cross-region backups are stored (the provider's region unless region is set).",
                arguments.instance_id,
                error.summary(),
                client_error::detail(error)
            ),
        )
        .at(tfplugin::AttributePath::root(schema::names::INSTANCE_ID))
    }
}
