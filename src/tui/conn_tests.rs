//! The connections view on the whole monitor: `c` on a row, readings as the
//! owner thread reports them (built here with conn-summary's `Summarizer`
//! over entries of the sample table), the drill-down, a sampled reading, a
//! failed one, and the half-open column and alert of the main table.

use std::sync::Arc;
use std::time::Duration;

use crate::backend::Reader;
use crate::clock::Clock;
use crate::conns::{
    Attribution, ConnEvent, ConnReading, ConnRequest, HalfOpenCounter, Limits, Made, ReadOf,
    ReadStamp, Sampling, Scope, Summarizer,
};
use crate::model::{Connection, DestKey, Origin};
use crate::poll::Report;
use crate::testkit::conn;

use super::tests::{snapshot_all, Harness};

/// Entries of the sample table's TCP 192.0.2.10:80: a busy 10.1.0.1, a
/// 10.1.0.2 holding half-open connections, the drained 10.1.0.5 winding
/// down, a deleted 10.1.0.9 still holding some, from a few client networks.
fn entries() -> Vec<Connection> {
    let mut out = Vec::new();
    let mut add = |n: u32, real: &str, state: &str, expires: u32| {
        for k in 0..n {
            let client = format!("203.0.{}.{}:{}", 113 + k % 3, 7 + k % 5, 40000 + k);
            out.push(conn(
                "TCP",
                &client,
                "192.0.2.10:80",
                real,
                state,
                expires - k % 60,
            ));
        }
    };
    add(30, "10.1.0.1:80", "ESTABLISHED", 890);
    add(12, "10.1.0.1:80", "TIME_WAIT", 110);
    add(2, "10.1.0.1:80", "SYN_RECV", 55);
    add(9, "10.1.0.2:80", "ESTABLISHED", 800);
    add(40, "10.1.0.2:80", "SYN_RECV", 58);
    add(3, "10.1.0.2:80", "FIN_WAIT", 100);
    add(6, "10.1.0.5:80", "ESTABLISHED", 870);
    add(2, "10.1.0.9:80", "TIME_WAIT", 95);
    add(1, "10.1.0.4:80", "CLOSE_WAIT", 50);
    // Persistence templates (client port 0), one pinning to the deleted one.
    for (client, real, expires) in [
        ("203.0.113.0:0", "10.1.0.9:80", 1765),
        ("203.0.114.0:0", "10.1.0.1:80", 290),
    ] {
        out.push(conn("TCP", client, "192.0.2.10:80", real, "NONE", expires));
    }
    // Two entries synced from a master.
    for c in out.iter_mut().take(2) {
        c.origin = Some(Origin::Sync);
    }
    out
}

fn attribution(h: &Harness) -> Arc<Attribution> {
    let mut table = h.fake.inner().clone();
    Arc::new(Attribution::new(&table.snapshot().unwrap()))
}

/// A reading of the open view's scope over `entries`.
fn reading(h: &Harness, entries: &[Connection], sampling: Sampling) -> Arc<ConnReading> {
    let scope = h.monitor.app.view().connections().unwrap().query().clone();
    let mut s = Summarizer::new(attribution(h), scope, Limits::default());
    for c in entries {
        s.add(c.clone());
    }
    Arc::new(s.finish(ReadStamp {
        sampling,
        made: Made::OneGo,
        at: h.clock.now(),
        // A second before the poll the screen shows.
        wall: h.clock.wall() - Duration::from_secs(1),
        took: Duration::from_millis(3),
        read: entries.len() as u64,
        malformed: 0,
    }))
}

fn report_reading(h: &mut Harness, sampling: Sampling) {
    let r = reading(h, &entries(), sampling);
    h.monitor.report(Report::Connections(ConnEvent::Reading(r)));
}

fn report_half_open(h: &mut Harness) {
    let mut counter = HalfOpenCounter::new(attribution(h));
    for c in entries() {
        counter.add(&c);
    }
    let r = counter.finish(Sampling::Exact, h.clock.now(), h.clock.wall());
    h.monitor
        .report(Report::Connections(ConnEvent::HalfOpen(Arc::new(r))));
}

#[test]
fn connections_view() {
    snapshot_all("connections_view", |h| {
        h.ticks(3);
        h.keys("c");
        report_reading(h, Sampling::Exact);
    });
}

#[test]
fn connections_reading() {
    snapshot_all("connections_reading", |h| {
        h.ticks(3);
        h.keys("c");
    });
}

#[test]
fn connections_drill_down() {
    snapshot_all("connections_drill_down", |h| {
        h.ticks(3);
        h.keys("c");
        report_reading(h, Sampling::Exact);
        // Most entries first: 10.1.0.2, with its 40 half-open.
        h.keys("<Enter>");
        report_reading(h, Sampling::Exact);
        h.keys("o<Down>");
    });
}

#[test]
fn connections_sampled() {
    snapshot_all("connections_sampled", |h| {
        h.ticks(3);
        h.keys("c");
        report_reading(
            h,
            Sampling::Sampled {
                read: 4_000,
                expected: 1_200_000,
            },
        );
    });
}

#[test]
fn connections_error() {
    snapshot_all("connections_error", |h| {
        h.ticks(3);
        h.keys("c");
        let error = "no connection table: /proc/net/ip_vs_conn is absent (no IPVS)".into();
        h.monitor.report(Report::Connections(ConnEvent::Failed {
            of: ReadOf::View,
            error,
            at: h.clock.now(),
        }));
    });
}

/// The half-open column (wide layouts) and the alert once one real server
/// holds many while its siblings hold few.
#[test]
fn half_open_column_and_alert() {
    snapshot_all("half_open_column_and_alert", |h| {
        h.ticks(2);
        report_half_open(h);
        h.ticks(10);
        h.keys("<Right>");
    });
}

