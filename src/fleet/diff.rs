//! Where several directors' tables differ: a service or real server on some
//! directors only, or the same one configured differently. Counters, rates
//! and connection counts are readings, not configuration: never a difference.
//!
//! Services come in ipvsadm's listing order, each service's own differences
//! before its real servers', so the list reads like `ipvsadm -Ln` side by side.

use std::collections::HashMap;
use std::fmt;
use std::net::Ipv4Addr;

use serde::Serialize;

use crate::model::{
    addr::addr_port, Dest, DestKey, Family, Service, ServiceFlags, ServiceKey, Snapshot,
};
use crate::output::order::{cmp_dests, cmp_services, msort};
use crate::output::{sched_flag_words, tun_info};

/// A director as the operator named it (`--host`, a fleet entry, a demo name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DirectorName(pub String);

impl DirectorName {
    pub fn new(name: impl Into<String>) -> DirectorName {
        DirectorName(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DirectorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for DirectorName {
    fn from(s: &str) -> DirectorName {
        DirectorName(s.to_string())
    }
}

/// A configuration a service or real server carries, compared across directors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    Scheduler,
    /// Scheduler flags and one-packet scheduling, in ipvsadm's words.
    Flags,
    /// Persistent or not, and the timeout.
    Persistence,
    Netmask,
    PersistenceEngine,
    Weight,
    Forward,
    UpperThreshold,
    LowerThreshold,
    /// Tunnel type, port and checksum flags (`--tun-info`'s words).
    Tunnel,
}

impl Setting {
    fn name(self) -> &'static str {
        match self {
            Setting::Scheduler => "scheduler",
            Setting::Flags => "flags",
            Setting::Persistence => "persistence",
            Setting::Netmask => "persistence netmask",
            Setting::PersistenceEngine => "persistence engine",
            Setting::Weight => "weight",
            Setting::Forward => "forwarding",
            Setting::UpperThreshold => "upper threshold",
            Setting::LowerThreshold => "lower threshold",
            Setting::Tunnel => "tunnel",
        }
    }
}

/// What differs about one service or real server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// Present on some directors only.
    Presence {
        on: Vec<DirectorName>,
        missing: Vec<DirectorName>,
    },
    /// Present on several, configured differently: each value (in ipvsadm's
    /// words) with the directors that have it, in the order they were given.
    Setting {
        setting: Setting,
        values: Vec<(String, Vec<DirectorName>)>,
    },
}

/// One difference: the service, the real server when it is about one, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub service: ServiceKey,
    pub dest: Option<DestKey>,
    pub kind: Kind,
}

