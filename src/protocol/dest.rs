//! IPVS_DEST_ATTR_*: the attributes inside an IPVS_CMD_ATTR_DEST nest.

use netlink_packet_core::{
    emit_u16, emit_u16_be, emit_u32, parse_u16, parse_u16_be, parse_u32, parse_u8, DecodeError,
    DefaultNla, Emitable, ErrorContext, Nla, NlaBuffer, Parseable,
};

use super::nest::{parse_nested, NESTED};
use super::stats::StatsAttr;

pub const IPVS_DEST_ATTR_ADDR: u16 = 1;
pub const IPVS_DEST_ATTR_PORT: u16 = 2;
pub const IPVS_DEST_ATTR_FWD_METHOD: u16 = 3;
pub const IPVS_DEST_ATTR_WEIGHT: u16 = 4;
pub const IPVS_DEST_ATTR_U_THRESH: u16 = 5;
pub const IPVS_DEST_ATTR_L_THRESH: u16 = 6;
pub const IPVS_DEST_ATTR_ACTIVE_CONNS: u16 = 7;
pub const IPVS_DEST_ATTR_INACT_CONNS: u16 = 8;
pub const IPVS_DEST_ATTR_PERSIST_CONNS: u16 = 9;
pub const IPVS_DEST_ATTR_STATS: u16 = 10;
pub const IPVS_DEST_ATTR_ADDR_FAMILY: u16 = 11;
pub const IPVS_DEST_ATTR_STATS64: u16 = 12;
pub const IPVS_DEST_ATTR_TUN_TYPE: u16 = 13;
pub const IPVS_DEST_ATTR_TUN_PORT: u16 = 14;
pub const IPVS_DEST_ATTR_TUN_FLAGS: u16 = 15;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DestAttr {
    /// `union nf_inet_addr` as sent: 16 bytes, IPv4 in the first 4.
    Addr(Vec<u8>),
    /// Host order here; big-endian on the wire.
    Port(u16),
    /// IP_VS_CONN_F_FWD_MASK bits: 0 masq, 1 local, 2 tunnel, 3 route.
    FwdMethod(u32),
    Weight(u32),
    UThresh(u32),
    LThresh(u32),
    ActiveConns(u32),
    InactConns(u32),
    PersistConns(u32),
    Stats(Vec<StatsAttr>),
    /// Present when the real server's family differs from the service's.
    AddrFamily(u16),
    Stats64(Vec<StatsAttr>),
    TunType(u8),
    /// Host order here; big-endian on the wire.
    TunPort(u16),
    TunFlags(u16),
    Other(DefaultNla),
}

