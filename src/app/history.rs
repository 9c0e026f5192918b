//! Fixed-length history of one series, for sparklines.

use std::collections::VecDeque;

use super::metric::Metric;
use super::rates::Rates;

/// One poll's values of a series, 6 bytes: each metric as a one-byte
/// logarithmic code. Sparklines need shape, not digits (the number beside a
/// sparkline comes from the series' rates, never from here), and 10,000
/// services x 600 samples must fit in a few tens of MB.
///
/// Code 0 is zero, code 1 is "more than zero, less than one unit", codes
/// 2..=255 are 8 steps per octave from one unit up: a value is rounded to the
/// nearest of 1, 1.125, … 1.875 times its power of two, so the decoded value
/// is within ±6.25 % of the original. The unit is 1 for counts and packets,
/// 16 for bytes: counts reach 2^31 x 1.625 (3.4e9), bytes 16 times that
/// (5.5e10 B/s, 440 Gbit/s); larger values saturate at the top code.
/// Encoding and decoding are integer operations on the float's bits: the
/// test VM emulates floating point, and this runs for every series per poll.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sample([u8; 6]);

/// Codes per octave.
const STEPS: u64 = 8;
/// Bytes are coded in units of this many bytes (see `Sample`).
pub const BYTE_UNIT: f64 = 16.0;

/// The one-byte code of `v` (in its unit).
pub fn encode(v: f64) -> u8 {
    if v.is_nan() || v <= 0.0 {
        return 0;
    }
    if v < 1.0 {
        return 1;
    }
    let bits = v.to_bits();
    // Round to the nearest step: add half a step below the kept mantissa
    // bits (a carry into the exponent is the next octave, as it should be).
    let rounded = bits + (1 << (52 - 3 - 1));
    let exp = (rounded >> 52) - 1023;
    let step = (rounded >> (52 - 3)) & (STEPS - 1);
    let code = 2 + exp * STEPS + step;
    code.min(255) as u8
}

/// The value a code stands for (in its unit); code 1 reads as 0.5.
pub fn decode(code: u8) -> f64 {
    match code {
        0 => 0.0,
        1 => 0.5,
        c => {
            let c = (c - 2) as u64;
            let (exp, step) = (c / STEPS, c % STEPS);
            f64::from_bits(((exp + 1023) << 52) | (step << (52 - 3)))
        }
    }
}

impl Sample {
    pub fn new(rates: Option<&Rates>, active: u32) -> Sample {
        let r = rates.copied().unwrap_or_default();
        Sample([
            encode(r.cps),
            encode(r.inpps),
            encode(r.outpps),
            encode(r.inbps / BYTE_UNIT),
            encode(r.outbps / BYTE_UNIT),
            encode(active as f64),
        ])
    }

    /// The metric's value, within ±6.25 % (0 and "below one unit" exact).
    pub fn get(&self, m: Metric) -> f64 {
        let [cps, inpps, outpps, inbps, outbps, active] = self.0;
        match m {
            Metric::Cps => decode(cps),
            Metric::Active => decode(active),
            Metric::InPps => decode(inpps),
            Metric::OutPps => decode(outpps),
            Metric::InBps => decode(inbps) * BYTE_UNIT,
            Metric::OutBps => decode(outbps) * BYTE_UNIT,
        }
    }
}

/// A ring buffer of samples; the oldest drops off once `capacity` is reached.
#[derive(Debug, Clone, Default)]
pub struct History {
    samples: VecDeque<Sample>,
    capacity: usize,
}

