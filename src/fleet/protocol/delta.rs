//! Readings as changes against the previous one: the agent sends a whole
//! table first (and after a resync), then only the services and real servers
//! added, removed or changed. `readings` makes the lines, `Staging` puts them
//! back together on lvstop's side, refusing any that do not fit its table.

use std::collections::HashMap;
use std::fmt;

use crate::model::{Dest, DestKey, ServiceEntry, ServiceKey, Snapshot};

use super::messages::{Reading, ServiceChange};
use super::{ITEMS_PER_LINE, MAX_DESTS, MAX_SERVICES};

/// A reading line that does not apply to the table lvstop holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeltaError(pub String);

impl fmt::Display for DeltaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The lines of reading `seq` of `next`: whole when `prev` is None, else
/// what changed since `prev`. Never empty: a reading with no change is one
/// short line, which also tells lvstop the director is alive.
pub fn readings(
    prev: Option<&Snapshot>,
    next: &Snapshot,
    seq: u64,
    at_ms: u64,
    took_us: u64,
) -> Vec<Reading> {
    let info = match prev {
        Some(p) if p.info == next.info => None,
        _ => Some(next.info),
    };
    let (removed, changes) = changes(prev, next);
    let mut lines = vec![Reading {
        seq,
        full: prev.is_none(),
        more: false,
        at_ms,
        took_us,
        info,
        removed: Vec::new(),
        services: Vec::new(),
    }];
    let mut items = 0;
    let room = |lines: &mut Vec<Reading>, items: &mut usize| {
        if *items >= ITEMS_PER_LINE {
            let mut line = lines.last().expect("one line at least").clone();
            line.full = false;
            line.info = None;
            line.removed.clear();
            line.services.clear();
            lines.push(line);
            *items = 0;
        }
    };
    for key in removed {
        room(&mut lines, &mut items);
        lines.last_mut().expect("a line").removed.push(key);
        items += 1;
    }
    for change in changes {
        // A service's real servers may spread over several lines: the
        // service itself goes with the first part.
        let mut part = ServiceChange {
            key: change.key,
            service: change.service,
            removed: Vec::new(),
            dests: Vec::new(),
        };
        room(&mut lines, &mut items);
        items += 1;
        let dest_items = change
            .removed
            .into_iter()
            .map(Err)
            .chain(change.dests.into_iter().map(Ok));
        for item in dest_items {
            if items >= ITEMS_PER_LINE {
                let key = part.key;
                lines.last_mut().expect("a line").services.push(part);
                room(&mut lines, &mut items);
                part = ServiceChange {
                    key,
                    service: None,
                    removed: Vec::new(),
                    dests: Vec::new(),
                };
                items += 1;
            }
            match item {
                Err(k) => part.removed.push(k),
                Ok(d) => part.dests.push(d),
            }
            items += 1;
        }
        lines.last_mut().expect("a line").services.push(part);
    }
    let n = lines.len();
    for (i, line) in lines.iter_mut().enumerate() {
        line.more = i + 1 < n;
    }
    lines
}

