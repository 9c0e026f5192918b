//! Grammar tests: ipvsadm's defaults, its refusals, and format → parse round trips.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::model::{
    Change, Dest, DestKey, Family, Forward, Protocol, Service, ServiceFlags, ServiceKey, Timeouts,
    TunnelFlags, TunnelType,
};

use super::{parse_line, parse_rules, SCHEDULERS};
use crate::output::{command_line, rule};

fn one(line: &str) -> Change {
    parse_line(line)
        .unwrap_or_else(|e| panic!("{line}: {e}"))
        .expect("not blank")
}

fn err(line: &str) -> String {
    match parse_line(line) {
        Err(e) => e.to_string(),
        Ok(c) => panic!("{line}: expected an error, got {c:?}"),
    }
}

fn tcp(addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: addr.parse().unwrap(),
        port,
    }
}

#[test]
fn service_defaults_as_ipvsadm() {
    // process_options: scheduler wlc, /32 netmask, no persistence.
    let Change::AddService(s) = one("-A -t 10.0.0.1:80") else {
        panic!()
    };
    assert_eq!(s, Service::new(tcp("10.0.0.1", 80), "wlc"));
    // -p without a value: IPVS_SVC_PERSISTENT_TIMEOUT, 6*60 (golden capture: "persistent 360").
    let Change::EditService(s) = one("-E -t 10.0.0.1:80 -p -s rr") else {
        panic!()
    };
    assert_eq!(s.timeout, 360);
    assert!(s.flags.has(ServiceFlags::PERSISTENT));
    assert_eq!(s.scheduler, "rr");
    // IPv6 default netmask is the prefix length 128.
    let Change::AddService(s) = one("-A -f 7 -6") else {
        panic!()
    };
    assert_eq!(
        s.key,
        ServiceKey::Fwmark {
            family: Family::V6,
            mark: 7
        }
    );
    assert_eq!(s.netmask, 128);
}

#[test]
fn dest_defaults_as_ipvsadm() {
    // Default forwarding is direct routing (-g), weight 1; DR forces the service port.
    let Change::AddDest { dest, .. } = one("-a -t 10.0.0.1:80 -r 10.0.0.2:8080") else {
        panic!()
    };
    assert_eq!(dest.forward, Forward::Route);
    assert_eq!(dest.weight, 1);
    assert_eq!(dest.port, 80);
    // Masquerading keeps the given port; a port-less -r inherits the service's.
    let Change::AddDest { dest, .. } = one("-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -m") else {
        panic!()
    };
    assert_eq!(dest.port, 8080);
    let Change::AddDest { dest, .. } = one("-a -t 10.0.0.1:80 -r 10.0.0.2 --masquerading") else {
        panic!()
    };
    assert_eq!(dest.port, 80);
    // Fwmark services keep whatever port -r names, even with DR.
    let Change::AddDest { dest, .. } = one("-a -f 1 -r 10.0.0.2:25 -g") else {
        panic!()
    };
    assert_eq!(dest.port, 25);
    // Delete keeps the given port (no forwarding method there).
    assert_eq!(
        one("-d -t 10.0.0.1:80 -r 10.0.0.2:8080"),
        Change::DeleteDest {
            service: tcp("10.0.0.1", 80),
            dest: DestKey {
                addr: "10.0.0.2".parse().unwrap(),
                port: 8080
            }
        }
    );
}

#[test]
fn long_short_clustered_and_inline_forms() {
    let a = one("-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 5 -x 100 -y 10");
    for line in [
        "ipvsadm --add-server --tcp-service 10.0.0.1:80 --real-server 10.0.0.2:80 --masquerading --weight 5 --u-threshold 100 --l-threshold 10",
        "-a -t10.0.0.1:80 -r10.0.0.2:80 -mw5 -x100 -y 10",
        "-a --tcp-service=10.0.0.1:80 --real-server=10.0.0.2:80 -m --weight=5 -x 100 -y 10   # comment",
    ] {
        assert_eq!(one(line), a, "{line}");
    }
    assert_eq!(parse_line("   # only a comment").unwrap(), None);
    assert_eq!(parse_line("").unwrap(), None);
    assert_eq!(one("-C"), Change::Flush);
    assert_eq!(one("-Z"), Change::Zero(None));
    assert_eq!(
        one("--zero -u [2001:db8::1]:53"),
        Change::Zero(Some(ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr: "2001:db8::1".parse().unwrap(),
            port: 53
        }))
    );
    assert_eq!(
        one("--set 900 120 300"),
        Change::SetTimeouts(Timeouts {
            tcp: 900,
            tcp_fin: 120,
            udp: 300
        })
    );
}

