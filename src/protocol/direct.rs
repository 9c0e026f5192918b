//! Dump replies decoded straight from the wire into the model.
//!
//! The typed attribute enums (`ServiceAttr`, `DestAttr`, `StatsAttr`) build a
//! tree of vectors per message: about 40 attributes, a dozen allocations and
//! ~17,000 instructions for one real server. At 100,000 real servers that
//! made lvstop's read of the table 2.6x the cost of the netlink round trips
//! themselves. Here the same messages are walked in place: one pass, no
//! allocation but the model's own strings. Same rules as `convert` (strict
//! on identity, zero for absent counters); the golden tests check that both
//! paths agree on every captured reply.

use netlink_packet_core::DecodeError;

use super::assemble::{
    addr_from_bytes, family_from_af, unknown_forward, unknown_tunnel, RawDest, RawService,
};
use super::layout::Layout;
use super::message::{IPVS_CMD_ATTR_DEST, IPVS_CMD_ATTR_SERVICE};
use crate::model::{Dest, Family, Forward, Service, Stats, TunnelFlags, TunnelType};

const NLA_TYPE_MASK: u16 = 0x3fff;

/// The attributes of a payload: (type without flag bits, value). A header
/// that claims more bytes than are left ends the walk and is kept for
/// `finish`: the loop bodies stay free of `Result`s, which cost a third of
/// the decoding at 100,000 real servers.
struct Attrs<'a> {
    rest: &'a [u8],
    /// (type, claimed length, bytes left) of a damaged header.
    damaged: Option<(u16, usize, usize)>,
}

impl<'a> Attrs<'a> {
    fn new(bytes: &'a [u8]) -> Attrs<'a> {
        Attrs {
            rest: bytes,
            damaged: None,
        }
    }

    /// Whether the walk ended cleanly.
    fn finish(&self) -> Result<(), DecodeError> {
        match self.damaged {
            None => Ok(()),
            Some((kind, len, left)) => Err(DecodeError::from(format!(
                "attribute {kind} claims {len} bytes, {left} left"
            ))),
        }
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = (u16, &'a [u8]);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        // Trailing bytes shorter than a header are padding, as for NlasIterator.
        let b = self.rest;
        if b.len() < 4 {
            return None;
        }
        let len = u16::from_ne_bytes([b[0], b[1]]) as usize;
        let kind = u16::from_ne_bytes([b[2], b[3]]) & NLA_TYPE_MASK;
        if len < 4 || len > b.len() {
            self.damaged = Some((kind, len, b.len()));
            self.rest = &[];
            return None;
        }
        self.rest = &b[((len + 3) & !3).min(b.len())..];
        Some((kind, &b[4..len]))
    }
}

fn exact<const N: usize>(v: &[u8], what: &str) -> Result<[u8; N], DecodeError> {
    v.try_into()
        .map_err(|_| DecodeError::from(format!("invalid {what}: {} bytes, expected {N}", v.len())))
}
fn u16_ne(v: &[u8], what: &str) -> Result<u16, DecodeError> {
    exact::<2>(v, what).map(u16::from_ne_bytes)
}
fn u16_be(v: &[u8], what: &str) -> Result<u16, DecodeError> {
    exact::<2>(v, what).map(u16::from_be_bytes)
}
fn u32_ne(v: &[u8], what: &str) -> Result<u32, DecodeError> {
    exact::<4>(v, what).map(u32::from_ne_bytes)
}
fn cstring(v: &[u8], what: &str) -> Result<String, DecodeError> {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    String::from_utf8(v[..end].to_vec())
        .map_err(|e| DecodeError::from(format!("invalid {what}: {e}")))
}

/// The first top-level attribute of type `kind` in a message payload.
fn nest<'a>(payload: &'a [u8], kind: u16, what: &str) -> Result<&'a [u8], DecodeError> {
    let mut attrs = Attrs::new(payload);
    for (k, v) in attrs.by_ref() {
        if k == kind {
            return Ok(v);
        }
    }
    attrs.finish()?;
    Err(DecodeError::from(format!("message without {what}")))
}

/// A stats nest, either width (u32 counters in STATS, u64 in STATS64).
fn stats(v: &[u8]) -> Result<Stats, DecodeError> {
    // IPVS_STATS_ATTR_CONNS (1) … OUTBPS (10), in that order.
    let mut c = [0u64; 10];
    let mut attrs = Attrs::new(v);
    for (kind, v) in attrs.by_ref() {
        // IPVS_STATS_ATTR_PAD and newer counters are skipped.
        let Some(slot) = c.get_mut((kind as usize).wrapping_sub(1)) else {
            continue;
        };
        *slot = match v.len() {
            8 => u64::from_ne_bytes(v.try_into().unwrap()),
            4 => u64::from(u32::from_ne_bytes(v.try_into().unwrap())),
            n => return Err(bad_counter(kind, n)),
        };
    }
    attrs.finish()?;
    Ok(stats_from(c))
}

