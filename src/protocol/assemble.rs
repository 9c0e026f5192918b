//! The model's rules applied to a service's or real server's wire fields.
//!
//! Both decoders — the typed attribute tree (`convert`) and the in-place
//! dump decoder (`direct`) — collect the raw fields into these structs and
//! assemble them here, so the rules (fwmark or address identity, netmask
//! byte order and defaults, which values are errors) exist once.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_core::DecodeError;

use crate::model::{
    Dest, Family, Forward, Protocol, Service, ServiceFlags, ServiceKey, Stats, TunnelFlags,
    TunnelType,
};

/// A service's attributes as they came off the wire.
#[derive(Debug, Default)]
pub(super) struct RawService<'a> {
    pub af: Option<u16>,
    pub protocol: Option<u16>,
    pub addr: Option<&'a [u8]>,
    pub port: Option<u16>,
    pub fwmark: Option<u32>,
    pub scheduler: String,
    /// Already masked: `flags & mask`.
    pub flags: u32,
    pub timeout: u32,
    /// As sent: big-endian mask bytes read natively for IPv4, prefix length for IPv6.
    pub netmask: Option<u32>,
    pub pe_name: Option<String>,
}

impl RawService<'_> {
    pub fn service(self, stats: Stats) -> Result<Service, DecodeError> {
        let af = self
            .af
            .ok_or_else(|| DecodeError::from("service without IPVS_SVC_ATTR_AF"))?;
        let family = family_from_af(af, "IPVS_SVC_ATTR_AF")?;
        // The kernel sends FWMARK only for fwmark services (non-zero mark).
        let key = match (self.fwmark, self.protocol, self.addr, self.port) {
            (Some(mark), _, _, _) if mark != 0 => ServiceKey::Fwmark { family, mark },
            (_, Some(p), Some(a), Some(port)) => ServiceKey::Addr {
                protocol: Protocol::from_number(p).ok_or_else(|| {
                    DecodeError::from(format!(
                        "unknown protocol number {p} in IPVS_SVC_ATTR_PROTOCOL"
                    ))
                })?,
                addr: addr_from_bytes(a, family, "IPVS_SVC_ATTR_ADDR")?,
                port,
            },
            _ => {
                return Err(DecodeError::from(
                    "service has neither a firewall mark nor protocol, address and port",
                ))
            }
        };
        let netmask = match (family, self.netmask) {
            (Family::V4, Some(raw)) => u32::from_be_bytes(raw.to_ne_bytes()),
            (Family::V6, Some(raw)) => raw,
            (Family::V4, None) => 0xffff_ffff,
            (Family::V6, None) => 128,
        };
        Ok(Service {
            key,
            scheduler: self.scheduler,
            flags: ServiceFlags(self.flags),
            timeout: self.timeout,
            netmask,
            pe_name: self.pe_name,
            stats,
        })
    }
}

/// A real server's attributes as they came off the wire.
#[derive(Debug, Default)]
pub(super) struct RawDest<'a> {
    pub addr: Option<&'a [u8]>,
    pub port: Option<u16>,
    /// IPVS_DEST_ATTR_ADDR_FAMILY; absent on old kernels: the service's family.
    pub af: Option<u16>,
    pub fwd: u32,
    pub weight: u32,
    pub upper_threshold: u32,
    pub lower_threshold: u32,
    pub tun_type: u8,
    pub tun_port: u16,
    pub tun_flags: u16,
    pub active_conns: u32,
    pub inactive_conns: u32,
    pub persistent_conns: u32,
}

impl RawDest<'_> {
    pub fn dest(self, service_family: Family, stats: Stats) -> Result<Dest, DecodeError> {
        let family = match self.af {
            Some(af) => family_from_af(af, "IPVS_DEST_ATTR_ADDR_FAMILY")?,
            None => service_family,
        };
        let addr = self
            .addr
            .ok_or_else(|| DecodeError::from("real server without IPVS_DEST_ATTR_ADDR"))?;
        let port = self
            .port
            .ok_or_else(|| DecodeError::from("real server without IPVS_DEST_ATTR_PORT"))?;
        let (fwd, tun_type) = (self.fwd, self.tun_type);
        Ok(Dest {
            addr: addr_from_bytes(addr, family, "IPVS_DEST_ATTR_ADDR")?,
            port,
            forward: Forward::from_value(fwd).ok_or_else(|| unknown_forward(fwd))?,
            weight: self.weight,
            upper_threshold: self.upper_threshold,
            lower_threshold: self.lower_threshold,
            tun_type: TunnelType::from_value(tun_type).ok_or_else(|| unknown_tunnel(tun_type))?,
            tun_port: self.tun_port,
            tun_flags: TunnelFlags(self.tun_flags),
            active_conns: self.active_conns,
            inactive_conns: self.inactive_conns,
            persistent_conns: self.persistent_conns,
            stats,
        })
    }
}

pub(super) fn unknown_forward(fwd: u32) -> DecodeError {
    DecodeError::from(format!(
        "unknown forwarding method {fwd} in IPVS_DEST_ATTR_FWD_METHOD"
    ))
}

pub(super) fn unknown_tunnel(tun_type: u8) -> DecodeError {
    DecodeError::from(format!(
        "unknown tunnel type {tun_type} in IPVS_DEST_ATTR_TUN_TYPE"
    ))
}

pub(super) fn family_from_af(af: u16, what: &str) -> Result<Family, DecodeError> {
    Family::from_af(af)
        .ok_or_else(|| DecodeError::from(format!("unknown address family {af} in {what}")))
}

/// `union nf_inet_addr` bytes as an address of `family`.
pub(super) fn addr_from_bytes(
    bytes: &[u8],
    family: Family,
    what: &str,
) -> Result<IpAddr, DecodeError> {
    match family {
        Family::V4 if bytes.len() >= 4 => Ok(IpAddr::V4(Ipv4Addr::new(
            bytes[0], bytes[1], bytes[2], bytes[3],
        ))),
        Family::V6 if bytes.len() >= 16 => {
            let mut o = [0u8; 16];
            o.copy_from_slice(&bytes[..16]);
            Ok(IpAddr::V6(Ipv6Addr::from(o)))
        }
        _ => Err(DecodeError::from(format!(
            "{what} has {} bytes, too short for {family:?}",
            bytes.len()
        ))),
    }
}
