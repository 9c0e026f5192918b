//! The change journal: every change lvstop sends is recorded before it is
//! reported done, as JSON lines in a private, append-only file.
//!
//! Each change writes two lines: an intent, synced to disk before the change
//! is sent, and a result after the kernel answered. A `kill -9` between the
//! two leaves an intent without a result, which reading reports as "may
//! have been applied".
//!
//! A line (fields in this order; `after` and `answer` are null in an intent):
//! `{"record":"result","id":"1700000000.4242.1","time":"2023-11-14T22:13:25.000Z",
//! "unix":1700000005,"user":{"uid":0,"name":"root"},"namespace":"demo",
//! "change":{"op":"edit_dest","service":{..},"dest":{..}},"ipvsadm":"-e -t ..",
//! "before":{"kind":"dest",..},"after":{..},"answer":"ok","undo_of":null}`;
//! a refusal's answer is `{"refused":{"message":"..","errno":17}}`.

mod drain;
mod fleet;
mod read;
mod record;
mod time;
mod user;

pub use drain::{
    open_drains, DrainEnd, DrainEvent, DrainKind, DrainOptions, DrainRecord, OpenDrain,
};
pub use fleet::{DirectorOutcome, FleetChange, FleetKind, FleetOutcome, FleetRecord};
pub use read::Readback;
pub use record::{Answer, Entry, Outcome, Record, Stage, State};
pub use time::stamp;
pub use user::User;

use std::fmt;
use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, FileExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::backend::wording;

/// An open journal, ready to append.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    /// Makes ids unique across sessions appending to the same file.
    session: String,
    next: u64,
    tap: Option<Tap>,
}

/// Handed each line the journal wrote (without its newline), once it is on
/// disk: `--record` records the same line.
#[derive(Clone)]
pub struct Tap(std::sync::Arc<dyn Fn(&str) + Send + Sync>);

impl Tap {
    pub fn new(f: impl Fn(&str) + Send + Sync + 'static) -> Tap {
        Tap(std::sync::Arc::new(f))
    }
}

impl fmt::Debug for Tap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tap")
    }
}

/// The journal cannot be used; `Display` names the path and the reason:
/// `cannot write the journal at PATH: permission denied`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalError {
    pub path: PathBuf,
    pub reason: String,
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot write the journal at {}: {}",
            self.path.display(),
            self.reason
        )
    }
}

impl std::error::Error for JournalError {}

impl Journal {
    /// `$XDG_STATE_HOME/lvstop/journal.jsonl`, else
    /// `~/.local/state/lvstop/journal.jsonl`; None without either variable.
    pub fn default_path() -> Option<PathBuf> {
        default_path_from(
            std::env::var_os("XDG_STATE_HOME").map(PathBuf::from),
            std::env::var_os("HOME").map(PathBuf::from),
        )
    }

    /// Opens (creating with mode 0600, parents with 0700) the journal at
    /// `path`. Refuses anything but a regular file that only its owner can
    /// write: a journal others can edit proves nothing.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let fail = |reason: String| JournalError {
            path: path.to_path_buf(),
            reason,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(|e| fail(io_reason(&e)))?;
        }
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            // A FIFO planted at the path must not block the monitor.
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .map_err(|e| fail(io_reason(&e)))?;
        // Checked on the opened file, so nothing can be swapped in between.
        let meta = file.metadata().map_err(|e| fail(io_reason(&e)))?;
        if !meta.file_type().is_file() {
            return Err(fail("it is not a regular file".into()));
        }
        if meta.permissions().mode() & 0o022 != 0 {
            return Err(fail(format!(
                "it is writable by group or others (mode {:o}); `chmod 600 {}` to use it",
                meta.permissions().mode() & 0o777,
                path.display()
            )));
        }
        // A crash mid-write leaves a line without its newline: start on a
        // fresh line so the next record is not glued onto the torn one.
        if meta.len() > 0 {
            let mut last = [0u8; 1];
            file.read_at(&mut last, meta.len() - 1)
                .map_err(|e| fail(io_reason(&e)))?;
            if last[0] != b'\n' {
                (&file)
                    .write_all(b"\n")
                    .and_then(|()| file.sync_all())
                    .map_err(|e| fail(io_reason(&e)))?;
            }
        }
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        // Opens within one process and second still get distinct ids.
        static OPENS: AtomicU64 = AtomicU64::new(0);
        let mut session = format!("{}.{}", since.as_secs(), std::process::id());
        match OPENS.fetch_add(1, Ordering::Relaxed) {
            0 => {}
            k => session.push_str(&format!("-{k}")),
        }
        Ok(Journal {
            path: path.to_path_buf(),
            file,
            session,
            next: 1,
            tap: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Hands every line written from now on to `tap` as well.
    pub fn set_tap(&mut self, tap: Option<Tap>) {
        self.tap = tap;
    }

    /// A fresh id for the next change: `<unix seconds at open>.<pid>.<n>`
    /// (`<secs>.<pid>-<k>.<n>` for a process's k-th further open).
    pub fn next_id(&mut self) -> String {
        let id = format!("{}.{}", self.session, self.next);
        self.next += 1;
        id
    }

    /// Appends one record as one line in one write, then fsyncs: when this
    /// returns Ok the record survives a crash.
    pub fn append(&mut self, record: &Record) -> Result<(), JournalError> {
        self.append_line(record)
    }

    fn append_line(&mut self, record: &impl serde::Serialize) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(record).map_err(|e| JournalError {
            path: self.path.clone(),
            reason: format!("cannot encode the record: {e}"),
        })?;
        line.push(b'\n');
        (&self.file)
            .write_all(&line)
            .and_then(|()| self.file.sync_all())
            .map_err(|e| JournalError {
                path: self.path.clone(),
                reason: io_reason(&e),
            })?;
        if let Some(tap) = &self.tap {
            (tap.0)(String::from_utf8_lossy(&line[..line.len() - 1]).as_ref());
        }
        Ok(())
    }

    /// Every entry in the journal at `path`, intents paired with results,
    /// in the order the changes were made. Damaged lines (a torn last line
    /// after a crash) are skipped; [`Journal::read_all`] says which.
    pub fn read(path: &Path) -> io::Result<Vec<Entry>> {
        Ok(read::read(path)?.entries)
    }

    /// Like [`Journal::read`], also listing the line numbers that could not be decoded.
    pub fn read_all(path: &Path) -> io::Result<Readback> {
        read::read(path)
    }

    /// Journal lines read elsewhere (a recording's), paired as `read_all`
    /// pairs them.
    pub fn parse(lines: &[u8]) -> Readback {
        read::parse(lines)
    }

    /// Appends one drain-watch line, as `append` does a change's.
    pub fn append_drain(&mut self, record: &DrainRecord) -> Result<(), JournalError> {
        self.append_line(record)
    }

    /// Appends one fleet-operation line, as `append` does a change's.
    pub fn append_fleet(&mut self, record: &FleetRecord) -> Result<(), JournalError> {
        self.append_line(record)
    }
}

fn default_path_from(state_home: Option<PathBuf>, home: Option<PathBuf>) -> Option<PathBuf> {
    // The XDG spec says relative values are invalid and must be ignored.
    let base = state_home
        .filter(|p| p.is_absolute())
        .or_else(|| home.map(|h| h.join(".local/state")))?;
    Some(base.join("lvstop/journal.jsonl"))
}

/// `permission denied`, `read-only file system`: the C library's words.
fn io_reason(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(errno) => wording::strerror(errno),
        None => e.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests;
