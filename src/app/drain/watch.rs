//! One drained real server under watch: the kernel's counts at each
//! reading, and what the operator asked for.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use crate::journal::DrainOptions;
use crate::model::{Dest, DestKey, ServiceKey};

/// Readings kept per watch: 10 minutes at a 1 s refresh.
pub const MAX_SAMPLES: usize = 600;

/// The kernel's counts for a real server at one reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// When its service's real servers were read (the monitor's clock).
    pub at: Duration,
    pub active: u32,
    pub inactive: u32,
    pub persistent: u32,
    /// The kernel's connection counter (every connection ever scheduled).
    pub conns: u64,
}

impl Sample {
    pub fn of(at: Duration, d: &Dest) -> Sample {
        Sample {
            at,
            active: d.active_conns,
            inactive: d.inactive_conns,
            persistent: d.persistent_conns,
            conns: d.stats.conns,
        }
    }

    /// Nothing points to it: no connection, no template.
    pub fn is_zero(&self) -> bool {
        self.active == 0 && self.inactive == 0 && self.persistent == 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Watching,
    /// A removal or restore is with the owner.
    Sent,
    /// Ended; dropped after this poll.
    Over,
}

#[derive(Debug, Clone)]
pub struct Watch {
    pub service: ServiceKey,
    pub dest: DestKey,
    /// The weight it had, which restore gives back.
    pub previous_weight: u32,
    pub options: DrainOptions,
    /// When the drain began, if known (a resumed watch: from the journal).
    pub started: Option<SystemTime>,
    /// Set by `Drains`; oldest first, at most `MAX_SAMPLES`.
    pub samples: VecDeque<Sample>,
    pub phase: Phase,
    /// The deadline's question was asked (not again until options change).
    pub asked: bool,
    /// The last refusal of a removal or restore, in words.
    pub refusal: Option<String>,
    pub(super) zero_polls: u8,
    pub(super) remove_tries: u8,
    /// The counts when resumed or begun: `conns` rising past it while at
    /// weight 0 is a new connection all the same.
    pub(super) first: Option<Sample>,
}

impl Watch {
    pub fn new(
        service: ServiceKey,
        dest: DestKey,
        previous_weight: u32,
        options: DrainOptions,
        started: Option<SystemTime>,
    ) -> Watch {
        Watch {
            service,
            dest,
            previous_weight,
            options,
            started,
            samples: VecDeque::new(),
            phase: Phase::Watching,
            asked: false,
            refusal: None,
            zero_polls: 0,
            remove_tries: 0,
            first: None,
        }
    }

    pub(super) fn push(&mut self, s: Sample) {
        self.first.get_or_insert(s);
        if s.is_zero() {
            self.zero_polls = self.zero_polls.saturating_add(1);
        } else {
            self.zero_polls = 0;
        }
        if self.samples.len() == MAX_SAMPLES {
            self.samples.pop_front();
        }
        self.samples.push_back(s);
    }

    /// The latest reading.
    pub fn last(&self) -> Option<&Sample> {
        self.samples.back()
    }

    /// Polls in a row that found nothing pointing to it.
    pub fn zero_polls(&self) -> u8 {
        self.zero_polls
    }

    /// New connections scheduled to it since the watch began (the kernel's
    /// counter; a counter that went back, zeroed, counts from there).
    pub fn new_since_start(&self) -> u64 {
        match (self.first, self.last()) {
            (Some(f), Some(l)) => l.conns.saturating_sub(f.conns),
            _ => 0,
        }
    }

    /// New connections over the readings of the last `window`.
    pub fn new_within(&self, window: Duration) -> u64 {
        let Some(last) = self.last() else { return 0 };
        let since = last.at.saturating_sub(window);
        let first = self.samples.iter().find(|s| s.at >= since).unwrap_or(last);
        last.conns.saturating_sub(first.conns)
    }

    /// `10.1.0.5:80 of TCP 192.0.2.10:80`.
    pub fn name(&self) -> String {
        format!(
            "{} of {}",
            crate::output::addr_port(&self.dest.addr, self.dest.port),
            self.service
        )
    }
}
