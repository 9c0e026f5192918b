//! The views against expected text built from ipvsadm.c's own printf formats
//! (tests/expected/gen_expected.py: print_title, print_service_entry,
//! print_largenum, list_all), on a table parsed from tests/expected/table.rules.

use std::net::IpAddr;

use lvstop::model::{Info, Snapshot, Stats};
use lvstop::output::save;
use lvstop::output::text::{render, TextOptions, TextView};

use super::table::table_from_rules;

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
