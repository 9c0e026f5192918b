//! Reading the table incrementally (the backend owner, `owner.rs`, calls it).
//!
//! Services: a table of up to `LIST_EVERY_POLL_MAX` services is listed
//! whole every poll (one netlink dump). A bigger one is listed whole by the
//! last poll that keeps listings at most `SWEEP_PERIOD` apart, and the polls
//! in between re-read only the services on screen, one request each; a
//! watched service found gone, or a change lvstop applied, makes the poll
//! list the table whole at once. When is decided by time, not by a count of
//! polls: a listing that takes longer than the delay stretches the interval
//! it is measured over, and a count derived from that interval listed again
//! at once, every poll (at 50,000 services in the test VM: every poll took
//! ten seconds, the rows on screen with it).
//!
//! Real servers cost one dump per service, so per poll only these are read:
//! - the services the operator can see (their rows, and the selected one),
//!   always;
//! - a background sweep slice sized so every service is read at least once
//!   per `SWEEP_PERIOD`, and services never read before (new ones).
//!
//! New services and the sweep share a time budget per poll
//! (`SWEEP_BUDGET` of the delay): when a table is too big for the sweep to
//! keep up, the sweep falls behind, not the rows on screen. Before the
//! budget, the slice grew with the stretched interval, which stretched the
//! interval further; a budget as long as the services dump (once every poll
//! listed whole) doubled a listing poll's length.
//!
//! Polls never overlap: the owner thread sleeps for what is left of the interval
//! after a poll; when a poll takes longer than the delay the next one starts
//! right away and the reported interval stretches (the header says so).
//!
//! Services are handed over in ipvsadm's order (`kernel_order`), sorted here
//! on the polling thread rather than on the UI thread.

use std::collections::HashMap;
use std::time::Duration;

use crate::app::table::kernel_order;
use crate::app::{Event, PollResult};
use crate::backend::{ErrorKind, Reader};
use crate::clock::Clock;
use crate::model::{Dest, Info, Service, ServiceKey};

/// Every real server is read at least this often while the table is small
/// enough for the sweep to keep up within its budget.
pub const SWEEP_PERIOD: Duration = Duration::from_secs(10);
/// Share of the delay new services and the sweep may take per poll.
pub const SWEEP_BUDGET: f64 = 0.7;
/// Upper bound on never-read services picked up in one poll, so a table of
/// 100,000 new services fills in over a few polls instead of one long one.
pub const SWEEP_NEW_MAX: usize = 2000;

/// Tables of up to this many services are listed whole every poll. A bigger
/// table is listed whole once per round of the sweep (so no row is older
/// than `SWEEP_PERIOD`), and in between only the services on screen are
/// re-read, one GET_SERVICE each: at 10,000 services the whole listing was
/// 11 % of a full read's time, every poll (`tools/bench`, test VM).
pub const LIST_EVERY_POLL_MAX: usize = 1000;

/// The incremental reading plan; it keeps the sweep position between polls.
#[derive(Debug, Default)]
pub struct Poller {
    /// Where the sweep goes on: a position in the kernel's dump order (found
    /// again by key when services come or go, so the sweep neither skips
    /// nor repeats the ones near it). The kernel finds a service by walking
    /// its hash bucket; in dump order consecutive requests walk the same
    /// bucket, and each real-server dump cost 4-7 % less than in ipvsadm's
    /// order (test VM, 10,000x10).
    cursor: usize,
    /// The last services dump's keys in the kernel's order, and the
    /// positions that put them in ipvsadm's order: while the table does not
    /// change, each poll reuses the order instead of sorting (sorting 10,000
    /// services took more than decoding them).
    dumped: Vec<ServiceKey>,
    order: Vec<u32>,
    /// The inverse of `order`: each dumped service's position in ipvsadm's
    /// order.
    rank: Vec<u32>,
    /// The same keys in ipvsadm's order: what the sweep walks, and where
    /// watched services are looked up between whole listings.
    keys: Vec<ServiceKey>,
    /// When the last whole listing began, and whether the next poll must
    /// list the table whole anyway (a change was just applied).
    listed_at: Option<Duration>,
    relist: bool,
    /// How long the last poll that did not list the table took: what the
    /// next one is expected to take (see `lists_whole`).
    ordinary: Option<Duration>,
    /// Per service in ipvsadm's order: whether its real servers were ever
    /// read (positions, not a set of keys: no hashing per poll).
    read_once: Vec<bool>,
    last_at: Option<Duration>,
    /// How long the last poll took (the margin of a round, see `round`).
    last_took: Option<Duration>,
}

