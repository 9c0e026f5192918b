//! The monitor's alert detectors (`app::alerts`) over batch mode's
//! readings, for `--format openmetrics`: each real server's alert state is
//! kept from one reading to the next, as the monitor's store keeps it, so a
//! loop (`-d 15`) raises and clears alerts as the monitor would. A single
//! reading (`-n 1`) raises none: every detector needs a window of them.

use std::collections::HashMap;
use std::time::Duration;

use crate::app::alerts::{self, DestAlerts, Kind, Rates, Severity};
use crate::model::{Dest, DestKey, ServiceKey, Snapshot};
use crate::output::openmetrics::RaisedAlerts;

/// Alert state per service and real server, across readings.
#[derive(Default)]
pub struct BatchAlerts {
    services: HashMap<ServiceKey, Vec<(Dest, DestAlerts)>>,
}

fn split(row: &mut (Dest, DestAlerts)) -> (&Dest, &mut DestAlerts) {
    (&row.0, &mut row.1)
}

/// The metric's words for a kind (labels take no spaces by convention).
fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::AtLimit => "at_limit",
        Kind::Slow => "slow",
        Kind::HalfOpen => "half_open",
        Kind::Idle => "idle",
        Kind::Share => "share",
        Kind::DrainStalled => "drain_stalled",
    }
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::Warning => "warning",
    }
}

impl BatchAlerts {
    /// Judges every service's real servers after `snapshot`, read at `at`
    /// (monotonic); `estimator`: whether the kernel's estimator runs, if
    /// known (off, the counters are frozen and nothing is judged on them).
    /// Services and real servers gone from the table are forgotten.
    pub fn judge(
        &mut self,
        snapshot: &Snapshot,
        at: Duration,
        estimator: Option<bool>,
    ) -> RaisedAlerts {
        let rates = Rates {
            counters: estimator != Some(false),
            kernel: estimator == Some(true),
        };
        let mut kept = HashMap::with_capacity(snapshot.services.len());
        let mut raised = RaisedAlerts::new();
        for entry in &snapshot.services {
            let mut before: HashMap<DestKey, DestAlerts> = self
                .services
                .remove(&entry.service.key)
                .unwrap_or_default()
                .into_iter()
                .map(|(d, a)| (d.key(), a))
                .collect();
            let mut rows: Vec<(Dest, DestAlerts)> = entry
                .dests
                .iter()
                .map(|d| (d.clone(), before.remove(&d.key()).unwrap_or_default()))
                .collect();
            alerts::judge(&entry.service, &mut rows, at, rates, &[], split);
            for (d, a) in &rows {
                if let Some(alert) = a.alert() {
                    let words = (kind_word(alert.kind()), severity_word(alert.severity()));
                    raised.insert((entry.service.key, d.key()), words);
                }
            }
            kept.insert(entry.service.key, rows);
        }
        self.services = kept;
        raised
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Info, Protocol, Service, ServiceEntry};

    /// One service whose second real server sits at its upper threshold.
    fn table() -> Snapshot {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.1".parse().unwrap(),
            port: 80,
        };
        let mut full = Dest::new("10.0.0.2".parse().unwrap(), 80);
        full.upper_threshold = 10;
        full.active_conns = 8;
        full.inactive_conns = 2;
        Snapshot {
            info: Info::default(),
            services: vec![ServiceEntry {
                service: Service::new(key, "wlc"),
                dests: vec![Dest::new("10.0.0.1".parse().unwrap(), 80), full],
            }],
        }
    }

    #[test]
    fn at_limit_is_raised_after_the_monitors_delay_and_cleared_when_gone() {
        let mut alerts = BatchAlerts::default();
        let t = table();
        let full = (t.services[0].service.key, t.services[0].dests[1].key());
        let first = alerts.judge(&t, Duration::from_secs(100), Some(true));
        assert!(first.is_empty(), "one reading raises nothing: {first:?}");
        let mut raised = None;
        for i in 1..=6 {
            let now = alerts.judge(&t, Duration::from_secs(100 + 5 * i), Some(true));
            if !now.is_empty() {
                raised = Some((i, now));
                break;
            }
        }
        let (i, now) = raised.expect("raised within 30 s");
        assert!(i >= 2, "not at once: after {i} readings");
        assert_eq!(now.len(), 1, "{now:?}");
        assert_eq!(now[&full], ("at_limit", "critical"));
        // The real server removed: forgotten, nothing raised for it.
        let mut gone = t.clone();
        gone.services[0].dests.pop();
        assert!(alerts
            .judge(&gone, Duration::from_secs(200), Some(true))
            .is_empty());
    }

    /// As tests/demo_alerts.rs watches the monitor: the demo's slow server
    /// (its incident starts at 60 s, for 90 s) is flagged within 30 s, and
    /// nothing else is, here over batch's whole-table readings.
    #[test]
    fn the_demos_incident_is_flagged_as_the_monitor_flags_it() {
        use crate::backend::Reader;
        use crate::demo::DemoDirector;
        use crate::testkit::ManualClock;
        use std::sync::Arc;
        use std::time::UNIX_EPOCH;

        let clock = Arc::new(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_699_963_410),
        ));
        let mut demo = DemoDirector::new(42, clock.clone());
        let mut alerts = BatchAlerts::default();
        let (mut started, mut flagged) = (None, None);
        for t in 1..=150u64 {
            clock.advance(Duration::from_secs(1));
            if let Some(incident) = demo.incident() {
                started.get_or_insert((t, incident));
            }
            let snapshot = demo.snapshot().unwrap();
            let estimator = demo.estimator_running();
            let raised = alerts.judge(&snapshot, Duration::from_secs(t), estimator);
            for (key, words) in &raised {
                let (_, (s, d)) = started.unwrap_or_else(|| panic!("{t} s: {key:?} {words:?}"));
                assert_eq!((*key, *words), ((s, d), ("slow", "critical")), "{t} s");
                flagged.get_or_insert(t);
            }
        }
        let (start, _) = started.expect("the incident started");
        let flagged = flagged.expect("the incident was flagged");
        eprintln!("demo seed 42: incident started {start} s, flagged {flagged} s");
        assert!(
            flagged <= start + 30,
            "flagged {flagged} s, started {start} s"
        );
    }
}
