//! The connections view's reading: what one walk over the table says about
//! one scope (a service, or a real server of it, optionally only clients
//! in a prefix). Built by feeding entries one at a time, in bounded memory
//! whatever the table's size.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::attribution::{Attribution, Owner, Standing};
use super::prefix::Prefix;
use super::sampling::{Count, Sampling};
use super::tally::{Counts, Tally};
use super::top_counter::{Top, TopCounter};
use crate::model::{ConnSource, Connection, DestKey, ServiceKey};

/// What the connections view looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub service: ServiceKey,
    /// Only this real server of the service.
    pub dest: Option<DestKey>,
    /// Only clients in this prefix.
    pub clients: Option<Prefix>,
}

impl Scope {
    pub fn service(service: ServiceKey) -> Scope {
        Scope {
            service,
            dest: None,
            clients: None,
        }
    }

    fn holds(&self, owner: &Owner, c: &Connection) -> bool {
        owner.service == self.service
            && self.dest.is_none_or(|d| d == owner.dest)
            && self.clients.is_none_or(|p| p.contains(c.client.ip()))
    }
}

/// How much of a scope a reading keeps beyond its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Top clients, prefixes and pins kept.
    pub top: usize,
    /// Entries kept for the drill-down (the first ones in scope).
    pub entries: usize,
    /// Counters of the heavy-hitter counts (their error is at most
    /// connections / counters).
    pub counters: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            top: 20,
            entries: 2_000,
            counters: 1_024,
        }
    }
}

/// One real server's entries in scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestConns {
    pub dest: DestKey,
    pub standing: Standing,
    pub counts: Counts,
    /// Seconds until the last of its entries read expires (0: none read);
    /// from a sample, the last of those sampled.
    pub last_expires: u32,
}

/// A persistence template: a client (or a netmask of clients) pinned to a
/// real server until it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pin {
    pub client: IpAddr,
    pub dest: DestKey,
    pub standing: Standing,
    pub expires: u32,
}

/// How a reading was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    /// In one refresh: the whole table, or a prefix of it (`sampling` says).
    OneGo,
    /// An exact read the operator asked for, spread over `refreshes`
    /// refreshes: the table moved while it was read.
    Spread { refreshes: u32 },
}

/// What one walk said about a scope. Counts are of entries read; turn
/// them into table counts with `count` (exact, or scaled with a margin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnReading {
    pub scope: Scope,
    pub sampling: Sampling,
    pub made: Made,
    /// Monotonic time (the monitor's clock) and wall time the walk ended.
    pub at: Duration,
    pub wall: SystemTime,
    /// How long the walk took (summed over its refreshes when spread).
    pub took: Duration,
    /// Entries read from the table (all scopes), and lines not understood.
    pub read: u64,
    pub malformed: u64,
    /// Whether each entry's origin (made here, or received from a master's
    /// sync daemon) was read: lvstop reads it only while a backup sync
    /// daemon runs. Without it `local` and `synced` are 0 and say nothing.
    pub origins_read: bool,
    /// Everything in scope.
    pub total: Counts,
    /// The service's real servers in its order, then gone ones as first seen.
    pub dests: Vec<DestConns>,
    /// Entries of gone real servers past `Tally::MAX_GONE` distinct ones.
    pub gone_other: Counts,
    /// Templates, those pinning clients to gone or drained real servers
    /// first, then the longest-lived; `pins_seen` counts them all.
    pub pins: Vec<Pin>,
    pub pins_seen: u64,
    /// Clients of the scope's connections (templates apart), by address and
    /// by /24 or /64, largest first; each count may be over by its `error`.
    pub top_clients: Vec<Top<IpAddr>>,
    pub top_prefixes: Vec<Top<Prefix>>,
    /// The first entries in scope, in the table's order, and how many more.
    pub entries: Vec<Connection>,
    pub entries_more: u64,
}

impl ConnReading {
    /// What `x` entries of this reading stand for in the table.
    pub fn count(&self, x: u64) -> Count {
        self.sampling.count(x)
    }

    /// How old the reading is at `now` (the monitor's clock).
    pub fn age(&self, now: Duration) -> Duration {
        now.saturating_sub(self.at)
    }
}

/// A template's rank for `pins`: gone first, then drained, then longest-lived.
type PinRank = (u8, u32, Reverse<u64>);

/// Builds a `ConnReading` from entries fed one at a time.
pub struct Summarizer {
    attribution: Arc<Attribution>,
    scope: Scope,
    limits: Limits,
    total: Counts,
    dests: Vec<DestConns>,
    configured: usize,
    gone_other: Counts,
    pins: Vec<Pin>,
    /// Min-heap over the kept pins' ranks, with their slot in `pins`.
    pin_heap: BinaryHeap<Reverse<(PinRank, usize)>>,
    pins_seen: u64,
    clients: TopCounter<IpAddr>,
    prefixes: TopCounter<Prefix>,
    entries: Vec<Connection>,
    entries_more: u64,
    origins_read: bool,
}

