//! What the editing UI asks of the task that owns the backend, and what
//! comes back.

use crate::app::drain::DrainRequest;
use crate::model::{Change, DestKey, NudgeWrite, ServiceKey};

/// One command for the backend owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// A form, a confirmed delete, a scheduler switch, zeroing.
    Apply(Change),
    /// A coalesced run of weight key presses (read-modify-write).
    Nudge(NudgeWrite),
    /// `w`: an exact weight (read-modify-write).
    SetWeight {
        service: ServiceKey,
        dest: DestKey,
        weight: u32,
    },
    /// `x`: drain, or restore the weight drained.
    Drain { service: ServiceKey, dest: DestKey },
    /// `u`: undo this session's last change, the one with this journal
    /// id (the owner refuses if the last change is another by now).
    Undo { of: String },
    /// The drain assistant: drain and watch, its options, remove, restore.
    Watch(DrainRequest),
}

/// What `u` would undo now, as the owner last saw it: the UI asks before
/// an undo that deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoNext {
    /// The journal id of the change undo would take back (never shown).
    pub id: String,
    /// What undoing it does, in words: `delete real server 10.0.9.1:53 of
    /// UDP 198.51.100.7:53`.
    pub words: String,
    /// Whether it takes something out of the table.
    pub deletes: bool,
    /// The ipvsadm lines it sends.
    pub commands: Vec<String>,
}

/// The owner's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub request: Request,
    /// What was done (`applied: ipvsadm ...`), or why not, in words.
    pub result: Result<String, String>,
}
