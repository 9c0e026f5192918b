//! The store as polls leave it, driven through the app; a few checks read
//! the store's own bookkeeping (flagged rows, the key list).

use std::time::{Duration, SystemTime};

use crate::app::rates::{RateSource, Rates};
use crate::app::table::Row;
use crate::app::test_polls::{app, poll, poll_of_some, polled};
use crate::app::{Action, App, Event, Metric, APPLY_STEP_ROWS, DEST_SERIES_MAX};
use crate::model::{Dest, Service, ServiceKey};
use crate::testkit::FakeTable;

use super::{Changed, ServiceRow};

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
    let n = a.store().services().len();
    assert!(n >= 3);
    let keys: Vec<ServiceKey> = table.services.iter().map(|(s, _)| s.key).collect();
    let row_of = |a: &App, i: usize| a.store().service(&keys[i]).unwrap().clone();
    let before: Vec<ServiceRow> = (0..n).map(|i| row_of(&a, i)).collect();
    // Traffic everywhere; poll 2 re-reads service 0, and the real
    // servers of service 1 and of service 0 (one of them reweighted).
    table.advance(1, true);
    table.services[0].1[0].0.weight += 5;
    a.apply(some(2, &table, &[0], &[0, 1]));
    let (r0, r1, r2) = (row_of(&a, 0), row_of(&a, 1), row_of(&a, 2));
    assert_eq!(r0.service().stats, table.services[0].0.stats);
    assert_ne!(
        r0.service().stats,
        before[0].service().stats,
        "traffic moved"
    );
    assert_eq!(r0.series().history.len(), 2);
    assert!(r0.changed().has(Changed::WEIGHT), "a re-read row is marked");
    assert!(r0.dests()[0].changed().has(Changed::WEIGHT));
    assert_eq!(r1.service().stats, before[1].service().stats, "not re-read");
    assert_eq!(r1.series().history.len(), 1);
    assert_eq!(r1.dests_read_at(), Some(Duration::from_secs(2)));
    assert_eq!(r1.dests()[0].dest().stats, table.services[1].1[0].0.stats);
    assert_eq!(r2.service().stats, before[2].service().stats);
    assert_eq!(r2.dests_read_at(), Some(Duration::from_secs(1)));
    assert_eq!(
        a.store().totals().history.len(),
        2,
        "the totals sample every poll"
    );
    // Poll 3 re-reads service 2 only: service 0's marks go.
    table.advance(1, true);
    a.apply(some(3, &table, &[2], &[]));
    assert_eq!(row_of(&a, 0).changed(), Changed::default());
    assert!(row_of(&a, 0)
        .dests()
        .iter()
        .all(|d| d.changed() == Changed::default()));
    // Service 2 fills polls 2 and 3 with its reading.
    let h2 = row_of(&a, 2).series().history.clone();
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
        assert_eq!(r.series().history.len(), 4, "service {i}");
        assert_eq!(r.service().stats, table.services[i].0.stats);
    }
    // The totals are the sum over every row's latest rates.
    let sum: f64 = a
        .store()
        .services()
        .iter()
        .filter_map(|r| r.series().rates.map(|x| x.inpps))
        .sum();
    assert_eq!(a.store().totals().rates.map(|r| r.inpps), Some(sum));
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
    let keys: Vec<ServiceKey> = a
        .store()
        .services()
        .iter()
        .map(|r| r.service().key)
        .collect();
    let dests_of = |k: &ServiceKey| {
        let (_, ds) = table.services.iter().find(|(s, _)| s.key == *k).unwrap();
        ds.iter().map(|(d, _)| d.clone()).collect::<Vec<_>>()
    };
    let partial = |at: u64, services: Vec<Service>, read: &[ServiceKey]| {
        let mut dests: Vec<(ServiceKey, Vec<Dest>)> =
            read.iter().map(|k| (*k, dests_of(k))).collect();
        // A service the dump no longer has.
        dests.push((
            crate::testkit::tcp("198.51.100.1".parse().unwrap(), 1),
            vec![],
        ));
        polled(at, services, dests)
    };
    let all: Vec<Service> = table.services.iter().map(|(s, _)| s.clone()).collect();
    a.apply(partial(2, all.clone(), &[keys[1]]));
    for (i, row) in a.store().services().iter().enumerate() {
        let read = if i == 1 {
            Some(Duration::from_secs(2))
        } else {
            Some(Duration::from_secs(1))
        };
        assert_eq!(row.dests_read_at(), read, "service {i}");
        assert_eq!(
            a.store().service(&row.service().key).unwrap().service().key,
            row.service().key
        );
    }
    // The first service goes away.
    let fewer: Vec<Service> = all.into_iter().filter(|s| s.key != keys[0]).collect();
    a.apply(partial(3, fewer, &[keys[2]]));
    assert!(a.store().service(&keys[0]).is_none());
    assert_eq!(a.store().services().len(), keys.len() - 1);
    for row in a.store().services() {
        let k = row.service().key;
        let read = if k == keys[2] {
            3
        } else if k == keys[1] {
            2
        } else {
            1
        };
        assert_eq!(
            row.dests_read_at(),
            Some(Duration::from_secs(read)),
            "{k:?}"
        );
        assert_eq!(a.store().service(&k).unwrap().service().key, k);
        assert_eq!(row.dests().len(), dests_of(&k).len());
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
        assert_eq!(a.store().rate_source(), want, "poll {at}");
    }
    assert!(a.store().totals().rates.is_none());
    for s in a.store().services() {
        assert!(s.series().rates.is_none(), "{:?}", s.service().key);
        for d in s.dests() {
            assert!(d.rates(a.store().rate_source()).is_none());
            assert!(d.series().as_ref().is_none_or(|s| s.rates.is_none()));
        }
    }
    // Unknown estimator state (demo, older kernels): the usual detection.
    t.advance(1, true);
    a.apply(poll(&t, 7));
    assert_eq!(a.store().rate_source(), RateSource::Kernel);
    assert!(a.store().totals().rates.is_some());
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
            let active: u64 = a.store().services().iter().map(ServiceRow::active).sum();
            proptest::prop_assert_eq!(a.store().totals_active(), active);
            let marked: Vec<usize> = (0..a.store().services().len())
                .filter(|&i| {
                    let r = &a.store().services()[i];
                    r.changed() != Changed::default()
                        || r.dests().iter().any(|d| d.changed() != Changed::default())
                })
                .collect();
            let mut flagged = a.store().flagged.clone();
            flagged.sort_unstable();
            proptest::prop_assert_eq!(flagged, marked);
            if a.store().rate_source() == RateSource::Kernel {
                let mut sum = crate::model::Stats::default();
                for r in a.store().services() {
                    sum.cps += r.service().stats.cps;
                    sum.inpps += r.service().stats.inpps;
                    sum.outpps += r.service().stats.outpps;
                    sum.inbps += r.service().stats.inbps;
                    sum.outbps += r.service().stats.outbps;
                }
                proptest::prop_assert_eq!(a.store().totals().rates, Some(Rates::from_kernel(&sum)));
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
            assert_eq!(sliced.view().rows().len(), sliced.store().services().len());
            assert!(sliced.view().rows().iter().all(|r| match *r {
                Row::Service(i) => i < sliced.store().services().len(),
                Row::Dest(i, j) => j < sliced.store().services()[i].dests().len(),
            }));
            let before = sliced.selected_service().map(|r| r.service().key);
            sliced.update(Action::Down);
            sliced.update(Action::Up);
            assert_eq!(sliced.selected_service().map(|r| r.service().key), before);
        }
        // The rows' updates, 4 services a step (each with its real
        // server: a step ends once it reached 7 rows), then the totals
        // over every service row, 7 a step.
        assert_eq!(
            steps,
            49usize.div_ceil(4) + 49usize.div_ceil(7) - 1,
            "poll {at}"
        );
        assert!(!sliced.applying());
    }
    assert_eq!(sliced.store().totals().rates, whole.store().totals().rates);
    assert_eq!(
        sliced.store().totals().history.len(),
        whole.store().totals().history.len()
    );
    assert_eq!(sliced.store().rate_source(), RateSource::Counters);
    for (a, b) in sliced
        .store()
        .services()
        .iter()
        .zip(whole.store().services())
    {
        assert_eq!(a.service().key, b.service().key);
        assert_eq!(a.series().rates, b.series().rates);
        assert_eq!(a.series().history.len(), b.series().history.len());
        assert_eq!(a.dests().len(), b.dests().len());
    }
    assert_eq!(sliced.view().rows(), whole.view().rows());
}

