//! The messages, both ways. Every struct refuses fields it does not know:
//! a message out of schema marks the director bad rather than half-read.

use serde::{Deserialize, Serialize};

use std::net::IpAddr;

use crate::model::{Change, Dest, DestKey, Info, Service, ServiceKey};

/// What the agent sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromAgent {
    /// First line, once.
    Hello(Hello),
    /// One line of a reading: a whole table (`full`) or changes against the
    /// previous reading; `more` says further lines of the same reading follow.
    Reading(Reading),
    /// This poll could not read the table (the agent keeps polling).
    Failed(ReadingFailed),
    /// The answer to an `apply`.
    Result(Outcome),
    /// The answer to a `ping`.
    Pong(Pong),
}

/// What lvstop sends to the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ToAgent {
    /// Apply one change through the agent's journaling editor. `user` is the
    /// requesting user as lvstop knows it (`alice@laptop`), journaled remotely.
    Apply {
        id: u64,
        change: Change,
        user: String,
    },
    /// Answered at once with a `pong`: the round trip is the director's lag.
    Ping { id: u64, sent_ms: u64 },
    /// Send the next reading whole.
    Resync,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hello {
    pub protocol: u32,
    /// The agent's lvstop version (`0.1.0`).
    pub lvstop: String,
    /// The director's host name, as it knows itself.
    pub host: String,
    /// `1.2.1`, as ipvsadm prints it; empty if IPVS could not be read yet.
    pub ipvs: String,
    /// `read`, `apply`, `ping`, `resync`: what this agent does.
    pub capabilities: Vec<String>,
    pub read_only: bool,
    /// `host` or the --netns the agent reads.
    pub netns: String,
    /// Milliseconds between readings.
    pub interval_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reading {
    /// One number per reading, from 1, each one more than the last.
    pub seq: u64,
    /// Which line of its reading this is, from 0 (left out when 0): a lost
    /// continuation line is refused, since counters come as differences.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub part: u32,
    /// Starts from an empty table (the first reading, and after a resync).
    pub full: bool,
    /// Further lines of this reading follow.
    pub more: bool,
    /// When the agent read it, milliseconds since the epoch (its clock).
    pub at_ms: u64,
    /// How long the read took, microseconds.
    pub took_us: u64,
    /// Version and connection-table size, when changed (always in a full one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<Info>,
    /// Services gone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<ServiceKey>,
    /// Services added or changed, or whose real servers changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceChange>,
}

/// One service's part of a reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceChange {
    pub key: ServiceKey,
    /// The whole service when it is new or its configuration changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    /// Only the service's counters moved: by how much since the previous reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<StatsMoves>,
    /// Real servers gone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<DestKey>,
    /// Real servers added or whose configuration changed, whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dests: Vec<Dest>,
    /// Real servers whose configuration is as before and whose counters moved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dest_stats: Vec<DestMoves>,
}

impl ServiceChange {
    /// A change of the service `key` carrying nothing yet.
    pub fn new(key: ServiceKey) -> ServiceChange {
        ServiceChange {
            key,
            service: None,
            stats: None,
            removed: Vec::new(),
            dests: Vec::new(),
            dest_stats: Vec::new(),
        }
    }
}

/// How far each of a service's ten counters and rates moved since the
/// previous reading, in `Stats`' field order: `conns`, `inpkts`, `outpkts`,
/// `inbytes`, `outbytes`, `cps`, `inpps`, `outpps`, `inbps`, `outbps`. Each
/// is the wrapping difference as a signed number, so a counter that went
/// back (a rate that fell) is exact too. A JSON array of ten numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StatsMoves(pub [i64; 10]);

/// A real server's counters that moved: its address and port, then the
/// differences of `active_conns`, `inactive_conns`, `persistent_conns` and
/// of its ten stats as in [`StatsMoves`]. On the wire
/// `["10.2.0.1",80,[0,1,0,5,…]]`: a tenth of the real server whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestMoves(pub IpAddr, pub u16, pub [i64; 13]);

impl DestMoves {
    pub fn key(&self) -> DestKey {
        DestKey {
            addr: self.0,
            port: self.1,
        }
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingFailed {
    pub at_ms: u64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub id: u64,
    pub ok: bool,
    /// The agent's words for what happened (`weight 10 → 9`), or the refusal.
    pub message: String,
    /// The id of the agent's journal entry, when one was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pong {
    pub id: u64,
    pub sent_ms: u64,
    pub at_ms: u64,
}
