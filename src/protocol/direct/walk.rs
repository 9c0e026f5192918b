//! The walk: one pass over a dump message's attributes that checks each
//! value by the nest's description and notes where each field lies, then
//! the reads of the fields from there. Every message a learnt decoder
//! cannot place is decoded here.

use netlink_packet_core::DecodeError;

use super::attrs::Attrs;
use super::fields::{
    bad_counter, cstring, DestField as D, DestLayout, Layout, Nest, Place, ServiceField as S,
    ServiceLayout, Wire, COUNTERS, DEST, SERVICE,
};
use crate::model::{Dest, Family, Service, Stats};
use crate::protocol::assemble::{RawDest, RawService};

/// A service from the payload (after the genl header) of a NEW_SERVICE
/// dump message.
pub fn service_from_payload(payload: &[u8]) -> Result<Service, DecodeError> {
    let layout = locate(payload, &SERVICE, None)?;
    read_service(payload, &layout)
}

/// A real server from the payload of a NEW_DEST dump message;
/// `service_family` when the kernel does not say the real server's own.
pub fn dest_from_payload(payload: &[u8], service_family: Family) -> Result<Dest, DecodeError> {
    let layout = locate(payload, &DEST, None)?;
    read_dest(payload, &layout, service_family)
}

/// Walks a dump message: the top-level attributes up to the first `nest`,
/// that nest's attributes (each field's value checked, in the order they
/// come), and the counters of the statistics group read. With `headers`,
/// the offset of every attribute header walked over is noted.
pub(super) fn locate<const N: usize>(
    payload: &[u8],
    nest: &Nest<N>,
    mut headers: Option<&mut Vec<u32>>,
) -> Result<Layout<N>, DecodeError> {
    let base = payload.as_ptr() as usize;
    let mut place = |v: &[u8]| -> Place {
        let at = v.as_ptr() as usize - base;
        if let Some(h) = headers.as_deref_mut() {
            h.push((at - 4) as u32);
        }
        Some((at as u32, v.len() as u32))
    };
    let mut top = Attrs::new(payload);
    let mut inner = None;
    for (kind, v) in top.by_ref() {
        place(v);
        if kind == nest.attr {
            inner = Some(v);
            break;
        }
    }
    top.finish()?;
    let inner = inner.ok_or_else(|| DecodeError::from(format!("message without {}", nest.name)))?;
    let mut layout = Layout::<N>::default();
    let (mut st, mut st64) = (None, None);
    let mut walk = Attrs::new(inner);
    for (kind, v) in walk.by_ref() {
        let here = place(v);
        if kind == nest.stats {
            st = Some(v);
        } else if kind == nest.stats64 {
            st64 = Some(v);
        } else if let Some(i) = nest.slot(kind) {
            let field = &nest.fields[i];
            field.check(v)?;
            layout.repeated_name |= field.wire == Wire::Name && layout.fields[i].is_some();
            layout.fields[i] = here;
        }
    }
    walk.finish()?;
    // The group not used is not read (reading both is costly): the typed
    // path would refuse a damaged 32-bit group beside a good 64-bit one,
    // this one shows the 64-bit figures.
    if let Some(group) = st64.or(st) {
        let mut counters = Attrs::new(group);
        for (kind, v) in counters.by_ref() {
            let here = place(v);
            if let Some(slot) = layout.counters.get_mut((kind as usize).wrapping_sub(1)) {
                if v.len() != 4 && v.len() != 8 {
                    return Err(bad_counter(kind, v.len()));
                }
                *slot = here;
            }
        }
        counters.finish()?;
    }
    Ok(layout)
}

/// The bytes at a place, which a walk of `payload` found.
fn bytes(payload: &[u8], (o, l): (u32, u32)) -> &[u8] {
    &payload[o as usize..(o + l) as usize]
}

/// A counter of either width.
#[inline(always)]
fn counter(payload: &[u8], place: Place) -> u64 {
    match place {
        Some((o, 8)) => u64::from_ne_bytes(bytes(payload, (o, 8)).try_into().unwrap()),
        Some((o, _)) => u64::from(u32::from_ne_bytes(
            bytes(payload, (o, 4)).try_into().unwrap(),
        )),
        None => 0,
    }
}

