//! Behaviour of the demo director, driven by a manual clock.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::*;
use crate::backend::ErrorKind;
use crate::model::{Family, Forward, Protocol, TunnelType};
use crate::testkit::ManualClock;

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ))
}

fn tcp(addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: addr.parse().unwrap(),
        port,
    }
}

fn dest(addr: &str, weight: u32) -> Dest {
    Dest {
        weight,
        ..Dest::new(addr.parse().unwrap(), 80)
    }
}

/// An empty director with one service of `sched` over servers of `weights`
/// (10.0.0.1, 10.0.0.2, ...), steady traffic, no incidents.
fn one_service(sched: &str, weights: &[u32], traffic: Traffic) -> (DemoDirector, Arc<ManualClock>) {
    let c = clock();
    let mut d = DemoDirector::empty(7, c.clone());
    d.set_incidents(None);
    let key = tcp("192.0.2.1", 80);
    d.set_traffic(&key, traffic);
    d.apply(&Change::AddService(Service::new(key, sched)))
        .unwrap();
    for (i, w) in weights.iter().enumerate() {
        d.apply(&Change::AddDest {
            service: key,
            dest: dest(&format!("10.0.0.{}", i + 1), *w),
        })
        .unwrap();
    }
    (d, c)
}

fn key() -> ServiceKey {
    tcp("192.0.2.1", 80)
}

/// Real servers' (conns counter, active) by address order 10.0.0.1, .2, ...
fn by_addr(d: &mut DemoDirector) -> Vec<Dest> {
    let mut v = d.dests(&key()).unwrap();
    v.sort_by_key(|x| x.addr);
    v
}

fn conns(d: &mut DemoDirector) -> Vec<u64> {
    by_addr(d).iter().map(|x| x.stats.conns).collect()
}

#[test]
fn same_seed_same_readings_same_snapshots() {
    let (c1, c2) = (clock(), clock());
    let mut a = DemoDirector::new(42, c1.clone());
    let mut b = DemoDirector::new(42, c2.clone());
    let mut lazy = DemoDirector::new(42, clock());
    let steps = [130u64, 70, 2000, 1, 999, 4321, 250, 10_000, 3];
    for (i, ms) in steps.iter().enumerate() {
        c1.advance(Duration::from_millis(*ms));
        c2.advance(Duration::from_millis(*ms));
        assert_eq!(a.snapshot().unwrap(), b.snapshot().unwrap());
        if i == 4 {
            let change = Change::EditDest {
                service: tcp("192.0.2.10", 443),
                dest: Dest {
                    forward: Forward::Route,
                    weight: 9,
                    ..Dest::new("10.10.1.21".parse().unwrap(), 443)
                },
            };
            a.apply(&change).unwrap();
            b.apply(&change).unwrap();
        }
    }
    let end = a.snapshot().unwrap();
    assert!(end.services.iter().any(|s| s.service.stats.conns > 0));
    // Reading often or rarely does not change the outcome (no change applied here).
    let mut often = DemoDirector::new(42, c1.clone());
    let base = c1.now();
    let _ = often.snapshot();
    let c3 = clock();
    c3.set(base);
    let _ = lazy.snapshot();
    let mut rare = DemoDirector::new(42, c3.clone());
    for _ in 0..50 {
        c1.advance(Duration::from_millis(100));
        let _ = often.services();
    }
    c3.advance(Duration::from_secs(5));
    assert_eq!(often.snapshot().unwrap(), rare.snapshot().unwrap());
    // Another seed tells another story.
    let c4 = clock();
    c4.set(c1.now());
    let mut other = DemoDirector::new(43, c4);
    assert_ne!(other.snapshot().unwrap(), often.snapshot().unwrap());
}

