//! What the drain assistant asks of the backend owner: each a change
//! through the editor (journaled, undoable, refused in words) or a line of
//! the watch in the journal.

use crate::journal::{DrainEnd, DrainOptions, OpenDrain};
use crate::model::{DestKey, ServiceKey};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrainRequest {
    /// `x`: weight 0 if still `weight` (as shown), and a watch begins.
    Start {
        service: ServiceKey,
        dest: DestKey,
        weight: u32,
    },
    /// Remove when drained, a deadline: journaled.
    Options {
        service: ServiceKey,
        dest: DestKey,
        options: DrainOptions,
    },
    /// Delete the real server: once drained (checked again by the owner),
    /// or at the operator's word (`force`).
    Remove {
        service: ServiceKey,
        dest: DestKey,
        force: bool,
    },
    /// Give it back the weight it had.
    Restore {
        service: ServiceKey,
        dest: DestKey,
        weight: u32,
    },
    /// Watch again a drain a previous lvstop left open.
    Resume(OpenDrain),
    /// The watch ends with the table left as it is.
    End {
        service: ServiceKey,
        dest: DestKey,
        end: DrainEnd,
    },
}

impl DrainRequest {
    /// The real server it is about.
    pub fn target(&self) -> (ServiceKey, DestKey) {
        match self {
            DrainRequest::Start { service, dest, .. }
            | DrainRequest::Options { service, dest, .. }
            | DrainRequest::Remove { service, dest, .. }
            | DrainRequest::Restore { service, dest, .. }
            | DrainRequest::End { service, dest, .. } => (*service, *dest),
            DrainRequest::Resume(o) => (o.service, o.dest),
        }
    }
}
