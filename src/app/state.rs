//! The monitor's state and its two pure transitions: `update` for operator
//! actions and `apply` for backend events.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

use crate::model::{Dest, DestKey, Info, Service, ServiceKey};

use super::action::{Action, Event, PollResult};
use super::editing::WeightMark;
use super::keyhash::KeyMap;
use super::metric::Metric;
use super::rates::{RateSource, Rates};
use super::series::Series;
use super::table::{
    dest_order, dest_text, kernel_order, service_text, sort_by_column, Row, RowKey, SortColumn,
    SortValues,
};

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

    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }

    /// `between` for a real server whose rates are the kernel's, from the
    /// integers themselves.
    fn of_kernel(old: &Dest, new: &Dest) -> Changed {
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

    fn between(
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
    pub dest: Dest,
    /// History (and the counter track when rates are derived): kept only for
    /// real servers of services watched recently, at most `DEST_SERIES_MAX`
    /// of them, so that paging through a big table cannot grow memory.
    pub series: Option<Box<Series>>,
    pub changed: Changed,
}

impl DestRow {
    /// Rates to display under `source` (the app's `rate_source`): the
    /// kernel's own estimates are in every reading, so any real server has
    /// them; derived rates exist only where a series is kept.
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
    pub service: Service,
    pub series: Series,
    pub dests: Vec<DestRow>,
    /// When the real servers were last read (`None`: not yet).
    pub dests_read_at: Option<Duration>,
    /// How many of its real servers (the first, in ipvsadm's order: those
    /// the sparkline pane shows first) keep series: all of them while it was
    /// watched recently, unless the cap leaves room for fewer.
    /// `UNREAD_WATCHED` until the first reading of a watched service says
    /// how many it has.
    pub dest_series: usize,
    pub changed: Changed,
    /// The poll (`App`'s count) of its series' newest sample: a row re-read
    /// after polls that did not read it fills the gap (see `update_row`).
    sampled: u64,
    /// What a filter matches, lower case, kept while a filter is set: at
    /// 50,000 services formatting every address per poll cost seconds in
    /// the test VM. Cleared when the scheduler or the real servers change.
    search: Option<Box<str>>,
}

impl ServiceRow {
    /// The row of a service seen for the first time.
    fn fresh(service: Service, samples: usize, polls: u64) -> ServiceRow {
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
        }
    }

    pub fn active(&self) -> u64 {
        self.dests.iter().map(|d| d.dest.active_conns as u64).sum()
    }

    /// Whether the last poll marked the service or one of its real servers.
    fn marked(&self) -> bool {
        self.changed != Changed::default()
            || self.dests.iter().any(|d| d.changed != Changed::default())
    }

    pub fn inactive(&self) -> u64 {
        self.dests
            .iter()
            .map(|d| d.dest.inactive_conns as u64)
            .sum()
    }

    pub fn weight(&self) -> u64 {
        self.dests.iter().map(|d| d.dest.weight as u64).sum()
    }
}

/// Health of the polling.
#[derive(Debug, Clone, Default)]
pub struct PollStatus {
    pub last_ok: Option<SystemTime>,
    /// Wall time of the first failure of the current failing streak.
    pub failing_since: Option<SystemTime>,
    pub last_error: Option<String>,
    pub took: Duration,
    /// The interval in force (longer than the delay when polls are slow).
    pub interval: Duration,
}

/// Settings the state needs.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub delay: Duration,
    pub history: Duration,
}

/// Samples kept over all services together (6 bytes each: 36 MB): 10,000
/// services keep 10 minutes at 1 s; 100,000 keep 60 samples instead of
/// exhausting memory. Real servers' series are capped apart
/// (`DEST_SERIES_MAX`).
pub const HISTORY_BUDGET: usize = 6_000_000;
/// Real servers that keep a series (history, counter track) at most: those
/// of the services watched most recently (see `App::watched`).
pub const DEST_SERIES_MAX: usize = 1024;
/// `ServiceRow::dest_series` of a watched service not read yet.
pub const UNREAD_WATCHED: usize = usize::MAX;
/// Service rows one `App::apply_step` brings up to date by default: the event
/// loop handles keys between steps, so this bounds how long a key waits.
pub const APPLY_STEP_ROWS: usize = 2048;
/// Fewest samples a series keeps whatever the table size.
pub const HISTORY_FLOOR: usize = 16;

impl AppConfig {
    /// Samples kept per series for the configured history.
    pub fn history_samples(&self) -> usize {
        let d = self.delay.as_secs_f64().max(0.05);
        ((self.history.as_secs_f64() / d).ceil() as usize).max(2)
    }

    /// Samples per series when `series` services share the budget.
    pub fn samples_for(&self, series: usize) -> usize {
        let share = HISTORY_BUDGET / series.max(1);
        self.history_samples().min(share.max(HISTORY_FLOOR))
    }
}

#[derive(Debug, Clone)]
pub struct App {
    pub config: AppConfig,
    pub info: Option<Info>,
    /// Services in ipvsadm's default order.
    pub services: Vec<ServiceRow>,
    index: KeyMap<ServiceKey, usize>,
    /// The rows' keys, in row order: a whole listing of the same services
    /// (the usual one) is recognised by one pass over this short, dense
    /// list instead of over 50,000 rows spread in memory (2-3 ms).
    keys: Vec<ServiceKey>,
    pub rate_source: RateSource,
    /// The director: sum over services.
    pub totals: Series,
    pub totals_active: u64,
    pub poll: PollStatus,

    /// Rows after filter, sort and expansion.
    pub rows: Vec<Row>,
    pub selected: usize,
    selected_key: Option<RowKey>,
    /// First row shown.
    pub offset: usize,
    /// Rows the table can show (set by the view).
    pub viewport: usize,
    pub expanded: HashSet<ServiceKey>,
    pub filter: String,
    pub filter_editing: bool,
    pub sort: SortColumn,
    pub sort_reversed: bool,
    pub frozen: bool,
    /// Readings that arrived while frozen, applied on thaw.
    pending: Vec<Event>,
    pub metric: Metric,
    pub help: bool,
    pub exact: bool,
    pub quit: bool,
    /// Weight-change status of real servers pressed this session (set by
    /// the editing UI).
    pub weight_marks: HashMap<(ServiceKey, DestKey), WeightMark>,
    /// Services watched recently, with when (a counter of polls): their real
    /// servers keep series.
    recent: HashMap<ServiceKey, u64>,
    polls: u64,
    /// A poll being applied a slice at a time.
    applying: Option<Applying>,
    /// Rows that carry change marks after the last poll (found by its
    /// totals pass): a poll that reads only some rows clears these rows'
    /// marks first, so no mark outlives its poll.
    flagged: Vec<usize>,
    /// The kernel rates and active connections summed over every row, kept
    /// up to date row by row by polls that read only some rows (`Some`
    /// when the last totals pass summed kernel rates): the pass over every
    /// row's real servers took more of the UI thread than the rows the
    /// poll read (10,000x10, test VM). Whole listings still sum every row.
    kept_sums: Option<KernelSums>,
    /// Whether rows keep their filter text.
    search_kept: bool,
}

/// A poll half applied: the rows it has not reached yet still show the
/// previous reading. Every piece of its work over the whole table (the
/// rows' updates, then the director totals over every row) is done a slice
/// at a time, so a key waits at most a slice: at 50,000 services, making
/// a whole listing's updates up front and summing the totals in one go
/// were each longer than all the slices (`cargo bench --bench host`).
#[derive(Debug, Clone)]
struct Applying {
    at: Duration,
    source: RateSource,
    samples: usize,
    /// The rows this poll read, in row order.
    updates: Updates,
    /// Whether the row list must be rebuilt at the end: only if the order
    /// can have moved (a sort by value, a filter) or an expanded service's
    /// real servers came or went (rows of services that came or went are
    /// placed when the poll begins). Rebuilding 10,000 rows every poll was
    /// a tenth of applying one between whole listings.
    rebuild: bool,
    /// Real-server series left under the cap for watched services read for
    /// the first time in this poll.
    spare: usize,
    /// The totals pass, once the updates are done.
    totals: Totals,
}

/// The director totals summed over the rows up to `next`, and the rows
/// found carrying change marks.
#[derive(Debug, Clone, Default)]
struct Totals {
    next: usize,
    /// Kernel rates: integers, summed as such (floating point is emulated
    /// in the test VM), with the active connections.
    kernel: KernelSums,
    /// Other rate sources: the rows' rates, and the active connections.
    rates: Option<Rates>,
    active: u64,
    marked: Vec<usize>,
    /// The sums were carried over from the last poll and adjusted by each
    /// row this poll read: no pass over the rows (see `App::kept_sums`).
    kept: bool,
}

