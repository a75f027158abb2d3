//! The plugin's gRPC server in-process, driven like Terraform drives it: AutoMTLS with a
//! pinned client certificate, health, schema, reads, StopProvider and Shutdown.

mod common;

use std::sync::Arc;

use common::*;
use tfplugin::cty::Value;
use tfplugin::proto::plugin::Empty;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::server::{PluginAddress, PortRange, RunningServer, ServerSettings, TlsMode, start};

fn settings(tls: TlsMode, socket_dir: &std::path::Path) -> ServerSettings {
    ServerSettings {
        tls,
        socket_dir: Some(socket_dir.to_path_buf()),
        tcp_ports: PortRange::default(),
        provider_name: "toy".to_owned(),
    }
}

fn socket_path(server: &RunningServer) -> std::path::PathBuf {
    match server.address() {
        PluginAddress::Unix(path) => path.clone(),
        other => panic!("expected a unix socket, got {other:?}"),
    }
}

/// A server with mutual TLS pinned to a fresh client certificate.
async fn start_tls() -> (
    RunningServer,
    ClientIdentity,
    tempfile::TempDir,
    tokio::sync::mpsc::UnboundedReceiver<()>,
) {
    let dir = tempfile::tempdir().expect("socket dir");
    let client = ClientIdentity::generate();
    let (provider, read_started) = ToyProvider::new();
    let tls = TlsMode::Mutual {
        client_certificate_der: client.certificate_der.clone(),
    };
    let server = start(Arc::new(provider), settings(tls, dir.path()))
        .await
        .expect("server starts");
    (server, client, dir, read_started)
}

async fn connect(server: &RunningServer, client: &ClientIdentity) -> tonic::transport::Channel {
    let certificate = server
        .certificate_der()
        .expect("TLS server has a certificate");
    tls_channel(&socket_path(server), client, certificate)
        .await
        .expect("TLS connection")
}

#[tokio::test]
async fn pinned_client_gets_health_and_schema() {
    let (server, client, _dir, _) = start_tls().await;
    let channel = connect(&server, &client).await;
    assert_eq!(
        health_status(channel.clone()).await.expect("health"),
        SERVING
    );

    let schema = provider_client(channel)
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema")
        .into_inner();
    assert!(schema.diagnostics.is_empty());
    let provider_block = schema
        .provider
        .and_then(|s| s.block)
        .expect("provider block");
    let token = provider_block
        .attributes
        .iter()
        .find(|a| a.name == "token")
        .expect("token attribute");
    assert!(token.sensitive && token.optional);
    let echo = schema
        .data_source_schemas
        .get("toy_echo")
        .and_then(|s| s.block.as_ref())
        .expect("toy_echo schema");
    assert_eq!(echo.attributes.len(), 3);
    assert!(schema.resource_schemas.is_empty());
    let capabilities = schema.server_capabilities.expect("capabilities");
    assert!(capabilities.get_provider_schema_optional);
    assert!(!capabilities.plan_destroy);
}

#[tokio::test]
async fn tls_1_2_clients_are_served_too() {
    let (server, client, _dir, _) = start_tls().await;
    let certificate = server.certificate_der().expect("certificate");
    let channel = tls_channel_with_versions(
        &socket_path(&server),
        &client,
        certificate,
        &[&rustls::version::TLS12],
    )
    .await
    .expect("TLS 1.2 connection");
    assert_eq!(
        health_status(channel).await.expect("health over TLS 1.2"),
        SERVING
    );
}

/// The pinned certificate is not enough: the client must prove it holds the certificate's
/// P-521 key. A client presenting Terraform's certificate but signing the handshake with another
/// key is refused over TLS 1.3 and 1.2, and the genuine client is still served.
#[tokio::test]
async fn client_with_the_pinned_certificate_but_a_wrong_signature_is_refused() {
    let (server, client, _dir, _) = start_tls().await;
    let impostor = ClientIdentity::impostor_of(&client);
    let certificate = server.certificate_der().expect("certificate").to_vec();
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let refused = async {
            let channel = tls_channel_with_versions(
                &socket_path(&server),
                &impostor,
                &certificate,
                &[version],
            )
            .await?;
            health_status(channel)
                .await
                .map_err(|status| Box::new(status) as BoxError)
        }
        .await;
        assert!(
            refused.is_err(),
            "{version:?}: a handshake signed with another key must not be served"
        );
    }
    let channel = connect(&server, &client).await;
    assert_eq!(
        health_status(channel).await.expect("genuine client"),
        SERVING
    );
}

