//! The single entry point of every HTTP request: routing, signature check (every route but
//! the unsigned metadata service), request log, `X-Request-Id`, latency and connection
//! dropping.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use crate::api_error::{API_NOT_FOUND, ApiError};
use crate::auth::{AuthOutcome, SignedRequest, check_request};
use crate::credential_log::CredentialLog;
use crate::fault_state::FaultState;
use crate::iam::projects_body;
use crate::metadata::{self, MetadataTokens};
use crate::offsite_backups::list_offsite_backups;
use crate::offsite_instances::list_offsite_instances;
use crate::offsite_policy::show_offsite_policy;
use crate::offsite_restore_times::list_offsite_restore_times;
use crate::query_params::decode_query;
use crate::request_log::{RequestLog, RequestRecord, SignatureCheck};
use crate::scenario::Scenario;
use crate::security_tokens;
use crate::temporary_credentials::CredentialStore;

/// Largest request body read (only IAM's `securitytokens` takes one, a small JSON document).
const MAX_BODY: usize = 1024 * 1024;

/// State shared by all connections of one simulator.
pub(crate) struct Shared {
    pub scenario: Scenario,
    pub log: RequestLog,
    pub faults: FaultState,
    /// Temporary keys issued by `securitytokens` and the metadata service.
    pub credentials: CredentialStore,
    pub credential_log: CredentialLog,
    pub metadata_tokens: MetadataTokens,
}

/// Put into each request's extensions by the server: cancelling it closes the request's
/// connection at once, without writing anything.
#[derive(Clone)]
pub(crate) struct ConnectionAborter(pub CancellationToken);

/// How a request is answered.
pub(crate) enum Outcome {
    Answer {
        response: Response,
        fault: Option<String>,
    },
    /// Close the connection without an HTTP response.
    DropConnection,
}

impl Outcome {
    pub(crate) fn answer(response: Response) -> Outcome {
        Outcome::Answer {
            response,
            fault: None,
        }
    }

    pub(crate) fn answer_with_fault(response: Response, label: String) -> Outcome {
        Outcome::Answer {
            response,
            fault: Some(label),
        }
    }
}

/// The endpoints the simulator serves.
enum Route {
    IamProjects,
    /// `POST /v3.0/OS-CREDENTIAL/securitytokens`.
    IamSecurityTokens,
    /// `PUT /meta-data/latest/api/token` (unsigned).
    MetadataToken,
    /// `GET /openstack/latest/securitykey` (unsigned).
    MetadataSecurityKey,
    OffsiteBackups {
        project_id: String,
    },
    OffsiteRestoreTimes {
        project_id: String,
        instance_id: String,
    },
    OffsitePolicy {
        project_id: String,
        instance_id: String,
    },
    OffsiteInstances,
}

impl Route {
    /// The metadata service is not AK/SK signed: its requests are not checked.
    fn is_signed(&self) -> bool {
        !matches!(self, Route::MetadataToken | Route::MetadataSecurityKey)
    }
}

fn route(method: &str, decoded_path: &str) -> Option<Route> {
    let segments: Vec<&str> = decoded_path.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("POST", ["v3.0", "OS-CREDENTIAL", "securitytokens"]) => Some(Route::IamSecurityTokens),
        ("PUT", ["meta-data", "latest", "api", "token"]) => Some(Route::MetadataToken),
        ("GET", ["openstack", "latest", "securitykey"]) => Some(Route::MetadataSecurityKey),
        ("GET", segments) => get_route(segments),
        _ => None,
    }
}

fn get_route(segments: &[&str]) -> Option<Route> {
    match segments {
        ["v3", "projects"] => Some(Route::IamProjects),
        ["v3", "backups", "offsite-backup-instance"] => Some(Route::OffsiteInstances),
        ["v3", project_id, "offsite-backups"] => Some(Route::OffsiteBackups {
            project_id: (*project_id).to_owned(),
        }),
        [
            "v3",
            project_id,
            "instances",
            instance_id,
            "offsite-restore-time",
        ] => Some(Route::OffsiteRestoreTimes {
            project_id: (*project_id).to_owned(),
            instance_id: (*instance_id).to_owned(),
        }),
        [
            "v3",
            project_id,
            "instances",
            instance_id,
            "backups",
            "offsite-policy",
        ] => Some(Route::OffsitePolicy {
            project_id: (*project_id).to_owned(),
            instance_id: (*instance_id).to_owned(),
        }),
        _ => None,
    }
}

pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let latency = shared.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().unwrap_or_default().to_owned();
    let query = decode_query(&raw_query);
    let decoded_path = percent_decode_str(&path).decode_utf8_lossy().into_owned();

    let now = OffsetDateTime::now_utc();
    let route = route(&method, &decoded_path);
    let auth = match &route {
        Some(route) if !route.is_signed() => AuthOutcome::unsigned(),
        _ => check_request(
            &shared.scenario,
            &shared.credentials,
            &SignedRequest {
                method: &method,
                path: &decoded_path,
                query: &query,
                headers: &parts.headers,
                body: &body,
            },
            now,
        ),
    };
    if auth.check == SignatureCheck::Expired {
        shared.credential_log.count_expired_rejection();
    }
    let project_region = match &route {
        Some(
            Route::OffsiteBackups { project_id }
            | Route::OffsiteRestoreTimes { project_id, .. }
            | Route::OffsitePolicy { project_id, .. },
        ) => shared
            .scenario
            .region_of_project(project_id)
            .map(str::to_owned),
        Some(Route::OffsiteInstances) => parts
            .headers
            .get("x-project-id")
            .and_then(|value| value.to_str().ok())
            .and_then(|project_id| shared.scenario.region_of_project(project_id))
            .map(str::to_owned),
        _ => None,
    };
    let outcome = match route {
        None => Outcome::answer(
            ApiError::new(
                404,
                API_NOT_FOUND,
                "The API does not exist or has not been published in the environment.",
            )
            .into_response(),
        ),
        // It records refused calls too, with the body fields they carried.
        Some(Route::IamSecurityTokens) => {
            security_tokens::assume_role(&shared, &auth, &parts.headers, &body, now)
        }
        Some(Route::MetadataToken) => metadata::token(&shared, &parts.headers, now),
        Some(Route::MetadataSecurityKey) => metadata::security_key(&shared, &parts.headers, now),
        Some(_) if auth.rejection.is_some() => Outcome::answer(
            auth.rejection
                .clone()
                .map(IntoResponse::into_response)
                .unwrap_or_default(),
        ),
        Some(Route::IamProjects) => {
            let name = query
                .iter()
                .find(|(key, _)| key == "name")
                .map(|(_, value)| value.as_str());
            Outcome::answer(
                (
                    [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
                    projects_body(&shared.scenario, name).to_string(),
                )
                    .into_response(),
            )
        }
        Some(Route::OffsiteBackups { project_id }) => {
            list_offsite_backups(&shared, &project_id, &parts.headers, &query)
        }
        Some(Route::OffsiteRestoreTimes {
            project_id,
            instance_id,
        }) => {
            list_offsite_restore_times(&shared, &project_id, &instance_id, &parts.headers, &query)
        }
        Some(Route::OffsitePolicy {
            project_id,
            instance_id,
        }) => show_offsite_policy(&shared, &project_id, &instance_id, &parts.headers),
        Some(Route::OffsiteInstances) => list_offsite_instances(&shared, &parts.headers, &query),
    };

    let mut record = RequestRecord {
        method,
        path,
        raw_query,
        query,
        status: 0,
        signature: auth.check,
        access_key: auth.access_key,
        signed_headers: auth.signed_headers,
        credential: auth.credential,
        fault: None,
        project_region,
    };
    match outcome {
        Outcome::Answer {
            mut response,
            fault,
        } => {
            record.status = response.status().as_u16();
            record.fault = fault;
            shared.log.push(record);
            response
                .headers_mut()
                .insert("x-request-id", new_request_id());
            response
        }
        Outcome::DropConnection => {
            record.fault = Some("drop-connection".to_owned());
            shared.log.push(record);
            match parts.extensions.get::<ConnectionAborter>() {
                Some(ConnectionAborter(token)) => {
                    token.cancel();
                    // The connection task drops this future together with the connection.
                    std::future::pending::<Response>().await
                }
                None => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Body::from("connection dropping needs the simulator's own server"),
                )
                    .into_response(),
            }
        }
    }
}

/// A fresh request id: 32 lowercase hex digits, like the gateway's.
fn new_request_id() -> HeaderValue {
    HeaderValue::from_str(&format!("{:032x}", rand::random::<u128>()))
        .unwrap_or_else(|_| HeaderValue::from_static("00000000000000000000000000000000"))
}
