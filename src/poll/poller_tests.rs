//! The poller against fake readers on a manual clock: the sweep, the listing
//! cadence, the order services are handed over in.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::{Poller, LIST_EVERY_POLL_MAX, SWEEP_BUDGET, SWEEP_NEW_MAX, SWEEP_PERIOD};
use crate::app::Event;
use crate::backend::{Error, ErrorKind};
use crate::clock::Clock;
use crate::model::ServiceKey;
use crate::output::order::by_service_key;
use crate::testkit::{CallKind, FakeReader, FakeTable, ManualClock};

#[test]
fn sweep_reads_every_service_within_the_period() {
    let fake = FakeReader::new(FakeTable::many(1000));
    let mut reader = fake.clone();
    let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    let mut poller = Poller::new();
    let delay = Duration::from_secs(1);
    // The first polls read never-read services, at most SWEEP_NEW_MAX each.
    let Event::Polled(first) = poller.poll(&mut reader, &[], delay, &*clock) else {
        panic!()
    };
    assert_eq!(first.dests.len(), 1000.min(SWEEP_NEW_MAX));
    // The polls of one round, and the one that ends it, fit in the period.
    let polls = SWEEP_PERIOD.as_secs() as usize - 1;
    for round in 0..3 {
        fake.take(CallKind::Dests);
        for _ in 0..polls {
            clock.advance(delay);
            let Event::Polled(p) = poller.poll(&mut reader, &[], delay, &*clock) else {
                panic!()
            };
            assert!(
                p.dests.len() <= 1000_usize.div_ceil(polls),
                "{}",
                p.dests.len()
            );
        }
        let reads: HashSet<_> = fake.keys(CallKind::Dests).into_iter().collect();
        assert_eq!(reads.len(), 1000, "round {round}: every service read");
    }
}

/// `fake` with each real-server dump taking `cost` of `clock`'s time and
/// a whole listing `list_cost`; every call stamped with the clock.
fn slow(
    fake: FakeReader,
    clock: &Arc<ManualClock>,
    cost: Duration,
    list_cost: Duration,
) -> FakeReader {
    let fake = fake.on_clock(clock.clone());
    fake.latency(CallKind::Dests, cost);
    fake.latency(CallKind::Services, list_cost);
    fake
}

