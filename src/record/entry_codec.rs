//! Entries as bytes inside a block: a tag, the wall time, then the body. A
//! tick's table is written against the block's previous tick (the first
//! against an empty table), so every block reads on its own.

use std::time::Duration;

use super::table_delta;
use super::time::{from_micros, to_micros};
use super::wire::{malformed, put_i64, put_str, put_u64, Bytes, Malformed};
use super::{ConnRecord, Entry, Tick};
use crate::model::Snapshot;

const TICK: u8 = 1;
const JOURNAL: u8 = 2;
const CONNECTIONS: u8 = 3;
const GAP: u8 = 4;

/// What the table merge knows of a tick: which services' real servers
/// were read again since its tick `serial - 1` (by place in the tick).
#[derive(Debug, Clone, Copy)]
pub struct TickHint<'a> {
    pub serial: u64,
    pub dests_moved: &'a [bool],
}

/// Writes a block's entries, remembering the last tick's table.
#[derive(Default)]
pub struct EntryWriter {
    prev: Snapshot,
    /// The serial of the hinted tick `prev` holds; None when it holds
    /// another (a block's start, a tick without a hint).
    prev_serial: Option<u64>,
}

impl EntryWriter {
    /// Starts a new block: the next tick is written whole.
    pub fn restart(&mut self) {
        self.prev = Snapshot::default();
        self.prev_serial = None;
    }

    /// Appends `entry`. A hint following the tick `prev` holds spares
    /// comparing and copying the real servers not read again; the bytes
    /// are the same with or without it.
    pub fn write_hinted(&mut self, entry: &Entry, hint: Option<TickHint>, out: &mut Vec<u8>) {
        match entry {
            Entry::Tick(t) => {
                let moved = hint
                    .filter(|h| Some(h.serial) == self.prev_serial.map(|s| s + 1))
                    .filter(|h| h.dests_moved.len() == t.snapshot.services.len())
                    .map(|h| h.dests_moved);
                out.push(TICK);
                put_i64(out, to_micros(t.wall));
                put_u64(out, t.took.as_micros() as u64);
                put_u64(out, t.interval.as_micros() as u64);
                out.push(match t.estimator {
                    None => 0,
                    Some(false) => 1,
                    Some(true) => 2,
                });
                table_delta::encode_with(&self.prev, &t.snapshot, moved, out);
                keep_as_base(&mut self.prev, &t.snapshot, moved);
                self.prev_serial = hint.map(|h| h.serial);
            }
            Entry::Journal { wall, line } => {
                out.push(JOURNAL);
                put_i64(out, to_micros(*wall));
                put_str(out, line);
            }
            Entry::Connections { wall, summary } => {
                out.push(CONNECTIONS);
                put_i64(out, to_micros(*wall));
                let json = serde_json::to_string(summary).expect("a ConnRecord always encodes");
                put_str(out, &json);
            }
            Entry::Gap { wall, reason } => {
                out.push(GAP);
                put_i64(out, to_micros(*wall));
                put_str(out, reason);
            }
        }
    }
}

/// Makes `prev` a copy of `next`, copying only the real servers marked
/// moved when the services stand in the same order.
fn keep_as_base(prev: &mut Snapshot, next: &Snapshot, moved: Option<&[bool]>) {
    let same_order = prev.services.len() == next.services.len()
        && prev
            .services
            .iter()
            .zip(&next.services)
            .all(|(p, n)| p.service.key == n.service.key);
    let Some(moved) = moved.filter(|_| same_order) else {
        prev.clone_from(next);
        return;
    };
    prev.info = next.info;
    for ((p, n), &m) in prev.services.iter_mut().zip(&next.services).zip(moved) {
        p.service.clone_from(&n.service);
        if m {
            p.dests.clone_from(&n.dests);
        }
    }
}

/// Reads a block's entries back in order, one at a time (a block of
/// whole tables would not fit in memory decoded at once).
pub struct EntryReader {
    raw: Vec<u8>,
    at: usize,
    prev: Snapshot,
    /// Ticks before this time come without their table (a replay skipping
    /// to an instant needs only the last one's: `table` has it).
    skip_before: i64,
}

impl EntryReader {
    pub fn new(raw: Vec<u8>) -> EntryReader {
        EntryReader {
            raw,
            at: 0,
            prev: Snapshot::default(),
            skip_before: i64::MIN,
        }
    }

    /// Ticks before `t` (µs) are handed out with an empty table.
    pub fn skip_tables_before(&mut self, t: i64) {
        self.skip_before = t;
    }

    /// The next entry's kind and time (µs), not read yet.
    pub fn peek(&self) -> Option<(u8, i64)> {
        let mut b = Bytes::new(self.raw.get(self.at..)?);
        Some((b.u8().ok()?, b.i64().ok()?))
    }

    /// Whether the next entry is a tick at or after `t` (µs): reading it
    /// moves `table` on.
    pub fn tick_next_at_or_after(&self, t: i64) -> bool {
        self.peek().is_some_and(|(tag, at)| tag == TICK && at >= t)
    }

    /// The table of the last tick read.
    pub fn table(&self) -> &Snapshot {
        &self.prev
    }

    /// The next entry, None at the block's end, or why the rest is
    /// unreadable (after which it returns None).
    pub fn next_entry(&mut self) -> Option<Result<Entry, Malformed>> {
        if self.at >= self.raw.len() {
            return None;
        }
        let mut bytes = Bytes::new(&self.raw[self.at..]);
        let entry = read(&mut bytes, &mut self.prev, self.skip_before);
        self.at = match entry {
            Ok(_) => self.at + bytes.consumed(),
            Err(_) => self.raw.len(),
        };
        Some(entry)
    }
}

fn read(b: &mut Bytes, prev: &mut Snapshot, skip_before: i64) -> Result<Entry, Malformed> {
    let tag = b.u8()?;
    let micros = b.i64()?;
    let wall = from_micros(micros);
    Ok(match tag {
        TICK => {
            let took = Duration::from_micros(b.u64()?);
            let interval = Duration::from_micros(b.u64()?);
            let estimator = match b.u8()? {
                0 => None,
                1 => Some(false),
                2 => Some(true),
                e => return Err(malformed(format!("estimator state {e}"))),
            };
            table_delta::decode(prev, b)?;
            let snapshot = if micros < skip_before {
                Snapshot::default()
            } else {
                prev.clone()
            };
            Entry::Tick(Tick {
                wall,
                took,
                interval,
                estimator,
                snapshot,
            })
        }
        JOURNAL => Entry::Journal {
            wall,
            line: b.str()?,
        },
        CONNECTIONS => {
            let json = b.str()?;
            let summary: ConnRecord = serde_json::from_str(&json)
                .map_err(|e| malformed(format!("a connection summary: {e}")))?;
            Entry::Connections { wall, summary }
        }
        GAP => Entry::Gap {
            wall,
            reason: b.str()?,
        },
        t => return Err(malformed(format!("entry kind {t}"))),
    })
}
