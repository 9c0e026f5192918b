//! Where an entry sits in the demo's connection table. As in the kernel
//! (ip_vs_conn_hashkey), the bucket is a keyed hash of the protocol, client
//! address and client port, and a walk goes bucket by bucket, so any prefix
//! of a walk is a uniform sample. Here the bucket is chosen first and the
//! client port solved from it: entries come out in table order without being
//! collected and sorted.

use std::net::IpAddr;

/// Buckets of the table (the demo reports CONFIG_IP_VS_TAB_BITS = 12).
pub const BUCKETS: u64 = 4096;
/// Client ports are Linux's ephemeral range rounded to whole buckets,
/// 32768-61439: seven per bucket and client address.
const EPHEMERAL: u16 = 32768;
pub const PORT_SLOTS: u64 = 7;
/// Odd, so that for one client address port -> bucket is a bijection.
const PORT_MULT: u64 = 0x6a5;
const PORT_MULT_INV: u64 = inverse(PORT_MULT);
/// Odd stride spreading a real server's consecutive connections over the buckets.
const STRIDE: u64 = 0x9e3;
const STRIDE_INV: u64 = inverse(STRIDE);

/// The inverse of an odd number modulo BUCKETS (Newton's iteration).
const fn inverse(a: u64) -> u64 {
    let mut x = a;
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x % BUCKETS
}

/// splitmix64's finaliser: a cheap, well-mixed 64-bit hash step.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The table's hash key (the kernel's `ip_vs_conn_rnd`), from the demo seed;
/// it never touches the simulation's random stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableKey(u64);

impl TableKey {
    pub fn new(seed: u64) -> TableKey {
        TableKey(mix(seed ^ 0x636f_6e6e_7461_626c))
    }

    /// A hash of `parts` under the key.
    pub fn of(&self, parts: &[u64]) -> u64 {
        parts.iter().fold(
            self.0,
            |h, p| mix(h ^ p.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        )
    }

    fn addr_hash(&self, proto: u8, addr: IpAddr) -> u64 {
        let bits = match addr {
            IpAddr::V4(a) => u32::from(a) as u128,
            IpAddr::V6(a) => u128::from(a),
        };
        self.of(&[proto as u64, bits as u64, (bits >> 64) as u64])
    }

    /// The bucket of an entry: what orders a walk of the table.
    pub fn bucket(&self, proto: u8, client: IpAddr, port: u16) -> u64 {
        (self.addr_hash(proto, client) + port as u64 * PORT_MULT) % BUCKETS
    }

    /// A client port that puts `client` in `bucket`; `slot` picks one of
    /// the PORT_SLOTS such ports.
    pub fn port_in(&self, bucket: u64, proto: u8, client: IpAddr, slot: u64) -> u16 {
        let base = self.addr_hash(proto, client) % BUCKETS;
        let low = (bucket + BUCKETS - base) % BUCKETS * PORT_MULT_INV % BUCKETS;
        EPHEMERAL + low as u16 + 4096 * (slot % PORT_SLOTS) as u16
    }
}

/// A real server's connections, numbered by `seq`, are spread over the
/// buckets by a stride permutation from the server's own `offset`.
pub fn bucket_of_seq(seq: u64, offset: u64) -> u64 {
    ((seq % BUCKETS) * STRIDE + offset) % BUCKETS
}

/// The first number at or after `from` whose connection sits in `bucket`;
/// the next ones follow every BUCKETS.
pub fn first_seq_in(bucket: u64, offset: u64, from: u64) -> u64 {
    let residue = (bucket + BUCKETS - offset % BUCKETS) % BUCKETS * STRIDE_INV % BUCKETS;
    from + (residue + BUCKETS - from % BUCKETS) % BUCKETS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverses_invert() {
        assert_eq!(PORT_MULT * PORT_MULT_INV % BUCKETS, 1);
        assert_eq!(STRIDE * STRIDE_INV % BUCKETS, 1);
    }

    #[test]
    fn the_solved_port_lands_in_the_bucket() {
        let key = TableKey::new(42);
        let addrs: [IpAddr; 2] = [
            "172.16.3.9".parse().unwrap(),
            "2001:db8:c1::7".parse().unwrap(),
        ];
        for addr in addrs {
            for bucket in [0, 1, 777, BUCKETS - 1] {
                for slot in 0..PORT_SLOTS {
                    let port = key.port_in(bucket, 6, addr, slot);
                    assert!((32768..=61439).contains(&port), "{port}");
                    assert_eq!(key.bucket(6, addr, port), bucket);
                }
            }
        }
        // Another key puts the same client elsewhere: the order is keyed.
        let other = TableKey::new(43);
        let a = addrs[0];
        assert!((0..64u16).any(|p| key.bucket(6, a, 50000 + p) != other.bucket(6, a, 50000 + p)));
    }

    #[test]
    fn seqs_found_per_bucket_are_exactly_those_in_it() {
        let offset = 1234;
        for bucket in [0, 5, 4095] {
            for from in [0, 17, 9000] {
                let first = first_seq_in(bucket, offset, from);
                assert!(first >= from && first < from + BUCKETS);
                assert_eq!(bucket_of_seq(first, offset), bucket);
                let before = (from..first).filter(|s| bucket_of_seq(*s, offset) == bucket);
                assert_eq!(before.count(), 0);
            }
        }
    }
}
