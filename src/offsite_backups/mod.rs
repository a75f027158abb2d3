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

use crate::provider::SharedConfig;

pub const TYPE_NAME: &str = "rds_offsite_backups";

pub struct OffsiteBackupsDataSource {
    config: SharedConfig,
}

impl OffsiteBackupsDataSource {
    pub fn new(config: SharedConfig) -> Self {
        Self { config }
    }
}

#[async_trait]
impl DataSource for OffsiteBackupsDataSource {
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

    async fn read(&self, config: &Value, cancel: CancellationToken) -> ReadResult {
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
        let configured = match self.config.get() {
            Ok(configured) => configured,
            Err(d) => {
                return ReadResult {
                    state: None,
                    diagnostics: d.into(),
                };
            }
        };
        let region = arguments.region.clone().unwrap_or(configured.region);
        let query = hwcloud::OffsiteBackupQuery {
            instance_id: arguments.instance_id.clone(),
            backup_type: arguments.backup_type.clone(),
            backup_id: arguments.backup_id.clone(),
            begin_time: arguments.window.as_ref().map(|w| w.begin_api.clone()),
            end_time: arguments.window.as_ref().map(|w| w.end_api.clone()),
        };

        let started = Instant::now();
        let options = hwcloud::CallOptions {
            timeout: Some(read_limit),
        };
        let list = match configured
            .client
            .list_offsite_backups_with(&region, &query, &options, &cancel)
            .await
        {
            Ok(list) => list,
            Err(error) => {
                diagnostics.push(read_error::diagnostic(&error, read_limit));
                return ReadResult {
                    state: None,
                    diagnostics,
                };
            }
        };
        let received = list.backups.len();
        for warning in &list.warnings {
            diagnostics.push(Diagnostic::warning(
                warning.summary.clone(),
                warning.detail.clone(),
            ));
        }
        let backups = state::select(&arguments, list.backups);
        tracing::info!(
            region = %region,
            instance_id = %arguments.instance_id,
            total_count = list.total_count,
            received,
            selected = backups.len(),
            requests = list.requests,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "read rds_offsite_backups"
        );
        let mut state = state::state(
            &arguments,
            &region,
            &list.project_id,
            list.total_count,
            &backups,
        );
        // `timeouts` is kept in state as written, like every other argument.
        if let Value::Object(attributes) = &mut state {
            let written = config.get(timeouts::ATTRIBUTE).cloned();
            attributes.insert(
                timeouts::ATTRIBUTE.to_owned(),
                written.unwrap_or(Value::Null),
            );
        }
        ReadResult {
            state: Some(state),
            diagnostics,
        }
    }
}
