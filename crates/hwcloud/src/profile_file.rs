//! The KooCLI (`hcloud`) profile file: `{"current": NAME, "profiles": [{name, mode,
//! accessKeyId, secretAccessKey, securityToken, region, projectId, ssoAuth: {stsToken: {...}}}]}`.
//! `mode: "SSO"` takes the keys from `ssoAuth.stsToken` (with their `expiresAt`); any other
//! mode (`AKSK`) from the profile itself. `domainId`, `agencyName` and `agencyDomainName` are
//! passed on for the caller to use (e.g. for an assume_role). The file is read as untyped JSON first, so that no error ever quotes a value
//! of it (a typed decoder's "invalid type: string ..." would print a key).

use std::path::{Path, PathBuf};

use serde_json::Value;
use time::OffsetDateTime;

use crate::Secret;

/// Where KooCLI keeps its profiles, relative to the home directory.
pub const DEFAULT_PROFILE_FILE: &str = ".hcloud/config.json";

/// The credentials and defaults of one profile. Secrets are [`Secret`]s: `Debug` prints `***`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileCredentials {
    /// The profile's name (the requested one, or the file's `current`).
    pub profile: String,
    pub access_key: String,
    pub secret_key: Secret,
    pub security_token: Option<Secret>,
    pub region: Option<String>,
    pub project_id: Option<String>,
    pub domain_id: Option<String>,
    pub agency_name: Option<String>,
    pub agency_domain_name: Option<String>,
    /// When SSO keys expire (`ssoAuth.stsToken.expiresAt`); `None` for keys without expiry.
    pub expires_at: Option<OffsetDateTime>,
}

/// Why a profile could not be read. Every message names the file and the profile, never a value
/// read from the file.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileError {
    #[error("the profile file {} cannot be read: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "the profile file {} is not JSON ({reason}); an encrypted KooCLI file cannot be read: \
         store it unencrypted (`hcloud configure set --cli-auth-encrypt=false`)",
        path.display()
    )]
    NotJson { path: PathBuf, reason: String },
    #[error(
        "the profile file {} names no profile to use: it has no \"current\" profile and none \
         was asked for",
        path.display()
    )]
    NoCurrent { path: PathBuf },
    #[error("the profile file {} has no profile {profile:?}", path.display())]
    MissingProfile { path: PathBuf, profile: String },
    #[error(
        "the profile {profile:?} of {} has no access key and secret key{}",
        path.display(),
        if *sso { " under ssoAuth.stsToken (mode SSO)" } else { "" }
    )]
    NoKeys {
        path: PathBuf,
        profile: String,
        sso: bool,
    },
    /// A field has a value of the wrong form (named, never quoted).
    #[error(
        "the profile {profile:?} of {} has an unusable {field}: {reason}",
        path.display()
    )]
    InvalidField {
        path: PathBuf,
        profile: String,
        field: &'static str,
        reason: &'static str,
    },
}

impl ProfileError {
    /// The profile the error is about, when one was chosen.
    pub fn profile(&self) -> Option<&str> {
        match self {
            ProfileError::MissingProfile { profile, .. }
            | ProfileError::NoKeys { profile, .. }
            | ProfileError::InvalidField { profile, .. } => Some(profile),
            _ => None,
        }
    }
}

/// Reads `profile` (else the file's `current`) from the KooCLI file at `path`.
pub fn read_profile(
    path: &Path,
    profile: Option<&str>,
) -> Result<ProfileCredentials, ProfileError> {
    let text = std::fs::read_to_string(path).map_err(|e| ProfileError::Unreadable {
        path: path.to_owned(),
        reason: e.kind().to_string(),
    })?;
    parse_profile(path, &text, profile)
}

