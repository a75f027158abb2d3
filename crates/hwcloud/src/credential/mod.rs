//! Where the client's keys come from, and how temporary keys are kept fresh.
//!
//! One module per concern:
//! - this file: the public choices ([`CredentialSource`], [`AssumeRole`]) and their rules;
//! - `answer`: the `{"credential":{access, secret, securitytoken, expires_at}}` answer that IAM
//!   and the ECS metadata service both give, decoded strictly without ever quoting a value;
//! - `schedule`: when temporary keys are refreshed (pure, tested with explicit times);
//! - `assume_role`: IAM `POST /v3.0/OS-CREDENTIAL/securitytokens`, signed with the base keys;
//! - `ecs_metadata`: the metadata service (`PUT` token, `GET` securitykey), unsigned;
//! - `profile`: the keys of a KooCLI profile, re-read when its SSO keys near their expiry;
//! - `cache`: the one credential cache of a client, refreshed single-flight, shared by all
//!   concurrent requests;
//! - `error`: [`CredentialError`], which source failed and how, never a secret.

mod answer;
mod assume_role;
pub(crate) mod cache;
mod ecs_metadata;
mod error;
mod profile;
pub mod schedule;

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::client_options::Credentials;

pub(crate) use answer::parse_expiry;
pub use error::{CredentialError, CredentialOrigin, CredentialProblem};

/// The ECS metadata service's address (link-local, plain http, reachable only on an ECS).
pub const DEFAULT_ECS_METADATA_ENDPOINT: &str = "http://169.254.169.254";
/// Lifetime asked for assumed credentials when none is given (IAM's own default is 900 s,
/// so the duration is always sent).
pub const DEFAULT_ASSUME_ROLE_DURATION: Duration = Duration::from_secs(3600);
/// Lifetimes IAM accepts for assumed credentials, in seconds.
pub const ASSUME_ROLE_DURATION_RANGE: std::ops::RangeInclusive<u64> = 900..=43200;

/// Where the base keys come from.
#[derive(Clone, Debug)]
pub enum CredentialSource {
    /// Keys given as they are: permanent keys, or temporary keys with a security token that
    /// cannot be refreshed (the caller obtained them; this client cannot renew them).
    Static(Credentials),
    /// The keys of a KooCLI profile, re-read from the file whenever its SSO keys approach
    /// their `expiresAt` (that is how keys KooCLI refreshed are picked up); a profile without
    /// an expiry is read once.
    Profile(ProfileSource),
    /// The temporary keys of the ECS's agency, from the instance's metadata service, refreshed
    /// before they expire. Never contacted unless chosen.
    EcsMetadata(EcsMetadata),
}

impl Default for CredentialSource {
    fn default() -> Self {
        CredentialSource::Static(Credentials::default())
    }
}

impl From<Credentials> for CredentialSource {
    fn from(credentials: Credentials) -> Self {
        CredentialSource::Static(credentials)
    }
}

impl CredentialSource {
    /// The keys of a [`CredentialSource::Static`] source.
    pub fn static_keys(&self) -> Option<&Credentials> {
        match self {
            CredentialSource::Static(credentials) => Some(credentials),
            _ => None,
        }
    }
}

/// A profile of a KooCLI (`hcloud`) configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileSource {
    pub path: PathBuf,
    /// The profile's name; `None`: the file's `current` profile.
    pub profile: Option<String>,
}

/// The ECS metadata service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcsMetadata {
    /// `http(s)://host[:port]`, default [`DEFAULT_ECS_METADATA_ENDPOINT`].
    pub endpoint: String,
}

impl Default for EcsMetadata {
    fn default() -> Self {
        EcsMetadata {
            endpoint: DEFAULT_ECS_METADATA_ENDPOINT.to_owned(),
        }
    }
}

/// The domain (account) that owns an agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgencyDomain {
    /// Sent as `domain_name`.
    Name(String),
    /// Sent as `domain_id`.
    Id(String),
}

impl std::fmt::Display for AgencyDomain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AgencyDomain::Name(name) => write!(f, "domain {name:?}"),
            AgencyDomain::Id(id) => write!(f, "domain with id {id:?}"),
        }
    }
}

/// Temporary credentials of an agency, obtained from IAM with the base keys (whichever
/// [`CredentialSource`] gave them) and refreshed before they expire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumeRole {
    pub agency_name: String,
    pub domain: AgencyDomain,
    /// Lifetime asked for, within [`ASSUME_ROLE_DURATION_RANGE`] seconds, whole seconds.
    pub duration: Duration,
}

