//! A slow real server: by Little's law, active connections over the rate at
//! which they end is how long a connection lasts (in a steady state that
//! rate is new connections per second; counting the ones that end keeps it
//! true while a server fills or empties, as `lc` makes them do). A server
//! that answers slowly holds its connections longer, so they pile up while
//! (under the least-connection schedulers) new ones go elsewhere; either way
//! its connections last longer than its siblings'. Judged for every scheduler:
//! how long a connection lasts does not depend on how it was scheduled.

/// Slow: connections last this many times the siblings' median.
pub const SLOW_FACTOR: f64 = 3.0;
/// ...and at least this many seconds longer, so that very short
/// connections (DNS over UDP, a few milliseconds) do not count as slow for
/// a difference nobody waits for.
pub const MIN_EXTRA_SECS: f64 = 1.0;
/// Active connections below which a server's own lifetime is not judged: a
/// handful of connections move the estimate too much. Its siblings' count
/// as a reference whenever their connections end: a fast server under
/// light load holds few.
pub const MIN_ACTIVE: u32 = 5;
/// Connections ending per second counted as at least this: a server whose
/// connections have all stopped ending reads as very slow, not unknown.
pub const MIN_CLOSING: f64 = 0.2;

/// How long a connection lasts, in seconds, from active connections and
/// connections ending per second (short window).
pub fn lasts(active: u32, closing: f64) -> f64 {
    active as f64 / closing.max(MIN_CLOSING)
}

/// Whether a server's lifetime is a reference for its siblings': its
/// connections end, or it holds enough of them.
pub fn reference(active: u32, closing: f64) -> bool {
    closing >= MIN_CLOSING || active >= MIN_ACTIVE
}

/// Whether `own` lifetime is slow against the siblings' median.
pub fn slow(own: f64, siblings: f64) -> bool {
    own >= siblings * SLOW_FACTOR && own - siblings >= MIN_EXTRA_SECS
}

/// The median of `sorted` without one element equal to `own` (the server
/// itself), or of all of it when `own` is not in it.
pub fn median_without(sorted: &[f64], own: Option<f64>) -> Option<f64> {
    let skip = own.map(|v| sorted.partition_point(|x| *x < v));
    let skip = skip.filter(|&p| p < sorted.len() && Some(sorted[p]) == own);
    let n = sorted.len() - usize::from(skip.is_some());
    if n == 0 {
        return None;
    }
    let at = |k: usize| match skip {
        Some(p) if k >= p => sorted[k + 1],
        _ => sorted[k],
    };
    Some(if n % 2 == 1 {
        at(n / 2)
    } else {
        (at(n / 2 - 1) + at(n / 2)) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn little_s_law() {
        assert_eq!(lasts(300, 50.0), 6.0);
        assert_eq!(lasts(30, 0.0), 150.0, "none ending: stuck");
        assert!(reference(1, 10.0), "a fast server holds few");
        assert!(!reference(0, 0.0), "no traffic: no reference");
    }

    #[test]
    fn slow_against_the_siblings() {
        assert!(slow(9.8, 0.4));
        assert!(slow(18.0, 6.0));
        assert!(!slow(17.0, 6.0));
        assert!(!slow(0.3, 0.05), "three times longer but by 0.25 s");
    }

    #[test]
    fn median_of_the_siblings() {
        let all = [1.0, 2.0, 3.0, 10.0];
        assert_eq!(median_without(&all, Some(10.0)), Some(2.0));
        assert_eq!(median_without(&all, Some(1.0)), Some(3.0));
        assert_eq!(median_without(&all, None), Some(2.5));
        assert_eq!(median_without(&[4.0, 24.0], Some(24.0)), Some(4.0));
        assert_eq!(median_without(&[4.0], Some(4.0)), None, "no sibling");
        assert_eq!(median_without(&[], None), None);
    }
}
