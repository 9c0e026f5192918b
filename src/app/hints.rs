//! Conditions worth a glance, flagged on real-server rows. The store derives
//! them when a poll reads a real server (see `ServiceRow::derive_hints`); the
//! canvas only draws them.

use crate::model::Dest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// Weight > 0 but no new connections while its siblings get them.
    Idle,
    /// Weight 0 with connections still draining.
    Draining,
    /// Active + inactive connections at the upper threshold: the scheduler
    /// skips it (IPVS marks it overloaded).
    AtLimit,
}

impl Hint {
    pub fn label(self) -> &'static str {
        match self {
            Hint::Idle => "idle",
            Hint::Draining => "draining",
            Hint::AtLimit => "at limit",
        }
    }
}

/// The hint for one real server, given its new connections per second
/// (`None` where unknown) and whether its siblings get new connections.
#[inline]
pub fn hint(dest: &Dest, cps: Option<f64>, siblings_busy: bool) -> Option<Hint> {
    let conns = dest.active_conns as u64 + dest.inactive_conns as u64;
    if dest.upper_threshold > 0 && conns >= dest.upper_threshold as u64 {
        return Some(Hint::AtLimit);
    }
    if dest.weight == 0 && conns > 0 {
        return Some(Hint::Draining);
    }
    if dest.weight > 0 && siblings_busy {
        if let Some(cps) = cps {
            if cps == 0.0 {
                return Some(Hint::Idle);
            }
        }
    }
    None
}

/// Whether any real server other than this one is getting new connections,
/// from how many of the service's real servers are (`busy`) and whether this
/// one is (`own`): one count per service instead of a pass per real server.
#[inline]
pub fn siblings_busy(busy: usize, own: bool) -> bool {
    busy > usize::from(own)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    fn dest(weight: u32, active: u32) -> Dest {
        let mut d = Dest::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), 80);
        d.weight = weight;
        d.active_conns = active;
        d
    }

    #[test]
    fn hints() {
        let (busy, quiet) = (5.0, 0.0);
        assert_eq!(hint(&dest(1, 0), Some(quiet), true), Some(Hint::Idle));
        assert_eq!(hint(&dest(1, 0), Some(quiet), false), None);
        assert_eq!(hint(&dest(1, 0), Some(busy), true), None);
        assert_eq!(hint(&dest(1, 0), None, true), None, "unknown is not idle");
        assert_eq!(hint(&dest(0, 3), Some(quiet), true), Some(Hint::Draining));
        assert_eq!(hint(&dest(0, 0), Some(quiet), true), None);
        let mut full = dest(1, 10);
        full.upper_threshold = 10;
        assert_eq!(hint(&full, Some(busy), true), Some(Hint::AtLimit));
        // Siblings busy, quiet, unknown: one of the three is busy.
        let rates = [Some(busy), Some(quiet), None];
        let count = rates.iter().filter(|r| r.is_some_and(|c| c > 0.0)).count();
        let own = |i: usize| rates[i].is_some_and(|c: f64| c > 0.0);
        assert!(siblings_busy(count, own(1)));
        assert!(!siblings_busy(count, own(0)));
    }
}
