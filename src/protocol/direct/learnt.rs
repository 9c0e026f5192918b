//! The learnt-layout decoders: the kernel writes every entry of a dump with
//! the same code, so once a message has been walked, the next ones with the
//! same attribute headers (`Headers`: every offset, length and type, the
//! whole message) have each field where the walk found it, and are read
//! from there without a walk. Same results as the walk, errors included.

use netlink_packet_core::DecodeError;

use super::fields::{DestField as D, DestLayout, Place, ServiceLayout, COUNTERS, DEST, SERVICE};
use super::headers::Headers;
use super::walk::{locate, read_dest, read_service, stats_from};
use crate::model::{Dest, Family, Forward, Service, TunnelFlags, TunnelType};
use crate::protocol::assemble::{addr_from_bytes, family_from_af, unknown_forward, unknown_tunnel};

/// Decodes the services of a dump. A services dump is read every poll, and
/// a service costs more to walk than a real server. Services differ in layout more than real servers do (scheduler name
/// length, fwmark or address, persistence engine), so a few layouts are
/// kept: a table that mixes them does not relearn at every service.
#[derive(Debug, Default, Clone)]
pub struct ServiceDecoder {
    pub(super) learnt: Vec<(Headers, ServiceLayout)>,
    /// The layout replaced next once `LAYOUTS` are known.
    next: usize,
    /// Messages decoded from a learnt layout (tests check it is used).
    pub(crate) reused: u64,
}

/// Service layouts kept at most.
const LAYOUTS: usize = 8;

impl ServiceDecoder {
    pub fn new() -> ServiceDecoder {
        ServiceDecoder::default()
    }

    /// As `service_from_payload`, with the same results.
    pub fn decode(&mut self, payload: &[u8]) -> Result<Service, DecodeError> {
        if let Some((_, layout)) = self.learnt.iter().find(|(h, _)| h.fits(payload)) {
            self.reused += 1;
            return read_service(payload, layout);
        }
        let mut headers = Vec::new();
        let layout = locate(payload, &SERVICE, Some(&mut headers))?;
        let service = read_service(payload, &layout)?;
        if !layout.repeated_name {
            let learnt = (Headers::learn(payload, &headers), layout);
            if self.learnt.len() < LAYOUTS {
                self.learnt.push(learnt);
            } else {
                self.learnt[self.next] = learnt;
                self.next = (self.next + 1) % LAYOUTS;
            }
        }
        Ok(service)
    }
}

/// Decodes the real servers of dumps, as `ServiceDecoder` does services but
/// with one layout, read without a branch per field: at 100,000 real
/// servers the walk dominates lvstop's read of the table.
#[derive(Debug, Default, Clone)]
pub struct DestDecoder {
    learnt: Option<(Headers, MaskedLayout)>,
    /// Messages decoded from the learnt layout (tests check it is used).
    pub(crate) reused: u64,
}

impl DestDecoder {
    pub fn new() -> DestDecoder {
        DestDecoder::default()
    }

    /// As `dest_from_payload`, with the same results.
    pub fn decode(&mut self, payload: &[u8], service_family: Family) -> Result<Dest, DecodeError> {
        if let Some((_, layout)) = self.learnt.as_ref().filter(|(h, _)| h.fits(payload)) {
            // Same lengths as the message the layout was learnt from, which
            // the walk checked.
            self.reused += 1;
            return layout.read(payload, service_family);
        }
        let mut headers = Vec::new();
        let layout = locate(payload, &DEST, Some(&mut headers))?;
        let dest = read_dest(payload, &layout, service_family)?;
        self.learnt = MaskedLayout::new(&layout, payload.len())
            .map(|masked| (Headers::learn(payload, &headers), masked));
        Ok(dest)
    }
}

/// A real server's layout for reading without a branch: every field is
/// read the same way whether the message has it or not, an absent one from
/// offset 0 and masked to zero, so a message costs a load and a mask per
/// field, with no `Option` to test per field.
#[derive(Debug, Clone, Copy)]
struct MaskedLayout {
    /// The length of the message learnt from; every place below lies
    /// inside it (checked in `MaskedLayout::new`).
    len: usize,
    /// (offset, length) of the address.
    addr: (u32, u32),
    port: u32,
    family: Option<u32>,
    /// The 32-bit fields, in `WORDS` order: (offset, mask).
    words: [(u32, u32); WORDS.len()],
    /// The tunnel's type (8-bit), port and flags (16-bit): (offset, mask).
    tun: [(u32, u16); 3],
    /// Counters CONNS … OUTBPS: (offset of the low 32 bits, of the high 32
    /// bits, mask of the low, mask of the high). A 32-bit counter's high
    /// half is masked off.
    counters: [(u32, u32, u32, u32); COUNTERS],
}

