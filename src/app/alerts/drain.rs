//! A drained real server (weight 0) still holding connections: set on
//! purpose, so shown as a neutral mark while its connections go; an alert
//! only once they have stopped going for a long while (persistence
//! templates or clients that never close keep it from draining).

/// Seconds without a new low in the connection count before a drain
/// counts as stalled: a TCP connection closed lingers in FIN_WAIT for
/// 2 minutes by default, so anything shorter would flag a healthy drain.
pub const STALL_SECS: f64 = 120.0;

/// How a drain is going.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Draining {
    /// Not drained, or drained and empty.
    No,
    /// Drained, its connections going.
    Falling,
    /// Drained, its connection count not lower for this many seconds.
    Stalled(f64),
}

/// The lowest connection count since the drain began, and when it was
/// reached (monotonic seconds); `None` while not draining.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Drain {
    low: Option<(u64, f64)>,
}

impl Drain {
    /// One reading: the weight and active + inactive connections at `at`.
    pub fn observe(&mut self, weight: u32, conns: u64, at: f64) -> Draining {
        if weight > 0 || conns == 0 {
            self.low = None;
            return Draining::No;
        }
        let (low, since) = match self.low {
            Some((low, since)) if conns >= low => (low, since),
            _ => (conns, at),
        };
        self.low = Some((low, since));
        let stalled = at - since;
        if stalled >= STALL_SECS {
            Draining::Stalled(stalled)
        } else {
            Draining::Falling
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drain_that_falls_is_neutral_and_one_that_stops_stalls() {
        let mut d = Drain::default();
        assert_eq!(d.observe(1, 40, 0.0), Draining::No);
        // Falling by one a second for a while: neutral throughout.
        for t in 1..30 {
            assert_eq!(d.observe(0, 40 - t, t as f64), Draining::Falling);
        }
        // Stuck at 11 (never lower) for two minutes, bouncing up and down.
        for t in 30..149 {
            let conns = 11 + (t % 3);
            assert_eq!(d.observe(0, conns, t as f64), Draining::Falling, "{t}");
        }
        assert_eq!(d.observe(0, 12, 149.0), Draining::Stalled(120.0));
        // A new low starts the count again; empty is done.
        assert_eq!(d.observe(0, 10, 150.0), Draining::Falling);
        assert_eq!(d.observe(0, 0, 151.0), Draining::No);
        assert_eq!(d.observe(5, 10, 152.0), Draining::No, "weight back");
    }
}
