//! A real server's recent traffic, judged over a window rather than one
//! poll: new connections per second from the connection counter (exact,
//! whatever the rate source), averaged over a short and a long window, and
//! when the counter last moved; and active connections closing per second
//! (new ones less the growth of the active count), over the short window. Exponential averages weighted by the time
//! between readings: irregular readings (a real server off screen is read
//! once per sweep) count for the time they cover, and nothing is stored per
//! reading.

/// The short window (seconds): slow and idle servers. Several estimator
/// ticks (the kernel updates the counters every 2 s) and a few seconds of
/// a burst, not more: the slow server must show within 30 s.
pub const SHORT_SECS: f64 = 10.0;
/// The long window (seconds): shares of new connections. Long enough that
/// `lc` and `wlc`, which send every new connection to the least loaded
/// server and so split traffic unevenly from one second to the next, even
/// out.
pub const LONG_SECS: f64 = 60.0;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Window {
    /// When the windows began (`None`: no reading yet), and when the last
    /// reading came: monotonic seconds.
    since: Option<f64>,
    at: f64,
    /// The connection counter and active connections at the last reading.
    conns: u64,
    active: u32,
    /// New connections per second over the short and the long window.
    short: f32,
    long: f32,
    /// Active connections closing per second over the short window.
    closing: f32,
    /// When the counter last moved (or the windows began).
    moved: f64,
    /// The averages started from the kernel's own rate estimate: they are
    /// meaningful from the first reading on.
    seeded: bool,
}

impl Window {
    /// Takes a reading of the counter at `at` (seconds); `seed`: the
    /// kernel's estimate of new connections per second, where known, which
    /// the averages start from. The seconds since the last reading, 0 for
    /// the first or after the counter went back (zeroed, or a real server
    /// deleted and added again): the windows start over.
    pub fn observe(&mut self, at: f64, (conns, active): (u64, u32), seed: Option<f64>) -> f64 {
        let first = self.since.is_none() || conns < self.conns;
        if first {
            // In a steady state as many close as open.
            let seeded = seed.unwrap_or(0.0) as f32;
            *self = Window {
                since: Some(at),
                at,
                conns,
                active,
                short: seeded,
                long: seeded,
                closing: seeded,
                moved: at,
                seeded: seed.is_some(),
            };
            return 0.0;
        }
        let dt = at - self.at;
        if dt <= 0.0 {
            return 0.0;
        }
        let new = conns - self.conns;
        let rate = new as f64 / dt;
        let grown = active as f64 - self.active as f64;
        let closing = ((new as f64 - grown) / dt).max(0.0);
        let unseeded_first = !self.seeded && self.at == self.since.unwrap_or(at);
        for (avg, span, rate) in [
            (&mut self.short, SHORT_SECS, rate),
            (&mut self.long, LONG_SECS, rate),
            (&mut self.closing, SHORT_SECS, closing),
        ] {
            // dt / (span + dt): the exponential weight without a libm call.
            let a = if unseeded_first {
                1.0
            } else {
                dt / (span + dt)
            };
            *avg += (a * (rate - *avg as f64)) as f32;
        }
        if new > 0 {
            self.moved = at;
        }
        self.at = at;
        self.conns = conns;
        self.active = active;
        dt
    }

    /// New connections per second over the short window.
    pub fn short(&self) -> f64 {
        self.short as f64
    }

    /// New connections per second over the long window.
    pub fn long(&self) -> f64 {
        self.long as f64
    }

    /// Active connections closing per second over the short window.
    pub fn closing(&self) -> f64 {
        self.closing as f64
    }

    /// Seconds since the counter last moved.
    pub fn quiet(&self) -> f64 {
        self.at - self.moved
    }

    /// Whether the window spanning `span` seconds holds enough to judge:
    /// from the first reading when the kernel's estimate seeded it, else
    /// once it has run for the span.
    pub fn full(&self, span: f64) -> bool {
        self.seeded || self.since.is_some_and(|s| self.at - s >= span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_new_connections_over_irregular_readings() {
        let mut w = Window::default();
        assert_eq!(w.observe(0.0, (1000, 0), None), 0.0);
        // 10 per second, read every second, then every 5 s.
        for t in 1..=60 {
            w.observe(t as f64, (1000 + 10 * t, 0), None);
        }
        assert!((w.short() - 10.0).abs() < 0.01, "{}", w.short());
        for t in (65..=120).step_by(5) {
            w.observe(t as f64, (1000 + 10 * t, 0), None);
        }
        assert!((w.long() - 10.0).abs() < 0.01, "{}", w.long());
        assert!(w.full(LONG_SECS));
        assert_eq!(w.quiet(), 0.0);
    }

    #[test]
    fn counters_that_move_every_other_reading_average_out() {
        // The kernel updates counters every 2 s; read every second.
        let mut w = Window::default();
        for t in 0..60u64 {
            w.observe(t as f64, ((t / 2) * 20, 0), Some(10.0));
        }
        assert!((w.short() - 10.0).abs() < 1.0, "{}", w.short());
        assert!(w.quiet() <= 1.0);
    }

    #[test]
    fn a_reset_counter_starts_the_windows_over() {
        let mut w = Window::default();
        for t in 0..40u64 {
            w.observe(t as f64, (100 * t, 0), None);
        }
        assert!(w.full(SHORT_SECS));
        assert_eq!(w.observe(40.0, (3, 0), None), 0.0, "zeroed");
        assert!(!w.full(SHORT_SECS));
        w.observe(41.0, (103, 0), None);
        assert!((w.short() - 100.0).abs() < 0.01, "the first interval seeds");
    }

    /// Little's law needs the connections that end: with none new and the
    /// active count falling, they are the fall; with new ones piling up,
    /// the new ones less the pile.
    #[test]
    fn closing_connections_are_new_ones_less_the_growth() {
        let mut w = Window::default();
        for t in 0..80u64 {
            w.observe(t as f64, (1000, 900 - 5 * t as u32), Some(0.0));
        }
        assert!((w.closing() - 5.0).abs() < 0.1, "{}", w.closing());
        let mut w = Window::default();
        for t in 0..80u64 {
            w.observe(t as f64, (50 * t, 300 + 45 * t as u32), Some(50.0));
        }
        assert!((w.closing() - 5.0).abs() < 0.1, "{}", w.closing());
    }

    #[test]
    fn quiet_counts_from_the_last_new_connection() {
        let mut w = Window::default();
        w.observe(0.0, (5, 0), Some(1.0));
        w.observe(1.0, (6, 0), None);
        for t in 2..=13 {
            w.observe(t as f64, (6, 0), None);
        }
        assert_eq!(w.quiet(), 12.0);
        assert!(w.short() < 0.5);
    }
}
