//! The go-plugin handshake as Terraform performs it: environment variables in, one line out.
//!
//! Terraform starts the plugin with a magic cookie, the protocol versions it speaks, the port
//! range for TCP and its client certificate in the environment. The plugin answers with a
//! single stdout line `CORE|APP|NETWORK|ADDRESS|grpc|CERT`; nothing may precede it.
//!
//! # When to serve TLS
//!
//! The plugin serves mutual TLS exactly when `PLUGIN_CLIENT_CERT` is set (outside debug mode),
//! as go-plugin's server does. `TF_DISABLE_PLUGIN_TLS` is deliberately *not* read here:
//! go-plugin's server never reads it either. It is a switch for the *host*: Terraform reads it
//! and then simply does not send a client certificate, which already makes us serve plaintext.
//! Hosts that force AutoMTLS (Terraform's rpcapi does, whatever the environment says) do send
//! a certificate and refuse a plaintext server; a plugin that turned TLS off on its own because
//! the variable happened to be inherited would break them.

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use super::listener::PluginAddress;
use super::settings::{PortRange, ServerSettings, TlsMode};
use super::tls;

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's own handshake version (the first field of the line).
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The Terraform plugin protocol served (the second field).
pub const PROTOCOL_VERSION: u32 = 6;

/// What a user who runs the binary by hand sees (the same words as go-plugin's message).
pub const NOT_LAUNCHED_BY_TERRAFORM: &str = "This binary is a plugin. These are not meant to be executed directly.\n\
Please execute the program that consumes these plugins, which will\n\
load any plugins automatically";

/// The variables Terraform sets for a plugin, read once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluginEnvironment {
    pub magic_cookie: Option<String>,
    pub protocol_versions: Option<String>,
    /// Terraform's client certificate (AutoMTLS). Its presence alone decides TLS.
    pub client_certificate_pem: Option<String>,
    pub socket_dir: Option<PathBuf>,
    pub min_port: Option<String>,
    pub max_port: Option<String>,
}

impl PluginEnvironment {
    pub fn from_process() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `lookup`; empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|value| !value.is_empty());
        Self {
            magic_cookie: get(MAGIC_COOKIE_KEY),
            protocol_versions: get("PLUGIN_PROTOCOL_VERSIONS"),
            client_certificate_pem: get("PLUGIN_CLIENT_CERT"),
            socket_dir: get("PLUGIN_UNIX_SOCKET_DIR").map(PathBuf::from),
            min_port: get("PLUGIN_MIN_PORT"),
            max_port: get("PLUGIN_MAX_PORT"),
        }
    }
}

/// Why the plugin cannot start; the message is printed on stderr before exiting with 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    #[error("{NOT_LAUNCHED_BY_TERRAFORM}")]
    NotLaunchedByTerraform,
    #[error(
        "This plugin speaks Terraform plugin protocol version {PROTOCOL_VERSION}, but the program that started it only offers version(s) {offered}. Use a newer Terraform (v1.0 or later) or OpenTofu."
    )]
    UnsupportedProtocol { offered: String },
    #[error("invalid {name} {value:?}: expected a port number (0-65535)")]
    InvalidPort { name: &'static str, value: String },
    #[error("invalid PLUGIN_CLIENT_CERT: {0}")]
    InvalidClientCertificate(String),
}

/// Checks that the host offers protocol [`PROTOCOL_VERSION`], the only one served. A host that
/// sends no list at all (very old go-plugin hosts) is accepted, as a Go plugin would answer
/// with its only version.
pub fn negotiate_protocol(offered: Option<&str>) -> Result<(), HandshakeError> {
    let Some(offered) = offered else {
        return Ok(());
    };
    let speaks_ours = offered
        .split(',')
        .any(|version| version.trim().parse::<u32>() == Ok(PROTOCOL_VERSION));
    if speaks_ours {
        Ok(())
    } else {
        Err(HandshakeError::UnsupportedProtocol {
            offered: offered.to_owned(),
        })
    }
}

/// Checks the environment and resolves the server settings. In debug mode the plugin is run
/// by a developer, not Terraform: no cookie, no protocol list, and plaintext (Terraform never
/// uses TLS with reattached providers). Otherwise TLS is on iff `PLUGIN_CLIENT_CERT` is set
/// (see the module documentation for why `TF_DISABLE_PLUGIN_TLS` is not consulted).
pub fn resolve_settings(
    env: &PluginEnvironment,
    debug: bool,
    provider_name: &str,
) -> Result<ServerSettings, HandshakeError> {
    if !debug {
        if env.magic_cookie.as_deref() != Some(MAGIC_COOKIE_VALUE) {
            return Err(HandshakeError::NotLaunchedByTerraform);
        }
        negotiate_protocol(env.protocol_versions.as_deref())?;
    }
    let tls = match &env.client_certificate_pem {
        Some(pem) if !debug => TlsMode::Mutual {
            client_certificate_der: tls::certificate_der_from_pem(pem)
                .map_err(HandshakeError::InvalidClientCertificate)?,
        },
        _ => TlsMode::Disabled,
    };
    let parse_port = |name: &'static str, value: &Option<String>| match value {
        None => Ok(0),
        Some(text) => text
            .trim()
            .parse::<u16>()
            .map_err(|_| HandshakeError::InvalidPort {
                name,
                value: text.clone(),
            }),
    };
    let tcp_ports = PortRange {
        min: parse_port("PLUGIN_MIN_PORT", &env.min_port)?,
        max: parse_port("PLUGIN_MAX_PORT", &env.max_port)?,
    };
    Ok(ServerSettings {
        tls,
        socket_dir: env.socket_dir.clone(),
        tcp_ports,
        provider_name: provider_name.to_owned(),
    })
}

