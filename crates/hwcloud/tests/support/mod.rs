//! A scriptable, signature-checking stand-in for the Huawei Cloud API, for integration tests.
//!
//! Every request is recorded (path, raw query, decoded query, headers) together with whether
//! its `Authorization` signature verifies with the test secret key, using the crate's own
//! `signing` functions the way a server would.

#![allow(dead_code)] // each test binary uses a different subset

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, Response, StatusCode};
use futures::future::BoxFuture;
use hwcloud::{Client, ClientOptions, Credentials, Endpoints, signing};
use percent_encoding::percent_decode_str;

pub const ACCESS_KEY: &str = "TESTACCESSKEY";
pub const SECRET_KEY: &str = "test-secret-key-never-printed";
pub const PROJECT_ID: &str = "0483b6b16e954cb88930a360d2c4e663";
pub const REGION: &str = "cn-north-4";

/// The test keys with a security token.
pub fn keys_with_token(token: &str) -> Credentials {
    Credentials {
        access_key: ACCESS_KEY.into(),
        secret_key: SECRET_KEY.into(),
        security_token: Some(token.into()),
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub raw_query: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub signature_valid: bool,
    pub signed_headers: Vec<String>,
}

impl Recorded {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn offset(&self) -> u64 {
        self.param("offset")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What the server answers.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.into(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// Handler: the request and its 0-based arrival number.
pub type Handler = dyn Fn(Recorded, usize) -> BoxFuture<'static, Reply> + Send + Sync;

struct State {
    handler: Box<Handler>,
    requests: Mutex<Vec<Recorded>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

pub struct MockApi {
    pub addr: SocketAddr,
    state: Arc<State>,
}

impl MockApi {
    pub async fn start(
        handler: impl Fn(Recorded, usize) -> BoxFuture<'static, Reply> + Send + Sync + 'static,
    ) -> MockApi {
        let state = Arc::new(State {
            handler: Box::new(handler),
            requests: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        });
        let shared = Arc::clone(&state);
        let app = Router::new().fallback(move |request: Request<Body>| {
            let state = Arc::clone(&shared);
            async move { handle(state, request).await }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind test server");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        MockApi { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().expect("requests lock").clone()
    }

    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }

    /// Client configuration pointing both services at this server, project id of [`REGION`]
    /// configured.
    pub fn options(&self) -> ClientOptions {
        ClientOptions {
            credentials: Credentials {
                access_key: ACCESS_KEY.into(),
                secret_key: SECRET_KEY.into(),
                security_token: None,
            }
            .into(),
            project_ids: [(REGION.to_owned(), PROJECT_ID.to_owned())].into(),
            endpoints: Endpoints {
                rds: Some(format!("{}/", self.url())),
                iam: Some(self.url()),
            },
            user_agent: "hwcloud-tests/1".into(),
            ..ClientOptions::default()
        }
    }

    pub fn client(&self) -> Client {
        Client::new(self.options()).expect("client")
    }
}

async fn handle(state: Arc<State>, request: Request<Body>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 1 << 20).await.unwrap_or_default();
    let raw_query = parts.uri.query().unwrap_or_default().to_owned();
    let query = decode_query(&raw_query);
    let path = parts.uri.path().to_owned();
    let (signature_valid, signed_headers) =
        verify_signature(parts.method.as_str(), &path, &query, &parts.headers, &body);
    let recorded = Recorded {
        method: parts.method.to_string(),
        path,
        raw_query,
        query,
        headers: parts.headers,
        signature_valid,
        signed_headers,
    };
    let number = {
        let mut requests = state.requests.lock().expect("requests lock");
        requests.push(recorded.clone());
        requests.len() - 1
    };
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let reply = (state.handler)(recorded, number).await;
    state.in_flight.fetch_sub(1, Ordering::SeqCst);

    let mut response =
        Response::builder().status(StatusCode::from_u16(reply.status).expect("status"));
    for (name, value) in reply.headers {
        response = response.header(name, value);
    }
    response.body(Body::from(reply.body)).expect("response")
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn decode_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(part), String::new()),
        })
        .collect()
}

/// Verifies the request signature as the gateway would; returns validity and signed names.
fn verify_signature(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &[u8],
) -> (bool, Vec<String>) {
    let Some(auth) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(signing::parse_authorization)
    else {
        return (false, Vec::new());
    };
    let Some(date) = headers.get("x-sdk-date").and_then(|v| v.to_str().ok()) else {
        return (false, auth.signed_headers);
    };
    if auth.access_key != ACCESS_KEY || signing::parse_sdk_date(date).is_none() {
        return (false, auth.signed_headers);
    }
    let mut signed = Vec::new();
    for name in &auth.signed_headers {
        match headers.get(name.as_str()).and_then(|v| v.to_str().ok()) {
            Some(value) => signed.push((name.clone(), value.to_owned())),
            None => return (false, auth.signed_headers),
        }
    }
    let canonical = signing::canonical_request(method, &decode(path), query, &signed, body);
    let expected = signing::signature(SECRET_KEY, &signing::string_to_sign(date, &canonical));
    (expected == auth.signature, auth.signed_headers)
}

/// Ids of a consistent data set: `b0000`, `b0001`, ...
pub fn backup_id(index: u64) -> String {
    format!("b{index:04}")
}

/// A page body of backups with the given ids.
pub fn page_body(total: Option<u64>, ids: impl IntoIterator<Item = String>) -> String {
    let backups: Vec<serde_json::Value> = ids
        .into_iter()
        .map(|id| {
            serde_json::json!({
                "id": id,
                "name": format!("backup-{id}"),
                "type": "auto",
                "size": 2803,
                "status": "COMPLETED",
                "begin_time": "2018-08-06T12:41:14+0800",
                "end_time": "2018-08-06T12:43:14+0800",
                "datastore": {"type": "MySQL", "version": "5.6"},
                "instance_id": "inst1"
            })
        })
        .collect();
    let mut body = serde_json::json!({ "backups": backups });
    if let Some(total) = total {
        body["total_count"] = total.into();
    }
    body.to_string()
}

/// The page at `offset` of a stable data set of `total` backups.
pub fn stable_page(total: u64, offset: u64) -> String {
    let end = (offset + 100).min(total);
    page_body(Some(total), (offset.min(total)..end).map(backup_id))
}

/// How long [`cancelled_while_hanging`] waits for a cancelled call to end before failing
/// instead of hanging the suite.
pub const CANCEL_GUARD: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs `call` with a client of a mock whose requests never get an answer (and a request
/// timeout of an hour), and cancels the call's token as soon as the first request arrives.
/// Returns what the call returned; fails when the call outlives [`CANCEL_GUARD`], since the
/// cancellation must end it.
pub async fn cancelled_while_hanging<T, Fut>(
    call: impl FnOnce(Client, hwcloud::CancellationToken) -> Fut,
) -> T
where
    Fut: std::future::Future<Output = T>,
{
    use futures::FutureExt;
    let arrived = Arc::new(tokio::sync::Notify::new());
    let notify = Arc::clone(&arrived);
    let server = MockApi::start(move |_, _| {
        let notify = Arc::clone(&notify);
        async move {
            notify.notify_one();
            futures::future::pending::<()>().await;
            Reply::json(200, "{}")
        }
        .boxed()
    })
    .await;
    let client = Client::new(ClientOptions {
        request_timeout: std::time::Duration::from_secs(3600),
        ..server.options()
    })
    .expect("client");
    let cancel = hwcloud::CancellationToken::new();
    let canceller = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            arrived.notified().await;
            cancel.cancel();
        })
    };
    let result = tokio::time::timeout(CANCEL_GUARD, call(client, cancel))
        .await
        .expect("cancellation must end the call");
    canceller.await.expect("canceller");
    result
}
