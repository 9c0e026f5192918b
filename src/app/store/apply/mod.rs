//! Applying a poll to the store a slice at a time: the rows it has not
//! reached yet still show the previous reading. Every piece of its work over
//! the whole table (the rows' updates, then the director totals over every
//! row) is done a slice at a time, so a key waits at most a slice: at 50,000
//! services either done in one go would be longer than all the slices.

mod place;
mod totals;
mod update;

use std::collections::HashSet;
use std::time::Duration;

use crate::model::ServiceKey;

use super::super::action::PollResult;
use super::super::rates::RateSource;
use super::Store;

use place::{Update, Updates};
pub(super) use totals::KernelSums;
use totals::Totals;
use update::update_row;

/// A poll whose services are matched to rows, before any row is updated.
pub struct Placed {
    at: Duration,
    samples: usize,
    updates: Updates,
    /// Rows moved (services came or went): the row list must be rebuilt
    /// before anything reads it.
    reindexed: bool,
}

impl Placed {
    pub fn reindexed(&self) -> bool {
        self.reindexed
    }
}

/// A poll half applied.
#[derive(Debug, Clone)]
pub struct Applying {
    at: Duration,
    source: RateSource,
    samples: usize,
    /// The rows this poll read, in row order.
    updates: Updates,
    /// Whether the row list must be rebuilt at the end: only if the order
    /// can have moved (a sort by value, a filter) or an expanded service's
    /// real servers came or went (rows of services that came or went are
    /// placed when the poll begins): a rebuild every poll would weigh on
    /// the polls between whole listings, which read few rows.
    rebuild: bool,
    /// Real-server series left under the cap for watched services read for
    /// the first time in this poll.
    spare: usize,
    /// The totals pass, once the updates are done.
    totals: Totals,
}

/// Where a poll being applied stands after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Working,
    /// Applied whole; `rebuild`: an expanded service's real servers came or
    /// went, or new rows were made, so the row list must be rebuilt.
    Done {
        rebuild: bool,
    },
}

impl Store {
    /// Takes a poll's status and matches its services to rows (moving rows
    /// only when services came or went), leaving the per-row work to
    /// `step`.
    pub(in crate::app) fn place(&mut self, p: PollResult) -> Placed {
        let table = if p.whole {
            p.services.len()
        } else {
            self.services.len()
        };
        let samples = self.config.samples_for(table);
        self.info = Some(p.info);
        self.poll.last_ok = Some(p.wall);
        self.poll.failing_since = None;
        self.poll.last_error = None;
        self.poll.took = p.took;
        self.poll.interval = p.interval;
        // Rule 1 when the backend knows the estimator runs (zero kernel
        // rates are then no traffic), rule 3 when it knows it does not, and
        // detection (rules 1 and 2) only when it cannot say, from whole
        // listings only (a few rows re-read say too little): see rates.rs.
        self.rate_source = match p.estimator {
            Some(true) => RateSource::Kernel,
            Some(false) => RateSource::Off,
            None if p.whole => RateSource::detect(p.services.iter().map(|s| &s.stats)),
            None => self.rate_source,
        };
        if let Some(running) = p.estimator {
            self.settings.estimator(running);
        }
        let (updates, reindexed) = if p.whole {
            self.place_whole(p.services, p.dests, samples)
        } else {
            (self.place_some(p.services, p.dests), false)
        };
        Placed {
            at: p.at,
            samples,
            updates,
            reindexed,
        }
    }

    /// The poll placed, ready for its steps; `spare`: what `note_watched`
    /// left.
    pub(in crate::app) fn start(&self, placed: Placed, spare: usize) -> Applying {
        // Rows a poll does not read keep their share of the sums: only a
        // poll of some rows, under the kernel's rates as before, adjusts
        // them row by row. A whole listing sums every row again.
        let kept = match (&placed.updates, self.kept_sums) {
            (Updates::Some(_), Some(sums)) if self.rate_source == RateSource::Kernel => Some(sums),
            _ => None,
        };
        Applying {
            at: placed.at,
            source: self.rate_source,
            samples: placed.samples,
            updates: placed.updates,
            rebuild: false,
            spare,
            totals: Totals::start(kept, self.services.len()),
        }
    }

    /// Brings up to `max_rows` more rows up to date with the poll being
    /// applied (a service and the real servers read with it), or, once
    /// every row is, sums the next `max_rows` service rows into the
    /// director totals. Between steps the table is consistent:
    /// rows index the services, which keep their places; rows not reached
    /// yet show the previous poll. `expanded`: services whose real servers
    /// have rows in the view.
    pub(in crate::app) fn step(
        &mut self,
        job: &mut Applying,
        max_rows: usize,
        expanded: &HashSet<ServiceKey>,
    ) -> Step {
        if job.updates.len() == 0 {
            // Rows from before a jump not made again: gone since.
            if !self.before_jump.is_empty() {
                self.before_jump = Default::default();
            }
            return self.sum_step(job, max_rows);
        }
        // A service's real servers count as rows: a step is bounded by its
        // work, so ten real servers a service do not make it ten times longer.
        let mut rows = 0usize;
        while rows < max_rows {
            let Some(u) = job.updates.next() else {
                break;
            };
            rows = rows.saturating_add(1 + u.dests.as_ref().map_or(0, Vec::len));
            self.apply_update(job, u, expanded);
        }
        Step::Working
    }

    /// One row's update: the row made first if its service is new, the
    /// reading applied, the kept sums adjusted by the row's change.
    fn apply_update(&mut self, job: &mut Applying, u: Update, expanded: &HashSet<ServiceKey>) {
        if u.new {
            let service = u.service.as_ref().expect("a new row has its service");
            self.index.insert(service.key, u.row);
            self.keys.push(service.key);
            let fresh = self.new_row(service, job.samples);
            self.services.push(fresh);
            job.rebuild = true;
        }
        let polls = self.polls;
        let row = &mut self.services[u.row];
        let gap = polls.saturating_sub(row.sampled).max(1);
        if u.service.is_some() {
            row.sampled = polls;
        }
        let reading = (u.service, u.dests);
        let stats_before = job.totals.kept.then_some(row.service.stats);
        let (moved, active) = update_row(
            row,
            reading,
            job.at,
            job.source,
            (job.samples, gap),
            &mut job.spare,
            &self.connections,
        );
        if let Some(stats_before) = stats_before {
            job.totals
                .replace_share(u.row, row, (&stats_before, active));
        }
        if moved && !job.rebuild && expanded.contains(&row.service.key) {
            job.rebuild = true;
        }
        let (key, alerts) = (row.service.key, row.alerts);
        self.note_alerts(key, alerts);
    }
}
