//! Service base URLs: region-derived defaults, user overrides, and the exact URL/Host/path that
//! a request is sent to and signed with.

use percent_encoding::percent_decode_str;
use url::{Host, Url};

use crate::client_options::DEFAULT_CLOUD;
use crate::errors::{ClientOption, Error, OptionError, OptionProblem};
use crate::signing;
use crate::validate::{normalize_endpoint, validate_endpoint_url};

/// Cloud domain of the European sovereign regions (`eu-west-101`, ...).
const EU_CLOUD: &str = "myhuaweicloud.eu";
/// Regions with this prefix default to [`EU_CLOUD`] while `cloud` is left at its default.
const EU_REGION_PREFIX: &str = "eu-west-1";

/// Full base URLs replacing the default `https://{service}.{region}.{cloud}`; a trailing slash
/// is tolerated and a path prefix (e.g. behind a proxy) is kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Endpoints {
    pub rds: Option<String>,
    pub iam: Option<String>,
}

/// The services this client talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Service {
    /// RDS: the offsite-backup list.
    Rds,
    /// IAM: the project id lookup.
    Iam,
}

impl Service {
    /// Lowercase name, as in host names and [`crate::Endpoints`]: `rds`, `iam`.
    pub fn name(self) -> &'static str {
        self.host_label()
    }

    fn host_label(self) -> &'static str {
        match self {
            Service::Rds => "rds",
            Service::Iam => "iam",
        }
    }
}

/// The cloud domain for `region`: the configured one, except the EU rule for the default.
pub(crate) fn cloud_for_region<'a>(cloud: &'a str, region: &str) -> &'a str {
    if cloud == DEFAULT_CLOUD && region.starts_with(EU_REGION_PREFIX) {
        EU_CLOUD
    } else {
        cloud
    }
}

/// Base URL string of `service` in `region` (without trailing slash).
pub(crate) fn base_url_string(
    service: Service,
    override_url: Option<&str>,
    region: &str,
    cloud: &str,
) -> String {
    match override_url {
        Some(url) => normalize_endpoint(url).to_owned(),
        None => format!(
            "https://{}.{region}.{}",
            service.host_label(),
            cloud_for_region(cloud, region)
        ),
    }
}

/// Checks a user-supplied endpoint override of `service`.
pub(crate) fn validate_override(service: Service, value: &str) -> Result<(), Error> {
    validate_endpoint_url(value).map_err(|reason| {
        OptionError::new(
            ClientOption::Endpoint(service),
            OptionProblem::Invalid(reason),
        )
        .into()
    })
}

/// A validated base URL: `http(s)://host[:port][/prefix]`.
#[derive(Clone, Debug)]
pub(crate) struct BaseUrl {
    url: Url,
}

/// Whether `url` names this machine: 127.0.0.0/8, `::1` or `localhost` (which the URL parser
/// has lower-cased). Other names are not resolved: what they point at can change.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(address)) => address.is_loopback(),
        Some(Host::Ipv6(address)) => address.is_loopback(),
        Some(Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

/// Where one request goes: the URL to send and the values it is signed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    /// Complete URL, with the query exactly as signed.
    pub url: String,
    /// `Host` header value as the HTTP stack sends it (port included when not the default).
    pub host: String,
    /// Unencoded path, input of [`signing::canonical_uri`].
    pub signing_path: String,
    /// Encoded path as sent, for logs and error messages.
    pub path: String,
}

