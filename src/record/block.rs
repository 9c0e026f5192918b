//! A block: a run of entries compressed together, framed by a header that
//! says how long it is, what time it spans and its checksum, then the
//! times of its ticks (so a reader indexes a file without decompressing
//! it) and the compressed entries. A block is written whole, so a crash
//! leaves at most a torn last block, which its length or checksum betrays.

use super::time::words;
use super::wire::{put_i64, put_u64, Bytes};

pub const MAGIC: [u8; 4] = *b"LVBK";
pub const HEADER_LEN: usize = 40;

/// Bounds a reader holds a block to, whatever its header says.
pub const MAX_PAYLOAD: u32 = 128 << 20;
pub const MAX_RAW: u32 = 128 << 20;
pub const MAX_TIMES: u32 = 4 << 20;

/// The zstd level: 3 is zstd's default, fast enough to keep up with a
/// poll a second of a large table on one core.
const LEVEL: i32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockHeader {
    pub times_len: u32,
    pub payload_len: u32,
    pub raw_len: u32,
    /// Wall time of the first and last entry, microseconds.
    pub first: i64,
    pub last: i64,
    pub entries: u32,
    pub crc: u32,
}

impl BlockHeader {
    pub fn total_len(&self) -> u64 {
        HEADER_LEN as u64 + u64::from(self.times_len) + u64::from(self.payload_len)
    }

    /// Reads a header; None when the bytes are no block's (bad magic or
    /// lengths past the bounds).
    pub fn read(b: &[u8]) -> Option<BlockHeader> {
        if b.len() < HEADER_LEN || b[..4] != MAGIC {
            return None;
        }
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        let i64_at = |i: usize| i64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        let h = BlockHeader {
            times_len: u32_at(4),
            payload_len: u32_at(8),
            raw_len: u32_at(12),
            first: i64_at(16),
            last: i64_at(24),
            entries: u32_at(32),
            crc: u32_at(36),
        };
        let sane = h.times_len <= MAX_TIMES
            && h.payload_len <= MAX_PAYLOAD
            && h.raw_len <= MAX_RAW
            && h.first <= h.last;
        sane.then_some(h)
    }

    /// `block at byte 1234 (22:01:00 to 22:02:00)`, for messages.
    pub fn place(&self, offset: u64) -> String {
        format!(
            "block at byte {offset} ({} to {})",
            words(self.first),
            words(self.last)
        )
    }
}

/// The checksum covers everything after the magic but the checksum itself.
fn checksum(header: &[u8], times: &[u8], payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&header[4..36]);
    h.update(times);
    h.update(payload);
    h.finalize()
}

/// One block's bytes from its entries (`raw`) and its ticks' times.
pub fn encode(first: i64, last: i64, entries: u32, ticks: &[i64], raw: &[u8]) -> Vec<u8> {
    let mut times = Vec::new();
    put_u64(&mut times, ticks.len() as u64);
    let mut prev = first;
    for &t in ticks {
        put_i64(&mut times, t.wrapping_sub(prev));
        prev = t;
    }
    let payload = zstd::bulk::compress(raw, LEVEL).expect("compressing into memory");
    let mut out = Vec::with_capacity(HEADER_LEN + times.len() + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&(times.len() as u32).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&(raw.len() as u32).to_le_bytes());
    out.extend_from_slice(&first.to_le_bytes());
    out.extend_from_slice(&last.to_le_bytes());
    out.extend_from_slice(&entries.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    let crc = checksum(&out, &times, &payload);
    out[36..40].copy_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&times);
    out.extend_from_slice(&payload);
    out
}

/// A block found whole in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub offset: u64,
    pub header: BlockHeader,
    /// Its ticks' wall times, microseconds.
    pub ticks: Vec<i64>,
}

/// What a scan of a segment's blocks found.
#[derive(Debug, Default)]
pub struct Scan {
    pub blocks: Vec<Found>,
    /// Where the last whole block ends: a writer appends from here.
    pub end: u64,
    pub problems: Vec<String>,
}

