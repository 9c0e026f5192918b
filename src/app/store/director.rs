//! The director's own settings as the owner thread last read them: the
//! connection timeouts (GET_CONFIG) and, later, the sync daemons. Read
//! every few seconds, not every poll: they change only when someone
//! changes them.

use std::time::SystemTime;

use crate::model::Timeouts;

/// One reading of the director's settings; each part read on its own, so
/// a refusal of one still shows the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectorReading {
    /// When it was read (wall time).
    pub wall: SystemTime,
    /// The timeouts, or why they could not be read (in words).
    pub timeouts: Result<Timeouts, String>,
}