/// What one poll read: whether `services` is the whole table (or just the
/// watched services, re-read one by one).
type Reading = (Info, bool, Vec<Service>, Vec<(ServiceKey, Vec<Dest>)>);

impl Poller {
    pub fn new() -> Poller {
        Poller::default()
    }

    /// Makes the next poll list the table whole: after a change lvstop
    /// applied, a new or deleted service shows at once, not a round later.
    pub fn relist(&mut self) {
        self.relist = true;
    }

    /// One poll. `delay` is the configured interval; `watched` the services
    /// whose real servers the operator is looking at.
    pub fn poll(
        &mut self,
        reader: &mut dyn Reader,
        watched: &[ServiceKey],
        delay: Duration,
        clock: &dyn Clock,
    ) -> Event {
        let started = clock.now();
        let estimator = reader.estimator_running();
        let interval = match self.last_at {
            Some(prev) => (started - prev).max(delay),
            None => delay,
        };
        self.last_at = Some(started);
        match self.read(reader, watched, delay, interval, clock) {
            Ok((info, whole, services, dests)) => {
                let at = clock.now();
                self.last_took = Some(at - started);
                if !whole {
                    self.ordinary = Some(at - started);
                }
                Event::Polled(PollResult {
                    at,
                    wall: clock.wall(),
                    took: at - started,
                    interval,
                    info,
                    whole,
                    services,
                    dests,
                    estimator,
                })
            }
            Err(e) => Event::PollFailed {
                at: clock.now(),
                wall: clock.wall(),
                error: e.to_string(),
            },
        }
    }

    /// Whether the poll starting `now` lists every service (see
    /// `LIST_EVERY_POLL_MAX`): yes unless the next poll can still list within
    /// `SWEEP_PERIOD` of the last listing. The next poll is expected a delay
    /// from now, or as long as an ordinary poll takes if that is longer
    /// (never a listing poll's length: see the module's notes).
    fn lists_whole(&self, now: Duration, delay: Duration) -> bool {
        let Some(listed_at) = self.listed_at else {
            return true;
        };
        let next = delay.max(self.ordinary.unwrap_or(delay));
        self.relist
            || self.keys.len() <= LIST_EVERY_POLL_MAX
            || now.saturating_sub(listed_at) + next >= SWEEP_PERIOD
    }

    /// Polls in a round of the sweep. A service is read again a round of
    /// intervals later, give or take where in its poll it is read: the
    /// round plus one poll's duration (the last one's, at least a tenth of
    /// the interval; a whole interval before the first poll) fits in
    /// `SWEEP_PERIOD`. A round of `period / interval - 1` polls instead
    /// came out one poll short whenever the measured interval was a hair
    /// over the delay (1.0001 s: 8 polls, not 9), and swept an eighth more
    /// than needed.
    fn round(&self, interval: Duration) -> usize {
        let took = self
            .last_took
            .map_or(interval, |t| t.max(interval / 10))
            .min(interval);
        let room = SWEEP_PERIOD.saturating_sub(took).as_secs_f64();
        ((room / interval.as_secs_f64()).floor() as usize).max(1)
    }

