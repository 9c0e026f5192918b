//! The drain assistant's data fed polls of the kit's table: removal only
//! after two readings with nothing left, the deadline's question, ends
//! seen in the table, the resume offer.

use std::time::{Duration, SystemTime};

use super::*;
use crate::app::test_polls::{app, poll};
use crate::app::App;
use crate::journal::OpenDrain;
use crate::testkit::FakeTable;

fn table() -> FakeTable {
    FakeTable::sample()
}

/// The sample table's HTTP service and its second real server.
fn target(t: &FakeTable) -> (ServiceKey, DestKey) {
    (t.services[0].0.key, t.services[0].1[1].0.key())
}

fn set(t: &mut FakeTable, weight: u32, active: u32, inactive: u32, persistent: u32) {
    let d = &mut t.services[0].1[1].0;
    d.weight = weight;
    d.active_conns = active;
    d.inactive_conns = inactive;
    d.persistent_conns = persistent;
}

/// A watch begun as the owner's answer to `x` would begin it.
fn watching(a: &mut App, t: &FakeTable, options: DrainOptions) {
    let (service, dest) = target(t);
    let start = DrainRequest::Start {
        service,
        dest,
        weight: 1,
    };
    a.drains_mut().answered(&start, &Ok("drained".into()));
    if options != DrainOptions::default() {
        let o = DrainRequest::Options {
            service,
            dest,
            options,
        };
        a.drains_mut().answered(&o, &Ok("set".into()));
    }
}

fn removal_asked(a: &mut App) -> bool {
    a.take_drain_requests()
        .iter()
        .any(|r| matches!(r, DrainRequest::Remove { force: false, .. }))
}

#[test]
fn removes_only_after_two_readings_with_nothing_left() {
    let mut t = table();
    let mut a = app();
    a.apply(poll(&t, 1));
    let remove = DrainOptions {
        remove_when_drained: true,
        deadline_unix: None,
    };
    watching(&mut a, &t, remove);
    assert!(a.watched().contains(&target(&t).0), "its service is read");
    let mut at = 2;
    for (active, inactive, persistent) in [(40, 10, 3), (5, 10, 3), (0, 0, 3), (0, 0, 0)] {
        set(&mut t, 0, active, inactive, persistent);
        a.apply(poll(&t, at));
        at += 1;
        assert!(!removal_asked(&mut a), "{active} {inactive} {persistent}");
    }
    // Back up between two zeros: the count starts again.
    set(&mut t, 0, 1, 0, 0);
    a.apply(poll(&t, at));
    set(&mut t, 0, 0, 0, 0);
    a.apply(poll(&t, at + 1));
    assert!(!removal_asked(&mut a), "one zero after a connection");
    a.apply(poll(&t, at + 2));
    let asked = a.take_drain_requests();
    let (service, dest) = target(&t);
    assert_eq!(
        asked,
        vec![DrainRequest::Remove {
            service,
            dest,
            force: false
        }]
    );
    let w = a.drains().watch(&service, &dest).unwrap();
    assert_eq!(w.phase, Phase::Sent);
    assert_eq!(w.samples.len(), 7);
    // A refusal (a connection came back in between) watches on.
    let refused: Result<String, String> = Err("✗ not drained now".into());
    a.drains_mut().answered(&asked[0], &refused);
    assert_eq!(
        a.drains().watch(&service, &dest).unwrap().phase,
        Phase::Watching
    );
    a.apply(poll(&t, at + 3));
    assert!(!removal_asked(&mut a));
    a.apply(poll(&t, at + 4));
    assert!(removal_asked(&mut a));
    a.drains_mut().answered(&asked[0], &Ok("deleted".into()));
    assert!(a.drains().watches().is_empty());
}

#[test]
fn without_remove_when_drained_nothing_is_deleted() {
    let mut t = table();
    let mut a = app();
    a.apply(poll(&t, 1));
    watching(&mut a, &t, DrainOptions::default());
    set(&mut t, 0, 0, 0, 0);
    for at in 2..8 {
        a.apply(poll(&t, at));
    }
    assert_eq!(a.take_drain_requests(), vec![]);
    assert_eq!(a.drains().watches().len(), 1);
}

