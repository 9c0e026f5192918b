//! One service's row in the store and its real servers' rows: the latest
//! reading, its history, what the last poll changed and its alerts.

use std::time::Duration;

use crate::model::{Dest, Service};

use super::super::alerts::{self, Alert, DestAlerts};
use super::super::rates::{RateSource, Rates};
use super::super::series::Series;

/// Which displayed values changed in the latest poll (for highlighting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changed(pub u16);

impl Changed {
    pub const WEIGHT: u16 = 1 << 0;
    pub const ACTIVE: u16 = 1 << 1;
    pub const INACT: u16 = 1 << 2;
    pub const CPS: u16 = 1 << 3;
    pub const INPPS: u16 = 1 << 4;
    pub const OUTPPS: u16 = 1 << 5;
    pub const INBPS: u16 = 1 << 6;
    pub const OUTBPS: u16 = 1 << 7;

    #[inline]
    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }

    /// `between` for a real server whose rates are the kernel's, from the
    /// integers themselves.
    #[inline]
    pub(super) fn of_kernel(old: &Dest, new: &Dest) -> Changed {
        let (a, b) = (&old.stats, &new.stats);
        let mut c = 0;
        for (x, y, bit) in [
            (a.cps, b.cps, Self::CPS),
            (a.inpps, b.inpps, Self::INPPS),
            (a.outpps, b.outpps, Self::OUTPPS),
            (a.inbps, b.inbps, Self::INBPS),
            (a.outbps, b.outbps, Self::OUTBPS),
            (old.weight as u64, new.weight as u64, Self::WEIGHT),
            (
                old.active_conns as u64,
                new.active_conns as u64,
                Self::ACTIVE,
            ),
            (
                old.inactive_conns as u64,
                new.inactive_conns as u64,
                Self::INACT,
            ),
        ] {
            if x != y {
                c |= bit;
            }
        }
        Changed(c)
    }

    #[inline]
    pub(super) fn between(
        old: (Option<&Rates>, u64, u64, u64),
        new: (Option<&Rates>, u64, u64, u64),
    ) -> Changed {
        let mut c = 0;
        let r = |x: Option<&Rates>| x.copied().unwrap_or_default();
        let (a, b) = (r(old.0), r(new.0));
        for (x, y, bit) in [
            (a.cps, b.cps, Self::CPS),
            (a.inpps, b.inpps, Self::INPPS),
            (a.outpps, b.outpps, Self::OUTPPS),
            (a.inbps, b.inbps, Self::INBPS),
            (a.outbps, b.outbps, Self::OUTBPS),
        ] {
            // Rates are never negative: adding a half and truncating rounds
            // as `round` does, without a libm call per value (emulated
            // floating point in the test VM makes those costly).
            if x != y && (x + 0.5) as u64 != (y + 0.5) as u64 {
                c |= bit;
            }
        }
        if old.1 != new.1 {
            c |= Self::WEIGHT;
        }
        if old.2 != new.2 {
            c |= Self::ACTIVE;
        }
        if old.3 != new.3 {
            c |= Self::INACT;
        }
        Changed(c)
    }
}

/// A real server, with its series when its service was watched recently.
#[derive(Debug, Clone)]
pub struct DestRow {
    pub(super) dest: Dest,
    /// History (and the counter track when rates are derived): kept only for
    /// real servers of services watched recently, at most `DEST_SERIES_MAX`
    /// of them, so that paging through a big table cannot grow memory.
    pub(super) series: Option<Box<Series>>,
    pub(super) changed: Changed,
    /// Judged at each reading of its service's real servers, not when
    /// drawn: the canvas only shows it.
    pub(super) alerts: DestAlerts,
}

impl DestRow {
    pub(super) fn fresh(dest: Dest) -> DestRow {
        DestRow {
            dest,
            series: None,
            changed: Changed::default(),
            alerts: DestAlerts::default(),
        }
    }

    #[inline]
    pub fn dest(&self) -> &Dest {
        &self.dest
    }

    #[inline]
    pub fn series(&self) -> Option<&Series> {
        self.series.as_deref()
    }

    #[inline]
    pub fn changed(&self) -> Changed {
        self.changed
    }

    /// The worst alert raised on it: cheap, for drawing and for picking
    /// rows to show.
    #[inline]
    pub fn alert(&self) -> Option<&Alert> {
        self.alerts.alert()
    }

    /// Drained with its connections still going (a neutral mark).
    #[inline]
    pub fn draining(&self) -> bool {
        self.alerts.draining()
    }

    /// Rates to display under `source` (the store's `rate_source`): the
    /// kernel's own estimates are in every reading, so any real server has
    /// them; derived rates exist only where a series is kept.
    #[inline]
    pub fn rates(&self, source: RateSource) -> Option<Rates> {
        match source {
            RateSource::Kernel => Some(Rates::from_kernel(&self.dest.stats)),
            RateSource::Counters => self.series.as_ref().and_then(|s| s.rates),
            RateSource::Off => None,
        }
    }
}