fn names(list: &[DirectorName]) -> String {
    list.iter()
        .map(|n| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Difference {
    /// `TCP 10.0.0.1:80 -> 10.1.0.2:80: weight 5 on lb1; 3 on lb2`,
    /// `TCP 10.0.0.1:80: only on lb1 (missing on lb2)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.service)?;
        if let Some(dest) = &self.dest {
            write!(f, " -> {}", addr_port(&dest.addr, dest.port))?;
        }
        match &self.kind {
            Kind::Presence { on, missing } => {
                write!(f, ": only on {} (missing on {})", names(on), names(missing))
            }
            Kind::Setting { setting, values } => {
                write!(f, ": {}", setting.name())?;
                for (i, (value, on)) in values.iter().enumerate() {
                    let sep = if i == 0 { " " } else { "; " };
                    write!(f, "{sep}{value} on {}", names(on))?;
                }
                Ok(())
            }
        }
    }
}

/// Scheduler flag words and `ops`, or `none`.
fn flags_words(s: &Service) -> String {
    let mut words = sched_flag_words(s);
    if s.flags.has(ServiceFlags::ONEPACKET) {
        words.push("ops");
    }
    if words.is_empty() {
        "none".to_string()
    } else {
        words.join(",")
    }
}

fn persistence_words(s: &Service) -> String {
    if s.flags.has(ServiceFlags::PERSISTENT) {
        format!("persistent {}", s.timeout)
    } else {
        "not persistent".to_string()
    }
}

/// The mask as ipvsadm prints it: dotted for IPv4, a prefix length for IPv6.
fn netmask_words(s: &Service) -> String {
    match s.key.family() {
        Family::V4 => Ipv4Addr::from(s.netmask).to_string(),
        Family::V6 => s.netmask.to_string(),
    }
}

fn pe_words(s: &Service) -> String {
    s.pe_name.clone().unwrap_or_else(|| "none".to_string())
}

fn number(n: u32) -> String {
    n.to_string()
}

type ServiceWords = fn(&Service) -> String;
type DestWords = fn(&Dest) -> String;

const SERVICE_SETTINGS: [(Setting, ServiceWords); 5] = [
    (Setting::Scheduler, |s| s.scheduler.clone()),
    (Setting::Flags, flags_words),
    (Setting::Persistence, persistence_words),
    (Setting::Netmask, netmask_words),
    (Setting::PersistenceEngine, pe_words),
];

const DEST_SETTINGS: [(Setting, DestWords); 5] = [
    (Setting::Weight, |d| number(d.weight)),
    (Setting::Forward, |d| d.forward.name().to_string()),
    (Setting::UpperThreshold, |d| number(d.upper_threshold)),
    (Setting::LowerThreshold, |d| number(d.lower_threshold)),
    (Setting::Tunnel, tun_info),
];

/// Each distinct value with the directors that have it; `None` when all agree.
fn split<T>(
    present: &[(&DirectorName, T)],
    words: impl Fn(&T) -> String,
) -> Option<Vec<(String, Vec<DirectorName>)>> {
    let mut values: Vec<(String, Vec<DirectorName>)> = Vec::new();
    for (name, item) in present {
        let value = words(item);
        match values.iter_mut().find(|(v, _)| *v == value) {
            Some((_, on)) => on.push((*name).clone()),
            None => values.push((value, vec![(*name).clone()])),
        }
    }
    (values.len() > 1).then_some(values)
}

/// Which of `all` have it and which do not, when not all do.
fn presence(all: &[&DirectorName], on: &[&DirectorName]) -> Option<Kind> {
    if on.len() == all.len() {
        return None;
    }
    let missing = all.iter().filter(|n| !on.contains(n)).map(|n| (*n).clone());
    Some(Kind::Presence {
        on: on.iter().map(|n| (*n).clone()).collect(),
        missing: missing.collect(),
    })
}

/// One service of a director's table as the comparison reads it: borrowed
/// from a snapshot or a monitor's rows, never copied.
pub struct ServiceView<'a> {
    pub service: &'a Service,
    pub dests: Vec<&'a Dest>,
}

/// A director's whole table, borrowed.
pub type TableView<'a> = Vec<ServiceView<'a>>;

/// `snapshot`'s services and real servers, borrowed.
pub fn view_of(snapshot: &Snapshot) -> TableView<'_> {
    snapshot
        .services
        .iter()
        .map(|e| ServiceView {
            service: &e.service,
            dests: e.dests.iter().collect(),
        })
        .collect()
}

/// Where `tables` differ, in ipvsadm's order. One table, or none, has no differences.
pub fn differences(tables: &[(DirectorName, &Snapshot)]) -> Vec<Difference> {
    let views: Vec<(DirectorName, TableView)> = tables
        .iter()
        .map(|(n, s)| (n.clone(), view_of(s)))
        .collect();
    differences_between(&views)
}

/// `differences` over borrowed tables: what the fleet monitor compares
/// without cloning every director's rows.
pub fn differences_between(tables: &[(DirectorName, TableView)]) -> Vec<Difference> {
    let all: Vec<&DirectorName> = tables.iter().map(|(n, _)| n).collect();
    // Each service key with its entry on every director that has it.
    let mut by_key: HashMap<ServiceKey, Vec<(&DirectorName, &ServiceView)>> = HashMap::new();
    let mut order: Vec<&Service> = Vec::new();
    for (name, table) in tables {
        for entry in table {
            let seen = by_key.entry(entry.service.key).or_default();
            if seen.is_empty() {
                order.push(entry.service);
            }
            // A table holds a key once; a second would be a malformed reading.
            if !seen.iter().any(|(n, _)| *n == name) {
                seen.push((name, entry));
            }
        }
    }
    msort(&mut order, &|a, b| cmp_services(a, b));

    let mut out = Vec::new();
    for service in order {
        let present = &by_key[&service.key];
        // The usual case, settled without allocating: every director has the
        // service, configured alike, with the same real servers alike.
        if present.len() == all.len() && all_agree(present) {
            continue;
        }
        let key = service.key;
        let on: Vec<&DirectorName> = present.iter().map(|(n, _)| *n).collect();
        if let Some(kind) = presence(&all, &on) {
            out.push(Difference {
                service: key,
                dest: None,
                kind,
            });
        }
        let services: Vec<(&DirectorName, &Service)> =
            present.iter().map(|(n, e)| (*n, e.service)).collect();
        // Settings are put into words only when they differ: comparing
        // thousands of agreeing services is then free of allocations.
        if !all_same(&services, same_service_settings) {
            for (setting, words) in SERVICE_SETTINGS {
                if let Some(values) = split(&services, |s| words(s)) {
                    out.push(Difference {
                        service: key,
                        dest: None,
                        kind: Kind::Setting { setting, values },
                    });
                }
            }
        }
        dest_differences(key, present, &on, &mut out);
    }
    out
}

