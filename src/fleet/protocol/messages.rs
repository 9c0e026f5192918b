//! The messages, both ways. Every struct refuses fields it does not know:
//! a message out of schema marks the director bad rather than half-read.

use serde::{Deserialize, Serialize};

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
    /// The whole service when it is new or any of its fields changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    /// Real servers gone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<DestKey>,
    /// Real servers added or changed, whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dests: Vec<Dest>,
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
