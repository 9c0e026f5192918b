//! One tracked series (a service, a real server or the director totals):
//! its displayed rates, history, and counter track when rates are derived.

use std::time::Duration;

use super::history::{History, Sample};
use super::rates::{CounterTrack, RateSource, Rates};
use crate::model::Stats;

#[derive(Debug, Clone)]
pub struct Series {
    /// Only while rates come from the counters: with the kernel's estimator
    /// running it would be memory and work for nothing. A switch to counters
    /// starts a fresh track, so rates are unknown until it has evidence.
    track: Option<Box<CounterTrack>>,
    pub history: History,
    /// Rates to display; `None` while unknown (a derived series just started).
    pub rates: Option<Rates>,
}

impl Series {
    pub fn new(history: usize) -> Series {
        Series {
            track: None,
            history: History::new(history),
            rates: None,
        }
    }

    /// Records a reading taken at `at` and recomputes the displayed rates.
    pub fn observe(&mut self, at: Duration, stats: &Stats, active: u32, source: RateSource) {
        self.observe_over(at, stats, active, source, 1);
    }

    /// `observe`, the sample recorded for each of `polls` polls (a series
    /// read again after polls that did not read it).
    pub fn observe_over(
        &mut self,
        at: Duration,
        stats: &Stats,
        active: u32,
        source: RateSource,
        polls: usize,
    ) {
        self.rates = match source {
            RateSource::Kernel => Some(Rates::from_kernel(stats)),
            RateSource::Counters => {
                let track = self.track.get_or_insert_with(Default::default);
                track.observe(at, stats);
                track.derived(at)
            }
            RateSource::Off => None,
        };
        if source != RateSource::Counters {
            self.track = None;
        }
        let sample = Sample::new(self.rates.as_ref(), active);
        for _ in 0..polls.max(1) {
            self.history.push(sample);
        }
    }

    /// Records rates computed elsewhere (the director's totals: the sum of
    /// its services' rates, which survives services coming and going).
    pub fn set(&mut self, rates: Option<Rates>, active: u32) {
        self.rates = rates;
        self.history.push(Sample::new(self.rates.as_ref(), active));
    }

    /// Whether a counter track is kept (tests).
    pub fn tracks_counters(&self) -> bool {
        self.track.is_some()
    }
}
