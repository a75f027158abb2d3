//! The `rds_offsite_backup_policy` data source: the cross-region backup policy of one
//! instance, read in its source region (ShowOffSiteBackupPolicy), in the frame of `data_source`.

pub mod arguments;
pub mod read_error;
pub mod schema;
pub mod state;

use async_trait::async_trait;
use tfplugin::{Diagnostic, Diagnostics, Schema, Value};

use crate::data_source::{Call, Definition, Failure};

pub const TYPE_NAME: &str = "rds_offsite_backup_policy";

/// No hints beyond raising `timeouts.read`: the read is one request.
pub struct OffsiteBackupPolicyDataSource;

#[async_trait]
impl Definition for OffsiteBackupPolicyDataSource {
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
        let answer = call
            .client
            .offsite_backup_policy(
                &call.region,
                &arguments.instance_id,
                &call.options,
                call.cancel,
            )
            .await?;
        tracing::info!(
            region = %call.region,
            instance_id = %arguments.instance_id,
            policies = answer.policies.len(),
            requests = answer.requests,
            "read rds_offsite_backup_policy"
        );
        Ok(state::state(
            arguments,
            &call.region,
            &answer.project_id,
            &answer.policies,
        ))
    }

    fn error_diagnostic(
        &self,
        error: &hwcloud::Error,
        arguments: &arguments::Arguments,
        call: &Call<'_>,
    ) -> Diagnostic {
        read_error::diagnostic(error, call.read_limit, &arguments.instance_id, &call.region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data_source::{Frame, timeouts};
    use tfplugin::DataSource;

    #[tokio::test]
    async fn validate_reports_at_the_attributes() {
        let config = Value::object([
            (schema::names::INSTANCE_ID, Value::from("a b")),
            (schema::names::REGION, Value::Null),
            (
                schema::names::TIMEOUTS,
                Value::object([(timeouts::READ, Value::from("soon"))]),
            ),
            (schema::names::ID, Value::Null),
            (schema::names::POLICIES, Value::Null),
            (schema::names::ENABLED, Value::Null),
        ]);
        let diagnostics: Vec<Diagnostic> = Frame(OffsiteBackupPolicyDataSource)
            .validate(&config)
            .await
            .0;
        let summaries: Vec<&str> = diagnostics.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(summaries, ["Invalid instance_id", "Invalid timeouts.read"]);
    }
}