#[test]
fn counters_move_only_when_the_estimator_runs() {
    let (mut d, c) = one_service("rr", &[1, 1], Traffic::steady(200.0, 1.0));
    c.set(Duration::from_millis(1999));
    assert_eq!(d.services().unwrap()[0].stats.conns, 0);
    // Live connection counts do not wait for the estimator.
    assert!(by_addr(&mut d).iter().any(|x| x.active_conns > 0));
    c.set(Duration::from_secs(2));
    let at2 = d.services().unwrap()[0].stats;
    assert!(at2.conns > 0);
    for ms in [2100, 2900, 3999] {
        c.set(Duration::from_millis(ms));
        assert_eq!(d.services().unwrap()[0].stats, at2, "at {ms} ms");
    }
    c.set(Duration::from_secs(4));
    assert!(d.services().unwrap()[0].stats.conns > at2.conns);
}

#[test]
fn kernel_rates_converge_to_the_true_rate() {
    let (mut d, c) = one_service("wlc", &[1, 1, 1], Traffic::steady(1000.0, 1.0));
    c.set(Duration::from_secs(30));
    let s = d.services().unwrap()[0].stats;
    let err = (s.cps as f64 - 1000.0).abs() / 1000.0;
    assert!(err < 0.04, "cps {} after 30 s", s.cps);
    // Per-server rates add up to the service's, within rounding.
    let sum: u64 = by_addr(&mut d).iter().map(|x| x.stats.cps).sum();
    assert!(sum.abs_diff(s.cps) <= 3, "{sum} vs {}", s.cps);
    // Bytes per second follow packets: inbps = inpps * 120 bytes (steady profile),
    // give or take the 60-byte handshake packets.
    assert!(s.inbps > s.inpps * 100 && s.inbps < s.inpps * 121, "{s:?}");
}

#[test]
fn wrr_one_to_two_splits_one_to_two() {
    let (mut d, c) = one_service("wrr", &[1, 2], Traffic::steady(500.0, 1.0));
    c.set(Duration::from_secs(10));
    let n = conns(&mut d);
    assert!(n[0] + n[1] > 4000, "{n:?}");
    assert!(n[1].abs_diff(2 * n[0]) <= 3, "{n:?}");
}

#[test]
fn rr_splits_evenly() {
    let (mut d, c) = one_service("rr", &[1, 1, 1], Traffic::steady(300.0, 1.0));
    c.set(Duration::from_secs(10));
    let n = conns(&mut d);
    let (min, max) = (n.iter().min().unwrap(), n.iter().max().unwrap());
    assert!(*min > 900 && max - min <= 1, "{n:?}");
}

#[test]
fn wlc_favours_the_server_with_fewer_active_per_weight() {
    let (mut d, c) = one_service("wlc", &[1], Traffic::steady(100.0, 30.0));
    c.set(Duration::from_secs(20));
    d.apply(&Change::AddDest {
        service: key(),
        dest: dest("10.0.0.2", 1),
    })
    .unwrap();
    let before = conns(&mut d);
    c.set(Duration::from_secs(26));
    let after = conns(&mut d);
    let (to_old, to_new) = (after[0] - before[0], after[1] - before[1]);
    // The newcomer has no connections: it gets (nearly) every new one.
    assert!(to_new > 9 * to_old, "old {to_old}, new {to_new}");
    // Long run: active connections settle in proportion to weight.
    let (mut d, c) = one_service("wlc", &[1, 3], Traffic::steady(200.0, 10.0));
    c.set(Duration::from_secs(60));
    let a = by_addr(&mut d);
    let ratio = a[1].active_conns as f64 / a[0].active_conns as f64;
    assert!((2.7..3.3).contains(&ratio), "{ratio}");
}

#[test]
fn weight_zero_gets_no_new_connections_and_weights_move_the_split() {
    let (mut d, c) = one_service("wrr", &[1, 0], Traffic::steady(200.0, 1.0));
    c.set(Duration::from_secs(10));
    let n = conns(&mut d);
    assert!(n[0] > 1500 && n[1] == 0, "{n:?}");
    // Raise 10.0.0.2 to 3: from then on it takes three of every four.
    d.apply(&Change::EditDest {
        service: key(),
        dest: dest("10.0.0.2", 3),
    })
    .unwrap();
    c.set(Duration::from_secs(20));
    let m = conns(&mut d);
    let (d0, d1) = (m[0] - n[0], m[1] - n[1]);
    assert!(d1.abs_diff(3 * d0) <= 6, "{d0} {d1}");
    // Drain it again: its counter stops growing.
    d.apply(&Change::EditDest {
        service: key(),
        dest: dest("10.0.0.2", 0),
    })
    .unwrap();
    c.set(Duration::from_secs(22));
    let p = conns(&mut d);
    c.set(Duration::from_secs(30));
    let q = conns(&mut d);
    assert_eq!(p[1], q[1]);
    assert!(q[0] > p[0]);
}

