//! The gateway's AK/SK check (`SDK-HMAC-SHA256`): which access key (the permanent one, or a
//! temporary one the simulator issued, with its security token, while it is valid), which
//! headers must be signed, how far `X-Sdk-Date` may be from the clock, and what a failure
//! answers. The signature itself is recomputed by `signature.rs`, independently of the client.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use time::OffsetDateTime;

use crate::api_error::ApiError;
use crate::request_log::SignatureCheck;
use crate::scenario::Scenario;
use crate::signature::{self, Authorization};
use crate::temporary_credentials::{CredentialKind, CredentialStore};

/// Result of checking one request; `rejection` is the 401 to answer, if any.
#[derive(Debug, Clone)]
pub(crate) struct AuthOutcome {
    pub check: SignatureCheck,
    pub access_key: Option<String>,
    pub signed_headers: Vec<String>,
    pub rejection: Option<ApiError>,
    /// Which kind of key the request names, when the simulator knows the key.
    pub credential: Option<CredentialKind>,
    /// Whom the key belongs to at the root (see [`crate::IssuedCredential::principal`]): the
    /// permanent access key itself, or the principal of a temporary key.
    pub principal: Option<String>,
}

impl AuthOutcome {
    /// The outcome for a route that is not signed (the metadata service).
    pub(crate) fn unsigned() -> AuthOutcome {
        AuthOutcome {
            check: SignatureCheck::NotChecked,
            access_key: None,
            signed_headers: Vec::new(),
            rejection: None,
            credential: None,
            principal: None,
        }
    }
}

/// What the verifier needs of a request.
pub(crate) struct SignedRequest<'a> {
    pub method: &'a str,
    /// Percent-decoded path.
    pub path: &'a str,
    /// Query pairs decoded as the server reads them.
    pub query: &'a [(String, String)],
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

const SIGNATURE_FAILED: &str = "verify aksk signature fail";
/// What the real gateway answers for a temporary access key without its security token, or
/// with another one (`APIG.0301 ... decrypt token fail`).
const TOKEN_FAILED: &str = "decrypt token fail";
const SECURITY_TOKEN: &str = "x-security-token";

/// The secret to verify with, once the access key (and for a temporary key, its token and
/// expiry) has been accepted.
struct KnownKey {
    secret_key: String,
}

pub(crate) fn check_request(
    scenario: &Scenario,
    credentials: &CredentialStore,
    request: &SignedRequest<'_>,
    now: OffsetDateTime,
) -> AuthOutcome {
    let authorization = request.headers.get(AUTHORIZATION);
    let parsed = authorization
        .and_then(|value| value.to_str().ok())
        .and_then(signature::parse_authorization);
    let mut outcome = AuthOutcome {
        check: SignatureCheck::NotChecked,
        access_key: parsed.as_ref().map(|a| a.access_key.clone()),
        signed_headers: parsed
            .as_ref()
            .map(|a| a.signed_headers.clone())
            .unwrap_or_default(),
        rejection: None,
        credential: None,
        principal: None,
    };
    if let Some(auth) = &parsed {
        if auth.access_key == scenario.access_key {
            outcome.credential = Some(CredentialKind::Permanent);
            outcome.principal = Some(auth.access_key.clone());
        } else if let Some(issued) = credentials.find(&auth.access_key) {
            outcome.credential = Some(issued.kind);
            outcome.principal = Some(issued.principal);
        }
    }
    if !scenario.check_signatures {
        return outcome;
    }
    let verdict = if authorization.is_none() {
        Err((
            SignatureCheck::Missing,
            ApiError::unauthorized("Authorization header is missing"),
        ))
    } else {
        match parsed {
            None => Err(invalid("malformed Authorization header", SIGNATURE_FAILED)),
            Some(auth) => verify(scenario, credentials, request, &auth, now),
        }
    };
    match verdict {
        Ok(()) => outcome.check = SignatureCheck::Valid,
        Err((check, rejection)) => {
            outcome.check = check;
            outcome.rejection = Some(rejection);
        }
    }
    outcome
}

