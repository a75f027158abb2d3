//! `tfplugin-toy-provider`: a toy provider served with [`tfplugin::serve`]. One data source,
//! `toy_echo`, whose computed `output` echoes `input` after the provider's `greeting` (default
//! `echo`), which ConfigureProvider hands to every read (the input `panic` makes the read
//! panic, to show how a provider bug is reported). The crate's process tests start it the
//! way Terraform does; it can also be run by hand: `cargo run -p tfplugin --bin tfplugin-toy-provider -- --debug`.

use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use tfplugin::{
    Attribute, ConfigureOk, ConfigureResult, DataSource, Diagnostics, Provider, ReadResult, Schema,
    ServeOptions, Value,
};
use tokio_util::sync::CancellationToken;

struct ToyProvider;

/// What ConfigureProvider produces: the prefix of every echo.
struct Greeting(String);

#[async_trait]
impl Provider for ToyProvider {
    type Configured = Greeting;

    fn schema(&self) -> Schema {
        Schema::new(
            "A toy provider.",
            vec![Attribute::string("greeting").optional()],
        )
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Greeting>>> {
        vec![Arc::new(Echo)]
    }

    async fn validate_config(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn configure(&self, config: &Value) -> ConfigureResult<Greeting> {
        tracing::info!("toy provider configured");
        let greeting = config.get("greeting").and_then(Value::as_str);
        Ok(ConfigureOk::new(Greeting(
            greeting.unwrap_or("echo").to_owned(),
        )))
    }
}

struct Echo;

#[async_trait]
impl DataSource<Greeting> for Echo {
    fn type_name(&self) -> &'static str {
        "toy_echo"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Echoes its input.",
            vec![
                Attribute::string("input").required(),
                Attribute::string("output").computed(),
            ],
        )
    }

    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn read(
        &self,
        greeting: &Greeting,
        config: &Value,
        _cancel: CancellationToken,
    ) -> ReadResult {
        let input = config.get("input").cloned().unwrap_or(Value::Null);
        if input.as_str() == Some("panic") {
            panic!("toy provider panics on purpose");
        }
        let output =
            Value::string_or_null(input.as_str().map(|text| format!("{}: {text}", greeting.0)));
        ReadResult {
            state: Some(Value::object([("input", input), ("output", output)])),
            diagnostics: Diagnostics::new(),
        }
    }
}

fn main() -> ExitCode {
    let debug = std::env::args().skip(1).any(|arg| arg == "--debug");
    tfplugin::serve(
        ToyProvider,
        ServeOptions {
            provider_address: "registry.terraform.io/example/toy".to_owned(),
            binary_name: "terraform-provider-toy".to_owned(),
            debug,
            sensitive_log_fields: Vec::new(),
            run_by_hand_hint: Some("The toy provider serves tfplugin's tests.".to_owned()),
        },
    )
}
