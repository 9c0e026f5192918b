//! The owner thread's connection reads over `FakeBackend`: when they
//! happen, what they cost, the exact read spread over refreshes, failures.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::conn_reads::{source_for, ConnReads, HALF_OPEN_EVERY};
use crate::app::{Event, PollResult};
use crate::backend::{ConnCursor, Error, ErrorKind, Reader};
use crate::conns::{Budget, ConnEvent, ConnRequest, Count, Made, ReadOf, Sampling, Scope};
use crate::model::{
    ConnSource, ConnWalk, Connection, Dest, DestKey, Info, Interface, Origin, Service, ServiceKey,
    SyncDaemon, SyncRole, Timeouts,
};
use crate::testkit::{conn, tcp, CallKind, Calls, FakeBackend, FakeTable, ManualClock};

fn http() -> ServiceKey {
    tcp("192.0.2.10".parse().unwrap(), 80)
}

fn rs1() -> DestKey {
    DestKey {
        addr: "10.1.0.1".parse().unwrap(),
        port: 80,
    }
}

/// `n` entries to the web service's first real server, one in four half-open.
fn entries(n: u32) -> Vec<Connection> {
    (0..n)
        .map(|i| {
            let client = format!(
                "203.0.{}.{}:{}",
                113 + i / 60_000,
                i % 250 + 1,
                1024 + i % 60_000
            );
            let state = if i % 4 == 0 {
                "SYN_RECV"
            } else {
                "ESTABLISHED"
            };
            conn("TCP", &client, "192.0.2.10:80", "10.1.0.1:80", state, 900)
        })
        .collect()
}

/// The sample table holding `n` entries, its real servers' counts saying so
/// (the expected size the budget plans with).
fn table(n: u32) -> FakeTable {
    let mut t = FakeTable::sample();
    for (_, dests) in &mut t.services {
        for (d, _) in dests {
            (d.active_conns, d.inactive_conns, d.persistent_conns) = (0, 0, 0);
        }
    }
    t.services[0].1[0].0.active_conns = n;
    t.connections = entries(n);
    t
}

/// A whole poll of `reader`'s table, as the poller reports it.
fn poll_of(reader: &mut dyn Reader) -> Event {
    let s = reader.snapshot().unwrap();
    Event::Polled(PollResult {
        at: Duration::ZERO,
        wall: SystemTime::UNIX_EPOCH,
        took: Duration::ZERO,
        interval: Duration::from_secs(1),
        info: s.info,
        whole: true,
        services: s.services.iter().map(|e| e.service.clone()).collect(),
        dests: s
            .services
            .iter()
            .map(|e| (e.service.key, e.dests.clone()))
            .collect(),
        estimator: None,
    })
}

struct Rig {
    reads: ConnReads,
    backend: FakeBackend<FakeTable>,
    clock: Arc<ManualClock>,
    /// What each entry handed over costs.
    each: Duration,
    /// Whether the backend answers `daemons` (from the table's list).
    knows_daemons: bool,
}

impl Rig {
    fn new(table: FakeTable) -> Rig {
        let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
        let backend = FakeBackend::new(table).on_clock(clock.clone());
        let mut reads = ConnReads::new(Budget::default());
        reads.note_poll(&poll_of(&mut backend.clone()));
        clock.advance(Duration::from_secs(1));
        Rig {
            reads,
            backend,
            clock,
            each: Duration::ZERO,
            knows_daemons: false,
        }
    }

    fn read(&mut self) -> Vec<ConnEvent> {
        let mut reader = Costly {
            inner: self.backend.clone(),
            clock: self.clock.clone(),
            each: self.each,
            knows_daemons: self.knows_daemons,
        };
        self.reads.read(&mut reader, self.clock.as_ref())
    }

    fn walks(&self) -> usize {
        self.backend.count(CallKind::Connections)
    }
}

fn reading(events: &[ConnEvent]) -> Option<&crate::conns::ConnReading> {
    events.iter().find_map(|e| match e {
        ConnEvent::Reading(r) => Some(r.as_ref()),
        _ => None,
    })
}

