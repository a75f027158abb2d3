//! Signals. Ctrl-C in Terraform reaches the whole process group, but Terraform stops its
//! providers itself (StopProvider, then Shutdown), so SIGINT is ignored like Go plugins do.
//! In debug mode the developer owns the process and Ctrl-C stops it.
//!
//! SIGTERM, SIGHUP (the terminal was closed) and SIGQUIT always stop the server gracefully,
//! so that in-flight requests are cancelled and the private socket directory is removed; the
//! default action of each would end the process on the spot and leave the directory behind.

use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

/// Installs the handlers now (so no signal arrives unhandled after the handshake) and reacts
/// in a background task until `shutdown` is cancelled.
pub(crate) fn handle_signals(
    shutdown: CancellationToken,
    interrupt_stops: bool,
) -> std::io::Result<()> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut quit = signal(SignalKind::quit())?;
    tokio::spawn(async move {
        loop {
            let stopping = tokio::select! {
                () = shutdown.cancelled() => break,
                _ = terminate.recv() => "SIGTERM",
                _ = hangup.recv() => "SIGHUP",
                _ = quit.recv() => "SIGQUIT",
                _ = interrupt.recv() => {
                    if !interrupt_stops {
                        tracing::debug!("interrupt ignored: Terraform stops the provider itself");
                        continue;
                    }
                    "SIGINT"
                }
            };
            tracing::debug!(signal = stopping, "signal received, shutting down");
            shutdown.cancel();
        }
    });
    Ok(())
}
