//! What the editing UI asks of the task that owns the backend, and what
//! comes back.

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
    /// `u`: undo this session's last change.
    Undo,
}

/// The owner's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub request: Request,
    /// What was done (`applied: ipvsadm ...`), or why not, in words.
    pub result: Result<String, String>,
}
