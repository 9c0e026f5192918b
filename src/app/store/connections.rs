//! The connections the monitor knows: the latest reading of the open view,
//! an exact read under way, the table-wide half-open counts per real server,
//! and the last failure of each, as the owner thread reported them.

use std::sync::Arc;
use std::time::Duration;

use crate::conns::{ConnEvent, ConnReading, Count, ExactProgress, HalfOpen, ReadOf, Scope};
use crate::model::{DestKey, ServiceKey};

/// A failed read, in words, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFailure {
    pub error: String,
    pub at: Duration,
}

#[derive(Debug, Clone, Default)]
pub struct Connections {
    reading: Option<Arc<ConnReading>>,
    exact: Option<ExactProgress>,
    half_open: Option<Arc<HalfOpen>>,
    view_failure: Option<ReadFailure>,
    exact_failure: Option<ReadFailure>,
    half_open_failure: Option<ReadFailure>,
}

impl Connections {
    pub fn apply(&mut self, event: ConnEvent) {
        match event {
            ConnEvent::Reading(r) => {
                let asked_for = |r: &ConnReading| {
                    r.sampling.is_exact() && matches!(r.made, crate::conns::Made::Spread { .. })
                };
                if asked_for(&r) {
                    self.exact = None;
                } else if self
                    .reading
                    .as_ref()
                    .is_some_and(|held| asked_for(held) && held.scope == r.scope)
                {
                    // An exact read the operator waited for stays on screen
                    // (its age growing) until another is asked for or the
                    // view closes: the next refresh's sample must not wipe it.
                    self.view_failure = None;
                    return;
                }
                self.view_failure = None;
                self.reading = Some(r);
            }
            ConnEvent::Progress(p) => {
                self.exact_failure = None;
                self.exact = Some(p);
            }
            ConnEvent::ExactCancelled => self.exact = None,
            ConnEvent::HalfOpen(h) => {
                self.half_open_failure = None;
                self.half_open = Some(h);
            }
            ConnEvent::Withdrawn { error, at } => {
                self.reading = None;
                self.view_failure = Some(ReadFailure { error, at });
            }
            ConnEvent::Failed { of, error, at } => {
                let failure = Some(ReadFailure { error, at });
                match of {
                    ReadOf::View => self.view_failure = failure,
                    ReadOf::Exact => {
                        self.exact = None;
                        self.exact_failure = failure;
                    }
                    ReadOf::HalfOpen => self.half_open_failure = failure,
                }
            }
        }
    }

    /// Forgets the view's reading (the view closed): a reopened view shows
    /// "reading…" rather than another scope's counts.
    pub fn close_view(&mut self) {
        self.reading = None;
        self.exact = None;
        self.view_failure = None;
        self.exact_failure = None;
    }

    /// Forgets the exact read's progress (cancelled).
    pub fn cancel_exact(&mut self) {
        self.exact = None;
    }

    /// The latest reading of the view, whatever its scope.
    pub fn reading(&self) -> Option<&Arc<ConnReading>> {
        self.reading.as_ref()
    }

    /// The latest reading if it is of `scope` (None while the first reading
    /// of a new scope is under way).
    pub fn reading_of(&self, scope: &Scope) -> Option<&Arc<ConnReading>> {
        self.reading.as_ref().filter(|r| r.scope == *scope)
    }

    /// How old the view's reading is at `now` (the monitor's clock).
    pub fn reading_age(&self, now: Duration) -> Option<Duration> {
        self.reading.as_ref().map(|r| r.age(now))
    }

    /// The exact read under way, if any.
    pub fn exact_progress(&self) -> Option<&ExactProgress> {
        self.exact.as_ref()
    }

    /// Why the view's last read failed, until a reading succeeds.
    pub fn view_failure(&self) -> Option<&ReadFailure> {
        self.view_failure.as_ref()
    }

    /// Why the exact read asked for stopped, until another one starts.
    pub fn exact_failure(&self) -> Option<&ReadFailure> {
        self.exact_failure.as_ref()
    }

    /// A real server's half-open (`SYN_RECV`) entries, table-wide: None
    /// until the first half-open reading; estimated when it was sampled.
    pub fn half_open(&self, service: &ServiceKey, dest: &DestKey) -> Option<Count> {
        self.half_open.as_ref().map(|h| h.get(service, dest))
    }

    /// The latest half-open reading whole (its age, its sampling).
    pub fn half_open_reading(&self) -> Option<&Arc<HalfOpen>> {
        self.half_open.as_ref()
    }

