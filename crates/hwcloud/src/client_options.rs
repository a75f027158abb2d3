//! Client settings: credentials (their source, assume_role), cloud/endpoints, projects, TLS,
//! retries, concurrency and timeouts.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::ca_certificates::validate_ca_certificates;
use crate::credential::{
    AssumeRole, CredentialSource, validate_assume_role, validate_ecs_metadata_endpoint,
};
use crate::endpoints::Endpoints;
use crate::errors::{ClientOption, Error, OptionError, OptionProblem};
use crate::secret::Secret;
use crate::validate::{validate_cloud, validate_credential, validate_project_id, validate_region};

/// Cloud domain used when none is configured.
pub const DEFAULT_CLOUD: &str = "myhuaweicloud.com";
/// Default number of retries after the first attempt (the official provider's default).
pub const DEFAULT_MAX_RETRIES: u32 = 5;
/// Most retries accepted after the first attempt. With the capped backoff (see `retry`), 20
/// retries already wait about two and a half minutes, longer than a gateway hiccup lasts; a
/// request that still fails then should fail the read and say why, not keep Terraform waiting
/// (each throttled retry may also wait up to the 5-minute `Retry-After` cap).
pub const MAX_RETRIES_LIMIT: u32 = 20;
/// Default number of page requests in flight per list call.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 8;
/// Accepted range of `max_concurrent_requests`.
pub const MAX_CONCURRENT_REQUESTS_RANGE: std::ops::RangeInclusive<usize> = 1..=32;
/// Default time allowed to establish a TCP + TLS connection.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one HTTP attempt (connect, send, read the whole body).
pub(crate) const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// AK/SK credentials, permanent or temporary (temporary ones carry a security token).
#[derive(Clone, Default)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: Secret,
    pub security_token: Option<Secret>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The access key identifies the account but is not secret; SK and token print as ***.
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key)
            .field("security_token", &self.security_token)
            .finish()
    }
}

/// Everything a [`crate::Client`] needs. Build it with struct update syntax over `Default`.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Where the (base) keys come from: given keys, a KooCLI profile, or the ECS metadata
    /// service. `Credentials { .. }.into()` for given keys.
    pub credentials: CredentialSource,
    /// Temporary credentials of an agency, obtained with the base keys of `credentials` and
    /// refreshed before they expire; every request is then signed with them.
    pub assume_role: Option<AssumeRole>,
    /// Project ids known in advance, by region (a Huawei Cloud project belongs to one region).
    /// A region not listed here has its project id looked up from IAM
    /// (`GET /v3/projects?name={region}`) once and cached for the client's life.
    pub project_ids: BTreeMap<String, String>,
    /// IAM project names to look up instead of the region's own name, by region (sub-projects
    /// such as `cn-north-4_backup`): `GET /v3/projects?name={name}`, and the project found must
    /// have exactly that name. A region in `project_ids` needs no lookup.
    pub project_names: BTreeMap<String, String>,
    /// Cloud domain, default [`DEFAULT_CLOUD`]. While it is left at the default, regions
    /// starting with `eu-west-1` use `myhuaweicloud.eu` (as the official tooling does); to force
    /// `myhuaweicloud.com` there, set an explicit endpoint in [`ClientOptions::endpoints`].
    pub cloud: String,
    /// Full base URLs replacing the region-derived defaults.
    pub endpoints: Endpoints,
    /// Skip TLS certificate verification (for test environments only).
    pub insecure: bool,
    /// Extra CA certificates to trust (a PEM bundle, e.g. a TLS-intercepting proxy's CA),
    /// added to the usual roots; checked by [`crate::validate_ca_certificates`].
    pub ca_certificates_pem: Option<Vec<u8>>,
    /// Retries after the first attempt for throttling, 5xx gateway errors and network errors;
    /// at most [`MAX_RETRIES_LIMIT`].
    pub max_retries: u32,
    /// Page requests in flight per list call, within [`MAX_CONCURRENT_REQUESTS_RANGE`].
    pub max_concurrent_requests: usize,
    /// Value of the `User-Agent` header, e.g. `terraform-provider-rds/0.1.0`.
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// Limit for one attempt, including reading the response body.
    pub request_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            credentials: CredentialSource::default(),
            assume_role: None,
            project_ids: BTreeMap::new(),
            project_names: BTreeMap::new(),
            cloud: DEFAULT_CLOUD.to_owned(),
            endpoints: Endpoints::default(),
            insecure: false,
            ca_certificates_pem: None,
            max_retries: DEFAULT_MAX_RETRIES,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            user_agent: concat!("hwcloud-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }
}