/// The kernel's rates and the active connections, summed over rows. Added
/// and taken away wrapping, so that taking a row's share away again after
/// adding it gives back exactly the sum before (rates of 2^64 per second
/// do not occur).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct KernelSums {
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
    fn of(s: &crate::model::Stats, active: u64) -> KernelSums {
        KernelSums {
            cps: s.cps,
            inpps: s.inpps,
            outpps: s.outpps,
            inbps: s.inbps,
            outbps: s.outbps,
            active,
        }
    }

    fn add(&mut self, o: &KernelSums) {
        self.each(o, u64::wrapping_add);
    }

    fn sub(&mut self, o: &KernelSums) {
        self.each(o, u64::wrapping_sub);
    }

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
        Rates::from_kernel(&crate::model::Stats {
            cps: self.cps,
            inpps: self.inpps,
            outpps: self.outpps,
            inbps: self.inbps,
            outbps: self.outbps,
            ..Default::default()
        })
    }
}

/// The updates of a poll, made one at a time as the steps reach them.
#[derive(Debug, Clone)]
enum Updates {
    /// A whole listing of the same services as the rows: every row, in
    /// order, and the real servers read, by row (ascending).
    Every {
        services: std::iter::Enumerate<std::vec::IntoIter<Service>>,
        dests: std::iter::Peekable<std::vec::IntoIter<(usize, Vec<Dest>)>>,
    },
    /// Some rows, in row order.
    Some(std::vec::IntoIter<Update>),
    /// The first listing of a big table (no rows yet): each service's row
    /// is made when a step reaches it, so a table of 50,000 services fills
    /// in a slice at a time (making its rows at once took longer than a key
    /// may wait).
    Fill {
        services: std::iter::Enumerate<std::vec::IntoIter<Service>>,
        dests: KeyMap<ServiceKey, Vec<Dest>>,
    },
}

impl Updates {
    /// Updates not made yet.
    fn len(&self) -> usize {
        match self {
            Updates::Every { services, .. } | Updates::Fill { services, .. } => services.len(),
            Updates::Some(u) => u.len(),
        }
    }
}

impl Iterator for Updates {
    type Item = Update;

    fn next(&mut self) -> Option<Update> {
        match self {
            Updates::Every { services, dests } => {
                let (row, service) = services.next()?;
                // A service read twice keeps its last reading.
                let mut read = None;
                while let Some((_, d)) = dests.next_if(|(r, _)| *r == row) {
                    read = Some(d);
                }
                Some(Update {
                    row,
                    service: Some(service),
                    dests: read,
                    new: false,
                })
            }
            Updates::Some(u) => u.next(),
            Updates::Fill { services, dests } => {
                let (row, service) = services.next()?;
                Some(Update {
                    row,
                    dests: dests.remove(&service.key),
                    service: Some(service),
                    new: true,
                })
            }
        }
    }
}

/// What one poll read of one row: its service (`None`: not re-read, between
/// whole listings of a big table) and its real servers (`None`: not read).
#[derive(Debug, Clone)]
struct Update {
    row: usize,
    service: Option<Service>,
    dests: Option<Vec<Dest>>,
    /// The service's row is made first, at the end of the rows (`row`).
    new: bool,
}

impl App {
    pub fn new(config: AppConfig) -> App {
        let samples = config.history_samples();
        App {
            poll: PollStatus {
                interval: config.delay,
                ..PollStatus::default()
            },
            config,
            info: None,
            services: Vec::new(),
            index: KeyMap::default(),
            keys: Vec::new(),
            rate_source: RateSource::Kernel,
            totals: Series::new(samples),
            totals_active: 0,
            rows: Vec::new(),
            selected: 0,
            selected_key: None,
            offset: 0,
            viewport: 10,
            expanded: HashSet::new(),
            filter: String::new(),
            filter_editing: false,
            sort: SortColumn::Kernel,
            sort_reversed: false,
            frozen: false,
            pending: Vec::new(),
            metric: Metric::Cps,
            help: false,
            exact: false,
            quit: false,
            weight_marks: HashMap::new(),
            recent: HashMap::new(),
            polls: 0,
            applying: None,
            flagged: Vec::new(),
            kept_sums: None,
            search_kept: false,
        }
    }

    pub fn service(&self, key: &ServiceKey) -> Option<&ServiceRow> {
        self.index.get(key).map(|&i| &self.services[i])
    }

    /// The service the selection is on (or whose real server it is on).
    pub fn selected_service(&self) -> Option<&ServiceRow> {
        match self.rows.get(self.selected)? {
            Row::Service(i) | Row::Dest(i, _) => self.services.get(*i),
        }
    }

    /// Services whose real servers should be read every poll: those with a
    /// row on screen, and the selected one (its sparklines).
    pub fn watched(&self) -> Vec<ServiceKey> {
        // A screenful of rows: a scan of the services seen so far beats
        // hashing every row's key.
        let mut seen: Vec<usize> = Vec::new();
        let end = (self.offset + self.viewport).min(self.rows.len());
        let visible = self.rows.get(self.offset..end).unwrap_or(&[]);
        for row in visible.iter().chain(self.rows.get(self.selected)) {
            let (Row::Service(i) | Row::Dest(i, _)) = *row;
            if !seen.contains(&i) {
                seen.push(i);
            }
        }
        seen.iter().map(|&i| self.services[i].service.key).collect()
    }

    /// Number of pending (frozen) readings.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    // ---- backend events ----

    /// Applies a backend event whole.
    pub fn apply(&mut self, event: Event) {
        self.begin(event);
        self.finish();
    }

    /// Starts applying a backend event; a poll's rows are then brought up to
    /// date by `apply_step` (a poll still being applied is finished first).
    pub fn begin(&mut self, event: Event) {
        if self.frozen {
            // Polling continues; the display does not move until thawed.
            if let Event::PollFailed { .. } = event {
                self.begin_now(event);
            } else {
                self.pending.push(event);
            }
            return;
        }
        self.begin_now(event);
    }

    /// Whether a poll is half applied.
    pub fn applying(&self) -> bool {
        self.applying.is_some()
    }

    /// Brings up to `max_rows` more service rows up to date with the poll
    /// being applied; true once none is left half applied. Between steps the
    /// table is consistent: rows index the services, which keep their places;
    /// rows not reached yet show the previous poll.
    pub fn apply_step(&mut self, max_rows: usize) -> bool {
        let Some(mut job) = self.applying.take() else {
            return true;
        };
        if job.updates.len() == 0 {
            return self.sum_step(job, max_rows);
        }
        for u in job.updates.by_ref().take(max_rows) {
            if u.new {
                let service = u.service.as_ref().expect("a new row has its service");
                self.index.insert(service.key, u.row);
                self.keys.push(service.key);
                let fresh = ServiceRow::fresh(service.clone(), job.samples, self.polls);
                self.services.push(fresh);
                job.rebuild = true;
            }
            let row = &mut self.services[u.row];
            let gap = self.polls.saturating_sub(row.sampled).max(1);
            if u.service.is_some() {
                row.sampled = self.polls;
            }
            let spare = &mut job.spare;
            let reading = (u.service, u.dests);
            let stats_before = job.totals.kept.then_some(row.service.stats);
            let (moved, [active_before, active]) =
                update_row(row, reading, job.at, job.source, (job.samples, gap), spare);
            if let Some(stats_before) = stats_before {
                let t = &mut job.totals;
                t.kernel.sub(&KernelSums::of(&stats_before, active_before));
                t.kernel.add(&KernelSums::of(&row.service.stats, active));
                if row.marked() {
                    t.marked.push(u.row);
                }
            }
            if moved && !job.rebuild && self.expanded.contains(&row.service.key) {
                job.rebuild = true;
            }
        }
        self.applying = Some(job);
        false
    }

    /// A slice of the totals pass, and the end of the poll after the last:
    /// the director totals, the rows left with marks, the row list rebuilt
    /// if the order can have moved.
    fn sum_step(&mut self, mut job: Applying, max_rows: usize) -> bool {
        let t = &mut job.totals;
        let end = t.next.saturating_add(max_rows).min(self.services.len());
        for (i, row) in self.services[t.next..end].iter().enumerate() {
            let (mut active, mut marked) = (0, row.changed != Changed::default());
            for d in &row.dests {
                active += d.dest.active_conns as u64;
                marked |= d.changed != Changed::default();
            }
            if marked {
                t.marked.push(t.next + i);
            }
            // Sum of the services' rates (the latest each row has), not
            // rates of summed counters: a service deleted or added must not
            // read as a counter reset of the director.
            if job.source == RateSource::Kernel {
                t.kernel.add(&KernelSums::of(&row.service.stats, active));
            } else {
                t.active += active;
                if let Some(r) = &row.series.rates {
                    t.rates.get_or_insert_with(Rates::default).add(r);
                }
            }
        }
        t.next = end;
        if end < self.services.len() {
            self.applying = Some(job);
            return false;
        }
        let t = job.totals;
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
        if job.rebuild || !self.filter.is_empty() || self.sort != SortColumn::Kernel {
            self.rebuild();
        }
        true
    }