    /// The watched services re-read one by one; `None` when one of them is
    /// gone (the poll then lists the table whole, so the row goes at once).
    fn watched_services(
        &self,
        reader: &mut dyn Reader,
        watched: &[ServiceKey],
    ) -> Result<Option<Vec<Service>>, crate::backend::Error> {
        let mut fresh = Vec::with_capacity(watched.len());
        for k in watched {
            if self.keys.binary_search_by(|s| kernel_order(s, k)).is_err()
                || fresh.iter().any(|s: &Service| s.key == *k)
            {
                continue;
            }
            match reader.service(k) {
                Ok(s) => fresh.push(s),
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        fresh.sort_by(|a, b| kernel_order(&a.key, &b.key));
        Ok(Some(fresh))
    }

    fn read(
        &mut self,
        reader: &mut dyn Reader,
        watched: &[ServiceKey],
        delay: Duration,
        interval: Duration,
        clock: &dyn Clock,
    ) -> Result<Reading, crate::backend::Error> {
        let started = clock.now();
        let info = reader.info()?;
        let mut services = None;
        if !self.lists_whole(started, delay) {
            services = self.watched_services(reader, watched)?;
        }
        let whole = services.is_none();
        let services = match services {
            Some(s) => s,
            None => {
                let listed = self.in_order(reader.services()?);
                self.relist = false;
                self.listed_at = Some(started);
                listed
            }
        };
        let budget = delay.mul_f64(SWEEP_BUDGET);
        let round = self.round(interval);
        let rank = &self.rank;
        let keys = &self.keys;
        let n = keys.len();
        let mut pass = Pass {
            keys,
            read_once: &mut self.read_once,
            picked: vec![false; n],
            dests: Vec::new(),
        };
        for k in watched {
            if let Ok(i) = keys.binary_search_by(|s| kernel_order(s, k)) {
                pass.read(i, reader)?;
            }
        }
        let sweep_start = clock.now();
        let spent = || clock.now().saturating_sub(sweep_start) >= budget;
        // The sweep walks the services in dump order from where it stopped:
        // its slice, and on past it while the services ahead were never read
        // (at start-up, all of them), so every service's reads are one round
        // apart. Services the walk has not reached that were never read (new
        // ones) are read after it.
        let slice = n.div_ceil(round);
        let mut step = 0;
        while step < n && !spent() {
            let i = rank[(self.cursor + step) % n] as usize;
            if step >= slice && pass.read_once[i] {
                break;
            }
            pass.read(i, reader)?;
            step += 1;
        }
        if n > 0 {
            self.cursor = (self.cursor + step) % n;
        }
        let mut new_count = 0;
        for i in 0..n {
            if new_count == SWEEP_NEW_MAX || spent() {
                break;
            }
            if !pass.read_once[i] && !pass.picked[i] {
                pass.read(i, reader)?;
                new_count += 1;
            }
        }
        let dests = pass.dests;
        Ok((info, whole, services, dests))
    }

    /// The services of a dump in ipvsadm's order (`kernel_order`), keeping
    /// `read_once` aligned with them.
    fn in_order(&mut self, services: Vec<Service>) -> Vec<Service> {
        let same = services.len() == self.dumped.len()
            && services.iter().zip(&self.dumped).all(|(s, k)| s.key == *k);
        if !same {
            // Each service's place in the new dump, by key.
            let at: HashMap<ServiceKey, usize> = services
                .iter()
                .enumerate()
                .map(|(d, s)| (s.key, d))
                .collect();
            let mut order: Vec<u32> = (0..services.len() as u32).collect();
            // Keys are unique: an unstable sort gives the one order.
            order.sort_unstable_by(|&a, &b| {
                kernel_order(&services[a as usize].key, &services[b as usize].key)
            });
            let mut rank = vec![0; order.len()];
            for (p, &d) in order.iter().enumerate() {
                rank[d as usize] = p as u32;
            }
            // A service read before stays read, wherever it is now.
            let mut read_once = vec![false; order.len()];
            for (key, &p) in self.dumped.iter().zip(&self.rank) {
                if let (true, Some(&d)) = (self.read_once[p as usize], at.get(key)) {
                    read_once[rank[d] as usize] = true;
                }
            }
            self.read_once = read_once;
            // The sweep goes on at the first service from the cursor on, in
            // the last dump's order, that is still there.
            let m = self.dumped.len();
            self.cursor = (0..m)
                .find_map(|j| at.get(&self.dumped[(self.cursor + j) % m]))
                .map_or(0, |&d| d);
            self.rank = rank;
            self.dumped = services.iter().map(|s| s.key).collect();
            self.order = order;
        }
        let mut slots: Vec<Option<Service>> = services.into_iter().map(Some).collect();
        if !same {
            self.keys = self
                .order
                .iter()
                .map(|&i| slots[i as usize].as_ref().expect("a permutation").key)
                .collect();
        }
        self.order
            .iter()
            .map(|&i| slots[i as usize].take().expect("a permutation"))
            .collect()
    }
}

/// The real-server reads of one poll, by position in ipvsadm's order.
struct Pass<'a> {
    keys: &'a [ServiceKey],
    read_once: &'a mut Vec<bool>,
    /// Read by this poll already.
    picked: Vec<bool>,
    dests: Vec<(ServiceKey, Vec<Dest>)>,
}

impl Pass<'_> {
    /// Reads service `i`'s real servers, unless this poll did.
    fn read(&mut self, i: usize, reader: &mut dyn Reader) -> Result<(), crate::backend::Error> {
        if std::mem::replace(&mut self.picked[i], true) {
            return Ok(());
        }
        let key = self.keys[i];
        match reader.dests(&key) {
            Ok(d) => {
                self.dests.push((key, d));
                self.read_once[i] = true;
                Ok(())
            }
            // Deleted between the two dumps: the next poll drops it.
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fake::{FakeReader, FakeTable};
    use crate::clock::ManualClock;
    use crate::model::{Dest, Service};
    use std::collections::{HashMap, HashSet};
    use std::time::SystemTime;

    #[test]
    fn sweep_reads_every_service_within_the_period() {
        let fake = FakeReader::new(FakeTable::many(1000));
        let mut reader = fake.clone();
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let mut poller = Poller::new();
        let delay = Duration::from_secs(1);
        // The first polls read never-read services, at most SWEEP_NEW_MAX each.
        let Event::Polled(first) = poller.poll(&mut reader, &[], delay, &clock) else {
            panic!()
        };
        assert_eq!(first.dests.len(), 1000.min(SWEEP_NEW_MAX));
        // The polls of one round, and the one that ends it, fit in the period.
        let polls = SWEEP_PERIOD.as_secs() as usize - 1;
        for round in 0..3 {
            fake.0.lock().unwrap().dest_reads.clear();
            for _ in 0..polls {
                clock.advance(delay);
                let Event::Polled(p) = poller.poll(&mut reader, &[], delay, &clock) else {
                    panic!()
                };
                assert!(
                    p.dests.len() <= 1000_usize.div_ceil(polls),
                    "{}",
                    p.dests.len()
                );
            }
            let reads: HashSet<_> = fake.0.lock().unwrap().dest_reads.iter().copied().collect();
            assert_eq!(reads.len(), 1000, "round {round}: every service read");
        }
    }

    /// A reader whose real-server dumps each take `cost` of the clock's time;
    /// it logs when each service's real servers were read.
    struct Slow<'a> {
        inner: FakeReader,
        clock: &'a ManualClock,
        cost: Duration,
        reads: Vec<(ServiceKey, Duration)>,
        /// What a whole listing takes.
        list_cost: Duration,
    }

    impl Reader for Slow<'_> {
        fn info(&mut self) -> Result<crate::model::Info, crate::backend::Error> {
            self.inner.info()
        }
        fn services(&mut self) -> Result<Vec<Service>, crate::backend::Error> {
            self.clock.advance(self.list_cost);
            self.inner.services()
        }
        fn service(&mut self, key: &ServiceKey) -> Result<Service, crate::backend::Error> {
            self.inner.service(key)
        }
        fn dests(&mut self, key: &ServiceKey) -> Result<Vec<Dest>, crate::backend::Error> {
            self.clock.advance(self.cost);
            self.reads.push((*key, self.clock.now()));
            self.inner.dests(key)
        }
        fn timeouts(&mut self) -> Result<crate::model::Timeouts, crate::backend::Error> {
            self.inner.timeouts()
        }
    }