/// Walks the blocks of `data` (a segment without its header, which starts
/// at `base` in the file), checking each one's checksum. A bad block is
/// skipped by finding the next block's magic; bytes after the last whole
/// block are a torn tail.
pub fn scan(data: &[u8], base: u64) -> Scan {
    let mut scan = Scan {
        end: base,
        ..Scan::default()
    };
    let mut at = 0usize;
    while at < data.len() {
        let offset = base + at as u64;
        let rest = &data[at..];
        let Some(h) = BlockHeader::read(rest) else {
            if rest.len() < HEADER_LEN && MAGIC.starts_with(&rest[..rest.len().min(4)]) {
                scan.problems.push(format!(
                    "the recording stops at byte {offset}: a block cut short ({} bytes) after {}",
                    rest.len(),
                    last_time(&scan)
                ));
                break;
            }
            at = skip_to_next(data, at, &mut scan, offset, "bytes that are not a block");
            continue;
        };
        let total = h.total_len();
        if total > rest.len() as u64 {
            match next_magic(data, at + 1) {
                Some(_) => {
                    at = skip_to_next(data, at, &mut scan, offset, "a block whose length is wrong");
                }
                None => {
                    scan.problems.push(format!(
                        "the recording stops at byte {offset}: the last block is cut short \
                         ({} of {total} bytes), after {}",
                        rest.len(),
                        last_time(&scan)
                    ));
                    break;
                }
            }
            continue;
        }
        let times_end = HEADER_LEN + h.times_len as usize;
        let times = &rest[HEADER_LEN..times_end];
        let payload = &rest[times_end..total as usize];
        if checksum(rest, times, payload) != h.crc {
            if next_magic(data, at + 1).is_none() && at + total as usize == data.len() {
                // The very last block, damaged: most likely torn by a crash
                // while its pages were written.
                scan.problems.push(format!(
                    "the recording stops at byte {offset}: the last {} does not match its checksum",
                    h.place(offset)
                ));
                break;
            }
            scan.problems.push(format!(
                "skipped the {}: it does not match its checksum",
                h.place(offset)
            ));
            at += total as usize;
            continue;
        }
        match tick_times(&h, times) {
            Some(ticks) => scan.blocks.push(Found {
                offset,
                header: h,
                ticks,
            }),
            None => scan.problems.push(format!(
                "skipped the {}: its tick times are damaged",
                h.place(offset)
            )),
        }
        at += total as usize;
        scan.end = base + at as u64;
    }
    scan
}

fn last_time(scan: &Scan) -> String {
    match scan.blocks.last() {
        Some(b) => words(b.header.last),
        None => "the segment's start".into(),
    }
}

fn next_magic(data: &[u8], from: usize) -> Option<usize> {
    data.get(from..)?
        .windows(MAGIC.len())
        .position(|w| w == MAGIC)
        .map(|p| from + p)
}

/// Past bytes that are no block, to the next magic (or the end), saying so.
fn skip_to_next(data: &[u8], at: usize, scan: &mut Scan, offset: u64, what: &str) -> usize {
    let next = next_magic(data, at + 1).unwrap_or(data.len());
    scan.problems.push(format!(
        "skipped {} bytes at byte {offset} ({what}), after {}",
        next - at,
        last_time(scan)
    ));
    next
}

fn tick_times(h: &BlockHeader, times: &[u8]) -> Option<Vec<i64>> {
    let mut b = Bytes::new(times);
    let n = b.count().ok()?;
    let mut ticks = Vec::with_capacity(n);
    let mut prev = h.first;
    for _ in 0..n {
        prev = prev.wrapping_add(b.i64().ok()?);
        ticks.push(prev);
    }
    b.is_empty().then_some(ticks)
}

/// A block's entries, decompressed; why not, in words.
pub fn decompress(h: &BlockHeader, payload: &[u8]) -> Result<Vec<u8>, String> {
    let raw = zstd::bulk::decompress(payload, h.raw_len as usize)
        .map_err(|e| format!("cannot decompress: {e}"))?;
    if raw.len() != h.raw_len as usize {
        return Err(format!(
            "{} bytes decompressed, {} expected",
            raw.len(),
            h.raw_len
        ));
    }
    Ok(raw)
}