#[test]
fn upper_threshold_overloads_and_lower_releases() {
    let (mut d, c) = one_service("rr", &[1], Traffic::steady(100.0, 5.0));
    d.apply(&Change::SetTimeouts(Timeouts {
        tcp: 0,
        tcp_fin: 1,
        udp: 0,
    }))
    .unwrap();
    d.apply(&Change::AddDest {
        service: key(),
        dest: Dest {
            upper_threshold: 60,
            lower_threshold: 40,
            ..dest("10.0.0.2", 1)
        },
    })
    .unwrap();
    let mut peak = 0;
    for s in 1..=60 {
        c.set(Duration::from_secs(s));
        let a = by_addr(&mut d);
        peak = peak.max(a[1].active_conns + a[1].inactive_conns);
    }
    // rr would give it 250 open connections; the threshold holds it at 60.
    assert_eq!(peak, 60);
    let n = conns(&mut d);
    assert!(n[0] > 2 * n[1], "{n:?}");
}

#[test]
fn sh_keeps_clients_and_persistence_counts_templates() {
    let c = clock();
    let mut d = DemoDirector::empty(3, c.clone());
    d.set_incidents(None);
    let mut s = Service::new(key(), "wlc");
    s.flags = ServiceFlags(ServiceFlags::PERSISTENT);
    s.timeout = 300;
    s.netmask = 0xffff_ff00;
    d.set_traffic(&key(), Traffic::steady(200.0, 1.0));
    d.apply(&Change::AddService(s)).unwrap();
    for a in ["10.0.0.1", "10.0.0.2"] {
        d.apply(&Change::AddDest {
            service: key(),
            dest: dest(a, 1),
        })
        .unwrap();
    }
    c.set(Duration::from_secs(20));
    let a = by_addr(&mut d);
    let templates: u32 = a.iter().map(|x| x.persistent_conns).sum();
    // Clients come from 172.16.0.0/20: at most 16 /24 networks, one template each.
    assert!(templates > 0 && templates <= 16, "{templates}");
    // Draining a server does not move persistent clients (quiescent templates).
    let before = conns(&mut d);
    let drained = a.iter().position(|x| x.persistent_conns > 0).unwrap();
    d.apply(&Change::EditDest {
        service: key(),
        dest: dest(&format!("10.0.0.{}", drained + 1), 0),
    })
    .unwrap();
    c.set(Duration::from_secs(30));
    let after = conns(&mut d);
    assert!(after[drained] > before[drained]);
}

#[test]
fn the_incident_piles_up_connections_on_the_slow_server() {
    let (mut d, c) = one_service(
        "rr",
        &[1, 1, 1],
        Traffic {
            incidents: true,
            ..Traffic::steady(150.0, 2.0)
        },
    );
    d.set_incidents(Some(IncidentPlan {
        first_at_secs: 10,
        every_secs: 1000,
        lasts_secs: 60,
        slowdown: 8.0,
    }));
    c.set(Duration::from_secs(9));
    assert_eq!(d.incident(), None);
    c.set(Duration::from_secs(50));
    let (svc, slow) = d.incident().expect("incident in progress");
    assert_eq!(svc, key());
    let a = by_addr(&mut d);
    let slow_active = a.iter().find(|x| x.key() == slow).unwrap().active_conns;
    for x in a.iter().filter(|x| x.key() != slow) {
        assert!(
            slow_active > 4 * x.active_conns,
            "{slow_active} vs {}",
            x.active_conns
        );
    }
    // Over after 60 s; a minute later the pile has drained.
    c.set(Duration::from_secs(140));
    assert_eq!(d.incident(), None);
    let a = by_addr(&mut d);
    let max = a.iter().map(|x| x.active_conns).max().unwrap();
    let min = a.iter().map(|x| x.active_conns).min().unwrap();
    assert!(max < 2 * min + 20, "{a:?}");
}

