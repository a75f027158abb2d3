//! The `rds` Terraform provider: the one place where the plugin protocol ([`tfplugin`]) and the
//! Huawei Cloud client ([`hwcloud`]) meet.
//!
//! - [`provider`]: the provider block (settings, environment fallbacks) and configuration;
//! - [`data_source`]: the frame every data source is written in (shared readers, schema
//!   pieces, `timeouts`, the read skeleton, error wording, the deterministic id);
//! - [`offsite_backups`]: the `rds_offsite_backups` data source;
//! - [`offsite_backup_policy`]: the `rds_offsite_backup_policy` data source;
//! - [`offsite_backup_instances`]: the `rds_offsite_backup_instances` data source;
//! - [`offsite_restore_times`]: the `rds_offsite_restore_times` data source;
//! - [`docs`]: Registry-style documentation generated from the schemas' descriptions.

pub mod config_value;
pub mod data_source;
pub mod docs;
pub mod go_duration;
pub mod offsite_backup_instances;
pub mod offsite_backup_policy;
pub mod offsite_backups;
pub mod offsite_restore_times;
pub mod provider;
pub mod time_arguments;
pub mod typed_config;

/// The provider's address in the Terraform Registry namespace used by this project.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/tfrds/rds";
/// The binary's name, as Terraform expects it (`terraform-provider-<type>`).
pub const BINARY_NAME: &str = "terraform-provider-rds";
/// The crate version, reported by `--version` and in the HTTP `User-Agent`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
