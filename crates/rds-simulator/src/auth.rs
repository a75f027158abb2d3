//! The gateway's AK/SK check (`SDK-HMAC-SHA256`): which access key, which headers must be
//! signed, how far `X-Sdk-Date` may be from the clock, and what a failure answers. The
//! signature itself is recomputed by `signature.rs`, independently of the client.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use time::OffsetDateTime;

use crate::api_error::ApiError;
use crate::request_log::SignatureCheck;
use crate::scenario::Scenario;
use crate::signature::{self, Authorization};

/// Result of checking one request; `rejection` is the 401 to answer, if any.
#[derive(Debug, Clone)]
pub(crate) struct AuthOutcome {
    pub check: SignatureCheck,
    pub access_key: Option<String>,
    pub signed_headers: Vec<String>,
    pub rejection: Option<ApiError>,
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

pub(crate) fn check_request(
    scenario: &Scenario,
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
    };
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
            Some(auth) => verify(scenario, request, &auth, now),
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

fn verify(
    scenario: &Scenario,
    request: &SignedRequest<'_>,
    auth: &Authorization,
    now: OffsetDateTime,
) -> Result<(), (SignatureCheck, ApiError)> {
    if auth.access_key != scenario.access_key {
        return Err(invalid("unknown access key", SIGNATURE_FAILED));
    }
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
    if !signature::signature_matches(&scenario.secret_key, &string_to_sign, &auth.signature) {
        return Err(invalid("signature mismatch", SIGNATURE_FAILED));
    }
    Ok(())
}
