//! Terraform's `tfplugin6.Provider` service, mapped onto the [`Provider`]/[`DataSource`] traits.
//!
//! The service owns the protocol chores: decoding configuration values against the schema,
//! checking what the provider returns, keeping what ConfigureProvider produced for every read,
//! turning panics and decoding failures into diagnostics, StopProvider cancellation, and a
//! clear answer for every RPC this kind of provider (data sources only) does not support.

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use futures::FutureExt;
use tonic::{Request, Response, Status, Streaming};
use tracing::Instrument;

use super::computed_only::configured_computed_only_attributes;
use super::configured::ConfiguredSlot;
use super::message_limit;
use super::stop::StopSignal;
use super::unsupported::{self, unsupported_rpcs};
use crate::convert::{
    decode_dynamic_value, diagnostic_to_proto, diagnostics_to_proto, encode_state, schema_to_proto,
};
use crate::cty::{Type, Value};
use crate::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::panic::{self, panic_message};
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server::Provider as ProviderRpc;
use crate::schema::Schema;
use crate::server::MAX_MESSAGE_SIZE;
use crate::{ConfigureResult, DataSource, Provider, UnknownConfig};

/// A data source with its schema and value type computed once.
struct RegisteredDataSource<C> {
    source: Arc<dyn DataSource<C>>,
    schema: Schema,
    value_type: Type,
}

pub(crate) struct ProviderService<P: Provider> {
    provider: Arc<P>,
    /// Short provider name used in messages, e.g. `rds`.
    provider_name: String,
    provider_schema: Schema,
    provider_type: Type,
    /// The provider's policy for a configuration that is not wholly known.
    unknown_config: UnknownConfig,
    data_sources: BTreeMap<String, RegisteredDataSource<P::Configured>>,
    /// What the latest successful ConfigureProvider produced, for every read.
    configured: ConfiguredSlot<P::Configured>,
    /// Mistakes in the schemas (provider bugs), reported by GetProviderSchema.
    schema_problems: Diagnostics,
    stop: Arc<StopSignal>,
}

