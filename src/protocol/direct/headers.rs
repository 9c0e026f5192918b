//! The attribute headers of a dump message, learnt once and compared
//! against each next message.
//!
//! The kernel writes every entry of a dump with the same code, so the
//! messages of one dump have the same attributes at the same places; only
//! the values differ. A decoder walks the first message, records where its
//! headers are, and checks each later message against them: same length,
//! and the same bytes in every attribute header (type, length, nesting).
//! A message that passes has its fields where the walk found them.

/// The headers of one message, as masked 8-byte words.
#[derive(Debug, Clone)]
pub(super) struct Headers {
    /// The length of the message learnt from.
    len: usize,
    /// Its 8-byte words: the mask of the header bytes, and those bytes with
    /// everything else zeroed.
    mask: Vec<u64>,
    want: Vec<u64>,
    /// The same for the bytes after the last whole word.
    tail: Vec<(u8, u8)>,
}

impl Headers {
    /// From a message and the offsets of its attribute headers (each 4
    /// bytes inside the message).
    pub fn learn(payload: &[u8], headers: &[u32]) -> Headers {
        let mut bytes = vec![0u8; payload.len()];
        for &at in headers {
            bytes[at as usize..at as usize + 4].fill(0xff);
        }
        let word = |c: &[u8]| u64::from_ne_bytes(c.try_into().unwrap());
        let (mask, want) = payload
            .chunks_exact(8)
            .zip(bytes.chunks_exact(8))
            .map(|(b, m)| (word(m), word(b) & word(m)))
            .unzip();
        let whole = payload.len() / 8 * 8;
        let tail = payload[whole..]
            .iter()
            .zip(&bytes[whole..])
            .map(|(b, m)| (*m, b & m))
            .collect();
        Headers {
            len: payload.len(),
            mask,
            want,
            tail,
        }
    }

    /// Whether `payload` has these headers: the same length, and the same
    /// bytes in every attribute header. Masked words over the whole message,
    /// without a branch: a check per header cost more than reading the
    /// fields.
    pub fn fits(&self, payload: &[u8]) -> bool {
        if payload.len() != self.len {
            return false;
        }
        let at = payload.as_ptr();
        let n = self.mask.len().min(self.want.len());
        let (mask, want) = (&self.mask[..n], &self.want[..n]);
        let mut body = 0u64;
        for i in 0..n {
            // SAFETY: word i ends at 8 * (i + 1) <= self.len (the words
            // were cut from a message of that length), which payload.len()
            // equals. Unchecked: bounds checks would weigh on this hot loop.
            let b = unsafe { at.add(8 * i).cast::<[u8; 8]>().read_unaligned() };
            body |= (u64::from_ne_bytes(b) & mask[i]) ^ want[i];
        }
        let tail = payload[n * 8..]
            .iter()
            .zip(&self.tail)
            .fold(0u8, |diff, (b, &(mask, want))| diff | ((b & mask) ^ want));
        body == 0 && tail == 0
    }
}