    fn finish(&mut self) {
        while !self.apply_step(usize::MAX) {}
    }

    fn begin_now(&mut self, event: Event) {
        match event {
            Event::Polled(p) => {
                self.finish();
                self.begin_poll(p);
            }
            Event::PollFailed { wall, error, .. } => {
                if self.poll.failing_since.is_none() {
                    self.poll.failing_since = Some(wall);
                }
                self.poll.last_error = Some(error);
            }
        }
    }

    /// Matches the poll's services to rows (moving rows only when services
    /// came or went) and leaves the per-row work to `apply_step`.
    fn begin_poll(&mut self, p: PollResult) {
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
        let updates = if p.whole {
            self.place_whole(p.services, p.dests, samples)
        } else {
            self.place_some(p.services, p.dests)
        };
        let spare = self.note_watched();
        // Rows a poll does not read keep their share of the sums: only a
        // poll of some rows, under the kernel's rates as before, adjusts
        // them row by row. A whole listing sums every row again.
        let kept = match (&updates, self.kept_sums) {
            (Updates::Some(_), Some(sums)) if self.rate_source == RateSource::Kernel => Some(sums),
            _ => None,
        };
        self.applying = Some(Applying {
            at: p.at,
            source: self.rate_source,
            samples,
            updates,
            rebuild: false,
            spare,
            // Sums kept row by row need no pass over the rows: it starts at
            // the end.
            totals: Totals {
                next: if kept.is_some() {
                    self.services.len()
                } else {
                    0
                },
                kept: kept.is_some(),
                kernel: kept.unwrap_or_default(),
                ..Totals::default()
            },
        });
    }

    /// A whole listing: matches its services to rows (moving rows only when
    /// services came or went); every row is updated.
    fn place_whole(
        &mut self,
        mut services: Vec<Service>,
        dests: Vec<(ServiceKey, Vec<Dest>)>,
        samples: usize,
    ) -> Updates {
        // The same services as the rows, in the same order, are in kernel
        // order already; otherwise the poller hands them over sorted too:
        // check (O(n)) before sorting.
        let same_keys = self.keys.len() == services.len()
            && self.keys.iter().zip(&services).all(|(k, s)| *k == s.key);
        if !same_keys && !services.is_sorted_by(|a, b| kernel_order(&a.key, &b.key).is_le()) {
            services.sort_by(|a, b| kernel_order(&a.key, &b.key));
        }
        if self.services.is_empty() && services.len() > APPLY_STEP_ROWS {
            // Rows are made as the steps reach them, after `note_watched`
            // looked at an empty table: the real servers on the first screen
            // get their series from the next poll on, one poll later than in
            // a smaller table.
            return Updates::Fill {
                services: services.into_iter().enumerate(),
                dests: dests.into_iter().collect(),
            };
        }
        if !same_keys {
            // Services came or went: match rows by key, through the index
            // of the old rows (one hash per service; moving every row
            // through a map cost four, and two moves).
            let mut old: Vec<Option<ServiceRow>> = std::mem::take(&mut self.services)
                .into_iter()
                .map(Some)
                .collect();
            let mut rows = Vec::with_capacity(services.len());
            for service in &services {
                let kept = self.index.get(&service.key).and_then(|&i| old[i].take());
                rows.push(
                    kept.unwrap_or_else(|| ServiceRow::fresh(service.clone(), samples, self.polls)),
                );
            }
            drop(old);
            self.index = rows
                .iter()
                .enumerate()
                .map(|(i, r)| (r.service.key, i))
                .collect();
            self.keys = services.iter().map(|s| s.key).collect();
            self.services = rows;
            self.expanded.retain(|k| self.index.contains_key(k));
            self.recent.retain(|k, _| self.index.contains_key(k));
            // Rows must index the new services before anything reads them.
            self.rebuild();
        }
        // Now the rows are the services, in order: each step updates the
        // next rows where they are, with the real servers read (a ninth of
        // the services per poll in a big table) placed by row. A key read
        // twice keeps its last reading (a stable sort keeps the order).
        let mut read: Vec<(usize, Vec<Dest>)> = dests
            .into_iter()
            .filter_map(|(key, d)| Some((*self.index.get(&key)?, d)))
            .collect();
        read.sort_by_key(|(row, _)| *row);
        Updates::Every {
            services: services.into_iter().enumerate(),
            dests: read.into_iter().peekable(),
        }
    }

    /// Some services re-read (a big table between whole listings): only
    /// their rows, and the rows whose real servers were read, are updated;
    /// the others keep their last reading, and lose this poll's marks.
    fn place_some(
        &mut self,
        services: Vec<Service>,
        dests: Vec<(ServiceKey, Vec<Dest>)>,
    ) -> Updates {
        for &i in &self.flagged {
            if let Some(row) = self.services.get_mut(i) {
                row.changed = Changed::default();
                for d in &mut row.dests {
                    d.changed = Changed::default();
                }
            }
        }
        let mut updates: Vec<Update> = Vec::with_capacity(services.len() + dests.len());
        for s in services {
            if let Some(&row) = self.index.get(&s.key) {
                updates.push(Update {
                    row,
                    service: Some(s),
                    dests: None,
                    new: false,
                });
            }
        }
        for (key, read) in dests {
            if let Some(&row) = self.index.get(&key) {
                updates.push(Update {
                    row,
                    service: None,
                    dests: Some(read),
                    new: false,
                });
            }
        }
        // One update per row, in row order; a key read twice keeps its
        // last reading (a stable sort keeps the reading order).
        updates.sort_by_key(|u| u.row);
        let mut merged: Vec<Update> = Vec::with_capacity(updates.len());
        for u in updates {
            match merged.last_mut() {
                Some(last) if last.row == u.row => {
                    if u.service.is_some() {
                        last.service = u.service;
                    }
                    if u.dests.is_some() {
                        last.dests = u.dests;
                    }
                }
                _ => merged.push(u),
            }
        }
        Updates::Some(merged.into_iter())
    }

    /// Records which services are watched now, and gives series to the real
    /// servers of the most recently watched ones (the selected service
    /// first) up to `DEST_SERIES_MAX`, dropping the others' series. A service
    /// with more real servers than there is room for gets series for its
    /// first ones. Returns the room left for watched services not read yet.
    fn note_watched(&mut self) -> usize {
        self.polls += 1;
        let watched = self.watched();
        let selected = self.selected_service().map(|r| r.service.key);
        for key in watched {
            // The selected service ranks above the rest of the screen.
            let stamp = 2 * self.polls + u64::from(Some(key) == selected);
            self.recent.insert(key, stamp);
        }
        let mut by_recency: Vec<(u64, ServiceKey)> =
            self.recent.iter().map(|(k, &t)| (t, *k)).collect();
        by_recency.sort_unstable_by_key(|e| std::cmp::Reverse(e.0));
        let mut room = DEST_SERIES_MAX;
        let mut keep: HashMap<ServiceKey, usize> = HashMap::new();
        for (_, key) in by_recency {
            let Some(&i) = self.index.get(&key) else {
                continue;
            };
            let row = &self.services[i];
            if row.dests_read_at.is_none() {
                // Not read yet: its first reading takes what room is left.
                keep.insert(key, UNREAD_WATCHED);
                continue;
            }
            // A service without real servers counts as one, so the set of
            // services stays bounded too.
            let n = row.dests.len().max(1).min(room);
            if n > 0 {
                room -= n;
                keep.insert(key, n);
            }
        }
        let mut dropped = Vec::new();
        self.recent.retain(|k, _| {
            let kept = keep.contains_key(k);
            if !kept {
                dropped.push(*k);
            }
            kept
        });
        let kept = keep.iter().map(|(k, n)| (*k, *n));
        for (key, n) in dropped.into_iter().map(|k| (k, 0)).chain(kept) {
            if let Some(&i) = self.index.get(&key) {
                let row = &mut self.services[i];
                row.dest_series = n;
                for d in row.dests.iter_mut().skip(n) {
                    d.series = None;
                }
            }
        }
        room
    }

    // ---- operator actions ----