/// The real server's 32-bit fields, as `MaskedLayout::words` holds them.
const WORDS: [D; 7] = [
    D::Forward,
    D::Weight,
    D::UpperThreshold,
    D::LowerThreshold,
    D::ActiveConns,
    D::InactiveConns,
    D::PersistentConns,
];

impl MaskedLayout {
    /// From the layout of a walked message of `len` bytes (so the address
    /// and port are there and every length is the expected one). None if a
    /// place does not lie inside the message, which a walk cannot produce.
    fn new(at: &DestLayout, len: usize) -> Option<MaskedLayout> {
        let word = |s: Place| s.map_or((0, 0), |(o, _)| (o, u32::MAX));
        let half = |s: Place| s.map_or((0, 0), |(o, _)| (o, u16::MAX));
        let counter = |s: Place| match s {
            // Native byte order: the low half comes first on little-endian.
            Some((o, 8)) if cfg!(target_endian = "little") => (o, o + 4, u32::MAX, u32::MAX),
            Some((o, 8)) => (o + 4, o, u32::MAX, u32::MAX),
            Some((o, _)) => (o, o, u32::MAX, 0),
            None => (0, 0, 0, 0),
        };
        let masked = MaskedLayout {
            len,
            addr: at[D::Addr]?,
            port: at[D::Port]?.0,
            family: at[D::Family].map(|(o, _)| o),
            words: WORDS.map(|f| word(at[f])),
            tun: [
                half(at[D::TunnelType]),
                half(at[D::TunnelPort]),
                half(at[D::TunnelFlags]),
            ],
            counters: at.counters.map(counter),
        };
        // Each read below is at most 4 bytes from its offset.
        let ends = [
            masked.addr.0 + masked.addr.1,
            masked.port + 4,
            masked.family.unwrap_or(0) + 4,
        ]
        .into_iter()
        .chain(masked.words.iter().map(|w| w.0 + 4))
        .chain(masked.tun.iter().map(|t| t.0 + 4))
        .chain(masked.counters.iter().flat_map(|c| [c.0 + 4, c.1 + 4]));
        let inside = ends.into_iter().all(|end| end as usize <= len);
        inside.then_some(masked)
    }

    /// The real server in `p`, a message with the learnt headers; the same
    /// result as the walk's `read_dest` on it.
    fn read(&self, p: &[u8], service_family: Family) -> Result<Dest, DecodeError> {
        // What makes the unchecked reads below sound.
        assert_eq!(p.len(), self.len, "a message of another layout");
        // Four bytes at `at`, which `MaskedLayout::new` placed inside `len`
        // bytes. Unchecked: bounds checks would weigh on every real server.
        let bytes = |at: u32| -> [u8; 4] {
            // SAFETY: at + 4 <= self.len == p.len() (MaskedLayout::new, the assert).
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
        let family = match self.family {
            Some(at) => family_from_af(
                u16::from_ne_bytes(pair(at)),
                DEST.fields[D::Family as usize].name,
            )?,
            None => service_family,
        };
        let (o, l) = self.addr;
        let addr = addr_from_bytes(
            &p[o as usize..(o + l) as usize],
            family,
            DEST.fields[D::Addr as usize].name,
        )?;
        // Plain loops: `array::map` here compiles to an out-of-line call.
        let mut w = [0u32; WORDS.len()];
        for (v, &(at, mask)) in w.iter_mut().zip(&self.words) {
            *v = word(at) & mask;
        }
        let [fwd, weight, upper_threshold, lower_threshold, active_conns, inactive_conns, persistent_conns] =
            w;
        let [(tt, tt_mask), (tp, tp_mask), (tf, tf_mask)] = self.tun;
        let tun_type = bytes(tt)[0] & tt_mask as u8;
        let mut c = [0u64; COUNTERS];
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
