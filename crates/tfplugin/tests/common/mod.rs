//! Test harness: a Terraform-like client (AutoMTLS with a P-521 client certificate, or
//! plaintext, over the plugin's unix socket) and a small provider implementing the traits.
#![allow(dead_code)] // each test file uses a different part of the harness

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, PKCS_ECDSA_P521_SHA512};
use rustls::client::ResolvesClientCert;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tfplugin::cty::{Type, Value};
use tfplugin::proto::plugin::grpc_controller_client::GrpcControllerClient;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_client::ProviderClient;
use tfplugin::{
    Attribute, ConfigureOk, ConfigureResult, DataSource, Diagnostic, Diagnostics, Provider,
    ReadResult, Schema, UnknownConfig,
};
use tokio::net::UnixStream;
use tokio::sync::mpsc;
use tokio_rustls::TlsConnector;
use tokio_util::sync::CancellationToken;
use tonic::transport::{Channel, Endpoint, Uri};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A client certificate like the one Terraform generates: ECDSA P-521 / SHA-512, self-signed,
/// a CA, SAN `localhost`.
pub struct ClientIdentity {
    pub certificate_der: Vec<u8>,
    pub certificate_pem: String,
    /// The key that signs the TLS handshake: the certificate's own, unless the identity is
    /// an impostor's ([`ClientIdentity::impostor_of`]).
    key_pkcs8_der: Vec<u8>,
}

impl ClientIdentity {
    pub fn generate() -> Self {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P521_SHA512).expect("P-521 key");
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let certificate = params.self_signed(&key).expect("self-signed");
        Self {
            certificate_der: certificate.der().to_vec(),
            certificate_pem: certificate.pem(),
            key_pkcs8_der: key.serialize_der(),
        }
    }

    /// Presents `genuine`'s certificate (the one the server expects) but signs the handshake
    /// with another P-521 key, so the signature cannot match the certificate.
    pub fn impostor_of(genuine: &ClientIdentity) -> Self {
        Self {
            certificate_der: genuine.certificate_der.clone(),
            certificate_pem: genuine.certificate_pem.clone(),
            key_pkcs8_der: ClientIdentity::generate().key_pkcs8_der,
        }
    }
}

/// Always presents the one certificate with its signing key. (rustls' own
/// `with_client_auth_cert` refuses a key that does not match the certificate, which an
/// impostor needs.)
#[derive(Debug)]
struct FixedClientCertificate(Arc<CertifiedKey>);

impl ResolvesClientCert for FixedClientCertificate {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _schemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// Trusts exactly the certificate from the handshake line, for `localhost`, as go-plugin does.
#[derive(Debug)]
struct PinnedServer {
    expected_der: Vec<u8>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let localhost =
            matches!(server_name, ServerName::DnsName(name) if name.as_ref() == "localhost");
        if localhost && end_entity.as_ref() == self.expected_der.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

fn client_tls_config(
    client: &ClientIdentity,
    server_certificate_der: &[u8],
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<ClientConfig> {
    // aws-lc-rs on the client side only: like Terraform, it signs with a P-521 key.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let signing_key = provider
        .key_provider
        .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            client.key_pkcs8_der.clone(),
        )))
        .expect("client key");
    let certified = CertifiedKey::new(
        vec![CertificateDer::from(client.certificate_der.clone())],
        signing_key,
    );
    let verifier = Arc::new(PinnedServer {
        expected_der: server_certificate_der.to_vec(),
        algorithms: provider.signature_verification_algorithms,
    });
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .expect("protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_cert_resolver(Arc::new(FixedClientCertificate(Arc::new(certified))));
    config.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(config)
}

/// A gRPC channel over the plugin's unix socket with mutual TLS (1.2 or 1.3).
pub async fn tls_channel(
    socket: &Path,
    client: &ClientIdentity,
    server_certificate_der: &[u8],
) -> Result<Channel, BoxError> {
    let versions = [&rustls::version::TLS13, &rustls::version::TLS12];
    tls_channel_with_versions(socket, client, server_certificate_der, &versions).await
}

/// Like [`tls_channel`], restricted to the given TLS versions.
pub async fn tls_channel_with_versions(
    socket: &Path,
    client: &ClientIdentity,
    server_certificate_der: &[u8],
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Result<Channel, BoxError> {
    let connector = TlsConnector::from(client_tls_config(client, server_certificate_der, versions));
    let socket = socket.to_path_buf();
    let channel = Endpoint::try_from("http://localhost")?
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let (connector, socket) = (connector.clone(), socket.clone());
            async move {
                let stream = UnixStream::connect(socket).await?;
                let name = ServerName::try_from("localhost").map_err(std::io::Error::other)?;
                let tls = connector.connect(name, stream).await?;
                Ok::<_, std::io::Error>(TokioIo::new(tls))
            }
        }))
        .await?;
    Ok(channel)
}

