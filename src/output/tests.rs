//! The views against expected text built from ipvsadm.c's own printf formats
//! (tests/expected/gen_expected.py: print_title, print_service_entry,
//! print_largenum, list_all), on a table parsed from tests/expected/table.rules.

use std::net::IpAddr;

use std::time::SystemTime;

use crate::backend::{Error, Reader};
use crate::model::{
    Change, Dest, Info, Service, ServiceEntry, ServiceKey, Snapshot, Stats, Timeouts,
};
use crate::rules::parse_rules;

use super::save;
use super::sink::Sink;
use super::stream::Stream;
use super::text::{render, TextOptions, TextView};

/// Apply add-changes to a snapshot as the kernel would list them: services
/// and real servers newest first (list_add_rcu), so the listing must sort.
pub(crate) fn table_from_rules(rules: &str) -> Snapshot {
    let mut snap = Snapshot {
        info: Info {
            version: 0x010201,
            conn_tab_size: 4096,
        },
        services: Vec::new(),
    };
    for change in parse_rules(rules).expect("rules parse") {
        match change {
            Change::AddService(service) => snap.services.insert(
                0,
                ServiceEntry {
                    service,
                    dests: Vec::new(),
                },
            ),
            Change::AddDest { service, dest } => snap
                .services
                .iter_mut()
                .find(|e| e.service.key == service)
                .expect("service exists")
                .dests
                .insert(0, dest),
            other => panic!("unexpected change {other:?}"),
        }
    }
    snap
}

/// The table served as the kernel serves it: a services list, then one
/// service's real servers per request (in the snapshot's order: unsorted).
pub(crate) struct SnapshotReader(pub Snapshot);

impl Reader for SnapshotReader {
    fn info(&mut self) -> Result<Info, Error> {
        Ok(self.0.info)
    }
    fn services(&mut self) -> Result<Vec<Service>, Error> {
        Ok(self.0.services.iter().map(|e| e.service.clone()).collect())
    }
    fn dests(&mut self, key: &ServiceKey) -> Result<Vec<Dest>, Error> {
        Ok(self
            .0
            .services
            .iter()
            .find(|e| e.service.key == *key)
            .map(|e| e.dests.clone())
            .unwrap_or_default())
    }
    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        Ok(Timeouts::default())
    }
}

/// `snapshot` read through the streaming path (`Stream`) into `sink`.
pub(crate) fn streamed(snapshot: &Snapshot, sink: &mut dyn Sink, at: SystemTime) -> String {
    let mut out = Vec::new();
    Stream::new(&mut out)
        .reading(&mut SnapshotReader(snapshot.clone()), sink, at)
        .expect("a table in memory reads and writes");
    String::from_utf8(out).expect("every sink writes UTF-8")
}

fn stats(v: [u64; 10]) -> Stats {
    Stats {
        conns: v[0],
        inpkts: v[1],
        outpkts: v[2],
        inbytes: v[3],
        outbytes: v[4],
        cps: v[5],
        inpps: v[6],
        outpps: v[7],
        inbps: v[8],
        outbps: v[9],
    }
}

/// The test table with the numbers gen_expected.py uses.
fn table() -> Snapshot {
    let mut snap = table_from_rules(include_str!("../../tests/expected/table.rules"));
    let vip: IpAddr = "10.0.0.1".parse().unwrap();
    let e = snap
        .services
        .iter_mut()
        .find(|e| e.service.key.to_string() == format!("TCP {vip}:80"))
        .unwrap();
    e.service.stats = stats([
        123_456_789,
        1_000_000_000,
        99_999_999,
        123_456_789_012_345,
        5,
        100_000_000,
        7,
        8,
        250_000_000_000,
        1,
    ]);
    for d in &mut e.dests {
        if d.port == 8080 {
            d.stats = stats([1, 2, 3, 4, 5, 123_456_789, 2, 3, 150_000_000, 999]);
        } else {
            d.active_conns = 12;
            d.inactive_conns = 345;
            d.persistent_conns = 6;
        }
    }
    snap
}

fn check(view: TextView, exact: bool, expected: &str) {
    let got = render(&table(), TextOptions { view, exact });
    assert_eq!(
        got, expected,
        "\n--- got ---\n{got}--- expected ---\n{expected}"
    );
}

#[test]
fn plain_listing() {
    check(
        TextView::Plain,
        false,
        include_str!("../../tests/expected/plain.txt"),
    );
}

#[test]
fn stats_shortened_and_exact() {
    check(
        TextView::Stats,
        false,
        include_str!("../../tests/expected/stats.txt"),
    );
    check(
        TextView::Stats,
        true,
        include_str!("../../tests/expected/stats_exact.txt"),
    );
}

#[test]
fn rate_shortened_and_exact() {
    check(
        TextView::Rate,
        false,
        include_str!("../../tests/expected/rate.txt"),
    );
    check(
        TextView::Rate,
        true,
        include_str!("../../tests/expected/rate_exact.txt"),
    );
}

#[test]
fn thresholds_persistconn_tuninfo() {
    check(
        TextView::Thresholds,
        false,
        include_str!("../../tests/expected/thr.txt"),
    );
    check(
        TextView::PersistConn,
        false,
        include_str!("../../tests/expected/pconn.txt"),
    );
    check(
        TextView::TunInfo,
        false,
        include_str!("../../tests/expected/tun.txt"),
    );
}

#[test]
fn empty_table() {
    let snap = Snapshot {
        info: Info {
            version: 0x010201,
            conn_tab_size: 4096,
        },
        services: Vec::new(),
    };
    assert_eq!(
        render(&snap, TextOptions::default()),
        "IP Virtual Server version 1.2.1 (size=4096)\n\
         Prot LocalAddress:Port Scheduler Flags\n  \
         -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
    );
    assert_eq!(save::render(&snap), "");
}

#[test]
fn save_is_ipvsadm_s_plus_thresholds() {
    assert_eq!(
        save::render(&table()),
        include_str!("../../tests/expected/save.txt")
    );
}

#[test]
fn save_restores_to_the_same_table() {
    let snap = table();
    let saved = save::render(&snap);
    let again = table_from_rules(&saved);
    assert_eq!(save::render(&again), saved);
    // Every configuration field survives (counters are not configuration).
    let strip = |s: &Snapshot| {
        let mut s = s.clone();
        for e in &mut s.services {
            e.service.stats = Stats::default();
            for d in &mut e.dests {
                d.stats = Stats::default();
                d.active_conns = 0;
                d.inactive_conns = 0;
                d.persistent_conns = 0;
            }
            e.dests.sort_by_key(|d| (d.addr, d.port));
        }
        s.services.sort_by_key(|e| e.service.key.to_string());
        s
    };
    assert_eq!(strip(&again), strip(&snap));
}
