//! `--start-daemon` and `--stop-daemon` as ipvsadm 1.31 parses them: each
//! option's value with ipvsadm's range, its default interface (eth0), and
//! the change. Value readers are public one by one, for a form's fields.

use std::net::IpAddr;

use crate::model::{Change, Interface, SyncDaemon, SyncRole, MAX_LEN_MAX};

use super::error::RuleError;
use super::options::Cmd;
use super::value::number;

/// ipvsadm's DEF_MCAST_IFN: the interface of a start that names none.
pub const DEFAULT_INTERFACE: &str = "eth0";

/// The daemon options of one command, each read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DaemonOptions {
    pub role: Option<SyncRole>,
    pub interface: Option<Interface>,
    pub sync_id: Option<u8>,
    pub max_len: Option<u16>,
    pub group: Option<IpAddr>,
    pub port: Option<u16>,
    pub ttl: Option<u8>,
}

/// `master` or `backup`, the value of `--start-daemon` / `--stop-daemon`.
pub fn role(cmd: Cmd, s: &str) -> Result<SyncRole, RuleError> {
    SyncRole::parse(s).ok_or_else(|| RuleError::DaemonRole {
        cmd,
        value: s.to_string(),
    })
}

/// `--mcast-interface`: a name the kernel could have (ipvsadm cuts a long
/// one to 15 bytes without a word; lvstop refuses it).
pub fn interface(s: &str) -> Result<Interface, RuleError> {
    Interface::new(s).map_err(RuleError::Interface)
}

/// `--syncid`: 0 to 255.
pub fn sync_id(s: &str) -> Result<u8, RuleError> {
    number(s, 0, 255)
        .map(|n| n as u8)
        .ok_or_else(|| RuleError::SyncId(s.to_string()))
}

/// `--sync-maxlen`: 1 to 65507 (65535 less the IPv4 and UDP headers).
pub fn max_len(s: &str) -> Result<u16, RuleError> {
    number(s, 1, u64::from(MAX_LEN_MAX))
        .map(|n| n as u16)
        .ok_or_else(|| RuleError::SyncMaxlen(s.to_string()))
}

/// `--mcast-group`: an IPv6 multicast address if it has a colon, else an
/// IPv4 one (224.0.0.0/4), as ipvsadm decides.
pub fn group(s: &str) -> Result<IpAddr, RuleError> {
    let addr: Option<IpAddr> = match s.contains(':') {
        true => s.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6),
        false => s.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4),
    };
    addr.filter(IpAddr::is_multicast)
        .ok_or_else(|| RuleError::McastGroup(s.to_string()))
}

/// `--mcast-port`: 1 to 65535.
pub fn port(s: &str) -> Result<u16, RuleError> {
    number(s, 1, 65535)
        .map(|n| n as u16)
        .ok_or_else(|| RuleError::McastPort(s.to_string()))
}

/// `--mcast-ttl`: 1 to 255.
pub fn ttl(s: &str) -> Result<u8, RuleError> {
    number(s, 1, 255)
        .map(|n| n as u8)
        .ok_or_else(|| RuleError::McastTtl(s.to_string()))
}

/// The change: a start with every option given (the rest left to the
/// kernel), or a stop. A stop's `--syncid` is read but not sent: the kernel
/// reads only the role of a stop.
pub fn change(cmd: Cmd, o: &DaemonOptions) -> Change {
    let role = o.role.expect("the command's own value");
    match cmd {
        Cmd::StopDaemon => Change::StopDaemon(role),
        _ => Change::StartDaemon(SyncDaemon {
            role,
            interface: o.interface.clone().unwrap_or_else(|| {
                Interface::new(DEFAULT_INTERFACE).expect("a valid interface name")
            }),
            sync_id: o.sync_id.unwrap_or(0),
            max_len: o.max_len,
            group: o.group,
            port: o.port,
            ttl: o.ttl,
        }),
    }
}
