//! Hand-derived golden bytes (from linux/ip_vs.h and the kernel's fill
//! functions in ip_vs_ctl.c) in both directions, and robustness of parsing.

use netlink_packet_core::{Emitable, ParseableParametrized};
use netlink_packet_generic::GenlHeader;

use super::convert::*;
use super::*;
use crate::model::{
    Change, Dest, DestKey, Family, Forward, Info, Interface, Protocol, Service, ServiceFlags,
    ServiceKey, Stats, SyncDaemon, SyncRole, Timeouts, TunnelFlags, TunnelType,
};

/// One attribute, built independently of the encoder: header, value, padding.
fn nla(kind: u16, value: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&((value.len() + 4) as u16).to_ne_bytes());
    v.extend_from_slice(&kind.to_ne_bytes());
    v.extend_from_slice(value);
    while v.len() % 4 != 0 {
        v.push(0);
    }
    v
}

fn u16v(v: u16) -> Vec<u8> {
    v.to_ne_bytes().to_vec()
}
fn u32v(v: u32) -> Vec<u8> {
    v.to_ne_bytes().to_vec()
}
fn u64v(v: u64) -> Vec<u8> {
    v.to_ne_bytes().to_vec()
}
fn addr16(a: &[u8]) -> Vec<u8> {
    let mut v = a.to_vec();
    v.resize(16, 0);
    v
}

fn emit(msg: &IpvsMessage) -> Vec<u8> {
    let mut buf = vec![0u8; msg.buffer_len()];
    msg.emit(&mut buf);
    buf
}

fn parse(cmd: IpvsCmd, bytes: &[u8]) -> Result<IpvsMessage, netlink_packet_core::DecodeError> {
    IpvsMessage::parse_with_param(
        bytes,
        GenlHeader {
            cmd: cmd.into(),
            version: 1,
        },
    )
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn web_key() -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: "10.1.1.1".parse().unwrap(),
        port: 80,
    }
}

/// The kernel's 32-bit STATS group: u32 except the u64 byte counters.
fn stats32(base: u32) -> Vec<u8> {
    let mut v = Vec::new();
    for (k, val) in [(1u16, base), (2, base + 1), (3, base + 2)] {
        v.extend(nla(k, &u32v(val)));
    }
    v.extend(nla(4, &u64v(base as u64 + 3)));
    v.extend(nla(5, &u64v(base as u64 + 4)));
    for (k, val) in [
        (6u16, base + 5),
        (7, base + 6),
        (8, base + 7),
        (9, base + 8),
        (10, base + 9),
    ] {
        v.extend(nla(k, &u32v(val)));
    }
    v
}

fn stats64(base: u64) -> Vec<u8> {
    (1u16..=10)
        .flat_map(|k| nla(k, &u64v(base + k as u64 - 1)))
        .collect()
}

// ------------------------------------------------------------ encoding

