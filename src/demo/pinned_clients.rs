//! The client each connection of a persistent service was first shown with.
//! It must sit in a network whose template pins it to the connection's real
//! server, and the simulation's templates come and go while connections
//! live, so it is chosen once and remembered until the connection leaves.

use std::collections::HashMap;
use std::net::IpAddr;

/// Beyond this many (a huge demo), new choices are no longer remembered:
/// memory stays bounded, at the cost of a client that may change.
const MAX: usize = 1 << 20;

#[derive(Debug, Clone, Default)]
pub struct PinnedClients {
    /// (real server id, connection number) -> client address.
    by_conn: HashMap<(u64, u64), IpAddr>,
    /// Size after the last clean-up: the next waits until it has doubled,
    /// so a read pays for forgetting only now and then.
    kept: usize,
}

impl PinnedClients {
    /// The remembered client of connection `seq` of real server `dest`, or
    /// the one `choose` gives, remembered from now on.
    pub fn get_or(&mut self, dest: u64, seq: u64, choose: impl FnOnce() -> IpAddr) -> IpAddr {
        if let Some(a) = self.by_conn.get(&(dest, seq)) {
            return *a;
        }
        let a = choose();
        if self.by_conn.len() < MAX {
            self.by_conn.insert((dest, seq), a);
        }
        a
    }

    /// Forgets connections that left, once enough may have: `first_live`
    /// maps each real server with live connections to its oldest number.
    pub fn forget_gone(&mut self, first_live: impl FnOnce() -> HashMap<u64, u64>) {
        if self.by_conn.len() <= 2 * self.kept.max(4096) {
            return;
        }
        let first_live = first_live();
        self.by_conn
            .retain(|(dest, seq), _| first_live.get(dest).is_some_and(|lo| seq >= lo));
        self.kept = self.by_conn.len();
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_conn.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_is_kept_until_its_connection_leaves() {
        let mut p = PinnedClients::default();
        let a: IpAddr = "172.16.0.9".parse().unwrap();
        let b: IpAddr = "172.16.7.1".parse().unwrap();
        assert_eq!(p.get_or(1, 40, || a), a);
        assert_eq!(p.get_or(1, 40, || b), a);
        // Few remembered: not worth a clean-up yet.
        p.forget_gone(HashMap::new);
        assert_eq!(p.get_or(1, 40, || b), a);
        for seq in 0..10_000 {
            p.get_or(2, seq, || b);
        }
        p.forget_gone(|| HashMap::from([(1, 41), (2, 9_000)]));
        assert_eq!(p.len(), 1000);
        assert_eq!(p.get_or(1, 40, || b), b);
    }
}
