//! The protocol layer against real bytes: netlink traffic between ipvsadm
//! 1.31 and Debian kernels 6.1 and 6.12, captured with strace in the test VM
//! (tests/golden/README.md says how). For each kernel:
//!
//! - the kernel's replies (services dump, dest dumps, GET_INFO, GET_CONFIG,
//!   daemon dump, errors) decode to what ipvsadm printed from the same bytes
//!   in the same run (`NAME.out`);
//! - lvstop's requests are byte-identical to ipvsadm's, except the netlink
//!   header's seq/pid and these documented differences:
//!   * the service nest of dest commands, DEL_SERVICE and ZERO: ipvsadm
//!     sends a whole service (empty scheduler, flags, timeout, netmask);
//!     lvstop sends only the identity (AF + protocol/address/port or
//!     fwmark), which is all the kernel reads there (`full_entry` = 0). Ours
//!     equals the identity attributes of ipvsadm's nest, in order;
//!   * DEL_DEST: ipvsadm sends a whole real server, lvstop only its family,
//!     address and port (the kernel reads no more for a delete);
//!   * CTRL_CMD_GETFAMILY: netlink-packet-generic sends genl version 2,
//!     libnl version 1; the controller ignores it.

use std::fs;
use std::path::{Path, PathBuf};

use lvstop::model::{
    Change, Dest, Family, Forward, Info, Interface, Protocol, Service, ServiceFlags, ServiceKey,
    SyncDaemon, SyncRole, Timeouts, TunnelFlags, TunnelType,
};
use lvstop::protocol::convert::*;
use lvstop::protocol::{
    encode_request, IpvsAttr, IpvsCmd, IpvsMessage, ServiceAttr, DUMP_FLAGS, REQUEST_FLAGS,
};
use netlink_packet_core::{NetlinkMessage, NetlinkPayload};
use netlink_packet_generic::ctrl::nlas::GenlCtrlAttrs;
use netlink_packet_generic::ctrl::GenlCtrl;
use netlink_packet_generic::GenlMessage;

const KERNELS: [&str; 2] = ["6.1", "6.12"];
const GENL_ID_CTRL: u16 = 0x10;

fn dir(kernel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(kernel)
}

/// One syscall of a capture: a request sent or a datagram received.
struct Datagram {
    req: bool,
    bytes: Vec<u8>,
}

fn capture(kernel: &str, name: &str) -> Vec<Datagram> {
    let d = dir(kernel);
    let index = fs::read_to_string(d.join(format!("{name}.index")))
        .unwrap_or_else(|e| panic!("{kernel}/{name}.index: {e}"));
    index
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let req = f[1] == "req";
            let bytes = fs::read(d.join(format!("{name}.{}.{}.bin", f[0], f[1]))).unwrap();
            Datagram { req, bytes }
        })
        .collect()
}

fn out(kernel: &str, name: &str) -> String {
    fs::read_to_string(dir(kernel).join(format!("{name}.out"))).unwrap()
}

/// Split a datagram into its netlink messages.
fn frames(bytes: &[u8]) -> Vec<&[u8]> {
    let mut v = Vec::new();
    let mut off = 0;
    while off + 16 <= bytes.len() {
        let len = u32::from_ne_bytes(bytes[off..off + 4].try_into().unwrap()) as usize;
        v.push(&bytes[off..off + len]);
        off += (len + 3) & !3;
    }
    v
}

fn msg_type(frame: &[u8]) -> u16 {
    u16::from_ne_bytes([frame[4], frame[5]])
}

type Ipvs = NetlinkMessage<GenlMessage<IpvsMessage>>;

fn ipvs(frame: &[u8]) -> Ipvs {
    Ipvs::deserialize(frame).unwrap_or_else(|e| panic!("{e}: {frame:02x?}"))
}

fn payload(m: Ipvs) -> IpvsMessage {
    match m.payload {
        NetlinkPayload::InnerMessage(g) => g.payload,
        other => panic!("not an IPVS message: {other:?}"),
    }
}

