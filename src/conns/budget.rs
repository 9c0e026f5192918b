//! How much of the connection table to read per refresh.
//!
//! The kernel answers each `read()` of its file with about one page (~62
//! lines) and starts every `read()` by walking its hash table from the first
//! entry, so the first `k` entries cost about k + k²/124 entry steps (the
//! j-th page walks 62·j entries to reach its place). The per-step cost is
//! learned from the walks made (their entries and time), the whole table's
//! cost predicted from it and the expected size N (the real servers'
//! active + inactive + persistent counts from netlink): the table is read
//! whole when that fits the budget, otherwise a bounded prefix, a uniform
//! sample whose cost does not grow with the table.

use std::time::Duration;

/// Lines the kernel hands out per `read()` (a 4 KiB page of ~66-byte lines).
pub const PAGE_ENTRIES: f64 = 62.0;

/// Entry steps the kernel takes to hand out the first `k` entries.
pub fn steps(k: u64) -> f64 {
    let k = k as f64;
    k + k * k / (2.0 * PAGE_ENTRIES)
}

/// What reading the table costs, learned from walks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CostModel {
    /// Seconds per entry step; None until a walk long enough to time.
    per_step: Option<f64>,
}

/// Walks shorter than this say little about the per-step cost (fixed costs
/// of opening the file dominate).
const LEARN_MIN_ENTRIES: u64 = 62;

impl CostModel {
    /// Learns from a walk of `entries` entries that took `took`: the newest
    /// walk weighs half, so a table that grew or a busier machine shows
    /// within a few refreshes.
    pub fn learn(&mut self, entries: u64, took: Duration) {
        if entries < LEARN_MIN_ENTRIES {
            return;
        }
        let rate = took.as_secs_f64() / steps(entries);
        self.per_step = Some(match self.per_step {
            Some(old) => (old + rate) / 2.0,
            None => rate,
        });
    }

    /// The predicted time to read the first `entries` entries.
    pub fn predict(&self, entries: u64) -> Option<Duration> {
        self.per_step
            .map(|r| Duration::from_secs_f64((r * steps(entries)).min(1e9)))
    }

    /// The most entries a walk can read within `budget` (None: not learned).
    pub fn entries_within(&self, budget: Duration) -> Option<u64> {
        let r = self.per_step?;
        if r <= 0.0 {
            return Some(u64::MAX);
        }
        // Solve k + k²/(2P) = budget/r for k.
        let s = budget.as_secs_f64() / r;
        let p2 = 2.0 * PAGE_ENTRIES;
        let k = (-p2 + (p2 * p2 + 4.0 * p2 * s).sqrt()) / 2.0;
        Some(k.max(0.0).floor() as u64)
    }
}

/// The owner thread's time for the connection table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Per refresh, for the view's reading and the half-open counts, or for
    /// an exact read's slice.
    pub per_refresh: Duration,
    /// The most entries a sampled reading takes.
    pub sample: u64,
    /// The fewest: below this the margins say little, so a slow kernel still
    /// gets this many (four pages).
    pub min_sample: u64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            per_refresh: Duration::from_millis(150),
            sample: 4_000,
            min_sample: 248,
        }
    }
}

/// What one refresh reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Entries to read at most (None: to the end of the table).
    pub limit: Option<u64>,
    /// When to stop whatever the limit, should the prediction be wrong.
    pub deadline: Duration,
}

impl Budget {
    /// The read for a table of about `expected` entries.
    pub fn plan(&self, model: &CostModel, expected: u64) -> Plan {
        // A walk past twice its budget was mispredicted: it stops, sampled.
        let deadline = self.per_refresh * 2;
        let whole = Plan {
            limit: None,
            deadline,
        };
        match model.predict(expected) {
            Some(t) if t <= self.per_refresh => whole,
            // Not learned yet: the sample's size is safe to read whatever
            // the table, and reads a small table whole.
            None => Plan {
                limit: Some(self.sample),
                deadline,
            },
            Some(_) => {
                let fits = model
                    .entries_within(self.per_refresh)
                    .unwrap_or(self.sample);
                Plan {
                    limit: Some(fits.clamp(self.min_sample, self.sample)),
                    deadline,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kernel at 270 ns per step (the test VM's `cat` of 50,000 entries in
    /// about 5.5 s is 20 M steps).
    fn vm_like() -> CostModel {
        let mut m = CostModel::default();
        m.learn(4_000, Duration::from_secs_f64(270e-9 * steps(4_000)));
        m
    }

    #[test]
    fn steps_grow_with_the_square_of_the_prefix() {
        assert_eq!(steps(0), 0.0);
        assert_eq!(steps(62), 62.0 + 31.0);
        let ratio = steps(200_000) / steps(50_000);
        assert!((15.9..16.0).contains(&ratio), "{ratio}");
    }

    #[test]
    fn learns_the_step_cost_and_predicts_the_whole_read() {
        let m = vm_like();
        let whole = m.predict(50_000).unwrap().as_secs_f64();
        assert!((5.4..5.6).contains(&whole), "{whole}");
        let k = m.entries_within(Duration::from_millis(150)).unwrap();
        assert!(m.predict(k).unwrap() <= Duration::from_millis(150));
        assert!(m.predict(k + 2).unwrap() > Duration::from_millis(150));
        // Too short a walk teaches nothing.
        let mut fresh = CostModel::default();
        fresh.learn(10, Duration::from_millis(1));
        assert_eq!(fresh.predict(10), None);
    }

    #[test]
    fn a_small_table_is_read_whole_a_big_one_by_a_bounded_prefix() {
        let b = Budget::default();
        let m = vm_like();
        // ~7,000 entries: about 0.11 s whole at 270 ns per step.
        assert_eq!(b.plan(&m, 7_000).limit, None);
        let big = b.plan(&m, 1_000_000);
        let small = b.plan(&m, 200_000);
        assert_eq!(big, small, "the prefix does not grow with the table");
        let k = big.limit.unwrap();
        assert!((b.min_sample..=b.sample).contains(&k));
        assert!(m.predict(k).unwrap() <= b.per_refresh);
        assert_eq!(big.deadline, b.per_refresh * 2);
    }

    #[test]
    fn before_any_walk_the_sample_size_is_read() {
        let b = Budget::default();
        let p = b.plan(&CostModel::default(), 1_000_000);
        assert_eq!(p.limit, Some(b.sample));
    }

    #[test]
    fn a_slow_kernel_still_gets_the_smallest_useful_sample() {
        let b = Budget::default();
        let mut m = CostModel::default();
        m.learn(1_000, Duration::from_secs(5));
        assert_eq!(b.plan(&m, 1_000_000).limit, Some(b.min_sample));
    }

    #[test]
    fn the_newest_walk_weighs_half() {
        let mut m = CostModel::default();
        m.learn(1_000, Duration::from_secs_f64(1e-6 * steps(1_000)));
        m.learn(1_000, Duration::from_secs_f64(3e-6 * steps(1_000)));
        let t = m.predict(1_000).unwrap().as_secs_f64();
        let want = 2e-6 * steps(1_000);
        assert!((t - want).abs() < want * 1e-6, "{t} vs {want}");
    }
}