/// Checks an ECS metadata endpoint: `http` or `https`, a host, any port, no path (other than
/// `/`), query, fragment or user information. Plain http is accepted for any host: the
/// metadata service speaks only http, on a link-local address. The reason never quotes the
/// value.
pub fn validate_ecs_metadata_endpoint(endpoint: &str) -> Result<(), String> {
    let url = Url::parse(endpoint).map_err(|e| format!("not a valid URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the scheme must be http or https".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL must not contain user information".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("the URL must not have a query or fragment".into());
    }
    if url.path() != "/" && !url.path().is_empty() {
        return Err("the URL must not have a path (the service's paths are fixed)".into());
    }
    Ok(())
}

/// Checks an [`AssumeRole`]: which part is wrong, and why (never quoting a value).
pub(crate) fn validate_assume_role(assume: &AssumeRole) -> Result<(), (AssumeRolePart, String)> {
    if assume.agency_name.trim().is_empty() {
        return Err((AssumeRolePart::AgencyName, "it is empty".into()));
    }
    if assume.agency_name.chars().any(char::is_control) {
        return Err((
            AssumeRolePart::AgencyName,
            "it contains a control character".into(),
        ));
    }
    let domain = match &assume.domain {
        AgencyDomain::Name(name) | AgencyDomain::Id(name) => name,
    };
    if domain.trim().is_empty() {
        return Err((AssumeRolePart::Domain, "it is empty".into()));
    }
    if domain.chars().any(char::is_control) {
        return Err((
            AssumeRolePart::Domain,
            "it contains a control character".into(),
        ));
    }
    let seconds = assume.duration.as_secs();
    if assume.duration.subsec_nanos() != 0 || !ASSUME_ROLE_DURATION_RANGE.contains(&seconds) {
        return Err((
            AssumeRolePart::Duration,
            format!(
                "it must be whole seconds between {} and {}",
                ASSUME_ROLE_DURATION_RANGE.start(),
                ASSUME_ROLE_DURATION_RANGE.end()
            ),
        ));
    }
    Ok(())
}

/// The parts of an [`AssumeRole`], for errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssumeRolePart {
    AgencyName,
    Domain,
    Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_endpoints() {
        for good in [
            "http://169.254.169.254",
            "http://169.254.169.254/",
            "http://127.0.0.1:8080",
            "https://metadata.example",
            "http://metadata.internal:80",
        ] {
            assert_eq!(validate_ecs_metadata_endpoint(good), Ok(()), "{good}");
        }
        for bad in [
            "169.254.169.254",
            "ftp://169.254.169.254",
            "http://169.254.169.254/openstack",
            "http://169.254.169.254/?a=b",
            "http://169.254.169.254/#f",
            "http://user:pw@169.254.169.254",
            "http://",
        ] {
            let reason = validate_ecs_metadata_endpoint(bad).expect_err(bad);
            assert!(!reason.contains("pw"), "{reason}");
        }
    }

    fn assume(duration: u64) -> AssumeRole {
        AssumeRole {
            agency_name: "backup".into(),
            domain: AgencyDomain::Name("acct".into()),
            duration: Duration::from_secs(duration),
        }
    }

    #[test]
    fn assume_role_rules() {
        assert_eq!(validate_assume_role(&assume(900)), Ok(()));
        assert_eq!(validate_assume_role(&assume(43200)), Ok(()));
        for bad in [899, 43201, 0] {
            let (part, reason) = validate_assume_role(&assume(bad)).expect_err("range");
            assert_eq!(part, AssumeRolePart::Duration);
            assert!(reason.contains("between 900 and 43200"), "{reason}");
        }
        let mut empty = assume(3600);
        empty.agency_name = " ".into();
        assert_eq!(
            validate_assume_role(&empty).map_err(|e| e.0),
            Err(AssumeRolePart::AgencyName)
        );
        let mut no_domain = assume(3600);
        no_domain.domain = AgencyDomain::Id(String::new());
        assert_eq!(
            validate_assume_role(&no_domain).map_err(|e| e.0),
            Err(AssumeRolePart::Domain)
        );
        assert_eq!(DEFAULT_ASSUME_ROLE_DURATION, Duration::from_secs(3600));
    }
}