#[test]
fn tunnel_options() {
    let Change::AddDest { dest, .. } =
        one("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 6080 --tun-remcsum")
    else {
        panic!()
    };
    assert_eq!(dest.forward, Forward::Tunnel);
    assert_eq!(dest.tun_type, TunnelType::Gue);
    assert_eq!(dest.tun_port, 6080);
    assert_eq!(dest.tun_flags, TunnelFlags(TunnelFlags::REMCSUM));
    let Change::AddDest { dest, .. } =
        one("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-csum")
    else {
        panic!()
    };
    assert_eq!(
        (dest.tun_type, dest.tun_flags.0),
        (TunnelType::Gre, TunnelFlags::CSUM)
    );
    // Mixed family is fine for tunnels.
    let Change::AddDest { dest, .. } = one("-a -t [2001:db8::1]:80 -r 10.0.0.2 -i") else {
        panic!()
    };
    assert_eq!(dest.addr, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)));
}

#[test]
fn refusals_name_the_problem() {
    for (line, want) in [
        ("-A -t 10.0.0.1:80 --frobnicate", "invalid option `--frobnicate'"),
        ("-A -t 10.0.0.1:80 -q", "invalid option `-q'"),
        ("-A -t 10.0.0.300:80", "illegal virtual server address"),
        ("-A -t 10.0.0.1:65536", "illegal virtual server address"),
        ("-A -t 80", "illegal virtual server address"),
        ("-A -t [2001:db8::1]", "illegal virtual server address"),
        ("-a -t 10.0.0.1:80 -r 2001:db8::2 -m", "Different address family"),
        ("-a -t 10.0.0.1:80 -r 10.0.0.2 -w 2147483648", "illegal weight"),
        ("-a -t 10.0.0.1:80 -r 10.0.0.2 -w -1", "illegal weight"),
        ("-a -t 10.0.0.1:80 -r 10.0.0.2 -x 5 -y 6", "lower threshold 6 is above upper threshold 5"),
        ("-a -t 10.0.0.1:80 -r 10.0.0.2 -y 6", "lower threshold 6 is above upper threshold 0"),
        ("-A -f 0", "invalid fwmark value `0'"),
        ("-A -f 4294967296", "invalid fwmark value"),
        ("-A -t 10.0.0.1:80 -p 60 -M 255.0.255.0", "non-contiguous netmask"),
        ("-A -t [2001:db8::1]:80 -p -M 129", "illegal ipv6 netmask"),
        ("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-port 6080", "Illegal 'tun-port' option with the 'ipip' tunnel type"),
        ("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue", "You need to supply the 'tun-port' option for the 'gue' tunnel type"),
        ("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-remcsum", "Illegal 'tun-remcsum' option with the 'gre' tunnel type"),
        ("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 1 --tun-csum --tun-remcsum", "The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue' tunnel type"),
        ("-a -t 10.0.0.1:80 -r 10.0.0.2 -m --tun-type gue", "Tunnel options conflict with forward method"),
        ("-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type vxlan", "illegal tunnel type"),
        ("-A -t 10.0.0.1:80 -s fastest", "unknown scheduler `fastest' (the kernel's schedulers: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos)"),
        ("-A -t 10.0.0.1:80 -s rr -b sh-port", "incompatible scheduler flag `sh-port'"),
        ("-A -t 10.0.0.1:80 -b bogus", "invalid scheduler flag `bogus'"),
        ("-A -t 10.0.0.1:80 --pe http", "unknown persistence engine"),
        ("-A -t 10.0.0.1:0", "Zero port specified for non-persistent service"),
        ("-A -t 10.0.0.1:80 -o", "One-Packet Scheduling is only for UDP virtual services"),
        ("-A -t 10.0.0.1:80 -w 3", "Illegal 'weight' option with the 'add-service' command"),
        ("-a -t 10.0.0.1:80 -w 3", "You need to supply the 'real-server' option for the 'add-server' command"),
        ("-A -s rr", "You need to supply the 'service-address' option for the 'add-service' command"),
        ("-A -t 10.0.0.1:80 -E", "multiple commands specified"),
        ("-A -t 10.0.0.1:80 -s rr -s wlc", "multiple 'scheduler' options specified"),
        ("-A -6 -f 1", "-6 used before -f"),
        ("-L -n", "not a table change"),
        ("-A -t 10.0.0.1:80 --stats", "not a table change"),
        ("-A -t 10.0.0.1:80 extra", "unexpected argument extra"),
        ("--set 1 2", "--set option requires 3 timeout values"),
        ("-A -t 10.0.0.1:80 -p 2678401", "invalid timeout value"),
        ("-t 10.0.0.1:80", "no command given"),
    ] {
        let e = err(line);
        assert!(e.contains(want), "{line}: got {e:?}, want {want:?}");
    }
}

