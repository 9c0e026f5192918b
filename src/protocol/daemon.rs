//! IPVS_DAEMON_ATTR_*: the connection-sync daemon nest (IPVS_CMD_ATTR_DAEMON).

use std::net::{Ipv4Addr, Ipv6Addr};

use netlink_packet_core::{
    emit_u16, emit_u32, parse_u16, parse_u32, parse_u8, DecodeError, DefaultNla, ErrorContext, Nla,
    NlaBuffer, Parseable,
};

use super::nest::{emit_string, parse_cstring, string_len};

pub const IPVS_DAEMON_ATTR_STATE: u16 = 1;
pub const IPVS_DAEMON_ATTR_MCAST_IFN: u16 = 2;
pub const IPVS_DAEMON_ATTR_SYNC_ID: u16 = 3;
pub const IPVS_DAEMON_ATTR_SYNC_MAXLEN: u16 = 4;
pub const IPVS_DAEMON_ATTR_MCAST_GROUP: u16 = 5;
pub const IPVS_DAEMON_ATTR_MCAST_GROUP6: u16 = 6;
pub const IPVS_DAEMON_ATTR_MCAST_PORT: u16 = 7;
pub const IPVS_DAEMON_ATTR_MCAST_TTL: u16 = 8;

/// IP_VS_STATE_MASTER / IP_VS_STATE_BACKUP.
pub const IP_VS_STATE_MASTER: u32 = 1;
pub const IP_VS_STATE_BACKUP: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaemonAttr {
    State(u32),
    McastIfn(String),
    SyncId(u32),
    SyncMaxlen(u16),
    McastGroup(Ipv4Addr),
    McastGroup6(Ipv6Addr),
    McastPort(u16),
    McastTtl(u8),
    Other(DefaultNla),
}

impl Nla for DaemonAttr {
    fn value_len(&self) -> usize {
        use DaemonAttr::*;
        match self {
            State(_) | SyncId(_) => 4,
            McastIfn(s) => string_len(s),
            SyncMaxlen(_) | McastPort(_) => 2,
            McastGroup(_) => 4,
            McastGroup6(_) => 16,
            McastTtl(_) => 1,
            Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        use DaemonAttr::*;
        match self {
            State(_) => IPVS_DAEMON_ATTR_STATE,
            McastIfn(_) => IPVS_DAEMON_ATTR_MCAST_IFN,
            SyncId(_) => IPVS_DAEMON_ATTR_SYNC_ID,
            SyncMaxlen(_) => IPVS_DAEMON_ATTR_SYNC_MAXLEN,
            McastGroup(_) => IPVS_DAEMON_ATTR_MCAST_GROUP,
            McastGroup6(_) => IPVS_DAEMON_ATTR_MCAST_GROUP6,
            McastPort(_) => IPVS_DAEMON_ATTR_MCAST_PORT,
            McastTtl(_) => IPVS_DAEMON_ATTR_MCAST_TTL,
            Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        use DaemonAttr::*;
        match self {
            State(v) | SyncId(v) => emit_u32(buffer, *v).unwrap(),
            McastIfn(s) => emit_string(buffer, s),
            SyncMaxlen(v) | McastPort(v) => emit_u16(buffer, *v).unwrap(),
            McastGroup(a) => buffer.copy_from_slice(&a.octets()),
            McastGroup6(a) => buffer.copy_from_slice(&a.octets()),
            McastTtl(v) => buffer[0] = *v,
            Other(nla) => nla.emit_value(buffer),
        }
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&'a T>> for DaemonAttr {
    fn parse(buf: &NlaBuffer<&'a T>) -> Result<Self, DecodeError> {
        let p = buf.value();
        Ok(match buf.kind() {
            IPVS_DAEMON_ATTR_STATE => {
                DaemonAttr::State(parse_u32(p).context("invalid IPVS_DAEMON_ATTR_STATE")?)
            }
            IPVS_DAEMON_ATTR_MCAST_IFN => DaemonAttr::McastIfn(
                parse_cstring(p).context("invalid IPVS_DAEMON_ATTR_MCAST_IFN")?,
            ),
            IPVS_DAEMON_ATTR_SYNC_ID => {
                DaemonAttr::SyncId(parse_u32(p).context("invalid IPVS_DAEMON_ATTR_SYNC_ID")?)
            }
            IPVS_DAEMON_ATTR_SYNC_MAXLEN => DaemonAttr::SyncMaxlen(
                parse_u16(p).context("invalid IPVS_DAEMON_ATTR_SYNC_MAXLEN")?,
            ),
            IPVS_DAEMON_ATTR_MCAST_GROUP => {
                let o: [u8; 4] = p.try_into().map_err(|_| {
                    DecodeError::from("invalid IPVS_DAEMON_ATTR_MCAST_GROUP: not 4 bytes")
                })?;
                DaemonAttr::McastGroup(Ipv4Addr::from(o))
            }
            IPVS_DAEMON_ATTR_MCAST_GROUP6 => {
                let o: [u8; 16] = p.try_into().map_err(|_| {
                    DecodeError::from("invalid IPVS_DAEMON_ATTR_MCAST_GROUP6: not 16 bytes")
                })?;
                DaemonAttr::McastGroup6(Ipv6Addr::from(o))
            }
            IPVS_DAEMON_ATTR_MCAST_PORT => {
                DaemonAttr::McastPort(parse_u16(p).context("invalid IPVS_DAEMON_ATTR_MCAST_PORT")?)
            }
            IPVS_DAEMON_ATTR_MCAST_TTL => {
                DaemonAttr::McastTtl(parse_u8(p).context("invalid IPVS_DAEMON_ATTR_MCAST_TTL")?)
            }
            _ => DaemonAttr::Other(DefaultNla::parse(buf)?),
        })
    }
}