    pub fn update(&mut self, action: Action) {
        if self.help {
            // The overlay takes keys until closed.
            match action {
                Action::Help | Action::Escape => self.help = false,
                Action::Quit => self.quit = true,
                Action::Resize { table_rows } => self.set_viewport(table_rows),
                _ => {}
            }
            return;
        }
        if self.filter_editing {
            match action {
                Action::FilterChar(c) => {
                    self.filter.push(c);
                    self.rebuild();
                    return;
                }
                Action::FilterBackspace => {
                    self.filter.pop();
                    self.rebuild();
                    return;
                }
                Action::FilterAccept => {
                    self.filter_editing = false;
                    return;
                }
                Action::Escape => {
                    self.filter_editing = false;
                    self.filter.clear();
                    self.rebuild();
                    return;
                }
                _ => {}
            }
        }
        match action {
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-(self.viewport.max(1) as isize)),
            Action::PageDown => self.move_by(self.viewport.max(1) as isize),
            Action::Home => self.select(0),
            Action::End => self.select(self.rows.len().saturating_sub(1)),
            Action::ScrollUp => self.move_by(-3),
            Action::ScrollDown => self.move_by(3),
            Action::Select(i) => {
                if i < self.rows.len() {
                    self.select(i)
                }
            }
            Action::Right => self.expand(true),
            Action::Left => self.expand(false),
            Action::Toggle | Action::FilterAccept => {
                if let Some(Row::Service(i)) = self.rows.get(self.selected) {
                    let key = self.services[*i].service.key;
                    let open = !self.expanded.contains(&key);
                    self.set_expanded(key, open);
                }
            }
            Action::FilterStart => self.filter_editing = true,
            Action::FilterChar(_) | Action::FilterBackspace => {}
            Action::Escape => {
                if !self.filter.is_empty() {
                    self.filter.clear();
                    self.rebuild();
                }
            }
            Action::SortNext => {
                self.sort = self.sort.next();
                self.sort_reversed = false;
                self.rebuild();
            }
            Action::SortReverse => {
                self.sort_reversed = !self.sort_reversed;
                self.rebuild();
            }
            Action::Freeze => {
                self.frozen = !self.frozen;
                if !self.frozen {
                    for e in std::mem::take(&mut self.pending) {
                        self.apply(e);
                    }
                }
            }
            Action::NextMetric => self.metric = self.metric.next(),
            Action::Help => self.help = true,
            Action::ToggleExact => self.exact = !self.exact,
            Action::Resize { table_rows } => self.set_viewport(table_rows),
            Action::Quit => self.quit = true,
        }
    }

    fn set_viewport(&mut self, rows: usize) {
        self.viewport = rows;
        self.scroll_to_selection();
    }

    /// ← / →: only service rows expand and collapse; on a real server the
    /// keys are reserved for weight editing and do nothing here.
    fn expand(&mut self, open: bool) {
        if let Some(Row::Service(i)) = self.rows.get(self.selected) {
            let key = self.services[*i].service.key;
            self.set_expanded(key, open);
        }
    }

    fn set_expanded(&mut self, key: ServiceKey, open: bool) {
        let changed = if open {
            self.expanded.insert(key)
        } else {
            self.expanded.remove(&key)
        };
        if changed {
            self.rebuild();
        }
    }

    fn move_by(&mut self, delta: isize) {
        if self.rows.is_empty() {
            return;
        }
        let last = self.rows.len() - 1;
        let target = (self.selected as isize + delta).clamp(0, last as isize) as usize;
        self.select(target);
    }

    fn select(&mut self, i: usize) {
        self.selected = i.min(self.rows.len().saturating_sub(1));
        self.selected_key = self.rows.get(self.selected).map(|r| self.row_key(r));
        self.scroll_to_selection();
    }

    fn scroll_to_selection(&mut self) {
        let height = self.viewport.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let max_offset = self.rows.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }

    pub fn row_key(&self, row: &Row) -> RowKey {
        match *row {
            Row::Service(i) => RowKey::Service(self.services[i].service.key),
            Row::Dest(i, j) => RowKey::Dest(
                self.services[i].service.key,
                self.services[i].dests[j].dest.key(),
            ),
        }
    }

    /// Recomputes the row list after the model or a view setting changed,
    /// keeping the selection on the same service or real server.
    fn rebuild(&mut self) {
        let needle = self.filter.to_lowercase();
        self.refresh_search(!needle.is_empty());
        let mut order: Vec<usize> = (0..self.services.len())
            .filter(|&i| needle.is_empty() || self.matches(i, &needle))
            .collect();
        let (sort, rev) = (self.sort, self.sort_reversed);
        sort_by_column(&mut order, sort, rev, |&i| self.service_values(i));
        let mut rows = Vec::with_capacity(order.len());
        for i in order {
            rows.push(Row::Service(i));
            let row = &self.services[i];
            // Hashing every key costs at 50,000 services; most tables have
            // nothing expanded.
            if !self.expanded.is_empty() && self.expanded.contains(&row.service.key) {
                let mut ds: Vec<usize> = (0..row.dests.len()).collect();
                let source = self.rate_source;
                sort_by_column(&mut ds, sort, rev, |&j| dest_values(row, j, sort, source));
                rows.extend(ds.into_iter().map(|j| Row::Dest(i, j)));
            }
        }
        self.rows = rows;
        // Usually the selected row did not move: check it before searching.
        let stayed = self.rows.get(self.selected).map(|r| self.row_key(r));
        let found = self.selected_key.and_then(|k| {
            if stayed == Some(k) {
                return Some(self.selected);
            }
            self.rows
                .iter()
                .position(|r| self.row_key(r) == k)
                .or(match k {
                    // A vanished real server: stay on its service.
                    RowKey::Dest(s, _) => self
                        .rows
                        .iter()
                        .position(|r| self.row_key(r) == RowKey::Service(s)),
                    RowKey::Service(_) => None,
                })
        });
        self.select(found.unwrap_or(self.selected));
    }

    /// Whether service `i` or one of its real servers matches. Its text is
    /// one line per row, so a match never spans two (a typed filter has no
    /// line break).
    fn matches(&self, i: usize, needle: &str) -> bool {
        self.services[i]
            .search
            .as_deref()
            .is_some_and(|t| t.contains(needle))
    }

    /// Fills the filter texts that are missing while a filter is set; drops
    /// them all once it is cleared.
    fn refresh_search(&mut self, filtering: bool) {
        if filtering {
            for row in &mut self.services {
                if row.search.is_none() {
                    let mut text = service_text(&row.service);
                    for d in &row.dests {
                        text.push('\n');
                        text.push_str(&dest_text(&d.dest).to_lowercase());
                    }
                    row.search = Some(text.into());
                }
            }
        } else if self.search_kept {
            for row in &mut self.services {
                row.search = None;
            }
        }
        self.search_kept = filtering;
    }

    fn service_values(&self, i: usize) -> SortValues<'_> {
        let row = &self.services[i];
        let prot = match row.service.key {
            ServiceKey::Addr { protocol, .. } => protocol.name(),
            ServiceKey::Fwmark { .. } => "FWM",
        };
        // Formatting an address costs more than the rest: only when sorted by it.
        let address = if self.sort == SortColumn::Address {
            row.service.key.to_string()
        } else {
            String::new()
        };
        SortValues {
            prot,
            address,
            scheduler: &row.service.scheduler,
            weight: row.weight(),
            active: row.active(),
            inactive: row.inactive(),
            rates: row.series.rates.unwrap_or_default(),
        }
    }
}

fn dest_values(row: &ServiceRow, j: usize, sort: SortColumn, source: RateSource) -> SortValues<'_> {
    let d = &row.dests[j];
    SortValues {
        prot: "",
        address: if sort == SortColumn::Address {
            dest_text(&d.dest)
        } else {
            String::new()
        },
        scheduler: "",
        weight: d.dest.weight as u64,
        active: d.dest.active_conns as u64,
        inactive: d.dest.inactive_conns as u64,
        rates: d.rates(source).unwrap_or_default(),
    }
}

/// Brings one service's row up to date with this poll: its counters when
/// the service was re-read, and its real servers when they were read.
/// `(samples, gap)`: the history length, and the polls since the row's last
/// sample: a row re-read after polls that skipped it records its reading for
/// each of them (the kernel's rates are averages over the last seconds, the
/// best value for the gap), so every series keeps one sample per poll.
/// Whether real servers came or went, and the row's active connections
/// before and after.
fn update_row(
    row: &mut ServiceRow,
    (service, read): (Option<Service>, Option<Vec<Dest>>),
    at: Duration,
    source: RateSource,
    (samples, gap): (usize, u64),
    spare: &mut usize,
) -> (bool, [u64; 2]) {
    if row.series.history.capacity() != samples {
        row.series.history.set_capacity(samples);
        for s in row.dests.iter_mut().filter_map(|d| d.series.as_mut()) {
            s.history.set_capacity(samples);
        }
    }
    // Weight, active and inactive over the real servers, before and after
    // this poll's reading: one pass each (they were eight per row).
    let before = (row.series.rates, sums(&row.dests));
    let mut moved = false;
    let after = if let Some(mut dests) = read {
        put_in_order(&mut dests);
        if row.dest_series == UNREAD_WATCHED {
            row.dest_series = dests.len().min(*spare);
            *spare -= row.dest_series;
        }
        let series = (samples, row.dest_series);
        if !merge_dests(&mut row.dests, dests, at, source, series) {
            row.search = None;
            moved = true;
        }
        row.dests_read_at = Some(at);
        sums(&row.dests)
    } else {
        for d in &mut row.dests {
            d.changed = Changed::default();
        }
        before.1
    };
    if let Some(service) = service {
        let polls = gap.min(samples as u64) as usize;
        row.series
            .observe_over(at, &service.stats, after.1 as u32, source, polls);
        if row.service.scheduler != service.scheduler {
            row.search = None;
        }
        row.service = service;
    }
    row.changed = Changed::between(
        (before.0.as_ref(), before.1 .0, before.1 .1, before.1 .2),
        (row.series.rates.as_ref(), after.0, after.1, after.2),
    );
    (moved, [before.1 .1, after.1])
}

