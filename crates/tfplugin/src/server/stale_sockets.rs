//! Socket directories left behind by plugin processes that were killed (SIGKILL, OOM killer,
//! power loss) before they could remove them, cleaned up by the next plugin that starts.
//!
//! Only directories this crate creates are ever touched: named `tfplugin-<pid>-<random>`
//! ([`socket_directory_prefix`]), owned by this user, not a symlink, holding nothing but the
//! socket `provider.sock` (or nothing at all), whose creating process no longer exists, and
//! whose socket, if any, refuses connections (nobody serves on it: this also protects a live
//! plugin in another pid namespace sharing the directory, whose pid means nothing here).
//! The socket and then the empty directory are removed one by one, never recursively, so
//! anything unexpected that appears meanwhile stays.

use std::ffi::OsStr;
use std::fs::{self, DirEntry};
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::UnixStream;
use std::path::Path;

use rustix::process::{Pid, geteuid, test_kill_process};

/// Start of every socket directory name; the creating process's pid and `-` follow.
const DIRECTORY_NAME_START: &str = "tfplugin-";
/// The socket's file name inside its directory.
pub(crate) const SOCKET_FILE_NAME: &str = "provider.sock";

/// The name prefix of this process's socket directory: `tfplugin-<pid>-` (a random suffix
/// follows), so a later process can tell whose directory it is.
pub(crate) fn socket_directory_prefix() -> String {
    format!("{DIRECTORY_NAME_START}{}-", std::process::id())
}

/// Removes stale socket directories directly under `parent`; returns how many. Problems are
/// logged and skipped: a cleanup of leftovers never stops a plugin from serving.
pub(crate) fn remove_stale_socket_directories(parent: &Path) -> usize {
    let entries = match fs::read_dir(parent) {
        Ok(entries) => entries,
        Err(error) => {
            tracing::debug!(%error, parent = %parent.display(), "cannot list the socket directory's parent");
            return 0;
        }
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let Some(owner) = owner_pid(&entry.file_name()) else {
            continue;
        };
        if !is_stale(&entry, owner) {
            continue;
        }
        match remove(&entry.path()) {
            Ok(()) => {
                tracing::debug!(directory = %entry.path().display(), "removed a stale plugin socket directory");
                removed += 1;
            }
            Err(error) => {
                tracing::debug!(%error, directory = %entry.path().display(), "cannot remove a stale plugin socket directory");
            }
        }
    }
    removed
}

/// The pid in a name of exactly the form `tfplugin-<pid>-<alphanumeric suffix>`.
fn owner_pid(name: &OsStr) -> Option<Pid> {
    let rest = name.to_str()?.strip_prefix(DIRECTORY_NAME_START)?;
    let (pid, suffix) = rest.split_once('-')?;
    let digits_only = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit());
    let suffix_ok = !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_alphanumeric());
    if !digits_only || !suffix_ok {
        return None;
    }
    Pid::from_raw(pid.parse().ok()?)
}

fn is_stale(entry: &DirEntry, owner: Pid) -> bool {
    // `DirEntry::metadata` does not follow symlinks.
    let Ok(metadata) = entry.metadata() else {
        return false;
    };
    metadata.is_dir()
        && metadata.uid() == geteuid().as_raw()
        && !process_exists(owner)
        && holds_only_a_dead_socket(&entry.path())
}

/// `kill(pid, 0)`: only "no such process" counts as gone (a permission error means it exists).
fn process_exists(pid: Pid) -> bool {
    test_kill_process(pid) != Err(rustix::io::Errno::SRCH)
}

/// True when the directory is empty, or holds only [`SOCKET_FILE_NAME`], a socket on which
/// nobody accepts connections.
fn holds_only_a_dead_socket(directory: &Path) -> bool {
    let Ok(entries) = fs::read_dir(directory) else {
        return false;
    };
    let mut entries = entries.collect::<Result<Vec<_>, _>>().unwrap_or_default();
    match entries.pop() {
        None => true,
        Some(socket) if entries.is_empty() && socket.file_name() == SOCKET_FILE_NAME => {
            socket.file_type().is_ok_and(|t| t.is_socket())
                && UnixStream::connect(socket.path())
                    .is_err_and(|e| e.kind() == io::ErrorKind::ConnectionRefused)
        }
        Some(_) => false,
    }
}

