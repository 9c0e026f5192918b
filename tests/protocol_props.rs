//! Property tests: for every IPVS message and attribute type, encode then
//! decode is the identity; and model values survive model → attributes →
//! bytes → attributes → model. Unknown attributes (`Other`) are kept
//! verbatim. Case counts are small so the suite stays fast.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use lvstop::model::{
    Dest, Family, Forward, Protocol, Service, ServiceFlags, ServiceKey, TunnelFlags, TunnelType,
};
use lvstop::protocol::convert::{dest_from_attrs, dest_full, service_from_attrs, service_full};
use lvstop::protocol::{
    Counter, DaemonAttr, DestAttr, InfoAttr, IpvsAttr, IpvsCmd, IpvsMessage, ServiceAttr,
    StatsAttr, SvcFlags,
};
use netlink_packet_core::{DefaultNla, Emitable, ParseableParametrized};
use netlink_packet_generic::GenlHeader;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

/// A C string attribute value: NUL-terminated on the wire, so no NUL inside.
fn cstring() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_.-]{0,15}"
}

/// An unknown attribute: a type number past every one the group defines.
fn other(first_unknown: u16) -> impl Strategy<Value = DefaultNla> {
    (
        first_unknown..0x3fff,
        proptest::collection::vec(any::<u8>(), 0..24),
    )
        .prop_map(|(kind, value)| DefaultNla::new(kind, value))
}

fn counter() -> impl Strategy<Value = Counter> {
    prop_oneof![
        any::<u32>().prop_map(Counter::U32),
        any::<u64>().prop_map(Counter::U64)
    ]
}

fn stats_attr() -> impl Strategy<Value = StatsAttr> {
    prop_oneof![
        counter().prop_map(StatsAttr::Conns),
        counter().prop_map(StatsAttr::InPkts),
        counter().prop_map(StatsAttr::OutPkts),
        counter().prop_map(StatsAttr::InBytes),
        counter().prop_map(StatsAttr::OutBytes),
        counter().prop_map(StatsAttr::Cps),
        counter().prop_map(StatsAttr::InPps),
        counter().prop_map(StatsAttr::OutPps),
        counter().prop_map(StatsAttr::InBps),
        counter().prop_map(StatsAttr::OutBps),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(StatsAttr::Pad),
        other(12).prop_map(StatsAttr::Other),
    ]
}

fn stats() -> impl Strategy<Value = Vec<StatsAttr>> {
    proptest::collection::vec(stats_attr(), 0..12)
}

fn service_attr() -> impl Strategy<Value = ServiceAttr> {
    prop_oneof![
        any::<u16>().prop_map(ServiceAttr::Af),
        any::<u16>().prop_map(ServiceAttr::Protocol),
        proptest::collection::vec(any::<u8>(), 0..20).prop_map(ServiceAttr::Addr),
        any::<u16>().prop_map(ServiceAttr::Port),
        any::<u32>().prop_map(ServiceAttr::Fwmark),
        cstring().prop_map(ServiceAttr::SchedName),
        (any::<u32>(), any::<u32>())
            .prop_map(|(flags, mask)| ServiceAttr::Flags(SvcFlags { flags, mask })),
        any::<u32>().prop_map(ServiceAttr::Timeout),
        any::<u32>().prop_map(ServiceAttr::Netmask),
        stats().prop_map(ServiceAttr::Stats),
        cstring().prop_map(ServiceAttr::PeName),
        stats().prop_map(ServiceAttr::Stats64),
        other(13).prop_map(ServiceAttr::Other),
    ]
}

fn dest_attr() -> impl Strategy<Value = DestAttr> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..20).prop_map(DestAttr::Addr),
        any::<u16>().prop_map(DestAttr::Port),
        any::<u32>().prop_map(DestAttr::FwdMethod),
        any::<u32>().prop_map(DestAttr::Weight),
        any::<u32>().prop_map(DestAttr::UThresh),
        any::<u32>().prop_map(DestAttr::LThresh),
        any::<u32>().prop_map(DestAttr::ActiveConns),
        any::<u32>().prop_map(DestAttr::InactConns),
        any::<u32>().prop_map(DestAttr::PersistConns),
        stats().prop_map(DestAttr::Stats),
        any::<u16>().prop_map(DestAttr::AddrFamily),
        stats().prop_map(DestAttr::Stats64),
        any::<u8>().prop_map(DestAttr::TunType),
        any::<u16>().prop_map(DestAttr::TunPort),
        any::<u16>().prop_map(DestAttr::TunFlags),
        other(16).prop_map(DestAttr::Other),
    ]
}

fn daemon_attr() -> impl Strategy<Value = DaemonAttr> {
    prop_oneof![
        any::<u32>().prop_map(DaemonAttr::State),
        cstring().prop_map(DaemonAttr::McastIfn),
        any::<u32>().prop_map(DaemonAttr::SyncId),
        any::<u16>().prop_map(DaemonAttr::SyncMaxlen),
        any::<[u8; 4]>().prop_map(|o| DaemonAttr::McastGroup(Ipv4Addr::from(o))),
        any::<[u8; 16]>().prop_map(|o| DaemonAttr::McastGroup6(Ipv6Addr::from(o))),
        any::<u16>().prop_map(DaemonAttr::McastPort),
        any::<u8>().prop_map(DaemonAttr::McastTtl),
        other(9).prop_map(DaemonAttr::Other),
    ]
}

fn info_attr() -> impl Strategy<Value = InfoAttr> {
    prop_oneof![
        any::<u32>().prop_map(InfoAttr::Version),
        any::<u32>().prop_map(InfoAttr::ConnTabSize),
        other(3).prop_map(InfoAttr::Other),
    ]
}