    /// The sweep reads real servers in the order the kernel dumps services
    /// (its hash order, not ipvsadm's), each poll going on where the last
    /// stopped; a service gone at the cursor moves it to the next one still
    /// there, and a new one is read by the poll that first sees it.
    #[test]
    fn the_sweep_walks_the_kernels_dump_order() {
        let n = 900;
        let mut table = FakeTable::many(n);
        // A fixed shuffle, as a hash order would be.
        let mut shuffled = Vec::new();
        for start in 0..7 {
            shuffled.extend(table.services.iter().skip(start).step_by(7).cloned());
        }
        table.services = shuffled;
        let fake = FakeReader::new(table);
        let dump = |fake: &FakeReader| -> Vec<ServiceKey> {
            let t = fake.0.lock().unwrap();
            t.services.iter().map(|s| s.0.key).collect()
        };
        let mut reader = fake.clone();
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let mut poller = Poller::new();
        let delay = Duration::from_secs(1);
        let mut poll = |poller: &mut Poller| -> Vec<ServiceKey> {
            fake.0.lock().unwrap().dest_reads.clear();
            clock.advance(delay);
            let Event::Polled(p) = poller.poll(&mut reader, &[], delay, &clock) else {
                panic!()
            };
            assert!(p.whole, "a table this small is listed whole every poll");
            fake.0.lock().unwrap().dest_reads.clone()
        };
        // Start-up reads every service, in dump order.
        assert_eq!(poll(&mut poller), dump(&fake));
        let mut at = 0;
        for _ in 0..12 {
            let reads = poll(&mut poller);
            assert_eq!(reads.len(), n.div_ceil(9));
            let order = dump(&fake);
            let expected: Vec<ServiceKey> = (0..reads.len()).map(|j| order[(at + j) % n]).collect();
            assert_eq!(reads, expected);
            at = (at + reads.len()) % n;
        }
        // The service at the cursor goes, and a new one comes at the front
        // (the kernel puts new services at the head of their bucket).
        let next = dump(&fake)[(at + 1) % n];
        let fresh = FakeTable::many(n + 1).services.pop().unwrap();
        let fresh_key = fresh.0.key;
        {
            let mut t = fake.0.lock().unwrap();
            t.services.remove(at);
            t.services.insert(0, fresh);
        }
        let reads = poll(&mut poller);
        assert_eq!(reads[0], next, "on at the next one still there");
        assert!(
            reads.contains(&fresh_key),
            "the new service is read at once"
        );
        let order = dump(&fake);
        let from = order.iter().position(|k| *k == next).unwrap();
        let swept: Vec<ServiceKey> = reads.iter().copied().filter(|k| *k != fresh_key).collect();
        let expected: Vec<ServiceKey> = (0..swept.len()).map(|j| order[(from + j) % n]).collect();
        assert_eq!(swept, expected);
        // A service before the cursor goes: the positions shift, the sweep
        // goes on at the same service.
        let next = order[(from + swept.len()) % n];
        fake.0.lock().unwrap().services.remove(0);
        assert_eq!(poll(&mut poller)[0], next);
    }