/// Whether every entry's service settings and real servers equal the
/// first's, real servers compared in the order listed (a different order
/// goes the long way, which compares them by key).
fn all_agree(present: &[(&DirectorName, &ServiceView)]) -> bool {
    let Some(((_, first), rest)) = present.split_first() else {
        return true;
    };
    rest.iter().all(|(_, e)| {
        same_service_settings(&first.service, &e.service)
            && e.dests.len() == first.dests.len()
            && e.dests
                .iter()
                .zip(&first.dests)
                .all(|(a, b)| a.key() == b.key() && same_dest_settings(a, b))
    })
}

/// Whether every item's settings equal the first's.
fn all_same<T>(present: &[(&DirectorName, T)], same: impl Fn(&T, &T) -> bool) -> bool {
    match present.split_first() {
        Some(((_, first), rest)) => rest.iter().all(|(_, item)| same(first, item)),
        None => true,
    }
}

/// Every input of `SERVICE_SETTINGS`' words equal (so the words are too).
fn same_service_settings(a: &&Service, b: &&Service) -> bool {
    a.scheduler == b.scheduler
        && a.flags == b.flags
        && a.timeout == b.timeout
        && a.netmask == b.netmask
        && a.pe_name == b.pe_name
}

/// Every input of `DEST_SETTINGS`' words equal (so the words are too).
fn same_dest_settings(a: &&Dest, b: &&Dest) -> bool {
    a.weight == b.weight
        && a.forward == b.forward
        && a.upper_threshold == b.upper_threshold
        && a.lower_threshold == b.lower_threshold
        && a.tun_type == b.tun_type
        && a.tun_port == b.tun_port
        && a.tun_flags == b.tun_flags
}

/// The real servers of one service, compared among the directors that have the service.
fn dest_differences(
    service: ServiceKey,
    present: &[(&DirectorName, &ServiceView)],
    on: &[&DirectorName],
    out: &mut Vec<Difference>,
) {
    let mut by_dest: HashMap<DestKey, Vec<(&DirectorName, &Dest)>> = HashMap::new();
    let mut order: Vec<&Dest> = Vec::new();
    for (name, entry) in present {
        for &dest in &entry.dests {
            let seen = by_dest.entry(dest.key()).or_default();
            if seen.is_empty() {
                order.push(dest);
            }
            if !seen.iter().any(|(n, _)| n == name) {
                seen.push((name, dest));
            }
        }
    }
    msort(&mut order, &|a, b| cmp_dests(a, b));
    for dest in order {
        let have = &by_dest[&dest.key()];
        let names: Vec<&DirectorName> = have.iter().map(|(n, _)| *n).collect();
        if let Some(kind) = presence(on, &names) {
            out.push(Difference {
                service,
                dest: Some(dest.key()),
                kind,
            });
        }
        if all_same(have, same_dest_settings) {
            continue;
        }
        let forwards_agree = split(have, |d| d.forward.name().to_string()).is_none();
        for (setting, words) in DEST_SETTINGS {
            // Tunnel options mean something only when every side tunnels.
            if setting == Setting::Tunnel && !forwards_agree {
                continue;
            }
            if let Some(values) = split(have, |d| words(d)) {
                out.push(Difference {
                    service,
                    dest: Some(dest.key()),
                    kind: Kind::Setting { setting, values },
                });
            }
        }
    }
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
