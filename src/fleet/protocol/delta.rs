//! Readings as changes against the previous one: the agent sends a whole
//! table first (and after a resync), then only the services and real servers
//! added, removed or changed. `readings` makes the lines, `Staging` puts them
//! back together on lvstop's side, refusing any that do not fit its table.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::model::{Dest, DestKey, ServiceEntry, ServiceKey, Snapshot};

use super::counters::{
    apply_dest, apply_stats, dest_moves, same_dest_config, same_service_config, stats_moves,
};
use super::messages::{DestMoves, Reading, ServiceChange};
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
    let header = |part: u32| Reading {
        seq,
        part,
        full: false,
        more: false,
        at_ms,
        took_us,
        info: None,
        removed: Vec::new(),
        services: Vec::new(),
    };
    let mut first = header(0);
    first.full = prev.is_none();
    first.info = info;
    let mut lines = vec![first];
    let mut items = 0;
    // A fresh line once this one holds ITEMS_PER_LINE items.
    let room = |lines: &mut Vec<Reading>, items: &mut usize| {
        if *items >= ITEMS_PER_LINE {
            lines.push(header(lines.len() as u32));
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
        // service itself (or its counters) goes with the first part.
        let ServiceChange {
            key,
            service,
            stats,
            removed,
            dests,
            dest_stats,
        } = change;
        let mut part = ServiceChange::new(key);
        part.service = service;
        part.stats = stats;
        room(&mut lines, &mut items);
        items += 1;
        let dest_items = removed
            .into_iter()
            .map(DestItem::Gone)
            .chain(dests.into_iter().map(DestItem::Whole))
            .chain(dest_stats.into_iter().map(DestItem::Moved));
        for item in dest_items {
            if items >= ITEMS_PER_LINE {
                let done = std::mem::replace(&mut part, ServiceChange::new(key));
                lines.last_mut().expect("a line").services.push(done);
                room(&mut lines, &mut items);
                items += 1;
            }
            match item {
                DestItem::Gone(k) => part.removed.push(k),
                DestItem::Whole(d) => part.dests.push(d),
                DestItem::Moved(m) => part.dest_stats.push(m),
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

/// One real server's part of a service's change.
enum DestItem {
    Gone(DestKey),
    Whole(Dest),
    Moved(DestMoves),
}

/// Services gone, and each service's change (whole when new).
fn changes(prev: Option<&Snapshot>, next: &Snapshot) -> (Vec<ServiceKey>, Vec<ServiceChange>) {
    let before: HashMap<ServiceKey, &ServiceEntry> = prev
        .map(|p| p.services.iter().map(|e| (e.service.key, e)).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut found = 0;
    for entry in &next.services {
        let key = entry.service.key;
        let Some(old) = before.get(&key) else {
            let mut change = ServiceChange::new(key);
            change.service = Some(entry.service.clone());
            change.dests = entry.dests.clone();
            out.push(change);
            continue;
        };
        found += 1;
        let mut change = ServiceChange::new(key);
        if same_service_config(&old.service, &entry.service) {
            change.stats = stats_moves(&old.service.stats, &entry.service.stats);
        } else {
            change.service = Some(entry.service.clone());
        }
        dest_changes(&old.dests, &entry.dests, &mut change);
        let ServiceChange {
            service,
            stats,
            removed,
            dests,
            dest_stats,
            ..
        } = &change;
        if service.is_some()
            || stats.is_some()
            || !dests.is_empty()
            || !removed.is_empty()
            || !dest_stats.is_empty()
        {
            out.push(change);
        }
    }
    let removed = match prev {
        // Every service of `prev` is still there: none is gone.
        Some(p) if found < p.services.len() => {
            let now: HashSet<ServiceKey> = next.services.iter().map(|e| e.service.key).collect();
            p.services
                .iter()
                .map(|e| e.service.key)
                .filter(|k| !now.contains(k))
                .collect()
        }
        _ => Vec::new(),
    };
    (removed, out)
}

/// A service's real servers: gone, new or reconfigured (whole), or only
/// their counters moved. The kernel lists them in the same order from one
/// reading to the next, so that case is a walk side by side, no map.
fn dest_changes(old: &[Dest], new: &[Dest], change: &mut ServiceChange) {
    let one = |o: &Dest, n: &Dest, change: &mut ServiceChange| {
        if !same_dest_config(o, n) {
            change.dests.push(n.clone());
        } else if let Some(m) = dest_moves(o, n) {
            change.dest_stats.push(m);
        }
    };
    if old.len() == new.len() && old.iter().zip(new).all(|(o, n)| o.key() == n.key()) {
        for (o, n) in old.iter().zip(new) {
            one(o, n, change);
        }
        return;
    }
    let old_dests: HashMap<DestKey, &Dest> = old.iter().map(|d| (d.key(), d)).collect();
    for n in new {
        match old_dests.get(&n.key()) {
            Some(o) => one(o, n, change),
            None => change.dests.push(n.clone()),
        }
    }
    let now: HashSet<DestKey> = new.iter().map(Dest::key).collect();
    change.removed = old
        .iter()
        .map(Dest::key)
        .filter(|k| !now.contains(k))
        .collect();
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
                if let Some(moves) = &change.stats {
                    apply_stats(&mut table.services[i].service.stats, moves);
                }
                i
            }
            None => {
                let (Some(s), None) = (&change.service, &change.stats) else {
                    return Err(DeltaError(format!(
                        "a reading changes virtual service {} or its real servers, which it never sent",
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
    if change.dests.is_empty() && change.dest_stats.is_empty() {
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
    for moves in &change.dest_stats {
        let Some(&i) = index.get(&moves.key()) else {
            return Err(DeltaError(
                "a reading moves the counters of a real server the table does not hold".into(),
            ));
        };
        apply_dest(&mut entry.dests[i], moves)?;
    }
    Ok(())
}

/// lvstop's side: reading lines in, whole tables out. Lines are applied to
/// the table in place (no copy per reading); the table is shown only once a
/// reading's last line has arrived, and a refused line ends the table.
#[derive(Debug, Default)]
pub struct Staging {
    table: Option<Snapshot>,
    seq: u64,
    /// The reading being put together: its number and the part expected next.
    building: Option<(u64, u32)>,
}

impl Staging {
    pub fn new() -> Staging {
        Staging::default()
    }

    /// The last whole reading (None while one is being put together).
    pub fn table(&self) -> Option<&Snapshot> {
        match self.building {
            Some(_) => None,
            None => self.table.as_ref(),
        }
    }

    /// Takes one line; returns the table when it completes a reading. After
    /// a refusal the table is gone: only a whole reading starts it again.
    pub fn take(&mut self, line: &Reading) -> Result<Option<&Snapshot>, DeltaError> {
        if let Err(e) = self.apply_line(line) {
            self.table = None;
            self.building = None;
            return Err(e);
        }
        if line.more {
            return Ok(None);
        }
        Ok(self.table.as_ref())
    }

    fn apply_line(&mut self, line: &Reading) -> Result<(), DeltaError> {
        match self.building {
            Some((seq, part)) => {
                if line.seq != seq || line.full {
                    return Err(DeltaError(format!(
                        "reading {} starts before reading {seq} ended",
                        line.seq
                    )));
                }
                if line.part != part {
                    return Err(DeltaError(format!(
                        "part {} of reading {seq} where part {part} was due",
                        line.part
                    )));
                }
            }
            None if line.full => {
                if line.info.is_none() {
                    return Err(DeltaError("a whole reading without the IPVS info".into()));
                }
                if line.part != 0 {
                    return Err(DeltaError(format!(
                        "reading {} begins with part {}",
                        line.seq, line.part
                    )));
                }
                self.table = Some(Snapshot::default());
            }
            None => match &self.table {
                Some(_) if line.seq == self.seq + 1 && line.part == 0 => {}
                Some(_) if line.seq == self.seq + 1 => {
                    return Err(DeltaError(format!(
                        "reading {} begins with part {}",
                        line.seq, line.part
                    )))
                }
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
        }
        let table = self.table.as_mut().expect("a table to apply to");
        apply(table, line)?;
        if line.more {
            self.building = Some((line.seq, line.part.saturating_add(1)));
        } else {
            self.building = None;
            self.seq = line.seq;
        }
        Ok(())
    }
}