impl ClientOptions {
    /// Rejects settings that can only fail later, with an error naming the field.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        let fail = |field, problem| Err(OptionError::new(field, problem).into());
        match &self.credentials {
            CredentialSource::Static(creds) => validate_static(creds)?,
            CredentialSource::Profile(profile) => {
                if profile.path.as_os_str().is_empty() {
                    return fail(ClientOption::ProfileFile, OptionProblem::Empty);
                }
                if profile
                    .profile
                    .as_deref()
                    .is_some_and(|p| p.trim().is_empty())
                {
                    return fail(ClientOption::ProfileName, OptionProblem::SetButEmpty);
                }
            }
            CredentialSource::EcsMetadata(metadata) => {
                if let Err(reason) = validate_ecs_metadata_endpoint(&metadata.endpoint) {
                    return fail(
                        ClientOption::EcsMetadataEndpoint,
                        OptionProblem::Invalid(reason),
                    );
                }
            }
        }
        if let Some(assume) = &self.assume_role
            && let Err((part, reason)) = validate_assume_role(assume)
        {
            return fail(
                ClientOption::AssumeRole(part),
                OptionProblem::Invalid(reason),
            );
        }
        for (region, name) in &self.project_names {
            if let Err(reason) = validate_region(region) {
                return fail(
                    ClientOption::ProjectNames { region: None },
                    OptionProblem::Invalid(reason),
                );
            }
            let field = ClientOption::ProjectNames {
                region: Some(region.clone()),
            };
            if name.trim().is_empty() {
                return fail(field, OptionProblem::Empty);
            }
            if name.chars().any(char::is_control) {
                return fail(
                    field,
                    OptionProblem::Invalid("it contains a control character".into()),
                );
            }
        }
        if let Some(pem) = &self.ca_certificates_pem
            && let Err(reason) = validate_ca_certificates(pem)
        {
            return fail(ClientOption::CaCertificates, OptionProblem::Invalid(reason));
        }
        // The message never quotes the value: it is not a domain, so it may be anything, even a
        // pasted secret.
        if let Err(reason) = validate_cloud(&self.cloud) {
            return fail(ClientOption::Cloud, OptionProblem::Invalid(reason));
        }
        for (region, project_id) in &self.project_ids {
            if let Err(reason) = validate_region(region) {
                return fail(ClientOption::ProjectIds, OptionProblem::Invalid(reason));
            }
            if let Err(reason) = validate_project_id(project_id) {
                let region = Some(region.clone());
                return fail(
                    ClientOption::ProjectId { region },
                    OptionProblem::Invalid(reason),
                );
            }
        }
        if !MAX_CONCURRENT_REQUESTS_RANGE.contains(&self.max_concurrent_requests) {
            return fail(
                ClientOption::MaxConcurrentRequests,
                OptionProblem::OutOfRange {
                    min: *MAX_CONCURRENT_REQUESTS_RANGE.start() as u64,
                    max: *MAX_CONCURRENT_REQUESTS_RANGE.end() as u64,
                    got: self.max_concurrent_requests as u64,
                },
            );
        }
        if self.max_retries > MAX_RETRIES_LIMIT {
            return fail(
                ClientOption::MaxRetries,
                OptionProblem::AboveLimit {
                    limit: MAX_RETRIES_LIMIT.into(),
                    got: self.max_retries.into(),
                },
            );
        }
        if self.connect_timeout.is_zero() || self.request_timeout.is_zero() {
            return fail(ClientOption::Timeouts, OptionProblem::NotPositive);
        }
        Ok(())
    }
}