#[test]
fn add_service_encodes_to_the_exact_bytes() {
    let msg = change_request(&Change::AddService(Service::new(web_key(), "wlc")));
    assert_eq!(msg.cmd, IpvsCmd::NewService);
    let expected = hex("54 00 01 80
         06 00 01 00 02 00 00 00
         06 00 02 00 06 00 00 00
         14 00 03 00 0a 01 01 01 00 00 00 00 00 00 00 00 00 00 00 00
         06 00 04 00 00 50 00 00
         08 00 06 00 77 6c 63 00
         0c 00 07 00 00 00 00 00 ff ff ff ff
         08 00 08 00 00 00 00 00
         08 00 09 00 ff ff ff ff");
    assert_eq!(emit(&msg), expected);
}

#[test]
fn edit_service_carries_scheduler_flags_timeout_and_be32_netmask() {
    let mut s = Service::new(web_key(), "rr");
    s.flags = ServiceFlags(ServiceFlags::PERSISTENT);
    s.timeout = 300;
    s.netmask = 0xffff_ff00; // 255.255.255.0
    s.pe_name = Some("sip".into());
    let msg = change_request(&Change::EditService(s));
    assert_eq!(msg.cmd, IpvsCmd::SetService);
    let bytes = emit(&msg);
    let tail = hex("07 00 06 00 72 72 00 00
         08 00 0b 00 73 69 70 00
         0c 00 07 00 01 00 00 00 ff ff ff ff
         08 00 08 00 2c 01 00 00
         08 00 09 00 ff ff ff 00");
    assert!(bytes.ends_with(&tail), "{bytes:02x?}");
}

#[test]
fn the_kernels_hashed_flag_is_never_sent() {
    // A service as read back from the kernel carries HASHED (0x2).
    let mut s = Service::new(web_key(), "rr");
    s.flags = ServiceFlags(ServiceFlags::PERSISTENT | ServiceFlags::HASHED);
    let full = service_full(&s);
    assert!(full.contains(&ServiceAttr::Flags(SvcFlags {
        flags: ServiceFlags::PERSISTENT,
        mask: !0
    })));
}

#[test]
fn ipv6_fwmark_service_identity() {
    let key = ServiceKey::Fwmark {
        family: Family::V6,
        mark: 0x42,
    };
    let msg = change_request(&Change::DeleteService(key));
    assert_eq!(msg.cmd, IpvsCmd::DelService);
    assert_eq!(
        emit(&msg),
        hex("14 00 01 80
             06 00 01 00 0a 00 00 00
             08 00 05 00 42 00 00 00")
    );
}

#[test]
fn add_dest_carries_the_full_real_server() {
    let mut d = Dest::new("10.2.0.3".parse().unwrap(), 8080);
    d.forward = Forward::Tunnel;
    d.weight = 5;
    d.upper_threshold = 100;
    d.lower_threshold = 10;
    d.tun_type = TunnelType::Gue;
    d.tun_port = 6080;
    d.tun_flags = TunnelFlags(TunnelFlags::CSUM);
    let msg = change_request(&Change::EditDest {
        service: web_key(),
        dest: d,
    });
    assert_eq!(msg.cmd, IpvsCmd::SetDest);
    let bytes = emit(&msg);
    // Identity-only service nest: header + AF + PROTOCOL + ADDR(16) + PORT = 0x30.
    let service_nest_len = 4 + 8 + 8 + 20 + 8;
    assert_eq!(bytes[..4], hex("30 00 01 80")[..]);
    let dest = &bytes[service_nest_len..];
    let expected = hex("60 00 02 80
         06 00 0b 00 02 00 00 00
         14 00 01 00 0a 02 00 03 00 00 00 00 00 00 00 00 00 00 00 00
         06 00 02 00 1f 90 00 00
         08 00 03 00 02 00 00 00
         08 00 04 00 05 00 00 00
         05 00 0d 00 01 00 00 00
         06 00 0e 00 17 c0 00 00
         06 00 0f 00 01 00 00 00
         08 00 05 00 64 00 00 00
         08 00 06 00 0a 00 00 00");
    assert_eq!(dest, &expected[..]);
}

#[test]
fn delete_dest_names_service_and_dest_identity_only() {
    let msg = change_request(&Change::DeleteDest {
        service: web_key(),
        dest: DestKey {
            addr: "2001:db8::2".parse().unwrap(),
            port: 80,
        },
    });
    let attrs: Vec<u16> = msg
        .nlas
        .iter()
        .map(netlink_packet_core::Nla::kind)
        .collect();
    assert_eq!(attrs, vec![0x8001, 0x8002]);
    match &msg.nlas[1] {
        IpvsAttr::Dest(d) => assert_eq!(d.len(), 3, "addr, port, family: {d:?}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn zero_flush_and_timeouts() {
    assert_eq!(emit(&change_request(&Change::Zero(None))), Vec::<u8>::new());
    assert_eq!(change_request(&Change::Zero(None)).cmd, IpvsCmd::Zero);
    let z = change_request(&Change::Zero(Some(web_key())));
    assert!(matches!(z.nlas.as_slice(), [IpvsAttr::Service(s)] if s.len() == 4));
    assert_eq!(change_request(&Change::Flush).cmd, IpvsCmd::Flush);
    let t = change_request(&Change::SetTimeouts(Timeouts {
        tcp: 900,
        tcp_fin: 120,
        udp: 300,
    }));
    assert_eq!(t.cmd, IpvsCmd::SetConfig);
    assert_eq!(
        emit(&t),
        hex("08 00 04 00 84 03 00 00 08 00 05 00 78 00 00 00 08 00 06 00 2c 01 00 00")
    );
}

#[test]
fn dest_dump_request_names_its_service() {
    let msg = get_dests_request(&web_key());
    assert_eq!(msg.cmd, IpvsCmd::GetDest);
    assert_eq!(&emit(&msg)[..4], &hex("30 00 01 80")[..]);
}

// ------------------------------------------------------------ decoding

/// A NEW_SERVICE dump entry as ip_vs_genl_fill_service builds it: nests
/// without NLA_F_NESTED, STATS then STATS64.
fn service_reply(with64: bool, extra: &[u8]) -> Vec<u8> {
    let mut inner = Vec::new();
    inner.extend(nla(1, &u16v(2)));
    inner.extend(nla(2, &u16v(6)));
    inner.extend(nla(3, &addr16(&[10, 1, 1, 1])));
    inner.extend(nla(4, &80u16.to_be_bytes()));
    inner.extend(nla(6, b"wlc\0"));
    let mut flags = u32v(0x3);
    flags.extend(u32v(!0));
    inner.extend(nla(7, &flags));
    inner.extend(nla(8, &u32v(300)));
    inner.extend(nla(9, &[255, 255, 255, 0]));
    inner.extend(nla(10, &stats32(100)));
    if with64 {
        inner.extend(nla(12, &stats64(5_000_000_000)));
    }
    inner.extend_from_slice(extra);
    nla(1, &inner)
}

#[test]
fn service_dump_entry_decodes_preferring_stats64() {
    let msg = parse(IpvsCmd::NewService, &service_reply(true, &[])).unwrap();
    let s = service_from_message(&msg).unwrap();
    let mut want = Service::new(web_key(), "wlc");
    want.flags = ServiceFlags(3);
    want.timeout = 300;
    want.netmask = 0xffff_ff00;
    want.stats = Stats {
        conns: 5_000_000_000,
        inpkts: 5_000_000_001,
        outpkts: 5_000_000_002,
        inbytes: 5_000_000_003,
        outbytes: 5_000_000_004,
        cps: 5_000_000_005,
        inpps: 5_000_000_006,
        outpps: 5_000_000_007,
        inbps: 5_000_000_008,
        outbps: 5_000_000_009,
    };
    assert_eq!(s, want);
}

#[test]
fn stats_fall_back_to_the_32_bit_group() {
    let msg = parse(IpvsCmd::NewService, &service_reply(false, &[])).unwrap();
    let s = service_from_message(&msg).unwrap();
    assert_eq!(
        s.stats,
        Stats {
            conns: 100,
            inpkts: 101,
            outpkts: 102,
            inbytes: 103,
            outbytes: 104,
            cps: 105,
            inpps: 106,
            outpps: 107,
            inbps: 108,
            outbps: 109,
        }
    );
}

#[test]
fn decoded_bytes_emit_back_identically() {
    let bytes = service_reply(true, &nla(99, b"future"));
    let msg = parse(IpvsCmd::NewService, &bytes).unwrap();
    // Only difference: lvstop sets NLA_F_NESTED on nests it emits.
    let mut expected = bytes.clone();
    for off in nest_offsets(&bytes) {
        expected[off + 3] |= 0x80;
    }
    assert_eq!(emit(&msg), expected);
}

/// Offsets of the nests in `service_reply`: the service nest and its two stats nests.
fn nest_offsets(bytes: &[u8]) -> Vec<usize> {
    let mut offs = vec![0];
    let mut off = 4;
    while off < bytes.len() {
        let len = u16::from_ne_bytes([bytes[off], bytes[off + 1]]) as usize;
        let kind = u16::from_ne_bytes([bytes[off + 2], bytes[off + 3]]);
        if kind == 10 || kind == 12 {
            offs.push(off);
        }
        off += (len + 3) & !3;
    }
    offs
}

#[test]
fn dest_dump_entry_decodes() {
    let mut inner = Vec::new();
    inner.extend(nla(1, &addr16(&[10, 2, 0, 3])));
    inner.extend(nla(2, &8080u16.to_be_bytes()));
    inner.extend(nla(3, &u32v(2)));
    inner.extend(nla(4, &u32v(5)));
    inner.extend(nla(13, &[1]));
    inner.extend(nla(14, &6080u16.to_be_bytes()));
    inner.extend(nla(15, &u16v(1)));
    inner.extend(nla(5, &u32v(100)));
    inner.extend(nla(6, &u32v(10)));
    inner.extend(nla(7, &u32v(7)));
    inner.extend(nla(8, &u32v(8)));
    inner.extend(nla(9, &u32v(9)));
    inner.extend(nla(11, &u16v(2)));
    inner.extend(nla(10, &stats32(1)));
    inner.extend(nla(12, &stats64(1 << 40)));
    let msg = parse(IpvsCmd::NewDest, &nla(2, &inner)).unwrap();
    let d = dest_from_message(&msg, Family::V4).unwrap();
    assert_eq!(d.addr, "10.2.0.3".parse::<std::net::IpAddr>().unwrap());
    assert_eq!(d.port, 8080);
    assert_eq!(d.forward, Forward::Tunnel);
    assert_eq!(d.weight, 5);
    assert_eq!((d.upper_threshold, d.lower_threshold), (100, 10));
    assert_eq!(d.tun_type, TunnelType::Gue);
    assert_eq!(d.tun_port, 6080);
    assert_eq!(d.tun_flags, TunnelFlags(TunnelFlags::CSUM));
    assert_eq!(
        (d.active_conns, d.inactive_conns, d.persistent_conns),
        (7, 8, 9)
    );
    assert_eq!(d.stats.conns, 1 << 40);
    assert_eq!(d.stats.outbps, (1 << 40) + 9);
}

#[test]
fn mixed_family_dest_uses_its_own_family() {
    let v6: std::net::Ipv6Addr = "2001:db8::20".parse().unwrap();
    let mut inner = nla(1, &v6.octets());
    inner.extend(nla(2, &0u16.to_be_bytes()));
    inner.extend(nla(3, &u32v(2)));
    inner.extend(nla(11, &u16v(10)));
    let msg = parse(IpvsCmd::NewDest, &nla(2, &inner)).unwrap();
    let d = dest_from_message(&msg, Family::V4).unwrap();
    assert_eq!(d.addr, std::net::IpAddr::V6(v6));
    // Without ADDR_FAMILY (kernels < 4.3) the service's family applies.
    let inner = [nla(1, &addr16(&[10, 0, 0, 9])), nla(2, &[0, 80])].concat();
    let msg = parse(IpvsCmd::NewDest, &nla(2, &inner)).unwrap();
    let d = dest_from_message(&msg, Family::V4).unwrap();
    assert_eq!(d.addr, "10.0.0.9".parse::<std::net::IpAddr>().unwrap());
}

#[test]
fn info_reply_attributes_are_top_level_and_collide_with_command_attrs() {
    // SET_INFO: type 1 is IPVS_INFO_ATTR_VERSION, not a service nest.
    let bytes = [nla(1, &u32v(0x010201)), nla(2, &u32v(4096))].concat();
    let msg = parse(IpvsCmd::SetInfo, &bytes).unwrap();
    assert_eq!(
        info_from_message(&msg).unwrap(),
        Info {
            version: 0x010201,
            conn_tab_size: 4096
        }
    );
    // The same bytes under another command are a (malformed) service nest.
    assert!(parse(IpvsCmd::NewService, &bytes).is_err());
}

#[test]
fn config_reply_carries_timeouts() {
    let bytes = [nla(4, &u32v(900)), nla(5, &u32v(120)), nla(6, &u32v(300))].concat();
    let msg = parse(IpvsCmd::SetConfig, &bytes).unwrap();
    assert_eq!(
        timeouts_from_message(&msg),
        Timeouts {
            tcp: 900,
            tcp_fin: 120,
            udp: 300
        }
    );
}

#[test]
fn daemon_reply_decodes() {
    let inner = [
        nla(1, &u32v(1)),
        nla(2, b"eth0\0"),
        nla(3, &u32v(9)),
        nla(4, &u16v(1472)),
        nla(7, &u16v(8848)),
        nla(8, &[1]),
        nla(5, &[224, 0, 0, 81]),
    ]
    .concat();
    let msg = parse(IpvsCmd::NewDaemon, &nla(3, &inner)).unwrap();
    let d = daemon_from_message(&msg).unwrap();
    assert_eq!(d.role, SyncRole::Master);
    assert_eq!(d.interface.as_str(), "eth0");
    assert_eq!(d.sync_id, 9);
    assert_eq!(d.max_len, Some(1472));
    assert_eq!(d.port, Some(8848));
    assert_eq!(d.ttl, Some(1));
    assert_eq!(d.group, Some("224.0.0.81".parse().unwrap()));
}

/// The daemon nest both ways: what a start sends parses back to the same
/// daemon, and the bytes are the kernel's layout (native-endian u32/u16,
/// NUL-terminated name, the v6 group as 16 raw bytes).
#[test]
fn daemon_requests_encode_and_decode() {
    let d = SyncDaemon {
        role: SyncRole::Backup,
        interface: Interface::new("eth1").unwrap(),
        sync_id: 3,
        max_len: Some(1400),
        group: Some("ff02::81".parse().unwrap()),
        port: Some(8849),
        ttl: Some(2),
    };
    let msg = start_daemon_request(&d);
    assert_eq!(msg.cmd, IpvsCmd::NewDaemon);
    let mut group = [0u8; 16];
    group[..2].copy_from_slice(&[0xff, 0x02]);
    group[15] = 0x81;
    let inner = [
        nla(1, &u32v(2)),
        nla(2, b"eth1\0"),
        nla(3, &u32v(3)),
        nla(4, &u16v(1400)),
        nla(7, &u16v(8849)),
        nla(8, &[2]),
        nla(6, &group),
    ]
    .concat();
    assert_eq!(emit(&msg), nla(3 | 0x8000, &inner));
    let back = parse(IpvsCmd::NewDaemon, &emit(&msg)).unwrap();
    assert_eq!(daemon_from_message(&back).unwrap(), d);

    let stop = stop_daemon_request(SyncRole::Master);
    assert_eq!(stop.cmd, IpvsCmd::DelDaemon);
    let inner = [nla(1, &u32v(1)), nla(2, b"\0"), nla(3, &u32v(0))].concat();
    assert_eq!(emit(&stop), nla(3 | 0x8000, &inner));
}

#[test]
fn daemons_lvstop_cannot_represent_are_errors() {
    let entry = |attrs: &[Vec<u8>]| parse(IpvsCmd::NewDaemon, &nla(3, &attrs.concat())).unwrap();
    let ok = [nla(1, &u32v(1)), nla(2, b"lo\0"), nla(3, &u32v(255))];
    assert_eq!(daemon_from_message(&entry(&ok)).unwrap().sync_id, 255);
    for (bad, says) in [
        ([nla(1, &u32v(4)), ok[1].clone(), ok[2].clone()], "state 4"),
        (
            [ok[0].clone(), nla(2, b"a\x1b[2J\0"), ok[2].clone()],
            "MCAST_IFN",
        ),
        (
            [ok[0].clone(), nla(2, b"0123456789abcdef\0"), ok[2].clone()],
            "MCAST_IFN",
        ),
        (
            [ok[0].clone(), ok[1].clone(), nla(3, &u32v(256))],
            "above 255",
        ),
    ] {
        let e = daemon_from_message(&entry(&bad)).unwrap_err().to_string();
        assert!(e.contains(says), "{e}");
        assert!(!e.contains('\x1b'), "{e:?}");
    }
    let no_name = entry(&[ok[0].clone(), ok[2].clone()]);
    assert!(daemon_from_message(&no_name).is_err());
}

#[test]
fn ipv6_service_netmask_is_a_prefix_length() {
    let inner = [
        nla(1, &u16v(10)),
        nla(2, &u16v(17)),
        nla(
            3,
            &"2001:db8::1"
                .parse::<std::net::Ipv6Addr>()
                .unwrap()
                .octets(),
        ),
        nla(4, &53u16.to_be_bytes()),
        nla(6, b"rr\0"),
        nla(9, &u32v(64)),
    ]
    .concat();
    let msg = parse(IpvsCmd::NewService, &nla(1, &inner)).unwrap();
    let s = service_from_message(&msg).unwrap();
    assert_eq!(s.netmask, 64);
    assert_eq!(s.key.family(), Family::V6);
    // And back: the prefix length travels as a plain u32.
    let full = service_full(&s);
    assert!(full.contains(&ServiceAttr::Netmask(64)));
}

// ------------------------------------------------------------ robustness

#[test]
fn unknown_attributes_are_kept_in_every_group() {
    let unknown = nla(77, &[1, 2, 3, 4, 5]);
    // stats
    let stats = [stats64(1), unknown.clone()].concat();
    let svc = [
        nla(1, &u16v(2)),
        nla(5, &u32v(3)),
        nla(12, &stats),
        unknown.clone(),
    ]
    .concat();
    let msg = parse(
        IpvsCmd::NewService,
        &[nla(1, &svc), unknown.clone()].concat(),
    )
    .unwrap();
    assert!(matches!(msg.nlas.last(), Some(IpvsAttr::Other(_))));
    let IpvsAttr::Service(attrs) = &msg.nlas[0] else {
        panic!()
    };
    assert!(matches!(attrs.last(), Some(ServiceAttr::Other(_))));
    let ServiceAttr::Stats64(st) = &attrs[2] else {
        panic!()
    };
    assert!(matches!(st.last(), Some(StatsAttr::Other(_))));
    assert_eq!(service_from_message(&msg).unwrap().stats.conns, 1);
    // dest
    let dest = [
        nla(1, &addr16(&[1, 2, 3, 4])),
        nla(2, &[0, 1]),
        unknown.clone(),
    ]
    .concat();
    let msg = parse(IpvsCmd::NewDest, &nla(2, &dest)).unwrap();
    let IpvsAttr::Dest(attrs) = &msg.nlas[0] else {
        panic!()
    };
    assert!(matches!(attrs.last(), Some(DestAttr::Other(_))));
    // daemon
    let msg = parse(
        IpvsCmd::NewDaemon,
        &nla(
            3,
            &[
                nla(1, &u32v(2)),
                nla(2, b"lo\0"),
                nla(3, &u32v(0)),
                unknown.clone(),
            ]
            .concat(),
        ),
    )
    .unwrap();
    let IpvsAttr::Daemon(attrs) = &msg.nlas[0] else {
        panic!()
    };
    assert!(matches!(attrs.last(), Some(DaemonAttr::Other(_))));
    assert_eq!(daemon_from_message(&msg).unwrap().role, SyncRole::Backup);
    // info
    let msg = parse(
        IpvsCmd::SetInfo,
        &[nla(1, &u32v(1)), unknown.clone()].concat(),
    )
    .unwrap();
    assert!(matches!(msg.nlas[1], IpvsAttr::Info(InfoAttr::Other(_))));
}

#[test]
fn truncated_buffers_are_errors_not_panics() {
    let full = service_reply(true, &[]);
    for cut in 1..full.len() {
        // Any prefix either parses (cut on an attribute boundary at the top
        // level cannot happen here: one top-level nest) or errors.
        let r = parse(IpvsCmd::NewService, &full[..cut]);
        assert!(r.is_err(), "prefix of {cut} bytes parsed: {r:?}");
    }
    // Wrong-size values inside a well-formed nest.
    let bad = nla(1, &[nla(1, &[2]), nla(2, &u16v(6))].concat());
    assert!(parse(IpvsCmd::NewService, &bad).is_err());
    let bad_counter = nla(1, &nla(12, &nla(1, &[1, 2, 3])));
    assert!(parse(IpvsCmd::NewService, &bad_counter).is_err());
    assert!(parse(IpvsCmd::NewService, &[0xff]).is_err());
}

#[test]
fn unrepresentable_values_are_decode_errors() {
    let svc = |af: u16, proto: u16| {
        nla(
            1,
            &[
                nla(1, &u16v(af)),
                nla(2, &u16v(proto)),
                nla(3, &addr16(&[1, 1, 1, 1])),
                nla(4, &[0, 80]),
            ]
            .concat(),
        )
    };
    let msg = parse(IpvsCmd::NewService, &svc(2, 50)).unwrap();
    assert_eq!(
        service_from_message(&msg).unwrap_err().to_string(),
        "unknown protocol number 50 in IPVS_SVC_ATTR_PROTOCOL"
    );
    let msg = parse(IpvsCmd::NewService, &svc(7, 6)).unwrap();
    assert_eq!(
        service_from_message(&msg).unwrap_err().to_string(),
        "unknown address family 7 in IPVS_SVC_ATTR_AF"
    );
    let dest = [
        nla(1, &addr16(&[1, 1, 1, 1])),
        nla(2, &[0, 80]),
        nla(3, &u32v(4)),
    ]
    .concat();
    let msg = parse(IpvsCmd::NewDest, &nla(2, &dest)).unwrap();
    assert_eq!(
        dest_from_message(&msg, Family::V4).unwrap_err().to_string(),
        "unknown forwarding method 4 in IPVS_DEST_ATTR_FWD_METHOD"
    );
    // IPv6 family with a 4-byte address.
    let dest = [nla(1, &[1, 1, 1, 1]), nla(2, &[0, 80])].concat();
    let msg = parse(IpvsCmd::NewDest, &nla(2, &dest)).unwrap();
    assert!(dest_from_message(&msg, Family::V6).is_err());
}

#[test]
fn family_name_and_version() {
    use netlink_packet_generic::GenlFamily;
    assert_eq!(IpvsMessage::family_name(), "IPVS");
    let m = get_info_request();
    assert_eq!(m.version(), 1);
    assert_eq!(m.command(), 15);
}
