//! What a simulator instance serves and how strict it is.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::agency::Agency;
use crate::dataset::Dataset;
use crate::faults::Faults;
use crate::metadata::MetadataTokenApi;

pub const DEFAULT_ACCESS_KEY: &str = "SIMULATORAK";
pub const DEFAULT_SECRET_KEY: &str = "simulator-secret-key";
/// The project id of the API documentation's examples.
pub const DEFAULT_PROJECT_ID: &str = "0483b6b16e954cb88930a360d2c4e663";
pub const DEFAULT_REGION: &str = "cn-north-4";
/// The region whose instances copy their backups to the default region (the backup region).
pub const DEFAULT_SOURCE_REGION: &str = "cn-east-3";
/// The real gateway's tolerance for the `X-Sdk-Date` clock skew.
pub const DEFAULT_MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// How long metadata credentials live unless the scenario says otherwise.
pub const DEFAULT_METADATA_CREDENTIAL_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// Configuration of one [`crate::Simulator`].
///
/// `Debug` never shows the secret key.
#[derive(Clone)]
pub struct Scenario {
    /// The permanent access key accepted (besides the temporary keys the simulator issued).
    pub access_key: String,
    /// Secret key of `access_key`, used to verify signatures.
    pub secret_key: String,
    /// The project of the first region of `regions` (the default region). Like the real
    /// cloud, every other region has its own project, see [`Scenario::project_id_for`].
    pub project_id: String,
    /// Region names IAM knows (`GET /v3/projects?name=REGION`), the default region first.
    /// `/v3/{project_id}/offsite-backups` accepts the project of any of them; all regions
    /// serve the same `dataset` (tests point every region's endpoint at one simulator).
    pub regions: Vec<String>,
    pub dataset: Dataset,
    /// Where the instances of `dataset` run: their offsite backup policies are read there, and
    /// their backups are copied to the default region (the first of `regions`). IAM knows it
    /// even when `regions` does not list it.
    pub source_region: String,
    /// Instances of `source_region` that have no offsite backup policy (their policy route
    /// answers an empty `policy_para`); any other unknown instance is a 404.
    pub instances_without_offsite_policy: Vec<String>,
    pub faults: Faults,
    /// Verify `Authorization` signatures (else every request is accepted, and logged as
    /// [`crate::SignatureCheck::NotChecked`]).
    pub check_signatures: bool,
    /// Largest accepted difference between `X-Sdk-Date` and the simulator's clock.
    pub max_clock_skew: Duration,
    /// Agencies `POST /v3.0/OS-CREDENTIAL/securitytokens` lets callers assume; any other
    /// answers 403 `IAM.0002`.
    pub agencies: Vec<Agency>,
    /// Lifetime of every assumed credential, instead of the `duration_seconds` requested
    /// (which is still validated), so a test can make credentials expire within seconds.
    pub assumed_credential_lifetime: Option<Duration>,
    /// Serve the ECS metadata service (`PUT /meta-data/latest/api/token`,
    /// `GET /openstack/latest/securitykey`); when false both answer 404.
    pub metadata_enabled: bool,
    /// How the metadata token API behaves.
    pub metadata_token_api: MetadataTokenApi,
    /// Lifetime of each credential `GET /openstack/latest/securitykey` hands out.
    pub metadata_credential_lifetime: Duration,
}

impl Default for Scenario {
    /// Default credentials and project, region `cn-north-4`, the demo dataset, no faults,
    /// signatures checked; the default agency ([`Agency::default`]) may be assumed with the
    /// requested duration; the metadata service is on, requires its token and hands out
    /// credentials valid for [`DEFAULT_METADATA_CREDENTIAL_LIFETIME`].
    fn default() -> Self {
        Scenario {
            access_key: DEFAULT_ACCESS_KEY.to_owned(),
            secret_key: DEFAULT_SECRET_KEY.to_owned(),
            project_id: DEFAULT_PROJECT_ID.to_owned(),
            regions: vec![DEFAULT_REGION.to_owned()],
            dataset: Dataset::demo(),
            source_region: DEFAULT_SOURCE_REGION.to_owned(),
            instances_without_offsite_policy: Vec::new(),
            faults: Faults::default(),
            check_signatures: true,
            max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
            agencies: vec![Agency::default()],
            assumed_credential_lifetime: None,
            metadata_enabled: true,
            metadata_token_api: MetadataTokenApi::Required,
            metadata_credential_lifetime: DEFAULT_METADATA_CREDENTIAL_LIFETIME,
        }
    }
}

