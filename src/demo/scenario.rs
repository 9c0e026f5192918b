//! The table `lvstop --demo` starts with: a small but varied director, using
//! only documentation (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
//! 2001:db8::/32) and private (10.0.0.0/8) addresses.

use std::net::IpAddr;

use super::traffic::Traffic;
use crate::model::{
    Dest, Family, Forward, Protocol, Service, ServiceFlags, ServiceKey, TunnelFlags, TunnelType,
};

/// One virtual service of the scenario with its real servers and traffic.
pub struct Entry {
    pub service: Service,
    /// In the order an operator would add them (the kernel lists the last
    /// added first).
    pub dests: Vec<Dest>,
    pub traffic: Traffic,
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("scenario address")
}

fn addr(protocol: Protocol, a: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol,
        addr: ip(a),
        port,
    }
}

fn dest(a: &str, port: u16, forward: Forward, weight: u32) -> Dest {
    Dest {
        forward,
        weight,
        ..Dest::new(ip(a), port)
    }
}

fn web(cps: f64, phase: f64, incidents: bool) -> Traffic {
    Traffic {
        base_cps: cps,
        daily_swing: 0.45,
        daily_phase: phase,
        burst_every_secs: 180.0,
        mean_duration_secs: 3.0,
        in_pps: 8.0,
        out_pps: 11.0,
        in_bytes_per_pkt: 180,
        out_bytes_per_pkt: 1100,
        clients: 20_000,
        datagram: false,
        incidents,
    }
}

