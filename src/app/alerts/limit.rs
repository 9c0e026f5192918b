//! A real server at its upper connection threshold: IPVS marks it
//! overloaded and schedules nothing new to it until it falls below the
//! lower threshold.

/// Whether IPVS may hold a real server overloaded: it sets the flag at the
/// upper threshold and clears it below the lower one (3/4 of the upper
/// without one), and the flag is not in the reading, so a count inside that
/// band (reached perhaps between two polls) may be either. Overloaded, it
/// is skipped on purpose: its quiet spells and its siblings' extra share are
/// the thresholds at work, not an incident.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Overload {
    /// When it was last seen in the band (monotonic seconds).
    last: Option<f64>,
}

impl Overload {
    pub fn observe(&mut self, conns: u64, (lower, upper): (u32, u32), at: f64) {
        let (lower, upper) = (lower as u64, upper as u64);
        let floor = if lower > 0 { lower } else { upper * 3 / 4 };
        if upper > 0 && conns >= floor {
            self.last = Some(at);
        }
    }

    /// Whether it was in the band within the last `secs` seconds before `at`.
    pub fn within(&self, secs: f64, at: f64) -> bool {
        self.last.is_some_and(|l| at - l <= secs)
    }
}

/// Active plus inactive connections and the upper threshold, when set.
pub fn at_limit(active: u32, inactive: u32, upper: u32) -> bool {
    upper > 0 && active as u64 + inactive as u64 >= upper as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_upper_threshold() {
        assert!(at_limit(50, 12, 62));
        assert!(at_limit(50, 20, 62));
        assert!(!at_limit(50, 11, 62));
        assert!(!at_limit(5000, 0, 0), "no threshold");
    }

    #[test]
    fn overloaded_maybe_from_the_lower_threshold_up() {
        let mut o = Overload::default();
        o.observe(1099, (1100, 1400), 0.0);
        assert!(!o.within(0.0, 0.0));
        o.observe(1100, (1100, 1400), 1.0);
        assert!(
            o.within(0.0, 1.0),
            "may be overloaded since it touched 1400"
        );
        o.observe(1099, (1100, 1400), 3.0);
        assert!(!o.within(0.0, 3.0));
        assert!(o.within(60.0, 61.0), "recently");
        // No lower threshold: 3/4 of the upper.
        let mut o = Overload::default();
        o.observe(74, (0, 100), 0.0);
        assert!(!o.within(0.0, 0.0));
        o.observe(75, (0, 100), 1.0);
        assert!(o.within(0.0, 1.0));
        o.observe(5000, (0, 0), 2.0);
        assert!(!o.within(0.0, 2.0), "no thresholds");
    }
}
