//! The frame every data source is written in: a data source is its schema, its arguments and
//! its read ([`Definition`]); [`Frame`] turns a definition into a `tfplugin::DataSource`.
//!
//! The frame does what every read does: it examines the arguments and `timeouts.read`
//! ([`timeouts`]), resolves the region (the provider's unless `region` is set), builds the
//! client's `CallOptions` and hands them with the StopProvider token to
//! [`Definition::read`], and words a failure ([`read_error`], or the data source's own
//! [`Definition::error_diagnostic`]). Shared pieces: argument readers ([`arguments`]),
//! schema attributes and description helpers ([`schema`]) and the deterministic id ([`id`]).

pub mod arguments;
pub mod id;
pub mod read_error;
pub mod schema;
pub mod timeouts;

use std::time::Duration;

use async_trait::async_trait;
use tfplugin::{DataSource, Diagnostic, Diagnostics, ReadResult, Schema, Value};
use tokio_util::sync::CancellationToken;

use crate::provider::Configured;

/// The attribute names every data source has, read by the shared readers in [`arguments`]
/// and declared by [`schema`]. Each data source's own `names` module re-exports them.
pub mod names {
    pub const REGION: &str = "region";
    pub const ID: &str = "id";
    pub const TIMEOUTS: &str = super::timeouts::ATTRIBUTE;
}

/// What a data source tells a user whose read took too long or listed too much. Each data
/// source supplies its own: a hint that names arguments it does not have misleads.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints {
    /// How to read fewer pages, completing "raise it …, or {fewer_pages}" after a passed
    /// `timeouts.read`; `None` when only raising the limit helps.
    pub fewer_pages: Option<&'static str>,
    /// The hint after the page limit (`Error::TooManyItems`) or the state's size limit.
    pub too_many: Option<&'static str>,
}

impl Hints {
    pub const NONE: Hints = Hints {
        fewer_pages: None,
        too_many: None,
    };
}

/// What one read gets from the frame: the client, the region it reads in, the call's limits
/// and the StopProvider token.
pub struct Call<'a> {
    pub client: &'a hwcloud::Client,
    /// `region` if set, else the provider's region.
    pub region: String,
    /// `timeouts.read` as the client's deadline.
    pub options: hwcloud::CallOptions,
    /// `timeouts.read`, for the wording of a passed deadline.
    pub read_limit: Duration,
    pub cancel: &'a CancellationToken,
}

/// Why a read produced no state.
#[derive(Debug)]
pub enum Failure {
    /// The client failed: worded by [`Definition::error_diagnostic`].
    Client(hwcloud::Error),
    /// A mistake in the provider (a value that does not fit the schema, say).
    Bug(String),
    /// Already worded by the data source.
    Diagnostic(Diagnostic),
}

impl From<hwcloud::Error> for Failure {
    fn from(error: hwcloud::Error) -> Failure {
        Failure::Client(error)
    }
}

/// A data source: its type name, schema, arguments and read. Everything else is the frame's.
#[async_trait]
pub trait Definition: Send + Sync + 'static {
    /// The full type name, e.g. `rds_offsite_backups`.
    const TYPE_NAME: &'static str;
    /// This data source's hints (none by default).
    const HINTS: Hints = Hints::NONE;
    /// Wholly known, valid arguments.
    type Arguments: Send + Sync;

    fn schema(&self) -> Schema;

    /// Checks every rule on the known values; the arguments too when everything is known and
    /// valid (always the case at read time). `timeouts` is checked by the frame.
    fn examine(&self, config: &Value) -> (Diagnostics, Option<Self::Arguments>);

    /// The `region` argument, if set.
    fn region(arguments: &Self::Arguments) -> Option<&str>;

    /// The read: the state, or why there is none. Warnings go to `diagnostics`.
    async fn read(
        &self,
        call: &Call<'_>,
        arguments: &Self::Arguments,
        diagnostics: &mut Diagnostics,
    ) -> Result<Value, Failure>;

    /// A failed call as a diagnostic; by default [`read_error::diagnostic`] with
    /// [`Self::HINTS`].
    fn error_diagnostic(
        &self,
        error: &hwcloud::Error,
        _arguments: &Self::Arguments,
        call: &Call<'_>,
    ) -> Diagnostic {
        read_error::diagnostic(error, call.read_limit, Self::HINTS)
    }
}

