//! Half-open connections piling up on one real server: `SYN_RECV` entries
//! are connections whose handshake did not complete. A healthy server holds
//! few (they last a round trip); one that holds many while its siblings hold
//! few has a broken path: its SYN-ACKs do not reach the clients, or, through
//! NAT, it does not answer (calico#4851: `SYN_RECV` toward 2 of 3 servers).
//! The counts come from the table-wide half-open reading, which may be
//! sampled: the suspect is judged by its count's lower bound and the
//! siblings by their upper bounds, so a margin of error never raises it.

use crate::conns::Count;

/// The fewest half-open entries that are a pile: below, a burst of new
/// clients on a slow link.
pub const MIN_HALF_OPEN: u64 = 20;
/// A pile is this many times the siblings' median (plus one, so siblings
/// holding none still take a pile of `MIN_HALF_OPEN`).
pub const PILE_FACTOR: u64 = 5;

/// The figures of one real server, where judged: its half-open count and
/// its siblings' median, whether they were sampled, and whether that piles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judged {
    pub own: u64,
    pub siblings: u64,
    pub sampled: bool,
    pub piling: bool,
}

/// Judges real server `i` among `counts` (the service's real servers; None
/// for those without a count, and for drained ones, which take no new
/// connection). None without a count for it or for any sibling: one real
/// server alone cannot pile up against others.
pub fn judge(counts: &[Option<Count>], i: usize) -> Option<Judged> {
    let own = counts.get(i).copied().flatten()?;
    let mut siblings: Vec<u64> = counts
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .filter_map(|(_, c)| c.map(|c| c.value() + c.margin()))
        .collect();
    if siblings.is_empty() {
        return None;
    }
    siblings.sort_unstable();
    // The lower median: with two of three servers broken, each is judged
    // against the healthy one.
    let median = siblings[(siblings.len() - 1) / 2];
    let low = own.value().saturating_sub(own.margin());
    Some(Judged {
        own: own.value(),
        siblings: median,
        sampled: !own.is_exact(),
        piling: low >= MIN_HALF_OPEN && low >= PILE_FACTOR * (median + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(v: u64) -> Option<Count> {
        Some(Count::Exact { value: v })
    }

    #[test]
    fn one_server_holding_many_while_siblings_hold_few_piles() {
        let counts = [exact(140), exact(3), exact(1)];
        let j = judge(&counts, 0).unwrap();
        assert_eq!(
            j,
            Judged {
                own: 140,
                siblings: 1,
                sampled: false,
                piling: true
            }
        );
        assert!(!judge(&counts, 1).unwrap().piling, "a sibling is not");
        // Siblings with none: a pile of MIN_HALF_OPEN is one.
        assert!(judge(&[exact(20), exact(0)], 0).unwrap().piling);
        assert!(!judge(&[exact(19), exact(0)], 0).unwrap().piling);
    }

    #[test]
    fn everyone_half_open_is_no_pile_on_one() {
        // A SYN flood spreads over every real server.
        let counts = [exact(300), exact(280), exact(310)];
        for i in 0..3 {
            assert!(!judge(&counts, i).unwrap().piling, "{i}");
        }
        // Two of three broken (calico#4851): each is judged against the
        // healthy one, which is not itself a pile.
        let counts = [exact(200), exact(2), exact(190)];
        assert!(judge(&counts, 0).unwrap().piling);
        assert!(judge(&counts, 2).unwrap().piling);
        assert!(!judge(&counts, 1).unwrap().piling);
    }

    #[test]
    fn unknown_counts_and_lone_servers_are_not_judged() {
        assert_eq!(judge(&[None, exact(3)], 0), None);
        assert_eq!(judge(&[exact(300)], 0), None, "no sibling");
        assert_eq!(judge(&[exact(300), None], 0), None);
    }

    /// A sampled count piles only if its margin cannot explain it.
    #[test]
    fn a_margin_of_error_never_raises_it() {
        let est = |value, margin| Some(Count::Estimated { value, margin });
        let j = judge(&[est(60, 50), exact(1)], 0).unwrap();
        assert!(j.sampled);
        assert!(!j.piling, "10 surely, not a pile");
        assert!(judge(&[est(100, 10), est(2, 2)], 0).unwrap().piling);
        assert!(!judge(&[est(100, 10), est(10, 10)], 0).unwrap().piling);
    }
}
