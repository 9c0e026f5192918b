//! What every fuzz target runs: hostile bytes through the same decode path
//! the kernel client uses, then through the conversions to model types and
//! back to the wire. Any panic is a bug; decode errors are the expected
//! outcome for most inputs.

use lvstop::model::Family;
use lvstop::protocol::convert::{
    daemon_from_message, dest_from_message, dest_full, info_from_message, service_from_message,
    service_full, timeouts_from_message,
};
use lvstop::protocol::{IpvsAttr, IpvsCmd, IpvsMessage};
use netlink_packet_core::{
    Emitable, NetlinkBuffer, NetlinkMessage, NetlinkPayload, ParseableParametrized,
};
use netlink_packet_generic::{GenlHeader, GenlMessage};

/// One genl payload (the attributes after the genl header) as a reply
/// carrying `cmd`: parse, convert, re-emit.
pub fn reply(cmd: IpvsCmd, payload: &[u8]) {
    let header = GenlHeader {
        cmd: cmd.into(),
        version: 1,
    };
    if let Ok(msg) = IpvsMessage::parse_with_param(payload, header) {
        exercise(&msg);
    }
}

/// Every conversion the client applies to a reply, whatever its command,
/// then the model back to attributes and bytes.
fn exercise(msg: &IpvsMessage) {
    // Emitting what we parsed must not panic and must fill exactly buffer_len.
    let mut out = vec![0u8; msg.buffer_len()];
    msg.emit(&mut out);

    if let Ok(s) = service_from_message(msg) {
        let back = IpvsMessage::new(
            IpvsCmd::NewService,
            vec![IpvsAttr::Service(service_full(&s))],
        );
        let mut b = vec![0u8; back.buffer_len()];
        back.emit(&mut b);
    }
    for family in [Family::V4, Family::V6] {
        if let Ok(d) = dest_from_message(msg, family) {
            let back = IpvsMessage::new(IpvsCmd::NewDest, vec![IpvsAttr::Dest(dest_full(&d))]);
            let mut b = vec![0u8; back.buffer_len()];
            back.emit(&mut b);
        }
    }
    let _ = info_from_message(msg);
    let _ = timeouts_from_message(msg);
    let _ = daemon_from_message(msg);
}

/// A whole received datagram, split and decoded exactly as
/// `kernel::transport::Transport::receive` does (several netlink messages
/// per datagram, each a genl message with an IPVS payload, or DONE/ERROR).
pub fn datagram(bytes: &[u8]) {
    let mut offset = 0;
    while offset < bytes.len() {
        let rest = &bytes[offset..];
        let nl = match NetlinkBuffer::new_checked(rest) {
            Ok(nl) => nl,
            Err(_) => return,
        };
        let len = nl.length() as usize;
        let aligned = (len + 3) & !3;
        let frame = &rest[..len];
        offset += aligned;
        if let Ok(parsed) = NetlinkMessage::<GenlMessage<IpvsMessage>>::deserialize(frame) {
            if let NetlinkPayload::InnerMessage(m) = parsed.payload {
                exercise(&m.payload);
            }
        }
    }
}

/// The connection table's text through the kernel client's walk. `bytes[0]`
/// picks the file (bit 0), the size of each `read()` (bits 1-2: the kernel
/// hands out a page at most) and after how many entries the visitor stops
/// (bits 3-7, 0: never); the rest is the text. Whatever the reads, the
/// same entries come out; every one holds only printable ASCII.
pub fn conn_file(bytes: &[u8]) {
    use lvstop::kernel::conn_file::walk_text;
    use lvstop::model::ConnSource;
    use std::ops::ControlFlow;

    let Some((&pick, text)) = bytes.split_first() else {
        return;
    };
    let source = if pick & 1 == 0 {
        ConnSource::Plain
    } else {
        ConnSource::WithOrigin
    };
    let step = [1, 61, 4096, usize::MAX][usize::from(pick >> 1 & 3)];
    let stop = usize::from(pick >> 3);
    let walk = |reader: &mut dyn std::io::Read| {
        let (mut seen, mut buf) = (Vec::new(), Vec::new());
        let walked = walk_text(reader, source, &mut buf, &mut |c| {
            assert!(c.protocol.as_str().bytes().all(|b| b.is_ascii_graphic()));
            assert!(c.state.as_str().bytes().all(|b| b.is_ascii_graphic()));
            if let Some(pe) = &c.pe {
                assert!(pe.data.len() <= 255);
                assert!(pe.data.bytes().all(|b| (b' '..=b'~').contains(&b)));
            }
            assert_eq!(c.origin.is_some(), source == ConnSource::WithOrigin);
            seen.push(c);
            if seen.len() == stop {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        (walked.map(|w| (w.entries, w.malformed, w.complete)).ok(), seen)
    };
    let whole = walk(&mut &text[..]);
    let stepped = walk(&mut Steps { text, step });
    assert_eq!(whole, stepped, "the size of the reads changed the walk");
    if let (Some((entries, _, complete)), seen) = &whole {
        assert_eq!(*entries as usize, seen.len());
        // A walk its visitor stopped is never complete, even at the last entry.
        let stopped = stop != 0 && seen.len() == stop;
        assert_eq!(*complete, !stopped);
    }
}

/// Hands out `text` at most `step` bytes per `read()`.
struct Steps<'a> {
    text: &'a [u8],
    step: usize,
}

impl std::io::Read for Steps<'_> {
    fn read(&mut self, into: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(into.len()).min(self.text.len());
        into[..n].copy_from_slice(&self.text[..n]);
        self.text = &self.text[n..];
        Ok(n)
    }
}

/// What the layout checks feed a decoder that learnt `payload`: the message
/// itself, cut short by a byte, and with one byte changed at each 4-byte
/// boundary (where every attribute header starts).
fn layout_variants(payload: &[u8]) -> Vec<Vec<u8>> {
    let mut variants = vec![payload.to_vec()];
    if let Some((_, rest)) = payload.split_last() {
        variants.push(rest.to_vec());
    }
    for i in (0..payload.len()).step_by(4).take(64) {
        let mut m = payload.to_vec();
        m[i] ^= 0x04;
        variants.push(m);
    }
    variants
}

/// The client's real-server decoding (a layout learnt from one message, then
/// reused) must give what the plain walk gives: for the message itself, for
/// it cut short, and for it with one byte changed at each 4-byte boundary
/// (where every attribute header starts), each through the decoder that
/// learnt the original.
pub fn dest_learnt_layout(payload: &[u8]) {
    use lvstop::protocol::direct::{dest_from_payload, DestDecoder};
    let mut warm = DestDecoder::new();
    let variants = layout_variants(payload);
    let _ = warm.decode(payload, Family::V4);
    for m in variants {
        let walked = dest_from_payload(&m, Family::V4);
        let decoded = warm.clone().decode(&m, Family::V4);
        match (walked, decoded) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("the walk gave {a:?}, the learnt layout {b:?}"),
        }
    }
}

/// As `dest_learnt_layout`, for the services decoder.
pub fn service_learnt_layout(payload: &[u8]) {
    use lvstop::protocol::direct::{service_from_payload, ServiceDecoder};
    let mut warm = ServiceDecoder::new();
    let variants = layout_variants(payload);
    let _ = warm.decode(payload);
    for m in variants {
        let walked = service_from_payload(&m);
        let decoded = warm.clone().decode(&m);
        match (walked, decoded) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("the walk gave {a:?}, the learnt layout {b:?}"),
        }
    }
}
