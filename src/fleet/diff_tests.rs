use super::*;
use crate::model::{Forward, Protocol, ServiceEntry, Stats, TunnelFlags, TunnelType};

fn key(addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: addr.parse().unwrap(),
        port,
    }
}

fn dest(addr: &str, weight: u32) -> Dest {
    let mut d = Dest::new(addr.parse().unwrap(), 80);
    d.forward = Forward::Route;
    d.weight = weight;
    d
}

/// A pair's usual table: two services, two real servers each.
fn table() -> Snapshot {
    let entry = |vip: &str| ServiceEntry {
        service: Service::new(key(vip, 80), "wlc"),
        dests: vec![dest("10.1.0.1", 10), dest("10.1.0.2", 10)],
    };
    Snapshot {
        info: Default::default(),
        services: vec![entry("10.0.0.2"), entry("10.0.0.1")],
    }
}

fn diff(a: &Snapshot, b: &Snapshot) -> Vec<String> {
    differences(&[("lb1".into(), a), ("lb2".into(), b)])
        .iter()
        .map(|d| d.to_string())
        .collect()
}

fn first_dest(s: &mut Snapshot) -> &mut Dest {
    &mut s.services[0].dests[0]
}

#[test]
fn equal_tables_have_no_differences() {
    assert!(diff(&table(), &table()).is_empty());
    assert!(differences(&[]).is_empty());
    assert!(differences(&[("lb1".into(), &table())]).is_empty());
}

#[test]
fn counters_rates_and_connections_are_not_differences() {
    let mut b = table();
    let d = first_dest(&mut b);
    d.active_conns = 7;
    d.inactive_conns = 3;
    d.persistent_conns = 1;
    d.stats = Stats {
        conns: 99,
        cps: 4,
        ..Default::default()
    };
    b.services[1].service.stats.inbytes = 1 << 40;
    b.services.reverse(); // dump order is the kernel's hash order, not configuration
    b.services[0].dests.reverse();
    assert!(diff(&table(), &b).is_empty());
}

#[test]
fn a_service_on_some_directors_only_names_both_sides() {
    let mut b = table();
    b.services.remove(0);
    let c = table();
    let found: Vec<String> =
        differences(&[("lb1".into(), &b), ("lb2".into(), &c), ("lb3".into(), &c)])
            .iter()
            .map(|d| d.to_string())
            .collect();
    assert_eq!(
        found,
        ["TCP 10.0.0.2:80: only on lb2, lb3 (missing on lb1)"]
    );
}

#[test]
fn a_real_server_on_some_directors_only() {
    let mut b = table();
    b.services[1].dests.remove(1);
    b.services[1].dests.push(dest("10.1.0.9", 10));
    assert_eq!(
        diff(&table(), &b),
        [
            "TCP 10.0.0.1:80 -> 10.1.0.2:80: only on lb1 (missing on lb2)",
            "TCP 10.0.0.1:80 -> 10.1.0.9:80: only on lb2 (missing on lb1)",
        ]
    );
}

#[test]
fn real_servers_of_a_missing_service_are_not_listed_again() {
    let mut b = table();
    b.services.remove(1);
    assert_eq!(
        diff(&table(), &b),
        ["TCP 10.0.0.1:80: only on lb1 (missing on lb2)"]
    );
}

#[test]
fn service_settings_each_in_words() {
    let mut b = table();
    let s = &mut b.services[1].service;
    s.scheduler = "rr".into();
    s.flags = ServiceFlags(ServiceFlags::PERSISTENT | ServiceFlags::ONEPACKET);
    s.timeout = 300;
    s.netmask = 0xffff_ff00;
    s.pe_name = Some("sip".into());
    assert_eq!(
        diff(&table(), &b),
        [
            "TCP 10.0.0.1:80: scheduler wlc on lb1; rr on lb2",
            "TCP 10.0.0.1:80: flags none on lb1; ops on lb2",
            "TCP 10.0.0.1:80: persistence not persistent on lb1; persistent 300 on lb2",
            "TCP 10.0.0.1:80: persistence netmask 255.255.255.255 on lb1; 255.255.255.0 on lb2",
            "TCP 10.0.0.1:80: persistence engine none on lb1; sip on lb2",
        ]
    );
}

