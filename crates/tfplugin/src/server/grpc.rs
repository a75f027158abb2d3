//! The gRPC server: services, transport (plaintext or mutual TLS) and graceful shutdown.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::{ReceiverStream, TcpListenerStream, UnixListenerStream};
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use tonic::transport::Server;
use tonic::transport::server::Connected;
use tonic_health::ServingStatus;

use super::error::ServeError;
use super::handshake::handshake_line;
use super::listener::{self, PluginAddress, PluginListener};
use super::settings::{ServerSettings, TlsMode};
use super::tls;
use crate::Provider;
use crate::proto::plugin::grpc_broker_server::GrpcBrokerServer;
use crate::proto::plugin::grpc_controller_server::GrpcControllerServer;
use crate::proto::plugin::grpc_stdio_server::GrpcStdioServer;
use crate::proto::tfplugin6::provider_server::ProviderServer;
use crate::services::broker::BrokerService;
use crate::services::controller::ControllerService;
use crate::services::provider::ProviderService;
use crate::services::stdio::StdioService;
use crate::services::stop::StopSignal;

/// Largest message either way: Terraform sends whole configurations and states, and
/// terraform-plugin-go allows 256 MiB (tonic's default is 4 MiB).
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;
/// The health service name go-plugin hosts check.
const HEALTH_SERVICE: &str = "plugin";
/// How long a client may take to complete its TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// After shutdown, how long open connections may take to finish before the process leaves
/// anyway (Terraform kills a plugin that is still running two seconds after Shutdown).
const SHUTDOWN_GRACE: Duration = Duration::from_millis(1500);

/// A started server. Dropping it without [`RunningServer::wait`] leaves the server running
/// until the runtime ends, but removes the socket directory.
pub struct RunningServer {
    address: PluginAddress,
    certificate_der: Option<Vec<u8>>,
    shutdown: CancellationToken,
    stop: Arc<StopSignal>,
    health: tonic_health::server::HealthReporter,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
    /// Keeps the private socket directory alive while serving.
    _listener_guard: Option<tempfile::TempDir>,
}

impl RunningServer {
    pub fn address(&self) -> &PluginAddress {
        &self.address
    }

    /// The server certificate's DER (what the handshake line carries), when TLS is on.
    pub fn certificate_der(&self) -> Option<&[u8]> {
        self.certificate_der.as_deref()
    }

    /// The go-plugin handshake line announcing this server.
    pub fn handshake_line(&self) -> String {
        handshake_line(&self.address, self.certificate_der())
    }

    /// Cancelling this token stops the server gracefully (as `GRPCController.Shutdown` does).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Serves until shutdown is requested, then stops: in-flight reads are cancelled, open
    /// connections get a short grace period, and the socket directory is removed. A server
    /// that ends without a shutdown request is an error: it is logged, the same stop path
    /// runs, and the error is returned.
    pub async fn wait(self) -> Result<(), ServeError> {
        let RunningServer {
            shutdown,
            stop,
            health,
            mut task,
            _listener_guard,
            ..
        } = self;
        let ended_on_its_own = tokio::select! {
            biased;
            () = shutdown.cancelled() => None,
            finished = &mut task => Some(finished),
        };
        health
            .set_service_status(HEALTH_SERVICE, ServingStatus::NotServing)
            .await;
        stop.stop();
        let outcome = match ended_on_its_own {
            None => {
                tracing::debug!("shutting down");
                match tokio::time::timeout(SHUTDOWN_GRACE, &mut task).await {
                    Ok(finished) => task_outcome(finished),
                    Err(_) => {
                        tracing::debug!(
                            "connections still open after the grace period; leaving anyway"
                        );
                        task.abort();
                        Ok(())
                    }
                }
            }
            Some(finished) => {
                // Let everything waiting for a shutdown (signals, stdio streams) end too.
                shutdown.cancel();
                let error = task_outcome(finished)
                    .err()
                    .unwrap_or(ServeError::EndedUnexpectedly);
                tracing::error!(%error, "the gRPC server ended without a shutdown request");
                Err(error)
            }
        };
        drop(_listener_guard);
        outcome
    }
}

/// The result of the server task, flattened.
fn task_outcome(
    finished: Result<Result<(), tonic::transport::Error>, tokio::task::JoinError>,
) -> Result<(), ServeError> {
    Ok(finished??)
}

