//! Reading one option's value, with ipvsadm's ranges: each reader gives the
//! value or the refusal for that option alone.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::model::{Family, ServiceFlags, TunnelType};

use super::error::RuleError;
use super::{PERSISTENCE_ENGINES, SCHEDULERS};

/// ipvsadm's MAX_TIMEOUT: 31 days.
pub const MAX_TIMEOUT: u32 = 86400 * 31;
/// IPVS_SVC_PERSISTENT_TIMEOUT (6*60) in ipvsadm's libipvs/ip_vs.h: `-p` without a
/// value. The man page says 300; the binary and the golden captures say 360.
pub const DEFAULT_PERSISTENT_TIMEOUT: u32 = 360;
/// Debian's ipvsadm takes weights and thresholds up to INT_MAX, as the kernel does.
const MAX_WEIGHT: u64 = i32::MAX as u64;

/// An address option before its family is known to agree with the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddrPort {
    pub addr: IpAddr,
    pub port: Option<u16>,
}

/// string_to_number: a whole decimal number within [min, max].
pub fn number(s: &str, min: u64, max: u64) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u64>().ok().filter(|n| (min..=max).contains(n))
}

/// parse_service: `a.b.c.d[:port]`, `[v6]:port`, or a bare v6 address.
fn addr_port(s: &str) -> Option<AddrPort> {
    if s.is_empty() || s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let port = |p: &str| number(p, 0, 65535).map(|n| n as u16);
    if let Some(rest) = s.strip_prefix('[') {
        let (a, after) = rest.split_once(']')?;
        let p = after.strip_prefix(':')?;
        let addr: Ipv6Addr = a.parse().ok()?;
        return Some(AddrPort {
            addr: IpAddr::V6(addr),
            port: Some(port(p)?),
        });
    }
    if let Ok(a) = s.parse::<Ipv6Addr>() {
        return Some(AddrPort {
            addr: IpAddr::V6(a),
            port: None,
        });
    }
    let (a, p) = match s.rsplit_once(':') {
        Some((a, p)) => (a, Some(port(p)?)),
        None => (s, None),
    };
    let addr: Ipv4Addr = a.parse().ok()?;
    Some(AddrPort {
        addr: IpAddr::V4(addr),
        port: p,
    })
}

/// `-t`/`-u`/`--sctp-service`'s value.
pub fn service_address(s: &str) -> Result<AddrPort, RuleError> {
    addr_port(s).ok_or_else(|| RuleError::ServiceAddress(s.to_string()))
}

/// `-r`'s value.
pub fn server_address(s: &str) -> Result<AddrPort, RuleError> {
    addr_port(s).ok_or_else(|| RuleError::ServerAddress(s.to_string()))
}

/// An address alone, as ipvsadm reads the address part of `-t` or `-r`:
/// a dotted quad, an IPv6 address, or one in brackets (`[2001:db8::1]`).
pub fn address(s: &str) -> Option<IpAddr> {
    if let Some(v6) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    match addr_port(s)? {
        AddrPort { addr, port: None } => Some(addr),
        _ => None,
    }
}

pub fn fwmark(s: &str) -> Result<u32, RuleError> {
    number(s, 1, u64::from(u32::MAX))
        .map(|n| n as u32)
        .ok_or_else(|| RuleError::Fwmark(s.to_string()))
}

pub fn scheduler(s: &str) -> Result<String, RuleError> {
    match SCHEDULERS.contains(&s) {
        true => Ok(s.to_string()),
        false => Err(RuleError::UnknownScheduler(s.to_string())),
    }
}

pub fn engine(s: &str) -> Result<String, RuleError> {
    match PERSISTENCE_ENGINES.contains(&s) {
        true => Ok(s.to_string()),
        false => Err(RuleError::UnknownEngine(s.to_string())),
    }
}

/// `-p`'s timeout (1 s up), or `--set`'s (0 up).
pub fn timeout(s: &str, min: u32) -> Result<u32, RuleError> {
    number(s, u64::from(min), u64::from(MAX_TIMEOUT))
        .map(|n| n as u32)
        .ok_or_else(|| RuleError::Timeout {
            value: s.to_string(),
            min,
        })
}

pub fn weight(s: &str) -> Result<u32, RuleError> {
    number(s, 0, MAX_WEIGHT)
        .map(|n| n as u32)
        .ok_or_else(|| RuleError::Weight(s.to_string()))
}

pub fn upper_threshold(s: &str) -> Result<u32, RuleError> {
    number(s, 0, MAX_WEIGHT)
        .map(|n| n as u32)
        .ok_or_else(|| RuleError::UpperThreshold(s.to_string()))
}

pub fn lower_threshold(s: &str) -> Result<u32, RuleError> {
    number(s, 0, MAX_WEIGHT)
        .map(|n| n as u32)
        .ok_or_else(|| RuleError::LowerThreshold(s.to_string()))
}

pub fn tunnel_type(s: &str) -> Result<TunnelType, RuleError> {
    match s {
        "ipip" => Ok(TunnelType::Ipip),
        "gue" => Ok(TunnelType::Gue),
        "gre" => Ok(TunnelType::Gre),
        _ => Err(RuleError::TunnelType(s.to_string())),
    }
}

pub fn tunnel_port(s: &str) -> Result<u16, RuleError> {
    number(s, 1, 65535)
        .map(|n| n as u16)
        .ok_or_else(|| RuleError::TunnelPort(s.to_string()))
}

/// parse_netmask / the IPv6 prefix branch of `-M`.
pub fn netmask(family: Family, s: &str) -> Result<u32, RuleError> {
    match family {
        Family::V4 => {
            let m: Ipv4Addr = s.parse().map_err(|_| RuleError::Netmask(s.to_string()))?;
            let m = u32::from(m);
            // The kernel masks client addresses with it: only a prefix makes sense.
            if m.leading_ones() + m.trailing_zeros() != 32 {
                return Err(RuleError::NonContiguousNetmask(s.to_string()));
            }
            Ok(m)
        }
        Family::V6 => number(s, 1, 128)
            .map(|n| n as u32)
            .ok_or_else(|| RuleError::Ipv6Prefix(s.to_string())),
    }
}

/// parse_sched_flags, against the scheduler they are for.
pub fn sched_flags(scheduler: &str, list: &str) -> Result<u32, RuleError> {
    let mut flags = 0;
    for flag in list.split(',').filter(|f| !f.is_empty()) {
        let (bit, only) = match flag {
            "flag-1" => (ServiceFlags::SCHED1, None),
            "flag-2" => (ServiceFlags::SCHED2, None),
            "flag-3" => (ServiceFlags::SCHED3, None),
            "sh-fallback" => (ServiceFlags::SCHED1, Some("sh")),
            "sh-port" => (ServiceFlags::SCHED2, Some("sh")),
            "mh-fallback" => (ServiceFlags::SCHED1, Some("mh")),
            "mh-port" => (ServiceFlags::SCHED2, Some("mh")),
            _ => return Err(RuleError::SchedFlag(flag.to_string())),
        };
        if only.is_some_and(|s| s != scheduler) {
            return Err(RuleError::IncompatibleSchedFlag {
                flag: flag.to_string(),
                scheduler: scheduler.to_string(),
            });
        }
        flags |= bit;
    }
    Ok(flags)
}