#[test]
fn with_the_view_closed_only_the_half_open_counts_are_read_every_5_s() {
    let mut rig = Rig::new(table(40));
    assert!(rig.read().is_empty(), "nothing asked, nothing read");
    assert_eq!(rig.walks(), 0);
    rig.reads.take(ConnRequest::WatchHalfOpen(true));
    let first = rig.read();
    assert_eq!(rig.walks(), 1);
    assert!(reading(&first).is_none(), "no view, no reading");
    let ConnEvent::HalfOpen(h) = &first[0] else {
        panic!("{first:?}")
    };
    assert_eq!(h.get(&http(), &rs1()), Count::Exact { value: 10 });
    rig.clock
        .advance(HALF_OPEN_EVERY - Duration::from_millis(1));
    assert!(rig.read().is_empty());
    assert_eq!(rig.walks(), 1);
    rig.clock.advance(Duration::from_millis(1));
    rig.read();
    assert_eq!(rig.walks(), 2);
    rig.reads.take(ConnRequest::WatchHalfOpen(false));
    rig.clock.advance(HALF_OPEN_EVERY);
    assert!(rig.read().is_empty());
    assert_eq!(rig.walks(), 2);
}

#[test]
fn an_open_view_is_read_after_every_poll_and_closing_stops_it() {
    let mut rig = Rig::new(table(40));
    rig.reads.take(ConnRequest::Open(Scope::service(http())));
    for _ in 0..3 {
        let events = rig.read();
        let r = reading(&events).expect("a reading");
        assert_eq!(r.sampling, Sampling::Exact);
        assert_eq!(r.total.entries(), 40);
        assert_eq!(r.dests[0].counts.states.get("SYN_RECV"), 10);
        assert_eq!(r.dests[0].counts.local, 40, "read with origin");
    }
    assert_eq!(rig.walks(), 3);
    rig.reads.take(ConnRequest::Close);
    assert!(rig.read().is_empty());
    assert_eq!(rig.walks(), 3);
}

fn daemon(role: SyncRole) -> SyncDaemon {
    SyncDaemon::new(role, Interface::new("eth1").unwrap())
}

#[test]
fn origins_are_read_only_while_a_backup_sync_daemon_runs() {
    let none: &[SyncDaemon] = &[];
    assert_eq!(source_for(Some(none)), ConnSource::Plain);
    let master = [daemon(SyncRole::Master)];
    assert_eq!(source_for(Some(&master)), ConnSource::Plain);
    let backup = [daemon(SyncRole::Backup)];
    assert_eq!(source_for(Some(&backup)), ConnSource::WithOrigin);
    let both = [daemon(SyncRole::Master), daemon(SyncRole::Backup)];
    assert_eq!(source_for(Some(&both)), ConnSource::WithOrigin);
    // Unknown: read them, never guess "none".
    assert_eq!(source_for(None), ConnSource::WithOrigin);
}

/// The table of `table(40)` with its first 4 entries received from a
/// master, and `daemons` running.
fn synced_table(daemons: Vec<SyncDaemon>) -> FakeTable {
    let mut t = table(40);
    for c in t.connections.iter_mut().take(4) {
        c.origin = Some(Origin::Sync);
    }
    t.daemons = daemons;
    t
}

#[test]
fn the_view_reads_ip_vs_conn_unless_a_backup_runs_and_says_so() {
    for (daemons, origins) in [
        (vec![], false),
        (vec![daemon(SyncRole::Master)], false),
        (vec![daemon(SyncRole::Backup)], true),
    ] {
        let mut rig = Rig::new(synced_table(daemons.clone()));
        rig.knows_daemons = true;
        rig.reads.take(ConnRequest::Open(Scope::service(http())));
        let events = rig.read();
        let r = reading(&events).expect("a reading");
        assert_eq!(r.total.entries(), 40, "{daemons:?}");
        assert_eq!(r.origins_read, origins, "{daemons:?}");
        let (local, synced) = if origins { (36, 4) } else { (0, 0) };
        assert_eq!((r.total.local, r.total.synced), (local, synced));
    }
    // A backend that cannot list its daemons reads the origins.
    let mut rig = Rig::new(synced_table(vec![]));
    rig.reads.take(ConnRequest::Open(Scope::service(http())));
    let r = reading(&rig.read()).cloned().expect("a reading");
    assert!(r.origins_read);
    assert_eq!(r.total.synced, 4);
}

#[test]
fn a_backup_started_between_refreshes_shows_origins_from_the_next() {
    let mut rig = Rig::new(synced_table(vec![]));
    rig.knows_daemons = true;
    rig.reads.take(ConnRequest::Open(Scope::service(http())));
    assert!(!reading(&rig.read()).unwrap().origins_read);
    rig.backend.inner().daemons = vec![daemon(SyncRole::Backup)];
    rig.clock.advance(Duration::from_secs(1));
    let events = rig.read();
    let r = reading(&events).unwrap();
    assert!(r.origins_read);
    assert_eq!(r.total.synced, 4);
    // An exact read takes the file the daemons call for when it starts.
    rig.backend.inner().daemons = vec![];
    rig.reads.take(ConnRequest::Exact);
    let mut exact = None;
    for _ in 0..5 {
        if let Some(r) = reading(&rig.read()).filter(|r| r.made != Made::OneGo) {
            exact = Some(r.clone());
            break;
        }
    }
    let exact = exact.expect("the exact read ended");
    assert!(!exact.origins_read);
    assert_eq!(exact.total.entries(), 40);
}