impl Nla for DestAttr {
    fn value_len(&self) -> usize {
        use DestAttr::*;
        match self {
            Addr(a) => a.len(),
            Port(_) | AddrFamily(_) | TunPort(_) | TunFlags(_) => 2,
            TunType(_) => 1,
            FwdMethod(_) | Weight(_) | UThresh(_) | LThresh(_) | ActiveConns(_) | InactConns(_)
            | PersistConns(_) => 4,
            Stats(n) | Stats64(n) => n.as_slice().buffer_len(),
            Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        use DestAttr::*;
        match self {
            Addr(_) => IPVS_DEST_ATTR_ADDR,
            Port(_) => IPVS_DEST_ATTR_PORT,
            FwdMethod(_) => IPVS_DEST_ATTR_FWD_METHOD,
            Weight(_) => IPVS_DEST_ATTR_WEIGHT,
            UThresh(_) => IPVS_DEST_ATTR_U_THRESH,
            LThresh(_) => IPVS_DEST_ATTR_L_THRESH,
            ActiveConns(_) => IPVS_DEST_ATTR_ACTIVE_CONNS,
            InactConns(_) => IPVS_DEST_ATTR_INACT_CONNS,
            PersistConns(_) => IPVS_DEST_ATTR_PERSIST_CONNS,
            Stats(_) => IPVS_DEST_ATTR_STATS | NESTED,
            AddrFamily(_) => IPVS_DEST_ATTR_ADDR_FAMILY,
            Stats64(_) => IPVS_DEST_ATTR_STATS64 | NESTED,
            TunType(_) => IPVS_DEST_ATTR_TUN_TYPE,
            TunPort(_) => IPVS_DEST_ATTR_TUN_PORT,
            TunFlags(_) => IPVS_DEST_ATTR_TUN_FLAGS,
            Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        use DestAttr::*;
        match self {
            Addr(a) => buffer.copy_from_slice(a),
            Port(v) | TunPort(v) => emit_u16_be(buffer, *v).unwrap(),
            AddrFamily(v) | TunFlags(v) => emit_u16(buffer, *v).unwrap(),
            TunType(v) => buffer[0] = *v,
            FwdMethod(v) | Weight(v) | UThresh(v) | LThresh(v) | ActiveConns(v) | InactConns(v)
            | PersistConns(v) => emit_u32(buffer, *v).unwrap(),
            Stats(n) | Stats64(n) => n.as_slice().emit(buffer),
            Other(nla) => nla.emit_value(buffer),
        }
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&'a T>> for DestAttr {
    fn parse(buf: &NlaBuffer<&'a T>) -> Result<Self, DecodeError> {
        let p = buf.value();
        let kind = buf.kind();
        let u32_of = || parse_u32(p).with_context(|| format!("invalid IPVS_DEST_ATTR {kind}"));
        Ok(match kind {
            IPVS_DEST_ATTR_ADDR => DestAttr::Addr(p.to_vec()),
            IPVS_DEST_ATTR_PORT => {
                DestAttr::Port(parse_u16_be(p).context("invalid IPVS_DEST_ATTR_PORT")?)
            }
            IPVS_DEST_ATTR_FWD_METHOD => DestAttr::FwdMethod(u32_of()?),
            IPVS_DEST_ATTR_WEIGHT => DestAttr::Weight(u32_of()?),
            IPVS_DEST_ATTR_U_THRESH => DestAttr::UThresh(u32_of()?),
            IPVS_DEST_ATTR_L_THRESH => DestAttr::LThresh(u32_of()?),
            IPVS_DEST_ATTR_ACTIVE_CONNS => DestAttr::ActiveConns(u32_of()?),
            IPVS_DEST_ATTR_INACT_CONNS => DestAttr::InactConns(u32_of()?),
            IPVS_DEST_ATTR_PERSIST_CONNS => DestAttr::PersistConns(u32_of()?),
            IPVS_DEST_ATTR_STATS => {
                DestAttr::Stats(parse_nested(p).context("invalid IPVS_DEST_ATTR_STATS")?)
            }
            IPVS_DEST_ATTR_ADDR_FAMILY => {
                DestAttr::AddrFamily(parse_u16(p).context("invalid IPVS_DEST_ATTR_ADDR_FAMILY")?)
            }
            IPVS_DEST_ATTR_STATS64 => {
                DestAttr::Stats64(parse_nested(p).context("invalid IPVS_DEST_ATTR_STATS64")?)
            }
            IPVS_DEST_ATTR_TUN_TYPE => {
                DestAttr::TunType(parse_u8(p).context("invalid IPVS_DEST_ATTR_TUN_TYPE")?)
            }
            IPVS_DEST_ATTR_TUN_PORT => {
                DestAttr::TunPort(parse_u16_be(p).context("invalid IPVS_DEST_ATTR_TUN_PORT")?)
            }
            IPVS_DEST_ATTR_TUN_FLAGS => {
                DestAttr::TunFlags(parse_u16(p).context("invalid IPVS_DEST_ATTR_TUN_FLAGS")?)
            }
            _ => DestAttr::Other(DefaultNla::parse(buf)?),
        })
    }
}
