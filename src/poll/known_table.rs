//! The services and real servers the owner thread has polled, kept for the
//! connection reads: which service an entry belongs to, and how big the
//! table should be (each real server's active + inactive + persistent
//! counts, as the last poll that read it said).

use std::collections::HashMap;
use std::sync::Arc;

use crate::app::PollResult;
use crate::conns::{Attribution, ServiceShape};
use crate::model::{ServiceFlags, ServiceKey};

#[derive(Default)]
pub(super) struct KnownTable {
    /// Services in the order of the last whole listing, then new ones.
    order: Vec<ServiceKey>,
    services: HashMap<ServiceKey, Known>,
    /// Built on demand, dropped when a poll changes what it was built from.
    attribution: Option<Arc<Attribution>>,
}

#[derive(Default)]
struct Known {
    persistent: bool,
    dests: Vec<(crate::model::DestKey, u32)>,
    /// Entries the kernel counts for its real servers.
    entries: u64,
}

impl KnownTable {
    pub(super) fn note(&mut self, p: &PollResult) {
        if p.whole {
            self.order = p.services.iter().map(|s| s.key).collect();
            let listed: std::collections::HashSet<ServiceKey> =
                self.order.iter().copied().collect();
            self.services.retain(|k, _| listed.contains(k));
        }
        for s in &p.services {
            if !p.whole && !self.services.contains_key(&s.key) {
                self.order.push(s.key);
            }
            let known = self.services.entry(s.key).or_default();
            known.persistent = s.flags.has(ServiceFlags::PERSISTENT);
        }
        for (key, dests) in &p.dests {
            if let Some(known) = self.services.get_mut(key) {
                known.dests = dests.iter().map(|d| (d.key(), d.weight)).collect();
                known.entries = dests
                    .iter()
                    .map(|d| {
                        u64::from(d.active_conns)
                            + u64::from(d.inactive_conns)
                            + u64::from(d.persistent_conns)
                    })
                    .sum();
            }
        }
        self.attribution = None;
    }

    /// The table's expected size: what the kernel counts for every real server.
    pub(super) fn expected_entries(&self) -> u64 {
        self.services.values().map(|k| k.entries).sum()
    }

    pub(super) fn attribution(&mut self) -> Arc<Attribution> {
        if let Some(a) = &self.attribution {
            return a.clone();
        }
        let shapes = self.order.iter().filter_map(|key| {
            let known = self.services.get(key)?;
            Some(ServiceShape {
                key: *key,
                persistent: known.persistent,
                dests: known.dests.clone(),
            })
        });
        let a = Arc::new(Attribution::of_shapes(shapes));
        self.attribution = Some(a.clone());
        a
    }
}