/// A step counts the real servers it applies as rows: a service of ten
/// real servers weighs eleven rows (each costs about what a service row
/// does), so a step of a 400 x 10 table stops after 187 services instead of
/// applying all 4,400 rows at once.
#[test]
fn a_step_counts_real_servers_as_rows() {
    let mut t = FakeTable::many(400);
    for (_, dests) in &mut t.services {
        let (d, traffic) = dests[0].clone();
        for port in 81..90 {
            let mut more = d.clone();
            more.port = port;
            dests.push((more, traffic));
        }
    }
    let mut a = app();
    t.advance(1, true);
    a.apply(poll(&t, 1));
    t.advance(1, true);
    a.begin(poll(&t, 2));
    assert!(!a.apply_step(APPLY_STEP_ROWS));
    let applied = a
        .store()
        .services()
        .iter()
        .filter(|r| r.series().history.len() == 2)
        .count();
    assert_eq!(applied, APPLY_STEP_ROWS.div_ceil(11));
    while !a.apply_step(APPLY_STEP_ROWS) {}
    assert!(a
        .store()
        .services()
        .iter()
        .all(|r| r.series().history.len() == 2 && r.dests().len() == 10));
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
        assert!(a.store().services().len() <= n);
        assert_eq!(a.store().keys.len(), a.store().services().len());
        for (i, row) in a.store().services().iter().enumerate() {
            assert_eq!(a.store().index[&row.service().key], i);
            assert_eq!(a.store().keys[i], row.service().key);
        }
        a.update(Action::Down);
    }
    // Five slices of rows (a service and its real server are two rows:
    // 1,024 services a slice), then three of totals (the last ends it).
    assert_eq!(steps, 7);
    assert_eq!(a.store().services().len(), n);
    assert_eq!(a.view().rows().len(), n);
    for (row, (s, ds)) in a.store().services().iter().zip(&t.services) {
        assert_eq!(row.service().key, s.key);
        assert_eq!(row.dests().len(), ds.len());
        assert_eq!(row.series().history.len(), 1);
    }
    let active: u64 = t
        .services
        .iter()
        .flat_map(|(_, ds)| ds)
        .map(|(d, _)| d.active_conns as u64)
        .sum();
    assert!(active > 0);
    assert_eq!(a.store().totals_active(), active);
    assert!(a.store().services()[0]
        .dests()
        .iter()
        .all(|d| d.series().is_none()));
    t.advance(1, true);
    a.apply(poll(&t, 2));
    assert!(a.store().services()[0]
        .dests()
        .iter()
        .all(|d| d.series().is_some()));
}

