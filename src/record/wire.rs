//! The byte-level vocabulary of the recording format: LEB128 varints,
//! zigzag for signed deltas, length-prefixed strings, addresses. The reader
//! never trusts a length: every count is checked against the bytes left.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why bytes could not be read back: what was expected, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn malformed(what: impl Into<String>) -> Malformed {
    Malformed(what.into())
}

pub fn put_u64(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub fn put_i64(out: &mut Vec<u8>, v: i64) {
    put_u64(out, ((v << 1) ^ (v >> 63)) as u64);
}

pub fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u64(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

pub fn put_addr(out: &mut Vec<u8>, addr: &IpAddr) {
    match addr {
        IpAddr::V4(a) => {
            out.push(4);
            out.extend_from_slice(&a.octets());
        }
        IpAddr::V6(a) => {
            out.push(6);
            out.extend_from_slice(&a.octets());
        }
    }
}

/// Reads what the `put_*` functions wrote, refusing anything past the end.
pub struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data, at: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.at >= self.data.len()
    }

    /// Bytes read so far.
    pub fn consumed(&self) -> usize {
        self.at
    }

    pub fn left(&self) -> usize {
        self.data.len() - self.at
    }

    /// The next byte, not read yet.
    pub fn peek(&self) -> Option<u8> {
        self.data.get(self.at).copied()
    }

    pub fn u8(&mut self) -> Result<u8, Malformed> {
        let b = *self
            .data
            .get(self.at)
            .ok_or_else(|| malformed("ends inside an entry"))?;
        self.at += 1;
        Ok(b)
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        if n > self.left() {
            return Err(malformed(format!(
                "{n} bytes promised, {} left",
                self.left()
            )));
        }
        let s = &self.data[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    #[inline]
    pub fn u64(&mut self) -> Result<u64, Malformed> {
        // Most numbers of a tick's changes (counter differences, masks) fit
        // one byte: decoding a jump's ticks was a quarter of its time.
        match self.data.get(self.at) {
            Some(&b) if b < 0x80 => {
                self.at += 1;
                Ok(u64::from(b))
            }
            _ => self.u64_long(),
        }
    }

    fn u64_long(&mut self) -> Result<u64, Malformed> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(malformed("a number longer than 64 bits"))
    }

    #[inline]
    pub fn i64(&mut self) -> Result<i64, Malformed> {
        let v = self.u64()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    pub fn u32(&mut self) -> Result<u32, Malformed> {
        u32::try_from(self.u64()?).map_err(|_| malformed("a 32-bit field out of range"))
    }

    pub fn u16(&mut self) -> Result<u16, Malformed> {
        u16::try_from(self.u64()?).map_err(|_| malformed("a 16-bit field out of range"))
    }

    /// A count of items, each at least one byte: never more than the bytes left.
    pub fn count(&mut self) -> Result<usize, Malformed> {
        let n = self.u64()?;
        if n > self.left() as u64 {
            return Err(malformed(format!(
                "{n} items promised, {} bytes left",
                self.left()
            )));
        }
        Ok(n as usize)
    }

    pub fn str(&mut self) -> Result<String, Malformed> {
        let n = self.u64()?;
        let n = usize::try_from(n).map_err(|_| malformed("a string too long"))?;
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| malformed("a string that is not UTF-8"))
    }

    pub fn addr(&mut self) -> Result<IpAddr, Malformed> {
        match self.u8()? {
            4 => {
                let b: [u8; 4] = self.take(4)?.try_into().expect("4 bytes");
                Ok(IpAddr::V4(Ipv4Addr::from(b)))
            }
            6 => {
                let b: [u8; 16] = self.take(16)?.try_into().expect("16 bytes");
                Ok(IpAddr::V6(Ipv6Addr::from(b)))
            }
            f => Err(malformed(format!("address family {f}"))),
        }
    }
}