/// The IPVS family id the kernel gave in this capture's GETFAMILY reply,
/// decoded with netlink-packet-generic's controller.
fn family_id(dgrams: &[Datagram]) -> u16 {
    for d in dgrams.iter().filter(|d| !d.req) {
        for f in frames(&d.bytes) {
            if msg_type(f) != GENL_ID_CTRL {
                continue;
            }
            let m = NetlinkMessage::<GenlMessage<GenlCtrl>>::deserialize(f).unwrap();
            if let NetlinkPayload::InnerMessage(g) = m.payload {
                for a in g.payload.nlas {
                    if let GenlCtrlAttrs::FamilyId(id) = a {
                        return id;
                    }
                }
            }
        }
    }
    panic!("no GETFAMILY reply")
}

/// Each IPVS request with the IPVS messages answering it.
fn exchanges(dgrams: &[Datagram]) -> Vec<(Vec<u8>, Vec<Ipvs>)> {
    let fam = family_id(dgrams);
    let mut v: Vec<(Vec<u8>, Vec<Ipvs>)> = Vec::new();
    let mut current = false;
    for d in dgrams {
        if d.req {
            current = msg_type(&d.bytes) == fam;
            if current {
                v.push((d.bytes.clone(), Vec::new()));
            }
        } else if current {
            for f in frames(&d.bytes) {
                v.last_mut().unwrap().1.push(ipvs(f));
            }
        }
    }
    v
}

fn inner(replies: Vec<Ipvs>) -> Vec<IpvsMessage> {
    replies
        .into_iter()
        .filter_map(|m| match m.payload {
            NetlinkPayload::InnerMessage(g) => Some(g.payload),
            _ => None,
        })
        .collect()
}

// ------------------------------------------------------------ ipvsadm's words

fn addr_port(addr: &std::net::IpAddr, port: u16) -> String {
    match addr {
        std::net::IpAddr::V4(a) => format!("{a}:{port}"),
        std::net::IpAddr::V6(a) => format!("[{a}]:{port}"),
    }
}

/// The tokens of ipvsadm's `-Ln` service line (print_service_entry).
fn service_tokens(s: &Service) -> Vec<String> {
    let mut t: Vec<String> = match s.key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => vec![protocol.name().into(), addr_port(&addr, port)],
        ServiceKey::Fwmark { family, mark } => {
            let mut t = vec!["FWM".into(), mark.to_string()];
            if family == Family::V6 {
                t.push("IPv6".into());
            }
            t
        }
    };
    t.push(s.scheduler.clone());
    if s.flags.has(ServiceFlags::PERSISTENT) {
        t.extend(["persistent".into(), s.timeout.to_string()]);
        match s.key.family() {
            Family::V4 if s.netmask != 0xffff_ffff => t.extend([
                "mask".into(),
                std::net::Ipv4Addr::from(s.netmask).to_string(),
            ]),
            Family::V6 if s.netmask != 128 => t.extend(["mask".into(), s.netmask.to_string()]),
            _ => {}
        }
        if let Some(pe) = &s.pe_name {
            t.extend(["pe".into(), pe.clone()]);
        }
    }
    if s.flags.has(ServiceFlags::ONEPACKET) {
        t.push("ops".into());
    }
    let names: [&str; 3] = match s.scheduler.as_str() {
        "sh" => ["sh-fallback", "sh-port", "flag-3"],
        "mh" => ["mh-fallback", "mh-port", "flag-3"],
        _ => ["flag-1", "flag-2", "flag-3"],
    };
    let set: Vec<&str> = [
        ServiceFlags::SCHED1,
        ServiceFlags::SCHED2,
        ServiceFlags::SCHED3,
    ]
    .iter()
    .zip(names)
    .filter(|(bit, _)| s.flags.has(**bit))
    .map(|(_, n)| n)
    .collect();
    if !set.is_empty() {
        t.push(format!("({})", set.join(",")));
    }
    t
}

fn dest_tokens(d: &Dest) -> Vec<String> {
    vec![
        "->".into(),
        addr_port(&d.addr, d.port),
        d.forward.name().into(),
        d.weight.to_string(),
        d.active_conns.to_string(),
        d.inactive_conns.to_string(),
    ]
}

fn tokens(line: &str) -> Vec<String> {
    line.split_whitespace().map(String::from).collect()
}

