use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::Stats;

/// Address family, as the kernel's AF_INET / AF_INET6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    #[serde(rename = "inet")]
    V4,
    #[serde(rename = "inet6")]
    V6,
}

impl Family {
    pub const AF_INET: u16 = libc::AF_INET as u16;
    pub const AF_INET6: u16 = libc::AF_INET6 as u16;

    pub fn of(addr: &IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }

    pub fn to_af(self) -> u16 {
        match self {
            Family::V4 => Self::AF_INET,
            Family::V6 => Self::AF_INET6,
        }
    }

    pub fn from_af(af: u16) -> Option<Family> {
        match af {
            Self::AF_INET => Some(Family::V4),
            Self::AF_INET6 => Some(Family::V6),
            _ => None,
        }
    }
}

/// Transport protocol of an address-based virtual service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    /// IANA protocol number, as IPVS_SVC_ATTR_PROTOCOL carries it.
    pub fn number(self) -> u16 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::Sctp => 132,
        }
    }

    pub fn from_number(n: u16) -> Option<Protocol> {
        match n {
            6 => Some(Protocol::Tcp),
            17 => Some(Protocol::Udp),
            132 => Some(Protocol::Sctp),
            _ => None,
        }
    }

    /// ipvsadm's column word: TCP, UDP, SCTP.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }
}

/// What identifies a virtual service: protocol + address + port, or a
/// firewall mark (with the family it applies to). Not editable once created,
/// as in ipvsadm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ServiceKey {
    Addr {
        protocol: Protocol,
        addr: IpAddr,
        port: u16,
    },
    Fwmark {
        family: Family,
        mark: u32,
    },
}

impl ServiceKey {
    pub fn family(&self) -> Family {
        match self {
            ServiceKey::Addr { addr, .. } => Family::of(addr),
            ServiceKey::Fwmark { family, .. } => *family,
        }
    }
}

/// IP_VS_SVC_F_* bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ServiceFlags(pub u32);

impl ServiceFlags {
    pub const PERSISTENT: u32 = 0x0001;
    pub const HASHED: u32 = 0x0002;
    pub const ONEPACKET: u32 = 0x0004;
    pub const SCHED1: u32 = 0x0008;
    pub const SCHED2: u32 = 0x0010;
    pub const SCHED3: u32 = 0x0020;

    pub fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }
}

/// A virtual service with its configuration and statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub key: ServiceKey,
    /// Scheduler name: rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos.
    pub scheduler: String,
    pub flags: ServiceFlags,
    /// Persistence timeout in seconds (meaningful with `ServiceFlags::PERSISTENT`).
    pub timeout: u32,
    /// Persistence netmask: an IPv4 mask as a host-order u32 (0xffffffff for /32)
    /// or, for IPv6 services, the prefix length (128 by default).
    pub netmask: u32,
    /// Persistence engine, e.g. `sip`.
    pub pe_name: Option<String>,
    pub stats: Stats,
}

impl Service {
    /// A service with ipvsadm's defaults (wlc, no persistence, /32 or /128).
    pub fn new(key: ServiceKey, scheduler: &str) -> Service {
        let netmask = match key.family() {
            Family::V4 => 0xffff_ffff,
            Family::V6 => 128,
        };
        Service {
            key,
            scheduler: scheduler.to_string(),
            flags: ServiceFlags::default(),
            timeout: 0,
            netmask,
            pe_name: None,
            stats: Stats::default(),
        }
    }
}