#[test]
fn wlc_steers_new_connections_away_from_the_slow_server() {
    let (mut d, c) = one_service(
        "wlc",
        &[1, 1, 1],
        Traffic {
            incidents: true,
            ..Traffic::steady(150.0, 2.0)
        },
    );
    d.set_incidents(Some(IncidentPlan {
        first_at_secs: 10,
        every_secs: 1000,
        lasts_secs: 60,
        slowdown: 8.0,
    }));
    c.set(Duration::from_secs(20));
    let (_, slow) = d.incident().unwrap();
    let before = by_addr(&mut d);
    c.set(Duration::from_secs(60));
    let after = by_addr(&mut d);
    let got = |v: &[Dest], k: DestKey| v.iter().find(|x| x.key() == k).unwrap().stats.conns;
    let slow_new = got(&after, slow) - got(&before, slow);
    for x in after.iter().filter(|x| x.key() != slow) {
        let other_new = got(&after, x.key()) - got(&before, x.key());
        assert!(other_new > 3 * slow_new, "{other_new} vs slow {slow_new}");
    }
}

#[test]
fn direct_routing_and_tunnels_have_no_outbound_packets() {
    let c = clock();
    let mut d = DemoDirector::new(5, c.clone());
    c.set(Duration::from_secs(20));
    let snap = d.snapshot().unwrap();
    let mut seen = [false; 2];
    for e in &snap.services {
        for x in &e.dests {
            if x.stats.inpkts == 0 {
                continue;
            }
            match x.forward {
                Forward::Route | Forward::Tunnel => {
                    assert_eq!((x.stats.outpkts, x.stats.outbytes), (0, 0), "{x:?}");
                    seen[0] = true;
                }
                Forward::Masq => {
                    seen[1] |= x.stats.outpkts > 0;
                }
                Forward::Local => {}
            }
        }
    }
    assert_eq!(seen, [true, true]);
}

#[test]
fn udp_connections_are_never_active() {
    let c = clock();
    let mut d = DemoDirector::new(5, c.clone());
    c.set(Duration::from_secs(10));
    let dns = ServiceKey::Addr {
        protocol: Protocol::Udp,
        addr: "192.0.2.53".parse().unwrap(),
        port: 53,
    };
    let v = d.dests(&dns).unwrap();
    assert!(v.iter().all(|x| x.active_conns == 0));
    assert!(v.iter().all(|x| x.inactive_conns > 0));
}

#[test]
fn zero_and_delete_readd_restart_counters() {
    let (mut d, c) = one_service("rr", &[1, 1], Traffic::steady(100.0, 1.0));
    c.set(Duration::from_secs(10));
    assert!(d.services().unwrap()[0].stats.cps > 0);
    d.apply(&Change::Zero(Some(key()))).unwrap();
    assert_eq!(d.services().unwrap()[0].stats, Stats::default());
    assert!(by_addr(&mut d).iter().all(|x| x.stats == Stats::default()));
    c.set(Duration::from_secs(12));
    let s = d.services().unwrap()[0].stats;
    assert!(s.conns > 100 && s.conns < 300, "{s:?}");
    // Zero all also clears the director totals.
    d.apply(&Change::Zero(None)).unwrap();
    assert_eq!(d.totals(), Stats::default());
    // Deleted and re-added, a service starts from nothing.
    c.set(Duration::from_secs(20));
    d.apply(&Change::DeleteService(key())).unwrap();
    d.apply(&Change::AddService(Service::new(key(), "rr")))
        .unwrap();
    assert_eq!(d.services().unwrap()[0].stats, Stats::default());
    assert!(d.dests(&key()).unwrap().is_empty());
}