/// A counter of neither width.
fn bad_counter(kind: u16, len: usize) -> DecodeError {
    DecodeError::from(format!(
        "invalid IPVS_STATS_ATTR {kind}: a statistics counter is 4 or 8 bytes, got {len}"
    ))
}

/// The ten counters in attribute order (CONNS … OUTBPS) as `Stats`.
fn stats_from(c: [u64; 10]) -> Stats {
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

/// A service from the payload (after the genl header) of a NEW_SERVICE
/// dump message.
pub fn service_from_payload(payload: &[u8]) -> Result<Service, DecodeError> {
    let attrs = nest(payload, IPVS_CMD_ATTR_SERVICE, "IPVS_CMD_ATTR_SERVICE")?;
    let mut raw = RawService::default();
    let (mut st, mut st64) = (None, None);
    let mut walk = Attrs::new(attrs);
    for (kind, v) in walk.by_ref() {
        match kind {
            1 => raw.af = Some(u16_ne(v, "IPVS_SVC_ATTR_AF")?),
            2 => raw.protocol = Some(u16_ne(v, "IPVS_SVC_ATTR_PROTOCOL")?),
            3 => raw.addr = Some(v),
            4 => raw.port = Some(u16_be(v, "IPVS_SVC_ATTR_PORT")?),
            5 => raw.fwmark = Some(u32_ne(v, "IPVS_SVC_ATTR_FWMARK")?),
            6 => raw.scheduler = cstring(v, "IPVS_SVC_ATTR_SCHED_NAME")?,
            7 => {
                if v.len() < 8 {
                    return Err(DecodeError::from(format!(
                        "invalid IPVS_SVC_ATTR_FLAGS: {} bytes, expected 8",
                        v.len()
                    )));
                }
                raw.flags = u32_ne(&v[..4], "IPVS_SVC_ATTR_FLAGS")?
                    & u32_ne(&v[4..8], "IPVS_SVC_ATTR_FLAGS")?;
            }
            8 => raw.timeout = u32_ne(v, "IPVS_SVC_ATTR_TIMEOUT")?,
            9 => raw.netmask = Some(u32_ne(v, "IPVS_SVC_ATTR_NETMASK")?),
            10 => st = Some(v),
            11 => raw.pe_name = Some(cstring(v, "IPVS_SVC_ATTR_PE_NAME")?),
            12 => st64 = Some(v),
            _ => {}
        }
    }
    walk.finish()?;
    raw.service(pick(st64, st)?)
}

/// Decodes the services of a dump as `DestDecoder` does real servers: the
/// first message is walked (`service_from_payload`), and the next ones with
/// the same attribute headers are read where the walk found each field.
/// A services dump is read every poll; walking each service was as much
/// work as walking two real servers. Services differ in shape more than
/// real servers do (scheduler name length, fwmark or address, persistence
/// engine), so a few shapes are kept: a table that mixes them does not
/// relearn at every service.
#[derive(Debug, Default, Clone)]
pub struct ServiceDecoder {
    shapes: Vec<(Layout, ServicePlan)>,
    /// The shape replaced next once `SHAPES` are known.
    next: usize,
    /// Messages decoded from a learnt shape (tests check it is used).
    pub(crate) reused: u64,
}

/// Service shapes kept at most.
const SHAPES: usize = 8;

impl ServiceDecoder {
    pub fn new() -> ServiceDecoder {
        ServiceDecoder::default()
    }

    /// As `service_from_payload`, with the same results.
    pub fn decode(&mut self, payload: &[u8]) -> Result<Service, DecodeError> {
        if let Some((_, plan)) = self.shapes.iter().find(|(l, _)| l.fits(payload)) {
            self.reused += 1;
            return plan.read(payload);
        }
        let service = service_from_payload(payload)?;
        let mut headers = Vec::new();
        // Kept only if reading the learnt message by the plan gives what the
        // walk gave.
        let learnt = locate_service(payload, &mut headers)
            .filter(|p| p.read(payload).is_ok_and(|s| s == service))
            .map(|p| (Layout::learn(payload, &headers), p));
        if let Some(shape) = learnt {
            if self.shapes.len() < SHAPES {
                self.shapes.push(shape);
            } else {
                self.shapes[self.next] = shape;
                self.next = (self.next + 1) % SHAPES;
            }
        }
        Ok(service)
    }
}

/// Where a service message keeps each field: (offset, length), the last
/// occurrence as the walk assigns them in order.
#[derive(Debug, Clone, Copy, Default)]
struct ServicePlan {
    af: Spot,
    protocol: Spot,
    addr: Spot,
    port: Spot,
    fwmark: Spot,
    scheduler: Spot,
    flags: Spot,
    timeout: Spot,
    netmask: Spot,
    pe_name: Spot,
    /// The counters of the group `service_from_payload` reads.
    stats: [Spot; 10],
}

/// The places of a service message's fields and, in `headers`, every
/// attribute header on the way. None if the message cannot be walked
/// (`service_from_payload` says why) or names its scheduler or
/// persistence engine twice: the walk checks every occurrence of a name,
/// a plan would read only the last.
fn locate_service(payload: &[u8], headers: &mut Vec<u32>) -> Option<ServicePlan> {
    let mut at = ServicePlan::default();
    let twice = || DecodeError::from("a name given twice");
    let stats = locate(
        payload,
        IPVS_CMD_ATTR_SERVICE,
        "IPVS_CMD_ATTR_SERVICE",
        Some(headers),
        |kind, here| {
            match kind {
                1 => at.af = here,
                2 => at.protocol = here,
                3 => at.addr = here,
                4 => at.port = here,
                5 => at.fwmark = here,
                6 if at.scheduler.is_some() => return Err(twice()),
                6 => at.scheduler = here,
                7 => at.flags = here,
                8 => at.timeout = here,
                9 => at.netmask = here,
                11 if at.pe_name.is_some() => return Err(twice()),
                11 => at.pe_name = here,
                _ => {}
            }
            Ok(())
        },
    )
    .ok()?;
    at.stats = stats;
    Some(at)
}

impl ServicePlan {
    /// The service in `p`, a message with the layout the plan was made
    /// from (so every place is inside it and every length is the one the
    /// walk accepted).
    fn read(&self, p: &[u8]) -> Result<Service, DecodeError> {
        let bytes = |(o, l): (u32, u32)| &p[o as usize..(o + l) as usize];
        let u16_ne = |s: Spot| s.map(|s| u16::from_ne_bytes(bytes(s)[..2].try_into().unwrap()));
        let u32_ne = |s: Spot| s.map(|s| u32::from_ne_bytes(bytes(s)[..4].try_into().unwrap()));
        let flags = self.flags.map_or(0, |(o, _)| {
            let both = bytes((o, 8));
            u32::from_ne_bytes(both[..4].try_into().unwrap())
                & u32::from_ne_bytes(both[4..].try_into().unwrap())
        });
        let raw = RawService {
            af: u16_ne(self.af),
            protocol: u16_ne(self.protocol),
            addr: self.addr.map(bytes),
            port: self
                .port
                .map(|s| u16::from_be_bytes(bytes(s)[..2].try_into().unwrap())),
            fwmark: u32_ne(self.fwmark),
            scheduler: match self.scheduler {
                Some(s) => cstring(bytes(s), "IPVS_SVC_ATTR_SCHED_NAME")?,
                None => String::new(),
            },
            flags,
            timeout: u32_ne(self.timeout).unwrap_or(0),
            netmask: u32_ne(self.netmask),
            pe_name: self
                .pe_name
                .map(|s| cstring(bytes(s), "IPVS_SVC_ATTR_PE_NAME"))
                .transpose()?,
        };
        let mut c = [0u64; 10];
        for (v, s) in c.iter_mut().zip(&self.stats) {
            *v = match *s {
                Some((o, 8)) => u64::from_ne_bytes(bytes((o, 8)).try_into().unwrap()),
                Some((o, _)) => u64::from(u32::from_ne_bytes(bytes((o, 4)).try_into().unwrap())),
                None => 0,
            };
        }
        raw.service(stats_from(c))
    }
}

/// STATS64 when present (kernels >= 4.1), else the 32-bit STATS group.
/// The group not used is not read: the typed path would refuse a damaged
/// 32-bit group beside a good 64-bit one, this one shows the 64-bit figures
/// (measured: reading both was a third of the cost of a real server).
fn pick(st64: Option<&[u8]>, st: Option<&[u8]>) -> Result<Stats, DecodeError> {
    match (st64, st) {
        (Some(wide), _) => stats(wide),
        (None, Some(narrow)) => stats(narrow),
        (None, None) => Ok(Stats::default()),
    }
}

/// A real server from the payload of a NEW_DEST dump message;
/// `service_family` when the kernel does not say the real server's own.
pub fn dest_from_payload(payload: &[u8], service_family: Family) -> Result<Dest, DecodeError> {
    let spots = locate_dest(payload, None)?;
    fill_dest(payload, &spots, service_family)
}

/// Decodes the real servers of dumps, learning where the kernel puts each
/// field. The kernel writes every real server of a dump the same way, so
/// once a message has been walked, the next ones are checked against its
/// attribute headers (every offset, length and type, the whole message) and
/// their fields read where the walk found them: a third of the work of
/// walking each (measured with callgrind on captured replies). Any
/// difference falls back to the walk, which learns the new shape.
#[derive(Debug, Default, Clone)]
pub struct DestDecoder {
    shape: Option<Shape>,
    /// Messages decoded from the learnt shape (tests check it is used).
    pub(crate) reused: u64,
}

/// A learnt layout and where its fields are.
#[derive(Debug, Clone)]
struct Shape {
    layout: Layout,
    plan: Plan,
}

impl Shape {
    /// None when the places do not make a plan (see `Plan::new`).
    fn learn(payload: &[u8], headers: &[u32], spots: DestSpots) -> Option<Shape> {
        Some(Shape {
            plan: Plan::new(&spots, payload.len())?,
            layout: Layout::learn(payload, headers),
        })
    }
}

/// A learnt shape's fields at fixed places. Every field is read the same
/// way whether the shape has it or not: an absent one is read from offset
/// 0 and masked to zero, so a message costs a load and a mask per field
/// and no branch (the `Option` per field was half of a real server's
/// decoding).
#[derive(Debug, Clone, Copy)]
struct Plan {
    /// The length of the message learnt from; every place below lies
    /// inside it (checked in `Plan::new`).
    len: usize,
    /// (offset, length) of IPVS_DEST_ATTR_ADDR.
    addr: (u32, u32),
    port: u32,
    af: Option<u32>,
    /// FWD_METHOD, WEIGHT, U_THRESH, L_THRESH, ACTIVE_CONNS, INACT_CONNS,
    /// PERSIST_CONNS: (offset, mask).
    words: [(u32, u32); 7],
    /// TUN_TYPE, TUN_PORT, TUN_FLAGS: (offset, mask); the port and flags
    /// are 16-bit, the type 8-bit.
    tun: [(u32, u16); 3],
    /// Counters CONNS … OUTBPS: (offset of the low 32 bits, of the high 32
    /// bits, mask of the low, mask of the high). A 32-bit counter's high
    /// half is masked off.
    counters: [(u32, u32, u32, u32); 10],
}

impl Plan {
    /// From the places of a message of `len` bytes that passed
    /// `check_dest` (so the address and port are there and every length is
    /// the expected one). None if a place does not lie inside the message,
    /// which a walked message cannot produce.
    fn new(at: &DestSpots, len: usize) -> Option<Plan> {
        let word = |s: Spot| s.map_or((0, 0), |(o, _)| (o, u32::MAX));
        let half = |s: Spot| s.map_or((0, 0), |(o, _)| (o, u16::MAX));
        let counter = |s: Spot| match s {
            // Native byte order: the low half comes first on little-endian.
            Some((o, 8)) if cfg!(target_endian = "little") => (o, o + 4, u32::MAX, u32::MAX),
            Some((o, 8)) => (o + 4, o, u32::MAX, u32::MAX),
            Some((o, _)) => (o, o, u32::MAX, 0),
            None => (0, 0, 0, 0),
        };
        let plan = Plan {
            len,
            addr: at.addr?,
            port: at.port?.0,
            af: at.af.map(|(o, _)| o),
            words: [
                word(at.fwd),
                word(at.weight),
                word(at.upper_threshold),
                word(at.lower_threshold),
                word(at.active_conns),
                word(at.inactive_conns),
                word(at.persistent_conns),
            ],
            tun: [half(at.tun_type), half(at.tun_port), half(at.tun_flags)],
            counters: at.stats.map(counter),
        };
        // Each read below is at most 4 bytes from its offset.
        let ends = [
            plan.addr.0 + plan.addr.1,
            plan.port + 4,
            plan.af.unwrap_or(0) + 4,
        ]
        .into_iter()
        .chain(plan.words.iter().map(|w| w.0 + 4))
        .chain(plan.tun.iter().map(|t| t.0 + 4))
        .chain(plan.counters.iter().flat_map(|c| [c.0 + 4, c.1 + 4]));
        let inside = ends.into_iter().all(|end| end as usize <= len);
        inside.then_some(plan)
    }

    /// The real server in `p`, a message of the learnt shape; the same
    /// result as `fill_dest` on it.
    fn read(&self, p: &[u8], service_family: Family) -> Result<Dest, DecodeError> {
        // What makes the unchecked reads below sound.
        assert_eq!(p.len(), self.len, "a message of another shape");
        // Four bytes at `at`, which `Plan::new` placed inside `len` bytes.
        // Unchecked: the bounds checks were a fifth of the decoding.
        let bytes = |at: u32| -> [u8; 4] {
            // SAFETY: at + 4 <= self.len == p.len() (Plan::new, the assert).
            unsafe {
                p.as_ptr()
                    .add(at as usize)
                    .cast::<[u8; 4]>()
                    .read_unaligned()
            }
        };
        let word = |at: u32| u32::from_ne_bytes(bytes(at));
        let pair = |at: u32| {
            let [a, b, _, _] = bytes(at);
            [a, b]
        };
        let family = match self.af {
            Some(at) => family_from_af(u16::from_ne_bytes(pair(at)), "IPVS_DEST_ATTR_ADDR_FAMILY")?,
            None => service_family,
        };
        let (o, l) = self.addr;
        let addr = addr_from_bytes(
            &p[o as usize..(o + l) as usize],
            family,
            "IPVS_DEST_ATTR_ADDR",
        )?;
        // Plain loops: `array::map` here compiled to an out-of-line call
        // that cost as much as the rest of the read.
        let mut w = [0u32; 7];
        for (v, &(at, mask)) in w.iter_mut().zip(&self.words) {
            *v = word(at) & mask;
        }
        let [fwd, weight, upper_threshold, lower_threshold, active_conns, inactive_conns, persistent_conns] =
            w;
        let [(tt, tt_mask), (tp, tp_mask), (tf, tf_mask)] = self.tun;
        let tun_type = bytes(tt)[0] & tt_mask as u8;
        let mut c = [0u64; 10];
        for (v, &(lo, hi, lo_mask, hi_mask)) in c.iter_mut().zip(&self.counters) {
            *v = u64::from(word(lo) & lo_mask) | u64::from(word(hi) & hi_mask) << 32;
        }
        Ok(Dest {
            addr,
            port: u16::from_be_bytes(pair(self.port)),
            forward: Forward::from_value(fwd).ok_or_else(|| unknown_forward(fwd))?,
            weight,
            upper_threshold,
            lower_threshold,
            tun_type: TunnelType::from_value(tun_type).ok_or_else(|| unknown_tunnel(tun_type))?,
            tun_port: u16::from_be_bytes(pair(tp)) & tp_mask,
            tun_flags: TunnelFlags(u16::from_ne_bytes(pair(tf)) & tf_mask),
            active_conns,
            inactive_conns,
            persistent_conns,
            stats: stats_from(c),
        })
    }
}

impl DestDecoder {
    pub fn new() -> DestDecoder {
        DestDecoder::default()
    }

    /// As `dest_from_payload`, with the same results.
    pub fn decode(&mut self, payload: &[u8], service_family: Family) -> Result<Dest, DecodeError> {
        if let Some(shape) = self.shape.as_ref().filter(|s| s.layout.fits(payload)) {
            // Same lengths as the message the shape was learnt from, which
            // passed `check_dest`.
            self.reused += 1;
            return shape.plan.read(payload, service_family);
        }
        let mut headers = Vec::new();
        let spots = locate_dest(payload, Some(&mut headers))?;
        let dest = fill_dest(payload, &spots, service_family)?;
        self.shape = Shape::learn(payload, &headers, spots);
        Ok(dest)
    }
}

/// A value's place in a payload: (offset, length).
type Spot = Option<(u32, u32)>;

/// Where a real-server message keeps each field (the last occurrence, as
/// the walk assigns them in order).
#[derive(Debug, Clone, Copy, Default)]
struct DestSpots {
    addr: Spot,
    port: Spot,
    fwd: Spot,
    weight: Spot,
    upper_threshold: Spot,
    lower_threshold: Spot,
    active_conns: Spot,
    inactive_conns: Spot,
    persistent_conns: Spot,
    af: Spot,
    tun_type: Spot,
    tun_port: Spot,
    tun_flags: Spot,
    /// IPVS_STATS_ATTR_CONNS (1) … OUTBPS (10) of the statistics group
    /// used: STATS64 when present (kernels >= 4.1), else STATS. The group
    /// not used is not read: the typed path would refuse a damaged 32-bit
    /// group beside a good 64-bit one, this one shows the 64-bit figures.
    stats: [Spot; 10],
}

/// Walks a dump message for the decoders that learn shapes: the top-level
/// attributes up to the first of type `nest`, that nest's attributes (each
/// handed to `field` with its place), and the counters of the statistics
/// group the decoders read: STATS64 (12) when present, else STATS (10);
/// services and real servers number them alike. With `headers`, every
/// attribute header walked over is noted. Returns the counters' places.
fn locate(
    payload: &[u8],
    nest: u16,
    what: &str,
    mut headers: Option<&mut Vec<u32>>,
    mut field: impl FnMut(u16, Spot) -> Result<(), DecodeError>,
) -> Result<[Spot; 10], DecodeError> {
    let base = payload.as_ptr() as usize;
    let mut spot = |v: &[u8]| -> Spot {
        let at = v.as_ptr() as usize - base;
        if let Some(h) = headers.as_deref_mut() {
            h.push((at - 4) as u32);
        }
        Some((at as u32, v.len() as u32))
    };
    let mut top = Attrs::new(payload);
    let mut inner = None;
    for (kind, v) in top.by_ref() {
        spot(v);
        if kind == nest {
            inner = Some(v);
            break;
        }
    }
    top.finish()?;
    let inner = inner.ok_or_else(|| DecodeError::from(format!("message without {what}")))?;
    let (mut st, mut st64) = (None, None);
    let mut walk = Attrs::new(inner);
    for (kind, v) in walk.by_ref() {
        let here = spot(v);
        match kind {
            10 => st = Some(v),
            12 => st64 = Some(v),
            _ => field(kind, here)?,
        }
    }
    walk.finish()?;
    let mut stats = [None; 10];
    if let Some(group) = st64.or(st) {
        let mut counters = Attrs::new(group);
        for (kind, v) in counters.by_ref() {
            let here = spot(v);
            // IPVS_STATS_ATTR_PAD and newer counters are skipped.
            if let Some(slot) = stats.get_mut((kind as usize).wrapping_sub(1)) {
                *slot = here;
            }
        }
        counters.finish()?;
    }
    Ok(stats)
}

/// Walks a real-server message, noting where each field is and, with
/// `headers`, every attribute header on the way.
fn locate_dest(payload: &[u8], headers: Option<&mut Vec<u32>>) -> Result<DestSpots, DecodeError> {
    let mut at = DestSpots::default();
    let stats = locate(
        payload,
        IPVS_CMD_ATTR_DEST,
        "IPVS_CMD_ATTR_DEST",
        headers,
        |kind, here| {
            match kind {
                1 => at.addr = here,
                2 => at.port = here,
                3 => at.fwd = here,
                4 => at.weight = here,
                5 => at.upper_threshold = here,
                6 => at.lower_threshold = here,
                7 => at.active_conns = here,
                8 => at.inactive_conns = here,
                9 => at.persistent_conns = here,
                11 => at.af = here,
                13 => at.tun_type = here,
                14 => at.tun_port = here,
                15 => at.tun_flags = here,
                _ => {}
            }
            Ok(())
        },
    )?;
    at.stats = stats;
    Ok(at)
}

/// Checks each field's length as the typed path does; a message that
/// passes can be read by `read_dest`, and so can every later message with
/// the same headers (lengths included).
fn check_dest(at: &DestSpots) -> Result<(), DecodeError> {
    let len = |s: Spot, want: u32, what: &str| match s {
        Some((_, l)) if l != want => Err(DecodeError::from(format!(
            "invalid {what}: {l} bytes, expected {want}"
        ))),
        _ => Ok(()),
    };
    let what = "IPVS_DEST_ATTR";
    len(at.port, 2, "IPVS_DEST_ATTR_PORT")?;
    len(at.af, 2, "IPVS_DEST_ATTR_ADDR_FAMILY")?;
    for s in [
        at.fwd,
        at.weight,
        at.upper_threshold,
        at.lower_threshold,
        at.active_conns,
        at.inactive_conns,
        at.persistent_conns,
    ] {
        len(s, 4, what)?;
    }
    len(at.tun_type, 1, "IPVS_DEST_ATTR_TUN_TYPE")?;
    len(at.tun_port, 2, "IPVS_DEST_ATTR_TUN_PORT")?;
    len(at.tun_flags, 2, "IPVS_DEST_ATTR_TUN_FLAGS")?;
    for (kind, s) in (1..).zip(at.stats) {
        if let Some((_, n)) = s.filter(|&(_, n)| n != 4 && n != 8) {
            return Err(bad_counter(kind, n as usize));
        }
    }
    Ok(())
}

fn fill_dest(payload: &[u8], at: &DestSpots, service_family: Family) -> Result<Dest, DecodeError> {
    check_dest(at)?;
    read_dest(payload, at, service_family)
}

/// Reads the fields `at` points to, their lengths already checked.
fn read_dest(payload: &[u8], at: &DestSpots, service_family: Family) -> Result<Dest, DecodeError> {
    let bytes = |o: u32, l: u32| &payload[o as usize..(o + l) as usize];
    let u16_ne = |s: Spot| s.map(|(o, _)| u16::from_ne_bytes(bytes(o, 2).try_into().unwrap()));
    let u16_be = |s: Spot| s.map(|(o, _)| u16::from_be_bytes(bytes(o, 2).try_into().unwrap()));
    let u32_ne = |s: Spot| {
        s.map_or(0, |(o, _)| {
            u32::from_ne_bytes(bytes(o, 4).try_into().unwrap())
        })
    };
    let counter = |s: Spot| match s {
        Some((o, 8)) => u64::from_ne_bytes(bytes(o, 8).try_into().unwrap()),
        Some((o, _)) => u64::from(u32::from_ne_bytes(bytes(o, 4).try_into().unwrap())),
        None => 0,
    };
    let raw = RawDest {
        addr: at.addr.map(|(o, l)| bytes(o, l)),
        port: u16_be(at.port),
        af: u16_ne(at.af),
        fwd: u32_ne(at.fwd),
        weight: u32_ne(at.weight),
        upper_threshold: u32_ne(at.upper_threshold),
        lower_threshold: u32_ne(at.lower_threshold),
        active_conns: u32_ne(at.active_conns),
        inactive_conns: u32_ne(at.inactive_conns),
        persistent_conns: u32_ne(at.persistent_conns),
        tun_type: at.tun_type.map_or(0, |(o, _)| payload[o as usize]),
        tun_port: u16_be(at.tun_port).unwrap_or(0),
        tun_flags: u16_ne(at.tun_flags).unwrap_or(0),
    };
    let mut c = [0u64; 10];
    for (v, s) in c.iter_mut().zip(&at.stats) {
        *v = counter(*s);
    }
    raw.dest(service_family, stats_from(c))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::protocol::convert::{dest_from_message, service_from_message};
    use crate::protocol::IpvsMessage;
    use netlink_packet_core::{NetlinkMessage, NetlinkPayload};
    use netlink_packet_generic::GenlMessage;

    /// Every NEW_SERVICE / NEW_DEST message in the captured replies, as
    /// (genl cmd, whole netlink frame).
    fn captured() -> Vec<(u8, Vec<u8>)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
        let mut out = Vec::new();
        for dir in ["6.1", "6.12", "random-6.12"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if !name.ends_with(".resp.bin") {
                    continue;
                }
                let b = std::fs::read(e.path()).unwrap();
                let mut off = 0;
                while off + 20 <= b.len() {
                    let len = u32::from_ne_bytes(b[off..off + 4].try_into().unwrap()) as usize;
                    let kind = u16::from_ne_bytes(b[off + 4..off + 6].try_into().unwrap());
                    if len < 16 || off + len > b.len() {
                        break;
                    }
                    let cmd = b[off + 16];
                    if kind > 16 && (cmd == 1 || cmd == 5) {
                        out.push((cmd, b[off..off + len].to_vec()));
                    }
                    off += (len + 3) & !3;
                }
            }
        }
        out
    }

    fn typed(frame: &[u8]) -> IpvsMessage {
        match NetlinkMessage::<GenlMessage<IpvsMessage>>::deserialize(frame)
            .unwrap()
            .payload
        {
            NetlinkPayload::InnerMessage(m) => m.payload,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn agrees_with_the_typed_path_on_every_captured_reply() {
        let all = captured();
        let (mut services, mut dests) = (0, 0);
        for (cmd, frame) in &all {
            let msg = typed(frame);
            if *cmd == 1 {
                assert_eq!(
                    service_from_payload(&frame[20..]).unwrap(),
                    service_from_message(&msg).unwrap()
                );
                services += 1;
            } else {
                for fam in [Family::V4, Family::V6] {
                    let t = dest_from_message(&msg, fam);
                    let d = dest_from_payload(&frame[20..], fam);
                    assert_eq!(d.is_ok(), t.is_ok(), "{d:?} vs {t:?}");
                    if let (Ok(d), Ok(t)) = (d, t) {
                        assert_eq!(d, t);
                    }
                }
                dests += 1;
            }
        }
        assert!(
            services >= 15 && dests >= 20,
            "{services} services, {dests} dests"
        );
    }

    /// The learnt shape gives what the walk gives, on every captured
    /// real-server message decoded in a row through one decoder (each
    /// twice, so shapes are reused), for either service family.
    #[test]
    fn the_learnt_shape_agrees_with_the_walk() {
        let all = captured();
        for fam in [Family::V4, Family::V6] {
            let mut decoder = DestDecoder::new();
            let mut n = 0;
            for (_, frame) in all.iter().filter(|(c, _)| *c == 5) {
                let payload = &frame[20..];
                for _ in 0..2 {
                    let walked = dest_from_payload(payload, fam);
                    let decoded = decoder.decode(payload, fam);
                    assert_eq!(decoded.is_ok(), walked.is_ok(), "{decoded:?} vs {walked:?}");
                    if let (Ok(a), Ok(b)) = (decoded, walked) {
                        assert_eq!(a, b);
                    }
                    n += 1;
                }
            }
            assert!(decoder.reused * 2 >= n, "{} of {n} reused", decoder.reused);
        }
    }

    /// `payload` with each byte in turn set to 0x00 or 0xff or with its
    /// lowest or highest bit flipped, then cut short at every length.
    fn damaged(payload: &[u8]) -> Vec<Vec<u8>> {
        let mut variants = Vec::new();
        for i in 0..payload.len() {
            for v in [0x00, 0xff, payload[i] ^ 0x01, payload[i] ^ 0x80] {
                let mut m = payload.to_vec();
                m[i] = v;
                variants.push(m);
            }
        }
        variants.extend((0..payload.len()).map(|cut| payload[..cut].to_vec()));
        variants
    }

    /// A decoder that learnt a message's shape, given that message with any
    /// one byte changed (headers, lengths, values) or cut short, decodes it
    /// exactly as the walk does: same real server or an error for both.
    #[test]
    fn every_damaged_byte_decodes_as_the_walk_does() {
        let all = captured();
        let mut checked = 0;
        for (_, frame) in all.iter().filter(|(c, _)| *c == 5).take(6) {
            let payload = &frame[20..];
            let mut warm = DestDecoder::new();
            warm.decode(payload, Family::V4).unwrap();
            for m in damaged(payload) {
                let mut d = warm.clone();
                let walked = dest_from_payload(&m, Family::V4);
                let decoded = d.decode(&m, Family::V4);
                assert_eq!(decoded.is_ok(), walked.is_ok(), "{decoded:?} vs {walked:?}");
                if let (Ok(a), Ok(b)) = (decoded, walked) {
                    assert_eq!(a, b);
                }
                checked += 1;
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    /// Services through one decoder in a row (each twice): the walk's
    /// results, with the learnt shape used.
    #[test]
    fn the_learnt_service_shape_agrees_with_the_walk() {
        let all = captured();
        let mut decoder = ServiceDecoder::new();
        let mut n = 0;
        for (_, frame) in all.iter().filter(|(c, _)| *c == 1) {
            let payload = &frame[20..];
            for _ in 0..2 {
                assert_eq!(
                    decoder.decode(payload).unwrap(),
                    service_from_payload(payload).unwrap()
                );
                n += 1;
            }
        }
        assert!(decoder.reused * 2 >= n, "{} of {n} reused", decoder.reused);
    }

    /// As for real servers: every byte of a learnt service message changed,
    /// and every cut, decode as the walk decodes them.
    #[test]
    fn every_damaged_service_byte_decodes_as_the_walk_does() {
        let all = captured();
        let mut checked = 0;
        for (_, frame) in all.iter().filter(|(c, _)| *c == 1).take(8) {
            let payload = &frame[20..];
            let mut warm = ServiceDecoder::new();
            warm.decode(payload).unwrap();
            assert_eq!(warm.shapes.len(), 1);
            for m in damaged(payload) {
                let mut d = warm.clone();
                let walked = service_from_payload(&m);
                let decoded = d.decode(&m);
                assert_eq!(decoded.is_ok(), walked.is_ok(), "{decoded:?} vs {walked:?}");
                if let (Ok(a), Ok(b)) = (decoded, walked) {
                    assert_eq!(a, b);
                }
                checked += 1;
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    /// A message naming its scheduler twice is walked every time: the walk
    /// checks both names, a plan would read only the last.
    #[test]
    fn two_scheduler_names_are_never_read_by_plan() {
        let all = captured();
        let frame = &all.iter().find(|(c, _)| *c == 1).unwrap().1;
        let payload = &frame[20..];
        let nest_len = u16::from_ne_bytes([payload[0], payload[1]]) as usize;
        // The service nest with another name before its attributes.
        let with_first_name = |name: [u8; 4]| {
            let mut inner = vec![8, 0, 6, 0];
            inner.extend_from_slice(&name);
            inner.extend_from_slice(&payload[4..nest_len]);
            let mut m = ((inner.len() + 4) as u16).to_ne_bytes().to_vec();
            m.extend_from_slice(&payload[2..4]);
            m.extend_from_slice(&inner);
            m
        };
        let mut d = ServiceDecoder::new();
        let good = with_first_name(*b"rr\0\0");
        assert_eq!(
            d.decode(&good).unwrap(),
            service_from_payload(&good).unwrap()
        );
        assert!(d.shapes.is_empty(), "learnt a plan for two names");
        // Same headers, first name not UTF-8: the walk's error.
        let bad = with_first_name([0xff, 0xfe, 0, 0]);
        let e = d.decode(&bad).unwrap_err().to_string();
        assert!(e.contains("IPVS_SVC_ATTR_SCHED_NAME"), "{e}");
    }

    #[test]
    fn damaged_messages_are_errors_not_panics() {
        let all = captured();
        let (_, frame) = all.iter().find(|(c, _)| *c == 5).unwrap();
        let payload = &frame[20..];
        // Every truncation: an error or a valid prefix, never a panic.
        for cut in 0..payload.len() {
            let _ = dest_from_payload(&payload[..cut], Family::V4);
        }
        // A nest length past the end of the message.
        let mut bad = payload.to_vec();
        bad[0] = 0xff;
        bad[1] = 0x7f;
        assert!(dest_from_payload(&bad, Family::V4).is_err());
        // An address family lvstop cannot represent.
        let mut svc = all.iter().find(|(c, _)| *c == 1).unwrap().1[20..].to_vec();
        // Inside the service nest, IPVS_SVC_ATTR_AF is the first attribute.
        assert_eq!(u16::from_ne_bytes([svc[6], svc[7]]) & NLA_TYPE_MASK, 1);
        svc[8] = 99;
        svc[9] = 0;
        let e = service_from_payload(&svc).unwrap_err().to_string();
        assert!(e.contains("unknown address family 99"), "{e}");
    }
}
