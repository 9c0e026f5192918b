use std::fmt;

/// What went wrong, in categories an operator can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No IPVS in this kernel (generic netlink family "IPVS" not registered).
    NotAvailable,
    /// EPERM / EACCES: CAP_NET_ADMIN needed, even for reads.
    PermissionDenied,
    /// EEXIST: the service or real server already exists.
    Exists,
    /// ENOENT / ESRCH: the service or real server does not exist.
    NotFound,
    /// EINVAL and friends: the kernel refused what was sent.
    Invalid,
    /// The network namespace could not be entered.
    Namespace,
    /// The kernel's reply could not be understood.
    Protocol,
    /// Any other system error (socket, timeout).
    Io,
}

/// An error with its operator-facing message already worded.
///
/// `Display` is the whole message: it names what was asked for and, where
/// it helps, what to do about it; never a bare `os error N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    errno: Option<i32>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            errno: None,
        }
    }

    pub fn with_errno(mut self, errno: i32) -> Error {
        self.errno = Some(errno);
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The positive errno the kernel answered with, if this came from one.
    pub fn errno(&self) -> Option<i32> {
        self.errno
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
