//! Traffic share far from what the weights ask for: judged only where the
//! scheduler makes weight predict the share of new connections.

/// What share of new connections a real server should get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// In proportion to its weight: `wrr` deals connections by weight;
    /// `wlc`, `sed` and `nq` balance active connections per unit of weight,
    /// so with equal connection lifetimes new connections follow weight too.
    ByWeight,
    /// An equal share among the servers with a weight above zero: `rr`
    /// takes them in turn and `lc` balances active connections, both
    /// blind to the weight's value (0 only takes a server out).
    Even,
}

/// Whether weight predicts share under `scheduler`. The others spread by
/// something else: `sh`, `dh` and `mh` hash the client or destination
/// address, `lblc` and `lblcr` keep a destination on its server, `fo`
/// sends everything to the heaviest available server, `ovf` fills the
/// heaviest up to its weight first, and `twos` picks the lighter of two
/// random servers. Persistence pins each client network to a server for
/// the timeout, so a persistent service's share follows its clients too.
pub fn expectation(scheduler: &str, persistent: bool) -> Option<Expect> {
    if persistent {
        return None;
    }
    match scheduler {
        "wrr" | "wlc" | "sed" | "nq" => Some(Expect::ByWeight),
        "rr" | "lc" => Some(Expect::Even),
        _ => None,
    }
}

/// A share this many times below or above the expected one is far.
pub const FAR_FACTOR: f64 = 2.0;
/// New connections the expected share must amount to over the long window
/// before a share is judged: with fewer, chance alone moves shares by the
/// factor (30 expected gives a standard deviation of about a fifth).
pub const MIN_EXPECTED_CONNS: f64 = 30.0;

/// The service's side of a share: its real servers with a weight above
/// zero, their weights summed, and new connections per second over the
/// long window summed over every real server.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pool {
    pub up: u32,
    pub weights: u64,
    pub cps: f64,
}

/// The share a real server got and the one expected, where judged: its
/// weight, and its new connections per second over the long window.
pub fn shares(expect: Expect, pool: &Pool, weight: u32, cps: f64) -> Option<(f64, f64)> {
    if weight == 0 || pool.cps <= 0.0 || pool.weights == 0 {
        return None;
    }
    let expected = match expect {
        Expect::ByWeight => weight as f64 / pool.weights as f64,
        Expect::Even => 1.0 / pool.up.max(1) as f64,
    };
    if expected * pool.cps * super::window::LONG_SECS < MIN_EXPECTED_CONNS {
        return None;
    }
    Some((cps / pool.cps, expected))
}

/// Whether a share is far from the expected one.
pub fn far((got, expected): (f64, f64)) -> bool {
    got * FAR_FACTOR < expected || got > expected * FAR_FACTOR
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_schedulers_predict_share() {
        for s in ["wrr", "wlc", "sed", "nq"] {
            assert_eq!(expectation(s, false), Some(Expect::ByWeight), "{s}");
        }
        for s in ["rr", "lc"] {
            assert_eq!(expectation(s, false), Some(Expect::Even), "{s}");
        }
        for s in ["sh", "dh", "mh", "lblc", "lblcr", "fo", "ovf", "twos"] {
            assert_eq!(expectation(s, false), None, "{s}");
        }
        assert_eq!(expectation("wrr", true), None, "persistence pins clients");
    }

    #[test]
    fn far_shares_are_flagged_and_near_ones_not() {
        let pool = Pool {
            up: 4,
            weights: 350,
            cps: 300.0,
        };
        // Weight 100 of 350: 29 % expected.
        let s = shares(Expect::ByWeight, &pool, 100, 10.0).unwrap();
        assert!((s.1 - 100.0 / 350.0).abs() < 1e-9);
        assert!(far(s), "3 % against 29 %");
        assert!(!far(shares(Expect::ByWeight, &pool, 100, 60.0).unwrap()));
        assert!(!far(shares(Expect::ByWeight, &pool, 100, 150.0).unwrap()));
        assert!(far(shares(Expect::ByWeight, &pool, 100, 180.0).unwrap()));
        // rr and lc: an even split whatever the weights.
        let s = shares(Expect::Even, &pool, 7, 75.0).unwrap();
        assert_eq!(s, (0.25, 0.25));
        assert_eq!(shares(Expect::ByWeight, &pool, 0, 0.0), None, "drained");
    }

    #[test]
    fn too_few_connections_are_not_judged() {
        let pool = Pool {
            up: 2,
            weights: 2,
            cps: 0.8,
        };
        // 0.4 per second expected over 60 s: 24 connections.
        assert_eq!(shares(Expect::Even, &pool, 1, 0.0), None);
        let busier = Pool { cps: 1.2, ..pool };
        assert!(far(shares(Expect::Even, &busier, 1, 0.0).unwrap()));
    }
}
