//! Attribute headers walked in place, without parsing values.

use netlink_packet_core::{DecodeError, NLA_TYPE_MASK};

/// The attributes of a payload: (type without flag bits, value). A header
/// that claims more bytes than are left ends the walk and is kept for
/// `finish`: the loop bodies stay free of `Result`s, which are costly in
/// the decoding's innermost loop.
pub(super) struct Attrs<'a> {
    rest: &'a [u8],
    /// (type, claimed length, bytes left) of a damaged header.
    damaged: Option<(u16, usize, usize)>,
}

impl<'a> Attrs<'a> {
    pub fn new(bytes: &'a [u8]) -> Attrs<'a> {
        Attrs {
            rest: bytes,
            damaged: None,
        }
    }

    /// Whether the walk ended cleanly.
    pub fn finish(&self) -> Result<(), DecodeError> {
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
