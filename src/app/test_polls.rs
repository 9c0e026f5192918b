//! Polls for the app's tests: a fresh app and the readings of the kit's
//! `FakeTable`. Kept here, not in `testkit`: the kit sits below every
//! module whose tests use it, so it cannot name `app`.

use std::time::{Duration, SystemTime};

use crate::model::{Dest, Info, Service, ServiceKey};

use super::{App, AppConfig, Event, PollResult};
use crate::testkit::FakeTable;

/// An app polling every second, keeping 5 minutes.
pub fn app() -> App {
    App::new(AppConfig {
        delay: Duration::from_secs(1),
        history: Duration::from_secs(300),
    })
}

/// A 1 s poll at second `at` that read `services` and these real servers.
pub fn polled(at: u64, services: Vec<Service>, dests: Vec<(ServiceKey, Vec<Dest>)>) -> Event {
    Event::Polled(PollResult {
        whole: true,
        at: Duration::from_secs(at),
        wall: SystemTime::UNIX_EPOCH + Duration::from_secs(at),
        took: Duration::ZERO,
        interval: Duration::from_secs(1),
        info: Info::default(),
        services,
        dests,
        estimator: None,
    })
}

/// A poll of the whole fake table at second `at`.
pub fn poll(table: &FakeTable, at: u64) -> Event {
    polled(
        at,
        table.services.iter().map(|(s, _)| s.clone()).collect(),
        table
            .services
            .iter()
            .map(|(s, ds)| (s.key, ds.iter().map(|(d, _)| d.clone()).collect()))
            .collect(),
    )
}

/// A poll between whole listings at second `at`: services `svc` of the
/// fake table re-read, and the real servers of services `read`.
pub fn poll_of_some(table: &FakeTable, at: u64, svc: &[usize], read: &[usize]) -> PollResult {
    let Event::Polled(mut p) = poll(table, at) else {
        unreachable!()
    };
    p.whole = false;
    p.services = svc.iter().map(|&i| table.services[i].0.clone()).collect();
    p.dests = read
        .iter()
        .map(|&i| {
            let (s, ds) = &table.services[i];
            (s.key, ds.iter().map(|(d, _)| d.clone()).collect())
        })
        .collect();
    p
}
