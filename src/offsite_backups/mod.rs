//! The `rds_offsite_backups` data source: metadata, schema, validation and read.

pub mod arguments;
pub mod read_error;
pub mod schema;
pub mod state;
pub mod timeouts;

use std::time::Instant;

use async_trait::async_trait;
use tfplugin::{DataSource, Diagnostic, Diagnostics, ReadResult, Schema, Value};
use tokio_util::sync::CancellationToken;

use crate::provider::Configured;

pub const TYPE_NAME: &str = "rds_offsite_backups";

pub struct OffsiteBackupsDataSource;

#[async_trait]
impl DataSource<Configured> for OffsiteBackupsDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::data_source_schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = arguments::examine(config).0;
        diagnostics.extend(timeouts::examine(config).0);
        diagnostics
    }

    async fn read(
        &self,
        configured: &Configured,
        config: &Value,
        cancel: CancellationToken,
    ) -> ReadResult {
        let (mut diagnostics, arguments) = arguments::examine(config);
        let (timeout_diagnostics, read_limit) = timeouts::examine(config);
        diagnostics.extend(timeout_diagnostics);
        let (Some(arguments), Some(read_limit)) = (arguments, read_limit) else {
            if !diagnostics.has_errors() {
                diagnostics.push(Diagnostic::error(
                    "Arguments not known",
                    "rds_offsite_backups was asked to read with arguments that are not known yet; \
                     this is a bug in Terraform or the provider.",
                ));
            }
            return ReadResult {
                state: None,
                diagnostics,
            };
        };
        let region = arguments
            .region
            .clone()
            .unwrap_or_else(|| configured.region.clone());
        let query = hwcloud::OffsiteBackupQuery {
            instance_id: arguments.instance_id.clone(),
            backup_type: arguments.backup_type.clone(),
            backup_id: arguments.backup_id.clone(),
            begin_time: arguments.window.as_ref().map(|w| w.begin_api.clone()),
            end_time: arguments.window.as_ref().map(|w| w.end_api.clone()),
        };

        let mut collector = match state::Collector::new(&arguments, state::STATE_BUDGET) {
            Ok(collector) => collector,
            Err(problem) => {
                diagnostics.push(provider_bug(&problem));
                return ReadResult {
                    state: None,
                    diagnostics,
                };
            }
        };
        let started = Instant::now();
        let options = hwcloud::CallOptions {
            timeout: Some(read_limit),
        };
        // Each backup is filtered and encoded as it arrives (see state::Collector), so the
        // whole list never exists as structs, cty values and msgpack at once.
        let listing = match configured
            .client
            .for_each_offsite_backup(&region, &query, &options, &cancel, |backup| {
                collector.offer(backup)
            })
            .await
        {
            Ok(listing) => listing,
            Err(error) => {
                diagnostics.push(read_error::diagnostic(&error, read_limit));
                return ReadResult {
                    state: None,
                    diagnostics,
                };
            }
        };
        for warning in &listing.warnings {
            diagnostics.push(Diagnostic::warning(
                warning.summary(),
                warning.detail.clone(),
            ));
        }
        let (backups, selected) = match collector.finish() {
            Ok(collected) => collected,
            Err(failure) => {
                diagnostics.push(collect_error(&failure));
                return ReadResult {
                    state: None,
                    diagnostics,
                };
            }
        };
        tracing::info!(
            region = %region,
            instance_id = %arguments.instance_id,
            total_count = listing.total_count,
            received = listing.received,
            selected,
            requests = listing.requests,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "read rds_offsite_backups"
        );
        let state = state::state(
            &arguments,
            &region,
            &listing.project_id,
            listing.total_count,
            backups,
        );
        ReadResult {
            state: Some(state),
            diagnostics,
        }
    }
}

/// How to get under either limit of one read: fewer backups per query.
pub const NARROW_THE_QUERY: &str = "Narrow the query with begin_time and end_time (a time window), \
     and read several windows with several data sources if needed; name, status and most_recent \
     only filter what was read.";

/// The diagnostic when the selected backups cannot become the state.
fn collect_error(failure: &state::CollectError) -> Diagnostic {
    match failure {
        state::CollectError::TooLarge { kept, bytes } => Diagnostic::error(
            "Too many backups for one state",
            format!(
                "The first {kept} selected backups already take {bytes} bytes of state, more \
                 than fits in one message of Terraform's plugin protocol ({} MiB), so the read \
                 stopped there.\nHint: {NARROW_THE_QUERY}",
                tfplugin::MAX_MESSAGE_SIZE / (1024 * 1024)
            ),
        ),
        state::CollectError::Encoding(error) => {
            provider_bug(&format!("a backup does not match the schema: {error}"))
        }
    }
}

fn provider_bug(problem: &str) -> Diagnostic {
    crate::typed_config::provider_bug(TYPE_NAME, problem)
}