/// A [`Definition`] as the `tfplugin::DataSource` the provider registers.
pub struct Frame<D>(pub D);

#[async_trait]
impl<D: Definition> DataSource<Configured> for Frame<D> {
    fn type_name(&self) -> &'static str {
        D::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = self.0.examine(config).0;
        diagnostics.extend(timeouts::examine(config).0);
        diagnostics
    }

    async fn read(
        &self,
        configured: &Configured,
        config: &Value,
        cancel: CancellationToken,
    ) -> ReadResult {
        let (mut diagnostics, arguments) = self.0.examine(config);
        let (timeout_diagnostics, read_limit) = timeouts::examine(config);
        diagnostics.extend(timeout_diagnostics);
        let (Some(arguments), Some(read_limit)) = (arguments, read_limit) else {
            if !diagnostics.has_errors() {
                diagnostics.push(Diagnostic::error(
                    "Arguments not known",
                    format!(
                        "{} was asked to read with arguments that are not known yet; this is \
                         a bug in Terraform or the provider.",
                        D::TYPE_NAME
                    ),
                ));
            }
            return ReadResult {
                state: None,
                diagnostics,
            };
        };
        let call = Call {
            client: &configured.client,
            region: D::region(&arguments).map_or_else(|| configured.region.clone(), str::to_owned),
            options: hwcloud::CallOptions {
                timeout: Some(read_limit),
            },
            read_limit,
            cancel: &cancel,
        };
        let state = match self.0.read(&call, &arguments, &mut diagnostics).await {
            Ok(state) => Some(state),
            Err(failure) => {
                diagnostics.push(match failure {
                    Failure::Client(error) => self.0.error_diagnostic(&error, &arguments, &call),
                    Failure::Bug(problem) => provider_bug::<D>(&problem),
                    Failure::Diagnostic(diagnostic) => diagnostic,
                });
                None
            }
        };
        ReadResult { state, diagnostics }
    }
}

/// A mistake in the provider, naming the data source.
pub fn provider_bug<D: Definition>(problem: &str) -> Diagnostic {
    crate::typed_config::provider_bug(D::TYPE_NAME, problem)
}

#[cfg(test)]
mod tests {
    use tfplugin::Schema;

    /// Each data source's `names::ALL` is its schema's attributes, in order, and each schema
    /// is well formed: the names the decoder and the state use are the schema's.
    #[test]
    fn every_data_sources_names_are_its_schemas_attributes_in_order() {
        let cases: [(&str, Schema, &[&str]); 4] = [
            (
                "rds_offsite_backups",
                crate::offsite_backups::schema::data_source_schema(),
                &crate::offsite_backups::schema::names::ALL,
            ),
            (
                "rds_offsite_backup_instances",
                crate::offsite_backup_instances::schema::data_source_schema(),
                &crate::offsite_backup_instances::schema::names::ALL,
            ),
            (
                "rds_offsite_restore_times",
                crate::offsite_restore_times::schema::data_source_schema(),
                &crate::offsite_restore_times::schema::names::ALL,
            ),
            (
                "rds_offsite_backup_policy",
                crate::offsite_backup_policy::schema::data_source_schema(),
                &crate::offsite_backup_policy::schema::names::ALL,
            ),
        ];
        for (type_name, schema, all) in cases {
            let declared: Vec<&str> = schema
                .block
                .attributes
                .iter()
                .map(|attribute| attribute.name.as_str())
                .collect();
            assert_eq!(declared, all, "{type_name}");
            assert!(
                schema.problems().is_empty(),
                "{type_name}: {:?}",
                schema.problems()
            );
        }
    }
}
