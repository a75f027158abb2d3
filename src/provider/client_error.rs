//! A client error in the provider's words: the client names its own configuration fields and
//! knows nothing of Terraform, so the hints that name a provider setting or an `HW_*` variable
//! are written here, from the error's [`hwcloud::ErrorKind`], and a configuration problem names
//! the setting that feeds the field.

use hwcloud::{ClientOption, ErrorKind, Service};

use crate::provider::setting_table;

/// The credentials and clock part of the hint for HTTP 401 (authentication failed).
const HINT_CREDENTIALS: &str = "Check that access_key and secret_key are correct and belong to \
     the same key pair; temporary credentials also need a valid, unexpired security_token. The \
     local clock must be within 15 minutes of the real time (requests are signed with it). \
     Note: repeated signature failures lock the access key for 5 minutes.";
/// The permission part of the hint for RDS calls.
const HINT_RDS_PERMISSION: &str =
    "The user needs the permission rds:backup:list in this region's project.";
/// The permission part of the hint for the IAM project lookup.
const HINT_IAM_PROJECT_LOOKUP: &str = "The project id of the region was being looked up in \
     IAM: set project_id (HW_PROJECT_ID) to skip the lookup, or grant permission to list IAM \
     projects (iam:projects:list).";

/// The client's detail of `error`, its configuration fields named as the provider's settings,
/// ending with the provider's hint for the kind of failure (else the client's own hint).
pub fn detail(error: &hwcloud::Error) -> String {
    let mut detail = match error {
        hwcloud::Error::InvalidOption(config) => {
            config.problem.describe(&setting_name(&config.field))
        }
        _ => error.detail_without_hint(),
    };
    if let Some(hint) = hint(error.kind()).or_else(|| error.hint()) {
        detail.push_str("\nHint: ");
        detail.push_str(&hint);
    }
    detail
}

/// The hint for `kind` when it names a setting or variable of this provider; `None` leaves the
/// client's own hint (which then names only the API).
pub fn hint(kind: ErrorKind) -> Option<String> {
    let hint = match kind {
        ErrorKind::InvalidCredentials(service) => {
            format!("{HINT_CREDENTIALS} {}", permission(service)?)
        }
        ErrorKind::PermissionDenied(service) => permission(service)?.to_owned(),
        ErrorKind::Throttled => {
            "The API throttled the requests; lower max_concurrent_requests or retry later.".into()
        }
        ErrorKind::TlsCertificate => "the server's TLS certificate is not trusted. Check the \
             endpoint; only for test endpoints with self-signed certificates set insecure = true."
            .into(),
        ErrorKind::Unreachable => "check the region, cloud and endpoints settings and the \
             network (proxy, firewall, DNS)."
            .into(),
        ErrorKind::ProjectNotFound => "check the region name, or set project_id explicitly.".into(),
        _ => return None,
    };
    Some(hint)
}

/// What the user needs to be allowed for calls to `service`; `None` for a service this
/// provider does not call (the client's own hint then applies).
fn permission(service: Service) -> Option<&'static str> {
    match service {
        Service::Rds => Some(HINT_RDS_PERMISSION),
        Service::Iam => Some(HINT_IAM_PROJECT_LOOKUP),
        _ => None,
    }
}