/// The table as a capture of `ipvsadm -Ln...` read it: services dump, then a
/// dest dump per service (its request names the service).
fn table(kernel: &str, name: &str) -> (Info, Vec<(Service, Vec<Dest>)>) {
    let mut info = None;
    let mut services = Vec::new();
    let mut dests = Vec::new();
    for (req, replies) in exchanges(&capture(kernel, name)) {
        let req = payload(ipvs(&req));
        match req.cmd {
            IpvsCmd::GetInfo => info = Some(info_from_message(&inner(replies)[0]).unwrap()),
            IpvsCmd::GetService => {
                for m in inner(replies) {
                    assert_eq!(m.cmd, IpvsCmd::NewService);
                    services.push(service_from_message(&m).unwrap());
                }
            }
            IpvsCmd::GetDest => {
                let key = service_from_message(&req).unwrap().key;
                let ds: Vec<Dest> = inner(replies)
                    .iter()
                    .map(|m| dest_from_message(m, key.family()).unwrap())
                    .collect();
                dests.push((key, ds));
            }
            other => panic!("unexpected {other:?} in {name}"),
        }
    }
    let table = services
        .into_iter()
        .map(|s| {
            let ds = dests
                .iter()
                .find(|(k, _)| *k == s.key)
                .map(|(_, d)| d.clone())
                .unwrap_or_else(|| panic!("no dest dump for {}", s.key));
            (s, ds)
        })
        .collect();
    (info.expect("GET_INFO"), table)
}

/// `ipvsadm -Ln` output as (service tokens, dest token lines), header dropped.
fn listing(text: &str) -> Vec<(Vec<String>, Vec<Vec<String>>)> {
    let mut v: Vec<(Vec<String>, Vec<Vec<String>>)> = Vec::new();
    for line in text.lines().skip(3) {
        let t = tokens(line);
        if t[0] == "->" {
            v.last_mut().unwrap().1.push(t);
        } else {
            v.push((t, Vec::new()));
        }
    }
    v
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

#[test]
fn services_and_dest_dumps_decode_to_what_ipvsadm_printed() {
    for k in KERNELS {
        let (info, table) = table(k, "list");
        let text = out(k, "list");
        assert_eq!(
            text.lines().next().unwrap(),
            format!(
                "IP Virtual Server version {} (size={})",
                info.version_string(),
                info.conn_tab_size
            )
        );
        let ours: Vec<_> = table
            .iter()
            .map(|(s, ds)| {
                (
                    service_tokens(s),
                    sorted(ds.iter().map(dest_tokens).collect()),
                )
            })
            .collect();
        let theirs: Vec<_> = listing(&text)
            .into_iter()
            .map(|(s, ds)| (s, sorted(ds)))
            .collect();
        assert_eq!(sorted(ours), sorted(theirs), "kernel {k}");
        assert_eq!(table.len(), 15, "kernel {k}");
    }
}

#[test]
fn dumps_decode_exactly_spot_checks() {
    for k in KERNELS {
        let (_, table) = table(k, "list");
        let find = |key: ServiceKey| table.iter().find(|(s, _)| s.key == key).unwrap();
        let (s, _) = find(ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.2".parse().unwrap(),
            port: 443,
        });
        assert_eq!(s.scheduler, "wlc");
        assert_eq!(s.timeout, 600);
        assert_eq!(s.netmask, 0xffff_ff00);
        assert_eq!(s.flags.0, ServiceFlags::PERSISTENT | ServiceFlags::HASHED);
        let (s, _) = find(ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr: "192.0.2.8".parse().unwrap(),
            port: 5060,
        });
        assert_eq!(s.pe_name.as_deref(), Some("sip"));
        let (s, _) = find(ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "2001:db8::1".parse().unwrap(),
            port: 80,
        });
        assert_eq!(s.netmask, 64);
        // Tunnel settings of the mh service's real servers (table.rules).
        let (_, ds) = find(ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.7".parse().unwrap(),
            port: 80,
        });
        let by = |a: &str| {
            ds.iter()
                .find(|d| d.addr == a.parse::<std::net::IpAddr>().unwrap())
                .unwrap()
        };
        let gre = by("198.51.100.81");
        assert_eq!(
            (gre.tun_type, gre.tun_flags),
            (TunnelType::Gre, TunnelFlags(TunnelFlags::CSUM))
        );
        let gue = by("198.51.100.82");
        assert_eq!(gue.tun_type, TunnelType::Gue);
        assert_eq!(gue.tun_port, 6081);
        assert_eq!(gue.tun_flags, TunnelFlags(TunnelFlags::REMCSUM));
        assert_eq!(by("198.51.100.83").tun_flags, TunnelFlags(0));
        let mixed = by("2001:db8:1::81");
        assert_eq!(mixed.forward, Forward::Tunnel);
        // Thresholds (-x 100 -y 10) on 192.0.2.1:80's second real server.
        let (_, ds) = find(ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.1".parse().unwrap(),
            port: 80,
        });
        let d = ds.iter().find(|d| d.port == 8080).unwrap();
        assert_eq!((d.upper_threshold, d.lower_threshold), (100, 10));
    }
}