    /// A table too big for the sweep: each poll reads the watched services
    /// and then sweeps only for its budget; the sweep goes on where it
    /// stopped, and never-read services come first.
    #[test]
    fn the_sweep_keeps_to_its_budget_and_the_watched_rows_stay_fresh() {
        let table = FakeTable::many(1000);
        let watched = [table.services[700].0.key, table.services[3].0.key];
        let fake = FakeReader::new(table);
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        // 10 ms a dump: 1,000 services take 10 s, far over the budget.
        let cost = Duration::from_millis(10);
        let mut reader = Slow {
            inner: fake.clone(),
            clock: &clock,
            cost,
            reads: Vec::new(),
            list_cost: Duration::ZERO,
        };
        let delay = Duration::from_secs(1);
        let budget = (delay.as_secs_f64() * SWEEP_BUDGET / cost.as_secs_f64()) as usize;
        let mut poller = Poller::new();
        let mut read: HashSet<ServiceKey> = HashSet::new();
        let mut polls = 0;
        while read.len() < 1000 {
            polls += 1;
            assert!(
                polls <= 1000 / budget + 1,
                "the sweep stalled: {} read",
                read.len()
            );
            let Event::Polled(p) = poller.poll(&mut reader, &watched, delay, &clock) else {
                panic!()
            };
            let keys: Vec<ServiceKey> = p.dests.iter().map(|(k, _)| *k).collect();
            assert_eq!(keys[..2], watched, "watched services first, every poll");
            assert!(keys.len() <= 2 + budget, "{} read", keys.len());
            assert!(p.took < delay, "{:?}", p.took);
            read.extend(keys);
            clock.advance(delay - p.took);
        }
    }

