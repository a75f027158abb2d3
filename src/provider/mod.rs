//! The `rds` provider: its settings and the configured client that every read receives.

pub mod assume_role;
pub mod auth_url;
pub mod ca_certificates;
pub mod client_error;
pub mod credential_chain;
pub mod profile;
pub mod schema;
pub mod setting_table;
pub mod settings;

use std::sync::Arc;

use async_trait::async_trait;
use tfplugin::{
    ConfigureOk, ConfigureResult, DataSource, Diagnostic, Diagnostics, Provider, Schema,
    UnknownConfig, Value,
};

use crate::data_source::Frame;
use crate::offsite_backup_instances::OffsiteBackupInstancesDataSource;
use crate::offsite_backup_policy::OffsiteBackupPolicyDataSource;
use crate::offsite_backups::OffsiteBackupsDataSource;
use crate::offsite_restore_times::OffsiteRestoreTimesDataSource;

/// Why the provider refuses a configuration that is not wholly known (instead of configuring
/// with unknown values): completes "The value of the attribute "NAME" is not known until
/// apply, but ".
const UNKNOWN_CONFIG_REASON: &str = "Terraform needs it known at plan time: the provider signs its API requests with its configuration, and it sends requests while Terraform plans. Use a value that is known during planning (a literal, a variable, or an attribute of something that already exists).";

/// Log fields that hold the secret half of an AK/SK pair under its short name (`sk`,
/// `huawei_sk`), on top of the generic names tfplugin's log layer redacts anyway.
pub const SENSITIVE_LOG_FIELDS: &[&str] = &["sk"];

/// What ConfigureProvider produces and every read receives (kept by `tfplugin`'s server).
#[derive(Clone)]
pub struct Configured {
    pub client: hwcloud::Client,
    /// The provider's region: the default of each data source's `region`.
    pub region: String,
}

pub struct RdsProvider {
    env: fn(&str) -> Option<String>,
}

impl Default for RdsProvider {
    fn default() -> Self {
        Self {
            env: settings::process_env,
        }
    }
}

#[async_trait]
impl Provider for RdsProvider {
    type Configured = Configured;

    fn schema(&self) -> Schema {
        schema::provider_schema()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Configured>>> {
        vec![
            Arc::new(Frame(OffsiteBackupsDataSource)),
            Arc::new(Frame(OffsiteRestoreTimesDataSource)),
            Arc::new(Frame(OffsiteBackupPolicyDataSource)),
            Arc::new(Frame(OffsiteBackupInstancesDataSource)),
        ]
    }

    async fn validate_config(&self, config: &Value) -> Diagnostics {
        settings::validate(config)
    }

    async fn configure(&self, config: &Value) -> ConfigureResult<Configured> {
        let resolved = settings::resolve(config, &self.env)?;
        match hwcloud::Client::new(resolved.client) {
            Ok(client) => {
                tracing::debug!(region = %resolved.region, "provider configured");
                Ok(ConfigureOk::new(Configured {
                    client,
                    region: resolved.region,
                }))
            }
            Err(error) => {
                Err(Diagnostic::error(error.summary(), client_error::detail(&error)).into())
            }
        }
    }

    /// Deliberate: an unknown provider configuration is an error, not a deferral, because
    /// every read needs the configuration to sign its requests.
    fn unknown_config(&self) -> UnknownConfig {
        UnknownConfig::Error {
            reason: UNKNOWN_CONFIG_REASON.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_configuration_is_refused_with_the_reason_requests_are_signed() {
        let UnknownConfig::Error { reason } = RdsProvider::default().unknown_config() else {
            panic!("an unknown configuration must be refused");
        };
        assert!(
            reason.contains("known at plan time") && reason.contains("signs"),
            "{reason}"
        );
    }
}
