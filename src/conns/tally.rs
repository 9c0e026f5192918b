//! Entries counted per service and per real server: by state, templates
//! apart, and by origin.

use serde::Serialize;

use super::attribution::{Attribution, Owner, Standing};
use super::state_counts::StateCounts;
use crate::model::{Connection, DestKey, Origin, ServiceKey};

/// What a set of entries holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Connections (templates apart) by state.
    pub states: StateCounts,
    /// Persistence templates (client port 0; the kernel prints them `NONE`).
    pub templates: u64,
    /// Entries read with their origin: made by this director's traffic…
    pub local: u64,
    /// …or received from a master's sync daemon.
    pub synced: u64,
}

impl Counts {
    pub fn add(&mut self, c: &Connection) {
        if c.is_template() {
            self.templates += 1;
        } else {
            self.states.add(c.state);
        }
        match c.origin {
            Some(Origin::Local) => self.local += 1,
            Some(Origin::Sync) => self.synced += 1,
            None => {}
        }
    }

    /// Connections and templates.
    pub fn entries(&self) -> u64 {
        self.states.total() + self.templates
    }

    pub fn merge(&mut self, other: &Counts) {
        self.states.merge(&other.states);
        self.templates += other.templates;
        self.local += other.local;
        self.synced += other.synced;
    }
}

/// One real server's entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DestTally {
    pub dest: DestKey,
    pub standing: Standing,
    pub counts: Counts,
}

/// One service's entries, in total and per real server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceTally {
    pub service: ServiceKey,
    pub counts: Counts,
    /// The configured real servers in the snapshot's order (with no entries
    /// too), then real servers no longer in the service as first seen.
    pub dests: Vec<DestTally>,
    /// Entries of gone real servers past `Tally::MAX_GONE` distinct ones.
    pub gone_other: Counts,
}

/// Counts of a walk over the connection table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    services: Vec<ServiceTally>,
    configured: Vec<usize>,
    unattributed: Counts,
}

impl Tally {
    /// Distinct gone real servers kept by name per service: a table that
    /// names more (hostile text) counts the rest in `gone_other`.
    pub const MAX_GONE: usize = 64;

    /// Empty counts for every service and real server `attribution` knows.
    pub fn new(attribution: &Attribution) -> Tally {
        let services: Vec<ServiceTally> = attribution
            .services()
            .enumerate()
            .map(|(si, service)| ServiceTally {
                service,
                counts: Counts::default(),
                dests: attribution
                    .dests(si)
                    .iter()
                    .map(|&(dest, weight)| DestTally {
                        dest,
                        standing: Standing::of_weight(weight),
                        counts: Counts::default(),
                    })
                    .collect(),
                gone_other: Counts::default(),
            })
            .collect();
        let configured = services.iter().map(|s| s.dests.len()).collect();
        Tally {
            services,
            configured,
            unattributed: Counts::default(),
        }
    }

    /// Counts `c` where `attribution` places it; returns that place.
    pub fn add(&mut self, attribution: &Attribution, c: &Connection) -> Option<Owner> {
        let owner = attribution.owner(c);
        self.add_owned(owner.as_ref(), c);
        owner
    }

    /// Counts `c` at a place already found (`Attribution::owner` of the
    /// same attribution this tally was made from).
    pub fn add_owned(&mut self, owner: Option<&Owner>, c: &Connection) {
        let Some(owner) = owner else {
            self.unattributed.add(c);
            return;
        };
        let (si, di) = owner.slot;
        let configured = self.configured[si];
        let s = &mut self.services[si];
        s.counts.add(c);
        let dest = match di {
            Some(di) => Some(&mut s.dests[di]),
            None => {
                let gone = s.dests[configured..]
                    .iter()
                    .position(|d| d.dest == owner.dest);
                match gone {
                    Some(i) => Some(&mut s.dests[configured + i]),
                    None if s.dests.len() - configured < Self::MAX_GONE => {
                        s.dests.push(DestTally {
                            dest: owner.dest,
                            standing: Standing::Gone,
                            counts: Counts::default(),
                        });
                        s.dests.last_mut()
                    }
                    None => None,
                }
            }
        };
        match dest {
            Some(d) => d.counts.add(c),
            None => s.gone_other.add(c),
        }
    }

    /// Every service the attribution knew, in the snapshot's order.
    pub fn services(&self) -> &[ServiceTally] {
        &self.services
    }

    pub fn service(&self, key: &ServiceKey) -> Option<&ServiceTally> {
        self.services.iter().find(|s| s.service == *key)
    }

    /// Entries no service claims: counted here, never dropped.
    pub fn unattributed(&self) -> &Counts {
        &self.unattributed
    }

    /// Every entry counted, attributed or not.
    pub fn total(&self) -> Counts {
        let mut all = self.unattributed.clone();
        for s in &self.services {
            all.merge(&s.counts);
        }
        all
    }
}