/// Counters and rates: last five numbers of each `--stats`/`--rate` line.
fn check_numbers(kernel: &str, name: &str, pick: fn(&lvstop::model::Stats) -> [u64; 5]) {
    let (_, table) = table(kernel, name);
    let ours: Vec<Vec<String>> = table
        .iter()
        .flat_map(|(s, ds)| {
            let mut v = vec![pick(&s.stats)
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()];
            v.extend(
                ds.iter()
                    .map(|d| pick(&d.stats).iter().map(u64::to_string).collect()),
            );
            v
        })
        .collect();
    let text = out(kernel, name);
    let theirs: Vec<Vec<String>> = text
        .lines()
        .skip(3)
        .map(|l| {
            let t = tokens(l);
            t[t.len() - 5..].to_vec()
        })
        .collect();
    assert_eq!(sorted(ours), sorted(theirs), "{kernel}/{name}");
}

#[test]
fn counters_and_rates_decode_to_what_ipvsadm_printed() {
    for k in KERNELS {
        let counters =
            |s: &lvstop::model::Stats| [s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes];
        let rates = |s: &lvstop::model::Stats| [s.cps, s.inpps, s.outpps, s.inbps, s.outbps];
        check_numbers(k, "list_stats_exact", counters);
        check_numbers(k, "list_after_zero_service", counters);
        check_numbers(k, "list_rate_exact", rates);
        // Not all zero: the capture made traffic, so this compares something.
        let (_, counted) = table(k, "list_stats_exact");
        assert!(counted.iter().any(|(s, _)| s.stats.inbytes > 0));
        let (_, rated) = table(k, "list_rate_exact");
        assert!(rated.iter().any(|(s, _)| s.stats.inbps > 0), "kernel {k}");
    }
}

#[test]
fn stats64_and_stats_agree_in_real_replies() {
    // The kernel sends both groups; below 2^32 they carry the same numbers.
    for k in KERNELS {
        for (_, replies) in exchanges(&capture(k, "list_stats_exact")) {
            for m in inner(replies) {
                let nest: Option<(Vec<_>, Vec<_>)> = m.nlas.iter().find_map(|a| match a {
                    IpvsAttr::Service(attrs) => {
                        let s32 = attrs.iter().find_map(|a| match a {
                            ServiceAttr::Stats(s) => Some(s.clone()),
                            _ => None,
                        });
                        let s64 = attrs.iter().find_map(|a| match a {
                            ServiceAttr::Stats64(s) => Some(s.clone()),
                            _ => None,
                        });
                        Some((s32.unwrap(), s64.unwrap()))
                    }
                    _ => None,
                });
                if let Some((s32, s64)) = nest {
                    assert_eq!(stats_from_attrs(&s32), stats_from_attrs(&s64));
                }
            }
        }
    }
}

