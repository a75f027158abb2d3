//! The plugin lives exactly as long as the process that started it.
//!
//! Terraform normally ends its plugins itself (Shutdown, or a kill after a grace period). When
//! Terraform is killed or crashes, nobody does: a plugin would keep running under pid 1 and
//! keep the pipes it shares with Terraform's own parent open, which hangs a CI job that waits
//! for the end of Terraform's output. So the server watches its parent and, when the parent
//! exits, shuts down exactly as on SIGTERM (in-flight reads cancelled, socket directory
//! removed, exit code 0).
//!
//! Why not `PR_SET_PDEATHSIG`: it fires when the *thread* that forked the child exits, not
//! the process, and Go (Terraform) starts children from arbitrary OS threads that its runtime
//! may end while Terraform goes on; the plugin would die under a living Terraform.
//!
//! How: the parent's pid is taken once at start ([`ParentProcess::of_this_process`]). On
//! Linux >= 5.3 a pidfd of that process becomes readable when it exits, which the runtime
//! awaits without any polling. Where pidfds are unavailable (older kernels, other systems,
//! seccomp filters), `getppid()` is compared with the remembered pid every
//! [`POLL_INTERVAL`]: the kernel re-parents an orphan the moment its parent exits, so a changed
//! value means the parent is gone. Only in go-plugin mode: in debug mode the developer's shell
//! is the parent and the developer stops the plugin.

use std::time::Duration;

use rustix::process::{Pid, getppid};
use tokio_util::sync::CancellationToken;

/// How often the fallback compares `getppid()` with the parent taken at start.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// The process that started this one, as it was at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ParentProcess(Pid);

impl ParentProcess {
    /// The current parent; `None` when there is none to watch (a parent outside this process's
    /// pid namespace, e.g. a container's first process).
    pub(crate) fn of_this_process() -> Option<Self> {
        getppid().map(Self)
    }

    /// True while this process is still the parent's child (the kernel re-parents orphans).
    fn is_still_parent(self) -> bool {
        getppid() == Some(self.0)
    }
}

/// Cancels `shutdown` when `parent` exits; ends quietly when `shutdown` is cancelled first.
/// Must be called within a tokio runtime.
pub(crate) fn shut_down_when_parent_exits(parent: ParentProcess, shutdown: CancellationToken) {
    tokio::spawn(async move {
        tokio::select! {
            () = shutdown.cancelled() => {}
            () = exit_of(parent) => {
                tracing::debug!(
                    parent_pid = parent.0.as_raw_nonzero().get(),
                    "the process that started the plugin has exited; shutting down"
                );
                shutdown.cancel();
            }
        }
    });
}

/// Completes once `parent` has exited.
async fn exit_of(parent: ParentProcess) {
    #[cfg(target_os = "linux")]
    match pidfd::open(parent) {
        Ok(pidfd) => {
            // Opened after the parent exited (and maybe after its pid was reused)? Then this
            // process was re-parented already, which the check below sees.
            if !parent.is_still_parent() {
                return;
            }
            match pidfd.readable().await {
                Ok(_) => return,
                Err(error) => {
                    tracing::debug!(%error, "cannot wait on the parent's pidfd; polling instead");
                }
            }
        }
        Err(error) => {
            tracing::debug!(%error, "no pidfd for the parent process; polling getppid instead");
        }
    }
    poll(parent).await;
}

/// The fallback: compares `getppid()` with the parent every [`POLL_INTERVAL`].
async fn poll(parent: ParentProcess) {
    let mut interval = tokio::time::interval(POLL_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while parent.is_still_parent() {
        interval.tick().await;
    }
}

#[cfg(target_os = "linux")]
mod pidfd {
    use std::io;
    use std::os::fd::OwnedFd;

    use rustix::process::{PidfdFlags, pidfd_open};
    use tokio::io::Interest;
    use tokio::io::unix::AsyncFd;

    use super::ParentProcess;

    /// A pidfd of `parent` registered with the runtime (readable once the process exits).
    pub(super) fn open(parent: ParentProcess) -> io::Result<AsyncFd<OwnedFd>> {
        let fd = pidfd_open(parent.0, PidfdFlags::empty())?;
        // SAFETY: the `OwnedFd` is moved into the `AsyncFd`, which alone owns it: the
        // descriptor stays open, and is the same one, for as long as it is registered.
        Ok(unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }?)
    }
}

#[cfg(test)]
mod tests {
    use std::process::{Command, Stdio};

    use super::*;

    #[test]
    fn the_parent_at_start_is_the_current_parent() {
        let parent = ParentProcess::of_this_process().expect("a test runs under a parent");
        assert!(parent.is_still_parent());
        assert_eq!(Some(parent.0), getppid());
    }

    /// A process that is not our parent counts as "not the parent", so the watch of an
    /// exited process (whose pid `getppid` no longer returns) ends.
    #[tokio::test]
    async fn the_watch_ends_for_a_process_that_is_not_the_parent_any_more() {
        let mut child = Command::new("true")
            .stdin(Stdio::null())
            .spawn()
            .expect("spawn");
        child.wait().expect("wait");
        let raw = i32::try_from(child.id()).expect("pid");
        let gone = ParentProcess(Pid::from_raw(raw).expect("non-zero pid"));
        assert!(!gone.is_still_parent());
        tokio::time::timeout(Duration::from_secs(10), exit_of(gone))
            .await
            .expect("the watch of a process that is not our parent ends");
    }

    /// The fallback alone (as where pidfds are unavailable): it ends for an exited process and
    /// keeps waiting while the parent lives.
    #[tokio::test]
    async fn polling_sees_the_parent_change() {
        let mut child = Command::new("true").spawn().expect("spawn");
        child.wait().expect("wait");
        let gone = ParentProcess(
            Pid::from_raw(i32::try_from(child.id()).expect("pid")).expect("non-zero pid"),
        );
        tokio::time::timeout(Duration::from_secs(10), poll(gone))
            .await
            .expect("polling ends for a process that is not our parent");
        let living = ParentProcess::of_this_process().expect("parent");
        assert!(
            tokio::time::timeout(POLL_INTERVAL * 3, poll(living))
                .await
                .is_err(),
            "polling goes on while the parent lives"
        );
    }

    #[tokio::test]
    async fn cancelling_shutdown_ends_the_watch_without_touching_the_token_again() {
        let parent = ParentProcess::of_this_process().expect("parent");
        let shutdown = CancellationToken::new();
        shut_down_when_parent_exits(parent, shutdown.clone());
        // The test runner (our parent) lives on: nothing cancels the token but us.
        tokio::time::sleep(POLL_INTERVAL * 2).await;
        assert!(!shutdown.is_cancelled());
        shutdown.cancel();
    }
}
