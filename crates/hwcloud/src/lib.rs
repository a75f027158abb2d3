//! Huawei Cloud API client for the RDS disaster-recovery read side: cross-region ("offsite")
//! backups, the instances that have them, their restore times and offsite policies.
//!
//! Knows nothing about Terraform. Layout, one concern per module:
//! - [`api_time`]: the API's time format (`2018-08-06T10:41:14+0800`).
//! - [`signing`]: AK/SK request signing (`SDK-HMAC-SHA256`), pure; the simulator verifies it independently (its tests sign with it).
//! - `secret`, `options`, `endpoints`: settings, secret handling, base URLs;
//!   `ca_certificates`: extra trusted CAs ([`validate_ca_certificates`]).
//! - `credential`: where the keys come from ([`CredentialSource`]: given keys, a KooCLI
//!   profile re-read when its SSO keys near expiry, the ECS metadata service), [`AssumeRole`]
//!   on top of any of them, the refresh schedule ([`refresh_schedule`], pure) and the client's
//!   single-flight credential cache; failures are [`Error::Credentials`] ([`CredentialError`]).
//! - `validate`: the input rules ([`validate_region`], [`validate_endpoint_url`],
//!   [`validate_project_id`], [`validate_cloud`], [`validate_credential`],
//!   [`validate_resource_id`]), public so the provider reports problems at the attribute.
//! - `http`: signed requests (GET, POST with a body) with retries, timeouts, cancellation,
//!   keys from the credential cache at every attempt and one refresh after a 401 to temporary
//!   keys; `retry`: the retry policy;
//!   `throttle`: the client-wide hold after HTTP 429; `deadline`: the time limit of a whole
//!   call ([`CallOptions`]).
//! - `errors`: the [`Error`] type, its [`ErrorKind`] and typed [`OptionError`], and error body
//!   decoding; `warning`: the [`Warning`] type and its [`WarningKind`];
//!   `untrusted`: server text made safe to show (secrets redacted, control characters escaped).
//! - [`paging`]: paging arithmetic; `paged_read`: the concurrent paged read every list shares;
//!   one module per call with its models and strict decoding (`offsite_backups`,
//!   `offsite_instances`, `offsite_restore_times`, `offsite_policy`); `iam`: project id
//!   lookup (by region, or by a configured project name); `client`: the [`Client`] tying them
//!   together.

pub mod api_time;
mod attempt;
mod ca_certificates;
mod client;
mod client_options;
mod credential;
mod deadline;
mod endpoints;
mod errors;
mod http;
mod iam;
mod offsite_backups;
mod offsite_instances;
mod offsite_policy;
mod offsite_restore_times;
mod paged_read;
pub mod paging;
mod profile_file;
mod retry;
mod secret;
pub mod signing;
mod strict_json;
mod throttle;
mod untrusted;
mod validate;
mod warning;

pub use ca_certificates::validate_ca_certificates;
pub use client::Client;
pub use client_options::{
    ClientOptions, Credentials, DEFAULT_CLOUD, DEFAULT_MAX_CONCURRENT_REQUESTS,
    DEFAULT_MAX_RETRIES, MAX_CONCURRENT_REQUESTS_RANGE, MAX_RETRIES_LIMIT,
};
pub use credential::schedule as refresh_schedule;
pub use credential::{
    ASSUME_ROLE_DURATION_RANGE, AgencyDomain, AssumeRole, AssumeRolePart, CredentialError,
    CredentialOrigin, CredentialProblem, CredentialSource, DEFAULT_ASSUME_ROLE_DURATION,
    DEFAULT_ECS_METADATA_ENDPOINT, EcsMetadata, ProfileSource, validate_ecs_metadata_endpoint,
};
pub use deadline::CallOptions;
pub use endpoints::{Endpoints, Service};
pub use errors::{
    ApiError, BodyTooLargeError, ClientOption, DeadlineError, DecodeError, Error, ErrorKind,
    INSTANCE_NOT_FOUND_CODE, OptionError, OptionProblem, RequestDescription, TransportError,
    UrlTooLongError,
};
pub use offsite_backups::{
    BackupDatabase, Datastore, OffsiteBackup, OffsiteBackupList, OffsiteBackupListing,
    OffsiteBackupQuery,
};
pub use offsite_instances::{OffsiteInstance, OffsiteInstanceListing};
pub use offsite_policy::{OffsiteBackupPolicies, OffsiteBackupPolicy};
pub use offsite_restore_times::{
    LIST_OFFSITE_RESTORE_TIMES, MAX_RESTORE_TIME_MS, OffsiteRestoreTime, OffsiteRestoreTimeQuery,
    OffsiteRestoreTimes, RESTORE_DATE_FORMAT, validate_restore_date,
};
pub use paged_read::Listing;
pub use profile_file::{
    DEFAULT_PROFILE_FILE, ProfileCredentials, ProfileError, parse_profile, read_profile,
};
pub use secret::Secret;
pub use tokio_util::sync::CancellationToken;
pub use validate::{
    MAX_RESOURCE_ID_LEN, validate_cloud, validate_credential, validate_endpoint_url,
    validate_project_id, validate_region, validate_resource_id,
};
pub use warning::{Warning, WarningKind};
