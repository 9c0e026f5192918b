//! When a condition becomes an alert and when the alert goes: evidence
//! builds up while the condition holds and drains while it does not, so a
//! condition true most of the time still raises; a raised alert clears only
//! once the condition has been absent for a while, so it never flaps.

/// Seconds of evidence that raise an alert: about ten polls at the usual
/// 1 s delay, five at 2 s. Long enough that a spike of one or two polls
/// (a burst, an estimator tick) never raises; short enough that the demo's
/// slow server is flagged well within 30 s of its start.
pub const RAISE_AFTER: f32 = 8.0;
/// Seconds a raised alert's condition must stay absent before it clears:
/// several times `RAISE_AFTER`, so a condition hovering at its threshold
/// keeps one alert instead of raising and clearing it every few polls.
pub const CLEAR_AFTER: f32 = 30.0;
/// The most one reading counts for: a real server read rarely (off screen,
/// once per sweep) needs two readings to raise, not one.
pub const STEP_MAX: f32 = 5.0;

/// One condition's state on one real server.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Hysteresis {
    evidence: f32,
    absent: f32,
    raised: bool,
}

impl Hysteresis {
    /// Takes one reading `dt` seconds after the last one, where the
    /// condition `holds` or not; true while the alert is raised.
    pub fn step(&mut self, holds: bool, dt: f32) -> bool {
        let dt = dt.clamp(0.0, STEP_MAX);
        if self.raised {
            if holds {
                self.absent = 0.0;
            } else {
                self.absent += dt;
                if self.absent >= CLEAR_AFTER {
                    *self = Hysteresis::default();
                }
            }
        } else if holds {
            self.evidence += dt;
            if self.evidence >= RAISE_AFTER {
                self.raised = true;
                self.absent = 0.0;
            }
        } else {
            self.evidence = (self.evidence - dt).max(0.0);
        }
        self.raised
    }

    #[cfg(test)]
    pub fn raised(&self) -> bool {
        self.raised
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Steps of `dt` seconds with the condition as given; the raised state
    /// after each.
    fn run(h: &mut Hysteresis, dt: f32, holds: impl IntoIterator<Item = bool>) -> Vec<bool> {
        holds.into_iter().map(|c| h.step(c, dt)).collect()
    }

    #[test]
    fn raises_only_after_the_condition_held_for_a_while() {
        let mut h = Hysteresis::default();
        let polls = RAISE_AFTER as usize;
        let raised = run(&mut h, 1.0, std::iter::repeat_n(true, polls));
        assert_eq!(raised.iter().filter(|r| **r).count(), 1, "{raised:?}");
        assert!(raised[polls - 1], "raised at {RAISE_AFTER} s");
        // At a 2 s refresh it takes the same time, in half the polls.
        let mut h = Hysteresis::default();
        let raised = run(&mut h, 2.0, std::iter::repeat_n(true, polls / 2));
        assert_eq!(raised.last(), Some(&true));
        assert!(!raised[polls / 2 - 2]);
    }

    #[test]
    fn holds_while_the_condition_holds_and_clears_after_it_stopped() {
        let mut h = Hysteresis::default();
        run(&mut h, 1.0, std::iter::repeat_n(true, 20));
        assert!(h.raised());
        let gone = CLEAR_AFTER as usize;
        let raised = run(&mut h, 1.0, std::iter::repeat_n(false, gone));
        assert!(raised[..gone - 1].iter().all(|r| *r), "held until cleared");
        assert!(!raised[gone - 1], "cleared after {CLEAR_AFTER} s");
        // Cleared means starting over: one poll of the condition is not
        // enough to raise again.
        assert!(!h.step(true, 1.0));
    }

    #[test]
    fn a_condition_flickering_at_its_threshold_does_not_flap() {
        // Never raised by a condition true one poll in three.
        let mut h = Hysteresis::default();
        let sparse = (0..300).map(|i| i % 3 == 0);
        assert!(run(&mut h, 1.0, sparse).iter().all(|r| !r));
        // Raised by one true two polls in three, then held through it: one
        // change of state in all.
        let mut h = Hysteresis::default();
        let dense = run(&mut h, 1.0, (0..300).map(|i| i % 3 != 0));
        let changes = dense.windows(2).filter(|w| w[0] != w[1]).count();
        assert_eq!(changes, 1, "{dense:?}");
    }

    #[test]
    fn a_rarely_read_server_needs_two_readings() {
        let mut h = Hysteresis::default();
        assert!(!h.step(true, 10.0));
        assert!(h.step(true, 10.0));
    }
}
