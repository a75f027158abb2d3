//! Why the server could not start or run.

use std::io;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot create the TLS certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("cannot configure TLS: {0}")]
    Tls(#[from] rustls::Error),
    #[error("cannot listen: {0}")]
    Listen(#[source] io::Error),
    #[error("cannot {action}: {source}")]
    Io {
        action: &'static str,
        source: io::Error,
    },
    #[error("the gRPC server failed: {0}")]
    Grpc(#[from] tonic::transport::Error),
    #[error("the gRPC server task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("the gRPC server stopped without a shutdown request")]
    EndedUnexpectedly,
}
