//! Signals. Ctrl-C in Terraform reaches the whole process group, but Terraform stops its
//! providers itself (StopProvider, then Shutdown), so SIGINT is ignored like Go plugins do.
//! In debug mode the developer owns the process and Ctrl-C stops it. SIGTERM always stops it.

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
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = terminate.recv() => {
                    tracing::debug!("SIGTERM received, shutting down");
                    shutdown.cancel();
                }
                _ = interrupt.recv() => {
                    if interrupt_stops {
                        tracing::debug!("interrupt received, shutting down");
                        shutdown.cancel();
                    } else {
                        tracing::debug!("interrupt ignored: Terraform stops the provider itself");
                    }
                }
            }
        }
    });
    Ok(())
}
