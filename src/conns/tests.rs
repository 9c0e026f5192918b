//! Attribution and tally over `FakeTable::sample()`'s services.

use std::net::IpAddr;

use super::*;
use crate::backend::Reader;
use crate::model::{Dest, DestKey, Origin, Protocol, Service, ServiceFlags, ServiceKey, Snapshot};
use crate::testkit::{conn, tcp, FakeTable};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn sample() -> Snapshot {
    FakeTable::sample().snapshot().unwrap()
}

fn http() -> ServiceKey {
    tcp(ip("192.0.2.10"), 80)
}

fn https() -> ServiceKey {
    tcp(ip("192.0.2.10"), 443)
}

fn mark7() -> ServiceKey {
    ServiceKey::Fwmark {
        family: crate::model::Family::V4,
        mark: 7,
    }
}

fn dk(addr: &str, port: u16) -> DestKey {
    DestKey {
        addr: ip(addr),
        port,
    }
}

fn owner(a: &Attribution, c: &crate::model::Connection) -> Option<(ServiceKey, DestKey, Standing)> {
    a.owner(c).map(|o| (o.service, o.dest, o.standing))
}

#[test]
fn address_service_entries_go_to_their_real_server() {
    let a = Attribution::new(&sample());
    let c = conn(
        "TCP",
        "203.0.113.7:40001",
        "192.0.2.10:80",
        "10.1.0.2:80",
        "ESTABLISHED",
        890,
    );
    assert_eq!(
        owner(&a, &c),
        Some((http(), dk("10.1.0.2", 80), Standing::Serving))
    );
    let udp = conn(
        "UDP",
        "203.0.113.7:5353",
        "192.0.2.53:53",
        "10.1.2.2:53",
        "UDP",
        290,
    );
    let dns = ServiceKey::Addr {
        protocol: Protocol::Udp,
        addr: ip("192.0.2.53"),
        port: 53,
    };
    assert_eq!(
        owner(&a, &udp),
        Some((dns, dk("10.1.2.2", 53), Standing::Serving))
    );
    // The same address and port over another protocol is no service's.
    let sctp = conn(
        "SCTP",
        "203.0.113.7:5353",
        "192.0.2.53:53",
        "10.1.2.2:53",
        "ESTABLISHED",
        9,
    );
    assert_eq!(owner(&a, &sctp), None);
}

#[test]
fn weight_zero_is_drained_and_a_removed_real_server_is_gone() {
    let a = Attribution::new(&sample());
    let drained = conn(
        "TCP",
        "203.0.113.7:40001",
        "192.0.2.10:80",
        "10.1.0.5:80",
        "FIN_WAIT",
        60,
    );
    assert_eq!(
        owner(&a, &drained),
        Some((http(), dk("10.1.0.5", 80), Standing::Drained))
    );
    let gone = conn(
        "TCP",
        "203.0.113.7:40002",
        "192.0.2.10:80",
        "10.1.0.9:80",
        "TIME_WAIT",
        100,
    );
    assert_eq!(
        owner(&a, &gone),
        Some((http(), dk("10.1.0.9", 80), Standing::Gone))
    );
}

#[test]
fn persistence_templates_carry_the_service_port_or_zero() {
    let mut snap = sample();
    // FTP: the kernel makes its templates with virtual and real port 0.
    let mut ftp = Service::new(tcp(ip("192.0.2.21"), 21), "rr");
    ftp.flags = ServiceFlags(ServiceFlags::PERSISTENT);
    // A port-zero persistent service: every port of the address.
    let mut all = Service::new(tcp(ip("192.0.2.30"), 0), "rr");
    all.flags = ServiceFlags(ServiceFlags::PERSISTENT);
    snap.services.push(crate::model::ServiceEntry {
        service: ftp.clone(),
        dests: vec![Dest::new(ip("10.2.0.1"), 21)],
    });
    snap.services.push(crate::model::ServiceEntry {
        service: all.clone(),
        dests: vec![Dest::new(ip("10.3.0.1"), 0)],
    });
    let a = Attribution::new(&snap);

    let t = conn(
        "TCP",
        "203.0.113.7:0",
        "192.0.2.10:443",
        "10.1.1.2:443",
        "NONE",
        280,
    );
    assert_eq!(
        owner(&a, &t),
        Some((https(), dk("10.1.1.2", 443), Standing::Serving))
    );
    let t = conn(
        "TCP",
        "203.0.113.7:0",
        "192.0.2.21:0",
        "10.2.0.1:0",
        "NONE",
        280,
    );
    assert_eq!(
        owner(&a, &t),
        Some((ftp.key, dk("10.2.0.1", 21), Standing::Serving))
    );
    let t = conn(
        "TCP",
        "203.0.113.7:0",
        "192.0.2.30:0",
        "10.3.0.1:0",
        "NONE",
        280,
    );
    assert_eq!(
        owner(&a, &t),
        Some((all.key, dk("10.3.0.1", 0), Standing::Serving))
    );
    // The port-zero service's connections carry the port the client asked for.
    let c = conn(
        "TCP",
        "203.0.113.7:40000",
        "192.0.2.30:8080",
        "10.3.0.1:8080",
        "ESTABLISHED",
        9,
    );
    assert_eq!(
        owner(&a, &c),
        Some((all.key, dk("10.3.0.1", 0), Standing::Serving))
    );
    // A template still pinning clients to a removed real server.
    let t = conn(
        "TCP",
        "203.0.113.0:0",
        "192.0.2.10:443",
        "10.1.1.9:443",
        "NONE",
        1765,
    );
    assert_eq!(
        owner(&a, &t),
        Some((https(), dk("10.1.1.9", 443), Standing::Gone))
    );
}

