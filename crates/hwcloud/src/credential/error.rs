//! [`CredentialError`]: credentials could not be obtained. It says which source was asked
//! (the metadata service at an endpoint, an agency in a domain, a profile of a file) and what
//! went wrong; server text in it was cleaned by the request's redactor, and no secret (key,
//! token, metadata token) is ever part of it.

use std::fmt;
use std::path::PathBuf;

use crate::credential::AgencyDomain;
use crate::errors::RequestDescription;
use crate::profile_file::ProfileError;

/// Which source of credentials failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialOrigin {
    /// The ECS metadata service at `endpoint`.
    EcsMetadata { endpoint: String },
    /// IAM (at `endpoint`), asked for the temporary credentials of an agency.
    AssumeRole {
        agency_name: String,
        domain: AgencyDomain,
        endpoint: String,
    },
    /// A profile of a KooCLI file (`None`: the file's current profile).
    ProfileFile {
        path: PathBuf,
        profile: Option<String>,
    },
}

impl fmt::Display for CredentialOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialOrigin::EcsMetadata { endpoint } => {
                write!(f, "the ECS metadata service at {endpoint}")
            }
            CredentialOrigin::AssumeRole {
                agency_name,
                domain,
                endpoint,
            } => write!(
                f,
                "IAM at {endpoint} (assume_role of agency {agency_name:?} in the {domain})"
            ),
            CredentialOrigin::ProfileFile {
                path,
                profile: Some(profile),
            } => write!(f, "the profile {profile:?} of {}", path.display()),
            CredentialOrigin::ProfileFile {
                path,
                profile: None,
            } => write!(f, "the current profile of {}", path.display()),
        }
    }
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialProblem {
    /// An HTTP error answer; code and message decoded from the body and cleaned.
    Status {
        status: u16,
        code: Option<String>,
        message: String,
        request_id: Option<String>,
    },
    /// No answer: connection refused, reset, or the time limit of the call passed.
    Transport { reason: String, timed_out: bool },
    /// A success status whose body is not the documented
    /// `{"credential":{"access","secret","securitytoken","expires_at"}}`.
    Decode { status: u16, reason: String },
    /// `expires_at` is missing, not a time, or already past (also: a profile's keys expired
    /// and the file holds no newer ones).
    Expiry { reason: String },
    /// The profile file could not be used.
    Profile(ProfileError),
}

impl fmt::Display for CredentialProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialProblem::Status {
                status,
                code,
                message,
                request_id,
            } => {
                write!(f, "HTTP {status}")?;
                if let Some(code) = code {
                    write!(f, " {code}")?;
                }
                write!(f, ": {message}")?;
                if let Some(id) = request_id {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            CredentialProblem::Transport {
                reason,
                timed_out: true,
            } => write!(f, "timed out: {reason}"),
            CredentialProblem::Transport { reason, .. } => write!(f, "no answer: {reason}"),
            CredentialProblem::Decode { status, reason } => write!(
                f,
                "the answer (HTTP {status}) is not the documented \
                 {{\"credential\":{{\"access\",\"secret\",\"securitytoken\",\"expires_at\"}}}}: \
                 {reason}"
            ),
            CredentialProblem::Expiry { reason } => f.write_str(reason),
            CredentialProblem::Profile(error) => write!(f, "{error}"),
        }
    }
}

/// Credentials could not be obtained from `origin`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialError {
    pub origin: CredentialOrigin,
    pub problem: CredentialProblem,
    /// The request that failed, when one was sent.
    pub request: Option<RequestDescription>,
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not obtain credentials from {}: {}",
            self.origin, self.problem
        )
    }
}

impl std::error::Error for CredentialError {}

impl CredentialError {
    /// What to check, in the client's own words.
    pub fn hint(&self) -> Option<String> {
        let status = match &self.problem {
            CredentialProblem::Status { status, .. } => Some(*status),
            _ => None,
        };
        match (&self.origin, status) {
            (CredentialOrigin::EcsMetadata { .. }, _) => Some(
                "the metadata service answers only on a Huawei Cloud ECS, and gives keys only \
                 when an agency is attached to the instance; check the agency and, when the \
                 endpoint was changed, the endpoint."
                    .into(),
            ),
            (CredentialOrigin::AssumeRole { .. }, Some(401)) => Some(
                "IAM refused the base credentials: check the keys (and the security token of \
                 temporary ones) and the local clock."
                    .into(),
            ),
            (CredentialOrigin::AssumeRole { .. }, Some(403 | 404)) => Some(
                "check the agency's name and domain, that the agency trusts the account or \
                 user of the base credentials, and that the requested duration is within the \
                 agency's maximum."
                    .into(),
            ),
            (CredentialOrigin::ProfileFile { .. }, _)
                if matches!(self.problem, CredentialProblem::Expiry { .. }) =>
            {
                Some(
                    "log in again with KooCLI (hcloud) so that it writes fresh keys to the file."
                        .into(),
                )
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_source_and_the_problem() {
        let error = CredentialError {
            origin: CredentialOrigin::AssumeRole {
                agency_name: "backup".into(),
                domain: AgencyDomain::Id("d1".into()),
                endpoint: "https://iam.example".into(),
            },
            problem: CredentialProblem::Status {
                status: 403,
                code: Some("IAM.0003".into()),
                message: "no trust".into(),
                request_id: Some("r1".into()),
            },
            request: None,
        };
        assert_eq!(
            error.to_string(),
            "could not obtain credentials from IAM at https://iam.example (assume_role of \
             agency \"backup\" in the domain with id \"d1\"): HTTP 403 IAM.0003: no trust \
             (request id r1)"
        );
        assert!(error.hint().expect("hint").contains("trusts"));
        let error = CredentialError {
            origin: CredentialOrigin::EcsMetadata {
                endpoint: "http://127.0.0.1:1".into(),
            },
            problem: CredentialProblem::Decode {
                status: 200,
                reason: "credential.secret is missing".into(),
            },
            request: None,
        };
        assert!(
            error.to_string().contains(
                "the ECS metadata service at http://127.0.0.1:1: the answer (HTTP 200) is not \
                 the documented {\"credential\":{\"access\",\"secret\",\"securitytoken\",\
                 \"expires_at\"}}: credential.secret is missing"
            ),
            "{error}"
        );
    }
}
