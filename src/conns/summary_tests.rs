//! The connections view's reading and the half-open counts, on entries
//! built over `FakeTable::sample()`'s services.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::*;
use crate::backend::Reader;
use crate::model::{Connection, DestKey, Origin, ServiceKey};
use crate::testkit::{conn, tcp, FakeTable};

fn attribution() -> Arc<Attribution> {
    Arc::new(Attribution::new(&FakeTable::sample().snapshot().unwrap()))
}

fn http() -> ServiceKey {
    tcp("192.0.2.10".parse().unwrap(), 80)
}

fn https() -> ServiceKey {
    tcp("192.0.2.10".parse().unwrap(), 443)
}

fn dk(s: &str) -> DestKey {
    let a: std::net::SocketAddr = s.parse().unwrap();
    DestKey {
        addr: a.ip(),
        port: a.port(),
    }
}

fn stamp(read: u64) -> ReadStamp {
    ReadStamp {
        sampling: Sampling::Exact,
        made: Made::OneGo,
        at: Duration::from_secs(10),
        wall: SystemTime::UNIX_EPOCH,
        took: Duration::from_millis(3),
        read,
        malformed: 0,
    }
}

fn web(client: &str, real: &str, state: &str, expires: u32) -> Connection {
    conn("TCP", client, "192.0.2.10:80", real, state, expires)
}

fn read(scope: Scope, limits: Limits, entries: &[Connection]) -> ConnReading {
    let mut s = Summarizer::new(attribution(), scope, limits);
    for c in entries {
        s.add(c.clone());
    }
    s.finish(stamp(entries.len() as u64))
}

#[test]
fn counts_by_state_per_real_server_with_stale_ones_and_their_last_expiry() {
    let mut synced = web("203.0.113.9:1009", "10.1.0.1:80", "ESTABLISHED", 800);
    synced.origin = Some(Origin::Sync);
    let entries = [
        web("203.0.113.7:1001", "10.1.0.1:80", "ESTABLISHED", 890),
        web("203.0.113.7:1002", "10.1.0.1:80", "SYN_RECV", 55),
        web("203.0.113.8:1003", "10.1.0.2:80", "TIME_WAIT", 100),
        // Drained (weight 0) and gone real servers, still with entries.
        web("198.51.100.1:1004", "10.1.0.5:80", "FIN_WAIT", 70),
        web("198.51.100.1:1005", "10.1.0.5:80", "ESTABLISHED", 620),
        web("198.51.100.2:1006", "10.1.0.9:80", "TIME_WAIT", 42),
        // Another service's entry is not counted.
        conn(
            "TCP",
            "203.0.113.7:1007",
            "192.0.2.10:443",
            "10.1.1.1:443",
            "ESTABLISHED",
            1,
        ),
        synced,
    ];
    let r = read(Scope::service(http()), Limits::default(), &entries);
    assert_eq!(r.total.entries(), 7);
    assert_eq!(r.total.synced, 1);
    assert_eq!(r.read, 8);
    let rows: Vec<_> = r.dests.iter().map(|d| (d.dest, d.standing)).collect();
    assert_eq!(rows.len(), 6, "the five configured, then the gone one");
    assert_eq!(rows[5], (dk("10.1.0.9:80"), Standing::Gone));
    let first = &r.dests[0];
    assert_eq!(first.counts.states.get("ESTABLISHED"), 2);
    assert_eq!(first.counts.states.get("SYN_RECV"), 1);
    assert_eq!(first.counts.synced, 1);
    assert_eq!(first.last_expires, 890);
    let drained = &r.dests[3];
    assert_eq!(drained.standing, Standing::Drained);
    assert_eq!((drained.counts.entries(), drained.last_expires), (2, 620));
    assert_eq!(r.dests[5].last_expires, 42);
    assert_eq!(r.dests[2].counts.entries(), 0, "no entries, still listed");
    assert_eq!(
        r.count(r.total.states.get("ESTABLISHED")),
        Count::Exact { value: 3 }
    );
    assert_eq!(r.age(Duration::from_secs(13)), Duration::from_secs(3));
}

#[test]
fn top_clients_by_address_and_prefix() {
    let mut entries = Vec::new();
    for (i, client) in ["203.0.113.7", "203.0.113.8", "203.0.113.7", "198.51.100.1"]
        .iter()
        .enumerate()
    {
        entries.push(web(
            &format!("{client}:{}", 2000 + i),
            "10.1.0.1:80",
            "ESTABLISHED",
            9,
        ));
    }
    entries.push(web("203.0.113.7:3000", "10.1.0.2:80", "TIME_WAIT", 9));
    let r = read(Scope::service(http()), Limits::default(), &entries);
    let clients: Vec<_> = r
        .top_clients
        .iter()
        .map(|t| (t.key.to_string(), t.count))
        .collect();
    assert_eq!(clients[0], ("203.0.113.7".to_string(), 3));
    assert_eq!(clients.len(), 3);
    let prefixes: Vec<_> = r
        .top_prefixes
        .iter()
        .map(|t| (t.key.to_string(), t.count))
        .collect();
    assert_eq!(
        prefixes,
        [
            ("203.0.113.0/24".to_string(), 4),
            ("198.51.100.0/24".to_string(), 1)
        ]
    );
    assert!(r.top_clients.iter().all(|t| t.error == 0));
}

