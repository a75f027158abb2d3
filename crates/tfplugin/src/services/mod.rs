//! The gRPC services a Terraform provider process registers: Terraform's `Provider` service
//! and go-plugin's controller, stdio and broker services.

pub(crate) mod broker;
mod computed_only;
mod configured;
pub(crate) mod controller;
mod message_limit;
pub(crate) mod provider;
pub(crate) mod stdio;
pub(crate) mod stop;
mod unsupported;
mod until_shutdown;
