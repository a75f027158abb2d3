//! The keys of a KooCLI profile as a credential layer: read from the file, again whenever SSO
//! keys near their `expiresAt` (KooCLI renews them in the file), once when they have none.

use time::OffsetDateTime;

use crate::client_options::Credentials;
use crate::credential::ProfileSource;
use crate::credential::answer::format_time;
use crate::credential::error::{CredentialError, CredentialOrigin, CredentialProblem};
use crate::profile_file::{ProfileError, parse_profile};
use crate::secret::Secret;
use crate::validate::validate_credential;

/// Keys read from a profile, and their expiry (`None`: they do not expire).
pub(crate) struct ProfileKeys {
    pub credentials: Credentials,
    pub expires_at: Option<OffsetDateTime>,
}

/// Reads the keys of `source` at `now`. Keys whose `expiresAt` is past are an error: the file
/// holds no newer ones yet.
pub(crate) async fn read(
    source: &ProfileSource,
    now: OffsetDateTime,
) -> Result<ProfileKeys, CredentialError> {
    let fail = |problem| CredentialError {
        origin: CredentialOrigin::ProfileFile {
            path: source.path.clone(),
            profile: source.profile.clone(),
        },
        problem,
        request: None,
    };
    let text = tokio::fs::read_to_string(&source.path).await.map_err(|e| {
        fail(CredentialProblem::Profile(ProfileError::Unreadable {
            path: source.path.clone(),
            reason: e.kind().to_string(),
        }))
    })?;
    let profile = parse_profile(&source.path, &text, source.profile.as_deref())
        .map_err(|e| fail(CredentialProblem::Profile(e)))?;
    // The keys go into headers and signatures: refuse what cannot, naming only the field.
    let field_error = |field: &'static str| {
        fail(CredentialProblem::Profile(ProfileError::InvalidField {
            path: source.path.clone(),
            profile: profile.profile.clone(),
            field,
            reason: "it contains whitespace or control characters",
        }))
    };
    if validate_credential(&profile.access_key).is_err() {
        return Err(field_error("accessKeyId"));
    }
    if validate_credential(profile.secret_key.expose()).is_err() {
        return Err(field_error("secretAccessKey"));
    }
    if profile
        .security_token
        .as_ref()
        .is_some_and(|token| validate_credential(token.expose()).is_err())
    {
        return Err(field_error("securityToken"));
    }
    if let Some(expires_at) = profile.expires_at
        && expires_at <= now
    {
        return Err(fail(CredentialProblem::Expiry {
            reason: format!(
                "its keys expired at {} and the file holds no newer ones",
                format_time(expires_at)
            ),
        }));
    }
    Ok(ProfileKeys {
        credentials: Credentials {
            access_key: profile.access_key,
            secret_key: Secret::new(profile.secret_key.expose()),
            security_token: profile.security_token,
        },
        expires_at: profile.expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-06-01 12:00:00 UTC);

    fn file(content: &str) -> (tempfile::TempDir, ProfileSource) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("config.json");
        std::fs::write(&path, content).expect("write");
        (
            dir,
            ProfileSource {
                path,
                profile: None,
            },
        )
    }

    fn sso(expires_at: &str) -> String {
        format!(
            r#"{{"current":"s","profiles":[{{"name":"s","mode":"SSO","ssoAuth":{{"stsToken":
            {{"accessKeyId":"AKS","secretAccessKey":"sk-sso-secret","securityToken":"tok-sso",
            "expiresAt":"{expires_at}"}}}}}}]}}"#
        )
    }

    #[tokio::test]
    async fn sso_keys_carry_their_expiry() {
        let (_dir, source) = file(&sso("2026-06-01T13:00:00Z"));
        let keys = read(&source, NOW).await.expect("read");
        assert_eq!(keys.credentials.access_key, "AKS");
        assert_eq!(keys.expires_at, Some(datetime!(2026-06-01 13:00:00 UTC)));
    }

    #[tokio::test]
    async fn expired_sso_keys_are_an_error_naming_file_and_time() {
        let (_dir, source) = file(&sso("2026-06-01T11:00:00Z"));
        let err = read(&source, NOW).await.err().expect("expired");
        let text = err.to_string();
        assert!(text.contains("config.json"), "{text}");
        assert!(
            text.contains(
                "its keys expired at 2026-06-01T11:00:00Z and the file holds no newer ones"
            ),
            "{text}"
        );
        assert!(!text.contains("sk-sso-secret"), "{text}");
        assert!(err.hint().expect("hint").contains("KooCLI"));
    }

    #[tokio::test]
    async fn unusable_keys_name_the_field_only() {
        let (_dir, source) = file(
            r#"{"current":"a","profiles":[{"name":"a","accessKeyId":"AK","secretAccessKey":"sk with space"}]}"#,
        );
        let text = read(&source, NOW).await.err().expect("bad").to_string();
        assert!(text.contains("secretAccessKey"), "{text}");
        assert!(!text.contains("sk with space"), "{text}");
    }

    #[tokio::test]
    async fn a_missing_file_is_an_error_naming_it() {
        let source = ProfileSource {
            path: "/nonexistent/hcloud/config.json".into(),
            profile: Some("p".into()),
        };
        let text = read(&source, NOW).await.err().expect("missing").to_string();
        assert!(
            text.starts_with(
                "could not obtain credentials from the profile \"p\" of /nonexistent/hcloud/config.json"
            ),
            "{text}"
        );
    }
}
