//! Error answers in the API's shape `{"error_code":"...","error_msg":"..."}`.
//!
//! Codes of the gateway (`APIG.*`, `APIGW.*`) are the documented ones; `DBS.*` codes for
//! parameter errors follow the RDS error code scheme.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Invalid request parameter (named in the message).
pub const INVALID_PARAMETER: &str = "DBS.280001";
/// The project in the URL is not the caller's.
pub const PROJECT_NOT_FOUND: &str = "DBS.280238";
/// HTTP 404: the DB instance does not exist ("The DB instance does not exist.").
pub const INSTANCE_NOT_FOUND: &str = "DBS.200002";
/// Gateway: AK/SK authentication failed.
pub const IAM_AUTH_FAILED: &str = "APIG.0301";
/// Gateway: a temporary access key whose security token has expired. The gateway answers
/// this `APIGW.*` code (not `APIG.0301`) so a client can tell "refresh the credentials" from
/// "the keys are wrong".
pub const TOKEN_EXPIRED: &str = "APIGW.0301";
/// IAM: invalid request parameter, `"Request parameter %(key)s is invalid."` (HTTP 400), as
/// in the error examples of the IAM API reference (e.g. "Obtaining a Temporary AK/SK").
pub const IAM_INVALID_PARAMETER: &str = "IAM.0007";
/// IAM: `"You are not authorized to perform the requested action."` (HTTP 403), the IAM API
/// reference's first 403 example; answered for an agency the caller may not assume.
pub const IAM_FORBIDDEN: &str = "IAM.0002";
/// Gateway: no such API.
pub const API_NOT_FOUND: &str = "APIGW.0101";
/// Gateway: throttled.
pub const THROTTLED: &str = "APIGW.0308";

/// An error answer: status plus the JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// `Retry-After` seconds, for throttling and unavailability.
    pub retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
            retry_after: None,
        }
    }

    /// HTTP 400 naming the offending parameter.
    pub fn invalid_parameter(name: &str, why: &str) -> ApiError {
        ApiError::new(
            400,
            INVALID_PARAMETER,
            format!("Invalid parameter: {name}. {why}"),
        )
    }

    /// HTTP 401 from the gateway's AK/SK check.
    pub fn unauthorized(detail: &str) -> ApiError {
        ApiError::new(
            401,
            IAM_AUTH_FAILED,
            format!("Incorrect IAM authentication information: {detail}"),
        )
    }

    /// HTTP 401 for a temporary access key that has expired.
    pub fn token_expired() -> ApiError {
        ApiError::new(
            401,
            TOKEN_EXPIRED,
            "Incorrect IAM authentication information: the security token has expired",
        )
    }

    /// HTTP 400 from IAM naming the offending request parameter (a JSON path of the body).
    pub fn iam_invalid_parameter(key: &str, why: &str) -> ApiError {
        ApiError::new(
            400,
            IAM_INVALID_PARAMETER,
            format!("Request parameter {key} is invalid. {why}"),
        )
    }

    /// The body a real gateway or backend sends with an injected failure `status`.
    pub fn injected(status: u16, retry_after: Option<u32>) -> ApiError {
        let (code, message) = match status {
            429 => (
                THROTTLED,
                "The throttling threshold has been reached: policy user over ratelimit,limit:200,time:5 minute",
            ),
            500 => ("DBS.200001", "Internal server error."),
            502 => ("APIG.0202", "Backend unavailable"),
            503 => ("APIG.0202", "Backend unavailable"),
            504 => ("APIG.0203", "Backend timeout"),
            _ => ("APIG.1000", "Simulated failure"),
        };
        ApiError {
            retry_after,
            ..ApiError::new(status, code, message)
        }
    }

    /// An error whose code and message try to take over a terminal or CI log: colour and
    /// cursor escapes, BEL, CR, a fake "Apply complete!" line and a fake "Error:" block.
    pub fn hostile(status: u16) -> ApiError {
        ApiError::new(
            status,
            "APIG.\x1b[0m0301\x07",
            "denied\r\x1b[2K\x1b[1A\x1b[32mApply complete! Resources: 0 added, 0 changed, 0 \
             destroyed.\x1b[0m\n\nError: fake second block\x07\u{9b}31m\u{202e}",
        )
    }

    /// An error quoting the request's `Authorization` and `X-Security-Token` headers back.
    pub fn echoing(status: u16, authorization: &str, security_token: &str) -> ApiError {
        ApiError::new(
            status,
            IAM_AUTH_FAILED,
            format!(
                "Request rejected by proxy. Received headers: Authorization: {authorization}; \
                 X-Security-Token: {security_token}"
            ),
        )
    }

    pub fn body(&self) -> String {
        serde_json::json!({ "error_code": self.code, "error_msg": self.message }).to_string()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
            self.body(),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
