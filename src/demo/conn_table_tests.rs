//! The demo's connection table against its own counters, across reads, in
//! hash order, through the incident, for persistent services and for a
//! drained real server.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::*;
use crate::model::{Origin, Protocol};
use crate::testkit::ManualClock;

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ))
}

fn read(d: &mut DemoDirector, source: ConnSource) -> Vec<Connection> {
    let mut all = Vec::new();
    let walk = d
        .connections(source, &mut |c| {
            all.push(c);
            ControlFlow::Continue(())
        })
        .unwrap();
    assert!(walk.complete);
    assert_eq!(walk.entries, all.len() as u64);
    assert_eq!(walk.malformed, 0);
    all
}

/// What the kernel counts as an active connection (tcp_state_active_table;
/// SCTP's ESTABLISHED; never UDP).
fn is_active(c: &Connection) -> bool {
    match c.protocol.as_str() {
        "TCP" => matches!(
            c.state.as_str(),
            "ESTABLISHED" | "SYN_RECV" | "SYN_SENT" | "SYNACK"
        ),
        "SCTP" => c.state.as_str() == "ESTABLISHED",
        _ => false,
    }
}

/// (active, inactive, persistent) per real server address, from the table.
fn tally(conns: &[Connection]) -> HashMap<IpAddr, (u32, u32, u32)> {
    let mut t: HashMap<IpAddr, (u32, u32, u32)> = HashMap::new();
    for c in conns {
        let e = t.entry(c.real.ip()).or_default();
        if c.is_template() {
            e.2 += 1;
        } else if is_active(c) {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    t
}

/// Every real server's counters equal the table's counts, and the table
/// holds nothing else.
fn assert_consistent(d: &mut DemoDirector, conns: &[Connection], when: &str) {
    let table = tally(conns);
    let mut listed = HashSet::new();
    for s in d.services().unwrap() {
        for x in d.dests(&s.key).unwrap() {
            let got = table.get(&x.addr).copied().unwrap_or_default();
            let want = (x.active_conns, x.inactive_conns, x.persistent_conns);
            assert_eq!(got, want, "{when}: {} {}", s.key, x.addr);
            listed.insert(x.addr);
        }
    }
    for real in table.keys() {
        assert!(
            listed.contains(real),
            "{when}: entries for {real}, not listed"
        );
    }
}

/// The demo as the monitor starts it, `secs` into the run.
fn demo_at(secs: u64) -> (DemoDirector, Arc<ManualClock>) {
    let c = clock();
    let mut d = DemoDirector::new(42, c.clone());
    c.advance(Duration::from_secs(secs));
    d.services().unwrap();
    (d, c)
}

#[test]
fn every_real_server_counts_what_its_entries_say_at_several_instants() {
    let (mut d, c) = demo_at(0);
    // Before the incident, during it, after it, and well into the day.
    for (step, when) in [(30, "30 s"), (45, "75 s"), (45, "120 s"), (280, "400 s")] {
        c.advance(Duration::from_secs(step));
        let conns = read(&mut d, ConnSource::Plain);
        assert!(conns.len() > 10_000, "{when}: {}", conns.len());
        assert_consistent(&mut d, &conns, when);
    }
}

#[test]
fn states_protocols_and_timeouts_are_the_kernels() {
    let (mut d, _) = demo_at(120);
    let t = d.timeouts().unwrap();
    let conns = read(&mut d, ConnSource::Plain);
    let mut states: HashMap<(&str, &str), usize> = HashMap::new();
    for c in &conns {
        *states
            .entry((c.protocol.as_str(), c.state.as_str()))
            .or_default() += 1;
        let most = match (c.protocol.as_str(), c.state.as_str()) {
            ("TCP", "ESTABLISHED") => t.tcp,
            ("TCP", "TIME_WAIT" | "FIN_WAIT") => t.tcp_fin,
            ("TCP", "SYN_RECV" | "CLOSE_WAIT") => 60,
            ("TCP", "CLOSE") | ("SCTP", "CLOSED") => 10,
            ("SCTP", "ESTABLISHED") => 900,
            ("UDP", "UDP") => t.udp,
            (_, "ASSURED") => 600,
            other => panic!("unexpected {other:?}: {c:?}"),
        };
        assert!(c.expires <= most, "{c:?}");
        if !c.is_template() {
            assert!((32768..=61439).contains(&c.client.port()), "{c:?}");
        }
    }
    // NAT sees both FINs (TIME_WAIT); direct routing and tunnels see the
    // client's only (FIN_WAIT).
    for (c, want) in conns.iter().filter_map(|c| {
        let nat = c.real.ip().to_string().starts_with("10.10.1.1");
        let dr = c.real.ip().to_string().starts_with("10.10.1.2");
        (c.protocol.as_str() == "TCP" && !is_active(c) && (nat || dr)).then_some((c, nat))
    }) {
        let s = c.state.as_str();
        if want {
            assert!(
                ["TIME_WAIT", "FIN_WAIT", "CLOSE_WAIT", "CLOSE"].contains(&s),
                "{c:?}"
            );
        } else {
            assert!(["FIN_WAIT", "CLOSE"].contains(&s), "{c:?}");
        }
    }
    let n = |p, s| states.get(&(p, s)).copied().unwrap_or(0);
    assert!(
        n("TCP", "TIME_WAIT") > n("TCP", "CLOSE_WAIT") * 10,
        "{states:?}"
    );
    for some in [
        ("TCP", "FIN_WAIT"),
        ("TCP", "CLOSE_WAIT"),
        ("TCP", "CLOSE"),
        ("SCTP", "ESTABLISHED"),
        ("UDP", "UDP"),
        ("IP", "ASSURED"),
        ("UDP", "ASSURED"),
    ] {
        assert!(n(some.0, some.1) > 0, "no {some:?}: {states:?}");
    }
}

/// A connection keeps its client and port while it lives: every entry that
/// had more than a second left is there a second later, under the same
/// addresses, its expiry counting down unless traffic re-armed it.
#[test]
fn entries_keep_their_client_and_port_from_one_read_to_the_next() {
    let (mut d, c) = demo_at(100);
    let key = |c: &Connection| (c.protocol, c.client, c.virtual_addr, c.real);
    let mut before = HashMap::new();
    for e in read(&mut d, ConnSource::Plain) {
        assert!(
            before.insert(key(&e), e).is_none(),
            "one entry per addresses"
        );
    }
    c.advance(Duration::from_secs(1));
    let after: HashMap<_, _> = read(&mut d, ConnSource::Plain)
        .into_iter()
        .map(|e| (key(&e), e))
        .collect();
    let mut checked = 0;
    for (k, e) in &before {
        if e.expires < 3 || e.is_template() {
            continue;
        }
        let later = after
            .get(k)
            .unwrap_or_else(|| panic!("{e:?} vanished with {} s left", e.expires));
        let rearmed = is_active(e) || matches!(e.state.as_str(), "UDP" | "CLOSE_WAIT");
        if !rearmed {
            assert!(
                later.expires <= e.expires && later.expires + 2 >= e.expires,
                "{e:?} -> {later:?}"
            );
        }
        checked += 1;
    }
    assert!(checked > 10_000, "{checked}");
}

/// The kernel's bucket of an entry, as the demo's table key computes it.
fn bucket(d: &DemoDirector, c: &Connection) -> u64 {
    let proto = match c.protocol.as_str() {
        "TCP" => 6,
        "UDP" => 17,
        "SCTP" => 132,
        _ => 0,
    };
    d.table_key.bucket(proto, c.client.ip(), c.client.port())
}

#[test]
fn entries_come_in_the_order_of_a_keyed_hash_so_a_prefix_is_a_fair_sample() {
    let (mut d, _) = demo_at(200);
    let conns = read(&mut d, ConnSource::Plain);
    let buckets: Vec<u64> = conns.iter().map(|c| bucket(&d, c)).collect();
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(buckets.last().copied(), Some(conn_hash::BUCKETS - 1));
    // The first tenth of the walk has the states and real servers in the
    // same shares as the whole table, within a point.
    type Pick = dyn Fn(&Connection) -> bool;
    let share = |part: &[Connection], f: &Pick| {
        part.iter().filter(|c| f(c)).count() as f64 / part.len() as f64
    };
    let prefix = &conns[..conns.len() / 10];
    let tests: [(&str, &Pick); 4] = [
        ("TIME_WAIT", &|c| c.state.as_str() == "TIME_WAIT"),
        ("ESTABLISHED", &|c| c.state.as_str() == "ESTABLISHED"),
        ("UDP", &|c| c.state.as_str() == "UDP"),
        ("10.10.1.12", &|c| c.real.ip().to_string() == "10.10.1.12"),
    ];
    for (what, f) in tests {
        let (p, all) = (share(prefix, f), share(&conns, f));
        assert!(
            (p - all).abs() < 0.01,
            "{what}: prefix {p:.3}, all {all:.3}"
        );
    }
    // Another seed, another key: the same table comes in another order.
    let c2 = clock();
    let mut other = DemoDirector::new(43, c2.clone());
    c2.advance(Duration::from_secs(200));
    let first = read(&mut other, ConnSource::Plain);
    assert_ne!(first[0].client, conns[0].client);
}

#[test]
fn a_walk_stops_when_the_visitor_says_so() {
    let (mut d, _) = demo_at(60);
    let mut n = 0;
    let walk = d
        .connections(ConnSource::Plain, &mut |_| {
            n += 1;
            if n == 500 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!((walk.entries, walk.complete), (500, false));
}

/// SYN_RECV entries on `real` (the kernel counts them as active).
fn half_open_on(conns: &[Connection]) -> HashMap<IpAddr, usize> {
    let mut m = HashMap::new();
    for c in conns.iter().filter(|c| c.state.as_str() == "SYN_RECV") {
        *m.entry(c.real.ip()).or_default() += 1;
    }
    m
}

#[test]
fn the_incident_piles_up_half_open_connections_on_the_slow_server_only() {
    let (mut d, c) = demo_at(59);
    assert_eq!(d.incident(), None);
    assert!(half_open_on(&read(&mut d, ConnSource::Plain)).is_empty());
    // It starts at 60 s: within seconds hundreds of SYNs wait on the slow
    // server, and they keep coming while it lasts (seed 42: 310 at 65 s,
    // 197-349 until it ends at 150 s).
    c.advance(Duration::from_secs(6));
    let (_, slow) = d.incident().expect("the incident starts at 60 s");
    for _ in 0..8 {
        let conns = read(&mut d, ConnSource::Plain);
        let half_open = half_open_on(&conns);
        assert_eq!(half_open.keys().collect::<Vec<_>>(), vec![&slow.addr]);
        assert!(half_open[&slow.addr] > 150, "{half_open:?}");
        assert_consistent(&mut d, &conns, "during the incident");
        c.advance(Duration::from_secs(10));
    }
    // Once the server catches up, they complete.
    c.advance(Duration::from_secs(10));
    assert_eq!(d.incident(), None);
    assert!(half_open_on(&read(&mut d, ConnSource::Plain)).is_empty());
}

#[test]
fn persistent_services_show_their_templates_and_clients_within_them() {
    let (mut d, _) = demo_at(150);
    let conns = read(&mut d, ConnSource::Plain);
    let shop: Vec<&Connection> = conns
        .iter()
        .filter(|c| c.real.ip().to_string().starts_with("198.51.100.2"))
        .collect();
    let templates: HashMap<IpAddr, IpAddr> = shop
        .iter()
        .filter(|c| c.is_template())
        .map(|c| {
            assert_eq!(c.protocol.as_str(), "IP");
            assert_eq!(c.virtual_addr, "0.0.0.100:0".parse::<SocketAddr>().unwrap());
            assert_eq!(c.state.as_str(), "ASSURED");
            assert!(c.expires <= 600 && c.pe.is_none(), "{c:?}");
            (c.client.ip(), c.real.ip())
        })
        .collect();
    assert!(templates.len() > 20, "{}", templates.len());
    // A client's /24 is pinned to the real server its connections go to.
    let traffic: Vec<&&Connection> = shop.iter().filter(|c| !c.is_template()).collect();
    let pinned = traffic
        .iter()
        .filter(|c| {
            let IpAddr::V4(a) = c.client.ip() else {
                return false;
            };
            let net = IpAddr::V4((u32::from(a) & 0xffff_ff00).into());
            templates.get(&net) == Some(&c.real.ip())
        })
        .count();
    assert!(
        pinned * 100 >= traffic.len() * 99,
        "{pinned} of {}",
        traffic.len()
    );
    for c in &traffic {
        assert_eq!(c.virtual_addr.ip().to_string(), "192.0.2.100");
        assert!([80, 443].contains(&c.virtual_addr.port()));
        assert_eq!(
            c.real.port(),
            c.virtual_addr.port(),
            "port 0 takes the packet's"
        );
    }
    // SIP: UDP templates with the persistence engine's Call-ID, shown only
    // where the kernel shows it (ip_vs_conn, not ip_vs_conn_sync).
    let sip = |c: &&Connection| c.is_template() && c.virtual_addr.port() == 5060;
    let plain: Vec<&Connection> = conns.iter().filter(sip).collect();
    assert!(!plain.is_empty());
    for c in &plain {
        let pe = c.pe.as_ref().expect("sip data");
        assert_eq!(pe.name.as_str(), "sip");
        assert!(pe.data.bytes().all(|b| b.is_ascii_graphic()), "{pe:?}");
        assert!(c.expires <= 60 && c.origin.is_none(), "{c:?}");
    }
    let synced = read(&mut d, ConnSource::WithOrigin);
    assert_eq!(synced.len(), conns.len());
    assert!(synced
        .iter()
        .all(|c| c.origin == Some(Origin::Local) && c.pe.is_none()));
}

fn tcp_key() -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: "192.0.2.1".parse().unwrap(),
        port: 80,
    }
}

/// A small director: one NAT service over three servers.
fn small() -> (DemoDirector, Arc<ManualClock>) {
    let c = clock();
    let mut d = DemoDirector::empty(5, c.clone());
    d.set_incidents(None);
    d.set_traffic(&tcp_key(), Traffic::steady(60.0, 4.0));
    d.apply(&Change::AddService(Service::new(tcp_key(), "wlc")))
        .unwrap();
    for i in 1..=3 {
        d.apply(&Change::AddDest {
            service: tcp_key(),
            dest: Dest::new(format!("10.0.0.{i}").parse().unwrap(), 80),
        })
        .unwrap();
    }
    c.advance(Duration::from_secs(60));
    (d, c)
}

fn on(conns: &[Connection], real: &str) -> Vec<Connection> {
    conns
        .iter()
        .filter(|c| c.real.ip().to_string() == real)
        .cloned()
        .collect()
}

#[test]
fn a_drained_server_keeps_its_connections_until_they_expire() {
    let (mut d, c) = small();
    let drained = Dest {
        weight: 0,
        ..Dest::new("10.0.0.2".parse().unwrap(), 80)
    };
    d.apply(&Change::EditDest {
        service: tcp_key(),
        dest: drained,
    })
    .unwrap();
    let at_drain: HashSet<SocketAddr> = on(&read(&mut d, ConnSource::Plain), "10.0.0.2")
        .iter()
        .map(|c| c.client)
        .collect();
    assert!(at_drain.len() > 1000, "{}", at_drain.len());
    c.advance(Duration::from_secs(30));
    let conns = read(&mut d, ConnSource::Plain);
    assert_consistent(&mut d, &conns, "30 s after draining");
    let still = on(&conns, "10.0.0.2");
    assert!(!still.is_empty());
    // Nothing new: what is left was there when it was drained, and the
    // last one leaves within the FIN timeout.
    assert!(still.iter().all(|c| at_drain.contains(&c.client)));
    let last = still.iter().map(|c| c.expires).max().unwrap();
    assert!(last <= 120, "{last}");
    c.advance(Duration::from_secs(last as u64 + 1));
    let conns = read(&mut d, ConnSource::Plain);
    assert!(on(&conns, "10.0.0.2").is_empty());
    assert_consistent(&mut d, &conns, "after the last expired");
}

#[test]
fn a_deleted_servers_connections_stay_until_they_expire() {
    let (mut d, c) = small();
    d.apply(&Change::DeleteDest {
        service: tcp_key(),
        dest: DestKey {
            addr: "10.0.0.3".parse().unwrap(),
            port: 80,
        },
    })
    .unwrap();
    c.advance(Duration::from_secs(5));
    assert!(!on(&read(&mut d, ConnSource::Plain), "10.0.0.3").is_empty());
    c.advance(Duration::from_secs(200));
    assert!(on(&read(&mut d, ConnSource::Plain), "10.0.0.3").is_empty());
}

#[test]
fn reading_the_table_changes_nothing_the_simulation_reports() {
    let (c1, c2) = (clock(), clock());
    let mut read_often = DemoDirector::new(42, c1.clone());
    let mut never = DemoDirector::new(42, c2.clone());
    for _ in 0..12 {
        c1.advance(Duration::from_secs(10));
        c2.advance(Duration::from_secs(10));
        read(&mut read_often, ConnSource::WithOrigin);
        assert_eq!(read_often.snapshot().unwrap(), never.snapshot().unwrap());
    }
}

/// `E` in the view: an exact read kept open between refreshes gives, in
/// slices, the entries a walk would give at the instant it was opened,
/// however far the simulation has moved since.
#[test]
fn an_open_walk_resumes_over_the_table_as_it_was_opened() {
    let (mut d, c) = demo_at(75);
    let whole = read(&mut d, ConnSource::WithOrigin);
    let mut cursor = d.open_connections(ConnSource::WithOrigin).unwrap();
    c.advance(Duration::from_secs(30));
    d.services().unwrap();
    let mut got = Vec::new();
    let mut slices = 0;
    loop {
        slices += 1;
        let mut taken = 0;
        let walk = cursor
            .resume(&mut |e| {
                got.push(e);
                taken += 1;
                if taken == 10_000 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap();
        if walk.complete {
            break;
        }
    }
    assert!(slices > 2, "{} entries in {slices} slices", got.len());
    assert_eq!(got, whole);
}