#[test]
fn fwmark_entries_go_by_real_server_and_templates_by_mark() {
    let a = Attribution::new(&sample());
    // The connection carries the packet's own destination, not the mark;
    // the real server's port 0 takes the client's port.
    let c = conn(
        "TCP",
        "203.0.113.7:40001",
        "198.51.100.4:8443",
        "10.1.3.1:8443",
        "ESTABLISHED",
        890,
    );
    assert_eq!(
        owner(&a, &c),
        Some((mark7(), dk("10.1.3.1", 0), Standing::Serving))
    );
    let t = conn(
        "IP",
        "203.0.113.7:0",
        "0.0.0.7:0",
        "10.1.3.1:0",
        "NONE",
        300,
    );
    assert_eq!(
        owner(&a, &t),
        Some((mark7(), dk("10.1.3.1", 0), Standing::Serving))
    );
    // A template whose real server left the fwmark service is still the mark's.
    let t = conn(
        "IP",
        "203.0.113.7:0",
        "0.0.0.7:0",
        "10.1.3.9:0",
        "NONE",
        300,
    );
    assert_eq!(
        owner(&a, &t),
        Some((mark7(), dk("10.1.3.9", 0), Standing::Gone))
    );
    // Another mark, or an IPv6 client for an IPv4 mark, is nobody's.
    let t = conn(
        "IP",
        "203.0.113.7:0",
        "0.0.0.8:0",
        "10.1.3.1:0",
        "NONE",
        300,
    );
    assert_eq!(owner(&a, &t), None);
    let t = conn(
        "IP",
        "[2001:db8::7]:0",
        "[0:7::]:0",
        "10.1.3.1:0",
        "NONE",
        300,
    );
    assert_eq!(owner(&a, &t), None);
}

#[test]
fn ipv6_fwmark_templates_carry_the_mark_in_the_first_four_bytes() {
    let mut snap = sample();
    let key = ServiceKey::Fwmark {
        family: crate::model::Family::V6,
        mark: 7,
    };
    snap.services.push(crate::model::ServiceEntry {
        service: Service::new(key, "rr"),
        dests: vec![Dest::new(ip("2001:db8:1::1"), 0)],
    });
    let a = Attribution::new(&snap);
    let t = conn(
        "IP",
        "[2001:db8::7]:0",
        "[0:7::]:0",
        "[2001:db8:1::1]:0",
        "NONE",
        300,
    );
    assert_eq!(
        owner(&a, &t),
        Some((key, dk("2001:db8:1::1", 0), Standing::Serving))
    );
    let c = conn(
        "TCP",
        "[2001:db8::7]:40000",
        "[2001:db8::80]:443",
        "[2001:db8:1::1]:443",
        "SYN_RECV",
        50,
    );
    assert_eq!(
        owner(&a, &c),
        Some((key, dk("2001:db8:1::1", 0), Standing::Serving))
    );
}

#[test]
fn a_real_server_of_a_fwmark_service_beats_a_gone_guess() {
    // Traffic to the web address marked 7 is the fwmark service's: its
    // real server is not in the address service but is in the mark's.
    let a = Attribution::new(&sample());
    let c = conn(
        "TCP",
        "203.0.113.7:40001",
        "192.0.2.10:80",
        "10.1.3.1:80",
        "ESTABLISHED",
        890,
    );
    assert_eq!(
        owner(&a, &c),
        Some((mark7(), dk("10.1.3.1", 0), Standing::Serving))
    );
}

#[test]
fn unclaimed_entries_are_nobodys() {
    let a = Attribution::new(&sample());
    for c in [
        conn(
            "TCP",
            "203.0.113.7:1",
            "198.51.100.1:80",
            "10.9.9.9:80",
            "ESTABLISHED",
            1,
        ),
        conn(
            "TCP",
            "203.0.113.7:0",
            "192.0.2.99:0",
            "10.1.0.1:0",
            "NONE",
            1,
        ),
        conn(
            "ICMP",
            "203.0.113.7:1",
            "192.0.2.10:80",
            "10.1.0.1:80",
            "NONE",
            1,
        ),
    ] {
        assert_eq!(owner(&a, &c), None, "{c:?}");
    }
}