    /// From start-up on, no service goes longer than the sweep period
    /// between two reads of its real servers, and a new service is read by
    /// the poll that first sees it; at several table sizes and read costs
    /// (start-up over one poll or several).
    #[test]
    fn no_service_waits_longer_than_the_period() {
        for (n, cost_us) in [(3000, 250), (2000, 150), (500, 1000)] {
            let fake = FakeReader::new(FakeTable::many(n));
            let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
            let mut reader = Slow {
                inner: fake.clone(),
                clock: &clock,
                cost: Duration::from_micros(cost_us),
                reads: Vec::new(),
                list_cost: Duration::ZERO,
            };
            let delay = Duration::from_secs(1);
            let mut poller = Poller::new();
            let mut last = HashMap::new();
            let mut worst = Duration::ZERO;
            let mut complete = false;
            for poll in 0..40 {
                if poll == 25 {
                    let mut t = fake.0.lock().unwrap();
                    let fresh = FakeTable::many(n + 1).services.pop().unwrap();
                    t.services.push(fresh);
                }
                if poll == 30 {
                    // Positions shift: what was read must follow its key.
                    let gone = fake.0.lock().unwrap().services.remove(0).0.key;
                    last.remove(&gone);
                }
                let Event::Polled(p) = poller.poll(&mut reader, &[], delay, &clock) else {
                    panic!()
                };
                for (key, at) in reader.reads.drain(..) {
                    if let Some(prev) = last.insert(key, at) {
                        worst = worst.max(at - prev);
                    }
                }
                // Once start-up has read everything, a new service waits
                // for no sweep (only for the next whole listing, in a table
                // too big to list whole every poll).
                if p.whole {
                    if complete {
                        assert_eq!(last.len(), p.services.len(), "{n}: poll {poll}");
                    }
                    complete = last.len() == p.services.len();
                }
                clock.advance(delay.saturating_sub(p.took));
            }
            assert!(complete);
            assert!(worst <= SWEEP_PERIOD, "{n} services: {worst:?}");
            assert!(worst >= SWEEP_PERIOD - Duration::from_secs(2), "{worst:?}");
        }
    }

    /// A listing longer than the delay (50,000 services in the test VM took
    /// 4.3 s): only the polls that must list do, listings stay within the
    /// period, and the polls between them re-read the rows on screen within
    /// the delay. Before, the stretched interval made every poll list.
    #[test]
    fn a_slow_listing_does_not_make_every_poll_list() {
        let n = LIST_EVERY_POLL_MAX + 500;
        let table = FakeTable::many(n);
        let watched = [table.services[3].0.key];
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let list_cost = Duration::from_secs(4);
        let mut reader = Slow {
            inner: FakeReader::new(table),
            clock: &clock,
            cost: Duration::from_micros(100),
            reads: Vec::new(),
            list_cost,
        };
        let delay = Duration::from_secs(1);
        let mut poller = Poller::new();
        let mut listings = Vec::new();
        let mut polls = 0;
        while clock.now() < Duration::from_secs(120) {
            let start = clock.now();
            let Event::Polled(p) = poller.poll(&mut reader, &watched, delay, &clock) else {
                panic!()
            };
            polls += 1;
            if p.whole {
                listings.push(start);
                assert!(p.took <= list_cost + delay, "{:?}", p.took);
            } else {
                assert!(p.took < delay, "{:?}", p.took);
                assert_eq!(p.services.len(), 1);
            }
            clock.advance(delay.saturating_sub(p.took));
        }
        for w in listings.windows(2) {
            let gap = w[1] - w[0];
            assert!(gap <= SWEEP_PERIOD, "{gap:?}");
            assert!(gap >= SWEEP_PERIOD - list_cost, "{gap:?}");
        }
        assert!(listings.len() * 4 < polls, "{} of {polls}", listings.len());
    }

