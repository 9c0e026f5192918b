//! Between wire attributes and `crate::model`.
//!
//! Decoding is strict about identity (family, protocol, address, forwarding
//! method, tunnel type): a value lvstop cannot represent is a `DecodeError`
//! naming the attribute and value, never a panic and never a guess. The
//! kernel only creates TCP/UDP/SCTP services over AF_INET/AF_INET6 with
//! forwarding 0..=3 and tunnel types 0..=2, so these errors mean a newer or
//! foreign kernel. Non-identity fields the kernel always sends (scheduler,
//! flags, timeout, netmask, counters) default to zero when absent.

use std::net::IpAddr;

use netlink_packet_core::DecodeError;

use super::assemble::{RawDest, RawService};
use super::command::IpvsCmd;
use super::dest::DestAttr;
use super::info::InfoAttr;
use super::message::{IpvsAttr, IpvsMessage};
use super::service::{ServiceAttr, SvcFlags};
use super::stats::StatsAttr;
pub use super::sync_daemon::{daemon_from_message, start_daemon_request, stop_daemon_request};
use crate::model::{
    Change, Dest, DestKey, Family, Info, Service, ServiceFlags, ServiceKey, Stats, Timeouts,
};

// ---------------------------------------------------------------- decoding

/// Statistics from a stats nest (either width).
pub fn stats_from_attrs(attrs: &[StatsAttr]) -> Stats {
    let mut s = Stats::default();
    for a in attrs {
        match a {
            StatsAttr::Conns(c) => s.conns = c.get(),
            StatsAttr::InPkts(c) => s.inpkts = c.get(),
            StatsAttr::OutPkts(c) => s.outpkts = c.get(),
            StatsAttr::InBytes(c) => s.inbytes = c.get(),
            StatsAttr::OutBytes(c) => s.outbytes = c.get(),
            StatsAttr::Cps(c) => s.cps = c.get(),
            StatsAttr::InPps(c) => s.inpps = c.get(),
            StatsAttr::OutPps(c) => s.outpps = c.get(),
            StatsAttr::InBps(c) => s.inbps = c.get(),
            StatsAttr::OutBps(c) => s.outbps = c.get(),
            StatsAttr::Pad(_) | StatsAttr::Other(_) => {}
        }
    }
    s
}

/// STATS64 when present (kernels >= 4.1), else the 32-bit STATS group.
fn pick_stats(stats64: Option<&Vec<StatsAttr>>, stats: Option<&Vec<StatsAttr>>) -> Stats {
    stats64
        .or(stats)
        .map(|a| stats_from_attrs(a))
        .unwrap_or_default()
}

/// A service from the attributes of an IPVS_CMD_ATTR_SERVICE nest.
pub fn service_from_attrs(attrs: &[ServiceAttr]) -> Result<Service, DecodeError> {
    let mut raw = RawService::default();
    let (mut stats, mut stats64) = (None, None);
    for a in attrs {
        match a {
            ServiceAttr::Af(v) => raw.af = Some(*v),
            ServiceAttr::Protocol(v) => raw.protocol = Some(*v),
            ServiceAttr::Addr(v) => raw.addr = Some(v.as_slice()),
            ServiceAttr::Port(v) => raw.port = Some(*v),
            ServiceAttr::Fwmark(v) => raw.fwmark = Some(*v),
            ServiceAttr::SchedName(v) => raw.scheduler = v.clone(),
            ServiceAttr::PeName(v) => raw.pe_name = Some(v.clone()),
            ServiceAttr::Flags(f) => raw.flags = f.flags & f.mask,
            ServiceAttr::Timeout(v) => raw.timeout = *v,
            ServiceAttr::Netmask(v) => raw.netmask = Some(*v),
            ServiceAttr::Stats(v) => stats = Some(v),
            ServiceAttr::Stats64(v) => stats64 = Some(v),
            ServiceAttr::Other(_) => {}
        }
    }
    raw.service(pick_stats(stats64, stats))
}

/// A real server from an IPVS_CMD_ATTR_DEST nest. `service_family` is used
/// when the kernel does not say the real server's own (IPVS_DEST_ATTR_ADDR_FAMILY,
/// kernels >= 4.3).
pub fn dest_from_attrs(attrs: &[DestAttr], service_family: Family) -> Result<Dest, DecodeError> {
    let mut raw = RawDest::default();
    let (mut stats, mut stats64) = (None, None);
    for a in attrs {
        match a {
            DestAttr::Addr(v) => raw.addr = Some(v.as_slice()),
            DestAttr::Port(v) => raw.port = Some(*v),
            DestAttr::AddrFamily(v) => raw.af = Some(*v),
            DestAttr::FwdMethod(v) => raw.fwd = *v,
            DestAttr::Weight(v) => raw.weight = *v,
            DestAttr::UThresh(v) => raw.upper_threshold = *v,
            DestAttr::LThresh(v) => raw.lower_threshold = *v,
            DestAttr::ActiveConns(v) => raw.active_conns = *v,
            DestAttr::InactConns(v) => raw.inactive_conns = *v,
            DestAttr::PersistConns(v) => raw.persistent_conns = *v,
            DestAttr::TunType(v) => raw.tun_type = *v,
            DestAttr::TunPort(v) => raw.tun_port = *v,
            DestAttr::TunFlags(v) => raw.tun_flags = *v,
            DestAttr::Stats(v) => stats = Some(v),
            DestAttr::Stats64(v) => stats64 = Some(v),
            DestAttr::Other(_) => {}
        }
    }
    raw.dest(service_family, pick_stats(stats64, stats))
}

