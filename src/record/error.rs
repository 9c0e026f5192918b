//! Why a recording could not be made or opened, in an operator's words.

use std::path::PathBuf;

#[derive(Debug)]
pub enum RecordError {
    /// The operating system refused (open, write, fsync, rename).
    Io { path: PathBuf, reason: String },
    /// The path holds something that is not an lvstop recording: never
    /// overwritten, never appended to.
    NotARecording { path: PathBuf, reason: String },
    /// Written by a newer lvstop, in a format this one does not know.
    NewerFormat {
        path: PathBuf,
        format: u32,
        writer: String,
    },
    /// Options out of range (a `--record-max` too small to hold a block).
    Options(String),
}

impl RecordError {
    pub fn io(path: &std::path::Path, e: &std::io::Error) -> RecordError {
        RecordError::Io {
            path: path.to_path_buf(),
            reason: io_reason(e),
        }
    }
}

/// An I/O error without Rust's `(os error N)` suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordError::Io { path, reason } => write!(f, "{}: {reason}", path.display()),
            RecordError::NotARecording { path, reason } => write!(
                f,
                "{} is not an lvstop recording ({reason}): refusing to touch it",
                path.display()
            ),
            RecordError::NewerFormat {
                path,
                format,
                writer,
            } => write!(
                f,
                "{} was written by {writer} in recording format {format}; this lvstop {} reads \
                 formats up to {}: use a newer lvstop",
                path.display(),
                env!("CARGO_PKG_VERSION"),
                super::FORMAT_VERSION
            ),
            RecordError::Options(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for RecordError {}
