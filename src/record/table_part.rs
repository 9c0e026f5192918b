//! What one poll of the monitor read, which may be part of the table (a
//! big table's real servers are read a slice per poll): merged on the
//! writer thread into the whole table as the monitor knows it, so the poll
//! thread only hands over what it read.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use super::entry_codec::TickHint;
use super::{Entry, Tick};
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
    /// Each service's place in `table`, while its list keeps its order.
    at: Option<HashMap<ServiceKey, usize>>,
    /// By place in `table`: whose real servers were replaced since the
    /// last tick handed out (so the writer compares only those).
    dests_moved: Vec<bool>,
    /// Counts the ticks handed out, so a hint is used only after its tick.
    serial: u64,
}

impl TableMerge {
    /// Brings `part` in and returns a copy of the whole table after it.
    #[cfg(test)]
    pub fn tick(&mut self, part: TablePart) -> Tick {
        self.with_tick(part, |entry, _| match entry {
            Entry::Tick(t) => t.clone(),
            _ => unreachable!("with_tick hands a tick"),
        })
    }

    /// Brings `part` in and hands `f` the whole table after it as a tick
    /// entry, without copying it (at 10,000 x 10 a copy a poll was a good
    /// part of what recording cost the monitor), with which services'
    /// real servers this part replaced.
    pub fn with_tick<R>(
        &mut self,
        part: TablePart,
        f: impl FnOnce(&Entry, Option<TickHint>) -> R,
    ) -> R {
        let TablePart {
            wall,
            took,
            interval,
            estimator,
            info,
            whole,
            services,
            dests,
        } = part;
        if whole {
            self.whole_list(services);
        } else {
            self.some_services(services);
        }
        // A service new to the table has no previous real servers.
        self.dests_moved.resize(self.table.services.len(), true);
        if !dests.is_empty() {
            let table = &mut self.table;
            let at = self.at.get_or_insert_with(|| {
                table
                    .services
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.service.key, i))
                    .collect()
            });
            for (key, dests) in dests {
                if let Some(&i) = at.get(&key) {
                    table.services[i].dests = dests;
                    self.dests_moved[i] = true;
                }
            }
        }
        self.table.info = info;
        self.serial += 1;
        let entry = Entry::Tick(Tick {
            wall,
            took,
            interval,
            estimator,
            snapshot: std::mem::take(&mut self.table),
        });
        let hint = TickHint {
            serial: self.serial,
            dests_moved: &self.dests_moved,
        };
        let r = f(&entry, Some(hint));
        if let Entry::Tick(t) = entry {
            self.table = t.snapshot;
        }
        self.dests_moved.iter_mut().for_each(|m| *m = false);
        r
    }

    /// A whole listing: services not in it are gone, the others keep their
    /// real servers. The usual listing, the same services in the same
    /// order, is taken in place.
    fn whole_list(&mut self, services: Vec<Service>) {
        let same = services.len() == self.table.services.len()
            && services
                .iter()
                .zip(&self.table.services)
                .all(|(s, e)| s.key == e.service.key);
        if same {
            for (service, e) in services.into_iter().zip(&mut self.table.services) {
                e.service = service;
            }
            return;
        }
        let mut old: HashMap<ServiceKey, ServiceEntry> = std::mem::take(&mut self.table.services)
            .into_iter()
            .map(|e| (e.service.key, e))
            .collect();
        self.table.services = services
            .into_iter()
            .map(|service| {
                let dests = old
                    .remove(&service.key)
                    .map(|e| e.dests)
                    .unwrap_or_default();
                ServiceEntry { service, dests }
            })
            .collect();
        self.at = None;
        // Places changed: the writer compares every service by key.
        self.dests_moved.clear();
    }

    /// A few services re-read one by one (those on screen).
    fn some_services(&mut self, services: Vec<Service>) {
        for service in services {
            match self
                .table
                .services
                .iter_mut()
                .find(|e| e.service.key == service.key)
            {
                Some(e) => e.service = service,
                None => {
                    self.table.services.push(ServiceEntry {
                        service,
                        dests: Vec::new(),
                    });
                    self.at = None;
                }
            }
        }
    }
}
