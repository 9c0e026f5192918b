//! A reading of the table written as its changes against the reading before
//! it: per service and per real server only the fields that changed, the
//! counters as differences. A whole table (a keyframe) is the same encoding
//! against an empty table, so there is one path to write and to read.
//!
//! Items are matched by key; each says which item of the previous reading
//! it continues as a distance from the one expected (the next in order), so
//! an unchanged table is two bytes per service and compresses to nothing.

use std::collections::HashMap;

use super::wire::{malformed, put_addr, put_i64, put_u64, Bytes, Malformed};
use crate::model::{
    Dest, DestKey, Family, Forward, Info, Protocol, Service, ServiceEntry, ServiceFlags,
    ServiceKey, Snapshot, Stats, TunnelFlags, TunnelType,
};

// Which service fields follow (a bit each).
const S_SCHEDULER: u64 = 1 << 0;
const S_FLAGS: u64 = 1 << 1;
const S_TIMEOUT: u64 = 1 << 2;
const S_NETMASK: u64 = 1 << 3;
const S_PE: u64 = 1 << 4;
const S_STATS: u64 = 1 << 5;
const S_DESTS: u64 = 1 << 6;

// Which real-server fields follow.
const D_FORWARD: u64 = 1 << 0;
const D_WEIGHT: u64 = 1 << 1;
const D_UPPER: u64 = 1 << 2;
const D_LOWER: u64 = 1 << 3;
const D_TUN_TYPE: u64 = 1 << 4;
const D_TUN_PORT: u64 = 1 << 5;
const D_TUN_FLAGS: u64 = 1 << 6;
const D_ACTIVE: u64 = 1 << 7;
const D_INACTIVE: u64 = 1 << 8;
const D_PERSISTENT: u64 = 1 << 9;
const D_STATS: u64 = 1 << 10;

/// Room reserved ahead for a list, whatever count a file claims.
const CAPACITY_MAX: usize = 4096;

/// Appends `next` written against `prev` to `out`. `dests_moved`, when
/// known, says which of `next`'s services (by place) may have other real
/// servers than in `prev`: the others are not compared, so a poll that
/// re-read a ninth of a big table costs about a ninth. Same bytes either way.
pub fn encode_with(
    prev: &Snapshot,
    next: &Snapshot,
    dests_moved: Option<&[bool]>,
    out: &mut Vec<u8>,
) {
    put_u64(out, u64::from(next.info.version));
    put_u64(out, u64::from(next.info.conn_tab_size));
    let mut by_key: Option<HashMap<ServiceKey, usize>> = None;
    let mut expected = 0usize;
    put_u64(out, next.services.len() as u64);
    for (j, entry) in next.services.iter().enumerate() {
        let key = entry.service.key;
        let found = if prev.services.get(expected).map(|e| e.service.key) == Some(key) {
            Some(expected)
        } else {
            by_key
                .get_or_insert_with(|| {
                    prev.services
                        .iter()
                        .enumerate()
                        .map(|(i, e)| (e.service.key, i))
                        .collect()
                })
                .get(&key)
                .copied()
        };
        match found {
            Some(i) => {
                put_u64(out, reference(i, expected));
                expected = i + 1;
                let moved = dests_moved.is_none_or(|m| m.get(j).copied().unwrap_or(true));
                encode_service(&prev.services[i], entry, moved, out);
            }
            None => {
                put_u64(out, 0);
                put_key(out, &key);
                let base = ServiceEntry {
                    service: Service::new(key, ""),
                    dests: Vec::new(),
                };
                encode_service(&base, entry, true, out);
            }
        }
    }
}

/// Turns `table` (the previous reading) into the reading written by
/// `encode` against it, in place: unchanged items are moved, never copied.
/// After an error `table` is unusable (the rest of its block is too).
pub fn decode(table: &mut Snapshot, bytes: &mut Bytes) -> Result<(), Malformed> {
    table.info = Info {
        version: bytes.u32()?,
        conn_tab_size: bytes.u32()?,
    };
    let n = bytes.count()?;
    let services = &mut table.services;
    // The usual tick: the same services in the same order (each the one
    // expected, reference 1), changed where they stand.
    let mut k = 0;
    while k < n && k < services.len() && bytes.peek() == Some(1) {
        bytes.u8()?;
        decode_service(&mut services[k], bytes)?;
        k += 1;
    }
    if k == n && k == services.len() {
        return Ok(());
    }
    // Otherwise the rest by reference, the first k already in place.
    let (mut slots, mut decoded) = split_taken(std::mem::take(services), k, n);
    let mut expected = k;
    for _ in k..n {
        let r = bytes.u64()?;
        if r == 0 {
            let mut entry = ServiceEntry {
                service: Service::new(get_key(bytes)?, ""),
                dests: Vec::new(),
            };
            decode_service(&mut entry, bytes)?;
            decoded.push(entry);
        } else {
            let (i, mut entry) = referenced(r, expected, &mut slots)?;
            expected = i + 1;
            decode_service(&mut entry, bytes)?;
            decoded.push(entry);
        }
    }
    *services = decoded;
    Ok(())
}

