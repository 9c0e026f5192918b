//! A connection summary as recorded: the counts of a `ConnReading` (by
//! state per real server, templates, top clients), without the entries
//! themselves: the view's numbers at that moment, not the table.

use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::conns::{
    ConnReading, Counts, DestConns, Made, Prefix, Sampling, Scope, Standing, StateCounts, Top,
};
use crate::model::{DestKey, ServiceKey, Token};

/// Top clients kept per summary (the view shows fewer).
const TOP_KEPT: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnRecord {
    pub service: ServiceKey,
    /// Only this real server's entries (None: the whole service).
    pub dest: Option<DestKey>,
    /// Only clients in this prefix, as written (`10.1.0.0/16`).
    pub clients: Option<String>,
    /// Entries read and, when sampled, of about how many (None: exact).
    pub read: u64,
    pub expected: Option<u64>,
    pub total: StateRecord,
    pub dests: Vec<DestConnRecord>,
    /// Clients by connections, largest first (each may be over by `.2`).
    pub top_clients: Vec<(IpAddr, u64, u64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestConnRecord {
    pub dest: DestKey,
    pub counts: StateRecord,
}

/// Entries by state name, and templates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateRecord {
    pub states: Vec<(String, u64)>,
    pub other: u64,
    pub templates: u64,
}

impl StateRecord {
    /// The counts back; a state name that is no token (a hostile file)
    /// counts in `other`, as the live tally does past its cap.
    fn counts(&self) -> Counts {
        let mut states = StateCounts::default();
        let mut other = self.other;
        for (name, n) in &self.states {
            match Token::new(name) {
                Some(t) => states.add_n(t, *n),
                None => other = other.saturating_add(*n),
            }
        }
        states.add_other(other);
        Counts {
            states,
            templates: self.templates,
            local: 0,
            synced: 0,
        }
    }

    fn of(counts: &Counts) -> StateRecord {
        StateRecord {
            states: counts
                .states
                .iter()
                .map(|(state, n)| (state.as_str().to_string(), n))
                .collect(),
            other: counts.states.other(),
            templates: counts.templates,
        }
    }
}

impl ConnRecord {
    pub fn of(reading: &ConnReading) -> ConnRecord {
        ConnRecord {
            service: reading.scope.service,
            dest: reading.scope.dest,
            clients: reading.scope.clients.map(|p| p.to_string()),
            read: reading.read,
            expected: match reading.sampling {
                Sampling::Exact => None,
                Sampling::Sampled { expected, .. } => Some(expected),
            },
            total: StateRecord::of(&reading.total),
            dests: reading
                .dests
                .iter()
                .map(|d| DestConnRecord {
                    dest: d.dest,
                    counts: StateRecord::of(&d.counts),
                })
                .collect(),
            top_clients: reading
                .top_clients
                .iter()
                .take(TOP_KEPT)
                .map(|t| (t.key, t.count, t.error))
                .collect(),
        }
    }
}

impl ConnRecord {
    /// The view's reading as it was recorded, for a replay: counts and top
    /// clients; no entries, pins nor prefixes (a summary keeps none).
    /// `standing` says where each real server stood at the replay's cursor.
    pub fn reading(
        &self,
        wall: SystemTime,
        at: Duration,
        standing: impl Fn(DestKey) -> Standing,
    ) -> ConnReading {
        ConnReading {
            scope: Scope {
                service: self.service,
                dest: self.dest,
                clients: self.clients.as_deref().and_then(|p| Prefix::parse(p).ok()),
            },
            sampling: match self.expected {
                None => Sampling::Exact,
                Some(expected) => Sampling::Sampled {
                    read: self.read,
                    expected,
                },
            },
            made: Made::OneGo,
            at,
            wall,
            took: Duration::ZERO,
            read: self.read,
            malformed: 0,
            origins_read: false,
            total: self.total.counts(),
            dests: self
                .dests
                .iter()
                .map(|d| DestConns {
                    dest: d.dest,
                    standing: standing(d.dest),
                    counts: d.counts.counts(),
                    last_expires: 0,
                })
                .collect(),
            gone_other: Counts::default(),
            pins: Vec::new(),
            pins_seen: 0,
            top_clients: self
                .top_clients
                .iter()
                .map(|&(key, count, error)| Top { key, count, error })
                .collect(),
            top_prefixes: Vec::new(),
            entries: Vec::new(),
            entries_more: 0,
        }
    }
}
