//! A local HTTP simulator of the Huawei Cloud RDS disaster-recovery read API and the calls
//! around it, all on one listener (tests point every endpoint, RDS, IAM and the metadata
//! service, at one simulator):
//!
//! - `GET /v3/{project_id}/offsite-backups`: cross-region ("offsite") backups, paged;
//! - `GET /v3/backups/offsite-backup-instance`: the instances that have them (project in
//!   `X-Project-Id`);
//! - `GET /v3/{project_id}/instances/{id}/offsite-restore-time`: their restore windows;
//! - `GET /v3/{project_id}/instances/{id}/backups/offsite-policy`: their offsite policies;
//! - `GET /v3/projects?name={region}` (IAM): a region's project; like the real cloud, every
//!   region has its own project ([`Scenario::project_id_for`]);
//! - `POST /v3.0/OS-CREDENTIAL/securitytokens` (IAM, `assume_role`): temporary credentials of
//!   an agency ([`Scenario::agencies`], [`Scenario::assumed_credential_lifetime`]);
//! - `PUT /meta-data/latest/api/token` and `GET /openstack/latest/securitykey` (the ECS
//!   metadata service, unsigned): the instance agency's temporary credentials
//!   ([`Scenario::metadata_enabled`], [`Scenario::metadata_token_api`],
//!   [`Scenario::metadata_credential_lifetime`]).
//!
//! The RDS answers derive from one world (`world.rs`). Every route but the metadata service
//! checks `SDK-HMAC-SHA256` signatures with its own verifier, with the permanent key or a
//! temporary key it issued (with its signed `X-Security-Token`, until it expires: then 401
//! `APIGW.0301`). It reads query strings like the real server (a literal `+` is a space),
//! validates parameters with the API's error bodies, serves deterministic realistic data, logs
//! every request ([`Simulator::requests`]) and every credential call
//! ([`Simulator::assume_role_calls`], [`Simulator::metadata_calls`]), and injects faults on
//! demand (latency, error statuses, truncated JSON, dropped connections, data changing
//! mid-read, hostile or header-echoing error bodies, bodies that trickle in).
//! Used in-process by tests ([`Simulator::start`]) and as the `rds-api-simulator` binary.

mod agency;
mod api_error;
mod auth;
mod credential_log;
mod dataset;
mod engine;
mod fault_state;
mod faults;
mod generate;
mod handler;
mod iam;
mod listing;
mod metadata;
mod model;
mod offsite_backups;
mod offsite_instances;
mod offsite_policy;
mod offsite_restore_times;
mod page_body;
mod query_params;
mod request_log;
mod route_faults;
mod scenario;
mod security_tokens;
mod server;
mod signature;
mod temporary_credentials;
mod time_format;
mod world;

pub use agency::{
    Agency, DEFAULT_AGENCY_DOMAIN_ID, DEFAULT_AGENCY_DOMAIN_NAME, DEFAULT_AGENCY_NAME,
};
pub use api_error::ApiError;
pub use credential_log::{AssumeRoleCall, MetadataCall, MetadataRoute};
pub use dataset::{Dataset, DatasetError, Query};
pub use engine::Engine;
pub use faults::{
    FailSpec, Faults, TotalCountChange, parse_error_status, parse_fail_fraction_spec,
    parse_offset_times,
};
pub use generate::{
    DEMO_MYSQL_INSTANCE_ID, DEMO_POSTGRESQL_INSTANCE_ID, DEMO_SQLSERVER_INSTANCE_ID, GenerateSpec,
    InstanceSpec,
};
pub use metadata::MetadataTokenApi;
pub use model::{Backup, BackupDatabase, Datastore, OffsiteInstance, OffsitePolicy, RestoreTime};
pub use page_body::{PageBody, PageOffsets, parse_page_body};
pub use query_params::decode_query;
pub use request_log::{RequestRecord, SignatureCheck};
pub use scenario::{
    DEFAULT_ACCESS_KEY, DEFAULT_MAX_CLOCK_SKEW, DEFAULT_METADATA_CREDENTIAL_LIFETIME,
    DEFAULT_PROJECT_ID, DEFAULT_REGION, DEFAULT_SECRET_KEY, DEFAULT_SOURCE_REGION, Scenario,
    derived_project_id,
};
pub use security_tokens::{DEFAULT_DURATION_SECONDS, MAX_DURATION_SECONDS, MIN_DURATION_SECONDS};
pub use server::Simulator;
pub use temporary_credentials::{CredentialKind, IssuedCredential, METADATA_PRINCIPAL};
pub use time_format::{
    format_api_time, format_credential_expiry, parse_api_time, parse_credential_expiry,
};
pub use world::{
    KEEP_DAYS_CHOICES, MAX_LOG_GAP, instance_name, keep_days_of, offsite_instances, offsite_policy,
    restore_windows,
};
