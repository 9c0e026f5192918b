//! Reading the table incrementally, one poll at a time (the owner thread,
//! `owner_loop.rs`, calls it).
//!
//! Services: a table of up to `LIST_EVERY_POLL_MAX` services is listed
//! whole every poll (one netlink dump). A bigger one is listed whole by the
//! last poll that keeps listings at most `SWEEP_PERIOD` apart, and the polls
//! in between re-read only the services on screen, one request each; a
//! watched service found gone, or a change lvstop applied, makes the poll
//! list the table whole at once (`cadence.rs`). Real servers: the watched
//! services' every poll, the others by the sweep (`sweep.rs`).
//!
//! Polls never overlap: the owner thread sleeps for what is left of the
//! interval after a poll; when a poll takes longer than the delay the next
//! one starts right away and the reported interval stretches (the header
//! says so).
//!
//! Services are handed over in ipvsadm's order (`by_service_key`), sorted here
//! on the polling thread rather than on the UI thread.

use std::time::Duration;

use crate::app::{Event, PollResult};
use crate::backend::{Error, ErrorKind, Reader};
use crate::clock::Clock;
use crate::model::{Dest, Info, Service, ServiceKey};
use crate::output::order::by_service_key;

use super::cadence::Cadence;
use super::sweep::{Sweep, SWEEP_BUDGET};

/// The incremental reading plan; it keeps the sweep position and the
/// listing cadence between polls.
#[derive(Debug, Default)]
pub struct Poller {
    sweep: Sweep,
    cadence: Cadence,
}

/// What one poll read.
struct Reading {
    info: Info,
    /// Whether `services` is the whole table, or just the watched services
    /// re-read one by one.
    whole: bool,
    services: Vec<Service>,
    dests: Vec<(ServiceKey, Vec<Dest>)>,
}

impl Poller {
    pub fn new() -> Poller {
        Poller::default()
    }

    /// Makes the next poll list the table whole: after a change lvstop
    /// applied, a new or deleted service shows at once, not a round later.
    pub fn relist(&mut self) {
        self.cadence.relist();
    }

    /// One poll. `delay` is the configured interval; `watched` the services
    /// whose real servers the operator is looking at.
    pub fn poll(
        &mut self,
        reader: &mut dyn Reader,
        watched: &[ServiceKey],
        delay: Duration,
        clock: &dyn Clock,
    ) -> Event {
        let started = clock.now();
        let estimator = reader.estimator_running();
        let interval = self.cadence.begin(started, delay);
        match self.read(reader, watched, delay, interval, clock) {
            Ok(reading) => {
                let at = clock.now();
                self.cadence.finished(at - started, reading.whole);
                Event::Polled(PollResult {
                    at,
                    wall: clock.wall(),
                    took: at - started,
                    interval,
                    info: reading.info,
                    whole: reading.whole,
                    services: reading.services,
                    dests: reading.dests,
                    estimator,
                })
            }
            Err(e) => Event::PollFailed {
                at: clock.now(),
                wall: clock.wall(),
                error: e.to_string(),
            },
        }
    }

    /// The watched services re-read one by one; `None` when one of them is
    /// gone (the poll then lists the table whole, so the row goes at once).
    fn watched_services(
        &self,
        reader: &mut dyn Reader,
        watched: &[ServiceKey],
    ) -> Result<Option<Vec<Service>>, Error> {
        let mut fresh = Vec::with_capacity(watched.len());
        for k in watched {
            if !self.sweep.contains(k) || fresh.iter().any(|s: &Service| s.key == *k) {
                continue;
            }
            match reader.service(k) {
                Ok(s) => fresh.push(s),
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        fresh.sort_by(|a, b| by_service_key(&a.key, &b.key));
        Ok(Some(fresh))
    }

    fn read(
        &mut self,
        reader: &mut dyn Reader,
        watched: &[ServiceKey],
        delay: Duration,
        interval: Duration,
        clock: &dyn Clock,
    ) -> Result<Reading, Error> {
        let started = clock.now();
        let info = reader.info()?;
        let mut services = None;
        if !self.cadence.lists_whole(started, delay, self.sweep.len()) {
            services = self.watched_services(reader, watched)?;
        }
        let whole = services.is_none();
        let services = match services {
            Some(s) => s,
            None => {
                let listed = self.sweep.in_order(reader.services()?);
                self.cadence.listed(started);
                listed
            }
        };
        let budget = delay.mul_f64(SWEEP_BUDGET);
        let round = self.cadence.round(interval);
        let dests = self.sweep.read(reader, watched, round, budget, clock)?;
        Ok(Reading {
            info,
            whole,
            services,
            dests,
        })
    }
}
