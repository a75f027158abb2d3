//! The credential chain: which source gives the base keys, in a documented order, and the
//! agency assumed on top of them.
//!
//! 1. explicit keys: `access_key`/`secret_key` (the block, then `HW_ACCESS_KEY`/`HW_SECRET_KEY`);
//! 2. the KooCLI profile (`shared_config_file`/`profile`), when one of them is set;
//! 3. the ECS metadata service, only when `use_ecs_metadata` is true (never probed otherwise:
//!    the official provider falls back to it silently and then times out off ECS).
//!
//! `assume_role` (the block, else the `HW_ASSUME_ROLE_*` variables, else the profile's
//! `agencyName`/`agencyDomainName`) then applies on top of whichever source gave the base keys.
//! When no source yields keys, one error lists every source and why it did not apply.

use tfplugin::{AttributePath, Diagnostic};

use crate::provider::profile::LoadedProfile;
use crate::provider::setting_table::{
    ACCESS_KEY, ECS_METADATA_ENDPOINT_ENV, PROFILE, SECRET_KEY, SHARED_CONFIG_FILE,
    USE_ECS_METADATA,
};
use crate::provider::settings::Env;

/// Keys set explicitly, in the block or by their own variables.
pub struct ExplicitKeys {
    pub access_key: Option<String>,
    pub secret_key: Option<hwcloud::Secret>,
    pub security_token: Option<hwcloud::Secret>,
}

/// What the chain was given about the ECS metadata service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EcsMetadataChoice {
    /// `use_ecs_metadata = true` (or its variable).
    Enabled,
    /// Set to false in the block.
    DisabledInBlock,
    /// Set to false by `HW_USE_ECS_METADATA`.
    DisabledByEnv,
    /// Neither the block nor the variable says anything: off by default.
    Unset,
}

/// The base source of keys, or the diagnostic that lists every source tried. A half key pair
/// is reported elsewhere (at the attribute that is set), so it is never "nothing found".
pub fn base_source(
    explicit: ExplicitKeys,
    profile: Option<&LoadedProfile>,
    ecs: EcsMetadataChoice,
    env: Env<'_>,
) -> Result<hwcloud::CredentialSource, Diagnostic> {
    if let (Some(access_key), Some(secret_key)) =
        (explicit.access_key.clone(), explicit.secret_key.clone())
    {
        return Ok(hwcloud::Credentials {
            access_key,
            secret_key,
            security_token: explicit.security_token,
        }
        .into());
    }
    if let Some(profile) = profile {
        let keys = &profile.credentials;
        // Keys with an expiry (an SSO login) are re-read from the file before they expire,
        // which is where KooCLI writes the renewed ones.
        if let Some(expires_at) = keys.expires_at {
            // Expired keys would only fail the first read, with a less helpful message.
            if expires_at <= time::OffsetDateTime::now_utc() {
                return Err(Diagnostic::error(
                    "Expired profile credentials",
                    format!(
                        "The keys of the KooCLI profile {:?} in {} expired at {}: log in again \
                         with KooCLI (hcloud) so that it writes fresh keys to the file.",
                        keys.profile,
                        profile.path.display(),
                        expires_at
                            .format(&time::format_description::well_known::Rfc3339)
                            .unwrap_or_default()
                    ),
                ));
            }
            return Ok(hwcloud::CredentialSource::Profile(hwcloud::ProfileSource {
                path: profile.path.clone(),
                profile: profile.requested.clone(),
            }));
        }
        return Ok(hwcloud::Credentials {
            access_key: keys.access_key.clone(),
            secret_key: keys.secret_key.clone(),
            security_token: explicit
                .security_token
                .or_else(|| keys.security_token.clone()),
        }
        .into());
    }
    if ecs == EcsMetadataChoice::Enabled {
        let endpoint = env(ECS_METADATA_ENDPOINT_ENV)
            .unwrap_or_else(|| hwcloud::DEFAULT_ECS_METADATA_ENDPOINT.to_owned());
        if let Err(reason) = hwcloud::validate_ecs_metadata_endpoint(&endpoint) {
            return Err(Diagnostic::error(
                format!("Invalid {ECS_METADATA_ENDPOINT_ENV}"),
                format!(
                    "The environment variable {ECS_METADATA_ENDPOINT_ENV} must be the metadata \
                     service's base URL, such as \"http://169.254.169.254\": {reason}."
                ),
            ));
        }
        return Ok(hwcloud::CredentialSource::EcsMetadata(
            hwcloud::EcsMetadata { endpoint },
        ));
    }
    let default_file = env("HOME")
        .map(|home| std::path::Path::new(&home).join(hwcloud::DEFAULT_PROFILE_FILE))
        .filter(|path| path.is_file());
    Err(nothing_found(ecs, default_file.as_deref()))
}