#[tokio::test]
async fn client_with_another_certificate_is_refused_and_server_keeps_serving() {
    let (server, client, _dir, _) = start_tls().await;
    let stranger = ClientIdentity::generate();
    let certificate = server.certificate_der().expect("certificate").to_vec();
    let refused = async {
        let channel = tls_channel(&socket_path(&server), &stranger, &certificate).await?;
        health_status(channel)
            .await
            .map_err(|status| Box::new(status) as BoxError)
    }
    .await;
    assert!(
        refused.is_err(),
        "a client with another certificate must not be served"
    );

    let channel = connect(&server, &client).await;
    assert_eq!(
        health_status(channel)
            .await
            .expect("health after a refused client"),
        SERVING
    );
}

#[tokio::test]
async fn plaintext_client_is_refused_by_a_tls_server() {
    let (server, _client, _dir, _) = start_tls().await;
    let result = async {
        let channel = plain_channel(&socket_path(&server)).await?;
        health_status(channel)
            .await
            .map_err(|status| Box::new(status) as BoxError)
    }
    .await;
    assert!(result.is_err());
}

#[tokio::test]
async fn read_validate_and_configure_round_trip() {
    let (server, client, _dir, _) = start_tls().await;
    let mut provider = provider_client(connect(&server, &client).await);
    configure(&mut provider).await;

    let read = provider
        .read_data_source(pb::read_data_source::Request {
            type_name: "toy_echo".to_owned(),
            config: Some(echo_config("hello", "echo")),
            ..Default::default()
        })
        .await
        .expect("ReadDataSource")
        .into_inner();
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let state = decode_state(read.state.as_ref().expect("state"));
    assert_eq!(state.get("output"), Some(&Value::from("echo: hello")));

    let invalid = provider
        .validate_data_resource_config(pb::validate_data_resource_config::Request {
            type_name: "toy_echo".to_owned(),
            config: Some(echo_config("", "echo")),
        })
        .await
        .expect("ValidateDataResourceConfig")
        .into_inner();
    assert_eq!(invalid.diagnostics.len(), 1);
    assert_eq!(invalid.diagnostics[0].summary, "Empty input");
    let step = &invalid.diagnostics[0]
        .attribute
        .as_ref()
        .expect("path")
        .steps[0];
    assert_eq!(
        step.selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "input".to_owned()
        ))
    );

    // JSON is accepted when msgpack is absent.
    let json_config = pb::DynamicValue {
        msgpack: Vec::new(),
        json: br#"{"endpoint":"http://plain","token":null}"#.to_vec(),
    };
    let validated = provider
        .validate_provider_config(pb::validate_provider_config::Request {
            config: Some(json_config),
        })
        .await
        .expect("ValidateProviderConfig")
        .into_inner();
    assert_eq!(validated.diagnostics.len(), 1);
    assert_eq!(validated.diagnostics[0].summary, "Invalid endpoint");

    // Unknown provider configuration cannot configure the provider.
    let unknown = pb::DynamicValue {
        msgpack: vec![
            0x82, 0xa8, b'e', b'n', b'd', b'p', b'o', b'i', b'n', b't', 0xd4, 0, 0, 0xa5, b't',
            b'o', b'k', b'e', b'n', 0xc0,
        ],
        json: Vec::new(),
    };
    let configured = provider
        .configure_provider(pb::configure_provider::Request {
            config: Some(unknown),
            ..Default::default()
        })
        .await
        .expect("ConfigureProvider")
        .into_inner();
    assert_eq!(
        configured.diagnostics.len(),
        1,
        "{:?}",
        configured.diagnostics
    );
    assert!(configured.diagnostics[0].attribute.is_some());
    let detail = &configured.diagnostics[0].detail;
    assert!(
        detail.contains("\"endpoint\"") && detail.contains("known at plan time"),
        "{detail}"
    );
}