/// Paging through every service never gives more real servers a series
/// than the cap; the services on screen have theirs, and real servers
/// without one still show the kernel's rates.
#[test]
fn real_server_series_follow_what_is_watched_within_a_cap() {
    let n = DEST_SERIES_MAX + 500;
    let mut t = FakeTable::many(n);
    let mut a = app();
    a.update(Action::Resize {
        table_rows: 25,
        table_width: 120,
    });
    let with_series = |a: &App| -> usize {
        a.store()
            .services()
            .iter()
            .flat_map(|s| s.dests())
            .filter(|d| d.series().is_some())
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
            let row = a.store().service(&key).unwrap();
            assert!(
                row.dests().iter().all(|d| d.series().is_some()),
                "{key:?} at {at}"
            );
        }
        a.update(Action::PageDown);
    }
    assert_eq!(a.view().selected(), n - 1, "paged to the end");
    // The first page was watched longest ago: evicted.
    assert!(a.store().services()[0]
        .dests()
        .iter()
        .all(|d| d.series().is_none()));
    assert_eq!(a.store().services()[0].dest_series(), 0);
    assert_eq!(a.store().rate_source(), RateSource::Kernel);
    let d = &a.store().services()[0].dests()[0];
    assert_eq!(
        d.rates(a.store().rate_source()),
        Some(Rates::from_kernel(&d.dest().stats))
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
        let row = &a.store().services()[0];
        let with: Vec<bool> = row.dests().iter().map(|d| d.series().is_some()).collect();
        let n = with.iter().filter(|w| **w).count();
        assert!(n <= DEST_SERIES_MAX, "{n}");
        assert!(with[..n].iter().all(|w| *w), "the first ones");
        assert!(with[0] && !with[DEST_SERIES_MAX + 299]);
        let first = row.dests()[0].series().unwrap();
        assert_eq!(first.history.len(), at as usize, "from the first reading");
        let total: usize = a
            .store()
            .services()
            .iter()
            .flat_map(|s| s.dests())
            .filter(|d| d.series().is_some())
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
        a.store().services().iter().all(|s| {
            s.series().tracks_counters()
                && s.dests()
                    .iter()
                    .all(|d| d.series().as_ref().is_none_or(|s| s.tracks_counters()))
        })
    };
    let untracked = |a: &App| {
        a.store().services().iter().all(|s| {
            !s.series().tracks_counters()
                && s.dests()
                    .iter()
                    .all(|d| d.series().as_ref().is_none_or(|s| !s.tracks_counters()))
        })
    };
    for at in 1..=3 {
        t.advance(1, true);
        a.apply(poll(&t, at));
    }
    assert_eq!(a.store().rate_source(), RateSource::Kernel);
    assert!(untracked(&a));
    // The kernel's rates stop (a backend that cannot say why): derive.
    t.advance(1, false);
    a.apply(poll(&t, 4));
    assert_eq!(a.store().rate_source(), RateSource::Counters);
    assert!(tracked(&a));
    assert!(
        a.store()
            .services()
            .iter()
            .all(|s| s.series().rates.is_none()),
        "no evidence yet"
    );
    for at in 5..=16 {
        t.advance(1, false);
        a.apply(poll(&t, at));
    }
    assert!(a
        .store()
        .services()
        .iter()
        .all(|s| s.series().rates.is_some()));
    // Rates are back: the tracks go.
    t.advance(1, true);
    a.apply(poll(&t, 17));
    assert_eq!(a.store().rate_source(), RateSource::Kernel);
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
    assert_eq!(a.store().rate_source(), RateSource::Kernel);
    assert!(a
        .store()
        .services()
        .iter()
        .all(|s| s.series().rates == Some(Rates::default())));
    a.apply(poll(&t, 2));
    assert_eq!(a.store().rate_source(), RateSource::Counters);
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
    let row = a.store().service(&key).unwrap();
    assert!(row.changed().has(Changed::ACTIVE));
    assert!(!row.changed().has(Changed::WEIGHT));
    assert!(a
        .store()
        .services()
        .iter()
        .filter(|r| r.service().key != key)
        .all(|r| !r.changed().has(Changed::ACTIVE)));
    a.apply(poll(&t, 3));
    assert!(!a
        .store()
        .service(&key)
        .unwrap()
        .changed()
        .has(Changed::ACTIVE));
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
        a.store().poll_status().failing_since,
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(2))
    );
    t.advance(1, true);
    a.apply(poll(&t, 4));
    assert_eq!(a.store().poll_status().failing_since, None);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// The alerts roll up consistently after every poll, whatever rows each
    /// poll read, with the rate source changing in between: each service's
    /// count is its real servers' alerts, the store's count their sum, and
    /// the header's worst alert is raised, of the worst kind, and there
    /// exactly when some alert is.
    #[test]
    fn alert_roll_ups_follow_every_poll(
        polls in proptest::collection::vec(
            (
                proptest::bool::weighted(0.3),
                proptest::collection::vec(0usize..12, 0..4),
                proptest::collection::vec(0usize..12, 0..8),
                proptest::collection::vec(
                    (0usize..12, 0usize..2, 0u32..3, 0u32..4, 0u32..3, proptest::bool::ANY),
                    0..8,
                ),
                0u8..10,
            ),
            1..40,
        )
    ) {
        let mut t = FakeTable::many(12);
        t.wave = false;
        for (_, dests) in &mut t.services {
            let mut second = dests[0].clone();
            second.0.addr = "10.200.0.2".parse().unwrap();
            dests.push(second);
        }
        let mut a = app();
        let mut at = 1;
        t.advance(1, true);
        a.apply(poll(&t, at));
        for (whole, svc, read, changes, estimator) in polls {
            at += 1;
            for (i, j, weight, active, threshold, quiet) in changes {
                let (d, traffic) = &mut t.services[i].1[j];
                d.weight = weight;
                d.active_conns = active;
                d.upper_threshold = threshold;
                traffic.cps = u64::from(!quiet);
            }
            t.advance(1, estimator != 0);
            let mut p = if whole {
                let Event::Polled(p) = poll(&t, at) else { unreachable!() };
                p
            } else {
                poll_of_some(&t, at, &svc, &read)
            };
            p.estimator = match estimator {
                0 => Some(false),
                1 => None,
                _ => Some(true),
            };
            a.apply(Event::Polled(p));
            let store = a.store();
            let mut total = 0;
            let mut worst = None;
            for row in store.services() {
                let raised: Vec<_> = row.dests().iter().filter_map(|d| d.alert()).collect();
                proptest::prop_assert_eq!(row.alerts() as usize, raised.len());
                total += raised.len();
                worst = raised.iter().map(|a| a.kind()).chain(worst).min();
            }
            proptest::prop_assert_eq!(store.alert_count(), total);
            let header = store.worst_alert();
            proptest::prop_assert_eq!(header.map(|w| w.alert.kind()), worst);
            proptest::prop_assert_eq!(header.map_or(0, |w| w.others + 1), total);
        }
    }
}

