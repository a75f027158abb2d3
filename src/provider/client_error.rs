//! A client error in the provider's words: the client names its own configuration fields and
//! knows nothing of Terraform, so the hints that name a provider setting or an `HW_*` variable
//! are written here, from the error's [`hwcloud::ErrorKind`], and a configuration problem names
//! the setting that feeds the field.

use hwcloud::{ClientOption, ErrorKind, Service};

use crate::provider::setting_table::{
    self, ACCESS_KEY, ASSUME_ROLE_AGENCY_NAME, ASSUME_ROLE_DOMAIN_ID, ASSUME_ROLE_DOMAIN_NAME,
    ASSUME_ROLE_DURATION, CLOUD, ENDPOINTS, INSECURE, MAX_CONCURRENT_REQUESTS, PROFILE, PROJECT_ID,
    REGION, SECRET_KEY, SECURITY_TOKEN, SHARED_CONFIG_FILE, SettingSpec, USE_ECS_METADATA,
};

/// The credentials and clock part of the hint for HTTP 401 (authentication failed).
fn credentials_hint() -> String {
    format!(
        "Check that {} and {} are correct and belong to the same key pair; temporary \
         credentials also need a valid, unexpired {}. The local clock must be within 15 \
         minutes of the real time (requests are signed with it). Note: repeated signature \
         failures lock the access key for 5 minutes. With {}, {} or an SSO profile the \
         temporary keys were refused even after one renewal: check the agency's permissions \
         and that the keys were not revoked.",
        ACCESS_KEY.name,
        SECRET_KEY.name,
        SECURITY_TOKEN.name,
        setting_table::ASSUME_ROLE,
        USE_ECS_METADATA.name
    )
}

/// The permission part of the hint for RDS calls.
const HINT_RDS_PERMISSION: &str = "The user needs RDS read permissions in this region's \
     project (for example the RDS ReadOnlyAccess policy; listing offsite backups needs \
     rds:backup:list).";

/// The permission part of the hint for the IAM project lookup.
fn iam_project_lookup_hint() -> String {
    format!(
        "The project id of the region was being looked up in IAM: set {} to skip the lookup, \
         or grant permission to list IAM projects (iam:projects:list).",
        with_variable(PROJECT_ID)
    )
}

/// `name (VARIABLE)`, or the name alone for a setting without an environment fallback.
fn with_variable(setting: SettingSpec) -> String {
    match setting.env {
        Some(variable) => format!("{} ({variable})", setting.name),
        None => setting.name.to_owned(),
    }
}

/// The client's detail of `error`, its configuration fields named as the provider's settings,
/// ending with the provider's hint for the kind of failure (else the client's own hint).
pub fn detail(error: &hwcloud::Error) -> String {
    let mut detail = match error {
        hwcloud::Error::InvalidOption(config) => {
            config.problem.describe(&setting_name(&config.field))
        }
        _ => error.detail_without_hint(),
    };
    let own_hint = match error {
        hwcloud::Error::Credentials(credential) => credentials_source_hint(credential),
        _ => hint(error.kind()),
    };
    if let Some(hint) = own_hint.or_else(|| error.hint()) {
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
            format!("{} {}", credentials_hint(), permission(service)?)
        }
        ErrorKind::PermissionDenied(service) => permission(service)?,
        ErrorKind::Throttled => format!(
            "The API throttled the requests; lower {} or retry later.",
            MAX_CONCURRENT_REQUESTS.name
        ),
        ErrorKind::TlsCertificate => format!(
            "the server's TLS certificate is not trusted. Check the endpoint; only for test \
             endpoints with self-signed certificates set {} = true.",
            INSECURE.name
        ),
        ErrorKind::Unreachable => format!(
            "check the {}, {} and {} settings and the network (proxy, firewall, DNS).",
            REGION.name, CLOUD.name, ENDPOINTS.name
        ),
        ErrorKind::ProjectNotFound => format!(
            "check the {} name, or set {} explicitly.",
            REGION.name, PROJECT_ID.name
        ),
        _ => return None,
    };
    Some(hint)
}

/// The client's hint about a credential source, followed by the settings that chose it.
fn credentials_source_hint(error: &hwcloud::CredentialError) -> Option<String> {
    let settings = match &error.origin {
        hwcloud::CredentialOrigin::EcsMetadata { .. } => format!(
            "The metadata service is asked because {} is true and no access key was set or \
             found in a profile; off ECS, give keys instead ({}/{}) or set {} = false. Its \
             address comes from {}.",
            USE_ECS_METADATA.name,
            ACCESS_KEY.name,
            SECRET_KEY.name,
            USE_ECS_METADATA.name,
            setting_table::ECS_METADATA_ENDPOINT_ENV
        ),
        hwcloud::CredentialOrigin::AssumeRole { .. } => format!(
            "The agency comes from the {} block (or {}, {}, {}, {}, or the profile's \
             agencyName and agencyDomainName).",
            setting_table::ASSUME_ROLE,
            with_variable(ASSUME_ROLE_AGENCY_NAME),
            with_variable(ASSUME_ROLE_DOMAIN_NAME),
            with_variable(ASSUME_ROLE_DOMAIN_ID),
            with_variable(ASSUME_ROLE_DURATION),
        ),
        hwcloud::CredentialOrigin::ProfileFile { .. } => format!(
            "The profile is chosen by {} and {}.",
            with_variable(SHARED_CONFIG_FILE),
            with_variable(PROFILE)
        ),
        // A source added to the client later: its own hint alone.
        _ => return error.hint(),
    };
    Some(match error.hint() {
        Some(hint) => format!("{hint} {settings}"),
        None => settings,
    })
}

