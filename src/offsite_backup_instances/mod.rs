//! The `rds_offsite_backup_instances` data source (`ListOffSiteInstances`): its schema,
//! arguments and read, in the frame of `data_source`.

pub mod arguments;
pub mod schema;
pub mod state;

use std::ops::ControlFlow;
use std::time::Instant;

use async_trait::async_trait;
use tfplugin::{Diagnostic, Diagnostics, Schema, Value};

use crate::data_source::{Call, Definition, Failure};

pub const TYPE_NAME: &str = "rds_offsite_backup_instances";

/// No hints beyond raising `timeouts.read`: the API takes no filter, so a read always lists
/// every instance of the region.
pub struct OffsiteBackupInstancesDataSource;

#[async_trait]
impl Definition for OffsiteBackupInstancesDataSource {
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
        diagnostics: &mut Diagnostics,
    ) -> Result<Value, Failure> {
        let started = Instant::now();
        let mut instances = Vec::new();
        let listing = call
            .client
            .for_each_offsite_instance(&call.region, &call.options, call.cancel, |instance| {
                if state::matches(arguments, &instance) {
                    instances.push(state::instance_value(&instance));
                }
                ControlFlow::Continue(())
            })
            .await?;
        for warning in &listing.warnings {
            diagnostics.push(Diagnostic::warning(
                warning.summary(),
                warning.detail.clone(),
            ));
        }
        tracing::info!(
            region = %call.region,
            total_count = listing.total_count,
            received = listing.received,
            selected = instances.len(),
            requests = listing.requests,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "read {TYPE_NAME}"
        );
        Ok(state::state(
            arguments,
            &call.region,
            &listing.project_id,
            listing.total_count,
            instances,
        ))
    }
}
