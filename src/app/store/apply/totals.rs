//! The director totals of a poll: summed over every row a slice at a time,
//! or carried over from the last poll and adjusted by each row it read.

use crate::model::Stats;

use super::super::super::rates::{RateSource, Rates};
use super::super::{Changed, ServiceRow, Store};
use super::{Applying, Step};

/// The director totals summed over the rows up to `next`, and the rows
/// found carrying change marks.
#[derive(Debug, Clone, Default)]
pub(super) struct Totals {
    next: usize,
    /// Kernel rates: integers, summed as such (floating point is emulated
    /// in the test VM), with the active connections.
    kernel: KernelSums,
    /// Other rate sources: the rows' rates, and the active connections.
    rates: Option<Rates>,
    active: u64,
    marked: Vec<usize>,
    /// The sums were carried over from the last poll and adjusted by each
    /// row this poll read: no pass over the rows (see `Store::kept_sums`).
    pub(super) kept: bool,
}

impl Totals {
    /// The totals of a poll over `rows` rows; `kept`: the sums carried over.
    pub(super) fn start(kept: Option<KernelSums>, rows: usize) -> Totals {
        Totals {
            // Sums kept row by row need no pass over the rows: it starts at
            // the end.
            next: if kept.is_some() { rows } else { 0 },
            kept: kept.is_some(),
            kernel: kept.unwrap_or_default(),
            ..Totals::default()
        }
    }

    /// Kept sums: row `i`'s share before this poll's reading (its service's
    /// rates, its real servers' active connections) replaced by its share
    /// now; `active`: the active connections before and after.
    #[inline]
    pub(super) fn replace_share(
        &mut self,
        i: usize,
        row: &ServiceRow,
        (stats_before, active): (&Stats, [u64; 2]),
    ) {
        self.kernel.sub(&KernelSums::of(stats_before, active[0]));
        self.kernel
            .add(&KernelSums::of(&row.service.stats, active[1]));
        if row.marked() {
            self.marked.push(i);
        }
    }

    /// Adds rows `first..` to the sums under `source`, noting the marked.
    fn add_rows(&mut self, first: usize, rows: &[ServiceRow], source: RateSource) {
        for (i, row) in rows.iter().enumerate() {
            let (mut active, mut marked) = (0, row.changed != Changed::default());
            for d in &row.dests {
                active += d.dest.active_conns as u64;
                marked |= d.changed != Changed::default();
            }
            if marked {
                self.marked.push(first + i);
            }
            // Sum of the services' rates (the latest each row has), not
            // rates of summed counters: a service deleted or added must not
            // read as a counter reset of the director.
            if source == RateSource::Kernel {
                self.kernel.add(&KernelSums::of(&row.service.stats, active));
            } else {
                self.active += active;
                if let Some(r) = &row.series.rates {
                    self.rates.get_or_insert_with(Rates::default).add(r);
                }
            }
        }
    }
}

impl Store {
    /// A slice of the totals pass, and the end of the poll after the last.
    pub(super) fn sum_step(&mut self, job: &mut Applying, max_rows: usize) -> Step {
        let t = &mut job.totals;
        let end = t.next.saturating_add(max_rows).min(self.services.len());
        let slice = t.next..end;
        t.add_rows(t.next, &self.services[slice], job.source);
        t.next = end;
        if end < self.services.len() {
            return Step::Working;
        }
        self.finish_totals(job);
        Step::Done {
            rebuild: job.rebuild,
        }
    }

    /// The director totals and the rows left with marks, from the pass.
    fn finish_totals(&mut self, job: &mut Applying) {
        let t = std::mem::take(&mut job.totals);
        let (total, active) = if job.source == RateSource::Kernel {
            self.kept_sums = Some(t.kernel);
            (Some(t.kernel.rates()), t.kernel.active)
        } else if self.services.is_empty() {
            self.kept_sums = None;
            (Some(Rates::default()), t.active)
        } else {
            self.kept_sums = None;
            (t.rates, t.active)
        };
        self.totals.set(total, active as u32);
        self.totals_active = active;
        self.flagged = t.marked;
    }
}

/// The kernel's rates and the active connections, summed over rows. Added
/// and taken away wrapping, so that taking a row's share away again after
/// adding it gives back exactly the sum before (rates of 2^64 per second
/// do not occur).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(in crate::app::store) struct KernelSums {
    cps: u64,
    inpps: u64,
    outpps: u64,
    inbps: u64,
    outbps: u64,
    active: u64,
}

impl KernelSums {
    /// A row's share: its service's rates (`s`) and its real servers'
    /// active connections (`active`, summed by the caller).
    #[inline]
    fn of(s: &Stats, active: u64) -> KernelSums {
        KernelSums {
            cps: s.cps,
            inpps: s.inpps,
            outpps: s.outpps,
            inbps: s.inbps,
            outbps: s.outbps,
            active,
        }
    }

    #[inline]
    fn add(&mut self, o: &KernelSums) {
        self.each(o, u64::wrapping_add);
    }

    #[inline]
    fn sub(&mut self, o: &KernelSums) {
        self.each(o, u64::wrapping_sub);
    }

    #[inline]
    fn each(&mut self, o: &KernelSums, f: fn(u64, u64) -> u64) {
        for (a, b) in [
            (&mut self.cps, o.cps),
            (&mut self.inpps, o.inpps),
            (&mut self.outpps, o.outpps),
            (&mut self.inbps, o.inbps),
            (&mut self.outbps, o.outbps),
            (&mut self.active, o.active),
        ] {
            *a = f(*a, b);
        }
    }

    fn rates(&self) -> Rates {
        Rates::from_kernel(&Stats {
            cps: self.cps,
            inpps: self.inpps,
            outpps: self.outpps,
            inbps: self.inbps,
            outbps: self.outbps,
            ..Default::default()
        })
    }
}