#[test]
fn a_real_server_readded_from_the_trash_keeps_its_counters() {
    let (mut d, c) = one_service("rr", &[1, 1], Traffic::steady(100.0, 1.0));
    c.set(Duration::from_secs(10));
    let before = by_addr(&mut d)[0].stats.conns;
    let k = by_addr(&mut d)[0].key();
    d.apply(&Change::DeleteDest {
        service: key(),
        dest: k,
    })
    .unwrap();
    d.apply(&Change::AddDest {
        service: key(),
        dest: dest("10.0.0.1", 1),
    })
    .unwrap();
    assert_eq!(by_addr(&mut d)[0].stats.conns, before);
    // The kernel lists the newest real server first.
    assert_eq!(d.dests(&key()).unwrap()[0].key(), k);
}

fn refused(d: &mut DemoDirector, change: Change, errno: i32, kind: ErrorKind, text: &str) {
    let e = d.apply(&change).expect_err("must be refused");
    assert_eq!(e.errno(), Some(errno), "{e}");
    assert_eq!(e.kind(), kind, "{e}");
    assert!(e.to_string().contains(text), "{e:?} lacks {text:?}");
}

#[test]
fn refusals_carry_the_kernel_errno_and_wording() {
    let (mut d, _c) = one_service("wlc", &[1], Traffic::steady(1.0, 1.0));
    let missing = tcp("192.0.2.99", 80);
    use ErrorKind::*;
    refused(
        &mut d,
        Change::AddService(Service::new(key(), "rr")),
        libc::EEXIST,
        Exists,
        "virtual service TCP 192.0.2.1:80 already exists",
    );
    refused(
        &mut d,
        Change::AddDest {
            service: key(),
            dest: dest("10.0.0.1", 5),
        },
        libc::EEXIST,
        Exists,
        "real server 10.0.0.1:80 of TCP 192.0.2.1:80 already exists",
    );
    for change in [
        Change::EditService(Service::new(missing, "rr")),
        Change::DeleteService(missing),
        Change::Zero(Some(missing)),
        Change::AddDest {
            service: missing,
            dest: dest("10.0.0.1", 1),
        },
        Change::DeleteDest {
            service: missing,
            dest: dest("10.0.0.1", 1).key(),
        },
    ] {
        refused(
            &mut d,
            change,
            libc::ESRCH,
            NotFound,
            "TCP 192.0.2.99:80 does not exist",
        );
    }
    refused(
        &mut d,
        Change::DeleteDest {
            service: key(),
            dest: DestKey {
                addr: "10.0.0.9".parse().unwrap(),
                port: 80,
            },
        },
        libc::ENOENT,
        NotFound,
        "real server 10.0.0.9:80 of TCP 192.0.2.1:80 does not exist",
    );
    refused(
        &mut d,
        Change::EditDest {
            service: key(),
            dest: dest("10.0.0.9", 1),
        },
        libc::ENOENT,
        NotFound,
        "does not exist",
    );
    refused(
        &mut d,
        Change::AddService(Service::new(tcp("192.0.2.2", 80), "fancy")),
        libc::ENOENT,
        NotFound,
        "scheduler 'fancy' (module ip_vs_fancy)",
    );
    let mut pe = Service::new(tcp("192.0.2.2", 80), "rr");
    pe.pe_name = Some("http".into());
    refused(
        &mut d,
        Change::AddService(pe),
        libc::ENOENT,
        NotFound,
        "ip_vs_pe_http",
    );
    // Every scheduler the kernel ships is accepted, and "none".
    for (i, s) in scheduler::KNOWN.iter().chain(&["none"]).enumerate() {
        d.apply(&Change::AddService(Service::new(
            tcp("192.0.2.3", 1000 + i as u16),
            s,
        )))
        .unwrap();
    }
    // Mixed family needs tunnelling (ip_vs_genl_set_cmd).
    refused(
        &mut d,
        Change::AddDest {
            service: key(),
            dest: Dest::new("2001:db8::5".parse().unwrap(), 80),
        },
        libc::EINVAL,
        Invalid,
        "refused real server [2001:db8::5]:80 of TCP 192.0.2.1:80 as invalid",
    );
    d.apply(&Change::AddDest {
        service: key(),
        dest: Dest {
            forward: Forward::Tunnel,
            ..Dest::new("2001:db8::5".parse().unwrap(), 80)
        },
    })
    .unwrap();
    // GUE without a port, upper threshold above INT_MAX, a multicast server.
    for bad in [
        Dest {
            forward: Forward::Tunnel,
            tun_type: TunnelType::Gue,
            ..dest("10.0.0.20", 1)
        },
        Dest {
            upper_threshold: u32::MAX,
            ..dest("10.0.0.21", 1)
        },
        dest("224.0.0.5", 1),
        dest("0.0.0.0", 1),
    ] {
        refused(
            &mut d,
            Change::AddDest {
                service: key(),
                dest: bad,
            },
            libc::EINVAL,
            Invalid,
            "as invalid",
        );
    }
    // ip_vs_add_dest answers ERANGE, not EINVAL, for a lower threshold above
    // the upper one (even with no upper threshold) and for a negative weight.
    for bad in [
        Dest {
            upper_threshold: 10,
            lower_threshold: 20,
            ..dest("10.0.0.22", 1)
        },
        Dest {
            lower_threshold: 5,
            ..dest("10.0.0.23", 1)
        },
        dest("10.0.0.24", i32::MAX as u32 + 1),
    ] {
        refused(
            &mut d,
            Change::EditDest {
                service: key(),
                dest: Dest {
                    addr: "10.0.0.1".parse().unwrap(),
                    ..bad
                },
            },
            libc::ERANGE,
            Invalid,
            "out of range",
        );
    }
    // IPv6 persistence prefix must be 1..=128.
    let mut v6 = Service::new(tcp("2001:db8::1", 80), "rr");
    v6.netmask = 0;
    refused(
        &mut d,
        Change::AddService(v6),
        libc::EINVAL,
        Invalid,
        "as invalid",
    );
    refused(
        &mut d,
        Change::SetTimeouts(Timeouts {
            tcp: u32::MAX,
            tcp_fin: 0,
            udp: 0,
        }),
        libc::EINVAL,
        Invalid,
        "connection timeouts",
    );
    // Nothing refused left a trace.
    assert_eq!(d.dests(&key()).unwrap().len(), 2);
}

