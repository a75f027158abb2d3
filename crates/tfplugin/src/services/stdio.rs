//! `plugin.GRPCStdio`: Terraform opens this stream to receive the plugin's output. Logs go to
//! stderr directly (Terraform reads that pipe), and every chunk sent here would be logged by
//! Terraform as a warning, so the stream stays open and silent until shutdown.

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::until_shutdown::{IdleStream, idle_until_shutdown};
use crate::proto::plugin::StdioData;
use crate::proto::plugin::grpc_stdio_server::GrpcStdio;

pub(crate) struct StdioService {
    shutdown: CancellationToken,
}

impl StdioService {
    pub(crate) fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcStdio for StdioService {
    type StreamStdioStream = IdleStream<StdioData>;

    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(idle_until_shutdown(self.shutdown.clone())))
    }
}
