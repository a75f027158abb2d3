//! What a simulator instance serves and how strict it is.

use std::time::Duration;

use crate::dataset::Dataset;
use crate::faults::Faults;

pub const DEFAULT_ACCESS_KEY: &str = "SIMULATORAK";
pub const DEFAULT_SECRET_KEY: &str = "simulator-secret-key";
/// The project id of the API documentation's examples.
pub const DEFAULT_PROJECT_ID: &str = "0483b6b16e954cb88930a360d2c4e663";
pub const DEFAULT_REGION: &str = "cn-north-4";
/// The real gateway's tolerance for the `X-Sdk-Date` clock skew.
pub const DEFAULT_MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// Configuration of one [`crate::Simulator`].
///
/// `Debug` never shows the secret key.
#[derive(Clone)]
pub struct SimulatorConfig {
    /// The only access key accepted.
    pub access_key: String,
    /// Secret key of `access_key`, used to verify signatures.
    pub secret_key: String,
    /// The only project id accepted in `/v3/{project_id}/...`; IAM answers it for every region.
    pub project_id: String,
    /// Region names IAM knows (`GET /v3/projects?name=REGION`).
    pub regions: Vec<String>,
    pub dataset: Dataset,
    pub faults: Faults,
    /// Verify `Authorization` signatures (else every request is accepted, and logged as
    /// [`crate::SignatureCheck::NotChecked`]).
    pub check_signatures: bool,
    /// Largest accepted difference between `X-Sdk-Date` and the simulator's clock.
    pub max_clock_skew: Duration,
}

impl Default for SimulatorConfig {
    /// Default credentials and project, region `cn-north-4`, the demo dataset, no faults,
    /// signatures checked.
    fn default() -> Self {
        SimulatorConfig {
            access_key: DEFAULT_ACCESS_KEY.to_owned(),
            secret_key: DEFAULT_SECRET_KEY.to_owned(),
            project_id: DEFAULT_PROJECT_ID.to_owned(),
            regions: vec![DEFAULT_REGION.to_owned()],
            dataset: Dataset::demo(),
            faults: Faults::default(),
            check_signatures: true,
            max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
        }
    }
}

impl std::fmt::Debug for SimulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorConfig")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("project_id", &self.project_id)
            .field("regions", &self.regions)
            .field("backups", &self.dataset.backups.len())
            .field("faults", &self.faults)
            .field("check_signatures", &self.check_signatures)
            .field("max_clock_skew", &self.max_clock_skew)
            .finish()
    }
}
