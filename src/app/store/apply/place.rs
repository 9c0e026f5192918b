//! Matching a poll's readings to rows: which row each reading updates, made
//! one at a time as the steps reach them.

use crate::model::{Dest, Service, ServiceKey};

use super::super::super::config::APPLY_STEP_ROWS;
use super::super::super::keyhash::KeyMap;
use super::super::{Changed, ServiceRow, Store};
use crate::output::order::by_service_key;

/// The updates of a poll, made one at a time as the steps reach them.
#[derive(Debug, Clone)]
pub(super) enum Updates {
    /// A whole listing of the same services as the rows: every row, in
    /// order, and the real servers read, by row (ascending).
    Every {
        services: std::iter::Enumerate<std::vec::IntoIter<Service>>,
        dests: std::iter::Peekable<std::vec::IntoIter<(usize, Vec<Dest>)>>,
    },
    /// Some rows, in row order.
    Some(std::vec::IntoIter<Update>),
    /// The first listing of a big table (no rows yet): each service's row
    /// is made when a step reaches it, so a table of 50,000 services fills
    /// in a slice at a time (making its rows at once took longer than a key
    /// may wait).
    Fill {
        services: std::iter::Enumerate<std::vec::IntoIter<Service>>,
        dests: KeyMap<ServiceKey, Vec<Dest>>,
    },
}

impl Updates {
    /// Updates not made yet.
    pub(super) fn len(&self) -> usize {
        match self {
            Updates::Every { services, .. } | Updates::Fill { services, .. } => services.len(),
            Updates::Some(u) => u.len(),
        }
    }
}

impl Iterator for Updates {
    type Item = Update;

    fn next(&mut self) -> Option<Update> {
        match self {
            Updates::Every { services, dests } => {
                let (row, service) = services.next()?;
                // A service read twice keeps its last reading.
                let mut read = None;
                while let Some((_, d)) = dests.next_if(|(r, _)| *r == row) {
                    read = Some(d);
                }
                Some(Update {
                    row,
                    service: Some(service),
                    dests: read,
                    new: false,
                })
            }
            Updates::Some(u) => u.next(),
            Updates::Fill { services, dests } => {
                let (row, service) = services.next()?;
                Some(Update {
                    row,
                    dests: dests.remove(&service.key),
                    service: Some(service),
                    new: true,
                })
            }
        }
    }
}

/// What one poll read of one row: its service (`None`: not re-read, between
/// whole listings of a big table) and its real servers (`None`: not read).
#[derive(Debug, Clone)]
pub(super) struct Update {
    pub(super) row: usize,
    pub(super) service: Option<Service>,
    pub(super) dests: Option<Vec<Dest>>,
    /// The service's row is made first, at the end of the rows (`row`).
    pub(super) new: bool,
}

impl Store {
    /// A whole listing: matches its services to rows (moving rows only when
    /// services came or went); every row is updated. True with the updates
    /// when rows moved.
    pub(super) fn place_whole(
        &mut self,
        mut services: Vec<Service>,
        dests: Vec<(ServiceKey, Vec<Dest>)>,
        samples: usize,
    ) -> (Updates, bool) {
        // The same services as the rows, in the same order, are in kernel
        // order already; otherwise the poller hands them over sorted too:
        // check (O(n)) before sorting.
        let same_keys = self.keys.len() == services.len()
            && self.keys.iter().zip(&services).all(|(k, s)| *k == s.key);
        if !same_keys && !services.is_sorted_by(|a, b| by_service_key(&a.key, &b.key).is_le()) {
            services.sort_by(|a, b| by_service_key(&a.key, &b.key));
        }
        if self.services.is_empty() && services.len() > APPLY_STEP_ROWS {
            // Rows are made as the steps reach them, after `note_watched`
            // looked at an empty table: the real servers on the first screen
            // get their series from the next poll on, one poll later than in
            // a smaller table.
            let fill = Updates::Fill {
                services: services.into_iter().enumerate(),
                dests: dests.into_iter().collect(),
            };
            return (fill, false);
        }
        if !same_keys {
            self.reindex(&services, samples);
        }
        // Now the rows are the services, in order: each step updates the
        // next rows where they are, with the real servers read (a ninth of
        // the services per poll in a big table) placed by row. A key read
        // twice keeps its last reading (a stable sort keeps the order).
        let mut read: Vec<(usize, Vec<Dest>)> = dests
            .into_iter()
            .filter_map(|(key, d)| Some((*self.index.get(&key)?, d)))
            .collect();
        read.sort_by_key(|(row, _)| *row);
        let every = Updates::Every {
            services: services.into_iter().enumerate(),
            dests: read.into_iter().peekable(),
        };
        (every, !same_keys)
    }

    /// Services came or went: match rows by key, through the index of the
    /// old rows (one hash per service; moving every row through a map cost
    /// four, and two moves).
    fn reindex(&mut self, services: &[Service], samples: usize) {
        let mut old: Vec<Option<ServiceRow>> = std::mem::take(&mut self.services)
            .into_iter()
            .map(Some)
            .collect();
        let mut rows = Vec::with_capacity(services.len());
        for service in services {
            let kept = self.index.get(&service.key).and_then(|&i| old[i].take());
            rows.push(match kept {
                Some(row) => row,
                None => self.new_row(service, samples),
            });
        }
        drop(old);
        self.index = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.service.key, i))
            .collect();
        self.keys = services.iter().map(|s| s.key).collect();
        self.services = rows;
        self.recent.retain(|k, _| self.index.contains_key(k));
        self.alerted.retain(|k, _| self.index.contains_key(k));
    }

    /// Some services re-read (a big table between whole listings): only
    /// their rows, and the rows whose real servers were read, are updated;
    /// the others keep their last reading, and lose this poll's marks.
    pub(super) fn place_some(
        &mut self,
        services: Vec<Service>,
        dests: Vec<(ServiceKey, Vec<Dest>)>,
    ) -> Updates {
        for &i in &self.flagged {
            if let Some(row) = self.services.get_mut(i) {
                row.changed = Changed::default();
                for d in &mut row.dests {
                    d.changed = Changed::default();
                }
            }
        }
        let mut updates: Vec<Update> = Vec::with_capacity(services.len() + dests.len());
        for s in services {
            if let Some(&row) = self.index.get(&s.key) {
                updates.push(Update {
                    row,
                    service: Some(s),
                    dests: None,
                    new: false,
                });
            }
        }
        for (key, read) in dests {
            if let Some(&row) = self.index.get(&key) {
                updates.push(Update {
                    row,
                    service: None,
                    dests: Some(read),
                    new: false,
                });
            }
        }
        // One update per row, in row order; a key read twice keeps its
        // last reading (a stable sort keeps the reading order).
        updates.sort_by_key(|u| u.row);
        let mut merged: Vec<Update> = Vec::with_capacity(updates.len());
        for u in updates {
            match merged.last_mut() {
                Some(last) if last.row == u.row => {
                    if u.service.is_some() {
                        last.service = u.service;
                    }
                    if u.dests.is_some() {
                        last.dests = u.dests;
                    }
                }
                _ => merged.push(u),
            }
        }
        Updates::Some(merged.into_iter())
    }
}