#[test]
fn reads_of_a_missing_service_are_not_found() {
    let (mut d, _c) = one_service("rr", &[1], Traffic::steady(1.0, 1.0));
    let e = d.dests(&tcp("192.0.2.99", 80)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.errno(), Some(libc::ESRCH));
}

#[test]
fn info_timeouts_and_flush() {
    let c = clock();
    let mut d = DemoDirector::new(1, c.clone());
    let info = d.info().unwrap();
    assert_eq!((info.version, info.conn_tab_size), (0x010201, 4096));
    assert_eq!(info.version_string(), "1.2.1");
    assert_eq!(
        d.timeouts().unwrap(),
        Timeouts {
            tcp: 900,
            tcp_fin: 120,
            udp: 300
        }
    );
    d.apply(&Change::SetTimeouts(Timeouts {
        tcp: 0,
        tcp_fin: 30,
        udp: 0,
    }))
    .unwrap();
    assert_eq!(d.timeouts().unwrap().tcp_fin, 30);
    assert_eq!(d.timeouts().unwrap().tcp, 900);
    d.apply(&Change::Flush).unwrap();
    assert!(d.services().unwrap().is_empty());
}

#[test]
fn the_scenario_covers_what_the_demo_promises() {
    let c = clock();
    let mut d = DemoDirector::new(11, c.clone());
    c.set(Duration::from_secs(30));
    let snap = d.snapshot().unwrap();
    assert!(snap.services.len() >= 10);
    let keys: Vec<ServiceKey> = snap.services.iter().map(|e| e.service.key).collect();
    let has = |f: &dyn Fn(&ServiceKey) -> bool| keys.iter().any(f);
    assert!(has(&|k| matches!(
        k,
        ServiceKey::Addr {
            protocol: Protocol::Udp,
            ..
        }
    )));
    assert!(has(&|k| matches!(
        k,
        ServiceKey::Addr {
            protocol: Protocol::Sctp,
            ..
        }
    )));
    assert!(has(
        &|k| matches!(k, ServiceKey::Addr { addr, .. } if addr.is_ipv6())
    ));
    assert!(has(&|k| matches!(
        k,
        ServiceKey::Fwmark {
            family: Family::V4,
            ..
        }
    )));
    assert!(has(&|k| matches!(
        k,
        ServiceKey::Fwmark {
            family: Family::V6,
            ..
        }
    )));
    let dests: Vec<&Dest> = snap.services.iter().flat_map(|e| &e.dests).collect();
    for f in [Forward::Masq, Forward::Route, Forward::Tunnel] {
        assert!(dests.iter().any(|x| x.forward == f));
    }
    assert!(dests
        .iter()
        .any(|x| x.tun_type == TunnelType::Gue && x.tun_port != 0));
    assert!(dests.iter().any(|x| x.weight == 0));
    assert!(dests.iter().any(|x| x.upper_threshold > 0));
    let sv: Vec<&Service> = snap.services.iter().map(|e| &e.service).collect();
    assert!(sv
        .iter()
        .any(|s| s.flags.has(ServiceFlags::PERSISTENT) && s.netmask != 0xffff_ffff));
    assert!(sv
        .iter()
        .any(|s| s.scheduler == "sh" && s.flags.has(ServiceFlags::SCHED1)));
    // Every service carries traffic.
    for e in &snap.services {
        assert!(e.service.stats.conns > 0, "{}", e.service.key);
        assert!(
            e.service.stats.cps > 0 || e.service.stats.conns < 60,
            "{}",
            e.service.key
        );
    }
}

