//! A clock for tests: it moves only when told to.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::clock::Clock;

/// A clock that moves only when told to; wall time starts at `epoch`.
#[derive(Debug)]
pub struct ManualClock {
    nanos: AtomicU64,
    epoch: SystemTime,
}

impl ManualClock {
    pub fn new(epoch: SystemTime) -> ManualClock {
        ManualClock {
            nanos: AtomicU64::new(0),
            epoch,
        }
    }

    pub fn advance(&self, by: Duration) {
        self.nanos.fetch_add(by.as_nanos() as u64, Ordering::SeqCst);
    }

    pub fn set(&self, to: Duration) {
        self.nanos.store(to.as_nanos() as u64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
    fn wall(&self) -> SystemTime {
        self.epoch + self.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let epoch = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let c = ManualClock::new(epoch);
        assert_eq!(c.now(), Duration::ZERO);
        c.advance(Duration::from_millis(1500));
        assert_eq!(c.now(), Duration::from_millis(1500));
        assert_eq!(c.wall(), epoch + Duration::from_millis(1500));
        c.set(Duration::from_secs(10));
        assert_eq!(c.now(), Duration::from_secs(10));
    }
}
