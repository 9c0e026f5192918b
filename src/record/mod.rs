//! `--record FILE`: every poll's table, the changes lvstop made and the
//! connection summaries it read, written to an append-only, compressed,
//! crash-safe file that `--replay` reads back (docs/recording.md is the
//! format).
//!
//! [`Recorder`] writes (blocks of entries, each compressed and checksummed,
//! in rotating segments); [`Recording`] reads them back, skipping what is
//! torn or corrupt and saying so; [`RecordThread`] keeps the writing off the
//! poll path.

mod block;
mod conn_record;
mod entry_codec;
mod error;
mod options;
mod recorder;
mod recording;
mod segment_header;
mod segments;
mod table_delta;
mod table_part;
mod time;
mod wire;
mod writer_thread;

#[cfg(test)]
mod tests;

use std::time::{Duration, SystemTime};

pub use conn_record::{ConnRecord, DestConnRecord};
pub use error::RecordError;
pub use options::{parse_size, RecordOptions};
pub use recorder::Recorder;
pub use recording::{Entries, Recording};
pub use table_part::TablePart;
pub use writer_thread::{RecordHandle, RecordSender, RecordThread};

/// The version of the file format this lvstop writes (and the newest it
/// reads): docs/recording.md describes each.
pub const FORMAT_VERSION: u32 = 1;

/// One poll as recorded: the whole table as lvstop knew it after that poll.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub wall: SystemTime,
    /// How long the poll took.
    pub took: Duration,
    /// The polling interval in force.
    pub interval: Duration,
    /// Whether the kernel's rate estimator was running (None: not known).
    pub estimator: Option<bool>,
    pub snapshot: crate::model::Snapshot,
}

/// One thing in a recording's timeline.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Tick(Tick),
    /// A change lvstop made: the journal's record as the journal wrote it (one JSON line).
    Journal {
        wall: SystemTime,
        line: String,
    },
    /// A connection summary the monitor read.
    Connections {
        wall: SystemTime,
        summary: ConnRecord,
    },
    /// The poll failed, or recording stopped/started: a gap in the timeline, in words.
    Gap {
        wall: SystemTime,
        reason: String,
    },
}

impl Entry {
    pub fn wall(&self) -> SystemTime {
        match self {
            Entry::Tick(t) => t.wall,
            Entry::Journal { wall, .. }
            | Entry::Connections { wall, .. }
            | Entry::Gap { wall, .. } => *wall,
        }
    }
}

/// Reads a segment held in memory the way [`Recording`] reads a file:
/// header, blocks, every entry decoded; returns the entries read and the
/// problems. For the fuzz target (fuzz/fuzz_targets/recording.rs).
#[doc(hidden)]
pub fn read_segment_bytes(data: &[u8]) -> (usize, Vec<String>) {
    let len = match segment_header::read(data) {
        segment_header::HeaderRead::Recording { len, .. } => len,
        _ => return (0, vec!["not a recording".into()]),
    };
    let scan = block::scan(&data[len..], len as u64);
    let mut problems = scan.problems;
    let mut entries = 0;
    for found in scan.blocks {
        let h = &found.header;
        let start = found.offset as usize + block::HEADER_LEN + h.times_len as usize;
        let payload = &data[start..start + h.payload_len as usize];
        match block::decompress(h, payload) {
            Ok(raw) => {
                let mut reader = entry_codec::EntryReader::new(raw);
                while let Some(e) = reader.next_entry() {
                    match e {
                        Ok(_) => entries += 1,
                        Err(why) => problems.push(why.0),
                    }
                }
            }
            Err(why) => problems.push(why),
        }
    }
    (entries, problems)
}

/// Which lvstop wrote a segment, and in which format version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterVersion {
    /// `lvstop 0.1.0`.
    pub lvstop: String,
    pub format: u32,
}

impl std::fmt::Display for WriterVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (format {})", self.lvstop, self.format)
    }
}

/// The version this build writes into a segment's header.
pub fn this_writer() -> WriterVersion {
    WriterVersion {
        lvstop: format!("lvstop {}", env!("CARGO_PKG_VERSION")),
        format: FORMAT_VERSION,
    }
}