/// The line Terraform reads: `1|6|unix|/path|grpc|<base64 DER, standard alphabet, no padding>`
/// (an empty last field for plaintext).
pub fn handshake_line(address: &PluginAddress, server_certificate_der: Option<&[u8]>) -> String {
    let certificate = server_certificate_der
        .map(|der| STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!(
        "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{}|{}|grpc|{certificate}",
        address.network(),
        address.address()
    )
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> PluginEnvironment {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        PluginEnvironment::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn protocol_six_is_chosen_whatever_the_order() {
        assert_eq!(negotiate_protocol(Some("5,6")), Ok(()));
        assert_eq!(negotiate_protocol(Some("6,5")), Ok(()));
        assert_eq!(negotiate_protocol(Some(" 6 ")), Ok(()));
        assert_eq!(negotiate_protocol(None), Ok(()));
    }

    #[test]
    fn protocol_without_six_is_refused() {
        let error = negotiate_protocol(Some("4,5")).expect_err("no 6 offered");
        assert_eq!(
            error,
            HandshakeError::UnsupportedProtocol {
                offered: "4,5".to_owned()
            }
        );
        assert!(error.to_string().contains("4,5"));
        assert!(negotiate_protocol(Some("x,60")).is_err());
    }

    #[test]
    fn missing_or_wrong_cookie_is_not_launched_by_terraform() {
        let error = resolve_settings(&env(&[]), false, "rds").expect_err("no cookie");
        assert_eq!(error, HandshakeError::NotLaunchedByTerraform);
        assert!(
            error.to_string().starts_with(
                "This binary is a plugin. These are not meant to be executed directly."
            )
        );
        let wrong = env(&[
            (MAGIC_COOKIE_KEY, "nope"),
            ("PLUGIN_PROTOCOL_VERSIONS", "6"),
        ]);
        assert_eq!(
            resolve_settings(&wrong, false, "rds"),
            Err(HandshakeError::NotLaunchedByTerraform)
        );
    }

    #[test]
    fn debug_mode_needs_no_cookie_and_is_plaintext() {
        let settings = resolve_settings(&env(&[("PLUGIN_CLIENT_CERT", "garbage")]), true, "rds")
            .expect("debug");
        assert_eq!(settings.tls, TlsMode::Disabled);
        assert_eq!(settings.provider_name, "rds");
    }

    /// A PEM certificate like the one Terraform passes in `PLUGIN_CLIENT_CERT`.
    fn client_certificate() -> (String, Vec<u8>) {
        let key = rcgen::KeyPair::generate().expect("key");
        let certificate = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .expect("params")
            .self_signed(&key)
            .expect("certificate");
        (certificate.pem(), certificate.der().to_vec())
    }

    #[test]
    fn terraform_environment_resolves_ports_dir_and_tls_from_the_certificate_alone() {
        let (pem, der) = client_certificate();
        let terraform = [
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
            ("PLUGIN_MIN_PORT", "10000"),
            ("PLUGIN_MAX_PORT", "25000"),
            ("PLUGIN_UNIX_SOCKET_DIR", "/run/x"),
        ];

        // A certificate was sent: TLS, even with TF_DISABLE_PLUGIN_TLS inherited (a host that
        // forces AutoMTLS, like Terraform's rpcapi, sends a certificate and needs TLS).
        let mut with_cert = terraform.to_vec();
        with_cert.push(("TF_DISABLE_PLUGIN_TLS", "1"));
        with_cert.push(("PLUGIN_CLIENT_CERT", &pem));
        let settings = resolve_settings(&env(&with_cert), false, "rds").expect("valid");
        assert_eq!(
            settings.tls,
            TlsMode::Mutual {
                client_certificate_der: der
            }
        );
        assert_eq!(
            settings.tcp_ports,
            PortRange {
                min: 10000,
                max: 25000
            }
        );
        assert_eq!(settings.socket_dir, Some(PathBuf::from("/run/x")));

        // No certificate (Terraform with TF_DISABLE_PLUGIN_TLS sends none): plaintext, with or
        // without the variable.
        let settings = resolve_settings(&env(&terraform), false, "rds").expect("valid");
        assert_eq!(settings.tls, TlsMode::Disabled);
        let mut disabled = terraform.to_vec();
        disabled.push(("TF_DISABLE_PLUGIN_TLS", "1"));
        let settings = resolve_settings(&env(&disabled), false, "rds").expect("valid");
        assert_eq!(settings.tls, TlsMode::Disabled);
    }

    #[test]
    fn bad_client_certificate_and_ports_are_errors() {
        let base = [
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "6"),
        ];
        let mut with_cert = base.to_vec();
        with_cert.push(("PLUGIN_CLIENT_CERT", "not a pem"));
        assert!(matches!(
            resolve_settings(&env(&with_cert), false, "rds"),
            Err(HandshakeError::InvalidClientCertificate(_))
        ));
        let mut with_port = base.to_vec();
        with_port.push(("PLUGIN_MIN_PORT", "70000"));
        assert!(matches!(
            resolve_settings(&env(&with_port), false, "rds"),
            Err(HandshakeError::InvalidPort { .. })
        ));
    }

    #[test]
    fn handshake_line_format() {
        let unix = PluginAddress::Unix(PathBuf::from("/tmp/plugin123/provider.sock"));
        assert_eq!(
            handshake_line(&unix, Some(&[0xde, 0xad, 0xbe, 0xef, 0x01])),
            "1|6|unix|/tmp/plugin123/provider.sock|grpc|3q2+7wE"
        );
        let tcp = PluginAddress::Tcp(SocketAddr::from(([127, 0, 0, 1], 10001)));
        assert_eq!(handshake_line(&tcp, None), "1|6|tcp|127.0.0.1:10001|grpc|");
    }
}