/// The previous list as slots a reference takes from, its first `k` items
/// taken already (decoded in place) and moved to the new list.
fn split_taken<T>(prev: Vec<T>, k: usize, n: usize) -> (Vec<Option<T>>, Vec<T>) {
    let mut slots: Vec<Option<T>> = prev.into_iter().map(Some).collect();
    let mut decoded = Vec::with_capacity(n.min(CAPACITY_MAX).max(k));
    decoded.extend(slots[..k].iter_mut().filter_map(Option::take));
    (slots, decoded)
}

/// The previous item `i` as a distance from `expected`, zigzagged, plus one
/// (zero means a new item).
fn reference(i: usize, expected: usize) -> u64 {
    let d = i as i64 - expected as i64;
    ((d << 1) ^ (d >> 63)) as u64 + 1
}

/// The previous item a reference names, taken out of `slots`. Each may be
/// named once: keys are unique in a table, and a file naming a big item
/// over and over must not make the reader build a table far larger than
/// the file.
fn referenced<T>(
    r: u64,
    expected: usize,
    slots: &mut [Option<T>],
) -> Result<(usize, T), Malformed> {
    let z = r - 1;
    let d = ((z >> 1) as i64) ^ -((z & 1) as i64);
    let len = slots.len();
    let taken = (expected as i64)
        .checked_add(d)
        .filter(|&i| i >= 0 && (i as usize) < len)
        .and_then(|i| slots[i as usize].take().map(|item| (i as usize, item)));
    taken.ok_or_else(|| {
        malformed(format!(
            "a reference to item {expected}{d:+} of {len}, or twice to one"
        ))
    })
}

fn put_key(out: &mut Vec<u8>, key: &ServiceKey) {
    match key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            out.push(0);
            put_u64(out, u64::from(protocol.number()));
            put_addr(out, addr);
            put_u64(out, u64::from(*port));
        }
        ServiceKey::Fwmark { family, mark } => {
            out.push(1);
            put_u64(out, u64::from(family.to_af()));
            put_u64(out, u64::from(*mark));
        }
    }
}

fn get_key(bytes: &mut Bytes) -> Result<ServiceKey, Malformed> {
    match bytes.u8()? {
        0 => {
            let n = bytes.u16()?;
            let protocol =
                Protocol::from_number(n).ok_or_else(|| malformed(format!("protocol {n}")))?;
            Ok(ServiceKey::Addr {
                protocol,
                addr: bytes.addr()?,
                port: bytes.u16()?,
            })
        }
        1 => {
            let af = bytes.u16()?;
            let family = Family::from_af(af).ok_or_else(|| malformed(format!("family {af}")))?;
            Ok(ServiceKey::Fwmark {
                family,
                mark: bytes.u32()?,
            })
        }
        k => Err(malformed(format!("service key kind {k}"))),
    }
}

/// `dests_moved` false: the caller knows the real servers are the same.
fn encode_service(prev: &ServiceEntry, next: &ServiceEntry, dests_moved: bool, out: &mut Vec<u8>) {
    let (p, n) = (&prev.service, &next.service);
    let mut mask = 0;
    mask |= bit(p.scheduler != n.scheduler, S_SCHEDULER);
    mask |= bit(p.flags != n.flags, S_FLAGS);
    mask |= bit(p.timeout != n.timeout, S_TIMEOUT);
    mask |= bit(p.netmask != n.netmask, S_NETMASK);
    mask |= bit(p.pe_name != n.pe_name, S_PE);
    mask |= bit(p.stats != n.stats, S_STATS);
    mask |= bit(dests_moved && prev.dests != next.dests, S_DESTS);
    put_u64(out, mask);
    if mask & S_SCHEDULER != 0 {
        super::wire::put_str(out, &n.scheduler);
    }
    if mask & S_FLAGS != 0 {
        put_u64(out, u64::from(n.flags.0));
    }
    if mask & S_TIMEOUT != 0 {
        put_u64(out, u64::from(n.timeout));
    }
    if mask & S_NETMASK != 0 {
        put_u64(out, u64::from(n.netmask));
    }
    if mask & S_PE != 0 {
        match &n.pe_name {
            None => out.push(0),
            Some(pe) => {
                out.push(1);
                super::wire::put_str(out, pe);
            }
        }
    }
    if mask & S_STATS != 0 {
        encode_stats(&p.stats, &n.stats, out);
    }
    if mask & S_DESTS != 0 {
        encode_dests(&prev.dests, &next.dests, out);
    }
}

