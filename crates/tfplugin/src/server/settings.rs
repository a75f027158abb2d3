//! What the server needs to know, resolved from Terraform's environment by
//! [`super::handshake`] or set directly (tests, embedding).

use std::path::PathBuf;

/// Transport security of the gRPC server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsMode {
    /// Plaintext: debug mode, or a host that sent no certificate (Terraform sends none when
    /// `TF_DISABLE_PLUGIN_TLS` is set in its environment).
    Disabled,
    /// go-plugin AutoMTLS: a fresh server certificate, and the client must present exactly
    /// this certificate (DER), the one Terraform passed in `PLUGIN_CLIENT_CERT`.
    Mutual { client_certificate_der: Vec<u8> },
}

/// TCP ports to try, in order, when no unix socket can be created (`PLUGIN_MIN_PORT` ..=
/// `PLUGIN_MAX_PORT`; `0..=0` lets the system choose).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PortRange {
    pub min: u16,
    pub max: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    pub tls: TlsMode,
    /// Where the private socket directory is created (`PLUGIN_UNIX_SOCKET_DIR`); `None` means
    /// the system temporary directory.
    pub socket_dir: Option<PathBuf>,
    pub tcp_ports: PortRange,
    /// The provider's short name (e.g. `rds`), used in messages to the user.
    pub provider_name: String,
}
