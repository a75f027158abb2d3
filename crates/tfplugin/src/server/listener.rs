//! Where the server listens: a unix socket in a private directory (as go-plugin does on Unix),
//! or TCP on 127.0.0.1 within Terraform's port range when no socket can be created.

use std::fs::Permissions;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tempfile::TempDir;
use tokio::net::{TcpListener, UnixListener};

use super::settings::PortRange;
use super::stale_sockets::{SOCKET_FILE_NAME, socket_directory_prefix};

/// The address announced in the handshake line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginAddress {
    Unix(PathBuf),
    Tcp(SocketAddr),
}

impl PluginAddress {
    /// go-plugin's network name: `unix` or `tcp`.
    pub fn network(&self) -> &'static str {
        match self {
            PluginAddress::Unix(_) => "unix",
            PluginAddress::Tcp(_) => "tcp",
        }
    }

    pub fn address(&self) -> String {
        match self {
            PluginAddress::Unix(path) => path.display().to_string(),
            PluginAddress::Tcp(address) => address.to_string(),
        }
    }
}

pub(crate) enum PluginListener {
    /// The directory (mode 0700) is removed, socket included, when this is dropped.
    Unix {
        listener: UnixListener,
        path: PathBuf,
        directory: TempDir,
    },
    Tcp {
        listener: TcpListener,
        address: SocketAddr,
    },
}

impl PluginListener {
    pub(crate) fn address(&self) -> PluginAddress {
        match self {
            PluginListener::Unix { path, .. } => PluginAddress::Unix(path.clone()),
            PluginListener::Tcp { address, .. } => PluginAddress::Tcp(*address),
        }
    }
}

/// A unix socket in a fresh private directory under `socket_dir` (or the temp dir); TCP when
/// that fails. Must be called within a tokio runtime.
pub(crate) fn bind(socket_dir: Option<&Path>, tcp_ports: PortRange) -> io::Result<PluginListener> {
    match bind_unix(socket_dir) {
        Ok(listener) => Ok(listener),
        Err(error) => {
            tracing::debug!(%error, "cannot listen on a unix socket, falling back to TCP");
            bind_tcp(tcp_ports)
        }
    }
}

/// The directory in which the private socket directory is created: `socket_dir`, else the
/// system temporary directory.
pub(crate) fn socket_parent(socket_dir: Option<&Path>) -> PathBuf {
    socket_dir.map_or_else(std::env::temp_dir, Path::to_path_buf)
}

fn bind_unix(socket_dir: Option<&Path>) -> io::Result<PluginListener> {
    // The pid in the name lets a later plugin recognise the directory as a leftover once this
    // process is gone (see `stale_sockets`).
    let directory = tempfile::Builder::new()
        .prefix(&socket_directory_prefix())
        .tempdir_in(socket_parent(socket_dir))?;
    // Only this user may reach the socket.
    std::fs::set_permissions(directory.path(), Permissions::from_mode(0o700))?;
    // A path longer than the platform's `sun_path` makes `bind` fail, and `bind` falls back to
    // TCP; the directory is removed when `directory` drops.
    let path = directory.path().join(SOCKET_FILE_NAME);
    let listener = UnixListener::bind(&path)?;
    Ok(PluginListener::Unix {
        listener,
        path,
        directory,
    })
}

/// The first free port of the range, in order, as go-plugin does.
fn bind_tcp(ports: PortRange) -> io::Result<PluginListener> {
    let mut last_error = None;
    for port in ports.min..=ports.max {
        match std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Ok(listener) => {
                listener.set_nonblocking(true)?;
                let address = listener.local_addr()?;
                return Ok(PluginListener::Tcp {
                    listener: TcpListener::from_std(listener)?,
                    address,
                });
            }
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            format!("empty port range {}..={}", ports.min, ports.max),
        )
    }))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[tokio::test]
    async fn unix_socket_lives_in_a_private_directory_removed_on_drop() {
        let parent = tempfile::tempdir().expect("parent");
        let listener = bind(Some(parent.path()), PortRange::default()).expect("bind");
        let PluginAddress::Unix(path) = listener.address() else {
            panic!("expected a unix socket")
        };
        let directory = path.parent().expect("socket has a directory").to_path_buf();
        assert!(directory.starts_with(parent.path()));
        let mode = std::fs::metadata(&directory)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o700);
        assert!(path.exists());
        drop(listener);
        assert!(!directory.exists(), "directory removed with the listener");
    }

    #[tokio::test]
    async fn tcp_fallback_uses_the_port_range_on_loopback() {
        let listener = bind_tcp(PortRange::default()).expect("bind");
        let PluginAddress::Tcp(address) = listener.address() else {
            panic!("expected TCP")
        };
        assert!(address.ip().is_loopback());
        assert_ne!(address.port(), 0);
        // The same port again is taken: an exact single-port range must fail.
        let taken = PortRange {
            min: address.port(),
            max: address.port(),
        };
        assert!(bind_tcp(taken).is_err());
        let too_long = "x".repeat(200);
        let parent = tempfile::tempdir().expect("parent");
        let long_dir = parent.path().join(too_long);
        std::fs::create_dir(&long_dir).expect("long dir");
        let fallback = bind(Some(&long_dir), PortRange::default()).expect("fallback");
        assert_eq!(fallback.address().network(), "tcp");
    }
}