impl BaseUrl {
    pub(crate) fn parse(value: &str) -> Result<BaseUrl, String> {
        let url = Url::parse(value).map_err(|e| format!("not a valid URL ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            // The scheme is not quoted: in `user:password@host` the parser takes `user` for it.
            return Err("the scheme must be http or https".into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("the URL has no host".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("the URL must not have a query or fragment".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("the URL must not contain user information".into());
        }
        if url.scheme() == "http" && !is_loopback(&url) {
            // Anyone on the path could read the security token and replay signed requests.
            return Err(
                "http:// is accepted only for a loopback host (127.0.0.0/8, ::1 or \
                        localhost, e.g. a local simulator): request signatures and security \
                        tokens need https"
                    .into(),
            );
        }
        Ok(BaseUrl { url })
    }

    /// `Host` value: the host, plus `:port` when the URL names a non-default port (the URL
    /// parser drops default ports, exactly like the HTTP stack does when it sets `Host`).
    fn host(&self) -> String {
        let host = self.url.host_str().unwrap_or_default();
        match self.url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    /// The request target for raw path `segments` under this base and an encoded `query`.
    pub(crate) fn target(&self, segments: &[&str], query: &str) -> Target {
        let prefix = self.url.path().trim_end_matches('/');
        let mut path = prefix.to_owned();
        let mut signing_path = percent_decode_str(prefix).decode_utf8_lossy().into_owned();
        for segment in segments {
            path.push('/');
            path.push_str(&signing::encode(segment));
            signing_path.push('/');
            signing_path.push_str(segment);
        }
        if path.is_empty() {
            path.push('/');
            signing_path.push('/');
        }
        let host = self.host();
        let mut url = format!("{}://{host}{path}", self.url.scheme());
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        Target {
            url,
            host,
            signing_path,
            path,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_endpoints_follow_region_and_cloud() {
        assert_eq!(
            base_url_string(Service::Rds, None, "cn-north-4", DEFAULT_CLOUD),
            "https://rds.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(
            base_url_string(Service::Iam, None, "ap-southeast-1", "example.org"),
            "https://iam.ap-southeast-1.example.org"
        );
    }

    #[test]
    fn eu_regions_use_eu_cloud_only_when_cloud_is_default() {
        assert_eq!(
            base_url_string(Service::Rds, None, "eu-west-101", DEFAULT_CLOUD),
            "https://rds.eu-west-101.myhuaweicloud.eu"
        );
        assert_eq!(
            base_url_string(Service::Rds, None, "eu-west-0", DEFAULT_CLOUD),
            "https://rds.eu-west-0.myhuaweicloud.com"
        );
        assert_eq!(
            base_url_string(Service::Rds, None, "eu-west-101", "custom.example"),
            "https://rds.eu-west-101.custom.example"
        );
    }

    #[test]
    fn overrides_replace_defaults_and_tolerate_trailing_slash() {
        assert_eq!(
            base_url_string(
                Service::Rds,
                Some("http://127.0.0.1:8080/"),
                "cn-north-4",
                DEFAULT_CLOUD
            ),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn override_validation() {
        assert!(validate_override(Service::Rds, "https://rds.example.com/").is_ok());
        assert!(validate_override(Service::Rds, "ftp://rds.example.com").is_err());
        assert!(validate_override(Service::Rds, "rds.example.com").is_err());
        assert!(validate_override(Service::Rds, "https://rds.example.com/?a=b").is_err());
        let err = validate_override(Service::Rds, "https://u:secret@rds.example.com")
            .expect_err("userinfo");
        assert!(err.to_string().contains("endpoints.rds"), "{err}");
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn target_builds_url_host_and_signing_path() {
        let base = BaseUrl::parse("http://127.0.0.1:8080").expect("valid");
        let target = base.target(&["v3", "p 1", "offsite-backups"], "a=1&b=%2B");
        assert_eq!(
            target.url,
            "http://127.0.0.1:8080/v3/p%201/offsite-backups?a=1&b=%2B"
        );
        assert_eq!(target.host, "127.0.0.1:8080");
        assert_eq!(target.signing_path, "/v3/p 1/offsite-backups");
        assert_eq!(target.path, "/v3/p%201/offsite-backups");
    }

    #[test]
    fn target_keeps_prefix_and_drops_default_port() {
        let base = BaseUrl::parse("https://proxy.example.com:443/rds%20api/").expect("valid");
        let target = base.target(&["v3", "projects"], "");
        assert_eq!(
            target.url,
            "https://proxy.example.com/rds%20api/v3/projects"
        );
        assert_eq!(target.host, "proxy.example.com");
        assert_eq!(target.signing_path, "/rds api/v3/projects");
    }
}
