//! Coalescing weight key presses: one write in flight per real server, the
//! presses made meanwhile summed into the next write. Pure state, no
//! threads or clocks: the caller sends the writes and reports completions.
//!
//! Invariant per real server: the presses applied, in flight and waiting
//! always add up to the presses made, so none is lost or counted twice.
//! The weight is clamped to 0..=65535 by each write, so a sequence that
//! crosses a limit is clamped where the writes fall.

use std::collections::HashMap;

use crate::model::{DestKey, NudgeWrite, ServiceKey};

/// A real server's row status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NudgeStatus {
    /// A write is in flight or presses wait for one.
    Pending,
    /// Every press so far is applied.
    Applied,
    /// The last write failed. Its presses and those made while it was in
    /// flight are kept (`unsent`) and go with the next press or `retry`.
    Failed { message: String, unsent: i64 },
}

#[derive(Debug)]
struct Row {
    in_flight: Option<i64>,
    waiting: i64,
    status: NudgeStatus,
}

#[derive(Debug, Default)]
pub struct WeightNudger {
    rows: HashMap<(ServiceKey, DestKey), Row>,
}

impl WeightNudger {
    pub fn new() -> WeightNudger {
        WeightNudger::default()
    }

    /// A press of `delta` (±1, ±10). Returns the write to send now, or None
    /// if one is in flight for this real server (the press waits for it).
    pub fn press(&mut self, service: ServiceKey, dest: DestKey, delta: i64) -> Option<NudgeWrite> {
        let row = self.rows.entry((service, dest)).or_insert(Row {
            in_flight: None,
            waiting: 0,
            status: NudgeStatus::Applied,
        });
        row.waiting += delta;
        if row.in_flight.is_some() {
            row.status = NudgeStatus::Pending;
            return None;
        }
        Self::issue(service, dest, row)
    }

    /// The write for this real server finished. Returns the next write (the
    /// presses made meanwhile), if any. After a failure nothing is sent
    /// until the next press or [`WeightNudger::retry`].
    pub fn completed(
        &mut self,
        write: &NudgeWrite,
        result: Result<(), String>,
    ) -> Option<NudgeWrite> {
        let row = self.rows.get_mut(&(write.service, write.dest))?;
        let delta = row.in_flight.take()?;
        match result {
            Ok(()) => Self::issue(write.service, write.dest, row),
            Err(message) => {
                row.waiting += delta;
                row.status = NudgeStatus::Failed {
                    message,
                    unsent: row.waiting,
                };
                None
            }
        }
    }

    /// Sends the presses kept after a failure.
    pub fn retry(&mut self, service: ServiceKey, dest: DestKey) -> Option<NudgeWrite> {
        let row = self.rows.get_mut(&(service, dest))?;
        if row.in_flight.is_some() {
            return None;
        }
        Self::issue(service, dest, row)
    }

    /// Drops presses not yet sent; returns their sum.
    pub fn discard(&mut self, service: ServiceKey, dest: DestKey) -> i64 {
        let Some(row) = self.rows.get_mut(&(service, dest)) else {
            return 0;
        };
        let dropped = std::mem::take(&mut row.waiting);
        if row.in_flight.is_none() {
            row.status = NudgeStatus::Applied;
        }
        dropped
    }

    /// None for a real server never pressed.
    pub fn status(&self, service: &ServiceKey, dest: &DestKey) -> Option<&NudgeStatus> {
        self.rows.get(&(*service, *dest)).map(|r| &r.status)
    }

    /// Presses not yet applied (in flight plus waiting), for display.
    pub fn unapplied(&self, service: &ServiceKey, dest: &DestKey) -> i64 {
        self.rows
            .get(&(*service, *dest))
            .map_or(0, |r| r.in_flight.unwrap_or(0) + r.waiting)
    }

    fn issue(service: ServiceKey, dest: DestKey, row: &mut Row) -> Option<NudgeWrite> {
        if row.waiting == 0 {
            // Presses that cancel out need no write.
            if !matches!(row.status, NudgeStatus::Failed { .. }) {
                row.status = NudgeStatus::Applied;
            }
            return None;
        }
        let delta = std::mem::take(&mut row.waiting);
        row.in_flight = Some(delta);
        row.status = NudgeStatus::Pending;
        Some(NudgeWrite {
            service,
            dest,
            delta,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Protocol;

    fn vip() -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.1".parse().unwrap(),
            port: 80,
        }
    }

    fn rs(n: u8) -> DestKey {
        DestKey {
            addr: format!("10.0.0.{n}").parse().unwrap(),
            port: 80,
        }
    }

    #[test]
    fn presses_that_cancel_out_need_no_write() {
        let mut n = WeightNudger::new();
        let w = n.press(vip(), rs(1), 10).unwrap();
        assert_eq!(n.press(vip(), rs(1), -1), None);
        assert_eq!(n.press(vip(), rs(1), 1), None);
        assert_eq!(n.completed(&w, Ok(())), None);
        assert_eq!(n.status(&vip(), &rs(1)), Some(&NudgeStatus::Applied));
    }
}
