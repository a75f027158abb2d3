//! `POST /v3.0/OS-CREDENTIAL/securitytokens` with the `assume_role` method: IAM's temporary
//! credentials of an agency. The body is
//! `{"auth":{"identity":{"methods":["assume_role"],"assume_role":{"agency_name":..,
//! "domain_name" or "domain_id":..,"duration_seconds":..}}}}` (the IAM API reference, "Obtaining
//! a Temporary AK/SK"; the official SDK's `CreateTemporaryAccessKeyByAgencyRequestBody`), signed
//! like every other call (the body hash included, `auth.rs`). The answer is 201
//! `{"credential":{"access","secret","securitytoken","expires_at"}}`.
//!
//! Checked like IAM: `methods` exactly `["assume_role"]`; exactly one of `domain_name` and
//! `domain_id`; `duration_seconds` an integer from 900 to 43200, 900 when absent; unknown
//! fields refused (so a misspelt `duration_second` is not silently the default). A bad body is
//! 400 `IAM.0007` naming the field; an agency that is not in the scenario, or that the caller
//! may not assume, is 403 `IAM.0002`.

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::agency::DomainRef;
use crate::api_error::{ApiError, IAM_FORBIDDEN};
use crate::auth::AuthOutcome;
use crate::credential_log::AssumeRoleCall;
use crate::handler::{Outcome, Shared};
use crate::temporary_credentials::{CredentialKind, Issue};

/// IAM's bounds of `duration_seconds` (15 minutes to 12 hours) and its default.
pub const MIN_DURATION_SECONDS: u64 = 900;
pub const MAX_DURATION_SECONDS: u64 = 43_200;
pub const DEFAULT_DURATION_SECONDS: u64 = 900;

const ASSUME_ROLE: &str = "auth.identity.assume_role";

/// A valid `assume_role` body.
#[derive(Debug, PartialEq, Eq)]
struct AssumeRole<'a> {
    agency_name: &'a str,
    domain: DomainRef<'a>,
    duration_seconds: u64,
}

/// Answers one call (also when the gateway check refused it) and records it.
pub(crate) fn assume_role(
    shared: &Shared,
    auth: &AuthOutcome,
    headers: &HeaderMap,
    body: &[u8],
    now: OffsetDateTime,
) -> Outcome {
    let mut call = recorded_fields(body);
    call.access_key.clone_from(&auth.access_key);
    call.signed_with = auth.credential;
    let result = match &auth.rejection {
        Some(rejection) => Err(rejection.clone()),
        None => issue(shared, auth, headers, body, now),
    };
    let response = match result {
        Ok((response, access_key, expires_at)) => {
            call.issued_access_key = Some(access_key);
            call.expires_at = Some(expires_at);
            response
        }
        Err(error) => {
            call.error_code = Some(error.code.clone());
            error.into_response()
        }
    };
    call.status = response.status().as_u16();
    shared.credential_log.push_assume_role(call);
    Outcome::answer(response)
}

fn issue(
    shared: &Shared,
    auth: &AuthOutcome,
    headers: &HeaderMap,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<(Response, String, OffsetDateTime), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if !content_type
        .to_ascii_lowercase()
        .starts_with("application/json")
    {
        return Err(ApiError::iam_invalid_parameter(
            "Content-Type",
            "It must be application/json;charset=utf8.",
        ));
    }
    let value: Value = serde_json::from_slice(body).map_err(|_| {
        ApiError::iam_invalid_parameter("auth", "The request body is not a JSON document.")
    })?;
    let request = parse(&value)?;
    let scenario = &shared.scenario;
    let agency = scenario
        .agencies
        .iter()
        .find(|agency| agency.matches(&request.domain, request.agency_name))
        .ok_or_else(|| {
            forbidden("The domain has no such agency, or it does not trust this account.")
        })?;
    let principal = auth.principal.as_deref().or(auth.access_key.as_deref());
    if !agency.may_be_assumed_by(principal) {
        return Err(forbidden("These credentials may not assume this agency."));
    }
    let lifetime = scenario
        .assumed_credential_lifetime
        .unwrap_or(Duration::from_secs(request.duration_seconds));
    let credential = shared.credentials.issue(
        &Issue {
            kind: CredentialKind::Assumed,
            lifetime,
            agency_name: Some(&agency.agency_name),
            principal: principal.unwrap_or("anonymous"),
        },
        now,
    );
    let response = (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        credential.answer_body(),
    )
        .into_response();
    Ok((response, credential.access_key, credential.expires_at))
}