#[test]
fn whole_file_or_nothing_with_line_numbers() {
    let text = "-A -t 10.0.0.1:80\n\n# comment\n-a -t 10.0.0.1:80 -r 10.0.0.2 -w 70000000000\n-C\n";
    let e = parse_rules(text).unwrap_err();
    assert_eq!(e.line, 4);
    assert!(e.to_string().starts_with("line 4: illegal weight"), "{e}");
    assert_eq!(parse_rules("-A -t 10.0.0.1:80\n-C\n").unwrap().len(), 2);
}

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn coin(&mut self) -> bool {
        self.below(2) == 0
    }
    fn addr(&mut self, family: Family) -> IpAddr {
        match family {
            Family::V4 => IpAddr::V4(Ipv4Addr::from(self.next() as u32)),
            Family::V6 => {
                // Mostly sparse addresses, so "::" compression is exercised.
                let mut seg = [0u16; 8];
                for s in &mut seg {
                    if self.below(3) == 0 {
                        *s = self.next() as u16;
                    }
                }
                IpAddr::V6(Ipv6Addr::from(seg))
            }
        }
    }
    fn family(&mut self) -> Family {
        if self.coin() {
            Family::V4
        } else {
            Family::V6
        }
    }
}

fn gen_key(r: &mut Rng, port_zero_ok: bool) -> ServiceKey {
    if r.below(4) == 0 {
        return ServiceKey::Fwmark {
            family: r.family(),
            mark: r.range(1, u64::from(u32::MAX)) as u32,
        };
    }
    let protocol = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp][r.below(3) as usize];
    let fam = r.family();
    let port = if port_zero_ok && r.below(5) == 0 {
        0
    } else {
        r.range(1, 65535) as u16
    };
    ServiceKey::Addr {
        protocol,
        addr: r.addr(fam),
        port,
    }
}

fn gen_service(r: &mut Rng) -> Service {
    let persistent = r.coin();
    let key = gen_key(r, persistent);
    let sched = SCHEDULERS[r.below(SCHEDULERS.len() as u64) as usize];
    let mut s = Service::new(key, sched);
    if persistent {
        s.flags.0 |= ServiceFlags::PERSISTENT;
        s.timeout = r.range(1, 86400 * 31) as u32;
    }
    let udp_or_mark = matches!(
        key,
        ServiceKey::Fwmark { .. }
            | ServiceKey::Addr {
                protocol: Protocol::Udp,
                ..
            }
    );
    if udp_or_mark && r.coin() {
        s.flags.0 |= ServiceFlags::ONEPACKET;
    }
    for bit in [
        ServiceFlags::SCHED1,
        ServiceFlags::SCHED2,
        ServiceFlags::SCHED3,
    ] {
        if r.below(3) == 0 {
            s.flags.0 |= bit;
        }
    }
    if r.coin() {
        s.netmask = match key.family() {
            Family::V4 => {
                let prefix = r.range(0, 32) as u32;
                u32::MAX.checked_shl(32 - prefix).unwrap_or(0)
            }
            Family::V6 => r.range(1, 128) as u32,
        };
    }
    if r.below(4) == 0 {
        s.pe_name = Some("sip".into());
    }
    s
}

fn gen_dest(r: &mut Rng, service: &ServiceKey) -> Dest {
    let forward = [Forward::Masq, Forward::Tunnel, Forward::Route][r.below(3) as usize];
    let fam = if forward == Forward::Tunnel {
        r.family()
    } else {
        service.family()
    };
    let port = match (service, forward) {
        (ServiceKey::Addr { port, .. }, Forward::Tunnel | Forward::Route) => *port,
        _ => r.range(0, 65535) as u16,
    };
    let mut d = Dest::new(r.addr(fam), port);
    d.forward = forward;
    d.weight = r.range(0, i32::MAX as u64) as u32;
    if r.coin() {
        d.upper_threshold = r.range(0, i32::MAX as u64) as u32;
        d.lower_threshold = r.range(0, u64::from(d.upper_threshold)) as u32;
    }
    if forward == Forward::Tunnel {
        d.tun_type = [TunnelType::Ipip, TunnelType::Gue, TunnelType::Gre][r.below(3) as usize];
        match d.tun_type {
            TunnelType::Ipip => {}
            TunnelType::Gue => {
                d.tun_port = r.range(1, 65535) as u16;
                d.tun_flags =
                    TunnelFlags([0, TunnelFlags::CSUM, TunnelFlags::REMCSUM][r.below(3) as usize]);
            }
            TunnelType::Gre => {
                d.tun_flags = TunnelFlags([0, TunnelFlags::CSUM][r.below(2) as usize])
            }
        }
    }
    d
}

