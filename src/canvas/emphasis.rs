//! What earns colour. Red and yellow mean an alert; bold in the change colour
//! means the operator's own edit or a jump large enough to matter; the rest
//! is plain, so a screen of steady traffic is calm.

use crate::app::{DestRow, Metric};

/// Whether a real server is alerted (draining, set on purpose, is not).
pub fn alerted(d: &DestRow) -> bool {
    d.alert().is_some()
}

/// How many of the latest samples make the "recent average" a jump is
/// measured from (the newest, the value shown, excluded).
pub const RECENT: usize = 10;

/// The smallest move that counts as a jump, per metric: below it a change
/// is noise however large in proportion (2 → 5 CPS is not news).
pub fn floor(m: Metric) -> f64 {
    match m {
        Metric::Cps => 10.0,
        Metric::Active => 20.0,
        Metric::InPps | Metric::OutPps => 100.0,
        Metric::InBps | Metric::OutBps => 100_000.0,
    }
}

/// A jump large enough to matter: `now` differs from the average of the
/// `recent` samples before it by more than half that average and by more
/// than `floor`. Without history there is nothing to jump from.
pub fn big_jump(now: f64, recent: &[u64], floor: f64) -> bool {
    if recent.is_empty() {
        return false;
    }
    let avg = recent.iter().sum::<u64>() as f64 / recent.len() as f64;
    let moved = (now - avg).abs();
    moved > avg * 0.5 && moved > floor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jump_is_more_than_half_and_more_than_the_floor() {
        let steady = [200u64; 10];
        assert!(!big_jump(260.0, &steady, 10.0), "30 % is not a jump");
        assert!(big_jump(301.0, &steady, 10.0), "over half is");
        assert!(big_jump(99.0, &steady, 10.0), "down by over half is");
        assert!(!big_jump(13.0, &[4; 10], 10.0), "under the floor is noise");
        assert!(
            big_jump(15.0, &[0; 10], 10.0),
            "from nothing past the floor"
        );
        assert!(!big_jump(1e6, &[], 10.0), "no history, no jump");
    }
}