#[test]
fn a_cheap_table_is_read_whole_and_a_costly_one_by_a_prefix() {
    // 300 entries at 10 µs each: whole reads stay well inside 150 ms.
    let mut rig = Rig::new(table(300));
    rig.each = Duration::from_micros(10);
    rig.reads.take(ConnRequest::Open(Scope::service(http())));
    for _ in 0..3 {
        assert_eq!(reading(&rig.read()).unwrap().sampling, Sampling::Exact);
    }

    // The same 300 entries at 3.3 ms each (a second whole): every read is
    // a prefix cut by the budget, scaled, never shown as exact.
    let mut rig = Rig::new(table(300));
    rig.each = Duration::from_micros(3_300);
    rig.reads.take(ConnRequest::Open(Scope::service(http())));
    let budget = Budget::default();
    for _ in 0..3 {
        let events = rig.read();
        let r = reading(&events).unwrap();
        let Sampling::Sampled { read, expected } = r.sampling else {
            panic!("{:?}", r.sampling)
        };
        assert!(read < 300 && expected == 300, "{read} of {expected}");
        // Cut at the first page past twice the budget.
        assert!(
            r.took <= budget.per_refresh * 2 + rig.each * 62,
            "{:?}",
            r.took
        );
        let half_open = r.count(r.dests[0].counts.states.get("SYN_RECV"));
        assert!(!half_open.is_exact());
        assert!(
            half_open.value().abs_diff(75) <= half_open.margin(),
            "{half_open:?}"
        );
    }
}

#[test]
fn an_exact_read_is_spread_over_refreshes_with_progress() {
    let mut rig = Rig::new(table(5_000));
    // Each entry costs 100 µs: a 150 ms slice reads about 1,500.
    rig.each = Duration::from_micros(100);
    rig.reads.take(ConnRequest::Open(Scope::service(http())));
    rig.reads.take(ConnRequest::Exact);
    let mut progress = Vec::new();
    let mut done = None;
    for _ in 0..20 {
        for e in rig.read() {
            match e {
                ConnEvent::Progress(p) => progress.push(p.read),
                ConnEvent::Reading(r) => {
                    assert!(matches!(r.made, Made::Spread { .. }), "{r:?}");
                    done = Some(r);
                }
                _ => {}
            }
        }
        if done.is_some() {
            break;
        }
    }
    let done = done.expect("the exact read ended");
    assert_eq!(done.sampling, Sampling::Exact);
    assert_eq!(done.total.entries(), 5_000);
    let Made::Spread { refreshes } = done.made else {
        unreachable!()
    };
    assert!((3..=5).contains(&refreshes), "{refreshes}");
    assert_eq!(progress[0], 0);
    assert!(progress.windows(2).all(|w| w[0] < w[1]), "{progress:?}");
    // The whole read spans its refreshes: it says how long it took.
    assert!(done.took >= Duration::from_millis(450), "{:?}", done.took);
    // One walk opened for the whole exact read.
    assert_eq!(rig.walks(), 1);
}

#[test]
fn an_exact_read_can_be_cancelled() {
    let mut rig = Rig::new(table(2_000));
    rig.reads.take(ConnRequest::Open(Scope::service(http())));
    rig.reads.take(ConnRequest::Exact);
    rig.reads.take(ConnRequest::CancelExact);
    let events = rig.read();
    assert!(matches!(events[0], ConnEvent::ExactCancelled), "{events:?}");
    // The view goes on with its ordinary readings.
    assert!(reading(&events).is_some_and(|r| r.made == Made::OneGo));
}