/// Top-level attributes valid for any command but SET_INFO.
fn top_attr() -> impl Strategy<Value = IpvsAttr> {
    prop_oneof![
        proptest::collection::vec(service_attr(), 0..8).prop_map(IpvsAttr::Service),
        proptest::collection::vec(dest_attr(), 0..8).prop_map(IpvsAttr::Dest),
        proptest::collection::vec(daemon_attr(), 0..6).prop_map(IpvsAttr::Daemon),
        any::<u32>().prop_map(IpvsAttr::TimeoutTcp),
        any::<u32>().prop_map(IpvsAttr::TimeoutTcpFin),
        any::<u32>().prop_map(IpvsAttr::TimeoutUdp),
        other(7).prop_map(IpvsAttr::Other),
    ]
}

/// Every command but SET_INFO (whose attributes are the info group).
fn command() -> impl Strategy<Value = IpvsCmd> {
    (1u8..=17)
        .prop_filter("SET_INFO has its own attributes", |v| *v != 14)
        .prop_map(|v| IpvsCmd::try_from(v).unwrap())
}

fn message() -> impl Strategy<Value = IpvsMessage> {
    prop_oneof![
        (command(), proptest::collection::vec(top_attr(), 0..6))
            .prop_map(|(cmd, nlas)| IpvsMessage::new(cmd, nlas)),
        proptest::collection::vec(info_attr().prop_map(IpvsAttr::Info), 0..4)
            .prop_map(|nlas| IpvsMessage::new(IpvsCmd::SetInfo, nlas)),
    ]
}

fn decode(msg: &IpvsMessage) -> IpvsMessage {
    let mut bytes = vec![0u8; msg.buffer_len()];
    msg.emit(&mut bytes);
    let header = GenlHeader {
        cmd: msg.cmd.into(),
        version: 1,
    };
    IpvsMessage::parse_with_param(&bytes, header)
        .unwrap_or_else(|e| panic!("{msg:?} encoded to {bytes:02x?} does not decode: {e}"))
}

fn addr_of(family: Family) -> BoxedStrategy<IpAddr> {
    match family {
        Family::V4 => any::<[u8; 4]>()
            .prop_map(|o| IpAddr::V4(Ipv4Addr::from(o)))
            .boxed(),
        Family::V6 => any::<[u8; 16]>()
            .prop_map(|o| IpAddr::V6(Ipv6Addr::from(o)))
            .boxed(),
    }
}

fn family() -> impl Strategy<Value = Family> {
    prop_oneof![Just(Family::V4), Just(Family::V6)]
}

fn service_key() -> impl Strategy<Value = ServiceKey> {
    family().prop_flat_map(|family| {
        prop_oneof![
            (1u32..).prop_map(move |mark| ServiceKey::Fwmark { family, mark }),
            (
                prop_oneof![
                    Just(Protocol::Tcp),
                    Just(Protocol::Udp),
                    Just(Protocol::Sctp)
                ],
                addr_of(family),
                any::<u16>()
            )
                .prop_map(|(protocol, addr, port)| ServiceKey::Addr {
                    protocol,
                    addr,
                    port
                }),
        ]
    })
}

fn service() -> impl Strategy<Value = Service> {
    (
        service_key(),
        "[a-z]{1,8}",
        any::<u32>(),
        any::<u32>(),
        proptest::option::of("[a-z]{1,8}"),
    )
        .prop_flat_map(|(key, sched, flags, timeout, pe)| {
            let netmask = match key.family() {
                Family::V4 => any::<u32>().boxed(),
                Family::V6 => (0u32..=128).boxed(),
            };
            netmask.prop_map(move |netmask| {
                let mut s = Service::new(key, &sched);
                // HASHED is never sent (see service_full): not expected back.
                s.flags = ServiceFlags(flags & !ServiceFlags::HASHED);
                s.timeout = timeout;
                s.netmask = netmask;
                s.pe_name = pe.clone();
                s
            })
        })
}

fn dest() -> impl Strategy<Value = Dest> {
    (
        family().prop_flat_map(addr_of),
        any::<u16>(),
        0u32..=3,
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        0u8..=2,
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(|(addr, port, fwd, weight, uth, lth, tt, tport, tflags)| {
            let mut d = Dest::new(addr, port);
            d.forward = Forward::from_value(fwd).unwrap();
            d.weight = weight;
            d.upper_threshold = uth;
            d.lower_threshold = lth;
            d.tun_type = TunnelType::from_value(tt).unwrap();
            d.tun_port = tport;
            d.tun_flags = TunnelFlags(tflags);
            d
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_message_decodes_to_itself(msg in message()) {
        prop_assert_eq!(decode(&msg), msg);
    }

    #[test]
    fn a_service_survives_the_wire(s in service()) {
        let msg = IpvsMessage::new(IpvsCmd::NewService, vec![IpvsAttr::Service(service_full(&s))]);
        let back = decode(&msg);
        let IpvsAttr::Service(attrs) = &back.nlas[0] else { panic!("{back:?}") };
        prop_assert_eq!(service_from_attrs(attrs).unwrap(), s);
    }

    #[test]
    fn a_real_server_survives_the_wire(d in dest(), service_family in family()) {
        let msg = IpvsMessage::new(IpvsCmd::NewDest, vec![IpvsAttr::Dest(dest_full(&d))]);
        let back = decode(&msg);
        let IpvsAttr::Dest(attrs) = &back.nlas[0] else { panic!("{back:?}") };
        prop_assert_eq!(dest_from_attrs(attrs, service_family).unwrap(), d);
    }
}