impl Scenario {
    /// The project id of `region`, `None` for a region neither in `regions` nor the
    /// `source_region`: `project_id` for the first region, [`derived_project_id`] for every
    /// other one. IAM answers this id for `GET /v3/projects?name=REGION`.
    pub fn project_id_for(&self, region: &str) -> Option<String> {
        match self.known_regions().position(|known| known == region)? {
            0 if !self.regions.is_empty() => Some(self.project_id.clone()),
            _ => Some(derived_project_id(region)),
        }
    }

    /// The region whose project `project_id` is ([`Scenario::project_id_for`]
    /// reversed); `None` for an unknown project.
    pub fn region_of_project(&self, project_id: &str) -> Option<&str> {
        self.known_regions()
            .find(|region| self.project_id_for(region).as_deref() == Some(project_id))
    }

    /// The backup (destination) region: the default region, else the source region.
    pub fn destination_region(&self) -> &str {
        self.regions.first().unwrap_or(&self.source_region)
    }

    /// `regions`, then `source_region` unless listed there.
    pub(crate) fn known_regions(&self) -> impl Iterator<Item = &str> {
        let source =
            (!self.regions.contains(&self.source_region)).then_some(self.source_region.as_str());
        self.regions.iter().map(String::as_str).chain(source)
    }

    /// Whether `/v3/{project_id}/...` is accepted: the project of a known region, or
    /// `project_id` itself (also when `regions` is empty).
    pub(crate) fn knows_project(&self, project_id: &str) -> bool {
        project_id == self.project_id || self.region_of_project(project_id).is_some()
    }
}

/// The deterministic project id the simulator gives a region other than the default one:
/// the first 32 lowercase hex digits of `sha256("project:" + region)`.
pub fn derived_project_id(region: &str) -> String {
    let digest = Sha256::digest(format!("project:{region}").as_bytes());
    hex::encode(&digest[..16])
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("project_id", &self.project_id)
            .field("regions", &self.regions)
            .field("backups", &self.dataset.backups.len())
            .field("faults", &self.faults)
            .field("check_signatures", &self.check_signatures)
            .field("max_clock_skew", &self.max_clock_skew)
            .field("agencies", &self.agencies)
            .field(
                "assumed_credential_lifetime",
                &self.assumed_credential_lifetime,
            )
            .field("metadata_enabled", &self.metadata_enabled)
            .field("metadata_token_api", &self.metadata_token_api)
            .field(
                "metadata_credential_lifetime",
                &self.metadata_credential_lifetime,
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_regions() -> Scenario {
        Scenario {
            regions: vec![DEFAULT_REGION.to_owned(), "ap-southeast-1".to_owned()],
            ..Scenario::default()
        }
    }

    #[test]
    fn every_region_has_its_own_project() {
        let scenario = two_regions();
        assert_eq!(
            scenario.project_id_for(DEFAULT_REGION).as_deref(),
            Some(DEFAULT_PROJECT_ID)
        );
        let other = scenario
            .project_id_for("ap-southeast-1")
            .expect("known region");
        assert_eq!(other, derived_project_id("ap-southeast-1"));
        assert_ne!(other, DEFAULT_PROJECT_ID);
        assert_eq!(other.len(), 32);
        assert!(
            other
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        );
        assert_eq!(scenario.project_id_for("eu-west-101"), None);
    }

    #[test]
    fn derived_ids_are_sha256_prefixes() {
        // sha256("project:ap-southeast-1"), computed independently (`sha256sum`).
        assert_eq!(
            derived_project_id("ap-southeast-1"),
            "c77934a415036a6cd9d4624b7e03ce5d"
        );
        assert_ne!(
            derived_project_id("ap-southeast-1"),
            derived_project_id("ap-southeast-2")
        );
    }

    #[test]
    fn projects_map_back_to_their_region() {
        let scenario = two_regions();
        assert_eq!(
            scenario.region_of_project(DEFAULT_PROJECT_ID),
            Some(DEFAULT_REGION)
        );
        let other = derived_project_id("ap-southeast-1");
        assert_eq!(scenario.region_of_project(&other), Some("ap-southeast-1"));
        assert_eq!(
            scenario.region_of_project(&derived_project_id("cn-south-1")),
            None
        );
        // The source region is known without being listed in `regions`.
        assert_eq!(
            scenario.region_of_project(&derived_project_id(DEFAULT_SOURCE_REGION)),
            Some(DEFAULT_SOURCE_REGION)
        );
        assert!(scenario.knows_project(&other));
        assert!(!scenario.knows_project("ffffffffffffffffffffffffffffffff"));
        let no_regions = Scenario {
            regions: Vec::new(),
            ..Scenario::default()
        };
        assert!(no_regions.knows_project(DEFAULT_PROJECT_ID));
        assert_eq!(no_regions.region_of_project(DEFAULT_PROJECT_ID), None);
    }
}
