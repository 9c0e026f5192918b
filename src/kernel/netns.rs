//! Opening the netlink socket inside another network namespace.
//!
//! A netlink socket belongs to the namespace it was created in, for life. So
//! only the creation happens inside the target namespace, on a short-lived
//! helper thread: the caller's threads never change namespace.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use netlink_sys::{protocols::NETLINK_GENERIC, Socket};

use crate::backend::wording::strerror;
use crate::backend::{Error, ErrorKind};

/// `NAME` means `/run/netns/NAME` (as `ip netns` names them); anything with a
/// `/` is a path (e.g. `/proc/1234/ns/net`).
pub fn netns_path(netns: &str) -> PathBuf {
    if netns.contains('/') {
        PathBuf::from(netns)
    } else {
        PathBuf::from("/run/netns").join(netns)
    }
}

/// A bound NETLINK_GENERIC socket in the current namespace.
pub fn new_socket() -> io::Result<Socket> {
    let mut socket = Socket::new(NETLINK_GENERIC)?;
    socket.bind_auto()?;
    Ok(socket)
}

/// A bound NETLINK_GENERIC socket in the namespace `netns` names.
pub fn socket_in(netns: &str) -> Result<Socket, Error> {
    in_netns(netns, new_socket)?.map_err(|e| {
        let errno = e.raw_os_error().unwrap_or(0);
        Error::new(
            ErrorKind::Namespace,
            format!(
                "cannot open a netlink socket in {}: {}",
                shown(netns),
                strerror(errno)
            ),
        )
        .with_errno(errno)
    })
}

/// Opens `path` from inside the namespace `netns` names. Outer error: the
/// namespace cannot be entered; inner: the open's own failure, for the
/// caller to word. A `/proc/thread-self/net` file opened there keeps
/// showing that namespace when read later from any thread.
pub fn open_file_in(netns: &str, path: &Path) -> Result<io::Result<File>, Error> {
    let path = path.to_path_buf();
    in_netns(netns, move || File::open(path))
}

/// Runs `work` on a short-lived helper thread that entered the namespace
/// `netns` names; the caller's threads never change namespace.
pub(crate) fn in_netns<T: Send + 'static>(
    netns: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    let path = netns_path(netns);
    let shown = shown(netns);
    let file = File::open(&path).map_err(|e| {
        let errno = e.raw_os_error().unwrap_or(0);
        let why = if errno == libc::ENOENT {
            "does not exist".to_string()
        } else {
            format!("cannot be opened: {}", strerror(errno))
        };
        Error::new(ErrorKind::Namespace, format!("{shown} {why}")).with_errno(errno)
    })?;

    let joined = std::thread::spawn(move || -> Result<T, i32> {
        // SAFETY: setns on a valid fd only changes this helper thread's namespace.
        if unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            return Err(io::Error::last_os_error().raw_os_error().unwrap_or(0));
        }
        Ok(work())
    })
    .join()
    .map_err(|_| Error::new(ErrorKind::Namespace, format!("entering {shown} failed")))?;

    joined.map_err(|errno| {
        let message = match errno {
            libc::EINVAL => format!("{} is not a network namespace", path.display()),
            libc::EPERM => {
                format!("cannot enter {shown}: permission denied (needs root or CAP_SYS_ADMIN)")
            }
            _ => format!("cannot enter {shown}: {}", strerror(errno)),
        };
        Error::new(ErrorKind::Namespace, message).with_errno(errno)
    })
}

/// How messages name the namespace `netns`.
fn shown(netns: &str) -> String {
    if netns.contains('/') {
        format!("network namespace {netns}")
    } else {
        format!(
            "network namespace '{netns}' ({})",
            netns_path(netns).display()
        )
    }
}
