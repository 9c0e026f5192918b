//! Opening the netlink socket inside another network namespace.
//!
//! A netlink socket belongs to the namespace it was created in, for life. So
//! only the creation happens inside the target namespace, on a short-lived
//! helper thread: the caller's threads never change namespace.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::PathBuf;

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
    let path = netns_path(netns);
    let shown = if netns.contains('/') {
        format!("network namespace {netns}")
    } else {
        format!("network namespace '{netns}' ({})", path.display())
    };
    let file = File::open(&path).map_err(|e| {
        let errno = e.raw_os_error().unwrap_or(0);
        let why = if errno == libc::ENOENT {
            "does not exist".to_string()
        } else {
            format!("cannot be opened: {}", strerror(errno))
        };
        Error::new(ErrorKind::Namespace, format!("{shown} {why}")).with_errno(errno)
    })?;

    let joined = std::thread::spawn(move || -> Result<Socket, (i32, bool)> {
        // SAFETY: setns on a valid fd only changes this helper thread's namespace.
        if unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            let errno = io::Error::last_os_error().raw_os_error().unwrap_or(0);
            return Err((errno, true));
        }
        new_socket().map_err(|e| (e.raw_os_error().unwrap_or(0), false))
    })
    .join()
    .map_err(|_| Error::new(ErrorKind::Namespace, format!("entering {shown} failed")))?;

    joined.map_err(|(errno, entering)| {
        let message = match (entering, errno) {
            (true, libc::EINVAL) => format!("{} is not a network namespace", path.display()),
            (true, libc::EPERM) => {
                format!("cannot enter {shown}: permission denied (needs root or CAP_SYS_ADMIN)")
            }
            (true, _) => format!("cannot enter {shown}: {}", strerror(errno)),
            (false, _) => format!(
                "cannot open a netlink socket in {shown}: {}",
                strerror(errno)
            ),
        };
        Error::new(ErrorKind::Namespace, message).with_errno(errno)
    })
}

/// Opens `path` from inside the namespace `netns` names (None if that
/// fails). A /proc/sys/net file opened there keeps showing that namespace's
/// value when read later from anywhere.
pub fn open_in(netns: &str, path: &'static str) -> Option<File> {
    let ns = File::open(netns_path(netns)).ok()?;
    std::thread::spawn(move || {
        // SAFETY: setns on a valid fd only changes this helper thread's namespace.
        if unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            return None;
        }
        File::open(path).ok()
    })
    .join()
    .ok()
    .flatten()
}
