//! The record of credential traffic, for tests to assert on: every `securitytokens` call with
//! the body fields it carried, every metadata request, and the requests refused because their
//! temporary key had expired.

use std::sync::Mutex;

use time::OffsetDateTime;

use crate::temporary_credentials::CredentialKind;

/// One `POST /v3.0/OS-CREDENTIAL/securitytokens`, whatever its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRoleCall {
    /// The access key named in `Authorization`, if one could be read.
    pub access_key: Option<String>,
    /// Which kind of key signed it, when the key is known.
    pub signed_with: Option<CredentialKind>,
    /// `auth.identity.methods` when it is a list of strings.
    pub methods: Option<Vec<String>>,
    /// `auth.identity.assume_role.agency_name` when it is a string.
    pub agency_name: Option<String>,
    /// `...assume_role.domain_name` when it is a string.
    pub domain_name: Option<String>,
    /// `...assume_role.domain_id` when it is a string.
    pub domain_id: Option<String>,
    /// `...assume_role.duration_seconds` when it is a non-negative integer (`None` when absent
    /// or of another type: IAM then uses 900, or refuses the body).
    pub duration_seconds: Option<u64>,
    /// HTTP status answered (201 when credentials were issued).
    pub status: u16,
    /// The error code answered, if any (`IAM.0007`, `IAM.0002`, `APIG.0301`, ...).
    pub error_code: Option<String>,
    /// The access key issued (201 only).
    pub issued_access_key: Option<String>,
    /// When the issued key expires (201 only).
    pub expires_at: Option<OffsetDateTime>,
}

/// Which metadata route was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataRoute {
    /// `PUT /meta-data/latest/api/token`.
    Token,
    /// `GET /openstack/latest/securitykey`.
    SecurityKey,
}

/// One request to the metadata service, whatever its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataCall {
    pub route: MetadataRoute,
    /// `Token`: the `X-Metadata-Token-Ttl-Seconds` header as sent.
    pub ttl_seconds: Option<String>,
    /// `SecurityKey`: whether an `X-Metadata-Token` header was sent.
    pub with_token: bool,
    pub status: u16,
    /// `SecurityKey` answered 200: the access key handed out.
    pub issued_access_key: Option<String>,
}

#[derive(Debug, Default)]
struct Records {
    assume_role: Vec<AssumeRoleCall>,
    metadata: Vec<MetadataCall>,
    expired_rejections: usize,
}

/// Thread-safe, append-only (until cleared) credential records.
#[derive(Debug, Default)]
pub(crate) struct CredentialLog {
    records: Mutex<Records>,
}

impl CredentialLog {
    pub(crate) fn push_assume_role(&self, call: AssumeRoleCall) {
        self.lock().assume_role.push(call);
    }

    pub(crate) fn push_metadata(&self, call: MetadataCall) {
        self.lock().metadata.push(call);
    }

    pub(crate) fn count_expired_rejection(&self) {
        self.lock().expired_rejections += 1;
    }

    pub(crate) fn assume_role_calls(&self) -> Vec<AssumeRoleCall> {
        self.lock().assume_role.clone()
    }

    pub(crate) fn metadata_calls(&self) -> Vec<MetadataCall> {
        self.lock().metadata.clone()
    }

    pub(crate) fn expired_rejections(&self) -> usize {
        self.lock().expired_rejections
    }

    pub(crate) fn clear(&self) {
        *self.lock() = Records::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Records> {
        // Plain data: a panic while holding the lock leaves nothing half-written.
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