#[test]
fn config_daemon_and_error_replies() {
    for k in KERNELS {
        let ex = exchanges(&capture(k, "list_timeout"));
        let (_, replies) = ex.last().unwrap();
        let t = timeouts_from_message(&inner(replies.clone())[0]);
        assert_eq!(
            t,
            Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 300
            }
        );
        assert_eq!(
            out(k, "list_timeout").trim_end(),
            format!(
                "Timeout (tcp tcpfin udp): {} {} {}",
                t.tcp, t.tcp_fin, t.udp
            )
        );

        let ex = exchanges(&capture(k, "list_daemon"));
        let daemons: Vec<SyncDaemon> = inner(ex.last().unwrap().1.clone())
            .iter()
            .map(|m| daemon_from_message(m).unwrap())
            .collect();
        assert_eq!(daemons.len(), 1);
        let d = &daemons[0];
        assert_eq!(d.role, SyncRole::Master);
        let group = d.group.unwrap();
        assert_eq!(
            out(k, "list_daemon").trim_end(),
            format!(
                "master sync daemon (mcast={}, syncid={}, maxlen={}, group={group}, port={}, ttl={})",
                d.interface,
                d.sync_id,
                d.max_len.unwrap(),
                d.port.unwrap(),
                d.ttl.unwrap()
            )
        );
        let ex = exchanges(&capture(k, "list_daemon_none"));
        assert!(inner(ex.last().unwrap().1.clone()).is_empty());

        for (name, errno) in [
            ("error_add_existing", libc::EEXIST),
            ("error_delete_missing", libc::ESRCH),
            ("error_edit_missing_dest", libc::ENOENT),
            ("error_start_daemon_mixed_family", libc::EINVAL),
        ] {
            let ex = exchanges(&capture(k, name));
            let (_, replies) = ex.last().unwrap();
            match &replies[0].payload {
                NetlinkPayload::Error(e) => assert_eq!(e.raw_code(), -errno, "{k}/{name}"),
                other => panic!("{k}/{name}: {other:?}"),
            }
        }
    }
}

// ------------------------------------------------------------ requests

/// The last IPVS request of a capture (the command's own, after GET_INFO).
fn last_request(kernel: &str, name: &str) -> Vec<u8> {
    exchanges(&capture(kernel, name)).pop().unwrap().0
}

/// Ours, framed with ipvsadm's family id, flags and sequence number; port id
/// taken from theirs (the kernel fills it in).
fn ours_like(theirs: &[u8], msg: IpvsMessage, flags: u16) -> Vec<u8> {
    let fam = msg_type(theirs);
    let seq = u32::from_ne_bytes(theirs[8..12].try_into().unwrap());
    let mut v = encode_request(fam, msg, flags, seq);
    v[12..16].copy_from_slice(&theirs[12..16]);
    v
}

fn svc(addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: addr.parse().unwrap(),
        port,
    }
}

#[test]
fn service_requests_are_byte_identical_to_ipvsadm() {
    for k in KERNELS {
        // ipvsadm -A -t 192.0.2.50:80 -s wrr -p 60
        let mut s = Service::new(svc("192.0.2.50", 80), "wrr");
        s.flags = ServiceFlags(ServiceFlags::PERSISTENT);
        s.timeout = 60;
        let theirs = last_request(k, "add_service");
        assert_eq!(
            ours_like(
                &theirs,
                change_request(&Change::AddService(s)),
                REQUEST_FLAGS
            ),
            theirs
        );

        // ipvsadm -E -t 192.0.2.50:80 -s rr (ipvsadm's edit replaces everything)
        let s = Service::new(svc("192.0.2.50", 80), "rr");
        let theirs = last_request(k, "edit_service");
        assert_eq!(
            ours_like(
                &theirs,
                change_request(&Change::EditService(s)),
                REQUEST_FLAGS
            ),
            theirs
        );

        // ipvsadm -A -f 77 -6 -s rr
        let s = Service::new(
            ServiceKey::Fwmark {
                family: Family::V6,
                mark: 77,
            },
            "rr",
        );
        let theirs = last_request(k, "add_service6_fwmark");
        assert_eq!(
            ours_like(
                &theirs,
                change_request(&Change::AddService(s)),
                REQUEST_FLAGS
            ),
            theirs
        );

        for (name, change) in [
            // ipvsadm --start-daemon master --mcast-interface lo
            (
                "start_daemon",
                Change::StartDaemon(SyncDaemon::new(
                    SyncRole::Master,
                    Interface::new("lo").unwrap(),
                )),
            ),
            // ipvsadm --stop-daemon master
            ("stop_daemon", Change::StopDaemon(SyncRole::Master)),
            (
                "error_start_daemon_mixed_family",
                Change::StartDaemon(SyncDaemon::new(
                    SyncRole::Master,
                    Interface::new("lo").unwrap(),
                )),
            ),
            ("zero", Change::Zero(None)),
            ("clear", Change::Flush),
            (
                "set_timeouts",
                Change::SetTimeouts(Timeouts {
                    tcp: 900,
                    tcp_fin: 120,
                    udp: 300,
                }),
            ),
        ] {
            let theirs = last_request(k, name);
            assert_eq!(
                ours_like(&theirs, change_request(&change), REQUEST_FLAGS),
                theirs,
                "{name}"
            );
        }
    }
}

