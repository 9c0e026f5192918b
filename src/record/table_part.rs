//! What one poll of the monitor read, which may be part of the table (a
//! big table's real servers are read a slice per poll): merged on the
//! writer thread into the whole table as the monitor knows it, so the poll
//! thread only hands over what it read.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use super::Tick;
use crate::model::{Dest, Info, Service, ServiceEntry, ServiceKey, Snapshot};

#[derive(Debug, Clone)]
pub struct TablePart {
    pub wall: SystemTime,
    pub took: Duration,
    pub interval: Duration,
    pub estimator: Option<bool>,
    pub info: Info,
    /// `services` is the whole list (services not in it are gone), or only
    /// those re-read this poll.
    pub whole: bool,
    pub services: Vec<Service>,
    /// Real servers read this poll, by service; the others keep theirs.
    pub dests: Vec<(ServiceKey, Vec<Dest>)>,
}

/// The table as the monitor knows it, poll after poll.
#[derive(Default)]
pub struct TableMerge {
    table: Snapshot,
}

impl TableMerge {
    /// Brings `part` in and returns the whole table after it.
    pub fn tick(&mut self, part: TablePart) -> Tick {
        let mut old: HashMap<ServiceKey, ServiceEntry> = if part.whole {
            std::mem::take(&mut self.table.services)
                .into_iter()
                .map(|e| (e.service.key, e))
                .collect()
        } else {
            HashMap::new()
        };
        if part.whole {
            self.table.services = part
                .services
                .into_iter()
                .map(|service| {
                    let dests = old
                        .remove(&service.key)
                        .map(|e| e.dests)
                        .unwrap_or_default();
                    ServiceEntry { service, dests }
                })
                .collect();
        } else {
            // A few services re-read one by one (those on screen).
            for service in part.services {
                match self
                    .table
                    .services
                    .iter_mut()
                    .find(|e| e.service.key == service.key)
                {
                    Some(e) => e.service = service,
                    None => self.table.services.push(ServiceEntry {
                        service,
                        dests: Vec::new(),
                    }),
                }
            }
        }
        let at: HashMap<ServiceKey, usize> = self
            .table
            .services
            .iter()
            .enumerate()
            .map(|(i, e)| (e.service.key, i))
            .collect();
        for (key, dests) in part.dests {
            if let Some(&i) = at.get(&key) {
                self.table.services[i].dests = dests;
            }
        }
        self.table.info = part.info;
        Tick {
            wall: part.wall,
            took: part.took,
            interval: part.interval,
            estimator: part.estimator,
            snapshot: self.table.clone(),
        }
    }
}
