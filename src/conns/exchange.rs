//! What the connections view asks the owner thread, and what it answers:
//! plain data, so the view (`app`) and the thread (`poll`) share no code.

use std::sync::Arc;
use std::time::Duration;

use super::half_open::HalfOpen;
use super::summary::{ConnReading, Scope};

/// The view's wishes; the owner thread reads the table on its budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnRequest {
    /// Open the view on a scope, or move it to another: readings of it
    /// follow each poll until `Close`.
    Open(Scope),
    Close,
    /// Keep the table-wide half-open counts fresh (about every 5 s), for
    /// the real servers' half-open column and alert, or stop.
    WatchHalfOpen(bool),
    /// Read the whole table exactly, spread over refreshes if it must be.
    Exact,
    CancelExact,
}

/// Which reading a failure is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOf {
    /// The open view's reading.
    View,
    /// The exact read asked for (it has stopped).
    Exact,
    /// The table-wide half-open counts.
    HalfOpen,
}

/// An exact read under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExactProgress {
    /// Entries read so far, of about `expected`.
    pub read: u64,
    pub expected: u64,
    /// When it began (the monitor's clock), and refreshes it has taken.
    pub began: Duration,
    pub refreshes: u32,
}

impl ExactProgress {
    /// Percent done, at most 99 until the read ends (the table may be larger
    /// than expected).
    pub fn percent(&self) -> u8 {
        if self.expected == 0 {
            return 0;
        }
        (self.read.saturating_mul(100) / self.expected).min(99) as u8
    }
}

/// What the owner thread reports about connections.
#[derive(Debug, Clone)]
pub enum ConnEvent {
    /// A reading of the open view's scope (exact, sampled, or the end of an
    /// exact read asked for).
    Reading(Arc<ConnReading>),
    /// The exact read asked for has progressed.
    Progress(ExactProgress),
    /// The exact read was cancelled, or the view closed under it.
    ExactCancelled,
    HalfOpen(Arc<HalfOpen>),
    /// The view's reading no longer holds, in words: a replay's cursor moved
    /// before the summary on screen, so it is forgotten, not kept as stale.
    Withdrawn {
        error: String,
        at: Duration,
    },
    /// A read failed; the reason in words (the monitor keeps running).
    Failed {
        of: ReadOf,
        error: String,
        at: Duration,
    },
}