impl History {
    pub fn new(capacity: usize) -> History {
        History {
            samples: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    pub fn push(&mut self, s: Sample) {
        let len = self.samples.len();
        if len == self.capacity {
            self.samples.pop_front();
        } else if len == self.samples.capacity() {
            // Grow by doubling, but never past the ring's size: VecDeque's
            // own doubling would leave rings of 72 samples in 128-sample
            // buffers, a large share of the monitor's memory.
            let want = (len * 2).max(4).min(self.capacity);
            self.samples.reserve_exact(want - len);
        }
        self.samples.push_back(s);
    }

    /// Changes how many samples are kept, dropping the oldest if needed.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        while self.samples.len() > self.capacity {
            self.samples.pop_front();
        }
        self.samples.shrink_to(self.capacity);
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The newest `n` values of one metric, oldest first, rounded for
    /// sparklines (values below 1 but above 0 show as 1 so they are visible).
    pub fn tail(&self, m: Metric, n: usize) -> Vec<u64> {
        let skip = self.samples.len().saturating_sub(n);
        self.samples
            .iter()
            .skip(skip)
            .map(|s| {
                let v = s.get(m);
                if v > 0.0 && v < 1.0 {
                    1
                } else {
                    v.round() as u64
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_drops_oldest() {
        let mut h = History::new(3);
        for a in 1..=5 {
            h.push(Sample::new(None, a));
        }
        assert_eq!(h.len(), 3);
        assert_eq!(h.tail(Metric::Active, 10), vec![3, 4, 5]);
        assert_eq!(h.tail(Metric::Active, 2), vec![4, 5]);
    }

    #[test]
    fn buffers_never_outgrow_the_ring() {
        let mut h = History::new(72);
        for _ in 0..500 {
            h.push(Sample::default());
        }
        assert_eq!(h.len(), 72);
        assert_eq!(h.samples.capacity(), 72);
        h.set_capacity(40);
        assert!(h.samples.capacity() < 72, "{}", h.samples.capacity());
    }

    #[test]
    fn small_rates_stay_visible() {
        let mut h = History::new(2);
        let r = Rates {
            cps: 0.5,
            inbps: 3.0,
            ..Rates::default()
        };
        h.push(Sample::new(Some(&r), 0));
        assert_eq!(h.tail(Metric::Cps, 1), vec![1]);
        assert_eq!(h.tail(Metric::Active, 1), vec![0]);
        assert!(h.tail(Metric::InBps, 1)[0] > 0, "a few bytes stay visible");
    }

    #[test]
    fn codes_stay_within_the_error_bound_over_the_whole_range() {
        assert_eq!(encode(0.0), 0);
        assert_eq!(encode(-1.0), 0);
        assert_eq!(encode(f64::NAN), 0);
        assert_eq!(encode(1e-9), 1);
        assert_eq!(encode(0.999), 1);
        // Small integers are exact up to 16.
        for n in 1..=16u32 {
            assert_eq!(decode(encode(n as f64)), n as f64, "{n}");
        }
        // Every value from 1 up to the top, geometrically: ±6.25 %.
        let top = decode(255);
        assert!(top >= 3.4e9, "counts reach {top}");
        assert!(top * BYTE_UNIT >= 1.25e10, "100 Gbit/s of bytes fit");
        let mut v = 1.0f64;
        while v < top {
            for x in [v, v * 1.03, v * 1.0625, v * 1.07] {
                if x > top {
                    continue;
                }
                let got = decode(encode(x));
                let err = (got - x).abs() / x;
                assert!(err <= 0.0625 + 1e-12, "{x}: {got} ({:.2} %)", err * 100.0);
            }
            v *= 1.17;
        }
        // Codes are ordered as the values are, and saturate at the top.
        let mut last = 0;
        let mut v = 0.01;
        while v < 1e12 {
            let c = encode(v);
            assert!(c >= last, "{v}");
            last = c;
            v *= 1.01;
        }
        assert_eq!(encode(1e15), 255);
        // Through a sample, bytes use their 16-byte unit.
        let r = Rates {
            inbps: 1.25e10,
            outbps: 100.0,
            ..Rates::default()
        };
        let s = Sample::new(Some(&r), 70_000);
        let within = |got: f64, want: f64| (got - want).abs() / want <= 0.0625;
        assert!(within(s.get(Metric::InBps), 1.25e10));
        assert!(within(s.get(Metric::OutBps), 100.0));
        assert!(within(s.get(Metric::Active), 70_000.0));
        assert_eq!(std::mem::size_of::<Sample>(), 6);
    }
}