fn decode_service(entry: &mut ServiceEntry, bytes: &mut Bytes) -> Result<(), Malformed> {
    let mask = bytes.u64()?;
    let s = &mut entry.service;
    if mask & S_SCHEDULER != 0 {
        s.scheduler = bytes.str()?;
    }
    if mask & S_FLAGS != 0 {
        s.flags = ServiceFlags(bytes.u32()?);
    }
    if mask & S_TIMEOUT != 0 {
        s.timeout = bytes.u32()?;
    }
    if mask & S_NETMASK != 0 {
        s.netmask = bytes.u32()?;
    }
    if mask & S_PE != 0 {
        s.pe_name = match bytes.u8()? {
            0 => None,
            1 => Some(bytes.str()?),
            b => return Err(malformed(format!("persistence engine tag {b}"))),
        };
    }
    if mask & S_STATS != 0 {
        decode_stats(&mut s.stats, bytes)?;
    }
    if mask & S_DESTS != 0 {
        decode_dests(&mut entry.dests, bytes)?;
    }
    Ok(())
}

fn encode_dests(prev: &[Dest], next: &[Dest], out: &mut Vec<u8>) {
    let mut by_key: Option<HashMap<DestKey, usize>> = None;
    let mut expected = 0usize;
    put_u64(out, next.len() as u64);
    for d in next {
        let key = d.key();
        let found = if prev.get(expected).map(Dest::key) == Some(key) {
            Some(expected)
        } else {
            by_key
                .get_or_insert_with(|| prev.iter().enumerate().map(|(i, d)| (d.key(), i)).collect())
                .get(&key)
                .copied()
        };
        match found {
            Some(i) => {
                put_u64(out, reference(i, expected));
                expected = i + 1;
                encode_dest(&prev[i], d, out);
            }
            None => {
                put_u64(out, 0);
                put_addr(out, &d.addr);
                put_u64(out, u64::from(d.port));
                encode_dest(&Dest::new(d.addr, d.port), d, out);
            }
        }
    }
}

fn decode_dests(dests: &mut Vec<Dest>, bytes: &mut Bytes) -> Result<(), Malformed> {
    let n = bytes.count()?;
    // As the services: in place while each is the one expected.
    let mut k = 0;
    while k < n && k < dests.len() && bytes.peek() == Some(1) {
        bytes.u8()?;
        decode_dest(&mut dests[k], bytes)?;
        k += 1;
    }
    if k == n && k == dests.len() {
        return Ok(());
    }
    let (mut slots, mut decoded) = split_taken(std::mem::take(dests), k, n);
    let mut expected = k;
    for _ in k..n {
        let r = bytes.u64()?;
        let mut d = if r == 0 {
            let addr = bytes.addr()?;
            let port = bytes.u16()?;
            Dest::new(addr, port)
        } else {
            let (i, d) = referenced(r, expected, &mut slots)?;
            expected = i + 1;
            d
        };
        decode_dest(&mut d, bytes)?;
        decoded.push(d);
    }
    *dests = decoded;
    Ok(())
}