#[tokio::test]
async fn bad_input_and_provider_bugs_become_diagnostics() {
    let (server, client, _dir, _) = start_tls().await;
    let mut provider = provider_client(connect(&server, &client).await);
    configure(&mut provider).await;
    let read = |type_name: &str, config: pb::DynamicValue| pb::read_data_source::Request {
        type_name: type_name.to_owned(),
        config: Some(config),
        ..Default::default()
    };
    let error_summary = |response: pb::read_data_source::Response| {
        assert!(
            response.state.is_none(),
            "no state is sent with an invalid result"
        );
        let error = response
            .diagnostics
            .iter()
            .find(|d| d.severity == pb::diagnostic::Severity::Error as i32)
            .expect("an error diagnostic");
        format!("{}: {}", error.summary, error.detail)
    };

    let garbage = pb::DynamicValue {
        msgpack: vec![0xc1],
        json: Vec::new(),
    };
    let text = error_summary(
        provider
            .read_data_source(read("toy_echo", garbage))
            .await
            .expect("rpc")
            .into_inner(),
    );
    assert!(
        text.starts_with("Invalid data source configuration"),
        "{text}"
    );

    let text = error_summary(
        provider
            .read_data_source(read("toy_nope", echo_config("x", "")))
            .await
            .expect("rpc")
            .into_inner(),
    );
    assert!(
        text.contains("toy_nope") && text.contains("toy_echo"),
        "{text}"
    );

    for mode in ["wrong_type", "unknown", "nothing", "panic"] {
        let response = provider
            .read_data_source(read("toy_echo", echo_config("x", mode)))
            .await
            .expect("rpc survives");
        let text = error_summary(response.into_inner());
        assert!(text.contains("provider bug"), "{mode}: {text}");
    }
    // The server is still healthy after a provider panic.
    let channel = connect(&server, &client).await;
    assert_eq!(health_status(channel).await.expect("health"), SERVING);
}

/// Terraform configures a provider before reading from it; a read that comes first gets the
/// server's own error, and the data source is not called.
#[tokio::test]
async fn a_read_before_configure_is_refused() {
    let (server, client, _dir, mut read_started) = start_tls().await;
    let mut provider = provider_client(connect(&server, &client).await);
    let read = pb::read_data_source::Request {
        type_name: "toy_echo".to_owned(),
        config: Some(echo_config("early", "echo")),
        ..Default::default()
    };
    let early = provider
        .read_data_source(read.clone())
        .await
        .expect("ReadDataSource")
        .into_inner();
    assert!(early.state.is_none());
    assert_eq!(early.diagnostics.len(), 1, "{:?}", early.diagnostics);
    assert_eq!(early.diagnostics[0].summary, "Provider not configured");
    assert_eq!(
        early.diagnostics[0].detail,
        "The toy provider was asked to read a data source before it was configured. This is a bug in Terraform or the provider; please report it."
    );
    assert!(read_started.try_recv().is_err(), "the read was not started");

    configure(&mut provider).await;
    let read = provider
        .read_data_source(read)
        .await
        .expect("ReadDataSource")
        .into_inner();
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
}

#[tokio::test]
async fn unsupported_rpcs_answer_with_clear_diagnostics() {
    let (server, client, _dir, _) = start_tls().await;
    let mut provider = provider_client(connect(&server, &client).await);
    let plan = provider
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "toy_thing".to_owned(),
            ..Default::default()
        })
        .await
        .expect("PlanResourceChange")
        .into_inner();
    assert_eq!(plan.diagnostics.len(), 1);
    let detail = &plan.diagnostics[0].detail;
    assert!(detail.contains("toy has no managed resources"), "{detail}");
    assert!(detail.contains("only the data source toy_echo"), "{detail}");

    let function = provider
        .call_function(pb::call_function::Request {
            name: "f".to_owned(),
            arguments: Vec::new(),
        })
        .await
        .expect("CallFunction")
        .into_inner();
    assert!(
        function
            .error
            .expect("function error")
            .text
            .contains("no functions")
    );

    let mut events = provider
        .list_resource(pb::list_resource::Request {
            type_name: "toy_list".to_owned(),
            ..Default::default()
        })
        .await
        .expect("ListResource")
        .into_inner();
    let event = events.message().await.expect("stream").expect("one event");
    assert!(event.diagnostic[0].detail.contains("no list resources"));
    assert!(events.message().await.expect("stream end").is_none());

    let identities = provider
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .expect("GetResourceIdentitySchemas")
        .into_inner();
    assert!(identities.identity_schemas.is_empty() && identities.diagnostics.is_empty());

    let metadata = provider
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("GetMetadata")
        .into_inner();
    assert_eq!(metadata.data_sources.len(), 1);
    assert_eq!(metadata.data_sources[0].type_name, "toy_echo");
}

