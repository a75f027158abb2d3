//! The `rds_offsite_backups` data source: its schema, arguments and read, in the frame of
//! `data_source`.

pub mod arguments;
pub mod schema;
pub mod state;

use std::time::Instant;

use async_trait::async_trait;
use tfplugin::{Diagnostic, Diagnostics, Schema, Value};

use crate::data_source::{Call, Definition, Failure, Hints};

pub const TYPE_NAME: &str = "rds_offsite_backups";

pub struct OffsiteBackupsDataSource;

/// How to get under either limit of one read: fewer backups per query.
pub const NARROW_THE_QUERY: &str = "Narrow the query with begin_time and end_time (a time window), \
     and read several windows with several data sources if needed; name, status and most_recent \
     only filter what was read.";

#[async_trait]
impl Definition for OffsiteBackupsDataSource {
    const TYPE_NAME: &'static str = TYPE_NAME;
    const HINTS: Hints = Hints {
        fewer_pages: Some("narrow the query (begin_time/end_time) so that fewer pages are read"),
        too_many: Some(NARROW_THE_QUERY),
    };
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
        diagnostics: &mut Diagnostics,
    ) -> Result<Value, Failure> {
        let query = hwcloud::OffsiteBackupQuery {
            instance_id: arguments.instance_id.clone(),
            backup_type: arguments.backup_type.clone(),
            backup_id: arguments.backup_id.clone(),
            begin_time: arguments.window.as_ref().map(|w| w.begin_api.clone()),
            end_time: arguments.window.as_ref().map(|w| w.end_api.clone()),
        };
        let mut collector =
            state::Collector::new(arguments, state::STATE_BUDGET).map_err(Failure::Bug)?;
        let started = Instant::now();
        // Each backup is filtered and encoded as it arrives (see state::Collector), so the
        // whole list never exists as structs, cty values and msgpack at once.
        let listing = call
            .client
            .for_each_offsite_backup(&call.region, &query, &call.options, call.cancel, |backup| {
                collector.offer(backup)
            })
            .await?;
        for warning in &listing.warnings {
            diagnostics.push(Diagnostic::warning(
                warning.summary(),
                warning.detail.clone(),
            ));
        }
        let (backups, selected) = collector.finish().map_err(collect_error)?;
        tracing::info!(
            region = %call.region,
            instance_id = %arguments.instance_id,
            total_count = listing.total_count,
            received = listing.received,
            selected,
            requests = listing.requests,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "read rds_offsite_backups"
        );
        Ok(state::state(
            arguments,
            &call.region,
            &listing.project_id,
            listing.total_count,
            backups,
        ))
    }
}

/// Why the selected backups cannot become the state.
fn collect_error(failure: state::CollectError) -> Failure {
    match failure {
        state::CollectError::TooLarge { kept, bytes } => Failure::Diagnostic(Diagnostic::error(
            "Too many backups for one state",
            format!(
                "The first {kept} selected backups already take {bytes} bytes of state, more \
                 than fits in one message of Terraform's plugin protocol ({} MiB), so the read \
                 stopped there.\nHint: {NARROW_THE_QUERY}",
                tfplugin::MAX_MESSAGE_SIZE / (1024 * 1024)
            ),
        )),
        state::CollectError::Encoding(error) => {
            Failure::Bug(format!("a backup does not match the schema: {error}"))
        }
    }
}
