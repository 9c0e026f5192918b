//! Reading the journal back: lines paired into entries by id.

use std::collections::HashMap;
use std::io;
use std::path::Path;

use super::drain::DrainRecord;
use super::fleet::FleetRecord;
use super::record::{Entry, Record, Stage};

/// What reading the journal found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readback {
    pub entries: Vec<Entry>,
    /// 1-based numbers of lines that are not a record (a line torn by a crash).
    pub damaged_lines: Vec<usize>,
    /// Drain-watch lines, in the order written.
    pub drains: Vec<DrainRecord>,
    /// Fleet-operation lines (a change sent to several directors), in order.
    pub fleet: Vec<FleetRecord>,
}

pub fn read(path: &Path) -> io::Result<Readback> {
    Ok(parse(&std::fs::read(path)?))
}

/// The journal's lines, already read (a recording holds them too).
pub fn parse(bytes: &[u8]) -> Readback {
    let mut entries: Vec<Entry> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut damaged_lines = Vec::new();
    let mut drains = Vec::new();
    let mut fleet = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record: Record = match serde_json::from_slice(line) {
            Ok(r) => r,
            Err(_) => {
                if let Ok(d) = serde_json::from_slice::<DrainRecord>(line) {
                    drains.push(d);
                } else if let Ok(f) = serde_json::from_slice::<FleetRecord>(line) {
                    fleet.push(f);
                } else {
                    damaged_lines.push(i + 1);
                }
                continue;
            }
        };
        let at = *by_id.entry(record.id.clone()).or_insert_with(|| {
            entries.push(Entry {
                id: record.id.clone(),
                intent: None,
                result: None,
            });
            entries.len() - 1
        });
        match record.record {
            Stage::Intent => entries[at].intent = Some(record),
            Stage::Result => entries[at].result = Some(record),
        }
    }
    Readback {
        entries,
        damaged_lines,
        drains,
        fleet,
    }
}
