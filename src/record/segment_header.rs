//! The header opening each segment file: magic, format version, the
//! writing lvstop's version, a checksum. Read before anything else, so a
//! file that is not a recording is never written to.

use super::wire::malformed;
use super::WriterVersion;

/// The first bytes of every segment (a high byte first, as PNG's, so a
/// text tool mangling the file shows at once).
pub const MAGIC: [u8; 8] = *b"\x89LVSREC\n";

/// The writer's version string is at most this long.
const VERSION_MAX: usize = 64;

/// What the start of a file says.
#[derive(Debug, PartialEq, Eq)]
pub enum HeaderRead {
    /// A recording's header, and where the first block starts.
    Recording { writer: WriterVersion, len: usize },
    /// A header cut short (a crash right after creating the file): no data.
    Torn,
    /// Something else: never touched.
    Foreign(String),
}

pub fn encode(writer: &WriterVersion) -> Vec<u8> {
    let version = &writer.lvstop.as_bytes()[..writer.lvstop.len().min(VERSION_MAX)];
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&writer.format.to_le_bytes());
    out.extend_from_slice(&(version.len() as u16).to_le_bytes());
    out.extend_from_slice(version);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Reads the header at the start of `data` (the whole file or its start).
pub fn read(data: &[u8]) -> HeaderRead {
    let n = data.len().min(MAGIC.len());
    if data[..n] != MAGIC[..n] {
        return HeaderRead::Foreign("it does not start as a recording does".into());
    }
    let fixed = MAGIC.len() + 4 + 2;
    if data.len() < fixed {
        return HeaderRead::Torn;
    }
    let format = u32::from_le_bytes(data[8..12].try_into().expect("4 bytes"));
    let vlen = usize::from(u16::from_le_bytes(
        data[12..14].try_into().expect("2 bytes"),
    ));
    if vlen > VERSION_MAX {
        return HeaderRead::Foreign(format!("{}", malformed("its header is damaged")));
    }
    let len = fixed + vlen + 4;
    if data.len() < len {
        return HeaderRead::Torn;
    }
    let crc = u32::from_le_bytes(data[len - 4..len].try_into().expect("4 bytes"));
    if crc32fast::hash(&data[..len - 4]) != crc {
        return HeaderRead::Foreign("its header's checksum does not match".into());
    }
    let lvstop = String::from_utf8_lossy(&data[fixed..fixed + vlen])
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    HeaderRead::Recording {
        writer: WriterVersion { lvstop, format },
        len,
    }
}
