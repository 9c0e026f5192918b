//! Reads a recording back: its segments scanned at open into an index of
//! whole blocks (torn tails and bad blocks become `problems`), entries
//! decoded a block at a time from any instant.

use std::collections::VecDeque;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::block::{self, Found, HEADER_LEN};
use super::entry_codec::EntryReader;
use super::error::RecordError;
use super::segment_header::{self, HeaderRead};
use super::segments;
use super::time::{from_micros, to_micros};
use super::{Entry, Tick, WriterVersion, FORMAT_VERSION};

struct Segment {
    path: PathBuf,
    file: File,
    writer: WriterVersion,
}

struct Indexed {
    segment: usize,
    found: Found,
}

pub struct Recording {
    segments: Vec<Segment>,
    blocks: Vec<Indexed>,
    ticks: Vec<SystemTime>,
    problems: Vec<String>,
}

impl Recording {
    /// Opens the recording at `path` with its rotated segments (`path.1`,
    /// ...). A torn tail or a bad block is not an error: `problems` says
    /// where; a file that is no recording, or from a newer format, is.
    pub fn open(path: &Path) -> Result<Recording, RecordError> {
        let paths = segments::oldest_first(path);
        if paths.is_empty() {
            return Err(RecordError::Io {
                path: path.to_path_buf(),
                reason: "No such file or directory".into(),
            });
        }
        let mut rec = Recording {
            segments: Vec::new(),
            blocks: Vec::new(),
            ticks: Vec::new(),
            problems: Vec::new(),
        };
        for p in paths {
            let mut file = File::open(&p).map_err(|e| RecordError::io(&p, &e))?;
            let mut data = Vec::new();
            file.read_to_end(&mut data)
                .map_err(|e| RecordError::io(&p, &e))?;
            let (writer, len) = match segment_header::read(&data) {
                HeaderRead::Recording { writer, len } => (writer, len),
                HeaderRead::Torn => {
                    rec.problems
                        .push(format!("{}: its header is cut short: no data", p.display()));
                    continue;
                }
                HeaderRead::Foreign(reason) => {
                    return Err(RecordError::NotARecording { path: p, reason });
                }
            };
            if writer.format > FORMAT_VERSION {
                return Err(RecordError::NewerFormat {
                    path: p,
                    format: writer.format,
                    writer: writer.lvstop,
                });
            }
            let scan = block::scan(&data[len..], len as u64);
            let segment = rec.segments.len();
            let name = p.display().to_string();
            rec.problems
                .extend(scan.problems.into_iter().map(|m| format!("{name}: {m}")));
            for found in scan.blocks {
                rec.ticks
                    .extend(found.ticks.iter().map(|&t| from_micros(t)));
                rec.blocks.push(Indexed { segment, found });
            }
            rec.segments.push(Segment {
                path: p,
                file,
                writer,
            });
        }
        Ok(rec)
    }

    /// What is wrong with the file, in words (each naming where), empty
    /// when it read whole.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// The first and last entry's times; None for a recording without one.
    pub fn span(&self) -> Option<(SystemTime, SystemTime)> {
        let first = self.blocks.first()?.found.header.first;
        let last = self.blocks.last()?.found.header.last;
        Some((from_micros(first), from_micros(last)))
    }

    /// Every tick's time, in order.
    pub fn ticks(&self) -> &[SystemTime] {
        &self.ticks
    }

    /// Where each whole block starts in its segment, in order.
    pub fn block_offsets(&self) -> Vec<u64> {
        self.blocks.iter().map(|b| b.found.offset).collect()
    }

    /// Who wrote the newest segment (lvstop version and format).
    pub fn version(&self) -> Option<&WriterVersion> {
        self.segments.last().map(|s| &s.writer)
    }

    /// Each segment's path and writer, oldest first.
    pub fn segments(&self) -> impl Iterator<Item = (&Path, &WriterVersion)> {
        self.segments.iter().map(|s| (s.path.as_path(), &s.writer))
    }

