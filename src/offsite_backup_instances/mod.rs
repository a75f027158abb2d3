//! The `rds_offsite_backup_instances` data source (`ListOffSiteInstances`): metadata, schema,
//! validation and read. Shares `timeouts` and the error wording with `rds_offsite_backups`.

pub mod arguments;
pub mod schema;
pub mod state;

use std::ops::ControlFlow;
use std::time::Instant;

use async_trait::async_trait;
use tfplugin::{DataSource, Diagnostic, Diagnostics, ReadResult, Schema, Value};
use tokio_util::sync::CancellationToken;

use crate::offsite_backups::{read_error, timeouts};
use crate::provider::Configured;

pub const TYPE_NAME: &str = "rds_offsite_backup_instances";

pub struct OffsiteBackupInstancesDataSource;

#[async_trait]
impl DataSource<Configured> for OffsiteBackupInstancesDataSource {
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
        let started = Instant::now();
        let options = hwcloud::CallOptions {
            timeout: Some(read_limit),
        };
        let mut instances = Vec::new();
        let listing = match configured
            .client
            .for_each_offsite_instance(&region, &options, &cancel, |instance| {
                if state::matches(&arguments, &instance) {
                    instances.push(state::instance_value(&instance));
                }
                ControlFlow::Continue(())
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
        tracing::info!(
            region = %region,
            total_count = listing.total_count,
            received = listing.received,
            selected = instances.len(),
            requests = listing.requests,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "read {TYPE_NAME}"
        );
        let state = state::state(
            &arguments,
            &region,
            &listing.project_id,
            listing.total_count,
            instances,
        );
        ReadResult {
            state: Some(state),
            diagnostics,
        }
    }
}