impl<P: Provider> ProviderService<P> {
    pub(crate) fn new(provider: Arc<P>, provider_name: String, stop: Arc<StopSignal>) -> Self {
        let provider_schema = provider.schema();
        let provider_type = provider_schema.value_type();
        let unknown_config = provider.unknown_config();
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
        let schema_problems = schema_problems(&provider_schema, &data_sources);
        for problem in schema_problems.iter() {
            tracing::error!(detail = %problem.detail, "{}", problem.summary);
        }
        Self {
            provider,
            provider_name,
            provider_schema,
            provider_type,
            unknown_config,
            data_sources,
            configured: ConfiguredSlot::default(),
            schema_problems,
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

    fn data_source(
        &self,
        type_name: &str,
    ) -> Result<&RegisteredDataSource<P::Configured>, Diagnostic> {
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

/// One error diagnostic per mistake in the provider's or a data source's schema: a provider
/// bug, reported to Terraform rather than panicking.
fn schema_problems<C>(
    provider_schema: &Schema,
    data_sources: &BTreeMap<String, RegisteredDataSource<C>>,
) -> Diagnostics {
    let schemas = std::iter::once(("the provider".to_owned(), provider_schema)).chain(
        data_sources
            .iter()
            .map(|(name, registered)| (format!("the data source {name}"), &registered.schema)),
    );
    let mut diagnostics = Diagnostics::new();
    for (owner, schema) in schemas {
        for problem in schema.problems() {
            diagnostics.push(Diagnostic::error(
                "Provider bug: invalid schema",
                format!(
                    "provider bug: in the schema of {owner}, {problem}: every attribute must be exactly one of required, optional, computed, or optional and computed. Please report this issue to the provider developers."
                ),
            ));
        }
    }
    diagnostics
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
        let elapsed_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        tracing::debug!(elapsed_us, "served request");
        output
    }
    .instrument(span)
    .await
}

/// Runs provider code, turning a panic into an error diagnostic so one bug does not take down
/// the whole process. The code is polled under [`panic::guarded`], so the panic hook logs the
/// panic as an hclog error line instead of the `panic: ` line Terraform treats as a crash.
async fn guard_panics<T>(what: &str, body: impl Future<Output = T>) -> Result<T, Diagnostic> {
    AssertUnwindSafe(panic::guarded(body))
        .catch_unwind()
        .await
        .map_err(|payload| {
            Diagnostic::error(
                "Provider bug: panic",
                format!(
                    "provider bug: the provider panicked during {what}: {}. Please report this issue to the provider developers.",
                    panic_message(payload.as_ref())
                ),
            )
        })
}

/// The answer to a request that StopProvider interrupted.
fn cancelled(what: &str) -> Diagnostic {
    Diagnostic::error(
        "Request cancelled",
        format!("cancelled: Terraform asked the provider to stop while the {what} was running."),
    )
}

/// Runs provider code that gets no cancellation token (validation, configuration) under
/// [`guard_panics`], racing it against StopProvider: on stop the provider's future is dropped
/// and the request answers with a cancellation error, so the first Ctrl-C is not stuck behind
/// a slow call.
async fn guard_stoppable(
    what: &str,
    stop: &StopSignal,
    body: impl Future<Output = Diagnostics>,
) -> Diagnostics {
    let token = stop.token();
    tokio::select! {
        biased;
        () = token.cancelled() => {
            tracing::debug!("{what} cancelled by StopProvider");
            cancelled(what).into()
        }
        outcome = guard_panics(what, body) => outcome.unwrap_or_else(Diagnostics::from),
    }
}

/// What the server keeps and reports of [`Provider::configure`]'s outcome: the value (absent
/// on failure, or when the "warnings" of a success hold an error) and the diagnostics. A
/// failure without an error would leave Terraform going on with no configuration, so it
/// becomes a provider bug.
fn settle<C>(outcome: ConfigureResult<C>) -> (Option<C>, Diagnostics) {
    match outcome {
        Ok(ok) if ok.warnings.has_errors() => (None, ok.warnings),
        Ok(ok) => (Some(ok.value), ok.warnings),
        Err(mut diagnostics) => {
            if !diagnostics.has_errors() {
                diagnostics.push(Diagnostic::error(
                    "Provider bug: configuration failed without an error",
                    "provider bug: the provider configuration failed without an error diagnostic. Please report this issue to the provider developers.",
                ));
            }
            (None, diagnostics)
        }
    }
}

/// Why a data source configuration must be wholly known when it is read; completes "… is not
/// known until apply, but " in the diagnostic's detail.
const DATA_SOURCE_CONFIG_NEEDED: &str =
    "it is needed to read the data source now. Use a value that is known during planning.";

/// One error diagnostic per top-level attribute whose value is not yet known, naming the
/// attribute and saying why it is needed now (`why`).
fn unknown_attributes(config: &Value, what: &str, why: &str) -> Diagnostics {
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
                            "The value of the attribute \"{name}\" is not known until apply, but {why}"
                        ),
                    )
                    .at(AttributePath::root(name.clone())),
                );
            }
        }
        _ if !config.is_wholly_known() => {
            diagnostics.push(Diagnostic::error(
                format!("{what} not known"),
                format!("The {what} is not known until apply, but {why}"),
            ));
        }
        _ => {}
    }
    diagnostics
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
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
                diagnostics: diagnostics_to_proto(self.schema_problems.clone()),
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
                Ok(config) => {
                    guard_stoppable(
                        "provider validation",
                        &self.stop,
                        self.provider.validate_config(&config),
                    )
                    .await
                }
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
                Ok(config) => match &self.unknown_config {
                    // The provider's policy: some providers cannot work with unknown values.
                    UnknownConfig::Error { reason } if !config.is_wholly_known() => {
                        unknown_attributes(&config, "Provider configuration", reason)
                    }
                    _ => self.configure(&config).await,
                },
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
                        Ok(config) => {
                            let mut diagnostics =
                                configured_computed_only_attributes(&registered.schema, &config);
                            diagnostics.extend(
                                guard_stoppable(
                                    "data source validation",
                                    &self.stop,
                                    registered.source.validate(&config),
                                )
                                .await,
                            );
                            diagnostics
                        }
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
            let response = pb::read_data_source::Response {
                state,
                diagnostics: diagnostics_to_proto(diagnostics),
                deferred: None,
            };
            Ok(Response::new(message_limit::fit_read_data_source(
                response,
                &request.type_name,
                MAX_MESSAGE_SIZE,
            )))
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

    // Everything else is about things a data-source-only provider does not have: each RPC
    // answers with one error diagnostic naming what the provider offers instead.
    unsupported_rpcs! {
        "managed resources" {
            ValidateResourceConfig: validate_resource_config(
                validate_resource_config::Request.type_name) -> validate_resource_config::Response;
            UpgradeResourceState: upgrade_resource_state(
                upgrade_resource_state::Request.type_name) -> upgrade_resource_state::Response;
            UpgradeResourceIdentity: upgrade_resource_identity(
                upgrade_resource_identity::Request.type_name) -> upgrade_resource_identity::Response;
            ReadResource: read_resource(
                read_resource::Request.type_name) -> read_resource::Response;
            PlanResourceChange: plan_resource_change(
                plan_resource_change::Request.type_name) -> plan_resource_change::Response;
            ApplyResourceChange: apply_resource_change(
                apply_resource_change::Request.type_name) -> apply_resource_change::Response;
            ImportResourceState: import_resource_state(
                import_resource_state::Request.type_name) -> import_resource_state::Response;
            MoveResourceState: move_resource_state(
                move_resource_state::Request.target_type_name) -> move_resource_state::Response;
            GenerateResourceConfig: generate_resource_config(
                generate_resource_config::Request.type_name) -> generate_resource_config::Response;
        }
        "ephemeral resources" {
            ValidateEphemeralResourceConfig: validate_ephemeral_resource_config(
                validate_ephemeral_resource_config::Request.type_name)
                -> validate_ephemeral_resource_config::Response;
            OpenEphemeralResource: open_ephemeral_resource(
                open_ephemeral_resource::Request.type_name) -> open_ephemeral_resource::Response;
            RenewEphemeralResource: renew_ephemeral_resource(
                renew_ephemeral_resource::Request.type_name) -> renew_ephemeral_resource::Response;
            CloseEphemeralResource: close_ephemeral_resource(
                close_ephemeral_resource::Request.type_name) -> close_ephemeral_resource::Response;
        }
        "list resources" {
            ListResource: list_resource(list_resource::Request.type_name)
                -> stream(ListResourceStream, list_resource::Event) => unsupported::list_event;
            ValidateListResourceConfig: validate_list_resource_config(
                validate_list_resource_config::Request.type_name)
                -> validate_list_resource_config::Response;
        }
        "functions" {
            CallFunction: call_function(call_function::Request.name)
                -> call_function::Response => unsupported::function_error;
        }
        "state stores" {
            ValidateStateStoreConfig: validate_state_store_config(
                validate_state_store::Request.type_name) -> validate_state_store::Response;
            ConfigureStateStore: configure_state_store(
                configure_state_store::Request.type_name) -> configure_state_store::Response;
            ReadStateBytes: read_state_bytes(read_state_bytes::Request.type_name)
                -> stream(ReadStateBytesStream, read_state_bytes::Response)
                => unsupported::state_chunk;
            WriteStateBytes: write_state_bytes(stream write_state_bytes::RequestChunk)
                -> write_state_bytes::Response;
            LockState: lock_state(lock_state::Request.type_name) -> lock_state::Response;
            UnlockState: unlock_state(unlock_state::Request.type_name) -> unlock_state::Response;
            GetStates: get_states(get_states::Request.type_name) -> get_states::Response;
            DeleteState: delete_state(delete_state::Request.type_name) -> delete_state::Response;
        }
        "actions" {
            PlanAction: plan_action(plan_action::Request.action_type) -> plan_action::Response;
            InvokeAction: invoke_action(invoke_action::Request.action_type)
                -> stream(InvokeActionStream, invoke_action::Event)
                => unsupported::invoke_completed;
            ValidateActionConfig: validate_action_config(
                validate_action_config::Request.type_name) -> validate_action_config::Response;
        }
    }
}

