use std::fmt;

use crate::backend;
use crate::journal::JournalError;

use super::Applied;

/// Why a change was not (or not entirely) done.
#[derive(Debug, Clone)]
pub enum Error {
    /// The journal cannot be written, so nothing is sent.
    Disabled(JournalError),
    /// Reading the table before the change failed; nothing was sent.
    Read(backend::Error),
    /// The kernel refused the change (journaled).
    Refused(backend::Error),
    /// The change was applied but its result could not be journaled.
    Unrecorded {
        applied: Box<Applied>,
        journal: JournalError,
    },
    /// Draining again a real server at weight 0 that lvstop did not drain.
    NothingToRestore {
        real_server: String,
    },
    NothingToUndo,
    /// The table is not as the operator saw it; nothing was sent.
    Moved {
        reason: String,
    },
    /// The last change cannot be undone (zeroing); it is taken off the stack.
    NotUndoable {
        id: String,
        reason: String,
    },
    /// An undo of several commands stopped part-way.
    UndoStopped {
        of: String,
        /// ipvsadm lines of the commands that were applied.
        restored: Vec<String>,
        /// The ipvsadm line of the command that failed.
        failed: String,
        error: Box<Error>,
        /// ipvsadm lines of the commands not attempted after it.
        not_attempted: Vec<String>,
    },
}

impl Error {
    /// The kernel's (or reader's) error, when there is one.
    pub fn backend_error(&self) -> Option<&backend::Error> {
        match self {
            Error::Read(e) | Error::Refused(e) => Some(e),
            Error::UndoStopped { error, .. } => error.backend_error(),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Disabled(j) => write!(f, "changes are disabled: {j}"),
            Error::Read(e) => write!(f, "nothing was sent: {e}"),
            Error::Refused(e) => write!(f, "{e}"),
            Error::Unrecorded { applied, journal } => write!(
                f,
                "change {} was applied but its result is not in the journal: {journal}",
                applied.id
            ),
            Error::NothingToRestore { real_server } => write!(
                f,
                "{real_server} already has weight 0 and lvstop did not drain it: no earlier weight to restore"
            ),
            Error::NothingToUndo => f.write_str("nothing to undo in this session"),
            Error::Moved { reason } => write!(f, "nothing was sent: {reason}"),
            Error::NotUndoable { id, reason } => write!(f, "change {id}: {reason}"),
            Error::UndoStopped {
                of,
                restored,
                failed,
                error,
                not_attempted,
            } => {
                let total = restored.len() + 1 + not_attempted.len();
                write!(
                    f,
                    "undo of change {of} stopped after {} of {total} commands: `{failed}` failed: {error}",
                    restored.len()
                )?;
                if !restored.is_empty() {
                    write!(f, "; restored: {}", restored.join("; "))?;
                }
                if !not_attempted.is_empty() {
                    write!(f, "; not attempted: {}", not_attempted.join("; "))?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}
