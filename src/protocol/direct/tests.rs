//! The walk against the typed path, and the learnt decoders against the
//! walk, on every captured kernel reply and on damaged copies of them.

use std::path::Path;

use netlink_packet_core::NLA_TYPE_MASK;

use super::*;
use crate::model::Family;
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

/// The learnt layout gives what the walk gives, on every captured
/// real-server message decoded in a row through one decoder (each
/// twice, so layouts are reused), for either service family.
#[test]
fn the_learnt_layout_agrees_with_the_walk() {
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

/// A decoder that learnt a message's layout, given that message with any
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
/// results, with the learnt layout used.
#[test]
fn the_learnt_service_layout_agrees_with_the_walk() {
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
        assert_eq!(warm.learnt.len(), 1);
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
/// checks both names, a learnt layout would read only the last.
#[test]
fn two_scheduler_names_are_never_read_by_a_learnt_layout() {
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
    assert!(d.learnt.is_empty(), "learnt a layout for two names");
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