fn encode_dest(p: &Dest, n: &Dest, out: &mut Vec<u8>) {
    let mut mask = 0;
    mask |= bit(p.forward != n.forward, D_FORWARD);
    mask |= bit(p.weight != n.weight, D_WEIGHT);
    mask |= bit(p.upper_threshold != n.upper_threshold, D_UPPER);
    mask |= bit(p.lower_threshold != n.lower_threshold, D_LOWER);
    mask |= bit(p.tun_type != n.tun_type, D_TUN_TYPE);
    mask |= bit(p.tun_port != n.tun_port, D_TUN_PORT);
    mask |= bit(p.tun_flags != n.tun_flags, D_TUN_FLAGS);
    mask |= bit(p.active_conns != n.active_conns, D_ACTIVE);
    mask |= bit(p.inactive_conns != n.inactive_conns, D_INACTIVE);
    mask |= bit(p.persistent_conns != n.persistent_conns, D_PERSISTENT);
    mask |= bit(p.stats != n.stats, D_STATS);
    put_u64(out, mask);
    if mask & D_FORWARD != 0 {
        put_u64(out, u64::from(n.forward.value()));
    }
    if mask & D_WEIGHT != 0 {
        put_u64(out, u64::from(n.weight));
    }
    if mask & D_UPPER != 0 {
        put_u64(out, u64::from(n.upper_threshold));
    }
    if mask & D_LOWER != 0 {
        put_u64(out, u64::from(n.lower_threshold));
    }
    if mask & D_TUN_TYPE != 0 {
        put_u64(out, u64::from(n.tun_type.value()));
    }
    if mask & D_TUN_PORT != 0 {
        put_u64(out, u64::from(n.tun_port));
    }
    if mask & D_TUN_FLAGS != 0 {
        put_u64(out, u64::from(n.tun_flags.0));
    }
    // Connection counts move by small steps: their differences are short.
    if mask & D_ACTIVE != 0 {
        put_i64(out, i64::from(n.active_conns) - i64::from(p.active_conns));
    }
    if mask & D_INACTIVE != 0 {
        put_i64(
            out,
            i64::from(n.inactive_conns) - i64::from(p.inactive_conns),
        );
    }
    if mask & D_PERSISTENT != 0 {
        put_i64(
            out,
            i64::from(n.persistent_conns) - i64::from(p.persistent_conns),
        );
    }
    if mask & D_STATS != 0 {
        encode_stats(&p.stats, &n.stats, out);
    }
}

fn decode_dest(d: &mut Dest, bytes: &mut Bytes) -> Result<(), Malformed> {
    let mask = bytes.u64()?;
    if mask & D_FORWARD != 0 {
        let v = bytes.u32()?;
        d.forward = Forward::from_value(v)
            .filter(|f| f.value() == v)
            .ok_or_else(|| malformed(format!("forwarding method {v}")))?;
    }
    if mask & D_WEIGHT != 0 {
        d.weight = bytes.u32()?;
    }
    if mask & D_UPPER != 0 {
        d.upper_threshold = bytes.u32()?;
    }
    if mask & D_LOWER != 0 {
        d.lower_threshold = bytes.u32()?;
    }
    if mask & D_TUN_TYPE != 0 {
        let v = bytes.u64()?;
        d.tun_type = u8::try_from(v)
            .ok()
            .and_then(TunnelType::from_value)
            .ok_or_else(|| malformed(format!("tunnel type {v}")))?;
    }
    if mask & D_TUN_PORT != 0 {
        d.tun_port = bytes.u16()?;
    }
    if mask & D_TUN_FLAGS != 0 {
        d.tun_flags = TunnelFlags(bytes.u16()?);
    }
    if mask & D_ACTIVE != 0 {
        d.active_conns = moved(d.active_conns, bytes.i64()?)?;
    }
    if mask & D_INACTIVE != 0 {
        d.inactive_conns = moved(d.inactive_conns, bytes.i64()?)?;
    }
    if mask & D_PERSISTENT != 0 {
        d.persistent_conns = moved(d.persistent_conns, bytes.i64()?)?;
    }
    if mask & D_STATS != 0 {
        decode_stats(&mut d.stats, bytes)?;
    }
    Ok(())
}

fn moved(from: u32, by: i64) -> Result<u32, Malformed> {
    i64::from(from)
        .checked_add(by)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| malformed("a connection count out of range"))
}

/// Counters as wrapping differences (a counter that restarted is one long
/// difference, not an error), with a bit per counter that moved.
fn encode_stats(p: &Stats, n: &Stats, out: &mut Vec<u8>) {
    let (p, n) = (p.fields(), n.fields());
    let mask = (0..10).fold(0u64, |m, i| m | bit(p[i] != n[i], 1 << i));
    put_u64(out, mask);
    for i in 0..10 {
        if mask & (1 << i) != 0 {
            put_i64(out, n[i].wrapping_sub(p[i]) as i64);
        }
    }
}

fn decode_stats(s: &mut Stats, bytes: &mut Bytes) -> Result<(), Malformed> {
    let mask = bytes.u64()?;
    if mask >= 1 << 10 {
        return Err(malformed(format!("counter mask {mask:#x}")));
    }
    for (i, field) in s.fields_mut().into_iter().enumerate() {
        if mask & (1 << i) != 0 {
            *field = field.wrapping_add(bytes.i64()? as u64);
        }
    }
    Ok(())
}

fn bit(set: bool, b: u64) -> u64 {
    if set {
        b
    } else {
        0
    }
}