fn forbidden(why: &str) -> ApiError {
    ApiError::new(
        403,
        IAM_FORBIDDEN,
        format!("You are not authorized to perform the requested action. {why}"),
    )
}

/// The object at `key` of `parent` (`path` names it in errors).
fn object<'a>(
    parent: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a Map<String, Value>, ApiError> {
    parent
        .get(key)
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::iam_invalid_parameter(path, "It must be a JSON object."))
}

/// Refuses members of `object` other than `allowed`.
fn only(object: &Map<String, Value>, allowed: &[&str], path: &str) -> Result<(), ApiError> {
    match object.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(unknown) => Err(ApiError::iam_invalid_parameter(
            &format!("{path}.{unknown}"),
            "This parameter is not supported.",
        )),
        None => Ok(()),
    }
}

/// A non-empty string member, or `None` when absent.
fn text<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, ApiError> {
    match object.get(key) {
        None => Ok(None),
        Some(Value::String(text)) if !text.is_empty() => Ok(Some(text)),
        Some(_) => Err(ApiError::iam_invalid_parameter(
            &format!("{path}.{key}"),
            "It must be a non-empty string.",
        )),
    }
}

fn parse(value: &Value) -> Result<AssumeRole<'_>, ApiError> {
    let root = value
        .as_object()
        .ok_or_else(|| ApiError::iam_invalid_parameter("auth", "It must be a JSON object."))?;
    only(root, &["auth"], "body")?;
    let auth = object(root, "auth", "auth")?;
    only(auth, &["identity", "scope"], "auth")?;
    let identity = object(auth, "identity", "auth.identity")?;
    only(
        identity,
        &["methods", "assume_role", "policy"],
        "auth.identity",
    )?;
    let methods_ok = identity
        .get("methods")
        .and_then(Value::as_array)
        .is_some_and(|methods| methods.len() == 1 && methods[0] == "assume_role");
    if !methods_ok {
        return Err(ApiError::iam_invalid_parameter(
            "auth.identity.methods",
            "It must be [\"assume_role\"].",
        ));
    }
    let assume = object(identity, "assume_role", ASSUME_ROLE)?;
    only(
        assume,
        &[
            "agency_name",
            "domain_name",
            "domain_id",
            "duration_seconds",
            "session_user",
        ],
        ASSUME_ROLE,
    )?;
    let agency_name = text(assume, "agency_name", ASSUME_ROLE)?.ok_or_else(|| {
        ApiError::iam_invalid_parameter(&format!("{ASSUME_ROLE}.agency_name"), "It is required.")
    })?;
    let domain = match (
        text(assume, "domain_name", ASSUME_ROLE)?,
        text(assume, "domain_id", ASSUME_ROLE)?,
    ) {
        (Some(name), None) => DomainRef::Name(name),
        (None, Some(id)) => DomainRef::Id(id),
        _ => {
            return Err(ApiError::iam_invalid_parameter(
                &format!("{ASSUME_ROLE}.domain_name"),
                "Exactly one of domain_name and domain_id is required.",
            ));
        }
    };
    let duration_seconds = match assume.get("duration_seconds") {
        None => DEFAULT_DURATION_SECONDS,
        Some(value) => value
            .as_u64()
            .filter(|seconds| (MIN_DURATION_SECONDS..=MAX_DURATION_SECONDS).contains(seconds))
            .ok_or_else(|| {
                ApiError::iam_invalid_parameter(
                    &format!("{ASSUME_ROLE}.duration_seconds"),
                    &format!(
                        "It must be an integer from {MIN_DURATION_SECONDS} to \
                         {MAX_DURATION_SECONDS}."
                    ),
                )
            })?,
    };
    Ok(AssumeRole {
        agency_name,
        domain,
        duration_seconds,
    })
}