#[test]
fn scheduler_flags_take_the_schedulers_words() {
    let mut a = table();
    let mut b = table();
    a.services[1].service.scheduler = "sh".into();
    b.services[1].service.scheduler = "sh".into();
    b.services[1].service.flags = ServiceFlags(ServiceFlags::SCHED1 | ServiceFlags::SCHED2);
    assert_eq!(
        diff(&a, &b),
        ["TCP 10.0.0.1:80: flags none on lb1; sh-fallback,sh-port on lb2"]
    );
}

#[test]
fn persistence_timeouts_differ() {
    let mut a = table();
    let mut b = table();
    for (s, t) in [(&mut a, 300), (&mut b, 60)] {
        s.services[0].service.flags = ServiceFlags(ServiceFlags::PERSISTENT);
        s.services[0].service.timeout = t;
    }
    assert_eq!(
        diff(&a, &b),
        ["TCP 10.0.0.2:80: persistence persistent 300 on lb1; persistent 60 on lb2"]
    );
}

#[test]
fn ipv6_netmask_is_a_prefix_length() {
    let v6 = |mask: u32| {
        let mut s = Service::new(key("2001:db8::1", 443), "wlc");
        s.netmask = mask;
        Snapshot {
            info: Default::default(),
            services: vec![ServiceEntry {
                service: s,
                dests: vec![],
            }],
        }
    };
    assert_eq!(
        diff(&v6(128), &v6(64)),
        ["TCP [2001:db8::1]:443: persistence netmask 128 on lb1; 64 on lb2"]
    );
}

#[test]
fn real_server_settings_each_in_words() {
    let mut b = table();
    let d = first_dest(&mut b);
    d.weight = 5;
    d.upper_threshold = 100;
    d.lower_threshold = 10;
    let d = &mut b.services[0].dests[1];
    d.forward = Forward::Masq;
    assert_eq!(
        diff(&table(), &b),
        [
            "TCP 10.0.0.2:80 -> 10.1.0.1:80: weight 10 on lb1; 5 on lb2",
            "TCP 10.0.0.2:80 -> 10.1.0.1:80: upper threshold 0 on lb1; 100 on lb2",
            "TCP 10.0.0.2:80 -> 10.1.0.1:80: lower threshold 0 on lb1; 10 on lb2",
            "TCP 10.0.0.2:80 -> 10.1.0.2:80: forwarding Route on lb1; Masq on lb2",
        ]
    );
}

#[test]
fn tunnel_options_compared_when_both_tunnel() {
    let tunnel = |t: TunnelType, port: u16, flags: u16| {
        let mut s = table();
        let d = first_dest(&mut s);
        d.forward = Forward::Tunnel;
        d.tun_type = t;
        d.tun_port = port;
        d.tun_flags = TunnelFlags(flags);
        s
    };
    assert_eq!(
        diff(
            &tunnel(TunnelType::Ipip, 0, 0),
            &tunnel(TunnelType::Gue, 6080, TunnelFlags::CSUM)
        ),
        ["TCP 10.0.0.2:80 -> 10.1.0.1:80: tunnel ipip on lb1; gue:6080:+c on lb2"]
    );
    // Forwarding differs: that is the difference, not the tunnel's n/a.
    assert_eq!(
        diff(&table(), &tunnel(TunnelType::Ipip, 0, 0)),
        ["TCP 10.0.0.2:80 -> 10.1.0.1:80: forwarding Route on lb1; Tunnel on lb2"]
    );
}

#[test]
fn three_directors_grouped_by_value_in_given_order() {
    let mut b = table();
    let mut c = table();
    first_dest(&mut b).weight = 0;
    first_dest(&mut c).weight = 0;
    let found: Vec<String> = differences(&[
        ("lb2".into(), &b),
        ("lb1".into(), &table()),
        ("lb3".into(), &c),
    ])
    .iter()
    .map(|d| d.to_string())
    .collect();
    assert_eq!(
        found,
        ["TCP 10.0.0.2:80 -> 10.1.0.1:80: weight 0 on lb2, lb3; 10 on lb1"]
    );
}

