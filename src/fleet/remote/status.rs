//! How a remote director stands, for the monitor's header and batch output.

use std::sync::{Arc, Mutex, TryLockError};
use std::time::{Duration, Instant, SystemTime};

use crate::fleet::protocol::Hello;
use crate::fleet::DirectorName;

use super::{Inner, Shared};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectorStatus {
    pub name: DirectorName,
    pub state: DirectorState,
    /// When the last whole reading arrived (lvstop's clock).
    pub last_reading: Option<SystemTime>,
    /// The last ping's round trip.
    pub lag: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectorState {
    /// ssh is starting, or the agent has not sent its first reading.
    Connecting,
    /// Readings arrive.
    Live { hello: Hello },
    /// The connection failed or the agent cannot read its table; the last
    /// table is kept, and lvstop tries again in `retry_in` (1, 2, 4 ... 30 s).
    Stale {
        since: SystemTime,
        reason: String,
        retry_in: Duration,
    },
    /// The agent broke the protocol (malformed, out of schema, too long, a
    /// version this lvstop does not speak): lvstop stops talking to it.
    Bad { reason: String },
}

impl DirectorState {
    /// `live`, `connecting`, `stale`, `bad`.
    pub fn word(&self) -> &'static str {
        match self {
            DirectorState::Connecting => "connecting",
            DirectorState::Live { .. } => "live",
            DirectorState::Stale { .. } => "stale",
            DirectorState::Bad { .. } => "bad",
        }
    }

    /// Why it is not live, if it is not.
    pub fn reason(&self) -> Option<&str> {
        match self {
            DirectorState::Stale { reason, .. } | DirectorState::Bad { reason } => Some(reason),
            _ => None,
        }
    }
}

/// A remote director's status, shared with its connection's thread: the
/// fleet monitor's header asks it at each frame, after the director itself
/// went to an editor.
#[derive(Clone)]
pub struct StatusHandle {
    pub(super) name: DirectorName,
    pub(super) shared: Arc<Shared>,
    /// The last status read, for `status_now`.
    pub(super) last: Arc<Mutex<Option<DirectorStatus>>>,
}

impl StatusHandle {
    pub fn status(&self) -> DirectorStatus {
        self.of(&self.shared.lock())
    }

    /// As `status`, without waiting: while the director's stream reader or
    /// a poll holds its state, the last status read. Frames ask this: a poll
    /// takes the state once for each service it reads, and a thread
    /// preempted while holding it would hold the frame until it ran again.
    pub fn status_now(&self) -> DirectorStatus {
        let status = match self.shared.inner.try_lock() {
            Ok(inner) => self.of(&inner),
            Err(TryLockError::Poisoned(e)) => self.of(&e.into_inner()),
            Err(TryLockError::WouldBlock) => {
                let last = self.last.lock().unwrap_or_else(|e| e.into_inner()).clone();
                match last {
                    Some(s) => return s,
                    None => self.status(),
                }
            }
        };
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(status.clone());
        status
    }

    fn of(&self, inner: &Inner) -> DirectorStatus {
        let mut state = inner.state.clone();
        if let (DirectorState::Stale { retry_in, .. }, Some(at)) = (&mut state, inner.retry_at) {
            *retry_in = at.saturating_duration_since(Instant::now());
        }
        DirectorStatus {
            name: self.name.clone(),
            state,
            last_reading: inner.last_reading,
            lag: inner.lag,
        }
    }
}