/// Starts the plugin's gRPC server (all services) on a fresh listener. Must be called within
/// a tokio runtime.
pub async fn start<P: Provider>(
    provider: Arc<P>,
    settings: ServerSettings,
) -> Result<RunningServer, ServeError> {
    let acceptor_and_certificate = match &settings.tls {
        TlsMode::Disabled => None,
        TlsMode::Mutual {
            client_certificate_der,
        } => {
            let identity = tls::generate_server_identity()?;
            let config = tls::server_config(&identity, client_certificate_der)?;
            Some((TlsAcceptor::from(config), identity.certificate_der.to_vec()))
        }
    };
    let listener = listener::bind(settings.socket_dir.as_deref(), settings.tcp_ports)
        .map_err(ServeError::Listen)?;
    let address = listener.address();

    let shutdown = CancellationToken::new();
    let stop = Arc::new(StopSignal::default());
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_service_status(HEALTH_SERVICE, ServingStatus::Serving)
        .await;

    let provider_service = ProviderServer::new(ProviderService::new(
        provider,
        settings.provider_name,
        stop.clone(),
    ))
    .max_decoding_message_size(MAX_MESSAGE_SIZE)
    .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let routes = Routes::new(health_service)
        .add_service(provider_service)
        .add_service(GrpcControllerServer::new(ControllerService::new(
            shutdown.clone(),
        )))
        .add_service(GrpcStdioServer::new(StdioService::new(shutdown.clone())))
        .add_service(GrpcBrokerServer::new(BrokerService::new(shutdown.clone())));

    let (acceptor, certificate_der) = acceptor_and_certificate.unzip();
    let (task, listener_guard) = match listener {
        PluginListener::Unix {
            listener,
            directory,
            ..
        } => {
            let incoming = UnixListenerStream::new(listener);
            (
                spawn_transport(routes, incoming, acceptor, shutdown.clone()),
                Some(directory),
            )
        }
        PluginListener::Tcp { listener, .. } => {
            let incoming = TcpListenerStream::new(listener);
            (
                spawn_transport(routes, incoming, acceptor, shutdown.clone()),
                None,
            )
        }
    };
    tracing::debug!(network = address.network(), address = %address.address(), tls = certificate_der.is_some(), "plugin server started");
    Ok(RunningServer {
        address,
        certificate_der,
        shutdown,
        stop,
        health,
        task,
        _listener_guard: listener_guard,
    })
}

type ServerTask = JoinHandle<Result<(), tonic::transport::Error>>;

fn spawn_transport<S, IO>(
    routes: Routes,
    incoming: S,
    acceptor: Option<TlsAcceptor>,
    shutdown: CancellationToken,
) -> ServerTask
where
    S: Stream<Item = io::Result<IO>> + Send + Unpin + 'static,
    IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
{
    match acceptor {
        None => spawn_server(routes, incoming, shutdown),
        Some(acceptor) => spawn_server(
            routes,
            tls_handshakes(incoming, acceptor, shutdown.clone()),
            shutdown,
        ),
    }
}

fn spawn_server<S, IO>(routes: Routes, incoming: S, shutdown: CancellationToken) -> ServerTask
where
    S: Stream<Item = io::Result<IO>> + Send + 'static,
    IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        Server::builder()
            .add_routes(routes)
            .serve_with_incoming_shutdown(incoming, shutdown.cancelled_owned())
            .await
    })
}

/// Completed TLS connections. Each handshake runs in its own task, so a slow or hostile client
/// cannot hold up others; a failed handshake (e.g. a client with another certificate) is
/// logged and dropped without affecting the server.
fn tls_handshakes<S, IO>(
    mut incoming: S,
    acceptor: TlsAcceptor,
    shutdown: CancellationToken,
) -> impl Stream<Item = io::Result<TlsStream<IO>>> + Send + 'static
where
    S: Stream<Item = io::Result<IO>> + Send + Unpin + 'static,
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let connection = tokio::select! {
                () = shutdown.cancelled() => break,
                connection = incoming.next() => connection,
            };
            let stream = match connection {
                None => break,
                Some(Ok(stream)) => stream,
                Some(Err(error)) => {
                    tracing::debug!(%error, "accept failed");
                    continue;
                }
            };
            let acceptor = acceptor.clone();
            let sender = sender.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls_stream)) => {
                        let _ = sender.send(Ok(tls_stream)).await;
                    }
                    Ok(Err(error)) => tracing::debug!(%error, "TLS handshake refused"),
                    Err(_) => tracing::debug!("TLS handshake timed out"),
                }
            });
        }
    });
    ReceiverStream::new(receiver)
}
