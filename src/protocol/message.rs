//! The IPVS generic-netlink message: a command and its top-level attributes.

use netlink_packet_core::{
    emit_u32, parse_u32, DecodeError, DefaultNla, Emitable, ErrorContext, Nla, NlaBuffer,
    NlasIterator, Parseable, ParseableParametrized,
};
use netlink_packet_generic::{GenlFamily, GenlHeader};

use super::command::IpvsCmd;
use super::daemon::DaemonAttr;
use super::dest::DestAttr;
use super::info::InfoAttr;
use super::nest::{parse_nested, NESTED};
use super::service::ServiceAttr;

/// Generic-netlink family name and version (IPVS_GENL_NAME / IPVS_GENL_VERSION).
pub const IPVS_GENL_NAME: &str = "IPVS";
pub const IPVS_GENL_VERSION: u8 = 1;

pub const IPVS_CMD_ATTR_SERVICE: u16 = 1;
pub const IPVS_CMD_ATTR_DEST: u16 = 2;
pub const IPVS_CMD_ATTR_DAEMON: u16 = 3;
pub const IPVS_CMD_ATTR_TIMEOUT_TCP: u16 = 4;
pub const IPVS_CMD_ATTR_TIMEOUT_TCP_FIN: u16 = 5;
pub const IPVS_CMD_ATTR_TIMEOUT_UDP: u16 = 6;

/// A top-level attribute.
///
/// The same numbers mean different things depending on the command: in the
/// GET_INFO reply (cmd SET_INFO) type 1 is IPVS_INFO_ATTR_VERSION, not a
/// service nest. So parsing takes the command (see [`IpvsAttr::parse_for`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpvsAttr {
    Service(Vec<ServiceAttr>),
    Dest(Vec<DestAttr>),
    Daemon(Vec<DaemonAttr>),
    TimeoutTcp(u32),
    TimeoutTcpFin(u32),
    TimeoutUdp(u32),
    /// Only in SET_INFO (the GET_INFO reply).
    Info(InfoAttr),
    Other(DefaultNla),
}

impl Nla for IpvsAttr {
    fn value_len(&self) -> usize {
        use IpvsAttr::*;
        match self {
            Service(n) => n.as_slice().buffer_len(),
            Dest(n) => n.as_slice().buffer_len(),
            Daemon(n) => n.as_slice().buffer_len(),
            TimeoutTcp(_) | TimeoutTcpFin(_) | TimeoutUdp(_) => 4,
            Info(a) => a.value_len(),
            Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        use IpvsAttr::*;
        match self {
            Service(_) => IPVS_CMD_ATTR_SERVICE | NESTED,
            Dest(_) => IPVS_CMD_ATTR_DEST | NESTED,
            Daemon(_) => IPVS_CMD_ATTR_DAEMON | NESTED,
            TimeoutTcp(_) => IPVS_CMD_ATTR_TIMEOUT_TCP,
            TimeoutTcpFin(_) => IPVS_CMD_ATTR_TIMEOUT_TCP_FIN,
            TimeoutUdp(_) => IPVS_CMD_ATTR_TIMEOUT_UDP,
            Info(a) => a.kind(),
            Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        use IpvsAttr::*;
        match self {
            Service(n) => n.as_slice().emit(buffer),
            Dest(n) => n.as_slice().emit(buffer),
            Daemon(n) => n.as_slice().emit(buffer),
            TimeoutTcp(v) | TimeoutTcpFin(v) | TimeoutUdp(v) => emit_u32(buffer, *v).unwrap(),
            Info(a) => a.emit_value(buffer),
            Other(nla) => nla.emit_value(buffer),
        }
    }
}

impl IpvsAttr {
    /// Parse one top-level attribute of a message carrying `cmd`.
    pub fn parse_for<T: AsRef<[u8]> + ?Sized>(
        cmd: IpvsCmd,
        buf: &NlaBuffer<&T>,
    ) -> Result<IpvsAttr, DecodeError> {
        if cmd == IpvsCmd::SetInfo {
            return Ok(IpvsAttr::Info(InfoAttr::parse(buf)?));
        }
        let p = buf.value();
        Ok(match buf.kind() {
            IPVS_CMD_ATTR_SERVICE => {
                IpvsAttr::Service(parse_nested(p).context("invalid IPVS_CMD_ATTR_SERVICE")?)
            }
            IPVS_CMD_ATTR_DEST => {
                IpvsAttr::Dest(parse_nested(p).context("invalid IPVS_CMD_ATTR_DEST")?)
            }
            IPVS_CMD_ATTR_DAEMON => {
                IpvsAttr::Daemon(parse_nested(p).context("invalid IPVS_CMD_ATTR_DAEMON")?)
            }
            IPVS_CMD_ATTR_TIMEOUT_TCP => {
                IpvsAttr::TimeoutTcp(parse_u32(p).context("invalid IPVS_CMD_ATTR_TIMEOUT_TCP")?)
            }
            IPVS_CMD_ATTR_TIMEOUT_TCP_FIN => IpvsAttr::TimeoutTcpFin(
                parse_u32(p).context("invalid IPVS_CMD_ATTR_TIMEOUT_TCP_FIN")?,
            ),
            IPVS_CMD_ATTR_TIMEOUT_UDP => {
                IpvsAttr::TimeoutUdp(parse_u32(p).context("invalid IPVS_CMD_ATTR_TIMEOUT_UDP")?)
            }
            _ => IpvsAttr::Other(DefaultNla::parse(buf)?),
        })
    }
}

/// One IPVS request or reply (the generic-netlink payload after the genl header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpvsMessage {
    pub cmd: IpvsCmd,
    pub nlas: Vec<IpvsAttr>,
}

impl IpvsMessage {
    pub fn new(cmd: IpvsCmd, nlas: Vec<IpvsAttr>) -> IpvsMessage {
        IpvsMessage { cmd, nlas }
    }
}

impl GenlFamily for IpvsMessage {
    fn family_name() -> &'static str {
        IPVS_GENL_NAME
    }

    fn command(&self) -> u8 {
        self.cmd.into()
    }

    fn version(&self) -> u8 {
        IPVS_GENL_VERSION
    }
}

impl Emitable for IpvsMessage {
    fn buffer_len(&self) -> usize {
        self.nlas.as_slice().buffer_len()
    }

    fn emit(&self, buffer: &mut [u8]) {
        self.nlas.as_slice().emit(buffer)
    }
}

impl ParseableParametrized<[u8], GenlHeader> for IpvsMessage {
    fn parse_with_param(buf: &[u8], header: GenlHeader) -> Result<Self, DecodeError> {
        let cmd = IpvsCmd::try_from(header.cmd)?;
        let nlas = NlasIterator::new(buf)
            .map(|nla| nla.and_then(|nla| IpvsAttr::parse_for(cmd, &nla)))
            .collect::<Result<Vec<_>, _>>()
            .context("failed to parse IPVS message attributes")?;
        Ok(IpvsMessage { cmd, nlas })
    }
}