impl Summarizer {
    pub fn new(attribution: Arc<Attribution>, scope: Scope, limits: Limits) -> Summarizer {
        let dests: Vec<DestConns> = attribution
            .service_index(&scope.service)
            .map(|si| attribution.dests(si))
            .unwrap_or_default()
            .iter()
            .filter(|(d, _)| scope.dest.is_none_or(|s| s == *d))
            .map(|&(dest, weight)| DestConns {
                dest,
                standing: Standing::of_weight(weight),
                counts: Counts::default(),
                last_expires: 0,
            })
            .collect();
        Summarizer {
            configured: dests.len(),
            dests,
            attribution,
            scope,
            clients: TopCounter::new(limits.counters),
            prefixes: TopCounter::new(limits.counters),
            limits,
            total: Counts::default(),
            gone_other: Counts::default(),
            pins: Vec::new(),
            pin_heap: BinaryHeap::new(),
            pins_seen: 0,
            entries: Vec::new(),
            entries_more: 0,
            origins_read: true,
        }
    }

    /// Fed by a walk of `source`'s file: from `ip_vs_conn` the reading says
    /// the entries' origins were not read.
    pub fn reading(mut self, source: ConnSource) -> Summarizer {
        self.origins_read = source == ConnSource::WithOrigin;
        self
    }

    pub fn attribution(&self) -> &Arc<Attribution> {
        &self.attribution
    }

    /// Counts `c` if it is in scope (its place found here).
    pub fn add(&mut self, c: Connection) {
        let owner = self.attribution.owner(&c);
        self.add_owned(owner.as_ref(), c);
    }

    /// As `add`, with the place already found by the same attribution.
    pub fn add_owned(&mut self, owner: Option<&Owner>, c: Connection) {
        let Some(owner) = owner.filter(|o| self.scope.holds(o, &c)) else {
            return;
        };
        self.total.add(&c);
        match self.dest_row(owner) {
            Some(row) => {
                row.counts.add(&c);
                row.last_expires = row.last_expires.max(c.expires);
            }
            None => self.gone_other.add(&c),
        }
        if c.is_template() {
            self.pin(owner, &c);
        } else {
            self.clients.add(c.client.ip());
            self.prefixes.add(Prefix::client_group(c.client.ip()));
        }
        if self.entries.len() < self.limits.entries {
            self.entries.push(c);
        } else {
            self.entries_more += 1;
        }
    }

    fn dest_row(&mut self, owner: &Owner) -> Option<&mut DestConns> {
        let at = self.dests.iter().position(|d| d.dest == owner.dest);
        match at {
            Some(i) => Some(&mut self.dests[i]),
            None if self.dests.len() - self.configured < Tally::MAX_GONE => {
                self.dests.push(DestConns {
                    dest: owner.dest,
                    standing: owner.standing,
                    counts: Counts::default(),
                    last_expires: 0,
                });
                self.dests.last_mut()
            }
            None => None,
        }
    }

    fn pin(&mut self, owner: &Owner, c: &Connection) {
        self.pins_seen += 1;
        if self.limits.top == 0 {
            return;
        }
        let urgency = match owner.standing {
            Standing::Gone => 2,
            Standing::Drained => 1,
            Standing::Serving => 0,
        };
        let rank = (urgency, c.expires, Reverse(self.pins_seen));
        let pin = Pin {
            client: c.client.ip(),
            dest: owner.dest,
            standing: owner.standing,
            expires: c.expires,
        };
        if self.pins.len() < self.limits.top {
            self.pins.push(pin);
            self.pin_heap.push(Reverse((rank, self.pins.len() - 1)));
            return;
        }
        let Some(Reverse((least, slot))) = self.pin_heap.peek().copied() else {
            return;
        };
        if rank > least {
            self.pin_heap.pop();
            self.pins[slot] = pin;
            self.pin_heap.push(Reverse((rank, slot)));
        }
    }

    /// The reading, stamped with how and when it was made.
    pub fn finish(self, how: ReadStamp) -> ConnReading {
        let mut ranked: Vec<(PinRank, usize)> =
            self.pin_heap.into_iter().map(|Reverse(r)| r).collect();
        ranked.sort_by(|a, b| b.cmp(a));
        let pins = ranked
            .into_iter()
            .map(|(_, slot)| self.pins[slot])
            .collect();
        ConnReading {
            scope: self.scope,
            sampling: how.sampling,
            made: how.made,
            at: how.at,
            wall: how.wall,
            took: how.took,
            read: how.read,
            malformed: how.malformed,
            origins_read: self.origins_read,
            total: self.total,
            dests: self.dests,
            gone_other: self.gone_other,
            pins,
            pins_seen: self.pins_seen,
            top_clients: self.clients.top(self.limits.top),
            top_prefixes: self.prefixes.top(self.limits.top),
            entries: self.entries,
            entries_more: self.entries_more,
        }
    }
}

/// How and when a walk was made, for `Summarizer::finish`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadStamp {
    pub sampling: Sampling,
    pub made: Made,
    pub at: Duration,
    pub wall: SystemTime,
    pub took: Duration,
    pub read: u64,
    pub malformed: u64,
}