#[test]
fn one_packet_udp_leaves_no_connections_in_the_table() {
    let c = clock();
    let mut d = DemoDirector::empty(9, c.clone());
    d.set_incidents(None);
    let dns = ServiceKey::Addr {
        protocol: Protocol::Udp,
        addr: "192.0.2.53".parse().unwrap(),
        port: 53,
    };
    let mut s = Service::new(dns, "rr");
    s.flags = ServiceFlags(ServiceFlags::ONEPACKET);
    d.apply(&Change::AddService(s)).unwrap();
    d.apply(&Change::AddDest {
        service: dns,
        dest: Dest::new("10.0.0.1".parse().unwrap(), 53),
    })
    .unwrap();
    c.set(Duration::from_secs(10));
    let x = &d.dests(&dns).unwrap()[0];
    assert_eq!((x.active_conns, x.inactive_conns), (0, 0));
    assert!(
        x.stats.conns > 100 && x.stats.inpkts == x.stats.conns,
        "{x:?}"
    );
}

#[test]
fn head_start_shows_a_director_in_service_at_the_first_reading() {
    let clock = Arc::new(ManualClock::new(std::time::SystemTime::UNIX_EPOCH));
    let mut cold = DemoDirector::new(9, clock.clone());
    let mut warm = DemoDirector::new(9, clock.clone()).with_head_start(Duration::from_secs(120));
    let sum = |d: &mut DemoDirector| -> (u64, u64) {
        let s = d.snapshot().unwrap();
        let conns = s.services.iter().map(|e| e.service.stats.conns).sum();
        let cps = s.services.iter().map(|e| e.service.stats.cps).sum();
        (conns, cps)
    };
    assert_eq!(sum(&mut cold), (0, 0));
    let (conns, cps) = sum(&mut warm);
    assert!(conns > 10_000 && cps > 100, "conns {conns}, cps {cps}");
    // The same seed with the same head start is still deterministic.
    let mut again = DemoDirector::new(9, clock).with_head_start(Duration::from_secs(120));
    assert_eq!(warm.snapshot().unwrap(), again.snapshot().unwrap());
}