#[test]
fn templates_pin_clients_gone_ones_first() {
    let tls = |client: &str, real: &str, expires| {
        conn("TCP", client, "192.0.2.10:443", real, "NONE", expires)
    };
    let entries = [
        tls("203.0.113.1:0", "10.1.1.1:443", 100),
        tls("203.0.113.2:0", "10.1.1.2:443", 290),
        tls("203.0.113.3:0", "10.1.1.9:443", 20),
        tls("203.0.113.4:0", "10.1.1.1:443", 200),
        conn(
            "TCP",
            "203.0.113.1:5000",
            "192.0.2.10:443",
            "10.1.1.1:443",
            "ESTABLISHED",
            800,
        ),
    ];
    let limits = Limits {
        top: 3,
        ..Limits::default()
    };
    let r = read(Scope::service(https()), limits, &entries);
    assert_eq!(r.pins_seen, 4);
    let pins: Vec<_> = r
        .pins
        .iter()
        .map(|p| (p.client.to_string(), p.dest, p.expires))
        .collect();
    assert_eq!(
        pins,
        [
            ("203.0.113.3".to_string(), dk("10.1.1.9:443"), 20),
            ("203.0.113.2".to_string(), dk("10.1.1.2:443"), 290),
            ("203.0.113.4".to_string(), dk("10.1.1.1:443"), 200),
        ]
    );
    assert_eq!(r.pins[0].standing, Standing::Gone);
    assert_eq!(r.total.templates, 4);
    assert_eq!(r.dests[0].counts.templates, 2);
    // Templates are not clients of connections.
    assert_eq!(r.top_clients.len(), 1);
}

#[test]
fn a_scope_narrows_to_a_real_server_and_a_client_prefix() {
    let entries = [
        web("203.0.113.7:1001", "10.1.0.1:80", "ESTABLISHED", 890),
        web("203.0.113.200:1002", "10.1.0.1:80", "ESTABLISHED", 890),
        web("198.51.100.7:1003", "10.1.0.1:80", "ESTABLISHED", 890),
        web("203.0.113.7:1004", "10.1.0.2:80", "ESTABLISHED", 890),
    ];
    let scope = Scope {
        service: http(),
        dest: Some(dk("10.1.0.1:80")),
        clients: Some(Prefix::parse("203.0.113.0/24").unwrap()),
    };
    let r = read(scope, Limits::default(), &entries);
    assert_eq!(r.total.entries(), 2);
    assert_eq!(r.dests.len(), 1);
    assert_eq!(r.dests[0].dest, dk("10.1.0.1:80"));
    assert_eq!(r.entries, entries[..2]);
}

#[test]
fn drill_down_entries_are_capped_and_say_how_many_more() {
    let entries: Vec<_> = (0..25)
        .map(|i| {
            web(
                &format!("203.0.113.{i}:4000"),
                "10.1.0.1:80",
                "ESTABLISHED",
                9,
            )
        })
        .collect();
    let limits = Limits {
        entries: 10,
        top: 2,
        counters: 4,
    };
    let r = read(Scope::service(http()), limits, &entries);
    assert_eq!(r.entries, entries[..10]);
    assert_eq!(r.entries_more, 15);
    assert_eq!(r.total.entries(), 25);
    // 25 distinct clients in 4 counters: each kept count may be over by 25/4.
    assert_eq!(r.top_clients.len(), 2);
    assert!(r.top_clients.iter().all(|t| t.error <= 25 / 4));
}

#[test]
fn sampled_readings_scale_every_count() {
    let mut s = Summarizer::new(attribution(), Scope::service(http()), Limits::default());
    for i in 0..100 {
        let state = if i < 25 { "SYN_RECV" } else { "ESTABLISHED" };
        s.add(web(&format!("203.0.113.{i}:4000"), "10.1.0.1:80", state, 9));
    }
    let r = s.finish(ReadStamp {
        sampling: Sampling::Sampled {
            read: 100,
            expected: 10_000,
        },
        ..stamp(100)
    });
    let half_open = r.count(r.dests[0].counts.states.get("SYN_RECV"));
    assert_eq!(half_open.value(), 2_500);
    assert!(!half_open.is_exact());
    assert!(half_open.margin() > 0);
}

#[test]
fn half_open_counts_per_real_server_table_wide() {
    let mut h = HalfOpenCounter::new(attribution());
    let entries = [
        web("203.0.113.7:1001", "10.1.0.1:80", "SYN_RECV", 55),
        web("203.0.113.7:1002", "10.1.0.1:80", "SYN_RECV", 55),
        web("203.0.113.7:1003", "10.1.0.2:80", "ESTABLISHED", 55),
        conn(
            "TCP",
            "203.0.113.7:1004",
            "192.0.2.10:443",
            "10.1.1.2:443",
            "SYN_RECV",
            50,
        ),
        conn(
            "TCP",
            "203.0.113.7:1005",
            "198.51.100.9:80",
            "10.9.9.9:80",
            "SYN_RECV",
            50,
        ),
    ];
    for c in &entries {
        h.add(c);
    }
    let h = h.finish(
        Sampling::Exact,
        Duration::from_secs(5),
        SystemTime::UNIX_EPOCH,
    );
    assert_eq!(
        h.get(&http(), &dk("10.1.0.1:80")),
        Count::Exact { value: 2 }
    );
    assert_eq!(
        h.get(&http(), &dk("10.1.0.2:80")),
        Count::Exact { value: 0 }
    );
    assert_eq!(h.get(&https(), &dk("10.1.1.2:443")).value(), 1);
    assert_eq!(h.unattributed, 1);
    assert_eq!(h.iter().count(), 2);
}
