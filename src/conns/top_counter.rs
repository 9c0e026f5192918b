//! The most frequent keys of a stream in bounded memory (Space-Saving,
//! Metwally, Agrawal and El Abbadi, 2005).
//!
//! `capacity` counters: a new key takes over the smallest counter and
//! inherits its count as its possible error. After `m` keys, each kept
//! count is an upper bound on the truth, off by at most its `error` (and
//! `error` ≤ m / capacity); every key seen more than m / capacity times is
//! kept. A min-heap over the counters makes each key O(log capacity).

use std::collections::HashMap;
use std::hash::Hash;

/// One kept key: seen at most `count` times, at least `count - error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Top<K> {
    pub key: K,
    pub count: u64,
    pub error: u64,
}

impl<K> Top<K> {
    /// The count the key surely reached.
    pub fn at_least(&self) -> u64 {
        self.count - self.error
    }
}

#[derive(Debug, Clone)]
pub struct TopCounter<K> {
    capacity: usize,
    slots: Vec<Top<K>>,
    /// Slot indices as a min-heap on count.
    heap: Vec<usize>,
    /// Each slot's place in `heap`.
    place: Vec<usize>,
    index: HashMap<K, usize>,
    seen: u64,
}

impl<K: Copy + Eq + Hash> TopCounter<K> {
    pub fn new(capacity: usize) -> TopCounter<K> {
        TopCounter {
            capacity: capacity.max(1),
            slots: Vec::new(),
            heap: Vec::new(),
            place: Vec::new(),
            index: HashMap::new(),
            seen: 0,
        }
    }

    pub fn add(&mut self, key: K) {
        self.seen += 1;
        if let Some(&i) = self.index.get(&key) {
            self.slots[i].count += 1;
            self.sift_down(self.place[i]);
        } else if self.slots.len() < self.capacity {
            let i = self.slots.len();
            self.slots.push(Top {
                key,
                count: 1,
                error: 0,
            });
            self.index.insert(key, i);
            self.heap.push(i);
            self.place.push(self.heap.len() - 1);
            self.sift_up(self.heap.len() - 1);
        } else {
            let i = self.heap[0];
            let min = self.slots[i].count;
            self.index.remove(&self.slots[i].key);
            self.slots[i] = Top {
                key,
                count: min + 1,
                error: min,
            };
            self.index.insert(key, i);
            self.sift_down(0);
        }
    }

    /// Keys counted so far (with repeats).
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The largest error any kept count can have: seen / capacity.
    pub fn error_bound(&self) -> u64 {
        if self.slots.len() < self.capacity {
            0
        } else {
            self.seen / self.capacity as u64
        }
    }

    /// The `n` largest counts, largest first (ties: the surer count first).
    pub fn top(&self, n: usize) -> Vec<Top<K>> {
        let mut all = self.slots.clone();
        all.sort_by(|a, b| b.count.cmp(&a.count).then(a.error.cmp(&b.error)));
        all.truncate(n);
        all
    }

    fn count_at(&self, h: usize) -> u64 {
        self.slots[self.heap[h]].count
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.heap.swap(a, b);
        self.place[self.heap[a]] = a;
        self.place[self.heap[b]] = b;
    }

    fn sift_up(&mut self, mut h: usize) {
        while h > 0 {
            let parent = (h - 1) / 2;
            if self.count_at(parent) <= self.count_at(h) {
                break;
            }
            self.swap(parent, h);
            h = parent;
        }
    }

    fn sift_down(&mut self, mut h: usize) {
        loop {
            let (l, r) = (2 * h + 1, 2 * h + 2);
            let mut least = h;
            if l < self.heap.len() && self.count_at(l) < self.count_at(least) {
                least = l;
            }
            if r < self.heap.len() && self.count_at(r) < self.count_at(least) {
                least = r;
            }
            if least == h {
                return;
            }
            self.swap(least, h);
            h = least;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_while_the_keys_fit() {
        let mut t = TopCounter::new(8);
        for k in [3, 1, 3, 2, 3, 1] {
            t.add(k);
        }
        let top = t.top(2);
        assert_eq!((top[0].key, top[0].count, top[0].error), (3, 3, 0));
        assert_eq!((top[1].key, top[1].count, top[1].error), (1, 2, 0));
        assert_eq!(t.error_bound(), 0);
    }

    /// Heavy keys among many light ones: each heavy key is kept, its count
    /// within the stated bound of the truth, with 64 counters for 10,000 keys.
    #[test]
    fn heavy_keys_survive_a_stream_of_light_ones_within_the_bound() {
        let mut t = TopCounter::new(64);
        let mut truth = HashMap::new();
        let mut x: u64 = 7;
        for i in 0..20_000u64 {
            // Every 4th key is one of 3 heavy ones; the rest are mostly unique.
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let key = if i % 4 == 0 {
                i % 3
            } else {
                1000 + (x >> 40) % 50_000
            };
            *truth.entry(key).or_insert(0u64) += 1;
            t.add(key);
        }
        let bound = t.error_bound();
        assert_eq!(bound, 20_000 / 64);
        let top = t.top(3);
        let mut keys: Vec<u64> = top.iter().map(|k| k.key).collect();
        keys.sort();
        assert_eq!(keys, [0, 1, 2]);
        for k in &top {
            let real = truth[&k.key];
            assert!(k.count >= real && k.at_least() <= real, "{k:?} vs {real}");
            assert!(k.count - real <= bound);
        }
    }
}