/// Rules of given keys: both halves present, a token only when non-empty, nothing that
/// cannot be sent in a header.
fn validate_static(creds: &Credentials) -> Result<(), Error> {
    let fail = |field, problem| Err(OptionError::new(field, problem).into());
    if creds.access_key.trim().is_empty() {
        return fail(ClientOption::AccessKey, OptionProblem::Empty);
    }
    if creds.secret_key.expose().trim().is_empty() {
        return fail(ClientOption::SecretKey, OptionProblem::Empty);
    }
    if creds
        .security_token
        .as_ref()
        .is_some_and(|token| token.expose().trim().is_empty())
    {
        return fail(ClientOption::SecurityToken, OptionProblem::SetButEmpty);
    }
    let credentials = [
        (ClientOption::AccessKey, Some(creds.access_key.as_str())),
        (ClientOption::SecretKey, Some(creds.secret_key.expose())),
        (
            ClientOption::SecurityToken,
            creds.security_token.as_ref().map(Secret::expose),
        ),
    ];
    for (field, value) in credentials {
        if let Some(Err(reason)) = value.map(validate_credential) {
            return fail(field, OptionProblem::Invalid(reason));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> CredentialSource {
        Credentials {
            access_key: "AK".into(),
            secret_key: "SK".into(),
            security_token: None,
        }
        .into()
    }

    /// The static keys of `options`, to change them.
    fn static_keys(options: &mut ClientOptions) -> &mut Credentials {
        match &mut options.credentials {
            CredentialSource::Static(credentials) => credentials,
            _ => panic!("not static"),
        }
    }

    fn valid() -> ClientOptions {
        ClientOptions {
            credentials: keys(),
            ..ClientOptions::default()
        }
    }

    #[test]
    fn defaults_are_documented_values() {
        let options = ClientOptions::default();
        assert_eq!(options.cloud, "myhuaweicloud.com");
        assert_eq!(options.max_retries, 5);
        assert_eq!(options.max_concurrent_requests, 8);
        assert!(!options.insecure);
        assert!(valid().validate().is_ok());
    }

    #[test]
    fn rejects_missing_credentials_and_bad_concurrency() {
        let mut options = valid();
        static_keys(&mut options).access_key.clear();
        assert!(options.validate().is_err());

        let mut options = valid();
        static_keys(&mut options).secret_key = Secret::default();
        assert!(options.validate().is_err());

        for bad in [0, 33] {
            let options = ClientOptions {
                max_concurrent_requests: bad,
                ..valid()
            };
            let err = options.validate().expect_err("out of range");
            assert!(err.to_string().contains("max_concurrent_requests"));
        }
    }

    #[test]
    fn cloud_must_be_a_domain() {
        for bad in [
            "",
            "user:pw@evil.example",
            "evil.example/x",
            "a b",
            "evil..example",
            "-evil.example",
        ] {
            let options = ClientOptions {
                cloud: bad.into(),
                ..valid()
            };
            let err = options.validate().expect_err(bad);
            assert!(
                err.to_string().contains("cloud: invalid cloud domain"),
                "{err}"
            );
            if !bad.is_empty() {
                assert!(!err.to_string().contains(bad), "{err}");
            }
        }
        let options = ClientOptions {
            cloud: "myhuaweicloud.eu".into(),
            ..valid()
        };
        assert!(options.validate().is_ok());
    }

    #[test]
    fn credentials_with_whitespace_or_control_characters_are_rejected_unquoted() {
        let with_access_key = |key: &str| ClientOptions {
            credentials: Credentials {
                access_key: key.into(),
                ..valid()
                    .credentials
                    .static_keys()
                    .cloned()
                    .unwrap_or_default()
            }
            .into(),
            ..valid()
        };
        let err = with_access_key("AK\n").validate().expect_err("newline");
        assert!(
            err.to_string()
                .contains("access_key: it contains a line break at the end"),
            "{err}"
        );
        let mut options = valid();
        static_keys(&mut options).secret_key = "the secret".into();
        let err = options.validate().expect_err("space");
        assert!(
            err.to_string().contains("secret_key: it contains a space"),
            "{err}"
        );
        assert!(!err.to_string().contains("the secret"), "{err}");
        let mut options = valid();
        static_keys(&mut options).security_token = Some("tok\u{7}en".into());
        let err = options.validate().expect_err("bell");
        assert!(
            err.to_string()
                .contains("security_token: it contains a control character"),
            "{err}"
        );
    }

    #[test]
    fn max_retries_has_a_documented_limit() {
        let at_limit = ClientOptions {
            max_retries: MAX_RETRIES_LIMIT,
            ..valid()
        };
        assert!(at_limit.validate().is_ok());
        let err = ClientOptions {
            max_retries: MAX_RETRIES_LIMIT + 1,
            ..valid()
        }
        .validate()
        .expect_err("over the limit");
        assert!(
            err.to_string()
                .contains("max_retries must be at most 20, got 21"),
            "{err}"
        );
    }

    #[test]
    fn configured_project_ids_are_validated() {
        let mut options = valid();
        options.project_ids.insert(
            "cn-north-4".into(),
            "0483b6b16e954cb88930a360d2c4e663".into(),
        );
        assert!(options.validate().is_ok());

        for (region, id, expected) in [
            (
                "cn-north-4",
                "",
                "project_ids[\"cn-north-4\"]: invalid project id",
            ),
            ("cn-north-4", "../../v3/x", "invalid project id"),
            ("cn-north-4", " p1", "invalid project id"),
            ("cn north", "p1", "project_ids: invalid region"),
        ] {
            let mut options = valid();
            options.project_ids.insert(region.into(), id.into());
            let err = options.validate().expect_err(id);
            assert!(err.to_string().contains(expected), "{err}");
        }
    }

    #[test]
    fn debug_output_hides_secrets() {
        let mut options = valid();
        static_keys(&mut options).secret_key = "the-secret-key".into();
        static_keys(&mut options).security_token = Some("the-token".into());
        let printed = format!("{options:?}");
        assert!(!printed.contains("the-secret-key"));
        assert!(!printed.contains("the-token"));
        assert!(printed.contains("AK"));
    }
}