    pub fn half_open_failure(&self) -> Option<&ReadFailure> {
        self.half_open_failure.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::conns::{
        Attribution, HalfOpenCounter, Limits, Made, ReadStamp, Sampling, Summarizer,
    };
    use crate::testkit::{conn, tcp};

    fn http() -> ServiceKey {
        tcp("192.0.2.10".parse().unwrap(), 80)
    }

    fn reading(scope: Scope, made: Made, sampling: Sampling) -> Arc<ConnReading> {
        let a = Arc::new(Attribution::of_services(&[]));
        Arc::new(
            Summarizer::new(a, scope, Limits::default()).finish(ReadStamp {
                sampling,
                made,
                at: Duration::from_secs(100),
                wall: SystemTime::UNIX_EPOCH,
                took: Duration::ZERO,
                read: 0,
                malformed: 0,
            }),
        )
    }

    #[test]
    fn readings_progress_and_failures_replace_each_other() {
        let mut c = Connections::default();
        let scope = Scope::service(http());
        assert!(c.reading().is_none());
        c.apply(ConnEvent::Failed {
            of: ReadOf::View,
            error: "no connection table".into(),
            at: Duration::from_secs(1),
        });
        assert_eq!(c.view_failure().unwrap().error, "no connection table");
        c.apply(ConnEvent::Reading(reading(
            scope.clone(),
            Made::OneGo,
            Sampling::Exact,
        )));
        assert!(c.view_failure().is_none());
        assert_eq!(
            c.reading_age(Duration::from_secs(103)),
            Some(Duration::from_secs(3))
        );
        let other = Scope {
            dest: Some(DestKey {
                addr: "10.1.0.1".parse().unwrap(),
                port: 80,
            }),
            ..scope.clone()
        };
        assert!(c.reading_of(&scope).is_some());
        assert!(c.reading_of(&other).is_none());

        // A failed read keeps the reading (stale); a withdrawn one drops it.
        c.apply(ConnEvent::Failed {
            of: ReadOf::View,
            error: "read failed".into(),
            at: Duration::from_secs(104),
        });
        assert!(c.reading().is_some() && c.view_failure().is_some());
        c.apply(ConnEvent::Withdrawn {
            error: "not recorded".into(),
            at: Duration::from_secs(105),
        });
        assert!(c.reading().is_none());
        assert_eq!(c.view_failure().unwrap().error, "not recorded");

        let progress = ExactProgress {
            read: 500,
            expected: 2_000,
            began: Duration::from_secs(90),
            refreshes: 3,
        };
        c.apply(ConnEvent::Progress(progress));
        assert_eq!(c.exact_progress().unwrap().percent(), 25);
        // A sampled reading meanwhile leaves the exact read under way…
        let sampled = Sampling::Sampled {
            read: 10,
            expected: 2_000,
        };
        c.apply(ConnEvent::Reading(reading(
            scope.clone(),
            Made::OneGo,
            sampled,
        )));
        assert!(c.exact_progress().is_some());
        // …its result ends it.
        let done = Made::Spread { refreshes: 4 };
        c.apply(ConnEvent::Reading(reading(
            scope.clone(),
            done,
            Sampling::Exact,
        )));
        assert!(c.exact_progress().is_none());
        c.apply(ConnEvent::Progress(progress));
        c.apply(ConnEvent::Failed {
            of: ReadOf::Exact,
            error: "read failed".into(),
            at: Duration::from_secs(2),
        });
        assert!(c.exact_progress().is_none());
        assert!(c.exact_failure().is_some());
        c.close_view();
        assert!(c.reading().is_none() && c.exact_failure().is_none());
    }

    #[test]
    fn an_exact_read_asked_for_stays_until_another_or_a_new_scope() {
        let mut c = Connections::default();
        let scope = Scope::service(http());
        let exact = |scope: &Scope| {
            reading(
                scope.clone(),
                Made::Spread { refreshes: 2 },
                Sampling::Exact,
            )
        };
        let sampled = |scope: &Scope| {
            let s = Sampling::Sampled {
                read: 10,
                expected: 2_000,
            };
            reading(scope.clone(), Made::OneGo, s)
        };
        c.apply(ConnEvent::Reading(exact(&scope)));
        c.apply(ConnEvent::Reading(sampled(&scope)));
        assert!(c.reading().unwrap().sampling.is_exact(), "kept");
        let other = Scope {
            dest: Some(DestKey {
                addr: "10.1.0.1".parse().unwrap(),
                port: 80,
            }),
            ..scope.clone()
        };
        c.apply(ConnEvent::Reading(sampled(&other)));
        assert!(!c.reading().unwrap().sampling.is_exact(), "a new scope");
        c.apply(ConnEvent::Reading(exact(&other)));
        c.close_view();
        c.apply(ConnEvent::Reading(sampled(&other)));
        assert!(!c.reading().unwrap().sampling.is_exact(), "a closed view");
    }

    #[test]
    fn half_open_is_none_until_read_then_per_real_server() {
        let mut c = Connections::default();
        let d = DestKey {
            addr: "10.1.0.1".parse().unwrap(),
            port: 80,
        };
        assert_eq!(c.half_open(&http(), &d), None);
        let snapshot = crate::testkit::FakeTable::sample();
        let a = Attribution::new(&crate::backend::Reader::snapshot(&mut snapshot.clone()).unwrap());
        let mut h = HalfOpenCounter::new(Arc::new(a));
        h.add(&conn(
            "TCP",
            "203.0.113.7:1",
            "192.0.2.10:80",
            "10.1.0.1:80",
            "SYN_RECV",
            50,
        ));
        let h = h.finish(
            Sampling::Exact,
            Duration::from_secs(5),
            SystemTime::UNIX_EPOCH,
        );
        c.apply(ConnEvent::HalfOpen(Arc::new(h)));
        assert_eq!(c.half_open(&http(), &d), Some(Count::Exact { value: 1 }));
    }
}