#[test]
fn read_requests_are_byte_identical_to_ipvsadm() {
    for k in KERNELS {
        let ex = exchanges(&capture(k, "list"));
        let find = |cmd: u8| ex.iter().find(|(r, _)| r[16] == cmd).unwrap().0.clone();
        let theirs = find(15);
        assert_eq!(
            ours_like(&theirs, get_info_request(), REQUEST_FLAGS),
            theirs
        );
        let theirs = find(4);
        assert_eq!(
            ours_like(&theirs, get_services_request(), DUMP_FLAGS),
            theirs
        );
        let theirs = last_request(k, "list_one_service");
        assert_eq!(
            ours_like(
                &theirs,
                get_dests_request(&svc("192.0.2.7", 80)),
                DUMP_FLAGS
            ),
            theirs
        );
        let theirs = last_request(k, "list_timeout");
        assert_eq!(
            ours_like(&theirs, get_config_request(), REQUEST_FLAGS),
            theirs
        );
        let theirs = last_request(k, "list_daemon");
        assert_eq!(
            ours_like(&theirs, get_daemons_request(), DUMP_FLAGS),
            theirs
        );
    }
}

/// `ipvsadm -Ln -t 192.0.2.7:80` asks for its one service with GET_SERVICE
/// (not a dump), as the monitor re-reads the rows on screen of a big table:
/// our request has the same header and command and ipvsadm's identity
/// attributes (ipvsadm also sends its empty scheduler, flags, timeout and
/// netmask, which the kernel ignores here), and the kernel's answer decodes
/// to the
/// service the `list` capture's dump gave (same kernel, same table; the
/// counters and rates may have moved between the two captures).
#[test]
fn one_service_request_matches_ipvsadm() {
    for k in KERNELS {
        let ex = exchanges(&capture(k, "list_one_service"));
        let (theirs, replies) = ex
            .iter()
            .find(|(r, _)| r[16] == 4 && u16::from_ne_bytes([r[6], r[7]]) & 0x300 == 0)
            .expect("a GET_SERVICE that is not a dump");
        let key = svc("192.0.2.7", 80);
        compare_with_identity(theirs, get_service_request(&key), false);
        let answers = inner(replies.clone());
        assert_eq!(answers.len(), 1, "{k}");
        let one = service_from_message(&answers[0]).unwrap();
        let listed = exchanges(&capture(k, "list"))
            .into_iter()
            .find(|(r, _)| r[16] == 4)
            .map(|(_, replies)| inner(replies))
            .unwrap()
            .iter()
            .map(|m| service_from_message(m).unwrap())
            .find(|s| s.key == key)
            .expect("192.0.2.7:80 in the dump");
        let identity = |s: &Service| {
            (
                s.key,
                s.scheduler.clone(),
                s.flags,
                s.timeout,
                s.netmask,
                s.pe_name.clone(),
            )
        };
        assert_eq!(identity(&one), identity(&listed), "{k}");
        assert!(one.stats.conns >= listed.stats.conns, "{k}");
    }
}

/// Our request next to ipvsadm's: same command and header; the dest nest
/// byte-identical (unless `dest_identity_only`); the service nest equal to
/// the identity attributes of theirs.
fn compare_with_identity(theirs: &[u8], ours: IpvsMessage, dest_identity_only: bool) {
    let ours_bytes = ours_like(theirs, ours.clone(), REQUEST_FLAGS);
    assert_eq!(ours_bytes[4..8], theirs[4..8]); // type, flags
    assert_eq!(ours_bytes[16..20], theirs[16..20]); // genl cmd, version
    let theirs = payload(ipvs(theirs));
    assert_eq!(theirs.cmd, ours.cmd);
    for (a, b) in ours.nlas.iter().zip(theirs.nlas.iter()) {
        match (a, b) {
            (IpvsAttr::Service(o), IpvsAttr::Service(t)) => {
                let identity: Vec<ServiceAttr> = t
                    .iter()
                    .filter(|a| {
                        matches!(
                            a,
                            ServiceAttr::Af(_)
                                | ServiceAttr::Protocol(_)
                                | ServiceAttr::Addr(_)
                                | ServiceAttr::Port(_)
                                | ServiceAttr::Fwmark(_)
                        )
                    })
                    .cloned()
                    .collect();
                assert_eq!(o, &identity);
            }
            (IpvsAttr::Dest(o), IpvsAttr::Dest(t)) if dest_identity_only => {
                assert_eq!(o[..], t[..3]);
            }
            (o, t) => assert_eq!(o, t),
        }
    }
    assert_eq!(ours.nlas.len(), theirs.nlas.len());
}