/// "No credentials": every source in order, and why each gave nothing.
fn nothing_found(ecs: EcsMetadataChoice, default_file: Option<&std::path::Path>) -> Diagnostic {
    let access_var = ACCESS_KEY.env.unwrap_or_default();
    let secret_var = SECRET_KEY.env.unwrap_or_default();
    let file_var = SHARED_CONFIG_FILE.env.unwrap_or_default();
    let profile_var = PROFILE.env.unwrap_or_default();
    let ecs_var = USE_ECS_METADATA.env.unwrap_or_default();
    let ecs_reason = match ecs {
        EcsMetadataChoice::DisabledInBlock => {
            format!("{} is false in the provider block", USE_ECS_METADATA.name)
        }
        EcsMetadataChoice::DisabledByEnv => format!("{ecs_var} is false"),
        EcsMetadataChoice::Unset | EcsMetadataChoice::Enabled => format!(
            "{} is not set (nor {ecs_var}), and the metadata service is only asked when it is \
             true",
            USE_ECS_METADATA.name
        ),
    };
    let default_file = match default_file {
        Some(path) => format!(
            " ({} exists, but is read only when one of them is set)",
            path.display()
        ),
        None => String::new(),
    };
    Diagnostic::error(
        "Missing credentials",
        format!(
            "The provider signs every request with an access key and a secret key, and found \
             none. It tried, in order:\n\
             1. explicit keys: {ak} and {sk} are not set in the provider block, and \
             {access_var} and {secret_var} are unset;\n\
             2. a KooCLI profile: neither {file} nor {profile} is set in the provider block, \
             and {file_var} and {profile_var} are unset{default_file};\n\
             3. the ECS metadata service: {ecs_reason}.\n\
             Set one of them (assume_role, if used, applies on top of the keys found).",
            ak = ACCESS_KEY.name,
            sk = SECRET_KEY.name,
            file = SHARED_CONFIG_FILE.name,
            profile = PROFILE.name,
        ),
    )
    .at(AttributePath::root(ACCESS_KEY.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn no_keys() -> ExplicitKeys {
        ExplicitKeys {
            access_key: None,
            secret_key: None,
            security_token: None,
        }
    }

    #[test]
    fn explicit_keys_come_first() {
        let explicit = ExplicitKeys {
            access_key: Some("AK".into()),
            secret_key: Some(hwcloud::Secret::new("SK".to_owned())),
            security_token: None,
        };
        let source = base_source(explicit, None, EcsMetadataChoice::Enabled, &no_env)
            .expect("explicit keys");
        let hwcloud::CredentialSource::Static(keys) = source else {
            panic!("explicit keys are static, got {source:?}");
        };
        assert_eq!(keys.access_key, "AK");
    }

    #[test]
    fn metadata_only_when_enabled_and_at_its_endpoint() {
        let env = |name: &str| {
            (name == "HW_ECS_METADATA_ENDPOINT").then(|| "http://127.0.0.1:9".to_owned())
        };
        let source = base_source(no_keys(), None, EcsMetadataChoice::Enabled, &env)
            .expect("metadata enabled");
        let hwcloud::CredentialSource::EcsMetadata(metadata) = source else {
            panic!("expected the metadata source, got {source:?}");
        };
        assert_eq!(metadata.endpoint, "http://127.0.0.1:9");
        let default = base_source(no_keys(), None, EcsMetadataChoice::Enabled, &no_env)
            .expect("metadata enabled");
        let hwcloud::CredentialSource::EcsMetadata(metadata) = default else {
            panic!("expected the metadata source");
        };
        assert_eq!(metadata.endpoint, "http://169.254.169.254");
        let bad = |name: &str| {
            (name == "HW_ECS_METADATA_ENDPOINT").then(|| "ftp://metadata/x".to_owned())
        };
        let diagnostic = base_source(no_keys(), None, EcsMetadataChoice::Enabled, &bad)
            .expect_err("not a metadata URL");
        assert_eq!(diagnostic.summary, "Invalid HW_ECS_METADATA_ENDPOINT");
    }

    #[test]
    fn nothing_found_lists_every_source_and_why() {
        for (choice, why) in [
            (
                EcsMetadataChoice::Unset,
                "use_ecs_metadata is not set (nor HW_USE_ECS_METADATA)",
            ),
            (
                EcsMetadataChoice::DisabledInBlock,
                "use_ecs_metadata is false in the provider block",
            ),
            (
                EcsMetadataChoice::DisabledByEnv,
                "HW_USE_ECS_METADATA is false",
            ),
        ] {
            let diagnostic =
                base_source(no_keys(), None, choice, &no_env).expect_err("nothing to use");
            assert_eq!(diagnostic.summary, "Missing credentials");
            for part in [
                "HW_ACCESS_KEY and HW_SECRET_KEY are unset",
                "neither shared_config_file nor profile is set",
                "HW_SHARED_CONFIG_FILE and HW_PROFILE are unset",
                why,
            ] {
                assert!(
                    diagnostic.detail.contains(part),
                    "{part}: {}",
                    diagnostic.detail
                );
            }
        }
    }

    fn sso_profile(expires_at: time::OffsetDateTime) -> LoadedProfile {
        LoadedProfile {
            path: "/home/u/.hcloud/config.json".into(),
            requested: Some("sso".into()),
            credentials: hwcloud::ProfileCredentials {
                profile: "sso".into(),
                access_key: "AKSSO".into(),
                secret_key: hwcloud::Secret::new("sso-secret".to_owned()),
                security_token: Some(hwcloud::Secret::new("sso-token".to_owned())),
                region: None,
                project_id: None,
                domain_id: None,
                agency_name: None,
                agency_domain_name: None,
                expires_at: Some(expires_at),
            },
        }
    }

    #[test]
    fn sso_keys_are_re_read_from_the_file_unless_already_expired() {
        let now = time::OffsetDateTime::now_utc();
        let valid = sso_profile(now + time::Duration::hours(1));
        let source = base_source(no_keys(), Some(&valid), EcsMetadataChoice::Unset, &no_env)
            .expect("valid SSO keys");
        let hwcloud::CredentialSource::Profile(profile) = source else {
            panic!("SSO keys are re-read from the file, got {source:?}");
        };
        assert_eq!(profile.profile.as_deref(), Some("sso"));
        let expired = sso_profile(now - time::Duration::minutes(1));
        let diagnostic = base_source(no_keys(), Some(&expired), EcsMetadataChoice::Unset, &no_env)
            .expect_err("expired SSO keys");
        assert_eq!(diagnostic.summary, "Expired profile credentials");
        assert!(
            diagnostic.detail.contains("log in again"),
            "{}",
            diagnostic.detail
        );
        assert!(!diagnostic.detail.contains("sso-secret"));
    }

    #[test]
    fn nothing_found_says_when_the_default_file_exists_but_was_not_asked_for() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".hcloud")).unwrap();
        std::fs::write(home.path().join(".hcloud/config.json"), "{}").unwrap();
        let home_path = home.path().display().to_string();
        let env = |name: &str| (name == "HOME").then(|| home_path.clone());
        let diagnostic = base_source(no_keys(), None, EcsMetadataChoice::Unset, &env)
            .expect_err("nothing asked for");
        assert!(
            diagnostic
                .detail
                .contains("config.json exists, but is read only when one of them is set"),
            "{}",
            diagnostic.detail
        );
    }
}
