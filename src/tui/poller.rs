//! Reading the table incrementally (the backend owner, `owner.rs`, calls it).
//!
//! Every poll dumps the services (one netlink dump, cheap even at thousands
//! of services). Real servers cost one dump per service, so per poll only
//! these are read:
//! - the services the operator can see (their rows, and the selected one);
//! - services not read before (new ones), at most `SWEEP_NEW_MAX` per poll;
//! - a background sweep slice sized so every service is read at least once
//!   per `SWEEP_PERIOD`: `ceil(services * interval / SWEEP_PERIOD)`.
//!
//! Polls never overlap: the owner thread sleeps for what is left of the interval
//! after a poll; when a poll takes longer than the delay the next one starts
//! right away and the reported interval stretches (the header says so).

use std::collections::HashSet;
use std::time::Duration;

use crate::app::{Event, PollResult};
use crate::backend::{ErrorKind, Reader};
use crate::clock::Clock;
use crate::model::ServiceKey;

/// Every real server is read at least this often.
pub const SWEEP_PERIOD: Duration = Duration::from_secs(10);
/// Upper bound on never-read services picked up in one poll, so a table of
/// 100,000 new services fills in over a few polls instead of one long one.
pub const SWEEP_NEW_MAX: usize = 2000;

/// The incremental reading plan; it keeps the sweep position between polls.
#[derive(Debug, Default)]
pub struct Poller {
    cursor: usize,
    read_once: HashSet<ServiceKey>,
    last_at: Option<Duration>,
}

impl Poller {
    pub fn new() -> Poller {
        Poller::default()
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
        let interval = match self.last_at {
            Some(prev) => (started - prev).max(delay),
            None => delay,
        };
        self.last_at = Some(started);
        match self.read(reader, watched, interval) {
            Ok((info, services, dests)) => {
                let at = clock.now();
                Event::Polled(PollResult {
                    at,
                    wall: clock.wall(),
                    took: at - started,
                    interval,
                    info,
                    services,
                    dests,
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

    #[allow(clippy::type_complexity)]
    fn read(
        &mut self,
        reader: &mut dyn Reader,
        watched: &[ServiceKey],
        interval: Duration,
    ) -> Result<
        (
            crate::model::Info,
            Vec<crate::model::Service>,
            Vec<(ServiceKey, Vec<crate::model::Dest>)>,
        ),
        crate::backend::Error,
    > {
        let info = reader.info()?;
        let services = reader.services()?;
        let present: HashSet<ServiceKey> = services.iter().map(|s| s.key).collect();
        self.read_once.retain(|k| present.contains(k));

        let mut wanted: Vec<ServiceKey> = Vec::new();
        let mut picked = HashSet::new();
        for k in watched {
            if present.contains(k) && picked.insert(*k) {
                wanted.push(*k);
            }
        }
        let mut new_count = 0;
        for s in &services {
            if new_count < SWEEP_NEW_MAX && !self.read_once.contains(&s.key) && picked.insert(s.key)
            {
                wanted.push(s.key);
                new_count += 1;
            }
        }
        let n = services.len();
        if n > 0 {
            let slice =
                ((n as f64) * interval.as_secs_f64() / SWEEP_PERIOD.as_secs_f64()).ceil() as usize;
            for step in 0..slice.min(n) {
                let key = services[(self.cursor + step) % n].key;
                if picked.insert(key) {
                    wanted.push(key);
                }
            }
            self.cursor = (self.cursor + slice) % n;
        }

        let mut dests = Vec::with_capacity(wanted.len());
        for key in wanted {
            match reader.dests(&key) {
                Ok(d) => {
                    self.read_once.insert(key);
                    dests.push((key, d));
                }
                // Deleted between the two dumps: the next poll drops it.
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok((info, services, dests))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fake::{FakeReader, FakeTable};
    use crate::clock::ManualClock;
    use std::time::SystemTime;

    #[test]
    fn sweep_reads_every_service_within_the_period() {
        let fake = FakeReader::new(FakeTable::many(1000));
        let mut reader = fake.clone();
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let mut poller = Poller::new();
        let delay = Duration::from_secs(1);
        // First poll reads at most SWEEP_NEW_MAX never-read services.
        poller.poll(&mut reader, &[], delay, &clock);
        fake.0.lock().unwrap().dest_reads.clear();
        for _ in 0..10 {
            clock.advance(delay);
            let e = poller.poll(&mut reader, &[], delay, &clock);
            let Event::Polled(p) = e else { panic!() };
            assert!(p.dests.len() <= 100, "slice {}", p.dests.len());
        }
        let reads: HashSet<_> = fake.0.lock().unwrap().dest_reads.iter().copied().collect();
        assert_eq!(reads.len(), 1000, "every service swept within 10 s");
    }

    #[test]
    fn watched_services_are_read_every_poll() {
        let table = FakeTable::many(50);
        let key = table.services[17].0.key;
        let fake = FakeReader::new(table);
        let mut reader = fake.clone();
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let mut poller = Poller::new();
        for _ in 0..5 {
            clock.advance(Duration::from_secs(1));
            let Event::Polled(p) = poller.poll(&mut reader, &[key], Duration::from_secs(1), &clock)
            else {
                panic!()
            };
            assert!(p.dests.iter().any(|(k, _)| *k == key));
        }
    }

    #[test]
    fn slow_polls_stretch_the_interval() {
        let fake = FakeReader::new(FakeTable::sample());
        let mut reader = fake.clone();
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let mut poller = Poller::new();
        let delay = Duration::from_secs(1);
        poller.poll(&mut reader, &[], delay, &clock);
        clock.advance(Duration::from_millis(2500));
        let Event::Polled(p) = poller.poll(&mut reader, &[], delay, &clock) else {
            panic!()
        };
        assert_eq!(p.interval, Duration::from_millis(2500));
    }

    #[test]
    fn failures_are_reported_not_fatal() {
        let fake = FakeReader::new(FakeTable::sample());
        fake.0.lock().unwrap().failing = Some("netlink: timed out".into());
        let mut reader = fake.clone();
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
        let e = Poller::new().poll(&mut reader, &[], Duration::from_secs(1), &clock);
        assert!(matches!(e, Event::PollFailed { ref error, .. } if error == "netlink: timed out"));
    }
}
