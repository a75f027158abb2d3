//! A scriptable, signature-checking stand-in for the Huawei Cloud API, for integration tests.
//!
//! Every request is recorded (method, path, raw query, decoded query, headers, body) together
//! with whether its `Authorization` signature verifies, using the crate's own `signing`
//! functions the way a server would: with the test keys, or with keys a test handed out
//! (temporary keys from a mocked `securitytokens` or metadata route, see [`Keyring`]), whose
//! security token must then be sent and signed and which stop verifying once they expire.

#![allow(dead_code)] // each test binary uses a different subset

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    pub body: Vec<u8>,
    pub signature_valid: bool,
    pub signed_headers: Vec<String>,
    /// The access key of the `Authorization` header.
    pub access_key: Option<String>,
    /// The access key is one the [`Keyring`] handed out and it has expired.
    pub key_expired: bool,
    /// When the request arrived.
    pub at: Instant,
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

/// Keys the mock accepts: the test keys, and temporary ones handed out by a test's handler.
pub struct Keyring {
    keys: Mutex<HashMap<String, IssuedKey>>,
}

#[derive(Clone)]
struct IssuedKey {
    secret_key: String,
    security_token: Option<String>,
    valid_until: Option<Instant>,
}

impl Keyring {
    /// The test keys ([`ACCESS_KEY`]/[`SECRET_KEY`], no token, no expiry).
    pub fn new() -> Arc<Keyring> {
        let keyring = Keyring {
            keys: Mutex::new(HashMap::new()),
        };
        keyring.insert(ACCESS_KEY, SECRET_KEY, None, None);
        Arc::new(keyring)
    }

    fn insert(&self, ak: &str, sk: &str, token: Option<&str>, valid_until: Option<Instant>) {
        self.keys.lock().expect("keys").insert(
            ak.to_owned(),
            IssuedKey {
                secret_key: sk.to_owned(),
                security_token: token.map(str::to_owned),
                valid_until,
            },
        );
    }

    /// Hands out temporary keys valid for `lifetime`; returns the documented answer body
    /// (`expires_at` with milliseconds) to send.
    pub fn issue(&self, ak: &str, sk: &str, token: &str, lifetime: Duration) -> String {
        self.insert(ak, sk, Some(token), Some(Instant::now() + lifetime));
        credential_body(ak, sk, token, lifetime)
    }

    /// Withdraws keys: requests signed with them no longer verify.
    pub fn revoke(&self, ak: &str) {
        self.keys.lock().expect("keys").remove(ak);
    }

    fn get(&self, ak: &str) -> Option<IssuedKey> {
        self.keys.lock().expect("keys").get(ak).cloned()
    }
}

/// `{"credential":{access, secret, securitytoken, expires_at}}`, expiring `lifetime` from now.
pub fn credential_body(ak: &str, sk: &str, token: &str, lifetime: Duration) -> String {
    let expires_at = time::OffsetDateTime::now_utc() + lifetime;
    let expires_at = expires_at
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    serde_json::json!({"credential": {
        "access": ak, "secret": sk, "securitytoken": token, "expires_at": expires_at
    }})
    .to_string()
}

struct State {
    handler: Box<Handler>,
    keyring: Arc<Keyring>,
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
        Self::start_with_keys(Keyring::new(), handler).await
    }

    /// [`MockApi::start`], verifying signatures against `keyring` (which handlers may add to).
    pub async fn start_with_keys(
        keyring: Arc<Keyring>,
        handler: impl Fn(Recorded, usize) -> BoxFuture<'static, Reply> + Send + Sync + 'static,
    ) -> MockApi {
        let state = Arc::new(State {
            handler: Box::new(handler),
            keyring,
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
    let verified = verify_signature(
        &state.keyring,
        parts.method.as_str(),
        &path,
        &query,
        &parts.headers,
        &body,
    );
    let recorded = Recorded {
        method: parts.method.to_string(),
        path,
        raw_query,
        query,
        headers: parts.headers,
        body: body.to_vec(),
        signature_valid: verified.valid,
        signed_headers: verified.signed_headers,
        access_key: verified.access_key,
        key_expired: verified.expired,
        at: Instant::now(),
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

struct Verified {
    valid: bool,
    signed_headers: Vec<String>,
    access_key: Option<String>,
    expired: bool,
}

/// Verifies the request signature as the gateway would: a known access key, its secret key,
/// its security token sent and signed (temporary keys), not expired.
fn verify_signature(
    keyring: &Keyring,
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &[u8],
) -> Verified {
    let mut verified = Verified {
        valid: false,
        signed_headers: Vec::new(),
        access_key: None,
        expired: false,
    };
    let Some(auth) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(signing::parse_authorization)
    else {
        return verified;
    };
    verified.signed_headers = auth.signed_headers.clone();
    verified.access_key = Some(auth.access_key.clone());
    let Some(date) = headers.get("x-sdk-date").and_then(|v| v.to_str().ok()) else {
        return verified;
    };
    let Some(key) = keyring.get(&auth.access_key) else {
        return verified;
    };
    if key.valid_until.is_some_and(|until| Instant::now() >= until) {
        verified.expired = true;
        return verified;
    }
    if signing::parse_sdk_date(date).is_none() {
        return verified;
    }
    // Keys handed out with a token need it, sent and signed; the test keys take any token
    // (tests of the token header give one of their own).
    if let Some(token) = &key.security_token {
        let sent = headers
            .get("x-security-token")
            .and_then(|v| v.to_str().ok());
        if sent != Some(token.as_str())
            || !auth.signed_headers.iter().any(|h| h == "x-security-token")
        {
            return verified;
        }
    }
    let mut signed = Vec::new();
    for name in &auth.signed_headers {
        match headers.get(name.as_str()).and_then(|v| v.to_str().ok()) {
            Some(value) => signed.push((name.clone(), value.to_owned())),
            None => return verified,
        }
    }
    let canonical = signing::canonical_request(method, &decode(path), query, &signed, body);
    let expected = signing::signature(&key.secret_key, &signing::string_to_sign(date, &canonical));
    verified.valid = expected == auth.signature;
    verified
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
