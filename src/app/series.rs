//! One tracked series (a service, a real server or the director totals):
//! its counter track, displayed rates and history.

use std::time::Duration;

use super::history::{History, Sample};
use super::rates::{CounterTrack, Observed, RateSource, Rates};
use crate::model::Stats;

#[derive(Debug, Clone)]
pub struct Series {
    track: CounterTrack,
    pub history: History,
    /// Rates to display; `None` while unknown (a derived series just started).
    pub rates: Option<Rates>,
    /// When this series was last read.
    pub read_at: Option<Duration>,
}

impl Series {
    pub fn new(history: usize) -> Series {
        Series {
            track: CounterTrack::new(),
            history: History::new(history),
            rates: None,
            read_at: None,
        }
    }

    /// Records a reading taken at `at` and recomputes the displayed rates.
    pub fn observe(
        &mut self,
        at: Duration,
        stats: &Stats,
        active: u32,
        source: RateSource,
    ) -> Observed {
        let observed = self.track.observe(at, stats);
        self.rates = match source {
            RateSource::Kernel => Some(Rates::from_kernel(stats)),
            RateSource::Counters => self.track.derived(at),
            RateSource::Off => None,
        };
        self.read_at = Some(at);
        self.history.push(Sample::new(self.rates.as_ref(), active));
        observed
    }

    /// Records rates computed elsewhere (the director's totals: the sum of
    /// its services' rates, which survives services coming and going).
    pub fn set(&mut self, at: Duration, rates: Option<Rates>, active: u32) {
        self.rates = rates;
        self.read_at = Some(at);
        self.history.push(Sample::new(self.rates.as_ref(), active));
    }
}
