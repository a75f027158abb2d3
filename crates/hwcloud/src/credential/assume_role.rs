//! Assumed credentials: IAM `POST {iam}/v3.0/OS-CREDENTIAL/securitytokens` with
//! `{"auth":{"identity":{"methods":["assume_role"],"assume_role":{"agency_name",
//! "domain_name" | "domain_id","duration_seconds"}}}}`, signed with the base keys (and their
//! security token when they are temporary), through the client's retries and deadline.
//! IAM answers 201 with `{"credential":{"access","secret","securitytoken","expires_at"}}`.
//! `duration_seconds` is always sent: IAM's own default (900 s) is not what was asked for.

use std::sync::atomic::AtomicU32;

use serde_json::json;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use crate::client_options::Credentials;
use crate::credential::answer::{self, TemporaryKeys};
use crate::credential::error::{CredentialError, CredentialOrigin, CredentialProblem};
use crate::credential::{AgencyDomain, AssumeRole};
use crate::deadline::Deadline;
use crate::endpoints::{BaseUrl, Service};
use crate::errors::Error;
use crate::http::{ApiRequest, SignedHttp};

/// Path below the IAM endpoint.
const SECURITY_TOKENS_SEGMENTS: [&str; 3] = ["v3.0", "OS-CREDENTIAL", "securitytokens"];

/// The request body for `assume`.
pub(crate) fn request_body(assume: &AssumeRole) -> Vec<u8> {
    let mut role = json!({
        "agency_name": assume.agency_name,
        "duration_seconds": assume.duration.as_secs(),
    });
    match &assume.domain {
        AgencyDomain::Name(name) => role["domain_name"] = json!(name),
        AgencyDomain::Id(id) => role["domain_id"] = json!(id),
    }
    json!({"auth": {"identity": {"methods": ["assume_role"], "assume_role": role}}})
        .to_string()
        .into_bytes()
}

/// Where an assume_role goes, for messages.
pub(crate) fn origin(assume: &AssumeRole, endpoint: &str) -> CredentialOrigin {
    CredentialOrigin::AssumeRole {
        agency_name: assume.agency_name.clone(),
        domain: assume.domain.clone(),
        endpoint: endpoint.to_owned(),
    }
}

/// Asks IAM at `base` (shown as `endpoint`) for the agency's keys, signed with `keys`.
/// HTTP failures become [`Error::Credentials`] naming the agency; cancellation and the
/// deadline stay what they are.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn assume(
    http: &SignedHttp,
    base: &BaseUrl,
    endpoint: &str,
    region: &str,
    assume: &AssumeRole,
    keys: &Credentials,
    deadline: Option<Deadline>,
    now: impl Fn() -> OffsetDateTime,
    cancel: &CancellationToken,
) -> Result<TemporaryKeys, Error> {
    let body = request_body(assume);
    let request = ApiRequest {
        service: Service::Iam,
        method: http::Method::POST,
        region,
        body: &body,
        base,
        endpoint,
        segments: &SECURITY_TOKENS_SEGMENTS,
        query: &[],
        project_id: None,
        offset: None,
        deadline,
    };
    let fail = |problem, request| {
        Error::Credentials(Box::new(CredentialError {
            origin: origin(assume, endpoint),
            problem,
            request: Some(request),
        }))
    };
    let response = match http
        .send_with_keys(&request, keys, &AtomicU32::new(0), cancel)
        .await
    {
        Ok(response) => response,
        Err(Error::Api(api)) => {
            let api = *api;
            return Err(fail(
                CredentialProblem::Status {
                    status: api.status,
                    code: api.code,
                    message: api.message,
                    request_id: api.request_id,
                },
                api.request,
            ));
        }
        Err(Error::Transport(transport)) => {
            return Err(fail(
                CredentialProblem::Transport {
                    reason: transport.reason.clone(),
                    timed_out: transport.timed_out,
                },
                transport.request.clone(),
            ));
        }
        Err(Error::BodyTooLarge(too_large)) => {
            return Err(fail(
                CredentialProblem::Decode {
                    status: too_large.status,
                    reason: format!(
                        "the answer is larger than {} MiB",
                        too_large.limit_bytes / (1024 * 1024)
                    ),
                },
                too_large.request.clone(),
            ));
        }
        Err(other) => return Err(other),
    };
    answer::decode(&response.body, response.status, now())
        .map_err(|problem| fail(problem, response.request))
}

/// Whether `error` is IAM refusing the base keys (HTTP 401), which a refresh of refreshable
/// base keys may cure.
pub(crate) fn is_unauthorized(error: &Error) -> bool {
    matches!(error, Error::Credentials(e)
        if matches!(e.problem, CredentialProblem::Status { status: 401, .. }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_body_names_the_agency_domain_and_duration() {
        let by_name = AssumeRole {
            agency_name: "backup_agency".into(),
            domain: AgencyDomain::Name("backup_account".into()),
            duration: Duration::from_secs(3600),
        };
        let body: serde_json::Value =
            serde_json::from_slice(&request_body(&by_name)).expect("json");
        assert_eq!(
            body,
            json!({"auth":{"identity":{"methods":["assume_role"],"assume_role":{
                "agency_name":"backup_agency","domain_name":"backup_account",
                "duration_seconds":3600}}}})
        );
        let by_id = AssumeRole {
            domain: AgencyDomain::Id("0a1b".into()),
            duration: Duration::from_secs(900),
            ..by_name
        };
        let body: serde_json::Value = serde_json::from_slice(&request_body(&by_id)).expect("json");
        let role = &body["auth"]["identity"]["assume_role"];
        assert_eq!(role["domain_id"], "0a1b");
        assert_eq!(role["duration_seconds"], 900);
        assert!(role.get("domain_name").is_none());
    }
}
