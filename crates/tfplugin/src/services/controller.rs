//! `plugin.GRPCController`: Terraform asks the plugin to exit (instead of killing it after a
//! two-second wait).

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::proto::plugin::Empty;
use crate::proto::plugin::grpc_controller_server::GrpcController;

pub(crate) struct ControllerService {
    shutdown: CancellationToken,
}

impl ControllerService {
    pub(crate) fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcController for ControllerService {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("shutdown requested by Terraform");
        // A graceful stop: this response is still delivered before connections close.
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}
