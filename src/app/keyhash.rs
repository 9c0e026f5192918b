//! A fast hasher for the table's own keys (service keys from the kernel, not
//! input an attacker picks): the row index is rebuilt and probed for every
//! service when services come or go, where SipHash would be most of the
//! cost.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Multiply-rotate hashing of each written word (as rustc's FxHasher), with
/// a final mix.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or_default()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    fn write_u16(&mut self, i: u16) {
        self.add(i as u64);
    }

    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// Multiplying leaves the low bits depending on the low bits of the
    /// input only (an address's varying octet sits high in its word), and
    /// the map picks buckets by the low bits: fold the high half in.
    fn finish(&self) -> u64 {
        let h = self.0 ^ (self.0 >> 29);
        let h = h.wrapping_mul(SEED);
        h ^ (h >> 32)
    }
}

/// A map keyed by table keys.
pub type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Protocol, ServiceKey};
    use std::net::{IpAddr, Ipv4Addr};

    #[test]
    fn distinct_keys_spread_over_buckets() {
        let mut map: KeyMap<ServiceKey, usize> = KeyMap::default();
        let mut top_bits = std::collections::HashSet::new();
        let mut low_bits = std::collections::HashSet::new();
        for i in 0..4096u32 {
            let key = ServiceKey::Addr {
                protocol: Protocol::Tcp,
                addr: IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i)),
                port: 80,
            };
            map.insert(key, i as usize);
            let mut h = KeyHasher::default();
            std::hash::Hash::hash(&key, &mut h);
            top_bits.insert(h.finish() >> 52);
            low_bits.insert(h.finish() & 0xfff);
        }
        assert_eq!(map.len(), 4096);
        // The top 12 bits (hashbrown's control bytes use the top 7) take
        // most of their 4096 values.
        assert!(top_bits.len() > 2000, "{}", top_bits.len());
        // And so do the low 12 (the bucket index).
        assert!(low_bits.len() > 2000, "{}", low_bits.len());
        for i in 0..4096u32 {
            let key = ServiceKey::Addr {
                protocol: Protocol::Tcp,
                addr: IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i)),
                port: 80,
            };
            assert_eq!(map[&key], i as usize);
        }
    }
}
