//! Table-wide half-open connections (`SYN_RECV`) per real server: the
//! monitor's column and its "half-open piling up" alert.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::attribution::{Attribution, Owner};
use super::sampling::{Count, Sampling};
use crate::model::{Connection, DestKey, ServiceKey};

/// The state the kernel names a TCP connection whose handshake it has not
/// seen finish.
pub const HALF_OPEN: &str = "SYN_RECV";

/// Half-open entries per real server, from one walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HalfOpen {
    counts: HashMap<(ServiceKey, DestKey), u64>,
    pub sampling: Sampling,
    /// Monotonic and wall time the walk ended.
    pub at: Duration,
    pub wall: SystemTime,
    /// Half-open entries no service claims.
    pub unattributed: u64,
}

impl HalfOpen {
    /// A real server's half-open entries (0 for one the walk saw none of,
    /// or one added since).
    pub fn get(&self, service: &ServiceKey, dest: &DestKey) -> Count {
        let x = self.counts.get(&(*service, *dest)).copied().unwrap_or(0);
        self.sampling.count(x)
    }

    /// Real servers with half-open entries, and how many entries were read.
    pub fn iter(&self) -> impl Iterator<Item = (&(ServiceKey, DestKey), Count)> + '_ {
        self.counts
            .iter()
            .map(|(k, &x)| (k, self.sampling.count(x)))
    }

    pub fn age(&self, now: Duration) -> Duration {
        now.saturating_sub(self.at)
    }
}

/// Counts half-open entries as a walk hands them over.
pub struct HalfOpenCounter {
    attribution: Arc<Attribution>,
    counts: HashMap<(ServiceKey, DestKey), u64>,
    unattributed: u64,
}

impl HalfOpenCounter {
    /// Real servers kept by name: configured ones are few next to this, so
    /// only a hostile table naming many gone ones reaches it.
    pub const MAX_DESTS: usize = 1 << 16;

    pub fn new(attribution: Arc<Attribution>) -> HalfOpenCounter {
        HalfOpenCounter {
            attribution,
            counts: HashMap::new(),
            unattributed: 0,
        }
    }

    pub fn attribution(&self) -> &Arc<Attribution> {
        &self.attribution
    }

    pub fn add(&mut self, c: &Connection) {
        if Self::counts(c) {
            let owner = self.attribution.owner(c);
            self.add_owned(owner.as_ref(), c);
        }
    }

    /// Whether `c` is half-open: only those need their place found.
    pub fn counts(c: &Connection) -> bool {
        !c.is_template() && c.state.as_str() == HALF_OPEN
    }

    /// As `add`, with the place already found by the same attribution.
    pub fn add_owned(&mut self, owner: Option<&Owner>, c: &Connection) {
        if !Self::counts(c) {
            return;
        }
        let key = owner.map(|o| (o.service, o.dest));
        match key {
            Some(k) if self.counts.len() < Self::MAX_DESTS || self.counts.contains_key(&k) => {
                *self.counts.entry(k).or_insert(0) += 1
            }
            _ => self.unattributed += 1,
        }
    }

    pub fn finish(self, sampling: Sampling, at: Duration, wall: SystemTime) -> HalfOpen {
        HalfOpen {
            counts: self.counts,
            sampling,
            at,
            wall,
            unattributed: self.unattributed,
        }
    }
}
