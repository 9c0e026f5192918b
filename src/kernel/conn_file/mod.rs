//! The kernel's connection table, read from `/proc/net/ip_vs_conn` and
//! `ip_vs_conn_sync`: the kernel has no netlink command for it.
//!
//! `line` knows what one line is, `stream` walks a file's text; this module
//! knows where the files are (the table's namespace) and words failures.
//! Each walk opens its file afresh: a walk starts at the first entry.

mod line;
mod stream;

use std::fs::File;
use std::io::{self, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use super::netns;
use crate::backend::wording::strerror;
use crate::backend::{Error, ErrorKind};
use crate::model::{ConnSource, ConnWalk, Connection};

pub use line::{header, parse_line, PE_DATA_MAX};
pub use stream::{Fault, MAX_LINE, READ_SIZE};

/// The files of the calling thread's namespace: `/proc/net` is the thread
/// group leader's, which need not be the reading thread's.
const PLAIN: &str = "/proc/thread-self/net/ip_vs_conn";
const WITH_ORIGIN: &str = "/proc/thread-self/net/ip_vs_conn_sync";

/// Where the connection table is read from, and the read buffer kept
/// between walks.
pub struct ConnFiles {
    place: Place,
    buf: Vec<u8>,
}

#[derive(Clone)]
enum Place {
    /// The kernel's files, in the namespace `netns` names (None: the caller's).
    Proc { netns: Option<String> },
    /// Given paths (tests).
    Paths {
        plain: PathBuf,
        with_origin: PathBuf,
    },
}

impl ConnFiles {
    /// The kernel's files of the namespace `netns` names, or of the calling
    /// thread's.
    pub fn kernel(netns: Option<&str>) -> ConnFiles {
        ConnFiles {
            place: Place::Proc {
                netns: netns.map(str::to_string),
            },
            buf: Vec::new(),
        }
    }

    /// Files at these paths, read as the kernel's would be.
    pub fn at(plain: impl Into<PathBuf>, with_origin: impl Into<PathBuf>) -> ConnFiles {
        ConnFiles {
            place: Place::Paths {
                plain: plain.into(),
                with_origin: with_origin.into(),
            },
            buf: Vec::new(),
        }
    }

    /// The same files with a buffer of their own: a walk that runs on
    /// another thread (an exact read kept open between refreshes).
    pub fn fresh(&self) -> ConnFiles {
        ConnFiles {
            place: self.place.clone(),
            buf: Vec::new(),
        }
    }

    /// Walks the table from its first entry (see `backend::Reader::connections`).
    pub fn walk(
        &mut self,
        source: ConnSource,
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        let (file, path) = self.open(source)?;
        walk_text(file, source, &mut self.buf, visit).map_err(|e| fault_error(e, &path))
    }

    fn open(&self, source: ConnSource) -> Result<(File, PathBuf), Error> {
        let (path, netns) = match &self.place {
            Place::Proc { netns } => {
                let path = match source {
                    ConnSource::Plain => PLAIN,
                    ConnSource::WithOrigin => WITH_ORIGIN,
                };
                (PathBuf::from(path), netns.as_deref())
            }
            Place::Paths { plain, with_origin } => match source {
                ConnSource::Plain => (plain.clone(), None),
                ConnSource::WithOrigin => (with_origin.clone(), None),
            },
        };
        let opened = match netns {
            Some(ns) => netns::open_file_in(ns, &path)?,
            None => File::open(&path),
        };
        match opened {
            Ok(file) => Ok((file, path)),
            Err(e) => Err(open_error(&e, &path, netns)),
        }
    }
}

/// Walks any text as the kernel's file for `source` (the fuzz target's
/// entry point too): `buf` is kept between walks.
pub fn walk_text(
    text: impl Read,
    source: ConnSource,
    buf: &mut Vec<u8>,
    visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
) -> Result<ConnWalk, Fault> {
    stream::walk(text, source, buf, visit)
}

fn open_error(e: &io::Error, path: &Path, netns: Option<&str>) -> Error {
    let errno = e.raw_os_error().unwrap_or(0);
    let place = match netns {
        Some(ns) => format!("{} in network namespace {ns}", path.display()),
        None => path.display().to_string(),
    };
    let (kind, message) = match errno {
        libc::ENOENT => (
            ErrorKind::NotAvailable,
            format!(
                "no IPVS connection table ({place} does not exist): is the ip_vs module loaded? (`modprobe ip_vs`)"
            ),
        ),
        libc::EACCES | libc::EPERM => (
            ErrorKind::PermissionDenied,
            format!("cannot read the IPVS connection table {place}: permission denied"),
        ),
        _ => (
            ErrorKind::Io,
            format!(
                "cannot open the IPVS connection table {place}: {}",
                strerror(errno)
            ),
        ),
    };
    Error::new(kind, message).with_errno(errno)
}

fn fault_error(fault: Fault, path: &Path) -> Error {
    let path = path.display();
    match fault {
        Fault::Read(e) => {
            let errno = e.raw_os_error().unwrap_or(0);
            let why = if errno == 0 {
                e.to_string()
            } else {
                strerror(errno)
            };
            let error = Error::new(
                ErrorKind::Io,
                format!("reading the IPVS connection table {path} failed: {why}"),
            );
            if errno == 0 {
                error
            } else {
                error.with_errno(errno)
            }
        }
        Fault::Empty => Error::new(
            ErrorKind::Protocol,
            format!("{path} is empty: the kernel's connection table starts with a header line"),
        ),
        Fault::Header => Error::new(
            ErrorKind::Protocol,
            format!(
                "{path} does not start with the header line the kernel writes: not an IPVS connection table this lvstop understands"
            ),
        ),
    }
}

#[cfg(test)]
mod tests;