#[test]
fn order_is_ipvsadms_services_then_their_real_servers() {
    let mut a = table();
    let fwm = ServiceKey::Fwmark {
        family: Family::V4,
        mark: 7,
    };
    a.services.insert(
        0,
        ServiceEntry {
            service: Service::new(fwm, "rr"),
            dests: vec![],
        },
    );
    let mut b = table();
    b.services[1].dests[1].weight = 2;
    b.services[1].dests[0].weight = 3;
    b.services[0].service.scheduler = "lc".into();
    assert_eq!(
        diff(&a, &b),
        [
            "TCP 10.0.0.1:80 -> 10.1.0.1:80: weight 10 on lb1; 3 on lb2",
            "TCP 10.0.0.1:80 -> 10.1.0.2:80: weight 10 on lb1; 2 on lb2",
            "TCP 10.0.0.2:80: scheduler wlc on lb1; lc on lb2",
            "FWM 7: only on lb1 (missing on lb2)",
        ]
    );
}

#[test]
fn serialises_for_json() {
    let mut b = table();
    first_dest(&mut b).weight = 5;
    let json = serde_json::to_string(&differences(&[
        ("lb1".into(), &table()),
        ("lb2".into(), &b),
    ]))
    .unwrap();
    assert!(
        json.contains(
            r#""kind":"setting","setting":"weight","values":[["10",["lb1"]],["5",["lb2"]]]"#
        ),
        "{json}"
    );
}

#[test]
fn each_setting_differing_alone_is_found() {
    // The comparison skips agreeing items without putting them into words:
    // every input of the words must still be looked at, one at a time.
    let services: [fn(&mut Service); 5] = [
        |s| s.scheduler = "rr".into(),
        |s| s.flags = ServiceFlags(ServiceFlags::ONEPACKET),
        |s| s.netmask = 0xffff_0000,
        |s| s.pe_name = Some("sip".into()),
        |s| s.flags = ServiceFlags(ServiceFlags::PERSISTENT),
    ];
    for change in services {
        let mut b = table();
        change(&mut b.services[1].service);
        assert_eq!(diff(&table(), &b).len(), 1, "{:?}", b.services[1].service);
    }
    let mut a = table();
    let mut b = table();
    for (s, t) in [(&mut a, 300), (&mut b, 301)] {
        s.services[1].service.flags = ServiceFlags(ServiceFlags::PERSISTENT);
        s.services[1].service.timeout = t;
    }
    assert_eq!(diff(&a, &b).len(), 1, "timeout");

    let tunnelled = || {
        let mut s = table();
        let d = first_dest(&mut s);
        d.forward = Forward::Tunnel;
        // GUE: the tunnel's words carry its port and flags too.
        d.tun_type = TunnelType::Gue;
        d.tun_port = 6080;
        s
    };
    let dests: [fn(&mut Dest); 7] = [
        |d| d.weight += 1,
        |d| d.forward = Forward::Masq,
        |d| d.upper_threshold = 7,
        |d| d.lower_threshold = 3,
        |d| d.tun_type = TunnelType::Ipip,
        |d| d.tun_port = 6081,
        |d| d.tun_flags = TunnelFlags(TunnelFlags::CSUM),
    ];
    for change in dests {
        let mut b = tunnelled();
        change(first_dest(&mut b));
        assert_eq!(diff(&tunnelled(), &b).len(), 1, "{:?}", first_dest(&mut b));
    }
}

/// Services whose real servers line up are settled in one pass; the same
/// real servers in another order are no difference, and another real server
/// in the same place is one, on both sides.
#[test]
fn real_servers_in_another_order_or_replaced_in_place() {
    let mut b = table();
    b.services[0].dests.reverse();
    assert!(diff(&table(), &b).is_empty(), "{:?}", diff(&table(), &b));
    let mut b = table();
    first_dest(&mut b).addr = "10.1.0.3".parse().unwrap();
    assert_eq!(
        diff(&table(), &b),
        [
            "TCP 10.0.0.2:80 -> 10.1.0.1:80: only on lb1 (missing on lb2)",
            "TCP 10.0.0.2:80 -> 10.1.0.3:80: only on lb2 (missing on lb1)"
        ]
    );
}