/// What `c` asks of the owner thread: a reading of the service, or of the
/// real server within it; the drill-down narrows, Esc widens then closes.
#[test]
fn c_asks_for_the_scope_of_the_selected_row() {
    let mut h = Harness::new(120, 40);
    h.ticks(3);
    let http = h.monitor.app.selected_service().unwrap().service().key;
    h.keys("c");
    assert_eq!(
        h.monitor.app.take_conn_requests(),
        [ConnRequest::Open(Scope::service(http))]
    );
    report_reading(&mut h, Sampling::Exact);
    h.keys("<Enter>");
    let narrowed = h.monitor.app.view().connections().unwrap().query().clone();
    let ten_one_zero_two = DestKey {
        addr: "10.1.0.2".parse().unwrap(),
        port: 80,
    };
    assert_eq!(narrowed.dest, Some(ten_one_zero_two));
    assert_eq!(
        h.monitor.app.take_conn_requests(),
        [ConnRequest::Open(narrowed)]
    );
    h.keys("<Esc><Esc>");
    assert_eq!(
        h.monitor.app.take_conn_requests(),
        [ConnRequest::Open(Scope::service(http)), ConnRequest::Close]
    );
    assert!(h.monitor.app.view().connections().is_none());
    assert_eq!(
        h.monitor.app.selected_service().unwrap().service().key,
        http,
        "back on the row it was opened on"
    );

    // On a real server's row: that real server within its service.
    h.keys("<Right><Down><Down>c");
    let scope = h.monitor.app.view().connections().unwrap().query().clone();
    assert_eq!(scope.service, http);
    assert_eq!(scope.dest, Some(ten_one_zero_two));
    assert!(h
        .screen()
        .contains("connections TCP 192.0.2.10:80 › 10.1.0.2:80"));
    h.keys("c");
    assert!(h.monitor.app.view().connections().is_none(), "c closes");
}

/// The scope stays while the view is open: polls that re-sort the table
/// under it do not move it to another service.
#[test]
fn the_scope_stays_while_polls_move_the_table() {
    let mut h = Harness::new(120, 40);
    h.ticks(3);
    h.keys("c");
    let opened = h.monitor.app.view().connections().unwrap().query().clone();
    h.keys("<Down><Down>");
    h.ticks(5);
    assert_eq!(*h.monitor.app.view().connections().unwrap().query(), opened);
}

/// No key in the view changes the table or opens a dialog: every printable
/// character, Enter, the arrows, with a reading shown and in the
/// drill-down. Only `c` and Esc leave it.
#[test]
fn no_stray_key_in_the_view_changes_the_table() {
    let mut h = Harness::new(120, 40);
    h.ticks(3);
    let before = format!("{:?}", h.fake.inner().services);
    for drill in [false, true] {
        h.keys("c");
        report_reading(&mut h, Sampling::Exact);
        if drill {
            h.keys("<Enter>");
        }
        let keys: String = (' '..='~')
            .filter(|c| !matches!(c, 'c' | 'q' | '/' | '?'))
            .collect();
        h.keys(&keys);
        h.keys("<Enter><Left><Right><Up><Down><PgDn><PgUp><Home><End>");
        assert!(h.monitor.take_requests().is_empty(), "no change asked");
        assert!(!h.monitor.edit.captures(), "no dialog open");
        assert!(h.monitor.app.view().connections().is_some(), "still open");
        h.keys("c");
    }
    assert_eq!(format!("{:?}", h.fake.inner().services), before);
}

/// The client filter: typed after `/`, applied on Enter (a new reading
/// asked), refused in words when it is not an address or prefix.
#[test]
fn the_client_filter_asks_for_its_reading_and_refuses_nonsense() {
    let mut h = Harness::new(120, 40);
    h.ticks(3);
    h.keys("c");
    h.monitor.app.take_conn_requests();
    h.keys("/203.0.113.0/24<Enter>");
    let q = h.monitor.app.view().connections().unwrap().query().clone();
    assert_eq!(q.clients.unwrap().to_string(), "203.0.113.0/24");
    assert_eq!(h.monitor.app.take_conn_requests(), [ConnRequest::Open(q)]);
    report_reading(&mut h, Sampling::Exact);
    let screen = h.screen();
    assert!(screen.contains("clients 203.0.113.0/24"), "{screen}");
    h.keys("/<Bs><Bs>99<Enter>");
    let screen = h.screen();
    assert!(
        screen.contains("client filter: the prefix length must be 0 to 32"),
        "{screen}"
    );
    assert!(h.monitor.app.take_conn_requests().is_empty());
    assert_eq!(
        h.monitor
            .app
            .view()
            .connections()
            .unwrap()
            .query()
            .clients
            .unwrap()
            .to_string(),
        "203.0.113.0/24"
    );
}

/// A new reading with fewer real servers (a deleted one's entries expired)
/// keeps the cursor on a line: Enter still drills into a real server.
#[test]
fn a_shorter_reading_keeps_the_cursor_on_a_real_server() {
    let mut h = Harness::new(120, 40);
    h.ticks(3);
    h.keys("c");
    report_reading(&mut h, Sampling::Exact);
    h.keys("<End>");
    let none = reading(&h, &[], Sampling::Exact);
    h.monitor
        .report(Report::Connections(ConnEvent::Reading(none)));
    h.keys("<Enter>");
    let view = h.monitor.app.view().connections().unwrap();
    assert!(view.entries());
    assert!(view.query().dest.is_some(), "{:?}", view.query());
}
