//! IPVS_SVC_ATTR_*: the attributes inside an IPVS_CMD_ATTR_SERVICE nest.

use netlink_packet_core::{
    emit_u16, emit_u16_be, emit_u32, parse_u16, parse_u16_be, parse_u32, DecodeError, DefaultNla,
    Emitable, ErrorContext, Nla, NlaBuffer, Parseable,
};

use super::nest::{emit_string, parse_cstring, parse_nested, string_len, NESTED};
use super::stats::StatsAttr;

pub const IPVS_SVC_ATTR_AF: u16 = 1;
pub const IPVS_SVC_ATTR_PROTOCOL: u16 = 2;
pub const IPVS_SVC_ATTR_ADDR: u16 = 3;
pub const IPVS_SVC_ATTR_PORT: u16 = 4;
pub const IPVS_SVC_ATTR_FWMARK: u16 = 5;
pub const IPVS_SVC_ATTR_SCHED_NAME: u16 = 6;
pub const IPVS_SVC_ATTR_FLAGS: u16 = 7;
pub const IPVS_SVC_ATTR_TIMEOUT: u16 = 8;
pub const IPVS_SVC_ATTR_NETMASK: u16 = 9;
pub const IPVS_SVC_ATTR_STATS: u16 = 10;
pub const IPVS_SVC_ATTR_PE_NAME: u16 = 11;
pub const IPVS_SVC_ATTR_STATS64: u16 = 12;

/// `struct ip_vs_flags`: the kernel applies `(old & !mask) | (flags & mask)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SvcFlags {
    pub flags: u32,
    pub mask: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceAttr {
    /// AF_INET / AF_INET6.
    Af(u16),
    /// IANA protocol number.
    Protocol(u16),
    /// `union nf_inet_addr` as sent: 16 bytes, IPv4 in the first 4.
    Addr(Vec<u8>),
    /// Host order here; big-endian on the wire.
    Port(u16),
    Fwmark(u32),
    SchedName(String),
    Flags(SvcFlags),
    /// Persistence timeout in seconds.
    Timeout(u32),
    /// The kernel's u32 as is: for IPv4 its bytes are the mask in network
    /// order (a be32), for IPv6 it is the prefix length.
    Netmask(u32),
    Stats(Vec<StatsAttr>),
    PeName(String),
    Stats64(Vec<StatsAttr>),
    Other(DefaultNla),
}

impl Nla for ServiceAttr {
    fn value_len(&self) -> usize {
        use ServiceAttr::*;
        match self {
            Af(_) | Protocol(_) | Port(_) => 2,
            Fwmark(_) | Timeout(_) | Netmask(_) => 4,
            Addr(a) => a.len(),
            SchedName(s) | PeName(s) => string_len(s),
            Flags(_) => 8,
            Stats(n) | Stats64(n) => n.as_slice().buffer_len(),
            Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        use ServiceAttr::*;
        match self {
            Af(_) => IPVS_SVC_ATTR_AF,
            Protocol(_) => IPVS_SVC_ATTR_PROTOCOL,
            Addr(_) => IPVS_SVC_ATTR_ADDR,
            Port(_) => IPVS_SVC_ATTR_PORT,
            Fwmark(_) => IPVS_SVC_ATTR_FWMARK,
            SchedName(_) => IPVS_SVC_ATTR_SCHED_NAME,
            Flags(_) => IPVS_SVC_ATTR_FLAGS,
            Timeout(_) => IPVS_SVC_ATTR_TIMEOUT,
            Netmask(_) => IPVS_SVC_ATTR_NETMASK,
            Stats(_) => IPVS_SVC_ATTR_STATS | NESTED,
            PeName(_) => IPVS_SVC_ATTR_PE_NAME,
            Stats64(_) => IPVS_SVC_ATTR_STATS64 | NESTED,
            Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        use ServiceAttr::*;
        match self {
            Af(v) | Protocol(v) => emit_u16(buffer, *v).unwrap(),
            Port(v) => emit_u16_be(buffer, *v).unwrap(),
            Fwmark(v) | Timeout(v) | Netmask(v) => emit_u32(buffer, *v).unwrap(),
            Addr(a) => buffer.copy_from_slice(a),
            SchedName(s) | PeName(s) => emit_string(buffer, s),
            Flags(f) => {
                emit_u32(&mut buffer[..4], f.flags).unwrap();
                emit_u32(&mut buffer[4..8], f.mask).unwrap();
            }
            Stats(n) | Stats64(n) => n.as_slice().emit(buffer),
            Other(nla) => nla.emit_value(buffer),
        }
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&'a T>> for ServiceAttr {
    fn parse(buf: &NlaBuffer<&'a T>) -> Result<Self, DecodeError> {
        let payload = buf.value();
        Ok(match buf.kind() {
            IPVS_SVC_ATTR_AF => {
                ServiceAttr::Af(parse_u16(payload).context("invalid IPVS_SVC_ATTR_AF")?)
            }
            IPVS_SVC_ATTR_PROTOCOL => {
                ServiceAttr::Protocol(parse_u16(payload).context("invalid IPVS_SVC_ATTR_PROTOCOL")?)
            }
            IPVS_SVC_ATTR_ADDR => ServiceAttr::Addr(payload.to_vec()),
            IPVS_SVC_ATTR_PORT => {
                ServiceAttr::Port(parse_u16_be(payload).context("invalid IPVS_SVC_ATTR_PORT")?)
            }
            IPVS_SVC_ATTR_FWMARK => {
                ServiceAttr::Fwmark(parse_u32(payload).context("invalid IPVS_SVC_ATTR_FWMARK")?)
            }
            IPVS_SVC_ATTR_SCHED_NAME => ServiceAttr::SchedName(
                parse_cstring(payload).context("invalid IPVS_SVC_ATTR_SCHED_NAME")?,
            ),
            IPVS_SVC_ATTR_FLAGS => {
                if payload.len() < 8 {
                    return Err(DecodeError::from(format!(
                        "invalid IPVS_SVC_ATTR_FLAGS: {} bytes, expected 8",
                        payload.len()
                    )));
                }
                ServiceAttr::Flags(SvcFlags {
                    flags: parse_u32(&payload[..4])?,
                    mask: parse_u32(&payload[4..8])?,
                })
            }
            IPVS_SVC_ATTR_TIMEOUT => {
                ServiceAttr::Timeout(parse_u32(payload).context("invalid IPVS_SVC_ATTR_TIMEOUT")?)
            }
            IPVS_SVC_ATTR_NETMASK => {
                ServiceAttr::Netmask(parse_u32(payload).context("invalid IPVS_SVC_ATTR_NETMASK")?)
            }
            IPVS_SVC_ATTR_STATS => {
                ServiceAttr::Stats(parse_nested(payload).context("invalid IPVS_SVC_ATTR_STATS")?)
            }
            IPVS_SVC_ATTR_PE_NAME => ServiceAttr::PeName(
                parse_cstring(payload).context("invalid IPVS_SVC_ATTR_PE_NAME")?,
            ),
            IPVS_SVC_ATTR_STATS64 => ServiceAttr::Stats64(
                parse_nested(payload).context("invalid IPVS_SVC_ATTR_STATS64")?,
            ),
            _ => ServiceAttr::Other(DefaultNla::parse(buf)?),
        })
    }
}
