//! The director's own settings as the owner thread last read them: the
//! connection timeouts (GET_CONFIG) and the sync daemons (GET_DAEMON). Read
//! every few seconds, not every poll: they change only when someone
//! changes them.

use std::time::SystemTime;

use crate::model::{SyncDaemon, SyncRole, Timeouts};

/// One reading of the director's settings; each part read on its own, so
/// a refusal of one still shows the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectorReading {
    /// When it was read (wall time).
    pub wall: SystemTime,
    /// The timeouts, or why they could not be read (in words).
    pub timeouts: Result<Timeouts, String>,
    /// The running sync daemons, master before backup, or why they could
    /// not be read.
    pub daemons: Result<Vec<SyncDaemon>, String>,
}

impl DirectorReading {
    /// Whether a backup daemon was running at this reading: the
    /// connection table then holds synced entries.
    pub fn backup_runs(&self) -> bool {
        self.daemons
            .as_ref()
            .is_ok_and(|d| d.iter().any(|d| d.role == SyncRole::Backup))
    }
}
