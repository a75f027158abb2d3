//! Terraform's `tfplugin6.Provider` service, mapped onto the [`Provider`]/[`DataSource`] traits.
//!
//! The service owns the protocol chores: decoding configuration values against the schema,
//! checking what the provider returns, turning panics and decoding failures into diagnostics,
//! StopProvider cancellation, and a clear answer for every RPC this kind of provider (data
//! sources only) does not support.

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use futures::FutureExt;
use tonic::{Request, Response, Status, Streaming};
use tracing::Instrument;

use super::stop::StopSignal;
use crate::convert::{
    decode_dynamic_value, diagnostic_to_proto, diagnostics_to_proto, encode_state, schema_to_proto,
};
use crate::cty::{Type, Value};
use crate::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::panic::panic_message;
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server::Provider as ProviderRpc;
use crate::schema::Schema;
use crate::{DataSource, Provider};

/// A data source with its schema and value type computed once.
struct RegisteredDataSource {
    source: Arc<dyn DataSource>,
    schema: Schema,
    value_type: Type,
}

pub(crate) struct ProviderService {
    provider: Arc<dyn Provider>,
    /// Short provider name used in messages, e.g. `rds`.
    provider_name: String,
    provider_schema: Schema,
    provider_type: Type,
    data_sources: BTreeMap<String, RegisteredDataSource>,
    stop: Arc<StopSignal>,
}

impl ProviderService {
    pub(crate) fn new(
        provider: Arc<dyn Provider>,
        provider_name: String,
        stop: Arc<StopSignal>,
    ) -> Self {
        let provider_schema = provider.schema();
        let provider_type = provider_schema.value_type();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|source| {
                let schema = source.schema();
                let value_type = schema.value_type();
                (
                    source.type_name().to_owned(),
                    RegisteredDataSource {
                        source,
                        schema,
                        value_type,
                    },
                )
            })
            .collect();
        Self {
            provider,
            provider_name,
            provider_schema,
            provider_type,
            data_sources,
            stop,
        }
    }

    fn server_capabilities() -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: false,
            // The schema never changes within a provider version: Terraform may cache it.
            get_provider_schema_optional: true,
            move_resource_state: false,
            generate_resource_config: false,
        }
    }

    fn data_source(&self, type_name: &str) -> Result<&RegisteredDataSource, Diagnostic> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source type",
                format!(
                    "The {} provider has no data source \"{type_name}\"; it offers {}.",
                    self.provider_name,
                    self.offer()
                ),
            )
        })
    }

    /// "the data source x" / "the data sources x, y" / "no data sources".
    fn offer(&self) -> String {
        let names: Vec<&str> = self.data_sources.keys().map(String::as_str).collect();
        match names.as_slice() {
            [] => "no data sources".to_owned(),
            [only] => format!("only the data source {only}"),
            many => format!("only the data sources {}", many.join(", ")),
        }
    }

    /// The answer to any RPC about something this provider does not have.
    fn unsupported(&self, kinds: &str, type_name: &str) -> Diagnostic {
        let requested = if type_name.is_empty() {
            String::new()
        } else {
            format!(" (\"{type_name}\" was requested)")
        };
        Diagnostic::error(
            format!("The {} provider has no {kinds}", self.provider_name),
            format!(
                "{} has no {kinds}{requested}; it offers {}.",
                self.provider_name,
                self.offer()
            ),
        )
    }

    fn unsupported_proto(&self, kinds: &str, type_name: &str) -> Vec<pb::Diagnostic> {
        vec![diagnostic_to_proto(self.unsupported(kinds, type_name))]
    }
}

/// Runs one RPC inside a span naming it (so provider logs carry `tf_rpc`), logging its
/// arrival and elapsed time at debug level.
async fn observe<T>(rpc: &'static str, type_name: &str, body: impl Future<Output = T>) -> T {
    let span = tracing::info_span!("rpc", tf_rpc = rpc, tf_type_name = tracing::field::Empty);
    if !type_name.is_empty() {
        span.record("tf_type_name", type_name);
    }
    async move {
        let started = Instant::now();
        tracing::debug!("received request");
        let output = body.await;
        tracing::debug!(
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "served request"
        );
        output
    }
    .instrument(span)
    .await
}