/// Parses the text of a KooCLI file (`path` only names it in errors).
pub fn parse_profile(
    path: &Path,
    text: &str,
    profile: Option<&str>,
) -> Result<ProfileCredentials, ProfileError> {
    let path_buf = || path.to_owned();
    // serde_json's syntax errors give a position and category only, never the input.
    let root: Value = serde_json::from_str(text).map_err(|e| ProfileError::NotJson {
        path: path_buf(),
        reason: format!("line {} column {}", e.line(), e.column()),
    })?;
    if !root.is_object() {
        return Err(ProfileError::NotJson {
            path: path_buf(),
            reason: "not a JSON object".to_owned(),
        });
    }
    let name = match profile {
        Some(name) => name.to_owned(),
        None => non_empty(&root, "current").ok_or(ProfileError::NoCurrent { path: path_buf() })?,
    };
    let entry = root
        .get("profiles")
        .and_then(Value::as_array)
        .and_then(|profiles| {
            profiles
                .iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some(name.as_str()))
        })
        .ok_or_else(|| ProfileError::MissingProfile {
            path: path_buf(),
            profile: name.clone(),
        })?;
    let sso = entry.get("mode").and_then(Value::as_str) == Some("SSO");
    let keys = if sso {
        entry.pointer("/ssoAuth/stsToken").unwrap_or(&Value::Null)
    } else {
        entry
    };
    let (Some(access_key), Some(secret_key)) = (
        non_empty(keys, "accessKeyId"),
        non_empty(keys, "secretAccessKey"),
    ) else {
        return Err(ProfileError::NoKeys {
            path: path_buf(),
            profile: name,
            sso,
        });
    };
    let expires_at = if sso {
        match keys.get("expiresAt") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) if text.is_empty() => None,
            Some(value) => Some(
                value
                    .as_str()
                    .and_then(|text| crate::credential::parse_expiry(text).ok())
                    .ok_or_else(|| ProfileError::InvalidField {
                        path: path_buf(),
                        profile: name.clone(),
                        field: "ssoAuth.stsToken.expiresAt",
                        reason: "not an RFC 3339 time",
                    })?,
            ),
        }
    } else {
        None
    };
    Ok(ProfileCredentials {
        profile: name,
        access_key,
        secret_key: Secret::new(secret_key),
        security_token: non_empty(keys, "securityToken").map(Secret::new),
        region: non_empty(entry, "region"),
        project_id: non_empty(entry, "projectId"),
        domain_id: non_empty(entry, "domainId"),
        agency_name: non_empty(entry, "agencyName"),
        agency_domain_name: non_empty(entry, "agencyDomainName"),
        expires_at,
    })
}