/// The body fields a test may ask about, read leniently (whatever the body's validity).
fn recorded_fields(body: &[u8]) -> AssumeRoleCall {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let identity = &value["auth"]["identity"];
    let assume = &identity["assume_role"];
    let text = |value: &Value| value.as_str().map(str::to_owned);
    AssumeRoleCall {
        access_key: None,
        signed_with: None,
        methods: identity["methods"].as_array().and_then(|methods| {
            methods
                .iter()
                .map(|method| method.as_str().map(str::to_owned))
                .collect()
        }),
        agency_name: text(&assume["agency_name"]),
        domain_name: text(&assume["domain_name"]),
        domain_id: text(&assume["domain_id"]),
        duration_seconds: assume["duration_seconds"].as_u64(),
        status: 0,
        error_code: None,
        issued_access_key: None,
        expires_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(assume_role: Value) -> Value {
        json!({"auth": {"identity": {"methods": ["assume_role"], "assume_role": assume_role}}})
    }

    fn refused_at(value: &Value) -> String {
        let error = parse(value).expect_err("must be refused");
        assert_eq!(error.status, 400);
        assert_eq!(error.code, "IAM.0007");
        error.message
    }

    #[test]
    fn valid_bodies() {
        let by_name =
            body(json!({"agency_name": "a", "domain_name": "d", "duration_seconds": 3600}));
        assert_eq!(
            parse(&by_name),
            Ok(AssumeRole {
                agency_name: "a",
                domain: DomainRef::Name("d"),
                duration_seconds: 3600
            })
        );
        let by_id = body(json!({"agency_name": "a", "domain_id": "i"}));
        assert_eq!(
            parse(&by_id).map(|r| (r.domain, r.duration_seconds)),
            Ok((DomainRef::Id("i"), 900))
        );
        for bound in [900, 43200] {
            let edge =
                body(json!({"agency_name": "a", "domain_id": "i", "duration_seconds": bound}));
            assert!(parse(&edge).is_ok(), "{bound}");
        }
    }

    #[test]
    fn each_rule_names_its_field() {
        let methods = json!({"auth": {"identity": {"methods": ["token"],
            "assume_role": {"agency_name": "a", "domain_id": "i"}}}});
        assert!(refused_at(&methods).contains("auth.identity.methods"));
        let two = json!({"auth": {"identity": {"methods": ["assume_role", "token"],
            "assume_role": {"agency_name": "a", "domain_id": "i"}}}});
        assert!(refused_at(&two).contains("auth.identity.methods"));
        let both = body(json!({"agency_name": "a", "domain_id": "i", "domain_name": "d"}));
        assert!(refused_at(&both).contains("Exactly one of domain_name and domain_id"));
        let neither = body(json!({"agency_name": "a"}));
        assert!(refused_at(&neither).contains("Exactly one"));
        let no_agency = body(json!({"domain_id": "i"}));
        assert!(refused_at(&no_agency).contains("agency_name"));
        for bad in [
            json!(899),
            json!(43201),
            json!("3600"),
            json!(1.5),
            json!(-900),
        ] {
            let value =
                body(json!({"agency_name": "a", "domain_id": "i", "duration_seconds": bad}));
            assert!(refused_at(&value).contains("duration_seconds"), "{value}");
        }
        let typo = body(json!({"agency_name": "a", "domain_id": "i", "duration": 3600}));
        assert!(refused_at(&typo).contains("assume_role.duration"));
        assert!(refused_at(&json!([])).contains("auth"));
        assert!(refused_at(&json!({"auth": {}})).contains("auth.identity"));
    }

    #[test]
    fn recorded_fields_are_lenient() {
        let call = recorded_fields(
            br#"{"auth":{"identity":{"methods":["assume_role"],"assume_role":{"agency_name":"a","domain_name":"d","duration_seconds":3600}}}}"#,
        );
        assert_eq!(call.methods, Some(vec!["assume_role".to_owned()]));
        assert_eq!(call.agency_name.as_deref(), Some("a"));
        assert_eq!(call.domain_name.as_deref(), Some("d"));
        assert_eq!(call.domain_id, None);
        assert_eq!(call.duration_seconds, Some(3600));
        let garbage = recorded_fields(b"not json");
        assert_eq!(garbage.agency_name, None);
    }
}