fn invalid(reason: &str, answer: &str) -> (SignatureCheck, ApiError) {
    (
        SignatureCheck::Invalid(reason.to_owned()),
        ApiError::unauthorized(answer),
    )
}

/// The key `auth` names: the permanent key (with or without an `X-Security-Token`: tests
/// configure a token next to the permanent keys, and nothing here depends on it), or an
/// issued temporary key whose token is sent, signed and equal to the one issued, and which
/// has not expired at `now`.
fn known_key(
    scenario: &Scenario,
    credentials: &CredentialStore,
    request: &SignedRequest<'_>,
    auth: &Authorization,
    now: OffsetDateTime,
) -> Result<KnownKey, (SignatureCheck, ApiError)> {
    if auth.access_key == scenario.access_key {
        return Ok(KnownKey {
            secret_key: scenario.secret_key.clone(),
        });
    }
    let Some(issued) = credentials.find(&auth.access_key) else {
        return Err(invalid("unknown access key", SIGNATURE_FAILED));
    };
    let token = request
        .headers
        .get(SECURITY_TOKEN)
        .and_then(|value| value.to_str().ok());
    let Some(token) = token else {
        return Err(invalid(
            "temporary access key without X-Security-Token",
            TOKEN_FAILED,
        ));
    };
    if !auth
        .signed_headers
        .iter()
        .any(|name| name == SECURITY_TOKEN)
    {
        return Err(invalid(
            "SignedHeaders does not include x-security-token",
            SIGNATURE_FAILED,
        ));
    }
    if token != issued.security_token {
        return Err(invalid(
            "X-Security-Token is not the one issued with this access key",
            TOKEN_FAILED,
        ));
    }
    // The gateway learns the expiry from the token, before it can check the signature.
    if !issued.is_valid_at(now) {
        return Err((SignatureCheck::Expired, ApiError::token_expired()));
    }
    Ok(KnownKey {
        secret_key: issued.secret_key,
    })
}

fn verify(
    scenario: &Scenario,
    credentials: &CredentialStore,
    request: &SignedRequest<'_>,
    auth: &Authorization,
    now: OffsetDateTime,
) -> Result<(), (SignatureCheck, ApiError)> {
    let key = known_key(scenario, credentials, request, auth, now)?;
    for required in ["host", "x-sdk-date"] {
        if !auth.signed_headers.iter().any(|name| name == required) {
            return Err(invalid(
                &format!("SignedHeaders does not include {required}"),
                SIGNATURE_FAILED,
            ));
        }
    }
    let header_value = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    let sdk_date = header_value("x-sdk-date")
        .ok_or_else(|| invalid("X-Sdk-Date header missing", SIGNATURE_FAILED))?;
    let signed_at = signature::parse_sdk_date(sdk_date).ok_or_else(|| {
        invalid(
            "X-Sdk-Date is not in the format YYYYMMDDTHHMMSSZ",
            SIGNATURE_FAILED,
        )
    })?;
    let skew = (now - signed_at).unsigned_abs();
    if skew > scenario.max_clock_skew {
        return Err(invalid(
            &format!(
                "X-Sdk-Date is {}s away from the server clock (max {}s)",
                skew.as_secs(),
                scenario.max_clock_skew.as_secs()
            ),
            &format!(
                "the request has expired: X-Sdk-Date differs from the server time by more than {} minutes",
                scenario.max_clock_skew.as_secs() / 60
            ),
        ));
    }
    let mut signed_headers = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        let value = header_value(name).ok_or_else(|| {
            invalid(
                &format!("signed header {name} is missing or not text"),
                SIGNATURE_FAILED,
            )
        })?;
        signed_headers.push((name.clone(), value.to_owned()));
    }
    let canonical = signature::canonical_request(
        &signature::Request {
            method: request.method,
            path: request.path,
            query: request.query,
            body: request.body,
        },
        &signed_headers,
    );
    let string_to_sign = signature::string_to_sign(sdk_date, &canonical);
    if !signature::signature_matches(&key.secret_key, &string_to_sign, &auth.signature) {
        return Err(invalid("signature mismatch", SIGNATURE_FAILED));
    }
    Ok(())
}
