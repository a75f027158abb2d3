//! The `rds` provider: its settings and the configured client that data sources share.

pub mod client_error;
pub mod schema;
pub mod setting_table;
pub mod settings;

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use tfplugin::{DataSource, Diagnostic, Diagnostics, Provider, Schema, UnknownConfig, Value};

use crate::offsite_backups::OffsiteBackupsDataSource;

/// Why the provider refuses a configuration that is not wholly known (instead of configuring
/// with unknown values): completes "The value of the attribute "NAME" is not known until
/// apply, but ".
const UNKNOWN_CONFIG_REASON: &str = "Terraform needs it known at plan time: the provider signs its API requests with its configuration, and it sends requests while Terraform plans. Use a value that is known during planning (a literal, a variable, or an attribute of something that already exists).";

/// Log fields that hold the secret half of an AK/SK pair under its short name (`sk`,
/// `huawei_sk`), on top of the generic names `tfplugin::logging` redacts anyway.
pub const SENSITIVE_LOG_FIELDS: &[&str] = &["sk"];

/// What ConfigureProvider produces and every read uses.
#[derive(Clone)]
pub struct Configured {
    pub client: hwcloud::Client,
    /// The provider's region: the default of each data source's `region`.
    pub region: String,
}

/// Set once by ConfigureProvider; read by data sources. Terraform configures a provider
/// instance before any read, so an unset value at read time is a bug worth a clear error.
#[derive(Clone, Default)]
pub struct SharedConfig(Arc<RwLock<Option<Configured>>>);

impl SharedConfig {
    pub fn get(&self) -> Result<Configured, Diagnostic> {
        let guard = self
            .0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        guard.clone().ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "The rds provider was asked to read before it was configured. This is a bug in \
                 Terraform or the provider; please report it.",
            )
        })
    }

    fn set(&self, configured: Configured) {
        *self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(configured);
    }
}

pub struct RdsProvider {
    config: SharedConfig,
    env: fn(&str) -> Option<String>,
}

impl Default for RdsProvider {
    fn default() -> Self {
        Self {
            config: SharedConfig::default(),
            env: settings::process_env,
        }
    }
}

#[async_trait]
impl Provider for RdsProvider {
    fn schema(&self) -> Schema {
        schema::provider_schema()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(OffsiteBackupsDataSource::new(self.config.clone()))]
    }

    async fn validate_config(&self, config: &Value) -> Diagnostics {
        settings::validate(config)
    }

    async fn configure(&self, config: &Value) -> Diagnostics {
        let resolved = match settings::resolve(config, &self.env) {
            Ok(resolved) => resolved,
            Err(diags) => return diags,
        };
        match hwcloud::Client::new(resolved.client) {
            Ok(client) => {
                tracing::debug!(region = %resolved.region, "provider configured");
                self.config.set(Configured {
                    client,
                    region: resolved.region,
                });
                Diagnostics::new()
            }
            Err(error) => Diagnostic::error(error.summary(), client_error::detail(&error)).into(),
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