/// A string field, absent when missing, not a string, or empty (KooCLI writes `""` for unset).
fn non_empty(object: &Value, key: &str) -> Option<String> {
    object
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{
      "current": "desk",
      "profiles": [
        {"name": "desk", "mode": "AKSK", "accessKeyId": "AKDESK",
         "secretAccessKey": "sk-desk-secret", "securityToken": "",
         "region": "cn-north-4", "projectId": "p-desk", "domainId": "dom-desk",
         "agencyName": "backup_agency", "agencyDomainName": "backup_account"},
        {"name": "sso", "mode": "SSO", "accessKeyId": "", "secretAccessKey": "",
         "region": "ap-southeast-1",
         "ssoAuth": {"stsToken": {"accessKeyId": "AKSSO", "secretAccessKey": "sk-sso-secret",
                                  "securityToken": "tok-sso-secret",
                                  "expiresAt": "2026-12-02T12:00:00Z"}}},
        {"name": "empty", "mode": "AKSK", "accessKeyId": "AKONLY", "secretAccessKey": ""},
        {"name": "sso-empty", "mode": "SSO", "accessKeyId": "AKTOP", "secretAccessKey": "sk-top"}
      ]
    }"#;

    fn parse(profile: Option<&str>) -> Result<ProfileCredentials, ProfileError> {
        parse_profile(Path::new("/home/u/.hcloud/config.json"), FILE, profile)
    }

    #[test]
    fn an_aksk_profile_gives_its_keys_region_and_project() {
        let creds = parse(Some("desk")).unwrap();
        assert_eq!(creds.profile, "desk");
        assert_eq!(creds.access_key, "AKDESK");
        assert_eq!(creds.secret_key.expose(), "sk-desk-secret");
        assert_eq!(creds.security_token, None);
        assert_eq!(creds.region.as_deref(), Some("cn-north-4"));
        assert_eq!(creds.project_id.as_deref(), Some("p-desk"));
        assert_eq!(creds.domain_id.as_deref(), Some("dom-desk"));
        assert_eq!(creds.agency_name.as_deref(), Some("backup_agency"));
        assert_eq!(creds.agency_domain_name.as_deref(), Some("backup_account"));
        assert_eq!(creds.expires_at, None);
        assert!(!format!("{creds:?}").contains("sk-desk-secret"));
    }

    #[test]
    fn an_sso_profile_takes_its_keys_from_the_sts_token() {
        let creds = parse(Some("sso")).unwrap();
        assert_eq!(creds.access_key, "AKSSO");
        assert_eq!(creds.secret_key.expose(), "sk-sso-secret");
        assert_eq!(
            creds.security_token.as_ref().map(Secret::expose),
            Some("tok-sso-secret")
        );
        assert_eq!(creds.region.as_deref(), Some("ap-southeast-1"));
        assert_eq!(creds.project_id, None);
        assert_eq!(
            creds.expires_at,
            Some(time::macros::datetime!(2026-12-02 12:00:00 UTC))
        );
        let printed = format!("{creds:?}");
        assert!(
            !printed.contains("sk-sso") && !printed.contains("tok-sso"),
            "{printed}"
        );
    }

    #[test]
    fn without_a_name_the_current_profile_is_used() {
        assert_eq!(parse(None).unwrap().profile, "desk");
        let err = parse_profile(Path::new("c.json"), r#"{"profiles": []}"#, None).unwrap_err();
        assert_eq!(
            err,
            ProfileError::NoCurrent {
                path: "c.json".into()
            }
        );
    }

    #[test]
    fn a_missing_profile_names_the_file_and_the_profile() {
        let err = parse(Some("prod")).unwrap_err();
        assert_eq!(err.profile(), Some("prod"));
        assert_eq!(
            err.to_string(),
            "the profile file /home/u/.hcloud/config.json has no profile \"prod\""
        );
    }

    #[test]
    fn a_profile_without_keys_is_an_error_that_quotes_none() {
        let err = parse(Some("empty")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("\"empty\"") && text.contains("config.json"),
            "{text}"
        );
        assert!(!text.contains("AKONLY"), "{text}");
        // SSO keys come only from ssoAuth.stsToken, never the profile's top level.
        let err = parse(Some("sso-empty")).unwrap_err();
        assert!(err.to_string().contains("ssoAuth.stsToken"), "{err}");
        assert!(!err.to_string().contains("sk-top"), "{err}");
    }

    #[test]
    fn an_encrypted_or_non_json_file_is_not_json() {
        for text in ["AES256:9f8e7d6c5b4a-encrypted-secret", "[1, 2]", ""] {
            let err = parse_profile(Path::new("/x/config.json"), text, Some("desk")).unwrap_err();
            assert!(matches!(err, ProfileError::NotJson { .. }), "{err:?}");
            let message = err.to_string();
            assert!(message.contains("/x/config.json"), "{message}");
            assert!(!message.contains("encrypted-secret"), "{message}");
        }
    }

    #[test]
    fn wrong_types_are_never_quoted() {
        let text =
            r#"{"profiles": [{"name": "p", "accessKeyId": 12, "secretAccessKey": "s3cr3t"}]}"#;
        let err = parse_profile(Path::new("f"), text, Some("p")).unwrap_err();
        assert!(matches!(err, ProfileError::NoKeys { .. }));
        assert!(!err.to_string().contains("s3cr3t"));
    }

    #[test]
    fn an_unreadable_file_names_the_path() {
        let err = read_profile(Path::new("/nonexistent/dir/config.json"), Some("p")).unwrap_err();
        assert!(matches!(err, ProfileError::Unreadable { .. }));
        assert!(
            err.to_string().contains("/nonexistent/dir/config.json"),
            "{err}"
        );
    }

    fn sso_with_expiry(expires_at: &str) -> String {
        format!(
            r#"{{"current":"s","profiles":[{{"name":"s","mode":"SSO","ssoAuth":{{"stsToken":
            {{"accessKeyId":"AKS","secretAccessKey":"sk-s","securityToken":"tok-s",
            "expiresAt":{expires_at}}}}}}}]}}"#
        )
    }

    #[test]
    fn sso_expiry_with_or_without_fractional_seconds() {
        for (text, expected) in [
            (
                "\"2026-12-02T12:00:00.123Z\"",
                time::macros::datetime!(2026-12-02 12:00:00.123 UTC),
            ),
            (
                "\"2026-12-02T20:00:00+08:00\"",
                time::macros::datetime!(2026-12-02 12:00:00 UTC),
            ),
        ] {
            let creds = parse_profile(Path::new("f"), &sso_with_expiry(text), None).expect(text);
            assert_eq!(creds.expires_at, Some(expected));
        }
        let creds = parse_profile(Path::new("f"), &sso_with_expiry("\"\""), None).expect("empty");
        assert_eq!(creds.expires_at, None);
    }

    #[test]
    fn a_malformed_expiry_names_the_field_not_the_value() {
        for bad in ["\"next tuesday-secretish\"", "17", "{}"] {
            let err = parse_profile(Path::new("/p/config.json"), &sso_with_expiry(bad), None)
                .expect_err(bad);
            let text = err.to_string();
            assert_eq!(
                text,
                "the profile \"s\" of /p/config.json has an unusable ssoAuth.stsToken.expiresAt: \
                 not an RFC 3339 time"
            );
            assert_eq!(err.profile(), Some("s"));
        }
    }
}