/// A service's real servers in ipvsadm's order. The kernel lists them
/// newest first, so real servers added in ipvsadm's order come back in
/// reverse: turned round in one pass, not sorted (sorting every reading
/// moved each real server a few times and took more of the UI thread than
/// the rest of applying a poll: 10,000x10, test VM).
fn put_in_order(dests: &mut [Dest]) {
    if dests.is_sorted_by(|a, b| dest_order(a, b).is_le()) {
        return;
    }
    if dests.is_sorted_by(|a, b| dest_order(b, a).is_le()) {
        dests.reverse();
    } else {
        dests.sort_by(dest_order);
    }
}

/// Weight, active and inactive connections summed over real servers.
fn sums(dests: &[DestRow]) -> (u64, u64, u64) {
    dests.iter().fold((0, 0, 0), |(w, a, i), d| {
        (
            w + d.dest.weight as u64,
            a + d.dest.active_conns as u64,
            i + d.dest.inactive_conns as u64,
        )
    })
}

/// `series`: the history length of real servers' series, and how many of
/// them (the first) keep one. False when real servers came or went.
fn merge_dests(
    rows: &mut Vec<DestRow>,
    new: Vec<Dest>,
    at: Duration,
    source: RateSource,
    (samples, kept): (usize, usize),
) -> bool {
    let same_keys =
        rows.len() == new.len() && rows.iter().zip(&new).all(|(r, d)| r.dest.key() == d.key());
    if same_keys {
        // The usual read: the same real servers; update them in place.
        for (j, (row, dest)) in rows.iter_mut().zip(new).enumerate() {
            update_dest(row, dest, at, source, (j < kept).then_some(samples));
        }
        return true;
    }
    let mut old: HashMap<_, DestRow> = std::mem::take(rows)
        .into_iter()
        .map(|d| (d.dest.key(), d))
        .collect();
    *rows = new
        .into_iter()
        .enumerate()
        .map(|(j, dest)| {
            let mut row = old.remove(&dest.key()).unwrap_or_else(|| DestRow {
                dest: dest.clone(),
                series: None,
                changed: Changed::default(),
            });
            update_dest(&mut row, dest, at, source, (j < kept).then_some(samples));
            row
        })
        .collect();
    false
}