fn remove(directory: &Path) -> io::Result<()> {
    match fs::remove_file(directory.join(SOCKET_FILE_NAME)) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    // Fails, leaving everything, if anything new appeared inside.
    fs::remove_dir(directory)
}

#[cfg(test)]
mod tests {
    use std::os::unix::net::UnixListener;
    use std::process::Command;

    use super::*;

    /// The pid of a process that has exited (and been reaped).
    fn dead_pid() -> u32 {
        let mut child = Command::new("true").spawn().expect("spawn");
        child.wait().expect("wait");
        child.id()
    }

    /// A directory like a killed plugin leaves: its socket file, nobody listening.
    fn leftover(parent: &Path, name: &str) -> std::path::PathBuf {
        let directory = parent.join(name);
        fs::create_dir(&directory).expect("mkdir");
        drop(UnixListener::bind(directory.join(SOCKET_FILE_NAME)).expect("bind"));
        directory
    }

    #[test]
    fn names_are_parsed_strictly() {
        let pid = |name: &str| owner_pid(OsStr::new(name)).map(|p| p.as_raw_nonzero().get());
        assert_eq!(pid("tfplugin-123-aB9xYz"), Some(123));
        assert_eq!(
            pid(&format!("{}Xy12ab", socket_directory_prefix())),
            Some(i32::try_from(std::process::id()).expect("pid"))
        );
        for foreign in [
            "tfplugin123abc",
            "tfplugin-abc-123",
            "tfplugin--abc",
            "tfplugin-123-",
            "tfplugin-123-ab.c",
            "tfplugin-+12-abc",
            "tfplugin-0-abc",
            "plugin-123-abc",
            "xtfplugin-123-abc",
        ] {
            assert_eq!(pid(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn only_dead_leftovers_of_our_own_pattern_are_removed() {
        let parent = tempfile::tempdir().expect("parent");
        let dead = dead_pid();
        let stale = leftover(parent.path(), &format!("tfplugin-{dead}-abc123"));
        let stale_empty = parent.path().join(format!("tfplugin-{dead}-empty1"));
        fs::create_dir(&stale_empty).expect("mkdir");

        // Everything below must survive.
        let alive = leftover(
            parent.path(),
            &format!("tfplugin-{}-abc123", std::process::id()),
        );
        let foreign_name = leftover(parent.path(), &format!("plugin-{dead}-abc123"));
        let with_more = leftover(parent.path(), &format!("tfplugin-{dead}-more12"));
        fs::write(with_more.join("notes.txt"), "mine").expect("write");
        let listening = parent.path().join(format!("tfplugin-{dead}-listen"));
        fs::create_dir(&listening).expect("mkdir");
        let _listener = UnixListener::bind(listening.join(SOCKET_FILE_NAME)).expect("bind");
        let plain_file = parent.path().join(format!("tfplugin-{dead}-file12"));
        fs::write(&plain_file, "").expect("write");
        let target = tempfile::tempdir().expect("symlink target");
        let link = parent.path().join(format!("tfplugin-{dead}-link12"));
        std::os::unix::fs::symlink(target.path(), &link).expect("symlink");

        assert_eq!(remove_stale_socket_directories(parent.path()), 2);
        assert!(!stale.exists());
        assert!(!stale_empty.exists());
        for kept in [
            &alive,
            &foreign_name,
            &with_more,
            &listening,
            &plain_file,
            &link,
        ] {
            assert!(
                kept.symlink_metadata().is_ok(),
                "{} removed",
                kept.display()
            );
        }
        assert!(with_more.join("notes.txt").exists());
        assert!(target.path().exists());
    }
}
