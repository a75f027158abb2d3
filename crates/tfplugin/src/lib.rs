//! A Terraform plugin protocol 6 server, written from the protocol's facts.
//!
//! This crate knows nothing about any cloud. It offers:
//! - [`cty`]: Terraform's value model (types, values with null and unknown) and its msgpack/JSON
//!   wire encodings;
//! - [`schema`]: typed schema builders whose type JSON is generated, never hand-written;
//! - [`diag`]: diagnostics with attribute paths that Terraform maps to configuration lines;
//! - [`Provider`] and [`DataSource`]: what a provider implements (in the spirit of
//!   terraform-plugin-framework: metadata, schema, validate, configure, read; what `configure`
//!   produces is handed to every read, typed, by the server);
//! - [`serve`]: the go-plugin handshake, AutoMTLS, the gRPC services Terraform expects,
//!   hclog-formatted logging on stderr, and a process that ends when Terraform does.

mod convert;
pub mod cty;
pub mod diag;
mod logging;
mod panic;
pub mod proto;
pub mod schema;
pub mod server;
mod services;

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

pub use cty::{Type, Value};
pub use diag::{AttributePath, Diagnostic, Diagnostics, Severity};
pub use schema::{Attribute, Block, BlockNesting, NestedAttributes, NestedBlock, Nesting, Schema};
pub use server::{MAX_MESSAGE_SIZE, ServeOptions, serve};

/// What a provider implements. The server calls these methods from the matching RPCs; it owns
/// decoding and encoding of [`Value`]s, the mapping of diagnostics, and cancellation.
///
/// As in terraform-plugin-framework, ConfigureProvider produces a value (a client, say) that
/// the server keeps and hands to every [`DataSource::read`]: a data source never sees a
/// provider that is not configured. A read that Terraform sends before ConfigureProvider has
/// succeeded is answered by the server with a "Provider not configured" error.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What a successful [`Provider::configure`] produces and every [`DataSource::read`]
    /// receives. Replaced by a later successful ConfigureProvider.
    type Configured: Send + Sync + 'static;

    /// The provider block's schema (`provider "NAME" { ... }`).
    fn schema(&self) -> Schema;

    /// Every data source the provider offers, each knowing its own type name and schema.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Self::Configured>>>;

    /// Static checks of the provider block. `config` may contain unknown values (for example
    /// during `terraform validate`): only known values are checked.
    async fn validate_config(&self, config: &Value) -> Diagnostics;

    /// Configures the provider (environment fallbacks are the provider's business). Called
    /// before any read. `config` is wholly known unless [`Provider::unknown_config`] is
    /// [`UnknownConfig::Accept`] and Terraform has not decided every value yet.
    async fn configure(&self, config: &Value) -> ConfigureResult<Self::Configured>;

    /// What ConfigureProvider does with a configuration that is not wholly known. The default,
    /// [`UnknownConfig::Accept`], suits any provider: as in terraform-plugin-framework,
    /// [`Provider::configure`] receives the unknown values and decides.
    fn unknown_config(&self) -> UnknownConfig {
        UnknownConfig::Accept
    }
}

/// The outcome of [`Provider::configure`]: on success, what every read receives, and any
/// warnings; on failure, diagnostics holding at least one error (the server reports a
/// provider bug otherwise).
pub type ConfigureResult<C> = Result<ConfigureOk<C>, Diagnostics>;

/// A successful [`Provider::configure`]: the value every [`DataSource::read`] receives, and
/// warnings for Terraform to show.
#[derive(Debug)]
pub struct ConfigureOk<C> {
    pub value: C,
    /// Warnings only: the server treats an error here as a failure (the value is not kept).
    pub warnings: Diagnostics,
}

impl<C> ConfigureOk<C> {
    /// A configured value without warnings.
    pub fn new(value: C) -> Self {
        Self {
            value,
            warnings: Diagnostics::new(),
        }
    }
}

/// A provider's answer to a configuration that holds values Terraform does not know yet
/// (for example an attribute of a resource that does not exist until apply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnknownConfig {
    /// Call [`Provider::configure`] with the unknown values in place.
    Accept,
    /// Refuse without calling [`Provider::configure`]: one error per top-level attribute that
    /// is not wholly known, pointing at it, whose detail reads "The value of the attribute
    /// "NAME" is not known until apply, but " followed by `reason`.
    Error {
        /// Why the provider needs the value now, completing the sentence above.
        reason: String,
    },
}

/// One data source: metadata (type name), schema, validation and read. `C` is the provider's
/// [`Provider::Configured`], which every read receives.
#[async_trait]
pub trait DataSource<C: Send + Sync + 'static>: Send + Sync + 'static {
    /// The full type name, e.g. `rds_offsite_backups`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Static checks of the data block; unknown values are not errors.
    async fn validate(&self, config: &Value) -> Diagnostics;

    /// Reads the data source with what the provider's latest successful ConfigureProvider
    /// produced (`configured`). `config` is wholly known. The returned state must be a
    /// non-null, wholly known value of exactly the schema's type (the server checks this and
    /// reports a provider bug otherwise). `cancel` fires on StopProvider (Ctrl-C in Terraform).
    async fn read(&self, configured: &C, config: &Value, cancel: CancellationToken) -> ReadResult;
}

/// The outcome of [`DataSource::read`]: a state (absent on error) and diagnostics.
#[derive(Debug, Default)]
pub struct ReadResult {
    pub state: Option<Value>,
    pub diagnostics: Diagnostics,
}