/// What the user needs to be allowed for calls to `service`; `None` for a service this
/// provider does not call (the client's own hint then applies).
fn permission(service: Service) -> Option<String> {
    match service {
        Service::Rds => Some(HINT_RDS_PERMISSION.to_owned()),
        Service::Iam => Some(iam_project_lookup_hint()),
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
        ClientOption::ProfileFile => setting_table::SHARED_CONFIG_FILE.name.into(),
        ClientOption::ProfileName => setting_table::PROFILE.name.into(),
        ClientOption::EcsMetadataEndpoint => setting_table::ECS_METADATA_ENDPOINT_ENV.into(),
        ClientOption::AssumeRole(part) => {
            let attribute = match part {
                hwcloud::AssumeRolePart::AgencyName => ASSUME_ROLE_AGENCY_NAME.name,
                hwcloud::AssumeRolePart::Domain => "domain_name/domain_id",
                hwcloud::AssumeRolePart::Duration => ASSUME_ROLE_DURATION.name,
                // A part added to the client later: its own name.
                _ => return field.name(),
            };
            format!("{}.{attribute}", setting_table::ASSUME_ROLE)
        }
        ClientOption::ProjectNames { .. } => setting_table::PROJECT_NAME.name.into(),
        ClientOption::CaCertificates => setting_table::CACERT_FILE.name.into(),
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
            untrusted_certificate: reason.contains("certificate"),
            attempts: 2,
            cause: None,
        }))
    }

    fn hint_of(kind: ErrorKind) -> String {
        hint(kind).unwrap_or_else(|| panic!("a hint for {kind:?}"))
    }

    /// Every kind the provider words itself names the settings (and their variables) that
    /// fix it, and not those of the other service.
    #[test]
    fn a_hint_for_each_kind_names_the_settings_that_fix_it() {
        let named = |kind: ErrorKind, settings: &[SettingSpec], absent: &[&str]| {
            let hint = hint_of(kind);
            for setting in settings {
                assert!(hint.contains(setting.name), "{kind:?}: {hint}");
            }
            for text in absent {
                assert!(!hint.contains(text), "{kind:?} mentions {text}: {hint}");
            }
        };
        named(
            ErrorKind::InvalidCredentials(Service::Rds),
            &[ACCESS_KEY, SECRET_KEY, SECURITY_TOKEN],
            &["iam:projects:list", "HW_PROJECT_ID"],
        );
        named(
            ErrorKind::InvalidCredentials(Service::Iam),
            &[ACCESS_KEY, SECRET_KEY, SECURITY_TOKEN, PROJECT_ID],
            &["rds:backup:list"],
        );
        named(
            ErrorKind::PermissionDenied(Service::Iam),
            &[PROJECT_ID],
            // 403 is about a permission, never the signature or the clock.
            &["rds:backup:list", "15 minutes", ACCESS_KEY.name],
        );
        named(
            ErrorKind::PermissionDenied(Service::Rds),
            &[],
            &["iam:projects:list", ACCESS_KEY.name],
        );
        named(ErrorKind::Throttled, &[MAX_CONCURRENT_REQUESTS], &[]);
        named(ErrorKind::TlsCertificate, &[INSECURE], &[]);
        named(ErrorKind::Unreachable, &[REGION, CLOUD, ENDPOINTS], &[]);
        named(ErrorKind::ProjectNotFound, &[REGION, PROJECT_ID], &[]);
        // Variables come from the settings table, never from a copy of it.
        let iam = hint_of(ErrorKind::PermissionDenied(Service::Iam));
        let variable = PROJECT_ID.env.expect("project_id has a variable");
        assert!(
            iam.contains(&format!("{} ({variable})", PROJECT_ID.name)),
            "{iam}"
        );
        assert!(hint_of(ErrorKind::InvalidCredentials(Service::Iam)).contains("15 minutes"));
    }

    #[test]
    fn kinds_without_a_setting_keep_the_client_hint() {
        for kind in [
            ErrorKind::RequestTooLarge,
            ErrorKind::BodyTooLarge,
            ErrorKind::OtherStatus,
            ErrorKind::DeadlineExceeded,
            ErrorKind::TooManyItems,
            ErrorKind::InvalidOption,
        ] {
            assert_eq!(hint(kind), None, "{kind:?}");
        }
        for error in [api_error(Service::Rds, 414), api_error(Service::Rds, 404)] {
            let expected = match error.hint() {
                Some(client_hint) => {
                    format!("{}\nHint: {client_hint}", error.detail_without_hint())
                }
                None => error.detail_without_hint(),
            };
            assert_eq!(detail(&error), expected);
        }
        assert!(api_error(Service::Rds, 414).hint().is_some());
    }

    #[test]
    fn detail_is_the_clients_detail_then_the_providers_hint() {
        let missing = Error::ProjectNotFound {
            region: "cn-north-4".into(),
            endpoint: "https://iam.example".into(),
        };
        for error in [
            api_error(Service::Rds, 429),
            api_error(Service::Iam, 401),
            transport("connection refused"),
            transport("invalid peer certificate: UnknownIssuer"),
            missing,
        ] {
            let provider_hint = hint(error.kind()).expect("a provider hint");
            assert_eq!(
                detail(&error),
                format!("{}\nHint: {provider_hint}", error.detail_without_hint())
            );
            // The client's own hint is replaced, not repeated.
            if let Some(client_hint) = error.hint() {
                assert!(!detail(&error).contains(&client_hint), "{error:?}");
            }
        }
        // The request and the attempts stay in the detail.
        let refused = detail(&transport("connection refused"));
        assert!(
            refused.starts_with("connection refused\nRequest: GET "),
            "{refused}"
        );
        assert!(
            refused.contains("(offset 200)\nAttempts: 2\nHint: "),
            "{refused}"
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