/// How a message names the client's `field`: the provider setting that feeds it, written as
/// the messages have always written it.
fn setting_name(field: &ClientOption) -> String {
    match field {
        ClientOption::AccessKey => setting_table::ACCESS_KEY.name.into(),
        ClientOption::SecretKey => setting_table::SECRET_KEY.name.into(),
        ClientOption::SecurityToken => setting_table::SECURITY_TOKEN.name.into(),
        ClientOption::Cloud => setting_table::CLOUD.name.into(),
        ClientOption::ProjectIds => "project_ids".into(),
        ClientOption::ProjectId {
            region: Some(region),
        } => format!("project_ids[{region:?}]"),
        ClientOption::ProjectId { region: None } => setting_table::PROJECT_ID.name.into(),
        ClientOption::Endpoint(service) => {
            format!("{}.{}", setting_table::ENDPOINTS.name, service.name())
        }
        ClientOption::MaxConcurrentRequests => setting_table::MAX_CONCURRENT_REQUESTS.name.into(),
        ClientOption::MaxRetries => setting_table::MAX_RETRIES.name.into(),
        ClientOption::Timeouts => "timeouts".into(),
        // A field added to the client later: its own name until it gets a setting.
        other => other.name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use hwcloud::{ApiError, Error, OptionError, OptionProblem, RequestDescription};

    fn request() -> RequestDescription {
        RequestDescription {
            method: "GET".into(),
            endpoint: "https://rds.cn-north-4.myhuaweicloud.com".into(),
            path: "/v3/p/offsite-backups".into(),
            offset: Some(200),
        }
    }

    fn api_error(service: Service, status: u16) -> Error {
        Error::Api(Box::new(ApiError {
            service,
            status,
            code: None,
            message: "denied".into(),
            request_id: None,
            request: request(),
            attempts: 1,
        }))
    }

    fn transport(reason: &str) -> Error {
        Error::Transport(Box::new(hwcloud::TransportError {
            request: request(),
            reason: reason.into(),
            timed_out: false,
            attempts: 2,
            cause: None,
        }))
    }

    fn hint_of(kind: ErrorKind) -> String {
        hint(kind).unwrap_or_else(|| panic!("a hint for {kind:?}"))
    }

    #[test]
    fn a_hint_for_each_kind_that_names_a_setting() {
        let rds = hint_of(ErrorKind::PermissionDenied(Service::Rds));
        assert_eq!(
            rds,
            "The user needs the permission rds:backup:list in this region's project."
        );
        let iam = hint_of(ErrorKind::PermissionDenied(Service::Iam));
        assert!(
            iam.contains(
                "set project_id (HW_PROJECT_ID) to skip the lookup, or grant permission to \
                 list IAM projects (iam:projects:list)"
            ),
            "{iam}"
        );
        assert!(!iam.contains("rds:backup:list"), "{iam}");
        assert!(
            !iam.contains("15 minutes"),
            "403 is not about the signature: {iam}"
        );

        let iam = hint_of(ErrorKind::InvalidCredentials(Service::Iam));
        assert!(iam.contains("secret_key"), "{iam}");
        assert!(iam.contains("security_token"), "{iam}");
        assert!(iam.contains("15 minutes"), "{iam}");
        assert!(iam.contains("HW_PROJECT_ID"), "{iam}");
        assert!(iam.contains("iam:projects:list"), "{iam}");
        assert!(!iam.contains("rds:backup:list"), "{iam}");
        let rds = hint_of(ErrorKind::InvalidCredentials(Service::Rds));
        assert!(rds.starts_with("Check that access_key and secret_key are correct"));
        assert!(
            rds.ends_with(" rds:backup:list in this region's project."),
            "{rds}"
        );
        assert!(!rds.contains("iam:projects:list"), "{rds}");

        assert!(hint_of(ErrorKind::Throttled).contains("lower max_concurrent_requests"));
        assert!(hint_of(ErrorKind::TlsCertificate).contains("set insecure = true."));
        assert!(
            hint_of(ErrorKind::Unreachable).contains("the region, cloud and endpoints settings")
        );
        assert!(hint_of(ErrorKind::ProjectNotFound).contains("set project_id explicitly"));
    }

    #[test]
    fn kinds_without_a_setting_keep_the_client_hint() {
        for kind in [
            ErrorKind::RequestTooLarge,
            ErrorKind::BodyTooLarge,
            ErrorKind::OtherStatus,
            ErrorKind::DeadlineExceeded,
            ErrorKind::TooManyBackups,
            ErrorKind::InvalidOption,
        ] {
            assert_eq!(hint(kind), None, "{kind:?}");
        }
        let too_large = detail(&api_error(Service::Rds, 414));
        assert!(
            too_large.ends_with(
                "\nHint: The server refused the request as too large: an argument of the query \
                 is longer than the API accepts (no id the API issues is that long)."
            ),
            "{too_large}"
        );
        assert_eq!(detail(&api_error(Service::Rds, 404)), {
            "denied\nRequest: GET https://rds.cn-north-4.myhuaweicloud.com/v3/p/offsite-backups \
             (offset 200)"
        });
    }

    #[test]
    fn detail_ends_with_the_provider_hint() {
        assert_eq!(
            detail(&api_error(Service::Rds, 429)),
            "denied\nRequest: GET https://rds.cn-north-4.myhuaweicloud.com/v3/p/offsite-backups \
             (offset 200)\nHint: The API throttled the requests; lower max_concurrent_requests \
             or retry later."
        );
        assert_eq!(
            detail(&transport("connection refused")),
            "connection refused\nRequest: GET \
             https://rds.cn-north-4.myhuaweicloud.com/v3/p/offsite-backups (offset 200)\n\
             Attempts: 2\nHint: check the region, cloud and endpoints settings and the network \
             (proxy, firewall, DNS)."
        );
        assert!(
            detail(&transport("invalid peer certificate: UnknownIssuer")).ends_with(
                "\nHint: the server's TLS certificate is not trusted. Check the endpoint; only \
                 for test endpoints with self-signed certificates set insecure = true."
            )
        );
        let missing = Error::ProjectNotFound {
            region: "cn-north-4".into(),
            endpoint: "https://iam.example".into(),
        };
        assert_eq!(
            detail(&missing),
            "IAM at https://iam.example lists no project named \"cn-north-4\" for these \
             credentials.\nHint: check the region name, or set project_id explicitly."
        );
    }

    #[test]
    fn configuration_problems_name_the_setting() {
        let config = |field, problem| detail(&Error::from(OptionError::new(field, problem)));
        assert_eq!(
            config(ClientOption::AccessKey, OptionProblem::Empty),
            "access_key is empty"
        );
        assert_eq!(
            config(ClientOption::SecurityToken, OptionProblem::SetButEmpty),
            "security_token is set but empty; omit it for permanent credentials"
        );
        assert_eq!(
            config(
                ClientOption::SecretKey,
                OptionProblem::Invalid("it contains a space".into())
            ),
            "secret_key: it contains a space"
        );
        assert_eq!(
            config(
                ClientOption::MaxConcurrentRequests,
                OptionProblem::OutOfRange {
                    min: 1,
                    max: 32,
                    got: 40
                }
            ),
            "max_concurrent_requests must be between 1 and 32, got 40"
        );
        assert_eq!(
            config(
                ClientOption::MaxRetries,
                OptionProblem::AboveLimit { limit: 20, got: 21 }
            ),
            "max_retries must be at most 20, got 21"
        );
        assert_eq!(
            config(ClientOption::Timeouts, OptionProblem::NotPositive),
            "timeouts must be greater than zero"
        );
        assert_eq!(
            config(
                ClientOption::Endpoint(Service::Rds),
                OptionProblem::Invalid("invalid endpoint URL".into())
            ),
            "endpoints.rds: invalid endpoint URL"
        );
        assert_eq!(
            config(
                ClientOption::ProjectId {
                    region: Some("cn-north-4".into())
                },
                OptionProblem::Invalid("invalid project id".into())
            ),
            "project_ids[\"cn-north-4\"]: invalid project id"
        );
        assert_eq!(
            config(
                ClientOption::ProjectId { region: None },
                OptionProblem::NotAHeaderValue
            ),
            "project_id contains characters not allowed in an HTTP header"
        );
        assert_eq!(
            config(ClientOption::Cloud, OptionProblem::Invalid("bad".into())),
            "cloud: bad"
        );
    }
}