/// A virtual service with its real servers.
#[derive(Debug, Clone)]
pub struct ServiceRow {
    pub(super) service: Service,
    pub(super) series: Series,
    pub(super) dests: Vec<DestRow>,
    /// When the real servers were last read (`None`: not yet).
    pub(super) dests_read_at: Option<Duration>,
    /// How many of its real servers (the first, in ipvsadm's order: those
    /// the sparkline pane shows first) keep series: all of them while it was
    /// watched recently, unless the cap leaves room for fewer.
    /// `UNREAD_WATCHED` until the first reading of a watched service says
    /// how many it has.
    pub(super) dest_series: usize,
    pub(super) changed: Changed,
    /// The poll (the store's count) of its series' newest sample: a row
    /// re-read after polls that did not read it fills the gap.
    pub(super) sampled: u64,
    /// What a filter matches, lower case, kept while a filter is set, so
    /// addresses are not formatted afresh every poll. Cleared when the
    /// scheduler or the real servers change.
    pub(super) search: Option<Box<str>>,
    /// How many of its real servers have an alert raised.
    pub(super) alerts: u16,
    /// Its real servers' rows from before a replay's jump, kept for their
    /// memory only: the first reading listing the same ones is written over
    /// them as over new rows (making 100,000 anew was a third of a jump).
    pub(super) reusable: Vec<DestRow>,
}

impl ServiceRow {
    /// The row of a service seen for the first time.
    pub(super) fn fresh(service: Service, samples: usize, polls: u64) -> ServiceRow {
        ServiceRow {
            service,
            series: Series::new(samples),
            dests: Vec::new(),
            dests_read_at: None,
            dest_series: 0,
            changed: Changed::default(),
            // Its first sample fills one poll, not the polls before it
            // existed.
            sampled: polls,
            search: None,
            alerts: 0,
            reusable: Vec::new(),
        }
    }

    /// The row of a service seen for the first time since a replay's jump,
    /// made from its row before the jump: nothing of that row's state stays
    /// but its real servers' memory.
    pub(super) fn renewed(self, service: Service, samples: usize, polls: u64) -> ServiceRow {
        let mut row = ServiceRow::fresh(service, samples, polls);
        row.reusable = self.dests;
        row
    }

    #[inline]
    pub fn service(&self) -> &Service {
        &self.service
    }

    #[inline]
    pub fn series(&self) -> &Series {
        &self.series
    }

    /// Its real servers, in ipvsadm's order.
    #[inline]
    pub fn dests(&self) -> &[DestRow] {
        &self.dests
    }

    #[inline]
    pub fn dests_read_at(&self) -> Option<Duration> {
        self.dests_read_at
    }

    /// How many of its real servers keep a series (see `DEST_SERIES_MAX`).
    #[inline]
    pub fn dest_series(&self) -> usize {
        self.dest_series
    }

    #[inline]
    pub fn changed(&self) -> Changed {
        self.changed
    }

    #[inline]
    pub fn active(&self) -> u64 {
        self.dests.iter().map(|d| d.dest.active_conns as u64).sum()
    }

    /// Whether the last poll marked the service or one of its real servers.
    #[inline]
    pub(super) fn marked(&self) -> bool {
        self.changed != Changed::default()
            || self.dests.iter().any(|d| d.changed != Changed::default())
    }

    #[inline]
    pub fn inactive(&self) -> u64 {
        self.dests
            .iter()
            .map(|d| d.dest.inactive_conns as u64)
            .sum()
    }

    #[inline]
    pub fn weight(&self) -> u64 {
        self.dests.iter().map(|d| d.dest.weight as u64).sum()
    }

    /// How many of its real servers have an alert raised (the service
    /// row's roll-up).
    #[inline]
    pub fn alerts(&self) -> u16 {
        self.alerts
    }

    /// Judges its real servers' alerts after a reading of them at `at`,
    /// under `source`, with their table-wide half-open counts (row order;
    /// empty when not read).
    pub(super) fn judge_alerts(
        &mut self,
        at: Duration,
        source: RateSource,
        half_open: &[Option<crate::conns::Count>],
    ) {
        let rates = alerts::Rates {
            counters: source != RateSource::Off,
            kernel: source == RateSource::Kernel,
        };
        self.alerts = alerts::judge(&self.service, &mut self.dests, at, rates, half_open, split);
    }
}

/// A real server's reading and its alert state, borrowed apart.
fn split(d: &mut DestRow) -> (&Dest, &mut DestAlerts) {
    (&d.dest, &mut d.alerts)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The integer marks of a real server with kernel rates are the
        /// marks the general path finds through floats.
        #[test]
        fn kernel_marks_are_the_general_marks(
            a in proptest::array::uniform8(0u64..4),
            b in proptest::array::uniform8(0u64..4),
            big in 0u64..(1 << 40),
        ) {
            let dest = |v: [u64; 8]| {
                let mut d = Dest::new("10.0.0.1".parse().unwrap(), 80);
                d.stats.cps = v[0] * big;
                d.stats.inpps = v[1];
                d.stats.outpps = v[2] * big;
                d.stats.inbps = v[3];
                d.stats.outbps = v[4] * big;
                d.weight = v[5] as u32;
                d.active_conns = v[6] as u32;
                d.inactive_conns = v[7] as u32;
                d
            };
            let (old, new) = (dest(a), dest(b));
            let view = |d: &Dest| {
                (
                    Rates::from_kernel(&d.stats),
                    d.weight as u64,
                    d.active_conns as u64,
                    d.inactive_conns as u64,
                )
            };
            let (o, n) = (view(&old), view(&new));
            proptest::prop_assert_eq!(
                Changed::of_kernel(&old, &new),
                Changed::between((Some(&o.0), o.1, o.2, o.3), (Some(&n.0), n.1, n.2, n.3))
            );
        }
    }
}
