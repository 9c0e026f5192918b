//! Time, injected: the monitor, the rate arithmetic and the demo director read
//! the clock through this trait so tests can drive time by hand (with
//! `testkit::ManualClock`).

use std::time::{Duration, Instant, SystemTime};

pub trait Clock: Send + Sync {
    /// Monotonic time since the clock was created.
    fn now(&self) -> Duration;
    /// Wall-clock time, for display and journals.
    fn wall(&self) -> SystemTime;
}

/// The real clock.
#[derive(Debug)]
pub struct SystemClock {
    start: Instant,
}

impl SystemClock {
    pub fn new() -> SystemClock {
        SystemClock {
            start: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}