#[test]
fn dest_and_identity_requests_match_ipvsadm() {
    for k in KERNELS {
        let service = svc("192.0.2.50", 80);
        // ipvsadm -a -t 192.0.2.50:80 -r 198.51.100.150:8080 -m -w 7 -x 50 -y 5
        let mut d = Dest::new("198.51.100.150".parse().unwrap(), 8080);
        d.weight = 7;
        d.upper_threshold = 50;
        d.lower_threshold = 5;
        compare_with_identity(
            &last_request(k, "add_dest"),
            change_request(&Change::AddDest {
                service,
                dest: d.clone(),
            }),
            false,
        );
        // ipvsadm -e ... -m -w 9 (thresholds back to 0: ipvsadm sends the whole server)
        let mut d = Dest::new("198.51.100.150".parse().unwrap(), 8080);
        d.weight = 9;
        compare_with_identity(
            &last_request(k, "edit_dest"),
            change_request(&Change::EditDest {
                service,
                dest: d.clone(),
            }),
            false,
        );
        compare_with_identity(
            &last_request(k, "delete_dest"),
            change_request(&Change::DeleteDest {
                service,
                dest: d.key(),
            }),
            true,
        );
        compare_with_identity(
            &last_request(k, "delete_service"),
            change_request(&Change::DeleteService(service)),
            false,
        );
        compare_with_identity(
            &last_request(k, "zero_service"),
            change_request(&Change::Zero(Some(svc("192.0.2.1", 80)))),
            false,
        );
        // ipvsadm -a -f 77 -6 -r 2001:db8:1::77 -i -w 2 --tun-type gue --tun-port 6080 --tun-remcsum
        let fwm = ServiceKey::Fwmark {
            family: Family::V6,
            mark: 77,
        };
        let mut d = Dest::new("2001:db8:1::77".parse().unwrap(), 0);
        d.forward = Forward::Tunnel;
        d.weight = 2;
        d.tun_type = TunnelType::Gue;
        d.tun_port = 6080;
        d.tun_flags = TunnelFlags(TunnelFlags::REMCSUM);
        compare_with_identity(
            &last_request(k, "add_dest6_tunnel"),
            change_request(&Change::AddDest {
                service: fwm,
                dest: d,
            }),
            false,
        );
        compare_with_identity(
            &last_request(k, "delete_service6_fwmark"),
            change_request(&Change::DeleteService(fwm)),
            false,
        );
    }
}

#[test]
fn single_service_get_reply_decodes() {
    // `ipvsadm -Ln -t 192.0.2.7:80`: GET_SERVICE without NLM_F_DUMP, answered
    // by one NEW_SERVICE (then an ACK).
    for k in KERNELS {
        let ex = exchanges(&capture(k, "list_one_service"));
        let (req, replies) = ex.iter().find(|(r, _)| r[16] == 4).unwrap();
        assert_eq!(u16::from_ne_bytes([req[6], req[7]]), REQUEST_FLAGS);
        let theirs_key = service_from_message(&payload(ipvs(req))).unwrap().key;
        assert_eq!(theirs_key, svc("192.0.2.7", 80));
        let replies = inner(replies.clone());
        assert_eq!(replies.len(), 1);
        let s = service_from_message(&replies[0]).unwrap();
        assert_eq!(s.key, theirs_key);
        assert_eq!(s.scheduler, "mh");
        assert_eq!(
            s.flags.0,
            ServiceFlags::HASHED | ServiceFlags::SCHED1 | ServiceFlags::SCHED2
        );
        assert!(s.stats.conns > 0, "kernel {k}: {:?}", s.stats);
    }
}