/// The counters of a layout, as `Stats` (zero when absent). Inlined, with
/// `counter`, into `read_service`: every service of a learnt layout runs it.
#[inline(always)]
fn stats(payload: &[u8], at: &[Place; COUNTERS]) -> Stats {
    let mut c = [0u64; COUNTERS];
    for (v, &p) in c.iter_mut().zip(at) {
        *v = counter(payload, p);
    }
    stats_from(c)
}

/// The counters in attribute order (CONNS … OUTBPS) as `Stats`.
pub(super) fn stats_from(c: [u64; COUNTERS]) -> Stats {
    let [conns, inpkts, outpkts, inbytes, outbytes, cps, inpps, outpps, inbps, outbps] = c;
    Stats {
        conns,
        inpkts,
        outpkts,
        inbytes,
        outbytes,
        cps,
        inpps,
        outpps,
        inbps,
        outbps,
    }
}

fn u16_ne(payload: &[u8], place: Place) -> Option<u16> {
    place.map(|(o, _)| u16::from_ne_bytes(bytes(payload, (o, 2)).try_into().unwrap()))
}

fn u16_be(payload: &[u8], place: Place) -> Option<u16> {
    place.map(|(o, _)| u16::from_be_bytes(bytes(payload, (o, 2)).try_into().unwrap()))
}

fn u32_ne(payload: &[u8], place: Place) -> Option<u32> {
    place.map(|(o, _)| u32::from_ne_bytes(bytes(payload, (o, 4)).try_into().unwrap()))
}

/// The service `layout` places in `payload`: a walk of it, or of a message
/// with the same attribute headers (so every length is one the walk
/// accepted).
pub(super) fn read_service(payload: &[u8], at: &ServiceLayout) -> Result<Service, DecodeError> {
    let name = |f: S| {
        let what = SERVICE.fields[f as usize].name;
        at[f].map(|p| cstring(bytes(payload, p), what)).transpose()
    };
    // The kernel sets the flags it was given in `flags` under `mask`.
    let flags = at[S::Flags].map_or(0, |(o, _)| {
        u32_ne(payload, Some((o, 4))).unwrap() & u32_ne(payload, Some((o + 4, 4))).unwrap()
    });
    let raw = RawService {
        af: u16_ne(payload, at[S::Af]),
        protocol: u16_ne(payload, at[S::Protocol]),
        addr: at[S::Addr].map(|p| bytes(payload, p)),
        port: u16_be(payload, at[S::Port]),
        fwmark: u32_ne(payload, at[S::Fwmark]),
        scheduler: name(S::Scheduler)?.unwrap_or_default(),
        flags,
        timeout: u32_ne(payload, at[S::Timeout]).unwrap_or(0),
        netmask: u32_ne(payload, at[S::Netmask]),
        pe_name: name(S::PeName)?,
    };
    raw.service(stats(payload, &at.counters))
}

/// The real server `layout` places in `payload`, as for `read_service`.
pub(super) fn read_dest(
    payload: &[u8],
    at: &DestLayout,
    service_family: Family,
) -> Result<Dest, DecodeError> {
    let u32_or_0 = |f: D| u32_ne(payload, at[f]).unwrap_or(0);
    let raw = RawDest {
        addr: at[D::Addr].map(|p| bytes(payload, p)),
        port: u16_be(payload, at[D::Port]),
        af: u16_ne(payload, at[D::Family]),
        fwd: u32_or_0(D::Forward),
        weight: u32_or_0(D::Weight),
        upper_threshold: u32_or_0(D::UpperThreshold),
        lower_threshold: u32_or_0(D::LowerThreshold),
        active_conns: u32_or_0(D::ActiveConns),
        inactive_conns: u32_or_0(D::InactiveConns),
        persistent_conns: u32_or_0(D::PersistentConns),
        tun_type: at[D::TunnelType].map_or(0, |(o, _)| payload[o as usize]),
        tun_port: u16_be(payload, at[D::TunnelPort]).unwrap_or(0),
        tun_flags: u16_ne(payload, at[D::TunnelFlags]).unwrap_or(0),
    };
    raw.dest(service_family, stats(payload, &at.counters))
}