    /// Logs which services each poll read: by a whole listing, or one by
    /// one.
    struct Listing {
        inner: FakeReader,
        whole: usize,
        one: Vec<ServiceKey>,
    }

    impl Reader for Listing {
        fn info(&mut self) -> Result<crate::model::Info, crate::backend::Error> {
            self.inner.info()
        }
        fn services(&mut self) -> Result<Vec<Service>, crate::backend::Error> {
            self.whole += 1;
            self.inner.services()
        }
        fn service(&mut self, key: &ServiceKey) -> Result<Service, crate::backend::Error> {
            self.one.push(*key);
            self.inner.service(key)
        }
        fn dests(&mut self, key: &ServiceKey) -> Result<Vec<Dest>, crate::backend::Error> {
            self.inner.dests(key)
        }
        fn timeouts(&mut self) -> Result<crate::model::Timeouts, crate::backend::Error> {
            self.inner.timeouts()
        }
    }

    /// A table of up to `LIST_EVERY_POLL_MAX` services is listed whole every
    /// poll; a bigger one once per sweep round (no service row older than
    /// the period), and in between only the watched services are re-read,
    /// one request each, and handed over in ipvsadm's order.
    #[test]
    fn a_big_table_is_listed_whole_once_a_round() {
        for (n, every) in [(LIST_EVERY_POLL_MAX, 1), (LIST_EVERY_POLL_MAX + 1, 9)] {
            let table = FakeTable::many(n);
            let watched = [table.services[n - 1].0.key, table.services[5].0.key];
            let mut reader = Listing {
                inner: FakeReader::new(table),
                whole: 0,
                one: Vec::new(),
            };
            let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
            let delay = Duration::from_secs(1);
            let mut poller = Poller::new();
            let mut last: HashMap<ServiceKey, Duration> = HashMap::new();
            let mut worst = Duration::ZERO;
            for poll in 0..30 {
                let Event::Polled(p) = poller.poll(&mut reader, &watched, delay, &clock) else {
                    panic!()
                };
                assert_eq!(p.whole, poll % every == 0, "{n}: poll {poll}");
                assert_eq!(reader.whole, poll / every + 1, "{n}: poll {poll}");
                if p.whole {
                    assert_eq!(p.services.len(), n);
                } else {
                    let keys: Vec<ServiceKey> = p.services.iter().map(|s| s.key).collect();
                    assert_eq!(keys, [watched[1], watched[0]], "ipvsadm's order");
                    assert_eq!(reader.one.drain(..).collect::<Vec<_>>(), watched);
                }
                for s in &p.services {
                    if let Some(prev) = last.insert(s.key, p.at) {
                        worst = worst.max(p.at - prev);
                    }
                }
                clock.advance(delay);
            }
            assert!(reader.one.is_empty());
            assert_eq!(last.len(), n);
            assert!(worst <= SWEEP_PERIOD - delay, "{n}: {worst:?}");
        }
    }

    /// A watched service found gone, a change lvstop applied (`relist`):
    /// the poll lists the table whole, so the row goes (or comes) at once.
    #[test]
    fn a_gone_service_or_a_change_lists_the_table_whole() {
        let table = FakeTable::many(LIST_EVERY_POLL_MAX + 10);
        let gone = table.services[7].0.key;
        let fake = FakeReader::new(table);
        let mut reader = Listing {
            inner: fake.clone(),
            whole: 0,
            one: Vec::new(),
        };
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let delay = Duration::from_secs(1);
        let mut poller = Poller::new();
        let poll = |poller: &mut Poller, reader: &mut Listing| {
            clock.advance(delay);
            let Event::Polled(p) = poller.poll(reader, &[gone], delay, &clock) else {
                panic!()
            };
            p
        };
        assert!(poll(&mut poller, &mut reader).whole);
        assert!(!poll(&mut poller, &mut reader).whole);
        fake.0.lock().unwrap().services.remove(7);
        let p = poll(&mut poller, &mut reader);
        assert!(p.whole);
        assert_eq!(p.services.len(), LIST_EVERY_POLL_MAX + 9);
        assert!(p.services.iter().all(|s| s.key != gone));
        // Not watched any more: the next poll re-reads nothing by key.
        let p = poll(&mut poller, &mut reader);
        assert!(!p.whole && p.services.is_empty());
        poller.relist();
        assert!(poll(&mut poller, &mut reader).whole);
        assert!(!poll(&mut poller, &mut reader).whole);
    }

