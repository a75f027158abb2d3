//! The agencies IAM lets callers assume (`POST /v3.0/OS-CREDENTIAL/securitytokens`, method
//! `assume_role`): an agency is named by its delegating domain (by name or id) and its name.

use std::str::FromStr;

use crate::temporary_credentials::METADATA_PRINCIPAL;

/// The agency of [`Agency::default`].
pub const DEFAULT_AGENCY_NAME: &str = "rds_dr_reader";
/// The delegating domain (account) of the default agency.
pub const DEFAULT_AGENCY_DOMAIN_NAME: &str = "backup-account";
pub const DEFAULT_AGENCY_DOMAIN_ID: &str = "5f0c1b2a3d4e4f6a8b9c0d1e2f3a4b5c";

/// An agency that may be assumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    /// Name of the delegating domain (account); matches `assume_role.domain_name`.
    pub domain_name: String,
    /// Id of the same domain; matches `assume_role.domain_id`.
    pub domain_id: String,
    /// Matches `assume_role.agency_name`.
    pub agency_name: String,
    /// Who may assume it: access keys, matched against the permanent key at the root of the
    /// caller's credentials (the caller's own key, or the permanent key that obtained the
    /// temporary keys it signs with), or [`METADATA_PRINCIPAL`] for keys from the ECS
    /// metadata service. Empty: every authenticated caller.
    pub assumable_by: Vec<String>,
}

impl Default for Agency {
    /// [`DEFAULT_AGENCY_NAME`] of [`DEFAULT_AGENCY_DOMAIN_NAME`] / [`DEFAULT_AGENCY_DOMAIN_ID`],
    /// assumable by every authenticated caller.
    fn default() -> Self {
        Agency {
            domain_name: DEFAULT_AGENCY_DOMAIN_NAME.to_owned(),
            domain_id: DEFAULT_AGENCY_DOMAIN_ID.to_owned(),
            agency_name: DEFAULT_AGENCY_NAME.to_owned(),
            assumable_by: Vec::new(),
        }
    }
}

/// How an `assume_role` body names the delegating domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DomainRef<'a> {
    Name(&'a str),
    Id(&'a str),
}

impl Agency {
    pub(crate) fn matches(&self, domain: &DomainRef<'_>, agency_name: &str) -> bool {
        let domain_matches = match domain {
            DomainRef::Name(name) => *name == self.domain_name,
            DomainRef::Id(id) => *id == self.domain_id,
        };
        domain_matches && agency_name == self.agency_name
    }

    pub(crate) fn may_be_assumed_by(&self, principal: Option<&str>) -> bool {
        self.assumable_by.is_empty()
            || principal.is_some_and(|p| self.assumable_by.iter().any(|allowed| allowed == p))
    }
}

/// `DOMAIN_NAME:DOMAIN_ID:AGENCY_NAME[:WHO[,WHO...]]`, WHO an access key or `ecs-metadata`.
impl FromStr for Agency {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = text.split(':').collect();
        let (domain_name, domain_id, agency_name, who) = match parts.as_slice() {
            [name, id, agency] => (*name, *id, *agency, None),
            [name, id, agency, who] => (*name, *id, *agency, Some(*who)),
            _ => {
                return Err(format!(
                    "expected DOMAIN_NAME:DOMAIN_ID:AGENCY_NAME[:ACCESS_KEY[,ACCESS_KEY...]], got {text:?}"
                ));
            }
        };
        for (what, value) in [
            ("domain name", domain_name),
            ("domain id", domain_id),
            ("agency name", agency_name),
        ] {
            if value.is_empty() {
                return Err(format!("the {what} of {text:?} is empty"));
            }
        }
        let assumable_by: Vec<String> = match who {
            None => Vec::new(),
            Some(list) => list.split(',').map(str::to_owned).collect(),
        };
        if assumable_by.iter().any(String::is_empty) {
            return Err(format!(
                "an access key in {text:?} is empty (separate them with ',', or use {METADATA_PRINCIPAL})"
            ));
        }
        Ok(Agency {
            domain_name: domain_name.to_owned(),
            domain_id: domain_id.to_owned(),
            agency_name: agency_name.to_owned(),
            assumable_by,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_cli_form() {
        let agency: Agency = "acme:0123:reader".parse().expect("valid");
        assert_eq!(agency.assumable_by, Vec::<String>::new());
        assert!(agency.matches(&DomainRef::Name("acme"), "reader"));
        assert!(agency.matches(&DomainRef::Id("0123"), "reader"));
        assert!(!agency.matches(&DomainRef::Id("acme"), "reader"));
        assert!(!agency.matches(&DomainRef::Name("acme"), "writer"));
        assert!(agency.may_be_assumed_by(None));

        let limited: Agency = "acme:0123:reader:AK1,ecs-metadata".parse().expect("valid");
        assert_eq!(limited.assumable_by, ["AK1", "ecs-metadata"]);
        assert!(limited.may_be_assumed_by(Some("AK1")));
        assert!(limited.may_be_assumed_by(Some(METADATA_PRINCIPAL)));
        assert!(!limited.may_be_assumed_by(Some("AK2")));
        assert!(!limited.may_be_assumed_by(None));

        for bad in ["acme:0123", "acme::reader", "a:b:c:d:e", "a:b:c:AK1,", ""] {
            assert!(bad.parse::<Agency>().is_err(), "{bad:?}");
        }
    }
}