#[test]
fn tally_counts_by_state_per_service_and_real_server() {
    let a = Attribution::new(&sample());
    let mut tally = Tally::new(&a);
    let mut synced = conn(
        "TCP",
        "203.0.113.9:40009",
        "192.0.2.10:80",
        "10.1.0.1:80",
        "ESTABLISHED",
        800,
    );
    synced.origin = Some(Origin::Sync);
    let mut local = conn(
        "TCP",
        "203.0.113.8:40008",
        "192.0.2.10:80",
        "10.1.0.1:80",
        "SYN_RECV",
        50,
    );
    local.origin = Some(Origin::Local);
    let entries = [
        conn(
            "TCP",
            "203.0.113.7:40001",
            "192.0.2.10:80",
            "10.1.0.1:80",
            "ESTABLISHED",
            890,
        ),
        conn(
            "TCP",
            "203.0.113.7:40002",
            "192.0.2.10:80",
            "10.1.0.1:80",
            "TIME_WAIT",
            100,
        ),
        conn(
            "TCP",
            "203.0.113.7:40003",
            "192.0.2.10:80",
            "10.1.0.2:80",
            "ESTABLISHED",
            890,
        ),
        conn(
            "TCP",
            "203.0.113.7:40004",
            "192.0.2.10:80",
            "10.1.0.9:80",
            "TIME_WAIT",
            30,
        ),
        conn(
            "TCP",
            "203.0.113.7:40005",
            "192.0.2.10:80",
            "10.1.0.9:80",
            "TIME_WAIT",
            20,
        ),
        conn(
            "TCP",
            "203.0.113.7:0",
            "192.0.2.10:443",
            "10.1.1.1:443",
            "NONE",
            280,
        ),
        conn(
            "TCP",
            "203.0.113.7:40006",
            "192.0.2.10:443",
            "10.1.1.1:443",
            "ESTABLISHED",
            880,
        ),
        conn(
            "TCP",
            "203.0.113.7:1",
            "198.51.100.1:80",
            "10.9.9.9:80",
            "ESTABLISHED",
            1,
        ),
        synced,
        local,
    ];
    for c in &entries {
        tally.add(&a, c);
    }

    let web = tally.service(&http()).unwrap();
    assert_eq!(web.counts.entries(), 7);
    assert_eq!(web.counts.states.get("ESTABLISHED"), 3);
    assert_eq!(web.counts.states.get("TIME_WAIT"), 3);
    assert_eq!(web.counts.states.get("SYN_RECV"), 1);
    assert_eq!((web.counts.synced, web.counts.local), (1, 1));
    // Configured real servers first (also those with no entries), then gone ones.
    let keys: Vec<_> = web.dests.iter().map(|d| (d.dest, d.standing)).collect();
    assert_eq!(keys.len(), 6);
    assert_eq!(keys[4], (dk("10.1.0.4", 80), Standing::Serving));
    assert_eq!(keys[5], (dk("10.1.0.9", 80), Standing::Gone));
    assert_eq!(web.dests[0].counts.entries(), 4);
    assert_eq!(web.dests[0].counts.states.get("ESTABLISHED"), 2);
    assert_eq!(web.dests[3].standing, Standing::Drained);
    assert_eq!(web.dests[3].counts.entries(), 0);
    assert_eq!(web.dests[5].counts.states.get("TIME_WAIT"), 2);

    let tls = tally.service(&https()).unwrap();
    assert_eq!(tls.counts.templates, 1);
    assert_eq!(tls.counts.states.total(), 1);
    assert_eq!(
        tls.counts.states.get("NONE"),
        0,
        "templates are counted apart"
    );
    assert_eq!(tls.dests[0].counts.templates, 1);

    assert_eq!(tally.unattributed().entries(), 1);
    assert_eq!(tally.total().entries(), entries.len() as u64);
    assert_eq!(tally.services().len(), 4);
}

#[test]
fn tally_caps_distinct_gone_real_servers() {
    let a = Attribution::new(&sample());
    let mut tally = Tally::new(&a);
    for i in 0..Tally::MAX_GONE as u16 + 10 {
        let real = format!("10.8.{}.{}:80", i / 250, i % 250 + 1);
        tally.add(
            &a,
            &conn(
                "TCP",
                "203.0.113.7:4000",
                "192.0.2.10:80",
                &real,
                "ESTABLISHED",
                9,
            ),
        );
    }
    let web = tally.service(&http()).unwrap();
    assert_eq!(web.dests.len(), 5 + Tally::MAX_GONE);
    assert_eq!(web.gone_other.entries(), 10);
    assert_eq!(web.counts.entries(), Tally::MAX_GONE as u64 + 10);
}