/// Runs provider code, turning a panic into an error diagnostic so one bug does not take down
/// the whole process (the panic hook has already written the `panic: ` line).
async fn guard_panics<T>(what: &str, body: impl Future<Output = T>) -> Result<T, Diagnostic> {
    AssertUnwindSafe(body).catch_unwind().await.map_err(|payload| {
        Diagnostic::error(
            "Provider bug: panic",
            format!(
                "provider bug: the provider panicked during {what}: {}. Please report this issue to the provider developers.",
                panic_message(payload.as_ref())
            ),
        )
    })
}

/// One error diagnostic per top-level attribute whose value is not yet known.
fn unknown_attributes(config: &Value, what: &str) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    match config {
        Value::Object(attributes) => {
            for name in attributes
                .iter()
                .filter(|(_, value)| !value.is_wholly_known())
                .map(|(name, _)| name)
            {
                diagnostics.push(
                    Diagnostic::error(
                        format!("{what} value not known"),
                        format!(
                            "The value of \"{name}\" is not known until apply, but it is needed now. Use a value that is known during planning."
                        ),
                    )
                    .at(AttributePath::root(name.clone())),
                );
            }
        }
        _ if !config.is_wholly_known() => {
            diagnostics.push(Diagnostic::error(
                format!("{what} not known"),
                format!("The {what} is not known until apply."),
            ));
        }
        _ => {}
    }
    diagnostics
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl ProviderRpc for ProviderService {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        observe("GetMetadata", "", async {
            Ok(Response::new(pb::get_metadata::Response {
                server_capabilities: Some(Self::server_capabilities()),
                data_sources: self
                    .data_sources
                    .keys()
                    .map(|type_name| pb::get_metadata::DataSourceMetadata {
                        type_name: type_name.clone(),
                    })
                    .collect(),
                ..Default::default()
            }))
        })
        .await
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        observe("GetProviderSchema", "", async {
            Ok(Response::new(pb::get_provider_schema::Response {
                provider: Some(schema_to_proto(&self.provider_schema)),
                data_source_schemas: self
                    .data_sources
                    .iter()
                    .map(|(type_name, registered)| {
                        (type_name.clone(), schema_to_proto(&registered.schema))
                    })
                    .collect(),
                server_capabilities: Some(Self::server_capabilities()),
                ..Default::default()
            }))
        })
        .await
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        let request = request.into_inner();
        observe("ValidateProviderConfig", "", async {
            let diagnostics = match decode_dynamic_value(
                request.config.as_ref(),
                &self.provider_type,
                "provider configuration",
            ) {
                Err(diagnostic) => Diagnostics::from(diagnostic),
                Ok(config) => guard_panics(
                    "provider validation",
                    self.provider.validate_config(&config),
                )
                .await
                .unwrap_or_else(Diagnostics::from),
            };
            Ok(Response::new(pb::validate_provider_config::Response {
                diagnostics: diagnostics_to_proto(diagnostics),
            }))
        })
        .await
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        let request = request.into_inner();
        observe("ConfigureProvider", "", async {
            let diagnostics = match decode_dynamic_value(
                request.config.as_ref(),
                &self.provider_type,
                "provider configuration",
            ) {
                Err(diagnostic) => Diagnostics::from(diagnostic),
                Ok(config) if !config.is_wholly_known() => {
                    unknown_attributes(&config, "Provider configuration")
                }
                Ok(config) => {
                    guard_panics("provider configuration", self.provider.configure(&config))
                        .await
                        .unwrap_or_else(Diagnostics::from)
                }
            };
            Ok(Response::new(pb::configure_provider::Response {
                diagnostics: diagnostics_to_proto(diagnostics),
            }))
        })
        .await
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        let request = request.into_inner();
        observe("ValidateDataResourceConfig", &request.type_name, async {
            let diagnostics = match self.data_source(&request.type_name) {
                Err(diagnostic) => Diagnostics::from(diagnostic),
                Ok(registered) => {
                    match decode_dynamic_value(
                        request.config.as_ref(),
                        &registered.value_type,
                        "data source configuration",
                    ) {
                        Err(diagnostic) => Diagnostics::from(diagnostic),
                        Ok(config) => guard_panics(
                            "data source validation",
                            registered.source.validate(&config),
                        )
                        .await
                        .unwrap_or_else(Diagnostics::from),
                    }
                }
            };
            Ok(Response::new(pb::validate_data_resource_config::Response {
                diagnostics: diagnostics_to_proto(diagnostics),
            }))
        })
        .await
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        let request = request.into_inner();
        observe("ReadDataSource", &request.type_name, async {
            let (state, diagnostics) = self.read(&request).await;
            Ok(Response::new(pb::read_data_source::Response {
                state,
                diagnostics: diagnostics_to_proto(diagnostics),
                deferred: None,
            }))
        })
        .await
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Reply<pb::stop_provider::Response> {
        observe("StopProvider", "", async {
            self.stop.stop();
            Ok(Response::new(pb::stop_provider::Response {
                error: String::new(),
            }))
        })
        .await
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        observe("GetResourceIdentitySchemas", "", async {
            Ok(Response::new(
                pb::get_resource_identity_schemas::Response::default(),
            ))
        })
        .await
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Reply<pb::get_functions::Response> {
        observe("GetFunctions", "", async {
            Ok(Response::new(pb::get_functions::Response::default()))
        })
        .await
    }

    // ---- Everything below is about things a data-source-only provider does not have. ----

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        let type_name = request.into_inner().type_name;
        observe("ValidateResourceConfig", &type_name, async {
            Ok(Response::new(pb::validate_resource_config::Response {
                diagnostics: self.unsupported_proto("managed resources", &type_name),
            }))
        })
        .await
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        let type_name = request.into_inner().type_name;
        observe("UpgradeResourceState", &type_name, async {
            Ok(Response::new(pb::upgrade_resource_state::Response {
                upgraded_state: None,
                diagnostics: self.unsupported_proto("managed resources", &type_name),
            }))
        })
        .await
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Reply<pb::upgrade_resource_identity::Response> {
        let type_name = request.into_inner().type_name;
        observe("UpgradeResourceIdentity", &type_name, async {
            Ok(Response::new(pb::upgrade_resource_identity::Response {
                upgraded_identity: None,
                diagnostics: self.unsupported_proto("managed resources", &type_name),
            }))
        })
        .await
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        let type_name = request.into_inner().type_name;
        observe("ReadResource", &type_name, async {
            Ok(Response::new(pb::read_resource::Response {
                diagnostics: self.unsupported_proto("managed resources", &type_name),
                ..Default::default()
            }))
        })
        .await
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        let type_name = request.into_inner().type_name;
        observe("PlanResourceChange", &type_name, async {
            Ok(Response::new(pb::plan_resource_change::Response {
                diagnostics: self.unsupported_proto("managed resources", &type_name),
                ..Default::default()
            }))
        })
        .await
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        let type_name = request.into_inner().type_name;
        observe("ApplyResourceChange", &type_name, async {
            Ok(Response::new(pb::apply_resource_change::Response {
                diagnostics: self.unsupported_proto("managed resources", &type_name),
                ..Default::default()
            }))
        })
        .await
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        let type_name = request.into_inner().type_name;
        observe("ImportResourceState", &type_name, async {
            Ok(Response::new(pb::import_resource_state::Response {
                diagnostics: self.unsupported_proto("managed resources", &type_name),
                ..Default::default()
            }))
        })
        .await
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Reply<pb::move_resource_state::Response> {
        let type_name = request.into_inner().target_type_name;
        observe("MoveResourceState", &type_name, async {
            Ok(Response::new(pb::move_resource_state::Response {
                diagnostics: self.unsupported_proto("managed resources", &type_name),
                ..Default::default()
            }))
        })
        .await
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Reply<pb::generate_resource_config::Response> {
        let type_name = request.into_inner().type_name;
        observe("GenerateResourceConfig", &type_name, async {
            Ok(Response::new(pb::generate_resource_config::Response {
                config: None,
                diagnostics: self.unsupported_proto("managed resources", &type_name),
            }))
        })
        .await
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Reply<pb::validate_ephemeral_resource_config::Response> {
        let type_name = request.into_inner().type_name;
        observe("ValidateEphemeralResourceConfig", &type_name, async {
            Ok(Response::new(
                pb::validate_ephemeral_resource_config::Response {
                    diagnostics: self.unsupported_proto("ephemeral resources", &type_name),
                },
            ))
        })
        .await
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Reply<pb::open_ephemeral_resource::Response> {
        let type_name = request.into_inner().type_name;
        observe("OpenEphemeralResource", &type_name, async {
            Ok(Response::new(pb::open_ephemeral_resource::Response {
                diagnostics: self.unsupported_proto("ephemeral resources", &type_name),
                ..Default::default()
            }))
        })
        .await
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Reply<pb::renew_ephemeral_resource::Response> {
        let type_name = request.into_inner().type_name;
        observe("RenewEphemeralResource", &type_name, async {
            Ok(Response::new(pb::renew_ephemeral_resource::Response {
                diagnostics: self.unsupported_proto("ephemeral resources", &type_name),
                ..Default::default()
            }))
        })
        .await
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Reply<pb::close_ephemeral_resource::Response> {
        let type_name = request.into_inner().type_name;
        observe("CloseEphemeralResource", &type_name, async {
            Ok(Response::new(pb::close_ephemeral_resource::Response {
                diagnostics: self.unsupported_proto("ephemeral resources", &type_name),
            }))
        })
        .await
    }

    type ListResourceStream = tokio_stream::Once<Result<pb::list_resource::Event, Status>>;

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Reply<Self::ListResourceStream> {
        let type_name = request.into_inner().type_name;
        observe("ListResource", &type_name, async {
            let event = pb::list_resource::Event {
                diagnostic: self.unsupported_proto("list resources", &type_name),
                ..Default::default()
            };
            Ok(Response::new(tokio_stream::once(Ok(event))))
        })
        .await
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Reply<pb::validate_list_resource_config::Response> {
        let type_name = request.into_inner().type_name;
        observe("ValidateListResourceConfig", &type_name, async {
            Ok(Response::new(pb::validate_list_resource_config::Response {
                diagnostics: self.unsupported_proto("list resources", &type_name),
            }))
        })
        .await
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Reply<pb::call_function::Response> {
        let name = request.into_inner().name;
        observe("CallFunction", &name, async {
            let diagnostic = self.unsupported("functions", &name);
            Ok(Response::new(pb::call_function::Response {
                result: None,
                error: Some(pb::FunctionError {
                    text: diagnostic.detail,
                    function_argument: None,
                }),
            }))
        })
        .await
    }

    async fn validate_state_store_config(
        &self,
        request: Request<pb::validate_state_store::Request>,
    ) -> Reply<pb::validate_state_store::Response> {
        let type_name = request.into_inner().type_name;
        observe("ValidateStateStoreConfig", &type_name, async {
            Ok(Response::new(pb::validate_state_store::Response {
                diagnostics: self.unsupported_proto("state stores", &type_name),
            }))
        })
        .await
    }

    async fn configure_state_store(
        &self,
        request: Request<pb::configure_state_store::Request>,
    ) -> Reply<pb::configure_state_store::Response> {
        let type_name = request.into_inner().type_name;
        observe("ConfigureStateStore", &type_name, async {
            Ok(Response::new(pb::configure_state_store::Response {
                diagnostics: self.unsupported_proto("state stores", &type_name),
                capabilities: None,
            }))
        })
        .await
    }

    type ReadStateBytesStream = tokio_stream::Once<Result<pb::read_state_bytes::Response, Status>>;

    async fn read_state_bytes(
        &self,
        request: Request<pb::read_state_bytes::Request>,
    ) -> Reply<Self::ReadStateBytesStream> {
        let type_name = request.into_inner().type_name;
        observe("ReadStateBytes", &type_name, async {
            let chunk = pb::read_state_bytes::Response {
                diagnostics: self.unsupported_proto("state stores", &type_name),
                ..Default::default()
            };
            Ok(Response::new(tokio_stream::once(Ok(chunk))))
        })
        .await
    }

    async fn write_state_bytes(
        &self,
        _request: Request<Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Reply<pb::write_state_bytes::Response> {
        observe("WriteStateBytes", "", async {
            Ok(Response::new(pb::write_state_bytes::Response {
                diagnostics: self.unsupported_proto("state stores", ""),
            }))
        })
        .await
    }

    async fn lock_state(
        &self,
        request: Request<pb::lock_state::Request>,
    ) -> Reply<pb::lock_state::Response> {
        let type_name = request.into_inner().type_name;
        observe("LockState", &type_name, async {
            Ok(Response::new(pb::lock_state::Response {
                lock_id: String::new(),
                diagnostics: self.unsupported_proto("state stores", &type_name),
            }))
        })
        .await
    }

    async fn unlock_state(
        &self,
        request: Request<pb::unlock_state::Request>,
    ) -> Reply<pb::unlock_state::Response> {
        let type_name = request.into_inner().type_name;
        observe("UnlockState", &type_name, async {
            Ok(Response::new(pb::unlock_state::Response {
                diagnostics: self.unsupported_proto("state stores", &type_name),
            }))
        })
        .await
    }

    async fn get_states(
        &self,
        request: Request<pb::get_states::Request>,
    ) -> Reply<pb::get_states::Response> {
        let type_name = request.into_inner().type_name;
        observe("GetStates", &type_name, async {
            Ok(Response::new(pb::get_states::Response {
                state_id: Vec::new(),
                diagnostics: self.unsupported_proto("state stores", &type_name),
            }))
        })
        .await
    }

    async fn delete_state(
        &self,
        request: Request<pb::delete_state::Request>,
    ) -> Reply<pb::delete_state::Response> {
        let type_name = request.into_inner().type_name;
        observe("DeleteState", &type_name, async {
            Ok(Response::new(pb::delete_state::Response {
                diagnostics: self.unsupported_proto("state stores", &type_name),
            }))
        })
        .await
    }

    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> Reply<pb::plan_action::Response> {
        let action_type = request.into_inner().action_type;
        observe("PlanAction", &action_type, async {
            Ok(Response::new(pb::plan_action::Response {
                diagnostics: self.unsupported_proto("actions", &action_type),
                deferred: None,
            }))
        })
        .await
    }

    type InvokeActionStream = tokio_stream::Once<Result<pb::invoke_action::Event, Status>>;

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> Reply<Self::InvokeActionStream> {
        let action_type = request.into_inner().action_type;
        observe("InvokeAction", &action_type, async {
            let event = pb::invoke_action::Event {
                r#type: Some(pb::invoke_action::event::Type::Completed(
                    pb::invoke_action::event::Completed {
                        diagnostics: self.unsupported_proto("actions", &action_type),
                    },
                )),
            };
            Ok(Response::new(tokio_stream::once(Ok(event))))
        })
        .await
    }

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> Reply<pb::validate_action_config::Response> {
        let type_name = request.into_inner().type_name;
        observe("ValidateActionConfig", &type_name, async {
            Ok(Response::new(pb::validate_action_config::Response {
                diagnostics: self.unsupported_proto("actions", &type_name),
            }))
        })
        .await
    }
}

impl ProviderService {
    /// ReadDataSource: decode, read with the current StopProvider token, then check and encode
    /// the state. Returns the encoded state (if valid) and all diagnostics.
    async fn read(
        &self,
        request: &pb::read_data_source::Request,
    ) -> (Option<pb::DynamicValue>, Diagnostics) {
        let registered = match self.data_source(&request.type_name) {
            Ok(registered) => registered,
            Err(diagnostic) => return (None, diagnostic.into()),
        };
        let config = match decode_dynamic_value(
            request.config.as_ref(),
            &registered.value_type,
            "data source configuration",
        ) {
            Ok(config) => config,
            Err(diagnostic) => return (None, diagnostic.into()),
        };
        if !config.is_wholly_known() {
            return (
                None,
                unknown_attributes(&config, "Data source configuration"),
            );
        }
        let result = match guard_panics(
            "the data source read",
            registered.source.read(&config, self.stop.token()),
        )
        .await
        {
            Ok(result) => result,
            Err(diagnostic) => return (None, diagnostic.into()),
        };
        let mut diagnostics = result.diagnostics;
        let state = match result.state {
            Some(state) => {
                match encode_state(&state, &registered.value_type, "data source state") {
                    Ok(encoded) => Some(encoded),
                    Err(diagnostic) => {
                        diagnostics.push(diagnostic);
                        None
                    }
                }
            }
            None if diagnostics.has_errors() => None,
            None => {
                diagnostics.push(Diagnostic::error(
                    "Provider bug: missing data source state",
                    "provider bug: the data source read returned neither a state nor an error. Please report this issue to the provider developers.",
                ));
                None
            }
        };
        (state, diagnostics)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_attributes_point_at_each_unknown_top_level_attribute() {
        let config = Value::object([
            ("region", Value::Unknown),
            (
                "endpoints",
                Value::Map([("rds".to_owned(), Value::Unknown)].into_iter().collect()),
            ),
            ("known", Value::from("x")),
        ]);
        let diagnostics = unknown_attributes(&config, "Provider configuration");
        let paths: Vec<String> = diagnostics
            .iter()
            .filter_map(|d| d.attribute.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, ["endpoints", "region"]);
        assert!(diagnostics.has_errors());
        assert!(unknown_attributes(&Value::object([("a", Value::from(true))]), "x").is_empty());
    }
}
