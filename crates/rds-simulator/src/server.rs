//! The running simulator: a TCP listener, one hyper connection task per client, and the axum
//! router behind them.
//!
//! The connections are served by hand (not `axum::serve`) so that each one can be closed
//! abruptly, without any HTTP response, when the `drop_connection_at_offset` fault asks for it.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::credential_log::{AssumeRoleCall, CredentialLog, MetadataCall};
use crate::dataset::{Dataset, Query};
use crate::fault_state::FaultState;
use crate::handler::{ConnectionAborter, Shared, handle};
use crate::listing::current_listing;
use crate::metadata::MetadataTokens;
use crate::model::Backup;
use crate::request_log::{RequestLog, RequestRecord};
use crate::scenario::Scenario;
use crate::temporary_credentials::{CredentialStore, IssuedCredential};

/// How long shutdown waits for requests in flight before closing their connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running simulator. Dropping it stops the server too (without waiting).
pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Starts on `127.0.0.1` with a free port.
    pub async fn start(scenario: Scenario) -> std::io::Result<Simulator> {
        Simulator::start_on(scenario, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts on `addr` (port 0 picks a free port; see [`Simulator::addr`]).
    pub async fn start_on(scenario: Scenario, addr: SocketAddr) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            faults: FaultState::new(scenario.faults.clone()),
            scenario,
            log: RequestLog::default(),
            credentials: CredentialStore::default(),
            credential_log: CredentialLog::default(),
            metadata_tokens: MetadataTokens::default(),
        });
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let stop = CancellationToken::new();
        let task = tokio::spawn(serve(listener, router, stop.clone()));
        Ok(Simulator {
            addr,
            shared,
            stop,
            task: Some(task),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT`, the endpoint to give clients (for both RDS and IAM).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, in arrival order of completion.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.log.snapshot()
    }

    /// Forgets the requests logged so far, and the credential records
    /// ([`Simulator::assume_role_calls`], [`Simulator::metadata_calls`],
    /// [`Simulator::expired_credential_rejections`]); fault counters are not reset and issued
    /// credentials stay valid.
    pub fn clear_requests(&self) {
        self.shared.log.clear();
        self.shared.credential_log.clear();
    }

    /// Every `POST /v3.0/OS-CREDENTIAL/securitytokens` so far, in arrival order, with the body
    /// fields it carried and its answer (refused ones included).
    pub fn assume_role_calls(&self) -> Vec<AssumeRoleCall> {
        self.shared.credential_log.assume_role_calls()
    }

    /// The `securitytokens` calls that issued credentials (answered 201).
    pub fn successful_assume_role_calls(&self) -> usize {
        self.assume_role_calls()
            .iter()
            .filter(|call| call.status == 201)
            .count()
    }

    /// Every metadata request so far (`PUT .../api/token`, `GET .../securitykey`), in
    /// arrival order.
    pub fn metadata_calls(&self) -> Vec<MetadataCall> {
        self.shared.credential_log.metadata_calls()
    }

    /// How many requests were refused (401 `APIGW.0301`) because the temporary key they were
    /// signed with had expired.
    pub fn expired_credential_rejections(&self) -> usize {
        self.shared.credential_log.expired_rejections()
    }

    /// Every temporary credential issued so far (assumed and metadata), in issue order, with
    /// its secret and token (to sign test requests with).
    pub fn issued_credentials(&self) -> Vec<IssuedCredential> {
        self.shared.credentials.snapshot()
    }

    /// Makes every temporary credential issued so far expire now: requests signed with them
    /// are refused with 401 `APIGW.0301` from here on (to test refresh-on-401 without
    /// waiting for a lifetime to pass).
    pub fn expire_issued_credentials(&self) {
        self.shared
            .credentials
            .expire_all(time::OffsetDateTime::now_utc());
    }

    /// The configured dataset (without backups inserted by the `total_count_change` fault).
    pub fn dataset(&self) -> &Dataset {
        &self.shared.scenario.dataset
    }

    pub fn scenario(&self) -> &Scenario {
        &self.shared.scenario
    }

    /// What a list request with `query` pages over right now, including backups inserted by
    /// the `total_count_change` fault once it has kicked in.
    pub fn current_listing(&self, query: &Query) -> Vec<Backup> {
        current_listing(
            &self.shared.scenario.dataset,
            query,
            self.shared.faults.inserted_backups(),
            self.shared.faults.seed(),
        )
    }

    /// Stops accepting, lets requests in flight finish (a few seconds at most), then returns.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            // The task only ends by itself; a panic inside it has nothing left to clean up.
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn serve(listener: TcpListener, router: Router, stop: CancellationToken) {
    let graceful = GracefulShutdown::new();
    let builder = auto::Builder::new(TokioExecutor::new());
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Typically out of file descriptors: back off instead of spinning.
                    tracing::warn!("accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = stop.cancelled() => break,
        };
        let aborter = CancellationToken::new();
        let request_aborter = ConnectionAborter(aborter.clone());
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(request_aborter.clone());
            router.clone().oneshot(request)
        });
        let connection = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            tokio::select! {
                // Connection errors (client gone, bad HTTP) concern only that client.
                _ = connection => {}
                // Dropping the connection closes the socket without writing a response.
                () = aborter.cancelled() => {}
            }
        });
    }
    drop(listener);
    // Requests still running after the grace period are cut off when the runtime ends.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}
