//! The answer IAM's `securitytokens` and the ECS metadata service's `securitykey` both give:
//! `{"credential":{"access","secret","securitytoken","expires_at"}}`.
//!
//! Read as untyped JSON so that no message ever quotes a value (a typed decoder's "invalid
//! type: string ..." would print a secret). Every key must be usable in a header and be
//! signed with, and `expires_at` must be a future RFC 3339 time (with or without fractional
//! seconds, as IAM writes `2024-01-08T02:56:19.587000Z`).

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::client_options::Credentials;
use crate::credential::error::CredentialProblem;
use crate::secret::Secret;
use crate::validate::validate_credential;

/// Temporary keys and when they expire.
#[derive(Clone, Debug)]
pub(crate) struct TemporaryKeys {
    pub credentials: Credentials,
    pub expires_at: OffsetDateTime,
}

/// Decodes a 2xx answer with status `status`, received at `now`.
pub(crate) fn decode(
    body: &[u8],
    status: u16,
    now: OffsetDateTime,
) -> Result<TemporaryKeys, CredentialProblem> {
    let decode_error = |reason: String| CredentialProblem::Decode { status, reason };
    // serde_json's syntax errors name a position and category only, never the input.
    let root: Value = serde_json::from_slice(body).map_err(|e| {
        decode_error(format!(
            "the body is not JSON (line {} column {})",
            e.line(),
            e.column()
        ))
    })?;
    let credential = root
        .get("credential")
        .filter(|c| c.is_object())
        .ok_or_else(|| decode_error("it has no \"credential\" object".into()))?;
    let field = |name: &str| -> Result<String, CredentialProblem> {
        let value = credential
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                decode_error(format!(
                    "credential.{name} is missing, empty or not a string"
                ))
            })?;
        validate_credential(value)
            .map_err(|reason| decode_error(format!("credential.{name} is unusable: {reason}")))?;
        Ok(value.to_owned())
    };
    let access = field("access")?;
    let secret = field("secret")?;
    let token = field("securitytoken")?;
    let expires_at = match credential.get("expires_at") {
        None | Some(Value::Null) => {
            return Err(CredentialProblem::Expiry {
                reason: "the answer has no credential.expires_at".into(),
            });
        }
        Some(value) => value
            .as_str()
            .and_then(|text| parse_expiry(text).ok())
            .ok_or_else(|| CredentialProblem::Expiry {
                reason: "credential.expires_at is not an RFC 3339 time".into(),
            })?,
    };
    if expires_at <= now {
        return Err(CredentialProblem::Expiry {
            reason: format!(
                "credential.expires_at ({}) is already past",
                format_time(expires_at)
            ),
        });
    }
    Ok(TemporaryKeys {
        credentials: Credentials {
            access_key: access,
            secret_key: Secret::new(secret),
            security_token: Some(Secret::new(token)),
        },
        expires_at,
    })
}

/// An expiry time: RFC 3339, with or without fractional seconds.
pub(crate) fn parse_expiry(text: &str) -> Result<OffsetDateTime, time::error::Parse> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
}

/// A time for messages (RFC 3339, UTC).
pub(crate) fn format_time(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-01-01 00:00:00 UTC);

    fn body(expires_at: &str) -> String {
        format!(
            r#"{{"credential":{{"access":"TMPAK","secret":"tmp-secret-value",
                "securitytoken":"tmp-token-value","expires_at":{expires_at}}}}}"#
        )
    }

    fn problem(body: &str) -> String {
        let problem = decode(body.as_bytes(), 201, NOW).expect_err(body);
        let text = problem.to_string();
        for secret in ["tmp-secret-value", "tmp-token-value", "TMPAK"] {
            assert!(!text.contains(secret), "{text}");
        }
        text
    }

    #[test]
    fn decodes_keys_and_expiry_with_or_without_fraction() {
        for (text, expected) in [
            (
                "\"2026-01-01T01:00:00.587000Z\"",
                datetime!(2026-01-01 01:00:00.587 UTC),
            ),
            (
                "\"2026-01-01T01:00:00Z\"",
                datetime!(2026-01-01 01:00:00 UTC),
            ),
            (
                "\"2026-01-01T09:00:00+08:00\"",
                datetime!(2026-01-01 01:00:00 UTC),
            ),
        ] {
            let keys = decode(body(text).as_bytes(), 201, NOW).expect(text);
            assert_eq!(keys.expires_at, expected);
            assert_eq!(keys.credentials.access_key, "TMPAK");
            assert_eq!(keys.credentials.secret_key.expose(), "tmp-secret-value");
            assert_eq!(
                keys.credentials.security_token.as_ref().map(Secret::expose),
                Some("tmp-token-value")
            );
        }
    }

    #[test]
    fn malformed_answers_say_what_is_wrong_and_quote_nothing() {
        assert!(problem("not json tmp-secret-value").contains("is not JSON"));
        assert!(problem(r#"{"token":"tmp-secret-value"}"#).contains("no \"credential\" object"));
        assert!(
            problem(r#"{"credential":{"access":"TMPAK","secret":5,"securitytoken":"tmp-token-value","expires_at":"2026-01-01T01:00:00Z"}}"#)
                .contains("credential.secret is missing, empty or not a string")
        );
        assert!(
            problem(r#"{"credential":{"access":"TMPAK","secret":"tmp-secret-value","expires_at":"2026-01-01T01:00:00Z"}}"#)
                .contains("credential.securitytoken is missing")
        );
        assert!(
            problem(r#"{"credential":{"access":"TMP AK","secret":"tmp-secret-value","securitytoken":"tmp-token-value","expires_at":"2026-01-01T01:00:00Z"}}"#)
                .contains("credential.access is unusable: it contains a space")
        );
        assert!(problem(&body("null")).contains("has no credential.expires_at"));
        assert!(problem(&body("\"tomorrow\"")).contains("is not an RFC 3339 time"));
        assert!(problem(&body("12")).contains("is not an RFC 3339 time"));
        assert!(
            problem(&body("\"2025-12-31T23:59:59Z\""))
                .contains("credential.expires_at (2025-12-31T23:59:59Z) is already past")
        );
        let missing = r#"{"credential":{"access":"TMPAK","secret":"tmp-secret-value","securitytoken":"tmp-token-value"}}"#;
        assert!(problem(missing).contains("has no credential.expires_at"));
    }
}
