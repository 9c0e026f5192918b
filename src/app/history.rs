//! Fixed-length history of one series, for sparklines.

use std::collections::VecDeque;

use super::metric::Metric;
use super::rates::Rates;

/// One poll's values of a series. Rates are kept as f32: sparklines need
/// shape, not the last digit, and 100,000 series x 300 samples must fit.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sample {
    pub cps: f32,
    pub inpps: f32,
    pub outpps: f32,
    pub inbps: f32,
    pub outbps: f32,
    pub active: u32,
}

impl Sample {
    pub fn new(rates: Option<&Rates>, active: u32) -> Sample {
        let r = rates.copied().unwrap_or_default();
        Sample {
            cps: r.cps as f32,
            inpps: r.inpps as f32,
            outpps: r.outpps as f32,
            inbps: r.inbps as f32,
            outbps: r.outbps as f32,
            active,
        }
    }

    pub fn get(&self, m: Metric) -> f64 {
        match m {
            Metric::Cps => self.cps as f64,
            Metric::Active => self.active as f64,
            Metric::InPps => self.inpps as f64,
            Metric::OutPps => self.outpps as f64,
            Metric::InBps => self.inbps as f64,
            Metric::OutBps => self.outbps as f64,
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
            // own doubling left rings of 72 samples in 128-sample buffers,
            // 40 % of the monitor's memory at 10,000 services.
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
            h.push(Sample {
                active: a,
                ..Sample::default()
            });
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
        h.push(Sample {
            cps: 0.5,
            ..Sample::default()
        });
        assert_eq!(h.tail(Metric::Cps, 1), vec![1]);
    }
}