#[test]
fn a_table_that_fails_is_reported_in_words() {
    let mut rig = Rig::new(table(40));
    rig.backend.fail(
        CallKind::Connections,
        Calls::Every,
        Error::new(
            ErrorKind::NotAvailable,
            "no IPVS connection table (/proc/net/ip_vs_conn does not exist)",
        ),
    );
    rig.reads.take(ConnRequest::Open(Scope::service(http())));
    let events = rig.read();
    let words: Vec<_> = events
        .iter()
        .map(|e| match e {
            ConnEvent::Failed { of, error, .. } => (*of, error.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(words.len(), 2);
    assert_eq!(words[0].0, ReadOf::View);
    assert_eq!(words[1].0, ReadOf::HalfOpen);
    assert!(words[0].1.contains("no IPVS connection table"));
}

/// A table whose every entry handed over costs `each` of the clock.
struct Costly {
    inner: FakeBackend<FakeTable>,
    clock: Arc<ManualClock>,
    each: Duration,
    knows_daemons: bool,
}

struct CostlyCursor {
    inner: Box<dyn ConnCursor>,
    clock: Arc<ManualClock>,
    each: Duration,
}

impl ConnCursor for CostlyCursor {
    fn resume(
        &mut self,
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        let (clock, each) = (self.clock.clone(), self.each);
        self.inner.resume(&mut |c| {
            clock.advance(each);
            visit(c)
        })
    }
}

impl Reader for Costly {
    fn info(&mut self) -> Result<Info, Error> {
        self.inner.info()
    }
    fn services(&mut self) -> Result<Vec<Service>, Error> {
        self.inner.services()
    }
    fn service(&mut self, key: &ServiceKey) -> Result<Service, Error> {
        self.inner.service(key)
    }
    fn dests(&mut self, service: &ServiceKey) -> Result<Vec<Dest>, Error> {
        self.inner.dests(service)
    }
    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        self.inner.timeouts()
    }
    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        if !self.knows_daemons {
            return Err(Error::new(ErrorKind::NotAvailable, "cannot list daemons"));
        }
        self.inner.daemons()
    }
    fn connections(
        &mut self,
        source: ConnSource,
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        let (clock, each) = (self.clock.clone(), self.each);
        self.inner.connections(source, &mut |c| {
            clock.advance(each);
            visit(c)
        })
    }
    fn open_connections(&mut self, source: ConnSource) -> Result<Box<dyn ConnCursor>, Error> {
        Ok(Box::new(CostlyCursor {
            inner: self.inner.open_connections(source)?,
            clock: self.clock.clone(),
            each: self.each,
        }))
    }
}

/// The next report about connections from the owner thread, polls counted
/// meanwhile; waits at most 10 s.
fn next_conn_report(owner: &mut super::Owner, polls: &mut usize) -> ConnEvent {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        match owner.reports.try_recv() {
            Ok(super::Report::Connections(e)) => return e,
            Ok(super::Report::Poll(_)) => *polls += 1,
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    panic!("no connection report within 10 s");
}

/// The owner thread reads connections (never the UI thread), answers an
/// opened view at once, and a failing table leaves it polling.
#[test]
fn the_owner_thread_reads_for_the_view_and_survives_a_failing_table() {
    let backend = FakeBackend::new(table(40));
    let threads = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = threads.clone();
    backend.before(CallKind::Connections, move |_, _| {
        let name = std::thread::current().name().map(str::to_string);
        seen.lock().unwrap().push(name);
    });
    let mut owner = super::Owner::spawn(
        super::Access::ReadOnly(Box::new(backend.clone())),
        Duration::from_secs(1),
        Arc::new(crate::clock::SystemClock::new()),
    );
    let mut polls = 0;
    owner.connections(ConnRequest::WatchHalfOpen(true));
    // Closed: only the half-open counts.
    assert!(matches!(
        next_conn_report(&mut owner, &mut polls),
        ConnEvent::HalfOpen(_)
    ));
    owner.connections(ConnRequest::Open(Scope::service(http())));
    let ConnEvent::Reading(r) = next_conn_report(&mut owner, &mut polls) else {
        panic!("a reading")
    };
    assert_eq!(r.total.entries(), 40);
    backend.fail(
        CallKind::Connections,
        Calls::Every,
        Error::new(
            ErrorKind::PermissionDenied,
            "cannot read the IPVS connection table",
        ),
    );
    let polls_before = polls;
    let mut failed = 0;
    while failed < 2 {
        if let ConnEvent::Failed { error, .. } = next_conn_report(&mut owner, &mut polls) {
            assert_eq!(error, "cannot read the IPVS connection table");
            failed += 1;
        }
    }
    while polls == polls_before {
        next_conn_report(&mut owner, &mut polls);
    }
    let names = threads.lock().unwrap();
    assert!(!names.is_empty());
    assert!(
        names.iter().all(|n| n.as_deref() == Some("lvstop-backend")),
        "{names:?}"
    );
}