fn gen_change(r: &mut Rng) -> Change {
    match r.below(9) {
        0 => Change::AddService(gen_service(r)),
        1 => Change::EditService(gen_service(r)),
        2 => Change::DeleteService(gen_key(r, true)),
        3 | 4 => {
            let service = gen_key(r, true);
            let dest = gen_dest(r, &service);
            if r.coin() {
                Change::AddDest { service, dest }
            } else {
                Change::EditDest { service, dest }
            }
        }
        5 => {
            let service = gen_key(r, true);
            let fam = r.family();
            Change::DeleteDest {
                service,
                dest: DestKey {
                    addr: r.addr(fam),
                    port: r.range(0, 65535) as u16,
                },
            }
        }
        6 => Change::Zero(if r.coin() {
            Some(gen_key(r, true))
        } else {
            None
        }),
        7 => Change::Flush,
        _ => Change::SetTimeouts(Timeouts {
            tcp: r.range(0, 86400 * 31) as u32,
            tcp_fin: r.range(0, 86400 * 31) as u32,
            udp: r.range(0, 86400 * 31) as u32,
        }),
    }
}

#[test]
fn format_then_parse_gives_the_same_change() {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let change = gen_change(&mut r);
        let line = command_line(&change);
        let back = parse_line(&line)
            .unwrap_or_else(|e| panic!("{line}: {e}"))
            .expect("a change");
        assert_eq!(back, change, "{line}");
        assert_eq!(rule(&back), rule(&change));
    }
}

#[test]
fn format_examples() {
    let Change::AddDest { service, mut dest } =
        one("-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 5 -x 100 -y 10")
    else {
        panic!()
    };
    dest.weight = 5;
    assert_eq!(
        command_line(&Change::EditDest { service, dest }),
        "ipvsadm -e -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 5 -x 100 -y 10"
    );
    assert_eq!(
        rule(&one("-A -f 42 -6 -s sh -b sh-port,flag-3 -p 60 -M 64 -o")),
        "-A -f 42 -6 -s sh -p 60 -M 64 -o -b sh-port,flag-3"
    );
    assert_eq!(
        rule(&one("--delete-server --sctp-service [::1]:9 -r [::2]:9")),
        "-d --sctp-service [::1]:9 -r [::2]:9"
    );
    // Local has no ipvsadm option: written -g as ipvsadm -S does (it reads back as Route).
    let mut local = Dest::new("10.0.0.9".parse().unwrap(), 80);
    local.forward = Forward::Local;
    assert_eq!(
        rule(&Change::AddDest {
            service: tcp("10.0.0.1", 80),
            dest: local
        }),
        "-a -t 10.0.0.1:80 -r 10.0.0.9:80 -g -w 1"
    );
}

#[test]
fn refusals_are_typed_by_what_is_wrong() {
    use super::options::{Cmd, Opt};
    use super::RuleError;
    for (line, want) in [
        ("-A -t 10.0.0.1:0", RuleError::ZeroPort),
        ("-A -t 10.0.0.1:80 -o", RuleError::OnePacketNotUdp),
        (
            "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-remcsum",
            RuleError::IllegalTunnelOption(Opt::TunRemcsum, TunnelType::Gre),
        ),
        (
            "-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue",
            RuleError::MissingTunnelOption(Opt::TunPort, TunnelType::Gue),
        ),
        (
            "-d -t 10.0.0.1:80",
            RuleError::MissingOption(Opt::Server, Cmd::DelDest),
        ),
        (
            "-a -t 10.0.0.1:80 -r 10.0.0.2 -x 5 -y 9",
            RuleError::LowerAboveUpper { lower: 9, upper: 5 },
        ),
    ] {
        assert_eq!(parse_line(line), Err(want), "{line}");
    }
}