/// Services gone, and each service's change (whole when new).
fn changes(prev: Option<&Snapshot>, next: &Snapshot) -> (Vec<ServiceKey>, Vec<ServiceChange>) {
    let before: HashMap<ServiceKey, &ServiceEntry> = prev
        .map(|p| p.services.iter().map(|e| (e.service.key, e)).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for entry in &next.services {
        let key = entry.service.key;
        let Some(old) = before.get(&key) else {
            out.push(ServiceChange {
                key,
                service: Some(entry.service.clone()),
                removed: Vec::new(),
                dests: entry.dests.clone(),
            });
            continue;
        };
        let old_dests: HashMap<DestKey, &Dest> = old.dests.iter().map(|d| (d.key(), d)).collect();
        let dests: Vec<Dest> = entry
            .dests
            .iter()
            .filter(|d| old_dests.get(&d.key()) != Some(d))
            .cloned()
            .collect();
        let now: std::collections::HashSet<DestKey> = entry.dests.iter().map(Dest::key).collect();
        let removed: Vec<DestKey> = old
            .dests
            .iter()
            .map(Dest::key)
            .filter(|k| !now.contains(k))
            .collect();
        let service = (old.service != entry.service).then(|| entry.service.clone());
        if service.is_some() || !dests.is_empty() || !removed.is_empty() {
            out.push(ServiceChange {
                key,
                service,
                removed,
                dests,
            });
        }
    }
    let now: std::collections::HashSet<ServiceKey> =
        next.services.iter().map(|e| e.service.key).collect();
    let removed = prev
        .map(|p| {
            p.services
                .iter()
                .map(|e| e.service.key)
                .filter(|k| !now.contains(k))
                .collect()
        })
        .unwrap_or_default();
    (removed, out)
}

/// Applies one reading line to `table`: services removed, changed in place,
/// added at the end. Refuses (leaving `table` partly changed: the caller
/// drops it) a line that names what the table does not hold, or that would
/// take it over the caps.
pub fn apply(table: &mut Snapshot, reading: &Reading) -> Result<(), DeltaError> {
    if let Some(info) = reading.info {
        table.info = info;
    }
    if !reading.removed.is_empty() {
        let gone: std::collections::HashSet<&ServiceKey> = reading.removed.iter().collect();
        if gone.len() != reading.removed.len() {
            return Err(DeltaError("a reading removes a service twice".into()));
        }
        let before = table.services.len();
        table.services.retain(|e| !gone.contains(&e.service.key));
        if before - table.services.len() != gone.len() {
            return Err(DeltaError(
                "a reading removes a service the table does not hold".into(),
            ));
        }
    }
    let mut index: HashMap<ServiceKey, usize> = table
        .services
        .iter()
        .enumerate()
        .map(|(i, e)| (e.service.key, i))
        .collect();
    for change in &reading.services {
        let at = match index.get(&change.key) {
            Some(&i) => {
                if let Some(s) = &change.service {
                    table.services[i].service = s.clone();
                }
                i
            }
            None => {
                let Some(s) = &change.service else {
                    return Err(DeltaError(format!(
                        "a reading changes the real servers of virtual service {}, which it never sent",
                        change.key
                    )));
                };
                if table.services.len() >= MAX_SERVICES {
                    return Err(DeltaError(format!(
                        "a table of over {MAX_SERVICES} services"
                    )));
                }
                table.services.push(ServiceEntry {
                    service: s.clone(),
                    dests: Vec::new(),
                });
                index.insert(change.key, table.services.len() - 1);
                table.services.len() - 1
            }
        };
        let entry = &mut table.services[at];
        if entry.service.key != change.key {
            return Err(DeltaError(
                "a reading's service does not match its key".into(),
            ));
        }
        apply_dests(entry, change)?;
    }
    let dests: usize = table.services.iter().map(|e| e.dests.len()).sum();
    if dests > MAX_DESTS {
        return Err(DeltaError(format!(
            "a table of over {MAX_DESTS} real servers"
        )));
    }
    Ok(())
}

fn apply_dests(entry: &mut ServiceEntry, change: &ServiceChange) -> Result<(), DeltaError> {
    if !change.removed.is_empty() {
        let gone: std::collections::HashSet<&DestKey> = change.removed.iter().collect();
        let before = entry.dests.len();
        entry.dests.retain(|d| !gone.contains(&d.key()));
        if gone.len() != change.removed.len() || before - entry.dests.len() != gone.len() {
            return Err(DeltaError(
                "a reading removes a real server the table does not hold".into(),
            ));
        }
    }
    if change.dests.is_empty() {
        return Ok(());
    }
    let mut index: HashMap<DestKey, usize> = entry
        .dests
        .iter()
        .enumerate()
        .map(|(i, d)| (d.key(), i))
        .collect();
    for d in &change.dests {
        match index.get(&d.key()) {
            Some(&i) => entry.dests[i] = d.clone(),
            None => {
                index.insert(d.key(), entry.dests.len());
                entry.dests.push(d.clone());
            }
        }
    }
    Ok(())
}

/// lvstop's side: reading lines in, whole tables out.
#[derive(Debug, Default)]
pub struct Staging {
    table: Option<Snapshot>,
    seq: u64,
    /// The reading being put together: its number and the table so far.
    building: Option<(u64, Snapshot)>,
}

impl Staging {
    pub fn new() -> Staging {
        Staging::default()
    }

    /// The last whole reading.
    pub fn table(&self) -> Option<&Snapshot> {
        self.table.as_ref()
    }

    /// Takes one line; returns the table when it completes a reading.
    pub fn take(&mut self, line: &Reading) -> Result<Option<&Snapshot>, DeltaError> {
        let mut building = match self.building.take() {
            Some((seq, table)) => {
                if line.seq != seq || line.full {
                    return Err(DeltaError(format!(
                        "reading {} starts before reading {seq} ended",
                        line.seq
                    )));
                }
                table
            }
            None if line.full => {
                if line.info.is_none() {
                    return Err(DeltaError("a whole reading without the IPVS info".into()));
                }
                Snapshot::default()
            }
            None => match &self.table {
                Some(t) if line.seq == self.seq + 1 => t.clone(),
                Some(_) => {
                    return Err(DeltaError(format!(
                        "reading {} follows reading {}",
                        line.seq, self.seq
                    )))
                }
                None => {
                    return Err(DeltaError(
                        "a reading of changes before any whole one".into(),
                    ))
                }
            },
        };
        apply(&mut building, line)?;
        if line.more {
            self.building = Some((line.seq, building));
            return Ok(None);
        }
        self.seq = line.seq;
        self.table = Some(building);
        Ok(self.table.as_ref())
    }
}