    /// Measured intervals a hair over the delay (as real clocks give) keep
    /// the round at 9 polls of 1 s: the sweep reads a ninth per poll, not an
    /// eighth, and still no service waits longer than the period.
    #[test]
    fn a_hair_over_the_delay_keeps_the_round() {
        let n = 2000;
        let fake = FakeReader::new(FakeTable::many(n));
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let mut reader = Slow {
            inner: fake.clone(),
            clock: &clock,
            cost: Duration::from_micros(100),
            reads: Vec::new(),
            list_cost: Duration::ZERO,
        };
        let delay = Duration::from_secs(1);
        let hair = delay + Duration::from_micros(100);
        let mut poller = Poller::new();
        let mut last = HashMap::new();
        let mut worst = Duration::ZERO;
        for poll in 0..40 {
            let Event::Polled(p) = poller.poll(&mut reader, &[], delay, &clock) else {
                panic!()
            };
            if poll >= 12 {
                assert!(p.interval > delay);
                assert!(
                    p.dests.len() <= n.div_ceil(9),
                    "poll {poll}: {}",
                    p.dests.len()
                );
            }
            for (key, at) in reader.reads.drain(..) {
                if let Some(prev) = last.insert(key, at) {
                    worst = worst.max(at - prev);
                }
            }
            clock.advance(hair.saturating_sub(p.took));
        }
        assert_eq!(last.len(), n);
        assert!(worst <= SWEEP_PERIOD, "{worst:?}");
    }

    #[test]
    fn services_come_in_ipvsadm_order() {
        let mut table = FakeTable::many(50);
        table.services.reverse();
        let fake = FakeReader::new(table);
        let mut reader = fake.clone();
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let mut poller = Poller::new();
        // The first poll sorts, the second reuses the order, the third sees
        // a changed table.
        for poll in 0..3 {
            if poll == 2 {
                let mut t = fake.0.lock().unwrap();
                t.services.swap(3, 40);
                t.services.remove(10);
            }
            let Event::Polled(p) = poller.poll(&mut reader, &[], Duration::from_secs(1), &clock)
            else {
                panic!()
            };
            assert_eq!(p.services.len(), if poll == 2 { 49 } else { 50 });
            assert!(p
                .services
                .is_sorted_by(|a, b| kernel_order(&a.key, &b.key).is_lt()));
        }
    }

    #[test]
    fn watched_services_are_read_every_poll() {
        let table = FakeTable::many(50);
        let key = table.services[17].0.key;
        let fake = FakeReader::new(table);
        let mut reader = fake.clone();
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let mut poller = Poller::new();
        for _ in 0..5 {
            clock.advance(Duration::from_secs(1));
            let Event::Polled(p) = poller.poll(&mut reader, &[key], Duration::from_secs(1), &clock)
            else {
                panic!()
            };
            assert!(p.dests.iter().any(|(k, _)| *k == key));
        }
    }

    #[test]
    fn slow_polls_stretch_the_interval() {
        let fake = FakeReader::new(FakeTable::sample());
        let mut reader = fake.clone();
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let mut poller = Poller::new();
        let delay = Duration::from_secs(1);
        poller.poll(&mut reader, &[], delay, &clock);
        clock.advance(Duration::from_millis(2500));
        let Event::Polled(p) = poller.poll(&mut reader, &[], delay, &clock) else {
            panic!()
        };
        assert_eq!(p.interval, Duration::from_millis(2500));
    }

    #[test]
    fn failures_are_reported_not_fatal() {
        let fake = FakeReader::new(FakeTable::sample());
        fake.0.lock().unwrap().failing = Some("netlink: timed out".into());
        let mut reader = fake.clone();
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let e = Poller::new().poll(&mut reader, &[], Duration::from_secs(1), &clock);
        assert!(matches!(e, Event::PollFailed { ref error, .. } if error == "netlink: timed out"));
    }
}