/// The real servers read since the last look, and when.
fn dest_reads(fake: &FakeReader) -> Vec<(ServiceKey, Duration)> {
    let taken = fake.take(CallKind::Dests).into_iter();
    taken.map(|r| (r.call.key().unwrap(), r.at)).collect()
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
        let t = fake.inner();
        t.services.iter().map(|s| s.0.key).collect()
    };
    let mut reader = fake.clone();
    let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    let mut poller = Poller::new();
    let delay = Duration::from_secs(1);
    let mut poll = |poller: &mut Poller| -> Vec<ServiceKey> {
        fake.take(CallKind::Dests);
        clock.advance(delay);
        let Event::Polled(p) = poller.poll(&mut reader, &[], delay, &*clock) else {
            panic!()
        };
        assert!(p.whole, "a table this small is listed whole every poll");
        fake.keys(CallKind::Dests)
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
        let mut t = fake.inner();
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
    fake.inner().services.remove(0);
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
    let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    // 10 ms a dump: 1,000 services take 10 s, far over the budget.
    let cost = Duration::from_millis(10);
    let mut reader = slow(fake.clone(), &clock, cost, Duration::ZERO);
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
        let Event::Polled(p) = poller.poll(&mut reader, &watched, delay, &*clock) else {
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
        let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
        let mut reader = slow(
            fake.clone(),
            &clock,
            Duration::from_micros(cost_us),
            Duration::ZERO,
        );
        let delay = Duration::from_secs(1);
        let mut poller = Poller::new();
        let mut last = HashMap::new();
        let mut worst = Duration::ZERO;
        let mut complete = false;
        for poll in 0..40 {
            if poll == 25 {
                let mut t = fake.inner();
                let fresh = FakeTable::many(n + 1).services.pop().unwrap();
                t.services.push(fresh);
            }
            if poll == 30 {
                // Positions shift: what was read must follow its key.
                let gone = fake.inner().services.remove(0).0.key;
                last.remove(&gone);
            }
            let Event::Polled(p) = poller.poll(&mut reader, &[], delay, &*clock) else {
                panic!()
            };
            for (key, at) in dest_reads(&reader) {
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

/// A listing longer than the delay (as at 50,000 services in the test VM):
/// only the polls that must list do, listings stay within the period, and
/// the polls between them re-read the rows on screen within the delay.
#[test]
fn a_slow_listing_does_not_make_every_poll_list() {
    let n = LIST_EVERY_POLL_MAX + 500;
    let table = FakeTable::many(n);
    let watched = [table.services[3].0.key];
    let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    let list_cost = Duration::from_secs(4);
    let mut reader = slow(
        FakeReader::new(table),
        &clock,
        Duration::from_micros(100),
        list_cost,
    );
    let delay = Duration::from_secs(1);
    let mut poller = Poller::new();
    let mut listings = Vec::new();
    let mut polls = 0;
    while clock.now() < Duration::from_secs(120) {
        let start = clock.now();
        let Event::Polled(p) = poller.poll(&mut reader, &watched, delay, &*clock) else {
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

/// A table of up to `LIST_EVERY_POLL_MAX` services is listed whole every
/// poll; a bigger one once per sweep round (no service row older than
/// the period), and in between only the watched services are re-read,
/// one request each, and handed over in ipvsadm's order.
#[test]
fn a_big_table_is_listed_whole_once_a_round() {
    for (n, every) in [(LIST_EVERY_POLL_MAX, 1), (LIST_EVERY_POLL_MAX + 1, 9)] {
        let table = FakeTable::many(n);
        let watched = [table.services[n - 1].0.key, table.services[5].0.key];
        let mut reader = FakeReader::new(table);
        let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
        let delay = Duration::from_secs(1);
        let mut poller = Poller::new();
        let mut last: HashMap<ServiceKey, Duration> = HashMap::new();
        let mut worst = Duration::ZERO;
        for poll in 0..30 {
            let Event::Polled(p) = poller.poll(&mut reader, &watched, delay, &*clock) else {
                panic!()
            };
            assert_eq!(p.whole, poll % every == 0, "{n}: poll {poll}");
            assert_eq!(
                reader.count(CallKind::Services),
                poll / every + 1,
                "{n}: poll {poll}"
            );
            if p.whole {
                assert_eq!(p.services.len(), n);
            } else {
                let keys: Vec<ServiceKey> = p.services.iter().map(|s| s.key).collect();
                assert_eq!(keys, [watched[1], watched[0]], "ipvsadm's order");
                assert_eq!(reader.take_keys(CallKind::Service), watched);
            }
            for s in &p.services {
                if let Some(prev) = last.insert(s.key, p.at) {
                    worst = worst.max(p.at - prev);
                }
            }
            clock.advance(delay);
        }
        assert!(reader.keys(CallKind::Service).is_empty());
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
    let mut reader = fake.clone();
    let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    let delay = Duration::from_secs(1);
    let mut poller = Poller::new();
    let poll = |poller: &mut Poller, reader: &mut FakeReader| {
        clock.advance(delay);
        let Event::Polled(p) = poller.poll(reader, &[gone], delay, &*clock) else {
            panic!()
        };
        p
    };
    assert!(poll(&mut poller, &mut reader).whole);
    assert!(!poll(&mut poller, &mut reader).whole);
    fake.inner().services.remove(7);
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
    let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    let mut reader = slow(
        fake.clone(),
        &clock,
        Duration::from_micros(100),
        Duration::ZERO,
    );
    let delay = Duration::from_secs(1);
    let hair = delay + Duration::from_micros(100);
    let mut poller = Poller::new();
    let mut last = HashMap::new();
    let mut worst = Duration::ZERO;
    for poll in 0..40 {
        let Event::Polled(p) = poller.poll(&mut reader, &[], delay, &*clock) else {
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
        for (key, at) in dest_reads(&reader) {
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
    let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    let mut poller = Poller::new();
    // The first poll sorts, the second reuses the order, the third sees
    // a changed table.
    for poll in 0..3 {
        if poll == 2 {
            let mut t = fake.inner();
            t.services.swap(3, 40);
            t.services.remove(10);
        }
        let Event::Polled(p) = poller.poll(&mut reader, &[], Duration::from_secs(1), &*clock)
        else {
            panic!()
        };
        assert_eq!(p.services.len(), if poll == 2 { 49 } else { 50 });
        assert!(p
            .services
            .is_sorted_by(|a, b| by_service_key(&a.key, &b.key).is_lt()));
    }
}

#[test]
fn watched_services_are_read_every_poll() {
    let table = FakeTable::many(50);
    let key = table.services[17].0.key;
    let fake = FakeReader::new(table);
    let mut reader = fake.clone();
    let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    let mut poller = Poller::new();
    for _ in 0..5 {
        clock.advance(Duration::from_secs(1));
        let Event::Polled(p) = poller.poll(&mut reader, &[key], Duration::from_secs(1), &*clock)
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
    let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    let mut poller = Poller::new();
    let delay = Duration::from_secs(1);
    poller.poll(&mut reader, &[], delay, &*clock);
    clock.advance(Duration::from_millis(2500));
    let Event::Polled(p) = poller.poll(&mut reader, &[], delay, &*clock) else {
        panic!()
    };
    assert_eq!(p.interval, Duration::from_millis(2500));
}

#[test]
fn failures_are_reported_not_fatal() {
    let fake = FakeReader::new(FakeTable::sample());
    fake.fail_reads(Error::new(ErrorKind::Io, "netlink: timed out"));
    let mut reader = fake.clone();
    let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    let e = Poller::new().poll(&mut reader, &[], Duration::from_secs(1), &*clock);
    assert!(matches!(e, Event::PollFailed { ref error, .. } if error == "netlink: timed out"));
}