/// A plaintext gRPC channel over the plugin's unix socket.
pub async fn plain_channel(socket: &Path) -> Result<Channel, BoxError> {
    let socket: PathBuf = socket.to_path_buf();
    let channel = Endpoint::try_from("http://localhost")?
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let socket = socket.clone();
            async move { Ok::<_, std::io::Error>(TokioIo::new(UnixStream::connect(socket).await?)) }
        }))
        .await?;
    Ok(channel)
}

pub fn provider_client(channel: Channel) -> ProviderClient<Channel> {
    ProviderClient::new(channel)
}

pub fn controller_client(channel: Channel) -> GrpcControllerClient<Channel> {
    GrpcControllerClient::new(channel)
}

pub async fn health_status(channel: Channel) -> Result<i32, tonic::Status> {
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    let response = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".to_owned(),
        })
        .await?;
    Ok(response.into_inner().status)
}

pub const SERVING: i32 = tonic_health::pb::health_check_response::ServingStatus::Serving as i32;

/// The echo data source's value type.
pub fn echo_type() -> Type {
    EchoDataSource::new().schema().value_type()
}

pub fn echo_config(input: &str, mode: &str) -> pb::DynamicValue {
    let value = Value::object([
        ("input", Value::from(input)),
        ("mode", Value::from(mode)),
        ("output", Value::Null),
    ]);
    pb::DynamicValue {
        msgpack: tfplugin::cty::msgpack::encode(&value, &echo_type()).expect("encode"),
        json: Vec::new(),
    }
}

pub fn decode_state(state: &pb::DynamicValue) -> Value {
    tfplugin::cty::msgpack::decode(&state.msgpack, &echo_type()).expect("state decodes")
}

/// The provider endpoint that makes validation and configuration never finish on their own
/// (they get no cancellation token; only the server can interrupt them).
pub const SLOW_ENDPOINT: &str = "https://slow";

/// A provider with one data source, `toy_echo`, whose `mode` attribute selects behaviours
/// the server must handle: echo, wait for cancellation, panic, invalid state, no state. The
/// provider endpoint [`SLOW_ENDPOINT`] makes validation and configuration hang.
pub struct ToyProvider {
    echo: Arc<EchoDataSource>,
    /// Told when a slow call starts (the same channel as the data source's reads).
    started: mpsc::UnboundedSender<()>,
}

impl ToyProvider {
    /// The provider and a receiver told whenever a read or a slow call starts.
    pub fn new() -> (Self, mpsc::UnboundedReceiver<()>) {
        let (started, receiver) = mpsc::unbounded_channel();
        let mut echo = EchoDataSource::new();
        echo.read_started = Some(started.clone());
        (
            Self {
                echo: Arc::new(echo),
                started,
            },
            receiver,
        )
    }

    /// Hangs (until the server drops this call) when the endpoint is [`SLOW_ENDPOINT`].
    async fn maybe_hang(&self, config: &Value) {
        if config.get("endpoint").and_then(Value::as_str) == Some(SLOW_ENDPOINT) {
            let _ = self.started.send(());
            std::future::pending::<()>().await;
        }
    }
}

#[async_trait]
impl Provider for ToyProvider {
    /// Nothing: the echo needs no client, only a configured provider.
    type Configured = ();