impl<P: Provider> ProviderService<P> {
    /// ConfigureProvider with a configuration the provider accepts: `configure` under
    /// [`guard_stoppable`], keeping what it produced for every later read.
    async fn configure(&self, config: &Value) -> Diagnostics {
        let mut outcome = None;
        let diagnostics = guard_stoppable("provider configuration", &self.stop, async {
            let (configured, diagnostics) = settle(self.provider.configure(config).await);
            outcome = configured;
            diagnostics
        })
        .await;
        // Set only when the provider's own future finished, so StopProvider or a panic leave
        // the earlier configuration in place.
        if let Some(configured) = outcome {
            self.configured.set(configured);
        }
        diagnostics
    }

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
                unknown_attributes(
                    &config,
                    "Data source configuration",
                    DATA_SOURCE_CONFIG_NEEDED,
                ),
            );
        }
        let configured = match self.configured.get(&self.provider_name) {
            Ok(configured) => configured,
            Err(diagnostic) => return (None, diagnostic.into()),
        };
        let result = match guard_panics(
            "the data source read",
            registered
                .source
                .read(&configured, &config, self.stop.token()),
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
    use async_trait::async_trait;
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::schema::Attribute;
    use crate::{ConfigureOk, ReadResult};

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
        let reason = "Terraform needs it known at plan time: the toy provider connects early.";
        let diagnostics = unknown_attributes(&config, "Provider configuration", reason);
        let paths: Vec<String> = diagnostics
            .iter()
            .filter_map(|d| d.attribute.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, ["endpoints", "region"]);
        assert!(diagnostics.has_errors());
        for diagnostic in diagnostics.iter() {
            let name = diagnostic.attribute.as_ref().expect("path").to_string();
            assert!(
                diagnostic
                    .detail
                    .contains(&format!("the attribute \"{name}\"")),
                "{}",
                diagnostic.detail
            );
            assert_eq!(diagnostic.summary, "Provider configuration value not known");
            assert_eq!(
                diagnostic.detail,
                format!(
                    "The value of the attribute \"{name}\" is not known until apply, but {reason}"
                )
            );
        }
        assert!(
            unknown_attributes(&Value::object([("a", Value::from(true))]), "x", "y").is_empty()
        );
    }

    /// A provider whose schemas are set by the test.
    struct Schemas {
        provider: Schema,
        data_source: Schema,
    }

    #[async_trait]
    impl Provider for Schemas {
        type Configured = ();
        fn schema(&self) -> Schema {
            self.provider.clone()
        }
        fn data_sources(&self) -> Vec<Arc<dyn DataSource<()>>> {
            vec![Arc::new(SchemaOnly(self.data_source.clone()))]
        }
        async fn validate_config(&self, _config: &Value) -> Diagnostics {
            Diagnostics::new()
        }
        async fn configure(&self, _config: &Value) -> ConfigureResult<()> {
            Ok(ConfigureOk::new(()))
        }
    }

    struct SchemaOnly(Schema);

    #[async_trait]
    impl DataSource<()> for SchemaOnly {
        fn type_name(&self) -> &'static str {
            "toy_thing"
        }
        fn schema(&self) -> Schema {
            self.0.clone()
        }
        async fn validate(&self, _config: &Value) -> Diagnostics {
            Diagnostics::new()
        }
        async fn read(
            &self,
            _configured: &(),
            _config: &Value,
            _cancel: CancellationToken,
        ) -> ReadResult {
            ReadResult::default()
        }
    }

    async fn schema_diagnostics(provider: Schemas) -> Vec<pb::Diagnostic> {
        let service = ProviderService::new(
            Arc::new(provider),
            "toy".to_owned(),
            Arc::new(StopSignal::default()),
        );
        let response = service
            .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
            .await
            .expect("GetProviderSchema answers")
            .into_inner();
        assert!(response.provider.is_some(), "the schema is still sent");
        response.diagnostics
    }

    #[tokio::test]
    async fn schema_mistakes_are_reported_by_get_provider_schema() {
        let diagnostics = schema_diagnostics(Schemas {
            provider: Schema::new("", vec![Attribute::string("region")]),
            data_source: Schema::new(
                "",
                vec![
                    Attribute::string("id").required().computed(),
                    Attribute::nested(
                        "items",
                        crate::Nesting::List,
                        vec![Attribute::string("name").optional().required()],
                    )
                    .computed(),
                ],
            ),
        })
        .await;
        let details: Vec<&str> = diagnostics.iter().map(|d| d.detail.as_str()).collect();
        assert_eq!(diagnostics.len(), 3, "{details:?}");
        assert!(
            diagnostics
                .iter()
                .all(|d| d.severity == pb::diagnostic::Severity::Error as i32
                    && d.summary == "Provider bug: invalid schema")
        );
        assert!(details[0].contains("the provider, attribute \"region\" is neither"));
        assert!(details[1].contains("the data source toy_thing, attribute \"id\""));
        assert!(details[2].contains("attribute \"items.name\" is both required and optional"));

        let sound = schema_diagnostics(Schemas {
            provider: Schema::new("", vec![Attribute::string("region").optional()]),
            data_source: Schema::new("", vec![Attribute::string("id").computed()]),
        })
        .await;
        assert!(sound.is_empty(), "{sound:?}");
    }

    /// A provider with one optional `region` that records what `configure` received.
    struct Recording {
        policy: UnknownConfig,
        configured: std::sync::Mutex<Vec<Value>>,
    }

    #[async_trait]
    impl Provider for Recording {
        type Configured = ();
        fn schema(&self) -> Schema {
            Schema::new("", vec![Attribute::string("region").optional()])
        }
        fn data_sources(&self) -> Vec<Arc<dyn DataSource<()>>> {
            Vec::new()
        }
        async fn validate_config(&self, _config: &Value) -> Diagnostics {
            Diagnostics::new()
        }
        async fn configure(&self, config: &Value) -> ConfigureResult<()> {
            self.configured.lock().expect("lock").push(config.clone());
            Ok(ConfigureOk::new(()))
        }
        fn unknown_config(&self) -> UnknownConfig {
            self.policy.clone()
        }
    }

    /// ConfigureProvider with `region` unknown: the diagnostics and what `configure` received.
    async fn configure_unknown_region(policy: UnknownConfig) -> (Vec<pb::Diagnostic>, Vec<Value>) {
        let provider = Arc::new(Recording {
            policy,
            configured: std::sync::Mutex::default(),
        });
        let service = ProviderService::new(
            provider.clone(),
            "toy".to_owned(),
            Arc::new(StopSignal::default()),
        );
        let config = Value::object([("region", Value::Unknown)]);
        let msgpack =
            crate::cty::msgpack::encode(&config, &service.provider_type).expect("encodes");
        let response = service
            .configure_provider(Request::new(pb::configure_provider::Request {
                config: Some(pb::DynamicValue {
                    msgpack,
                    json: Vec::new(),
                }),
                ..Default::default()
            }))
            .await
            .expect("ConfigureProvider answers")
            .into_inner();
        let configured = provider.configured.lock().expect("lock").clone();
        (response.diagnostics, configured)
    }

    #[tokio::test]
    async fn by_default_an_unknown_configuration_reaches_configure() {
        struct Plain;
        #[async_trait]
        impl Provider for Plain {
            type Configured = ();
            fn schema(&self) -> Schema {
                Schema::new("", Vec::new())
            }
            fn data_sources(&self) -> Vec<Arc<dyn DataSource<()>>> {
                Vec::new()
            }
            async fn validate_config(&self, _config: &Value) -> Diagnostics {
                Diagnostics::new()
            }
            async fn configure(&self, _config: &Value) -> ConfigureResult<()> {
                Ok(ConfigureOk::new(()))
            }
        }
        assert_eq!(Plain.unknown_config(), UnknownConfig::Accept);

        let (diagnostics, configured) = configure_unknown_region(UnknownConfig::Accept).await;
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(configured, [Value::object([("region", Value::Unknown)])]);
    }

    #[tokio::test]
    async fn a_provider_may_refuse_an_unknown_configuration_with_its_reason() {
        let (diagnostics, configured) = configure_unknown_region(UnknownConfig::Error {
            reason: "the toy provider connects early.".to_owned(),
        })
        .await;
        assert!(configured.is_empty(), "configure is not called");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(
            diagnostics[0].summary,
            "Provider configuration value not known"
        );
        assert_eq!(
            diagnostics[0].detail,
            "The value of the attribute \"region\" is not known until apply, but the toy provider connects early."
        );
        assert!(diagnostics[0].attribute.is_some());
    }

    #[test]
    fn settle_keeps_a_success_and_reports_a_silent_failure_as_a_bug() {
        let warning = || Diagnostics::from(Diagnostic::warning("Deprecated", "old setting"));
        let (kept, diagnostics) = settle(Ok(ConfigureOk {
            value: 1,
            warnings: warning(),
        }));
        assert_eq!(kept, Some(1));
        assert_eq!(diagnostics.iter().count(), 1);
        assert!(!diagnostics.has_errors());

        let (kept, diagnostics) = settle(Ok(ConfigureOk {
            value: 1,
            warnings: Diagnostic::error("Bad", "an error among the warnings").into(),
        }));
        assert_eq!(kept, None, "an error means the value is not kept");
        assert_eq!(diagnostics.iter().count(), 1);

        let (kept, diagnostics) =
            settle::<i32>(Err(
                Diagnostic::error("Invalid region", "no such region").into()
            ));
        assert_eq!(kept, None);
        let summaries: Vec<&str> = diagnostics.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(summaries, ["Invalid region"]);

        let (kept, diagnostics) = settle::<i32>(Err(warning()));
        assert_eq!(kept, None);
        assert!(diagnostics.has_errors());
        let bug = diagnostics.iter().last().expect("a provider bug");
        assert!(bug.detail.starts_with("provider bug: "), "{}", bug.detail);
    }

    /// A provider whose configuration is its `region` (an error when it is "bad"), and a data
    /// source `toy_where` whose `region` is what the read received.
    struct Regional;

    struct Where;

    #[async_trait]
    impl Provider for Regional {
        type Configured = String;
        fn schema(&self) -> Schema {
            Schema::new("", vec![Attribute::string("region").optional()])
        }
        fn data_sources(&self) -> Vec<Arc<dyn DataSource<String>>> {
            vec![Arc::new(Where)]
        }
        async fn validate_config(&self, _config: &Value) -> Diagnostics {
            Diagnostics::new()
        }
        async fn configure(&self, config: &Value) -> ConfigureResult<String> {
            match config.get("region").and_then(Value::as_str) {
                Some("bad") => Err(Diagnostic::error("Invalid region", "bad").into()),
                region => Ok(ConfigureOk::new(region.unwrap_or("none").to_owned())),
            }
        }
    }

    #[async_trait]
    impl DataSource<String> for Where {
        fn type_name(&self) -> &'static str {
            "toy_where"
        }
        fn schema(&self) -> Schema {
            Schema::new("", vec![Attribute::string("region").computed()])
        }
        async fn validate(&self, _config: &Value) -> Diagnostics {
            Diagnostics::new()
        }
        async fn read(
            &self,
            region: &String,
            _config: &Value,
            _cancel: CancellationToken,
        ) -> ReadResult {
            ReadResult {
                state: Some(Value::object([("region", Value::from(region.as_str()))])),
                diagnostics: Diagnostics::new(),
            }
        }
    }

    /// ConfigureProvider with `region`; the diagnostics' summaries.
    async fn configure_region(service: &ProviderService<Regional>, region: &str) -> Vec<String> {
        let config = Value::object([("region", Value::from(region))]);
        let msgpack =
            crate::cty::msgpack::encode(&config, &service.provider_type).expect("encodes");
        let response = service
            .configure_provider(Request::new(pb::configure_provider::Request {
                config: Some(pb::DynamicValue {
                    msgpack,
                    json: Vec::new(),
                }),
                ..Default::default()
            }))
            .await
            .expect("ConfigureProvider answers")
            .into_inner();
        response
            .diagnostics
            .into_iter()
            .map(|d| d.summary)
            .collect()
    }

    /// ReadDataSource of `toy_where`: the `region` of the state, or the diagnostics.
    async fn read_where(service: &ProviderService<Regional>) -> Result<Value, Vec<pb::Diagnostic>> {
        let value_type = &service.data_sources["toy_where"].value_type;
        let msgpack =
            crate::cty::msgpack::encode(&Value::object([("region", Value::Null)]), value_type)
                .expect("encodes");
        let response = service
            .read_data_source(Request::new(pb::read_data_source::Request {
                type_name: "toy_where".to_owned(),
                config: Some(pb::DynamicValue {
                    msgpack,
                    json: Vec::new(),
                }),
                ..Default::default()
            }))
            .await
            .expect("ReadDataSource answers")
            .into_inner();
        match response.state {
            Some(state) if response.diagnostics.is_empty() => {
                let state =
                    crate::cty::msgpack::decode(&state.msgpack, value_type).expect("state decodes");
                Ok(state.get("region").cloned().expect("region"))
            }
            _ => Err(response.diagnostics),
        }
    }

    #[tokio::test]
    async fn reads_get_the_latest_successful_configuration_and_none_before() {
        let service = ProviderService::new(
            Arc::new(Regional),
            "toy".to_owned(),
            Arc::new(StopSignal::default()),
        );
        let diagnostics = read_where(&service).await.expect_err("not configured yet");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(
            diagnostics[0].severity,
            pb::diagnostic::Severity::Error as i32
        );
        assert_eq!(diagnostics[0].summary, "Provider not configured");
        assert_eq!(
            diagnostics[0].detail,
            "The toy provider was asked to read a data source before it was configured. This is a bug in Terraform or the provider; please report it."
        );

        assert!(configure_region(&service, "here").await.is_empty());
        assert_eq!(read_where(&service).await, Ok(Value::from("here")));
        assert!(configure_region(&service, "there").await.is_empty());
        assert_eq!(read_where(&service).await, Ok(Value::from("there")));
        // A failed configuration leaves the earlier one in place.
        assert_eq!(configure_region(&service, "bad").await, ["Invalid region"]);
        assert_eq!(read_where(&service).await, Ok(Value::from("there")));
    }

    /// Every RPC of the unsupported table answers with one error naming what is missing.
    #[tokio::test]
    async fn every_unsupported_rpc_names_what_the_provider_lacks() {
        use tokio_stream::StreamExt;

        let service = ProviderService::new(
            Arc::new(Recording {
                policy: UnknownConfig::Accept,
                configured: std::sync::Mutex::default(),
            }),
            "toy".to_owned(),
            Arc::new(StopSignal::default()),
        );
        let detail = |kinds: &str| {
            format!("toy has no {kinds} (\"toy_x\" was requested); it offers no data sources.")
        };
        let only = |diagnostics: Vec<pb::Diagnostic>, kinds: &str| {
            assert_eq!(diagnostics.len(), 1, "{kinds}: {diagnostics:?}");
            let diagnostic = &diagnostics[0];
            assert_eq!(diagnostic.severity, pb::diagnostic::Severity::Error as i32);
            assert_eq!(
                diagnostic.summary,
                format!("The toy provider has no {kinds}")
            );
            assert_eq!(diagnostic.detail, detail(kinds));
        };
        // The reply of `method` to a request of `module` naming `toy_x` in `field`.
        macro_rules! answer {
            ($method:ident($module:ident.$field:ident)) => {{
                let mut request = pb::$module::Request::default();
                request.$field = "toy_x".to_owned();
                service
                    .$method(Request::new(request))
                    .await
                    .expect(stringify!($method))
                    .into_inner()
            }};
        }
        // A unary reply whose `diagnostics` must be the one error about `kinds`.
        macro_rules! unary {
            ($method:ident($module:ident.$field:ident), $kinds:expr) => {
                only(answer!($method($module.$field)).diagnostics, $kinds)
            };
        }
        let managed = "managed resources";
        unary!(
            validate_resource_config(validate_resource_config.type_name),
            managed
        );
        unary!(
            upgrade_resource_state(upgrade_resource_state.type_name),
            managed
        );
        unary!(
            upgrade_resource_identity(upgrade_resource_identity.type_name),
            managed
        );
        unary!(read_resource(read_resource.type_name), managed);
        unary!(
            plan_resource_change(plan_resource_change.type_name),
            managed
        );
        unary!(
            apply_resource_change(apply_resource_change.type_name),
            managed
        );
        unary!(
            import_resource_state(import_resource_state.type_name),
            managed
        );
        unary!(
            move_resource_state(move_resource_state.target_type_name),
            managed
        );
        unary!(
            generate_resource_config(generate_resource_config.type_name),
            managed
        );

        let ephemeral = "ephemeral resources";
        unary!(
            validate_ephemeral_resource_config(validate_ephemeral_resource_config.type_name),
            ephemeral
        );
        unary!(
            open_ephemeral_resource(open_ephemeral_resource.type_name),
            ephemeral
        );
        unary!(
            renew_ephemeral_resource(renew_ephemeral_resource.type_name),
            ephemeral
        );
        unary!(
            close_ephemeral_resource(close_ephemeral_resource.type_name),
            ephemeral
        );

        let events: Vec<_> = answer!(list_resource(list_resource.type_name))
            .collect()
            .await;
        let [Ok(event)] = <[_; 1]>::try_from(events).expect("one event") else {
            panic!("an event, not a status");
        };
        only(event.diagnostic, "list resources");
        unary!(
            validate_list_resource_config(validate_list_resource_config.type_name),
            "list resources"
        );

        let function = answer!(call_function(call_function.name));
        assert!(function.result.is_none());
        assert_eq!(
            function.error.expect("function error").text,
            detail("functions")
        );

        let stores = "state stores";
        unary!(
            validate_state_store_config(validate_state_store.type_name),
            stores
        );
        unary!(
            configure_state_store(configure_state_store.type_name),
            stores
        );
        let chunks: Vec<_> = answer!(read_state_bytes(read_state_bytes.type_name))
            .collect()
            .await;
        let [Ok(chunk)] = <[_; 1]>::try_from(chunks).expect("one chunk") else {
            panic!("a chunk, not a status");
        };
        only(chunk.diagnostics, stores);
        unary!(lock_state(lock_state.type_name), stores);
        unary!(unlock_state(unlock_state.type_name), stores);
        unary!(get_states(get_states.type_name), stores);
        unary!(delete_state(delete_state.type_name), stores);

        unary!(plan_action(plan_action.action_type), "actions");
        let events: Vec<_> = answer!(invoke_action(invoke_action.action_type))
            .collect()
            .await;
        let [Ok(event)] = <[_; 1]>::try_from(events).expect("one event") else {
            panic!("an event, not a status");
        };
        let Some(pb::invoke_action::event::Type::Completed(completed)) = event.r#type else {
            panic!("a completed event");
        };
        only(completed.diagnostics, "actions");
        unary!(
            validate_action_config(validate_action_config.type_name),
            "actions"
        );
    }
}
