//! The process entry point: what a provider's `main` calls.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use super::ServeError;
use super::debug;
use super::grpc::start;
use super::handshake::{HandshakeError, PluginEnvironment, resolve_settings};
use super::listener::socket_parent;
use super::parent::{ParentProcess, shut_down_when_parent_exits};
use super::stale_sockets::remove_stale_socket_directories;
use crate::logging::SensitiveFields;
use crate::{Provider, logging, panic};

/// How long leftover tasks may run once serving has ended.
const RUNTIME_SHUTDOWN_TIMEOUT: Duration = Duration::from_millis(500);

/// How the provider is named and started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeOptions {
    /// Full provider address, e.g. `registry.terraform.io/tfrds/rds` (used in debug mode).
    pub provider_address: String,
    /// Executable name, e.g. `terraform-provider-rds` (the log module is `provider.<name>`).
    pub binary_name: String,
    /// Debug mode (`--debug`): serve without Terraform starting us, print reattach
    /// instructions, stop on Ctrl-C.
    pub debug: bool,
    /// Log field names whose values are never written, on top of the generic ones (see
    /// `SensitiveFields::with_names`): the provider's own names for its secrets.
    pub sensitive_log_fields: Vec<String>,
    /// A line printed after go-plugin's "This binary is a plugin" message when the binary is
    /// run by hand, e.g. pointing to its `--help`; only the provider knows its own flags.
    pub run_by_hand_hint: Option<String>,
}

impl ServeOptions {
    /// The short provider name (last segment of the address), e.g. `rds`.
    pub fn provider_name(&self) -> &str {
        self.provider_address
            .rsplit('/')
            .next()
            .unwrap_or(&self.provider_address)
    }
}

/// Runs the provider as a Terraform plugin until Terraform shuts it down: handshake, AutoMTLS,
/// gRPC services, hclog logging on stderr. Returns the process exit code: 0 after a shutdown
/// (Terraform's Shutdown, SIGTERM/SIGHUP/SIGQUIT, or the exit of the process that started this
/// one), 1 when not started by Terraform or when serving fails. Leftover socket directories of
/// killed plugin processes are removed after the handshake.
pub fn serve<P: Provider>(provider: P, options: ServeOptions) -> ExitCode {
    // Taken first, before the parent has had any time to exit (see `parent`).
    let parent = ParentProcess::of_this_process();
    logging::init(
        &options.binary_name,
        SensitiveFields::with_names(&options.sensitive_log_fields),
    );
    panic::install();

    let settings = match resolve_settings(
        &PluginEnvironment::from_process(),
        options.debug,
        options.provider_name(),
    ) {
        Ok(settings) => settings,
        Err(error) => {
            let mut stderr = std::io::stderr();
            let _ = writeln!(stderr, "{error}");
            if let (HandshakeError::NotLaunchedByTerraform, Some(hint)) =
                (&error, &options.run_by_hand_hint)
            {
                let _ = writeln!(stderr, "\n{hint}");
            }
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let socket_parent = socket_parent(settings.socket_dir.as_deref());
    let outcome = runtime.block_on(async move {
        let server = start(Arc::new(provider), settings).await?;
        super::signals::handle_signals(server.shutdown_token(), options.debug).map_err(
            |source| ServeError::Io {
                action: "install signal handlers",
                source,
            },
        )?;
        // Started by Terraform: live no longer than Terraform. In debug mode the developer's
        // shell is the parent and the developer decides.
        if let Some(parent) = parent.filter(|_| !options.debug) {
            shut_down_when_parent_exits(parent, server.shutdown_token());
        }
        let announcement = if options.debug {
            debug::instructions(
                &options.provider_address,
                std::process::id(),
                server.address(),
            )
        } else {
            server.handshake_line()
        };
        announce(&announcement).map_err(|source| ServeError::Io {
            action: "write the handshake to stdout",
            source,
        })?;
        // After the handshake, so that a crowded temporary directory never delays the start.
        tokio::task::spawn_blocking(move || remove_stale_socket_directories(&socket_parent));
        server.wait().await
    });
    runtime.shutdown_timeout(RUNTIME_SHUTDOWN_TIMEOUT);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "provider server failed");
            let _ = writeln!(std::io::stderr(), "Error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the handshake (or debug instructions) to stdout and flushes: the only stdout output.
fn announce(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    stdout.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_name_is_the_last_address_segment() {
        let options = ServeOptions {
            provider_address: "registry.terraform.io/tfrds/rds".to_owned(),
            binary_name: "terraform-provider-rds".to_owned(),
            debug: false,
            sensitive_log_fields: Vec::new(),
            run_by_hand_hint: None,
        };
        assert_eq!(options.provider_name(), "rds");
    }
}