    fn schema(&self) -> Schema {
        Schema::new(
            "A toy provider.",
            vec![
                Attribute::string("endpoint").optional(),
                Attribute::string("token").optional().sensitive(),
            ],
        )
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<()>>> {
        vec![self.echo.clone()]
    }

    async fn validate_config(&self, config: &Value) -> Diagnostics {
        self.maybe_hang(config).await;
        match config.get("endpoint").and_then(Value::as_str) {
            Some(endpoint) if !endpoint.starts_with("https://") => {
                Diagnostic::error("Invalid endpoint", "use https")
                    .at(tfplugin::AttributePath::root("endpoint"))
                    .into()
            }
            _ => Diagnostics::new(),
        }
    }

    async fn configure(&self, config: &Value) -> ConfigureResult<()> {
        self.maybe_hang(config).await;
        Ok(ConfigureOk::new(()))
    }

    /// Refuses an unknown configuration, so the tests see the server's diagnostics for it.
    fn unknown_config(&self) -> UnknownConfig {
        UnknownConfig::Error {
            reason: "Terraform needs it known at plan time: the toy provider connects early."
                .to_owned(),
        }
    }
}

/// The provider configuration `{endpoint, token = null}` in msgpack.
pub fn provider_config(endpoint: &str) -> pb::DynamicValue {
    let ty = Type::object([("endpoint", Type::String), ("token", Type::String)]);
    let value = Value::object([("endpoint", Value::from(endpoint)), ("token", Value::Null)]);
    pb::DynamicValue {
        msgpack: tfplugin::cty::msgpack::encode(&value, &ty).expect("encode"),
        json: Vec::new(),
    }
}

/// Configures the provider as Terraform does before any read (endpoint `https://fast`).
pub async fn configure(provider: &mut ProviderClient<Channel>) {
    let configured = provider
        .configure_provider(pb::configure_provider::Request {
            config: Some(provider_config("https://fast")),
            ..Default::default()
        })
        .await
        .expect("ConfigureProvider")
        .into_inner();
    assert!(
        configured.diagnostics.is_empty(),
        "{:?}",
        configured.diagnostics
    );
}

pub struct EchoDataSource {
    /// Told when a read starts, so tests can act while it is in flight.
    read_started: Option<mpsc::UnboundedSender<()>>,
}

impl EchoDataSource {
    fn new() -> Self {
        Self { read_started: None }
    }
}

#[async_trait]
impl DataSource<()> for EchoDataSource {
    fn type_name(&self) -> &'static str {
        "toy_echo"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Echoes its input.",
            vec![
                Attribute::string("input").required(),
                Attribute::string("mode").optional(),
                Attribute::string("output").computed(),
            ],
        )
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        match config.get("input").and_then(Value::as_str) {
            Some("") => Diagnostic::error("Empty input", "input must not be empty")
                .at(tfplugin::AttributePath::root("input"))
                .into(),
            _ => Diagnostics::new(),
        }
    }

    async fn read(
        &self,
        _configured: &(),
        config: &Value,
        cancel: CancellationToken,
    ) -> ReadResult {
        if let Some(started) = &self.read_started {
            let _ = started.send(());
        }
        let input = config
            .get("input")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let state = |output: Value| {
            Some(Value::object([
                ("input", Value::from(input.clone())),
                ("mode", config.get("mode").cloned().unwrap_or(Value::Null)),
                ("output", output),
            ]))
        };
        match config.get("mode").and_then(Value::as_str) {
            Some("wait") => {
                cancel.cancelled().await;
                ReadResult {
                    state: None,
                    diagnostics: Diagnostic::error("Read cancelled", "stopped by Terraform").into(),
                }
            }
            Some("panic") => panic!("toy provider panics on purpose"),
            Some("wrong_type") => ReadResult {
                state: state(Value::from(true)),
                diagnostics: Diagnostics::new(),
            },
            Some("unknown") => ReadResult {
                state: state(Value::Unknown),
                diagnostics: Diagnostics::new(),
            },
            Some("nothing") => ReadResult::default(),
            _ => ReadResult {
                state: state(Value::from(format!("echo: {input}"))),
                diagnostics: Diagnostics::new(),
            },
        }
    }
}