fn update_dest(
    row: &mut DestRow,
    dest: Dest,
    at: Duration,
    source: RateSource,
    samples: Option<usize>,
) {
    if source == RateSource::Kernel && samples.is_none() {
        // Most real servers of a big table (those off screen): no series,
        // and the kernel's rates are integers, so the marks come from
        // comparing them (what `Changed::between` finds through floats,
        // which the test VM emulates; a tenth of the UI thread's time).
        row.series = None;
        row.changed = Changed::of_kernel(&row.dest, &dest);
        row.dest = dest;
        return;
    }
    let before = (
        row.rates(source),
        row.dest.weight as u64,
        row.dest.active_conns as u64,
        row.dest.inactive_conns as u64,
    );
    match samples {
        Some(n) => row
            .series
            .get_or_insert_with(|| Box::new(Series::new(n)))
            .observe(at, &dest.stats, dest.active_conns, source),
        None => row.series = None,
    }
    row.dest = dest;
    row.changed = Changed::between(
        (before.0.as_ref(), before.1, before.2, before.3),
        (
            row.rates(source).as_ref(),
            row.dest.weight as u64,
            row.dest.active_conns as u64,
            row.dest.inactive_conns as u64,
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fake::FakeTable;
    use crate::model::Info;

    fn app() -> App {
        App::new(AppConfig {
            delay: Duration::from_secs(1),
            history: Duration::from_secs(300),
        })
    }

    /// A 1 s poll at second `at` that read `services` and these real servers.
    fn polled(at: u64, services: Vec<Service>, dests: Vec<(ServiceKey, Vec<Dest>)>) -> Event {
        Event::Polled(PollResult {
            whole: true,
            at: Duration::from_secs(at),
            wall: SystemTime::UNIX_EPOCH + Duration::from_secs(at),
            took: Duration::ZERO,
            interval: Duration::from_secs(1),
            info: Info::default(),
            services,
            dests,
            estimator: None,
        })
    }

    /// A poll of the whole fake table at second `at`.
    fn poll(table: &FakeTable, at: u64) -> Event {
        polled(
            at,
            table.services.iter().map(|(s, _)| s.clone()).collect(),
            table
                .services
                .iter()
                .map(|(s, ds)| (s.key, ds.iter().map(|(d, _)| d.clone()).collect()))
                .collect(),
        )
    }

    /// A poll between whole listings at second `at`: services `svc` of the
    /// fake table re-read, and the real servers of services `read`.
    fn poll_of_some(table: &FakeTable, at: u64, svc: &[usize], read: &[usize]) -> PollResult {
        let Event::Polled(mut p) = poll(table, at) else {
            unreachable!()
        };
        p.whole = false;
        p.services = svc.iter().map(|&i| table.services[i].0.clone()).collect();
        p.dests = read
            .iter()
            .map(|&i| {
                let (s, ds) = &table.services[i];
                (s.key, ds.iter().map(|(d, _)| d.clone()).collect())
            })
            .collect();
        p
    }

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

    /// Between whole listings of a big table a poll re-reads some services
    /// only: their rows take the reading, rows whose real servers were read
    /// take those, and every other row keeps its last reading. A row
    /// re-read after polls that skipped it fills them with its reading, so
    /// every service's history keeps one sample per poll; marks of a poll
    /// do not outlive it.
    #[test]
    fn a_poll_of_some_services_updates_only_their_rows() {
        let mut table = FakeTable::sample();
        let mut a = app();
        let some = |at: u64, table: &FakeTable, svc: &[usize], read: &[usize]| {
            Event::Polled(poll_of_some(table, at, svc, read))
        };
        a.apply(poll(&table, 1));
        let n = a.services.len();
        assert!(n >= 3);
        let keys: Vec<ServiceKey> = table.services.iter().map(|(s, _)| s.key).collect();
        let row_of = |a: &App, i: usize| a.service(&keys[i]).unwrap().clone();
        let before: Vec<ServiceRow> = (0..n).map(|i| row_of(&a, i)).collect();
        // Traffic everywhere; poll 2 re-reads service 0, and the real
        // servers of service 1 and of service 0 (one of them reweighted).
        table.advance(1, true);
        table.services[0].1[0].0.weight += 5;
        a.apply(some(2, &table, &[0], &[0, 1]));
        let (r0, r1, r2) = (row_of(&a, 0), row_of(&a, 1), row_of(&a, 2));
        assert_eq!(r0.service.stats, table.services[0].0.stats);
        assert_ne!(r0.service.stats, before[0].service.stats, "traffic moved");
        assert_eq!(r0.series.history.len(), 2);
        assert!(r0.changed.has(Changed::WEIGHT), "a re-read row is marked");
        assert!(r0.dests[0].changed.has(Changed::WEIGHT));
        assert_eq!(r1.service.stats, before[1].service.stats, "not re-read");
        assert_eq!(r1.series.history.len(), 1);
        assert_eq!(r1.dests_read_at, Some(Duration::from_secs(2)));
        assert_eq!(r1.dests[0].dest.stats, table.services[1].1[0].0.stats);
        assert_eq!(r2.service.stats, before[2].service.stats);
        assert_eq!(r2.dests_read_at, Some(Duration::from_secs(1)));
        assert_eq!(a.totals.history.len(), 2, "the totals sample every poll");
        // Poll 3 re-reads service 2 only: service 0's marks go.
        table.advance(1, true);
        a.apply(some(3, &table, &[2], &[]));
        assert_eq!(row_of(&a, 0).changed, Changed::default());
        assert!(row_of(&a, 0)
            .dests
            .iter()
            .all(|d| d.changed == Changed::default()));
        // Service 2 fills polls 2 and 3 with its reading.
        let h2 = row_of(&a, 2).series.history;
        assert_eq!(h2.len(), 3);
        assert_eq!(
            h2.tail(Metric::InPps, 2)[0],
            h2.tail(Metric::InPps, 1)[0],
            "the skipped poll holds the new reading"
        );
        // A whole listing brings every row to one sample per poll.
        table.advance(1, true);
        a.apply(poll(&table, 4));
        for i in 0..n {
            let r = row_of(&a, i);
            assert_eq!(r.series.history.len(), 4, "service {i}");
            assert_eq!(r.service.stats, table.services[i].0.stats);
        }
        // The totals are the sum over every row's latest rates.
        let sum: f64 = a
            .services
            .iter()
            .filter_map(|r| r.series.rates.map(|x| x.inpps))
            .sum();
        assert_eq!(a.totals.rates.map(|r| r.inpps), Some(sum));
    }

    /// A poll of some services leaves the row list alone unless it must
    /// change: an expanded service's real servers came, or the table is
    /// sorted by a value that moved.
    #[test]
    fn a_poll_of_some_services_moves_rows_when_it_must() {
        let table = FakeTable::sample();
        let mut a = app();
        a.apply(poll(&table, 1));
        let some = |at: u64, services: Vec<Service>, dests: Vec<(ServiceKey, Vec<Dest>)>| {
            let Event::Polled(mut p) = polled(at, services, dests) else {
                unreachable!()
            };
            p.whole = false;
            p.estimator = Some(true);
            Event::Polled(p)
        };
        let (first, ds) = &table.services[0];
        a.set_expanded(first.key, true);
        a.rebuild();
        let rows = a.rows.len();
        let mut more: Vec<Dest> = ds.iter().map(|(d, _)| d.clone()).collect();
        more.push(Dest::new("10.99.0.1".parse().unwrap(), 80));
        a.apply(some(2, vec![], vec![(first.key, more)]));
        assert_eq!(a.rows.len(), rows + 1, "the new real server has its row");

        // Sorted by incoming packets: a service whose rate jumps goes first.
        a.sort = SortColumn::InPps;
        a.rebuild();
        let last = table.services.len() - 1;
        let mut hot = table.services[last].0.clone();
        hot.stats.inpps = 1 << 40;
        assert_ne!(a.rows[0], Row::Service(a.index[&hot.key]));
        a.apply(some(3, vec![hot.clone()], vec![]));
        assert_eq!(a.rows[0], Row::Service(a.index[&hot.key]));
    }

    /// Real servers read for only some services land on those services,
    /// whether the table is unchanged (rows updated in place) or a service
    /// went away (rows matched by key); a reading for an unknown service is
    /// dropped, and the index follows the rows.
    #[test]
    fn partial_reads_land_on_their_services() {
        let table = FakeTable::sample();
        let mut a = app();
        a.apply(poll(&table, 1));
        let keys: Vec<ServiceKey> = a.services.iter().map(|r| r.service.key).collect();
        let dests_of = |k: &ServiceKey| {
            let (_, ds) = table.services.iter().find(|(s, _)| s.key == *k).unwrap();
            ds.iter().map(|(d, _)| d.clone()).collect::<Vec<_>>()
        };
        let partial = |at: u64, services: Vec<Service>, read: &[ServiceKey]| {
            let mut dests: Vec<(ServiceKey, Vec<Dest>)> =
                read.iter().map(|k| (*k, dests_of(k))).collect();
            // A service the dump no longer has.
            dests.push((
                crate::app::fake::tcp("198.51.100.1".parse().unwrap(), 1),
                vec![],
            ));
            polled(at, services, dests)
        };
        let all: Vec<Service> = table.services.iter().map(|(s, _)| s.clone()).collect();
        a.apply(partial(2, all.clone(), &[keys[1]]));
        for (i, row) in a.services.iter().enumerate() {
            let read = if i == 1 {
                Some(Duration::from_secs(2))
            } else {
                Some(Duration::from_secs(1))
            };
            assert_eq!(row.dests_read_at, read, "service {i}");
            assert_eq!(
                a.service(&row.service.key).unwrap().service.key,
                row.service.key
            );
        }
        // The first service goes away.
        let fewer: Vec<Service> = all.into_iter().filter(|s| s.key != keys[0]).collect();
        a.apply(partial(3, fewer, &[keys[2]]));
        assert!(a.service(&keys[0]).is_none());
        assert_eq!(a.services.len(), keys.len() - 1);
        for row in &a.services {
            let k = row.service.key;
            let read = if k == keys[2] {
                3
            } else if k == keys[1] {
                2
            } else {
                1
            };
            assert_eq!(row.dests_read_at, Some(Duration::from_secs(read)), "{k:?}");
            assert_eq!(a.service(&k).unwrap().service.key, k);
            assert_eq!(row.dests.len(), dests_of(&k).len());
        }
    }

    #[test]
    fn estimator_switched_off_means_no_rates_not_stale_or_zero_ones() {
        let mut t = FakeTable::sample();
        let mut a = app();
        for at in 1..=6 {
            // Rates as a running estimator left them: frozen, non-zero.
            t.advance(1, true);
            let mut e = poll(&t, at);
            let Event::Polled(p) = &mut e else {
                unreachable!()
            };
            p.estimator = Some(at < 4);
            a.apply(e);
            let want = if at < 4 {
                RateSource::Kernel
            } else {
                RateSource::Off
            };
            assert_eq!(a.rate_source, want, "poll {at}");
        }
        assert!(a.totals.rates.is_none());
        for s in &a.services {
            assert!(s.series.rates.is_none(), "{:?}", s.service.key);
            for d in &s.dests {
                assert!(d.rates(a.rate_source).is_none());
                assert!(d.series.as_ref().is_none_or(|s| s.rates.is_none()));
            }
        }
        // Unknown estimator state (demo, older kernels): the usual detection.
        t.advance(1, true);
        a.apply(poll(&t, 7));
        assert_eq!(a.rate_source, RateSource::Kernel);
        assert!(a.totals.rates.is_some());
    }

    /// Real servers come in ipvsadm's order however the kernel lists them:
    /// as it does (newest first), in order, or mixed.
    #[test]
    fn real_servers_are_put_in_ipvsadm_order() {
        use std::net::Ipv4Addr;
        let d = |last: u8, port: u16| Dest::new(Ipv4Addr::new(10, 0, 0, last).into(), port);
        let sorted = vec![d(1, 80), d(1, 81), d(2, 80), d(3, 80), d(10, 80)];
        let keys = |v: &[Dest]| v.iter().map(Dest::key).collect::<Vec<_>>();
        let mut newest_first = sorted.clone();
        newest_first.reverse();
        let mut mixed = sorted.clone();
        mixed.swap(0, 3);
        mixed.swap(1, 4);
        for mut v in [sorted.clone(), newest_first, mixed] {
            put_in_order(&mut v);
            assert_eq!(keys(&v), keys(&sorted));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// The director totals and the rows flagged with marks, kept row by
        /// row between whole listings, are what a pass over every row finds,
        /// whatever rows each poll reads, in slices of any size, with the
        /// rate source changing in between.
        #[test]
        fn totals_kept_row_by_row_are_the_sum_over_every_row(
            polls in proptest::collection::vec(
                (
                    proptest::bool::weighted(0.2),
                    proptest::collection::vec(0usize..30, 0..6),
                    proptest::collection::vec(0usize..30, 0..10),
                    proptest::collection::vec((0usize..30, 0u32..50), 0..8),
                    0u8..10,
                    1usize..40,
                ),
                1..12,
            )
        ) {
            let mut t = FakeTable::many(30);
            let mut a = app();
            let mut at = 1;
            t.advance(1, true);
            a.apply(poll(&t, at));
            for (whole, svc, read, conns, estimator, slice) in polls {
                at += 1;
                t.advance(1, estimator != 0);
                for (i, c) in conns {
                    t.services[i].1[0].0.active_conns = c;
                }
                let mut p = if whole {
                    let Event::Polled(p) = poll(&t, at) else { unreachable!() };
                    p
                } else {
                    poll_of_some(&t, at, &svc, &read)
                };
                // Mostly the kernel's rates; sometimes a kernel that says
                // its estimator is off, or cannot say.
                p.estimator = match estimator {
                    0 => Some(false),
                    1 => None,
                    _ => Some(true),
                };
                a.begin(Event::Polled(p));
                while !a.apply_step(slice) {}
                let active: u64 = a.services.iter().map(ServiceRow::active).sum();
                proptest::prop_assert_eq!(a.totals_active, active);
                let marked: Vec<usize> = (0..a.services.len())
                    .filter(|&i| {
                        let r = &a.services[i];
                        r.changed != Changed::default()
                            || r.dests.iter().any(|d| d.changed != Changed::default())
                    })
                    .collect();
                let mut flagged = a.flagged.clone();
                flagged.sort_unstable();
                proptest::prop_assert_eq!(flagged, marked);
                if a.rate_source == RateSource::Kernel {
                    let mut sum = crate::model::Stats::default();
                    for r in &a.services {
                        sum.cps += r.service.stats.cps;
                        sum.inpps += r.service.stats.inpps;
                        sum.outpps += r.service.stats.outpps;
                        sum.inbps += r.service.stats.inbps;
                        sum.outbps += r.service.stats.outbps;
                    }
                    proptest::prop_assert_eq!(a.totals.rates, Some(Rates::from_kernel(&sum)));
                }
            }
        }
    }

    /// A poll applied a slice at a time, with keys in between, ends where
    /// the same poll applied whole does; between slices every row indexes a
    /// service and the selection stays on its service.
    #[test]
    fn a_poll_applied_in_slices_ends_as_one_applied_whole() {
        let mut t = FakeTable::many(50);
        let (mut whole, mut sliced) = (app(), app());
        for at in 1..=4 {
            t.advance(1, false);
            whole.apply(poll(&t, at));
            sliced.apply(poll(&t, at));
        }
        // The next poll lost a service: rows are matched by key at once.
        t.services.remove(3);
        for at in 5..=7 {
            t.advance(1, false);
            whole.apply(poll(&t, at));
            sliced.begin(poll(&t, at));
            let mut steps = 0;
            while !sliced.apply_step(7) {
                steps += 1;
                assert!(sliced.applying());
                assert_eq!(sliced.rows.len(), sliced.services.len());
                assert!(sliced.rows.iter().all(|r| match *r {
                    Row::Service(i) => i < sliced.services.len(),
                    Row::Dest(i, j) => j < sliced.services[i].dests.len(),
                }));
                let before = sliced.selected_service().map(|r| r.service.key);
                sliced.update(Action::Down);
                sliced.update(Action::Up);
                assert_eq!(sliced.selected_service().map(|r| r.service.key), before);
            }
            // The rows' updates, then the totals over every row, a slice
            // of 7 rows a step.
            assert_eq!(steps, 2 * 49usize.div_ceil(7) - 1, "poll {at}");
            assert!(!sliced.applying());
        }
        assert_eq!(sliced.totals.rates, whole.totals.rates);
        assert_eq!(sliced.totals.history.len(), whole.totals.history.len());
        assert_eq!(sliced.rate_source, RateSource::Counters);
        for (a, b) in sliced.services.iter().zip(&whole.services) {
            assert_eq!(a.service.key, b.service.key);
            assert_eq!(a.series.rates, b.series.rates);
            assert_eq!(a.series.history.len(), b.series.history.len());
            assert_eq!(a.dests.len(), b.dests.len());
        }
        assert_eq!(sliced.rows, whole.rows);
    }

    /// The first listing of a table bigger than a slice makes its rows a
    /// slice at a time: between steps every row indexes its service; at the
    /// end every service has its row, in order, with its real servers, the
    /// totals count them all, and the real servers on screen get their
    /// series from the second poll on.
    #[test]
    fn a_big_first_listing_fills_in_slices() {
        let n = 2 * APPLY_STEP_ROWS + 10;
        let mut t = FakeTable::many(n);
        t.advance(1, true);
        let mut a = app();
        a.begin(poll(&t, 1));
        let mut steps = 0;
        while !a.apply_step(APPLY_STEP_ROWS) {
            steps += 1;
            assert!(a.services.len() <= n);
            assert_eq!(a.keys.len(), a.services.len());
            for (i, row) in a.services.iter().enumerate() {
                assert_eq!(a.index[&row.service.key], i);
                assert_eq!(a.keys[i], row.service.key);
            }
            a.update(Action::Down);
        }
        // Three slices of rows, then three of totals (the last ends it).
        assert_eq!(steps, 5);
        assert_eq!(a.services.len(), n);
        assert_eq!(a.rows.len(), n);
        for (row, (s, ds)) in a.services.iter().zip(&t.services) {
            assert_eq!(row.service.key, s.key);
            assert_eq!(row.dests.len(), ds.len());
            assert_eq!(row.series.history.len(), 1);
        }
        let active: u64 = t
            .services
            .iter()
            .flat_map(|(_, ds)| ds)
            .map(|(d, _)| d.active_conns as u64)
            .sum();
        assert!(active > 0);
        assert_eq!(a.totals_active, active);
        assert!(a.services[0].dests.iter().all(|d| d.series.is_none()));
        t.advance(1, true);
        a.apply(poll(&t, 2));
        assert!(a.services[0].dests.iter().all(|d| d.series.is_some()));
    }

    /// Paging through every service never gives more real servers a series
    /// than the cap; the services on screen have theirs, and real servers
    /// without one still show the kernel's rates.
    #[test]
    fn real_server_series_follow_what_is_watched_within_a_cap() {
        let n = DEST_SERIES_MAX + 500;
        let mut t = FakeTable::many(n);
        let mut a = app();
        a.update(Action::Resize { table_rows: 25 });
        let with_series = |a: &App| -> usize {
            a.services
                .iter()
                .flat_map(|s| &s.dests)
                .filter(|d| d.series.is_some())
                .count()
        };
        for at in 1..=(n / 25 + 3) as u64 {
            t.advance(1, true);
            a.apply(poll(&t, at));
            assert!(
                with_series(&a) <= DEST_SERIES_MAX,
                "poll {at}: {}",
                with_series(&a)
            );
            for key in a.watched() {
                let row = a.service(&key).unwrap();
                assert!(
                    row.dests.iter().all(|d| d.series.is_some()),
                    "{key:?} at {at}"
                );
            }
            a.update(Action::PageDown);
        }
        assert_eq!(a.selected, n - 1, "paged to the end");
        // The first page was watched longest ago: evicted.
        assert!(a.services[0].dests.iter().all(|d| d.series.is_none()));
        assert_eq!(a.services[0].dest_series, 0);
        assert_eq!(a.rate_source, RateSource::Kernel);
        let d = &a.services[0].dests[0];
        assert_eq!(
            d.rates(a.rate_source),
            Some(Rates::from_kernel(&d.dest.stats))
        );
        // Derived rates need a series: unknown, not zero, without one.
        assert_eq!(d.rates(RateSource::Counters), None);
        assert_eq!(d.rates(RateSource::Off), None);
    }

    /// A selected service with more real servers than the cap keeps series
    /// for its first ones (the sparkline pane's top), from its first reading.
    #[test]
    fn a_service_bigger_than_the_cap_keeps_series_for_its_first_servers() {
        let mut t = FakeTable::sample();
        let template = t.services[0].1[0].clone();
        t.services[0].1 = (0..DEST_SERIES_MAX as u32 + 300)
            .map(|j| {
                let mut d = template.clone();
                d.0.addr = std::net::IpAddr::V4(std::net::Ipv4Addr::from(0x0a50_0000 + j));
                d
            })
            .collect();
        let mut a = app();
        for at in 1..=3 {
            t.advance(1, true);
            a.apply(poll(&t, at));
            let row = &a.services[0];
            let with: Vec<bool> = row.dests.iter().map(|d| d.series.is_some()).collect();
            let n = with.iter().filter(|w| **w).count();
            assert!(n <= DEST_SERIES_MAX, "{n}");
            assert!(with[..n].iter().all(|w| *w), "the first ones");
            assert!(with[0] && !with[DEST_SERIES_MAX + 299]);
            let first = row.dests[0].series.as_ref().unwrap();
            assert_eq!(first.history.len(), at as usize, "from the first reading");
            let total: usize = a
                .services
                .iter()
                .flat_map(|s| &s.dests)
                .filter(|d| d.series.is_some())
                .count();
            assert!(total <= DEST_SERIES_MAX, "{total}");
        }
    }

    /// Counter tracks exist only while rates are derived; a switch to
    /// derived rates starts them fresh (unknown until evidence).
    #[test]
    fn counter_tracks_only_while_rates_come_from_counters() {
        let mut t = FakeTable::sample();
        let mut a = app();
        let tracked = |a: &App| {
            a.services.iter().all(|s| {
                s.series.tracks_counters()
                    && s.dests
                        .iter()
                        .all(|d| d.series.as_ref().is_none_or(|s| s.tracks_counters()))
            })
        };
        let untracked = |a: &App| {
            a.services.iter().all(|s| {
                !s.series.tracks_counters()
                    && s.dests
                        .iter()
                        .all(|d| d.series.as_ref().is_none_or(|s| !s.tracks_counters()))
            })
        };
        for at in 1..=3 {
            t.advance(1, true);
            a.apply(poll(&t, at));
        }
        assert_eq!(a.rate_source, RateSource::Kernel);
        assert!(untracked(&a));
        // The kernel's rates stop (a backend that cannot say why): derive.
        t.advance(1, false);
        a.apply(poll(&t, 4));
        assert_eq!(a.rate_source, RateSource::Counters);
        assert!(tracked(&a));
        assert!(
            a.services.iter().all(|s| s.series.rates.is_none()),
            "no evidence yet"
        );
        for at in 5..=16 {
            t.advance(1, false);
            a.apply(poll(&t, at));
        }
        assert!(a.services.iter().all(|s| s.series.rates.is_some()));
        // Rates are back: the tracks go.
        t.advance(1, true);
        a.apply(poll(&t, 17));
        assert_eq!(a.rate_source, RateSource::Kernel);
        assert!(untracked(&a));
    }

    /// A backend that knows its estimator runs gets kernel rates even while
    /// they are all zero (no traffic); one that cannot say gets detection.
    #[test]
    fn estimator_known_running_means_kernel_rates() {
        let t = FakeTable::sample();
        let mut a = app();
        let mut e = poll(&t, 1);
        let Event::Polled(p) = &mut e else {
            unreachable!()
        };
        p.estimator = Some(true);
        a.apply(e);
        assert_eq!(a.rate_source, RateSource::Kernel);
        assert!(a
            .services
            .iter()
            .all(|s| s.series.rates == Some(Rates::default())));
        a.apply(poll(&t, 2));
        assert_eq!(a.rate_source, RateSource::Counters);
    }

    #[test]
    fn sorting_by_a_column_orders_services_and_real_servers() {
        let mut t = FakeTable::sample();
        let mut a = app();
        t.advance(1, true);
        a.apply(poll(&t, 1));
        for key in a.services.iter().map(|s| s.service.key).collect::<Vec<_>>() {
            a.set_expanded(key, true);
        }
        while a.sort != SortColumn::Cps {
            a.update(Action::SortNext);
        }
        let cps = |a: &App, r: &Row| match *r {
            Row::Service(i) => a.services[i].series.rates.unwrap().cps,
            Row::Dest(i, j) => a.services[i].dests[j].rates(a.rate_source).unwrap().cps,
        };
        let services: Vec<f64> = a
            .rows
            .iter()
            .filter(|r| matches!(r, Row::Service(_)))
            .map(|r| cps(&a, r))
            .collect();
        assert!(services.windows(2).all(|w| w[0] >= w[1]), "{services:?}");
        for s in 0..a.services.len() {
            let dests: Vec<f64> = a
                .rows
                .iter()
                .filter(|r| matches!(r, Row::Dest(i, _) if *i == s))
                .map(|r| cps(&a, r))
                .collect();
            assert!(dests.windows(2).all(|w| w[0] >= w[1]), "{dests:?}");
        }
        while a.sort != SortColumn::Address {
            a.update(Action::SortNext);
        }
        let addresses: Vec<String> = a
            .rows
            .iter()
            .filter_map(|r| match *r {
                Row::Service(i) => Some(a.services[i].service.key.to_string()),
                Row::Dest(..) => None,
            })
            .collect();
        assert!(addresses.windows(2).all(|w| w[0] <= w[1]), "{addresses:?}");
    }

    /// A service's ActiveConn (the sum over its real servers) is flagged
    /// when a reading of its real servers changed it, and only then.
    #[test]
    fn service_totals_changed_by_a_real_server_reading_are_flagged() {
        let mut t = FakeTable::sample();
        let mut a = app();
        a.apply(poll(&t, 1));
        t.services[0].1[0].0.active_conns += 5;
        a.apply(poll(&t, 2));
        let key = t.services[0].0.key;
        let row = a.service(&key).unwrap();
        assert!(row.changed.has(Changed::ACTIVE));
        assert!(!row.changed.has(Changed::WEIGHT));
        assert!(a
            .services
            .iter()
            .filter(|r| r.service.key != key)
            .all(|r| !r.changed.has(Changed::ACTIVE)));
        a.apply(poll(&t, 3));
        assert!(!a.service(&key).unwrap().changed.has(Changed::ACTIVE));
    }

    #[test]
    fn history_budget() {
        let a = app();
        assert_eq!(a.config.samples_for(10), 300);
        assert_eq!(a.config.samples_for(10_000), 300);
        assert_eq!(a.config.samples_for(200_000), 30);
        assert_eq!(a.config.samples_for(10_000_000), HISTORY_FLOOR);
    }

    #[test]
    fn selection_follows_its_row_when_the_order_changes() {
        let mut t = FakeTable::sample();
        let mut a = app();
        t.advance(1, true);
        a.apply(poll(&t, 1));
        a.update(Action::Down); // TCP :443
        let key = a.selected_service().unwrap().service.key;
        a.update(Action::SortNext); // by protocol
        a.update(Action::SortReverse); // UDP first
        assert_eq!(a.selected_service().unwrap().service.key, key);
        // A new poll keeps it too.
        t.advance(1, true);
        a.apply(poll(&t, 2));
        assert_eq!(a.selected_service().unwrap().service.key, key);
    }

    #[test]
    fn filter_matches_real_server_addresses_and_esc_clears() {
        let mut t = FakeTable::sample();
        let mut a = app();
        t.advance(1, true);
        a.apply(poll(&t, 1));
        a.update(Action::FilterStart);
        for c in "10.1.2.".chars() {
            a.update(Action::FilterChar(c));
        }
        assert_eq!(a.rows.len(), 1, "only the DNS service has 10.1.2.x");
        a.update(Action::FilterBackspace);
        a.update(Action::FilterAccept);
        assert!(!a.filter_editing);
        a.update(Action::Escape);
        assert_eq!(a.rows.len(), 4);
    }

    /// The kept filter texts follow real servers that came and schedulers
    /// that changed.
    #[test]
    fn filter_follows_real_servers_and_schedulers_that_change() {
        let mut t = FakeTable::sample();
        let mut a = app();
        a.apply(poll(&t, 1));
        a.update(Action::FilterStart);
        for c in "10.9.9.9".chars() {
            a.update(Action::FilterChar(c));
        }
        assert_eq!(a.rows.len(), 0);
        let mut d = t.services[1].1[0].clone();
        d.0.addr = "10.9.9.9".parse().unwrap();
        t.services[1].1.push(d);
        a.apply(poll(&t, 2));
        assert_eq!(a.rows, vec![Row::Service(1)]);
        a.update(Action::Escape);
        a.update(Action::FilterStart);
        for c in "sed".chars() {
            a.update(Action::FilterChar(c));
        }
        assert_eq!(a.rows.len(), 0);
        t.services[2].0.scheduler = "sed".into();
        a.apply(poll(&t, 3));
        assert_eq!(a.rows, vec![Row::Service(2)]);
    }

    #[test]
    fn help_swallows_keys_until_closed() {
        let mut t = FakeTable::sample();
        let mut a = app();
        t.advance(1, true);
        a.apply(poll(&t, 1));
        a.update(Action::Help);
        a.update(Action::Down);
        a.update(Action::Freeze);
        assert_eq!(a.selected, 0);
        assert!(!a.frozen);
        a.update(Action::Escape);
        assert!(!a.help);
        a.update(Action::Quit);
        assert!(a.quit);
    }

    #[test]
    fn stale_badge_starts_at_first_failure_and_clears_on_success() {
        let mut t = FakeTable::sample();
        let mut a = app();
        t.advance(1, true);
        a.apply(poll(&t, 1));
        let fail = |s: u64| Event::PollFailed {
            at: Duration::from_secs(s),
            wall: SystemTime::UNIX_EPOCH + Duration::from_secs(s),
            error: "timed out".into(),
        };
        a.apply(fail(2));
        a.apply(fail(3));
        assert_eq!(
            a.poll.failing_since,
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(2))
        );
        t.advance(1, true);
        a.apply(poll(&t, 4));
        assert_eq!(a.poll.failing_since, None);
    }

    #[test]
    fn paging_and_ends() {
        let mut t = FakeTable::many(100);
        let mut a = app();
        t.advance(1, true);
        a.apply(poll(&t, 1));
        a.update(Action::Resize { table_rows: 10 });
        a.update(Action::PageDown);
        assert_eq!(a.selected, 10);
        assert_eq!(a.offset, 1);
        a.update(Action::End);
        assert_eq!(a.selected, 99);
        assert_eq!(a.offset, 90);
        a.update(Action::PageUp);
        assert_eq!(a.selected, 89);
        a.update(Action::Home);
        assert_eq!((a.selected, a.offset), (0, 0));
        assert_eq!(a.watched().len(), 10, "only visible services are watched");
    }
}
