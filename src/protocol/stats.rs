//! The statistics nest (IPVS_*_ATTR_STATS and IPVS_*_ATTR_STATS64).
//!
//! One enum serves both groups: the kernel sends u32 counters in STATS
//! (except the u64 byte counters) and u64 everywhere in STATS64, so each
//! value keeps the width it arrived with and is emitted back at that width.

use netlink_packet_core::{
    emit_u32, emit_u64, parse_u32, parse_u64, DecodeError, DefaultNla, ErrorContext, Nla,
    NlaBuffer, Parseable,
};

pub const IPVS_STATS_ATTR_CONNS: u16 = 1;
pub const IPVS_STATS_ATTR_INPKTS: u16 = 2;
pub const IPVS_STATS_ATTR_OUTPKTS: u16 = 3;
pub const IPVS_STATS_ATTR_INBYTES: u16 = 4;
pub const IPVS_STATS_ATTR_OUTBYTES: u16 = 5;
pub const IPVS_STATS_ATTR_CPS: u16 = 6;
pub const IPVS_STATS_ATTR_INPPS: u16 = 7;
pub const IPVS_STATS_ATTR_OUTPPS: u16 = 8;
pub const IPVS_STATS_ATTR_INBPS: u16 = 9;
pub const IPVS_STATS_ATTR_OUTBPS: u16 = 10;
pub const IPVS_STATS_ATTR_PAD: u16 = 11;

/// A counter as it travelled: 4 or 8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    U32(u32),
    U64(u64),
}

impl Counter {
    pub fn get(self) -> u64 {
        match self {
            Counter::U32(v) => u64::from(v),
            Counter::U64(v) => v,
        }
    }

    fn len(self) -> usize {
        match self {
            Counter::U32(_) => 4,
            Counter::U64(_) => 8,
        }
    }

    fn emit(self, buf: &mut [u8]) {
        match self {
            Counter::U32(v) => emit_u32(buf, v).unwrap(),
            Counter::U64(v) => emit_u64(buf, v).unwrap(),
        }
    }

    fn parse(payload: &[u8]) -> Result<Counter, DecodeError> {
        match payload.len() {
            4 => Ok(Counter::U32(parse_u32(payload)?)),
            8 => Ok(Counter::U64(parse_u64(payload)?)),
            n => Err(DecodeError::from(format!(
                "a statistics counter is 4 or 8 bytes, got {n}"
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatsAttr {
    Conns(Counter),
    InPkts(Counter),
    OutPkts(Counter),
    InBytes(Counter),
    OutBytes(Counter),
    Cps(Counter),
    InPps(Counter),
    OutPps(Counter),
    InBps(Counter),
    OutBps(Counter),
    /// Alignment padding for 64-bit values (nla_put_u64_64bit).
    Pad(Vec<u8>),
    Other(DefaultNla),
}

impl Nla for StatsAttr {
    fn value_len(&self) -> usize {
        use StatsAttr::*;
        match self {
            Conns(c) | InPkts(c) | OutPkts(c) | InBytes(c) | OutBytes(c) | Cps(c) | InPps(c)
            | OutPps(c) | InBps(c) | OutBps(c) => c.len(),
            Pad(v) => v.len(),
            Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        use StatsAttr::*;
        match self {
            Conns(_) => IPVS_STATS_ATTR_CONNS,
            InPkts(_) => IPVS_STATS_ATTR_INPKTS,
            OutPkts(_) => IPVS_STATS_ATTR_OUTPKTS,
            InBytes(_) => IPVS_STATS_ATTR_INBYTES,
            OutBytes(_) => IPVS_STATS_ATTR_OUTBYTES,
            Cps(_) => IPVS_STATS_ATTR_CPS,
            InPps(_) => IPVS_STATS_ATTR_INPPS,
            OutPps(_) => IPVS_STATS_ATTR_OUTPPS,
            InBps(_) => IPVS_STATS_ATTR_INBPS,
            OutBps(_) => IPVS_STATS_ATTR_OUTBPS,
            Pad(_) => IPVS_STATS_ATTR_PAD,
            Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        use StatsAttr::*;
        match self {
            Conns(c) | InPkts(c) | OutPkts(c) | InBytes(c) | OutBytes(c) | Cps(c) | InPps(c)
            | OutPps(c) | InBps(c) | OutBps(c) => c.emit(buffer),
            Pad(v) => buffer.copy_from_slice(v),
            Other(nla) => nla.emit_value(buffer),
        }
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&'a T>> for StatsAttr {
    fn parse(buf: &NlaBuffer<&'a T>) -> Result<Self, DecodeError> {
        let payload = buf.value();
        let counter = || {
            Counter::parse(payload)
                .with_context(|| format!("invalid IPVS_STATS_ATTR {}", buf.kind()))
        };
        Ok(match buf.kind() {
            IPVS_STATS_ATTR_CONNS => StatsAttr::Conns(counter()?),
            IPVS_STATS_ATTR_INPKTS => StatsAttr::InPkts(counter()?),
            IPVS_STATS_ATTR_OUTPKTS => StatsAttr::OutPkts(counter()?),
            IPVS_STATS_ATTR_INBYTES => StatsAttr::InBytes(counter()?),
            IPVS_STATS_ATTR_OUTBYTES => StatsAttr::OutBytes(counter()?),
            IPVS_STATS_ATTR_CPS => StatsAttr::Cps(counter()?),
            IPVS_STATS_ATTR_INPPS => StatsAttr::InPps(counter()?),
            IPVS_STATS_ATTR_OUTPPS => StatsAttr::OutPps(counter()?),
            IPVS_STATS_ATTR_INBPS => StatsAttr::InBps(counter()?),
            IPVS_STATS_ATTR_OUTBPS => StatsAttr::OutBps(counter()?),
            IPVS_STATS_ATTR_PAD => StatsAttr::Pad(payload.to_vec()),
            _ => StatsAttr::Other(DefaultNla::parse(buf)?),
        })
    }
}
