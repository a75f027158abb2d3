//! The `rds_offsite_restore_times` data source: the time ranges an instance can be restored to
//! from its cross-region backups (`ListOffSiteRestoreTimes`).

pub mod arguments;
pub mod schema;
pub mod state;

use std::time::{Duration, Instant};

use async_trait::async_trait;
use tfplugin::{DataSource, Diagnostic, Diagnostics, ReadResult, Schema, Value};
use tokio_util::sync::CancellationToken;

use crate::offsite_backups::{read_error, timeouts};
use crate::provider::{Configured, client_error};

pub const TYPE_NAME: &str = "rds_offsite_restore_times";

pub struct OffsiteRestoreTimesDataSource;

#[async_trait]
impl DataSource<Configured> for OffsiteRestoreTimesDataSource {
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
                    format!(
                        "{TYPE_NAME} was asked to read with arguments that are not known yet; \
                         this is a bug in Terraform or the provider."
                    ),
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
        let query = hwcloud::OffsiteRestoreTimeQuery {
            instance_id: arguments.instance_id.clone(),
            date: arguments.date.clone(),
        };
        let options = hwcloud::CallOptions {
            timeout: Some(read_limit),
        };
        let started = Instant::now();
        let answer = match configured
            .client
            .list_offsite_restore_times(&region, &query, &options, &cancel)
            .await
        {
            Ok(answer) => answer,
            Err(error) => {
                diagnostics.push(error_diagnostic(&error, &arguments, &region, read_limit));
                return ReadResult {
                    state: None,
                    diagnostics,
                };
            }
        };
        tracing::info!(
            region = %region,
            instance_id = %arguments.instance_id,
            windows = answer.restore_times.len(),
            requests = answer.requests,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "read {TYPE_NAME}"
        );
        match state::state(
            &arguments,
            &region,
            &answer.project_id,
            &answer.restore_times,
        ) {
            Ok(state) => ReadResult {
                state: Some(state),
                diagnostics,
            },
            Err(problem) => {
                diagnostics.push(crate::typed_config::provider_bug(TYPE_NAME, &problem));
                ReadResult {
                    state: None,
                    diagnostics,
                }
            }
        }
    }
}

/// A failed read: an unknown instance names the instance and the region; anything else as
/// `rds_offsite_backups` words it.
fn error_diagnostic(
    error: &hwcloud::Error,
    arguments: &arguments::Arguments,
    region: &str,
    read_limit: Duration,
) -> Diagnostic {
    if error.kind() != hwcloud::ErrorKind::InstanceNotFound {
        return read_error::diagnostic(error, read_limit);
    }
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