#[test]
fn deadline_with_connections_left_asks_once_and_drained_removes() {
    let mut t = table();
    let mut a = app();
    a.apply(poll(&t, 1));
    let deadline = DrainOptions {
        remove_when_drained: false,
        deadline_unix: Some(5),
    };
    watching(&mut a, &t, deadline);
    set(&mut t, 0, 3, 0, 0);
    for at in 2..5 {
        a.apply(poll(&t, at));
        assert!(
            a.drains_mut().take_asking().is_none(),
            "before the deadline"
        );
    }
    a.apply(poll(&t, 5));
    assert_eq!(
        a.drains_mut().take_asking().map(|w| w.dest),
        Some(target(&t).1)
    );
    a.apply(poll(&t, 6));
    assert!(a.drains_mut().take_asking().is_none(), "asked once");
    assert!(!removal_asked(&mut a));
    // Drained past the deadline: removed without asking.
    set(&mut t, 0, 0, 0, 0);
    a.apply(poll(&t, 7));
    a.apply(poll(&t, 8));
    assert!(removal_asked(&mut a));
}

#[test]
fn a_weight_given_back_or_a_server_deleted_elsewhere_ends_the_watch() {
    let mut t = table();
    let mut a = app();
    a.apply(poll(&t, 1));
    watching(&mut a, &t, DrainOptions::default());
    set(&mut t, 0, 9, 0, 0);
    a.apply(poll(&t, 2));
    set(&mut t, 5, 9, 0, 0);
    a.apply(poll(&t, 3));
    assert!(a.drains().watches().is_empty());
    let (service, dest) = target(&t);
    assert_eq!(
        a.take_drain_requests(),
        vec![DrainRequest::End {
            service,
            dest,
            end: DrainEnd::Restored { weight: 5 }
        }]
    );
    assert_eq!(a.drains_mut().take_said(), Vec::<String>::new());

    watching(&mut a, &t, DrainOptions::default());
    t.services[0].1.remove(1);
    a.apply(poll(&t, 4));
    assert!(a.drains().watches().is_empty());
    assert!(matches!(
        a.take_drain_requests()[..],
        [DrainRequest::End {
            end: DrainEnd::Abandoned { .. },
            ..
        }]
    ));
    assert_eq!(
        a.drains_mut().take_said(),
        vec![format!(
            "drain of 10.1.0.2:80 of {service}: watch ended: the real server was deleted by another hand"
        )]
    );
}

#[test]
fn new_connections_while_drained_are_counted_from_the_kernel_counter() {
    let mut t = table();
    let mut a = app();
    a.apply(poll(&t, 1));
    watching(&mut a, &t, DrainOptions::default());
    for at in 2..6 {
        t.services[0].1[1].0.stats.conns += 7;
        set(&mut t, 0, 20, 0, 0);
        a.apply(poll(&t, at));
    }
    let (s, d) = target(&t);
    let w = a.drains().watch(&s, &d).unwrap();
    assert_eq!(w.new_since_start(), 21, "from the first reading");
    assert_eq!(w.new_within(Duration::from_secs(2)), 14);
}

#[test]
fn a_drain_left_open_is_offered_once_its_server_is_read_at_weight_zero() {
    let mut t = table();
    let (service, dest) = target(&t);
    let open = |dest: DestKey| OpenDrain {
        watch: "1.1.1".into(),
        service,
        dest,
        previous_weight: 1,
        options: DrainOptions::default(),
        started_unix: 1_700_000_000,
        namespace: "host".into(),
    };
    let mut a = app();
    let elsewhere = t.services[0].1[0].0.key();
    a.drains_mut().left_open(vec![open(dest), open(elsewhere)]);
    set(&mut t, 0, 3, 0, 0);
    a.apply(poll(&t, 1));
    assert_eq!(a.drains().offer(), Some(&open(dest)), "only the one at 0");
    a.drains_mut().offered();
    assert_eq!(a.drains().offer(), None);
    a.apply(poll(&t, 2));
    assert_eq!(a.drains().offer(), None, "offered once");
    let resume = DrainRequest::Resume(open(dest));
    a.drains_mut().answered(&resume, &Ok("watching".into()));
    let w = a.drains().watch(&service, &dest).unwrap();
    assert_eq!(
        w.started,
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))
    );
}
