//! The record of every request the simulator received, for tests to inspect.

use std::sync::Mutex;

use crate::temporary_credentials::CredentialKind;

/// Outcome of the signature check of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Signed with the permanent key or a valid temporary key (with its token), recomputed
    /// signature equal, date within the skew.
    Valid,
    /// No `Authorization` header.
    Missing,
    /// Present but rejected; the reason never contains key material.
    Invalid(String),
    /// Signed with a temporary access key (and its token) that had expired: answered 401
    /// `APIGW.0301`.
    Expired,
    /// Signature checking is disabled.
    NotChecked,
}

/// One received request and how it was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    /// Path as received (still percent-encoded).
    pub path: String,
    /// Query string exactly as received (without `?`).
    pub raw_query: String,
    /// Query pairs decoded like the real server: percent-decoding, `+` read as a space.
    pub query: Vec<(String, String)>,
    /// HTTP status answered; 0 when the connection was dropped without a response.
    pub status: u16,
    pub signature: SignatureCheck,
    /// Access key named in `Authorization`, if any could be read.
    pub access_key: Option<String>,
    /// `SignedHeaders` of `Authorization`, lowercase, as sent.
    pub signed_headers: Vec<String>,
    /// Which kind of key `access_key` is, when the simulator knows it (also for a rejected
    /// request, e.g. an expired temporary key); `None` for an unknown key or none.
    pub credential: Option<CredentialKind>,
    /// The injected fault, e.g. `fail-first 503`, `drop-connection`, `malformed-json`.
    pub fault: Option<String>,
    /// For `/v3/{project_id}/...` requests: the region whose project the path names
    /// ([`crate::Scenario::region_of_project`]); `None` for other requests and for an
    /// unknown project.
    pub project_region: Option<String>,
}

impl RequestRecord {
    /// The first decoded value of query parameter `name`.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Append-only, thread-safe request log.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    records: Mutex<Vec<RequestRecord>>,
}

impl RequestLog {
    pub(crate) fn push(&self, record: RequestRecord) {
        tracing::info!(
            target: "rds_simulator::requests",
            "{} {}{}{} -> {}{}",
            record.method,
            record.path,
            if record.raw_query.is_empty() { "" } else { "?" },
            record.raw_query,
            record.status,
            record
                .fault
                .as_deref()
                .map(|fault| format!(" [fault: {fault}]"))
                .unwrap_or_default(),
        );
        self.lock().push(record);
    }

    pub(crate) fn snapshot(&self) -> Vec<RequestRecord> {
        self.lock().clone()
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<RequestRecord>> {
        // A panic while holding the lock cannot leave a Vec half-pushed: keep using it.
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