/// Alerts are judged at readings, over time: an idle real server (its
/// sibling gets the new connections) is flagged after the quiet spell and
/// the hold, a draining one only marked; with the estimator off no new
/// connection can be judged, so the idle alert clears after its hold while
/// the draining mark stays.
#[test]
fn alerts_follow_the_readings_and_the_rate_source() {
    use crate::app::alerts::{Kind, CLEAR_AFTER, QUIET_SECS, RAISE_AFTER};
    let mut t = FakeTable::many(2);
    t.wave = false;
    for (_, dests) in &mut t.services {
        let mut second = dests[0].clone();
        second.0.addr = "10.200.0.2".parse().unwrap();
        dests.push(second);
        for (_, traffic) in dests.iter_mut() {
            traffic.cps = 20;
        }
    }
    let read = |t: &FakeTable, at: u64, estimator: bool| {
        let mut p = poll_of_some(t, at, &[0, 1], &[0, 1]);
        p.whole = true;
        p.estimator = Some(estimator);
        Event::Polled(p)
    };
    let kinds = |a: &App| -> Vec<Vec<Option<Kind>>> {
        let rows = a.store().services();
        rows.iter()
            .map(|r| {
                r.dests()
                    .iter()
                    .map(|d| d.alert().map(|x| x.kind()))
                    .collect()
            })
            .collect()
    };
    let draining = |a: &App| a.store().services()[1].dests()[0].draining();
    let mut a = app();
    let mut at = 0;
    let mut run = |a: &mut App, t: &mut FakeTable, secs: u64, estimator: bool| {
        for _ in 0..secs {
            at += 1;
            t.advance(1, estimator);
            a.apply(read(t, at, estimator));
        }
    };
    run(&mut a, &mut t, 5, true);
    assert_eq!(kinds(&a), vec![vec![None, None], vec![None, None]]);
    t.services[0].1[1].1.cps = 0;
    t.services[1].1[0].0.weight = 0;
    t.services[1].1[0].0.active_conns = 3;
    t.services[1].1[0].1.cps = 0;
    run(&mut a, &mut t, QUIET_SECS as u64, true);
    assert_eq!(kinds(&a)[0], vec![None, None], "quiet, not yet held");
    assert!(draining(&a));
    run(&mut a, &mut t, RAISE_AFTER as u64, true);
    assert_eq!(a.store().rate_source(), RateSource::Kernel);
    assert_eq!(
        kinds(&a),
        vec![vec![None, Some(Kind::Idle)], vec![None, None]]
    );
    assert_eq!(a.store().services()[0].alerts(), 1);
    assert_eq!(a.store().alert_count(), 1);
    run(&mut a, &mut t, CLEAR_AFTER as u64 - 1, false);
    assert_eq!(a.store().rate_source(), RateSource::Off);
    assert_eq!(kinds(&a)[0], vec![None, Some(Kind::Idle)], "held");
    run(&mut a, &mut t, 1, false);
    assert_eq!(kinds(&a), vec![vec![None, None], vec![None, None]]);
    assert_eq!(a.store().alert_count(), 0);
    assert!(draining(&a));
}
