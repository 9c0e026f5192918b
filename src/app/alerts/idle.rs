//! A real server with a weight above zero that gets no new connections
//! while its siblings do.

/// Seconds without a new connection: five estimator ticks, since the kernel
/// moves the counters every 2 s.
pub const QUIET_SECS: f64 = 10.0;
/// New connections the server would have had over `QUIET_SECS` on an even
/// split of its siblings' traffic: below this, a quiet spell is chance.
pub const MIN_EXPECTED_CONNS: f64 = 5.0;

/// Whether a server is idle: its weight, the seconds since its counter last
/// moved, its siblings' new connections per second (short window) and how
/// many servers have a weight above zero.
pub fn idle(weight: u32, quiet: f64, siblings_cps: f64, up: u32) -> bool {
    weight > 0
        && quiet >= QUIET_SECS
        && siblings_cps / up.max(1) as f64 * QUIET_SECS >= MIN_EXPECTED_CONNS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_only_with_weight_quiet_and_busy_siblings() {
        assert!(idle(1, 12.0, 255.0, 4));
        assert!(!idle(0, 12.0, 255.0, 4), "drained on purpose");
        assert!(!idle(1, 8.0, 255.0, 4), "not quiet for long enough");
        assert!(!idle(1, 60.0, 0.0, 2), "nobody gets connections");
        assert!(!idle(1, 12.0, 0.8, 2), "4 expected: chance");
        assert!(idle(1, 12.0, 1.2, 2));
    }
}
