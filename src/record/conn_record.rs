//! A connection summary as recorded: the counts of a `ConnReading` (by
//! state per real server, templates, top clients), without the entries
//! themselves: the view's numbers at that moment, not the table.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::conns::{ConnReading, Counts, Sampling};
use crate::model::{DestKey, ServiceKey};

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