/// The demo table.
pub fn entries() -> Vec<Entry> {
    use Forward::{Masq, Route, Tunnel};
    use Protocol::{Sctp, Tcp, Udp};
    let mut shop = Service::new(
        ServiceKey::Fwmark {
            family: Family::V4,
            mark: 100,
        },
        "wlc",
    );
    shop.flags = ServiceFlags(ServiceFlags::PERSISTENT);
    shop.timeout = 600;
    shop.netmask = 0xffff_ff00;
    let mut smtp = Service::new(addr(Tcp, "203.0.113.25", 25), "sh");
    smtp.flags = ServiceFlags(ServiceFlags::SCHED1 | ServiceFlags::SCHED2);
    let gue = |a: &str, w: u32| Dest {
        tun_type: TunnelType::Gue,
        tun_port: 6080,
        tun_flags: TunnelFlags(TunnelFlags::CSUM),
        ..dest(a, 8443, Tunnel, w)
    };
    let mut sip = Service::new(addr(Udp, "192.0.2.70", 5060), "rr");
    sip.flags = ServiceFlags(ServiceFlags::PERSISTENT);
    sip.timeout = 60;
    sip.pe_name = Some("sip".to_string());
    vec![
        // 1. The busy web front end: NAT, wlc, one server drained for maintenance.
        Entry {
            service: Service::new(addr(Tcp, "192.0.2.10", 80), "wlc"),
            dests: vec![
                dest("10.10.1.11", 8080, Masq, 100),
                dest("10.10.1.12", 8080, Masq, 100),
                dest("10.10.1.13", 8080, Masq, 100),
                dest("10.10.1.14", 8080, Masq, 50),
                dest("10.10.1.15", 8080, Masq, 0),
            ],
            traffic: web(420.0, 0.0, true),
        },
        // 2. Its TLS side: direct routing, wrr with uneven weights.
        Entry {
            service: Service::new(addr(Tcp, "192.0.2.10", 443), "wrr"),
            dests: vec![
                dest("10.10.1.21", 443, Route, 1),
                dest("10.10.1.22", 443, Route, 2),
                dest("10.10.1.23", 443, Route, 3),
            ],
            traffic: Traffic {
                mean_duration_secs: 6.0,
                ..web(300.0, 0.05, true)
            },
        },
        // 3. A database pool: lc, long connections, one server capped by thresholds.
        Entry {
            service: Service::new(addr(Tcp, "192.0.2.20", 3306), "lc"),
            dests: vec![
                dest("10.10.2.21", 3306, Masq, 1),
                Dest {
                    upper_threshold: 1400,
                    lower_threshold: 1100,
                    ..dest("10.10.2.22", 3306, Masq, 1)
                },
            ],
            traffic: Traffic {
                base_cps: 18.0,
                daily_swing: 0.3,
                daily_phase: 0.1,
                burst_every_secs: 0.0,
                mean_duration_secs: 45.0,
                in_pps: 3.0,
                out_pps: 4.0,
                in_bytes_per_pkt: 300,
                out_bytes_per_pkt: 1200,
                clients: 40,
                datagram: false,
                incidents: false,
            },
        },
        // 4. DNS over UDP: rr; IPVS counts UDP connections as inactive only.
        Entry {
            service: Service::new(addr(Udp, "192.0.2.53", 53), "rr"),
            dests: vec![
                dest("10.10.3.31", 53, Masq, 1),
                dest("10.10.3.32", 53, Masq, 1),
                dest("10.10.3.33", 53, Masq, 1),
            ],
            traffic: Traffic {
                base_cps: 250.0,
                daily_swing: 0.35,
                daily_phase: 0.2,
                burst_every_secs: 300.0,
                mean_duration_secs: 0.05,
                in_pps: 20.0,
                out_pps: 20.0,
                in_bytes_per_pkt: 70,
                out_bytes_per_pkt: 160,
                clients: 8000,
                datagram: true,
                incidents: false,
            },
        },
        // 5. IPv6 web: NAT, sed (shortest expected delay).
        Entry {
            service: Service::new(addr(Tcp, "2001:db8::80", 80), "sed"),
            dests: vec![
                dest("2001:db8:10::11", 80, Masq, 10),
                dest("2001:db8:10::12", 80, Masq, 10),
                dest("2001:db8:10::13", 80, Masq, 20),
            ],
            traffic: web(110.0, 0.5, false),
        },
        // 6. A shop on firewall mark 100 (ports 80 and 443 marked together):
        // persistent for 10 minutes per /24, IPIP tunnels to a remote site.
        Entry {
            service: shop,
            dests: vec![
                dest("198.51.100.21", 0, Tunnel, 10),
                dest("198.51.100.22", 0, Tunnel, 10),
                dest("198.51.100.23", 0, Tunnel, 5),
            ],
            traffic: Traffic {
                clients: 30_000,
                ..web(60.0, 0.25, false)
            },
        },
        // 7. IPv6 firewall-mark service, direct routing, rr.
        Entry {
            service: Service::new(
                ServiceKey::Fwmark {
                    family: Family::V6,
                    mark: 200,
                },
                "rr",
            ),
            dests: vec![
                dest("2001:db8:20::21", 0, Route, 1),
                dest("2001:db8:20::22", 0, Route, 1),
            ],
            traffic: web(35.0, 0.6, false),
        },
        // 8. SMTP: source hashing with sh-fallback and sh-port.
        Entry {
            service: smtp,
            dests: vec![
                dest("10.10.5.51", 25, Masq, 1),
                dest("10.10.5.52", 25, Masq, 1),
                dest("10.10.5.53", 25, Masq, 2),
            ],
            traffic: Traffic {
                base_cps: 12.0,
                mean_duration_secs: 8.0,
                in_pps: 30.0,
                out_pps: 6.0,
                in_bytes_per_pkt: 1200,
                out_bytes_per_pkt: 90,
                clients: 3000,
                ..web(12.0, 0.4, false)
            },
        },
        // 9. An API behind GUE tunnels, one real server reached over IPv6
        // (mixed family: allowed with tunnel forwarding only).
        Entry {
            service: Service::new(addr(Tcp, "192.0.2.30", 8443), "wrr"),
            dests: vec![
                gue("198.51.100.31", 3),
                gue("198.51.100.32", 3),
                dest("2001:db8:30::33", 8443, Tunnel, 2),
            ],
            traffic: Traffic {
                mean_duration_secs: 1.5,
                ..web(90.0, 0.7, false)
            },
        },
        // 10. Syslog over UDP: wlc, which (unlike sed and nq, blind to
        // inactive connections) can balance UDP.
        Entry {
            service: Service::new(addr(Udp, "192.0.2.40", 514), "wlc"),
            dests: vec![
                dest("10.10.4.41", 514, Masq, 2),
                dest("10.10.4.42", 514, Masq, 1),
            ],
            traffic: Traffic {
                base_cps: 140.0,
                daily_swing: 0.2,
                daily_phase: 0.8,
                burst_every_secs: 120.0,
                mean_duration_secs: 0.3,
                in_pps: 15.0,
                out_pps: 0.0,
                in_bytes_per_pkt: 400,
                out_bytes_per_pkt: 0,
                clients: 600,
                datagram: true,
                incidents: false,
            },
        },
        // 11. Diameter over SCTP: nq, few long associations.
        Entry {
            service: Service::new(addr(Sctp, "192.0.2.50", 3868), "nq"),
            dests: vec![
                dest("10.10.6.61", 3868, Masq, 1),
                dest("10.10.6.62", 3868, Masq, 1),
            ],
            traffic: Traffic {
                base_cps: 2.0,
                daily_swing: 0.1,
                mean_duration_secs: 120.0,
                in_pps: 5.0,
                out_pps: 5.0,
                in_bytes_per_pkt: 250,
                out_bytes_per_pkt: 250,
                clients: 50,
                ..web(2.0, 0.0, false)
            },
        },
        // 12. SIP over UDP with the sip persistence engine, 60 s persistence.
        Entry {
            service: sip,
            dests: vec![
                dest("10.10.7.71", 5060, Masq, 1),
                dest("10.10.7.72", 5060, Masq, 1),
            ],
            traffic: Traffic {
                base_cps: 20.0,
                mean_duration_secs: 30.0,
                in_pps: 2.0,
                out_pps: 2.0,
                in_bytes_per_pkt: 600,
                out_bytes_per_pkt: 500,
                clients: 2000,
                datagram: true,
                ..web(20.0, 0.3, false)
            },
        },
    ]
}
