//! `plugin.GRPCBroker`: go-plugin's side channel for extra connections. Terraform providers
//! never broker connections, but the host opens the stream: accept it, read and discard what
//! arrives (so the host never blocks on flow control) and stay open until shutdown.

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use super::until_shutdown::{IdleStream, idle_until_shutdown};
use crate::proto::plugin::ConnInfo;
use crate::proto::plugin::grpc_broker_server::GrpcBroker;

pub(crate) struct BrokerService {
    shutdown: CancellationToken,
}

impl BrokerService {
    pub(crate) fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcBroker for BrokerService {
    type StartStreamStream = IdleStream<ConnInfo>;

    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        let mut inbound = request.into_inner();
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    message = inbound.message() => match message {
                        Ok(Some(info)) => tracing::debug!(service_id = info.service_id, "ignoring broker message"),
                        Ok(None) | Err(_) => break,
                    },
                }
            }
        });
        Ok(Response::new(idle_until_shutdown(self.shutdown.clone())))
    }
}
