//! The plugin process: go-plugin handshake, AutoMTLS, listener, the gRPC server and its
//! lifecycle (Shutdown, signals, the exit of the process that started it, debug mode).
//!
//! [`serve`] is what a provider's `main` calls. [`start`] runs the same server inside an
//! existing tokio runtime with explicit [`ServerSettings`] (no environment, no stdout), which
//! is how the tests drive it.

mod debug;
mod error;
mod grpc;
pub mod handshake;
mod listener;
mod parent;
mod serve;
mod server_key;
mod settings;
mod signals;
mod stale_sockets;
mod tls;

pub use error::ServeError;
pub use grpc::{MAX_MESSAGE_SIZE, RunningServer, start};
pub use listener::PluginAddress;
pub use serve::{ServeOptions, serve};
pub use settings::{PortRange, ServerSettings, TlsMode};
