//! The temporary access keys the simulator has issued, through IAM's `securitytokens` (an
//! assumed agency) or the ECS metadata service: each is a fresh random access key, secret key
//! and security token with an expiry. The gateway check (`auth.rs`) accepts a request signed
//! with one of them only while it is valid and only with its own `X-Security-Token`.

use std::sync::Mutex;
use std::time::Duration;

use rand::Rng;
use rand::distr::Alphanumeric;
use time::OffsetDateTime;

/// Who a credential obtained from the metadata service belongs to, for
/// [`crate::Agency::assumable_by`]: the ECS instance's agency, not an access key.
pub const METADATA_PRINCIPAL: &str = "ecs-metadata";

/// Which kind of access key signed a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    /// The scenario's permanent access key.
    Permanent,
    /// A temporary key from `POST /v3.0/OS-CREDENTIAL/securitytokens` (an assumed agency).
    Assumed,
    /// A temporary key from the ECS metadata service (`GET /openstack/latest/securitykey`).
    Metadata,
}

/// One issued temporary credential. `Debug` never shows the secret key or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedCredential {
    pub access_key: String,
    pub secret_key: String,
    pub security_token: String,
    /// From this instant on, requests signed with it are refused (401 `APIGW.0301`).
    pub expires_at: OffsetDateTime,
    /// [`CredentialKind::Assumed`] or [`CredentialKind::Metadata`].
    pub kind: CredentialKind,
    /// For an assumed credential, the agency name it was issued for.
    pub agency_name: Option<String>,
    /// Whom it was issued to, at the root of the chain: the permanent access key that
    /// assumed (directly or through earlier temporary keys), or [`METADATA_PRINCIPAL`].
    pub principal: String,
}

impl IssuedCredential {
    /// The body IAM's `securitytokens` and the metadata `securitykey` route both answer:
    /// `{"credential":{"access","secret","securitytoken","expires_at"}}`.
    pub(crate) fn answer_body(&self) -> String {
        serde_json::json!({
            "credential": {
                "access": self.access_key,
                "secret": self.secret_key,
                "securitytoken": self.security_token,
                "expires_at": crate::time_format::format_credential_expiry(self.expires_at),
            }
        })
        .to_string()
    }

    /// Whether it is still valid at `now`.
    pub fn is_valid_at(&self, now: OffsetDateTime) -> bool {
        now < self.expires_at
    }
}

impl std::fmt::Debug for IssuedCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCredential")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("security_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("kind", &self.kind)
            .field("agency_name", &self.agency_name)
            .field("principal", &self.principal)
            .finish()
    }
}

/// Every credential issued by one simulator (expired ones too: a request signed with an
/// expired key is told so, not told the key is unknown).
#[derive(Debug, Default)]
pub(crate) struct CredentialStore {
    issued: Mutex<Vec<IssuedCredential>>,
}

/// What a new credential is for.
pub(crate) struct Issue<'a> {
    pub kind: CredentialKind,
    pub lifetime: Duration,
    pub agency_name: Option<&'a str>,
    pub principal: &'a str,
}

impl CredentialStore {
    /// A new random credential, valid for `issue.lifetime` from `now`.
    pub(crate) fn issue(&self, issue: &Issue<'_>, now: OffsetDateTime) -> IssuedCredential {
        let credential = IssuedCredential {
            // Temporary keys of the real IAM are 20 uppercase characters and digits, their
            // secrets 40 characters; the token is a long opaque string.
            access_key: random_text(20).to_ascii_uppercase(),
            secret_key: random_text(40),
            security_token: format!("gQpzaW11bGF0b3I{}", random_text(320)),
            expires_at: to_microseconds(now + issue.lifetime),
            kind: issue.kind,
            agency_name: issue.agency_name.map(str::to_owned),
            principal: issue.principal.to_owned(),
        };
        self.lock().push(credential.clone());
        credential
    }

    /// The credential whose access key is `access_key`, valid or not.
    pub(crate) fn find(&self, access_key: &str) -> Option<IssuedCredential> {
        self.lock()
            .iter()
            .find(|credential| credential.access_key == access_key)
            .cloned()
    }

    pub(crate) fn snapshot(&self) -> Vec<IssuedCredential> {
        self.lock().clone()
    }

    /// Makes every credential still valid at `now` expire at `now`.
    pub(crate) fn expire_all(&self, now: OffsetDateTime) {
        for credential in self.lock().iter_mut() {
            if credential.expires_at > now {
                credential.expires_at = now;
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<IssuedCredential>> {
        // A panic while holding the lock cannot leave a Vec half-pushed: keep using it.
        self.issued
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// `instant` cut to whole microseconds: `expires_at` is written with six decimals, and the
/// expiry a client reads must be exactly the one the gateway applies.
fn to_microseconds(instant: OffsetDateTime) -> OffsetDateTime {
    let nanos = instant.nanosecond();
    instant
        .replace_nanosecond(nanos - nanos % 1_000)
        .unwrap_or(instant)
}

/// `length` random ASCII letters and digits.
pub(crate) fn random_text(length: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(length)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assumed(lifetime: Duration) -> Issue<'static> {
        Issue {
            kind: CredentialKind::Assumed,
            lifetime,
            agency_name: Some("reader"),
            principal: "SIMULATORAK",
        }
    }

    #[test]
    fn credentials_are_random_and_expire() {
        let store = CredentialStore::default();
        let now = OffsetDateTime::now_utc();
        let first = store.issue(&assumed(Duration::from_secs(60)), now);
        let second = store.issue(&assumed(Duration::from_secs(60)), now);
        assert_ne!(first.access_key, second.access_key);
        assert_ne!(first.secret_key, second.secret_key);
        assert_ne!(first.security_token, second.security_token);
        assert_eq!(first.access_key.len(), 20);
        assert!(first.is_valid_at(now + Duration::from_secs(59)));
        assert!(!first.is_valid_at(now + Duration::from_secs(60)));
        assert_eq!(store.find(&first.access_key), Some(first.clone()));
        assert_eq!(store.find("NOSUCHKEY"), None);

        let later = now + Duration::from_secs(10);
        store.expire_all(later);
        assert!(store.snapshot().iter().all(|c| !c.is_valid_at(later)));
        assert_eq!(
            first.expires_at.nanosecond() % 1_000,
            0,
            "whole microseconds"
        );
        let debug = format!("{first:?}");
        assert!(!debug.contains(&first.secret_key) && !debug.contains(&first.security_token));
    }
}