/// The service nest of a NEW_SERVICE message (a dump entry or GET_SERVICE reply).
pub fn service_from_message(msg: &IpvsMessage) -> Result<Service, DecodeError> {
    msg.nlas
        .iter()
        .find_map(|a| match a {
            IpvsAttr::Service(s) => Some(service_from_attrs(s)),
            _ => None,
        })
        .unwrap_or_else(|| Err(DecodeError::from("message without IPVS_CMD_ATTR_SERVICE")))
}

/// The dest nest of a NEW_DEST dump entry.
pub fn dest_from_message(msg: &IpvsMessage, service_family: Family) -> Result<Dest, DecodeError> {
    msg.nlas
        .iter()
        .find_map(|a| match a {
            IpvsAttr::Dest(d) => Some(dest_from_attrs(d, service_family)),
            _ => None,
        })
        .unwrap_or_else(|| Err(DecodeError::from("message without IPVS_CMD_ATTR_DEST")))
}

/// The GET_INFO reply (cmd SET_INFO).
pub fn info_from_message(msg: &IpvsMessage) -> Result<Info, DecodeError> {
    if msg.cmd != IpvsCmd::SetInfo {
        return Err(DecodeError::from(format!(
            "expected the GET_INFO reply (SET_INFO), got {:?}",
            msg.cmd
        )));
    }
    let mut info = Info::default();
    let mut seen = false;
    for a in &msg.nlas {
        match a {
            IpvsAttr::Info(InfoAttr::Version(v)) => {
                info.version = *v;
                seen = true;
            }
            IpvsAttr::Info(InfoAttr::ConnTabSize(v)) => info.conn_tab_size = *v,
            _ => {}
        }
    }
    if !seen {
        return Err(DecodeError::from(
            "GET_INFO reply without IPVS_INFO_ATTR_VERSION",
        ));
    }
    Ok(info)
}

/// The GET_CONFIG reply (cmd SET_CONFIG): timeouts at the top level.
pub fn timeouts_from_message(msg: &IpvsMessage) -> Timeouts {
    let mut t = Timeouts::default();
    for a in &msg.nlas {
        match a {
            IpvsAttr::TimeoutTcp(v) => t.tcp = *v,
            IpvsAttr::TimeoutTcpFin(v) => t.tcp_fin = *v,
            IpvsAttr::TimeoutUdp(v) => t.udp = *v,
            _ => {}
        }
    }
    t
}

// ---------------------------------------------------------------- encoding

/// `union nf_inet_addr`: always 16 bytes, as libipvs sends it.
fn addr_bytes(addr: &IpAddr) -> Vec<u8> {
    let mut b = vec![0u8; 16];
    match addr {
        IpAddr::V4(a) => b[..4].copy_from_slice(&a.octets()),
        IpAddr::V6(a) => b.copy_from_slice(&a.octets()),
    }
    b
}

/// The attributes that identify a service (all the kernel needs to find it).
pub fn service_identity(key: &ServiceKey) -> Vec<ServiceAttr> {
    match key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => vec![
            ServiceAttr::Af(Family::of(addr).to_af()),
            ServiceAttr::Protocol(protocol.number()),
            ServiceAttr::Addr(addr_bytes(addr)),
            ServiceAttr::Port(*port),
        ],
        ServiceKey::Fwmark { family, mark } => {
            vec![ServiceAttr::Af(family.to_af()), ServiceAttr::Fwmark(*mark)]
        }
    }
}

/// Identity plus everything NEW/SET_SERVICE require (`full_entry`): scheduler,
/// flags (mask all: the flags replace the old ones), timeout, netmask; and
/// the persistence engine when there is one.
pub fn service_full(s: &Service) -> Vec<ServiceAttr> {
    let mut attrs = service_identity(&s.key);
    attrs.push(ServiceAttr::SchedName(s.scheduler.clone()));
    if let Some(pe) = &s.pe_name {
        attrs.push(ServiceAttr::PeName(pe.clone()));
    }
    let netmask = match s.key.family() {
        // The kernel keeps the IPv4 mask as a be32.
        Family::V4 => u32::from_ne_bytes(s.netmask.to_be_bytes()),
        Family::V6 => s.netmask,
    };
    attrs.extend([
        // HASHED is the kernel's own bookkeeping, set on every service it
        // holds (so a service read back carries it). Kernels before the 2021
        // fix "ipvs: ignore IP_VS_SVC_F_HASHED flag when adding service"
        // would then refuse to hash the new service: never send it.
        ServiceAttr::Flags(SvcFlags {
            flags: s.flags.0 & !ServiceFlags::HASHED,
            mask: !0,
        }),
        ServiceAttr::Timeout(s.timeout),
        ServiceAttr::Netmask(netmask),
    ]);
    attrs
}