#[tokio::test]
async fn stop_provider_cancels_in_flight_reads_and_keeps_serving() {
    let (server, client, _dir, mut read_started) = start_tls().await;
    let mut provider = provider_client(connect(&server, &client).await);
    configure(&mut provider).await;

    let mut waiting = provider.clone();
    let in_flight = tokio::spawn(async move {
        waiting
            .read_data_source(pb::read_data_source::Request {
                type_name: "toy_echo".to_owned(),
                config: Some(echo_config("slow", "wait")),
                ..Default::default()
            })
            .await
    });
    read_started.recv().await.expect("the read started");

    let stopped = provider
        .stop_provider(pb::stop_provider::Request {})
        .await
        .expect("StopProvider")
        .into_inner();
    assert_eq!(stopped.error, "");

    let cancelled = in_flight
        .await
        .expect("task")
        .expect("the read answers")
        .into_inner();
    assert!(cancelled.state.is_none());
    assert_eq!(cancelled.diagnostics[0].summary, "Read cancelled");

    // A fresh token: the next read is not cancelled.
    let next = provider
        .read_data_source(pb::read_data_source::Request {
            type_name: "toy_echo".to_owned(),
            config: Some(echo_config("again", "echo")),
            ..Default::default()
        })
        .await
        .expect("ReadDataSource after StopProvider")
        .into_inner();
    assert!(next.diagnostics.is_empty(), "{:?}", next.diagnostics);
}

/// Validation and configuration get no cancellation token, so the server races them against
/// StopProvider: the first Ctrl-C must not wait for a slow call.
#[tokio::test]
async fn stop_provider_interrupts_slow_configure_and_validate() {
    let (server, client, _dir, mut started) = start_tls().await;
    let mut provider = provider_client(connect(&server, &client).await);
    let limit = std::time::Duration::from_secs(10);

    let mut configuring = provider.clone();
    let configure = tokio::spawn(async move {
        configuring
            .configure_provider(pb::configure_provider::Request {
                config: Some(provider_config(SLOW_ENDPOINT)),
                ..Default::default()
            })
            .await
    });
    let mut validating = provider.clone();
    let validate = tokio::spawn(async move {
        validating
            .validate_provider_config(pb::validate_provider_config::Request {
                config: Some(provider_config(SLOW_ENDPOINT)),
            })
            .await
    });
    for _ in 0..2 {
        tokio::time::timeout(limit, started.recv())
            .await
            .expect("both slow calls started")
            .expect("channel open");
    }

    provider
        .stop_provider(pb::stop_provider::Request {})
        .await
        .expect("StopProvider");

    let configured = tokio::time::timeout(limit, configure)
        .await
        .expect("ConfigureProvider was interrupted by StopProvider")
        .expect("task")
        .expect("ConfigureProvider answers")
        .into_inner();
    let validated = tokio::time::timeout(limit, validate)
        .await
        .expect("ValidateProviderConfig was interrupted by StopProvider")
        .expect("task")
        .expect("ValidateProviderConfig answers")
        .into_inner();
    for diagnostics in [&configured.diagnostics, &validated.diagnostics] {
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(
            diagnostics[0].severity,
            pb::diagnostic::Severity::Error as i32
        );
        assert!(
            diagnostics[0]
                .detail
                .starts_with("cancelled: Terraform asked the provider to stop"),
            "{:?}",
            diagnostics[0]
        );
    }

    // Later calls get a fresh token and run normally.
    let configured = provider
        .configure_provider(pb::configure_provider::Request {
            config: Some(provider_config("https://fast")),
            ..Default::default()
        })
        .await
        .expect("ConfigureProvider after StopProvider")
        .into_inner();
    assert!(
        configured.diagnostics.is_empty(),
        "{:?}",
        configured.diagnostics
    );
}

#[tokio::test]
async fn controller_shutdown_ends_the_server_and_removes_the_socket() {
    let (server, client, _dir, _) = start_tls().await;
    let socket = socket_path(&server);
    let channel = connect(&server, &client).await;
    // Terraform keeps the stdio stream open; shutdown must not wait for it forever.
    let mut stdio =
        tfplugin::proto::plugin::grpc_stdio_client::GrpcStdioClient::new(channel.clone());
    let mut output = stdio
        .stream_stdio(())
        .await
        .expect("StreamStdio")
        .into_inner();

    controller_client(channel)
        .shutdown(Empty {})
        .await
        .expect("Shutdown answers before stopping");
    server.wait().await.expect("the server stops cleanly");
    assert!(!socket.exists(), "socket removed");
    // The stdio stream ended without sending anything.
    assert!(matches!(output.message().await, Ok(None) | Err(_)));
}

#[tokio::test]
async fn plaintext_server_when_tls_is_disabled() {
    let dir = tempfile::tempdir().expect("socket dir");
    let (provider, _) = ToyProvider::new();
    let server = start(Arc::new(provider), settings(TlsMode::Disabled, dir.path()))
        .await
        .expect("server starts");
    assert!(server.certificate_der().is_none());
    assert!(server.handshake_line().ends_with("|grpc|"));
    let channel = plain_channel(&socket_path(&server))
        .await
        .expect("plaintext connection");
    assert_eq!(health_status(channel).await.expect("health"), SERVING);
    server.shutdown_token().cancel();
    server.wait().await.expect("stops");
}
