//! How a reading was made (the whole table, or a prefix of it) and what a
//! count from it is worth.
//!
//! The kernel lists entries in the order of a keyed random hash of the
//! client, so a prefix of the listing is a uniform sample without
//! replacement. A count of `x` entries among `n` read of a table of `N` is
//! scaled to `x·N/n`, with a margin of error at 95 %:
//!
//!   margin = 1.96 · N · sqrt(p(1-p) / n') · sqrt((N-n) / (N-1))
//!
//! the normal approximation with the finite-population correction, where
//! p = (x+2)/(n+4) and n' = n+4 (Agresti-Coull: without the +2/+4, a state
//! seen 0 times in the sample would claim a margin of 0).

use serde::Serialize;

/// Whether a reading saw the whole table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Sampling {
    /// Every entry was read.
    Exact,
    /// The first `read` entries of a table of about `expected`.
    Sampled { read: u64, expected: u64 },
}

/// A count from a reading: exact, or scaled from a sample with its margin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Count {
    Exact { value: u64 },
    Estimated { value: u64, margin: u64 },
}

impl Count {
    /// The count, or the estimate's central value.
    pub fn value(&self) -> u64 {
        match *self {
            Count::Exact { value } | Count::Estimated { value, .. } => value,
        }
    }

    /// 0 for an exact count.
    pub fn margin(&self) -> u64 {
        match *self {
            Count::Exact { .. } => 0,
            Count::Estimated { margin, .. } => margin,
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Count::Exact { .. })
    }
}

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.96;

impl Sampling {
    /// What `x` entries counted in this reading stand for in the table.
    pub fn count(&self, x: u64) -> Count {
        match *self {
            Sampling::Exact => Count::Exact { value: x },
            Sampling::Sampled { read: 0, expected } => Count::Estimated {
                value: 0,
                margin: expected,
            },
            Sampling::Sampled { read, expected } => {
                let n = read as f64;
                let big_n = expected.max(read) as f64;
                let value = (x as f64 * big_n / n).round() as u64;
                let p = (x as f64 + 2.0) / (n + 4.0);
                let fpc = if big_n > 1.0 {
                    ((big_n - n) / (big_n - 1.0)).max(0.0).sqrt()
                } else {
                    0.0
                };
                let margin = Z95 * big_n * (p * (1.0 - p) / (n + 4.0)).sqrt() * fpc;
                Count::Estimated {
                    value,
                    margin: margin.ceil() as u64,
                }
            }
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Sampling::Exact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_readings_count_as_read() {
        assert_eq!(Sampling::Exact.count(42), Count::Exact { value: 42 });
        assert!(Sampling::Exact.count(0).is_exact());
    }

    #[test]
    fn samples_scale_by_n_over_read_with_a_margin() {
        let s = Sampling::Sampled {
            read: 4_000,
            expected: 1_000_000,
        };
        let c = s.count(1_000);
        assert_eq!(c.value(), 250_000);
        // p≈0.25, n≈4000: 1.96·1e6·sqrt(0.25·0.75/4004)·sqrt(996000/999999) ≈ 13,400.
        assert!((13_300..13_500).contains(&c.margin()), "{c:?}");
        // Never seen in the sample is not "none": the margin says how many could hide.
        let zero = s.count(0);
        assert_eq!(zero.value(), 0);
        assert!(zero.margin() > 0);
        // A sample of the whole table has no sampling error left.
        let all = Sampling::Sampled {
            read: 500,
            expected: 500,
        };
        assert_eq!(
            all.count(100),
            Count::Estimated {
                value: 100,
                margin: 0
            }
        );
    }

    /// The population's own order, shuffled by a fixed generator: the same
    /// samples every run, so the coverage is a fact, not a coin toss.
    fn shuffled_prefix(population: &mut [bool], n: usize, state: &mut u64) {
        for i in 0..n {
            *state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let j = i + ((*state >> 33) as usize) % (population.len() - i);
            population.swap(i, j);
        }
    }

    /// 400 samples of 1,000 from 20,000 entries for shares of 30 %, 5 % and
    /// 0.2 %: the interval holds the true count in about 95 % of them (at
    /// least 95 % for a rare state, where the +2/+4 errs on the safe side).
    #[test]
    fn the_margin_holds_the_truth_at_the_stated_rate() {
        const N: usize = 20_000;
        const SAMPLE: usize = 1_000;
        const TRIALS: usize = 400;
        let mut state = 0x5eed;
        for truth in [6_000, 1_000, 40] {
            let mut population: Vec<bool> = (0..N).map(|i| i < truth).collect();
            let s = Sampling::Sampled {
                read: SAMPLE as u64,
                expected: N as u64,
            };
            let mut held = 0;
            for _ in 0..TRIALS {
                shuffled_prefix(&mut population, SAMPLE, &mut state);
                let x = population[..SAMPLE].iter().filter(|&&b| b).count() as u64;
                let c = s.count(x);
                let (lo, hi) = (c.value().saturating_sub(c.margin()), c.value() + c.margin());
                if (lo..=hi).contains(&(truth as u64)) {
                    held += 1;
                }
            }
            let rate = held as f64 / TRIALS as f64;
            let most = if truth < 100 { 1.0 } else { 0.985 };
            assert!(
                (0.92..=most).contains(&rate),
                "share {truth}/{N}: held {rate}"
            );
        }
    }
}