/// The attributes that identify a real server. The family is always sent
/// (first, as ipvsadm does), so a mixed-family real server is found in its
/// own family.
pub fn dest_identity(key: &DestKey) -> Vec<DestAttr> {
    vec![
        DestAttr::AddrFamily(Family::of(&key.addr).to_af()),
        DestAttr::Addr(addr_bytes(&key.addr)),
        DestAttr::Port(key.port),
    ]
}

/// The full real server, as NEW/SET_DEST require: forwarding, weight, both
/// thresholds, and the tunnel settings (which SET_DEST would otherwise reset).
pub fn dest_full(d: &Dest) -> Vec<DestAttr> {
    let mut attrs = dest_identity(&d.key());
    attrs.extend([
        DestAttr::FwdMethod(d.forward.value()),
        DestAttr::Weight(d.weight),
        DestAttr::TunType(d.tun_type.value()),
        DestAttr::TunPort(d.tun_port),
        DestAttr::TunFlags(d.tun_flags.0),
        DestAttr::UThresh(d.upper_threshold),
        DestAttr::LThresh(d.lower_threshold),
    ]);
    attrs
}

/// The one request that applies `change`.
pub fn change_request(change: &Change) -> IpvsMessage {
    use IpvsAttr as A;
    use IpvsCmd as C;
    match change {
        Change::AddService(s) => IpvsMessage::new(C::NewService, vec![A::Service(service_full(s))]),
        Change::EditService(s) => {
            IpvsMessage::new(C::SetService, vec![A::Service(service_full(s))])
        }
        Change::DeleteService(k) => {
            IpvsMessage::new(C::DelService, vec![A::Service(service_identity(k))])
        }
        Change::AddDest { service, dest } => IpvsMessage::new(
            C::NewDest,
            vec![
                A::Service(service_identity(service)),
                A::Dest(dest_full(dest)),
            ],
        ),
        Change::EditDest { service, dest } => IpvsMessage::new(
            C::SetDest,
            vec![
                A::Service(service_identity(service)),
                A::Dest(dest_full(dest)),
            ],
        ),
        Change::DeleteDest { service, dest } => IpvsMessage::new(
            C::DelDest,
            vec![
                A::Service(service_identity(service)),
                A::Dest(dest_identity(dest)),
            ],
        ),
        Change::Zero(None) => IpvsMessage::new(C::Zero, vec![]),
        Change::Zero(Some(k)) => IpvsMessage::new(C::Zero, vec![A::Service(service_identity(k))]),
        Change::Flush => IpvsMessage::new(C::Flush, vec![]),
        Change::SetTimeouts(t) => IpvsMessage::new(
            C::SetConfig,
            vec![
                A::TimeoutTcp(t.tcp),
                A::TimeoutTcpFin(t.tcp_fin),
                A::TimeoutUdp(t.udp),
            ],
        ),
        Change::StartDaemon(d) => start_daemon_request(d),
        Change::StopDaemon(role) => stop_daemon_request(*role),
    }
}

/// Dump request for every service.
pub fn get_services_request() -> IpvsMessage {
    IpvsMessage::new(IpvsCmd::GetService, vec![])
}

/// Request for one service by its identity (not a dump): the kernel answers
/// with that service alone, as `ipvsadm -Ln -t VIP:PORT` asks.
pub fn get_service_request(service: &ServiceKey) -> IpvsMessage {
    IpvsMessage::new(
        IpvsCmd::GetService,
        vec![IpvsAttr::Service(service_identity(service))],
    )
}

/// Dump request for the real servers of one service: the kernel needs the
/// service's identity (there is no dump of all real servers).
pub fn get_dests_request(service: &ServiceKey) -> IpvsMessage {
    IpvsMessage::new(
        IpvsCmd::GetDest,
        vec![IpvsAttr::Service(service_identity(service))],
    )
}

pub fn get_info_request() -> IpvsMessage {
    IpvsMessage::new(IpvsCmd::GetInfo, vec![])
}

pub fn get_config_request() -> IpvsMessage {
    IpvsMessage::new(IpvsCmd::GetConfig, vec![])
}

pub fn get_daemons_request() -> IpvsMessage {
    IpvsMessage::new(IpvsCmd::GetDaemon, vec![])
}
