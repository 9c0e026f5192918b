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

use super::assemble::{RawDest, RawService};
use super::message::{IPVS_CMD_ATTR_DEST, IPVS_CMD_ATTR_SERVICE};
use crate::model::{Dest, Family, Service, Stats};

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
            n => {
                return Err(DecodeError::from(format!(
                    "invalid IPVS_STATS_ATTR {kind}: a statistics counter is 4 or 8 bytes, got {n}"
                )))
            }
        };
    }
    attrs.finish()?;
    let [conns, inpkts, outpkts, inbytes, outbytes, cps, inpps, outpps, inbps, outbps] = c;
    Ok(Stats {
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
    })
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
    let attrs = nest(payload, IPVS_CMD_ATTR_DEST, "IPVS_CMD_ATTR_DEST")?;
    let mut raw = RawDest::default();
    let (mut st, mut st64) = (None, None);
    let mut walk = Attrs::new(attrs);
    for (kind, v) in walk.by_ref() {
        let what = "IPVS_DEST_ATTR";
        match kind {
            1 => raw.addr = Some(v),
            2 => raw.port = Some(u16_be(v, "IPVS_DEST_ATTR_PORT")?),
            3 => raw.fwd = u32_ne(v, what)?,
            4 => raw.weight = u32_ne(v, what)?,
            5 => raw.upper_threshold = u32_ne(v, what)?,
            6 => raw.lower_threshold = u32_ne(v, what)?,
            7 => raw.active_conns = u32_ne(v, what)?,
            8 => raw.inactive_conns = u32_ne(v, what)?,
            9 => raw.persistent_conns = u32_ne(v, what)?,
            10 => st = Some(v),
            11 => raw.af = Some(u16_ne(v, "IPVS_DEST_ATTR_ADDR_FAMILY")?),
            12 => st64 = Some(v),
            13 => raw.tun_type = exact::<1>(v, "IPVS_DEST_ATTR_TUN_TYPE")?[0],
            14 => raw.tun_port = u16_be(v, "IPVS_DEST_ATTR_TUN_PORT")?,
            15 => raw.tun_flags = u16_ne(v, "IPVS_DEST_ATTR_TUN_FLAGS")?,
            _ => {}
        }
    }
    walk.finish()?;
    raw.dest(service_family, pick(st64, st)?)
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
