//! The `rds_offsite_backup_policy` data source: the cross-region backup policy of one
//! instance, read in its source region (ShowOffSiteBackupPolicy).

pub mod arguments;
pub mod read_error;
pub mod schema;
pub mod state;

use async_trait::async_trait;
use tfplugin::{DataSource, Diagnostics, ReadResult, Schema, Value};
use tokio_util::sync::CancellationToken;

use crate::offsite_backups::timeouts;
use crate::provider::Configured;

pub const TYPE_NAME: &str = "rds_offsite_backup_policy";

pub struct OffsiteBackupPolicyDataSource;

#[async_trait]
impl DataSource<Configured> for OffsiteBackupPolicyDataSource {
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
                diagnostics.push(crate::typed_config::provider_bug(
                    TYPE_NAME,
                    "asked to read with arguments that are not known yet (a bug in Terraform \
                     or the provider)",
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
        let options = hwcloud::CallOptions {
            timeout: Some(read_limit),
        };
        let answer = match configured
            .client
            .offsite_backup_policy(&region, &arguments.instance_id, &options, &cancel)
            .await
        {
            Ok(answer) => answer,
            Err(error) => {
                diagnostics.push(read_error::diagnostic(
                    &error,
                    read_limit,
                    &arguments.instance_id,
                    &region,
                ));
                return ReadResult {
                    state: None,
                    diagnostics,
                };
            }
        };
        tracing::info!(
            region = %region,
            instance_id = %arguments.instance_id,
            policies = answer.policies.len(),
            requests = answer.requests,
            "read rds_offsite_backup_policy"
        );
        let state = state::state(&arguments, &region, &answer.project_id, &answer.policies);
        ReadResult {
            state: Some(state),
            diagnostics,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::Diagnostic;

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
        let diagnostics: Vec<Diagnostic> = OffsiteBackupPolicyDataSource.validate(&config).await.0;
        let summaries: Vec<&str> = diagnostics.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(summaries, ["Invalid instance_id", "Invalid timeouts.read"]);
    }
}