    /// Entries from `from` to `to` in time order. The first tick is the
    /// whole table at or before `from` (when one was recorded), so a replay
    /// can start anywhere; a block unreadable at decode is a `Gap`.
    pub fn entries(&self, from: SystemTime, to: SystemTime) -> Entries<'_> {
        let from = to_micros(from);
        let to = to_micros(to);
        // The last block holding a tick at or before `from` (blocks are in
        // time order); else the first block reaching `from`.
        let starts_by = |b: &Indexed| {
            b.found
                .ticks
                .first()
                .copied()
                .unwrap_or(b.found.header.first)
        };
        let before = self.blocks.partition_point(|b| starts_by(b) <= from);
        let start = self.blocks[..before]
            .iter()
            .rposition(|b| !b.found.ticks.is_empty())
            .unwrap_or_else(|| self.blocks.partition_point(|b| b.found.header.last < from));
        Entries {
            recording: self,
            next_block: start,
            reader: None,
            from,
            to,
            before: None,
            before_table: false,
            started: false,
            queued: VecDeque::new(),
            done: false,
        }
    }

    /// Every entry but the ticks (journal lines, connection summaries,
    /// gaps) in file order, for a scan of the whole file: a block holding
    /// only ticks (its header counts as many entries as its tick times) is
    /// passed over unread; the others' tables are decoded, never copied.
    pub fn besides_ticks(&self) -> impl Iterator<Item = Entry> + '_ {
        self.blocks
            .iter()
            .filter(|b| b.found.header.entries as usize > b.found.ticks.len())
            .flat_map(move |b| {
                let mut found = Vec::new();
                match self.block_entries(b) {
                    Ok(mut reader) => {
                        reader.skip_tables_before(i64::MAX);
                        while let Some(e) = reader.next_entry() {
                            match e {
                                Ok(Entry::Tick(_)) => {}
                                Ok(e) => found.push(e),
                                Err(why) => found.push(self.unreadable(b, &why.0)),
                            }
                        }
                    }
                    Err(why) => found.push(self.unreadable(b, &why)),
                }
                found
            })
    }

    /// The gap a block unreadable from some entry on becomes.
    fn unreadable(&self, b: &Indexed, why: &str) -> Entry {
        let h = &b.found.header;
        Entry::Gap {
            wall: from_micros(h.first),
            reason: format!(
                "{}: the rest of the {} is unreadable: {why}",
                self.segments[b.segment].path.display(),
                h.place(b.found.offset)
            ),
        }
    }

    /// A block's entries, decompressed.
    fn block_entries(&self, b: &Indexed) -> Result<EntryReader, String> {
        let h = &b.found.header;
        let mut payload = vec![0; h.payload_len as usize];
        let at = b.found.offset + HEADER_LEN as u64 + u64::from(h.times_len);
        self.segments[b.segment]
            .file
            .read_exact_at(&mut payload, at)
            .map_err(|e| format!("cannot read it: {}", super::error::io_reason(&e)))?;
        block::decompress(h, &payload).map(EntryReader::new)
    }
}

/// The entries of a time range, decoded lazily.
pub struct Entries<'r> {
    recording: &'r Recording,
    next_block: usize,
    reader: Option<EntryReader>,
    from: i64,
    to: i64,
    /// The last tick before `from`, held until the range starts; its table
    /// is the reader's until `before_table` says it was copied.
    before: Option<Tick>,
    before_table: bool,
    started: bool,
    queued: VecDeque<Entry>,
    done: bool,
}

impl Entries<'_> {
    /// The next entry of the recording in file order, a Gap for what could
    /// not be read; None at the end.
    fn next_raw(&mut self) -> Option<Entry> {
        loop {
            // The held tick's table is the reader's until the next tick.
            if self.before.is_some()
                && self
                    .reader
                    .as_ref()
                    .is_some_and(|r| r.tick_next_at_or_after(self.from))
            {
                self.keep_before_table();
            }
            if let Some(reader) = &mut self.reader {
                match reader.next_entry() {
                    Some(Ok(e)) => return Some(e),
                    Some(Err(why)) => {
                        // The table read so far is not to be trusted.
                        if !self.before_table {
                            self.before = None;
                        }
                        self.reader = None;
                        let b = &self.recording.blocks[self.next_block - 1];
                        return Some(self.bad_block(b, &why.0));
                    }
                    None => {
                        self.keep_before_table();
                        self.reader = None;
                    }
                }
            }
            let b = self.recording.blocks.get(self.next_block)?;
            self.next_block += 1;
            match self.recording.block_entries(b) {
                Ok(mut reader) => {
                    reader.skip_tables_before(self.from);
                    self.reader = Some(reader);
                }
                Err(why) => return Some(self.bad_block(b, &why)),
            }
        }
    }

    /// The held tick's table, copied from the reader before it moves on.
    fn keep_before_table(&mut self) {
        if let (Some(t), Some(r), false) = (&mut self.before, &self.reader, self.before_table) {
            t.snapshot = r.table().clone();
            self.before_table = true;
        }
    }

    /// The held tick, whole.
    fn take_before(&mut self) -> Option<Tick> {
        self.keep_before_table();
        self.before.take()
    }

    fn bad_block(&self, b: &Indexed, why: &str) -> Entry {
        self.recording.unreadable(b, why)
    }
}

impl Iterator for Entries<'_> {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        loop {
            if let Some(e) = self.queued.pop_front() {
                return Some(e);
            }
            if self.done {
                return None;
            }
            let entry = match self.next_raw() {
                Some(e) => e,
                None => {
                    self.done = true;
                    if !self.started {
                        self.started = true;
                        return self.take_before().map(Entry::Tick);
                    }
                    return None;
                }
            };
            let wall = to_micros(entry.wall());
            if wall > self.to {
                self.done = true;
                if !self.started {
                    self.started = true;
                    return self.take_before().map(Entry::Tick);
                }
                return None;
            }
            if wall < self.from {
                if let Entry::Tick(t) = entry {
                    self.before = Some(t);
                    self.before_table = false;
                }
                continue;
            }
            if !self.started {
                self.started = true;
                let at_from = matches!(&entry, Entry::Tick(t) if to_micros(t.wall) == self.from);
                if let (Some(t), false) = (self.take_before(), at_from) {
                    self.queued.push_back(entry);
                    return Some(Entry::Tick(t));
                }
            }
            return Some(entry);
        }
    }
}
