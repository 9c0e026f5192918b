//! A reader that survives its connection: when the netlink socket fails
//! (closed, timed out, garbled), the connection is dropped and reopened with
//! exponential backoff, and every call in between fails fast with a message
//! saying the data is stale and when the next attempt is.
//!
//! Only failures of the connection itself trigger a reopen; the kernel's
//! answers about the table (no such service, permission denied, bad value)
//! pass through untouched, because a new socket would get the same answer.

use std::sync::Arc;
use std::time::Duration;

use crate::backend::{Error, ErrorKind, Reader, Writer};
use crate::clock::Clock;
use crate::model::{
    Change, ConnSource, ConnWalk, Connection, Dest, Info, Service, ServiceKey, SyncDaemon,
    Timeouts, VsSettings,
};

/// First wait after a failure; doubled after each failed reopen.
pub const BACKOFF_START: Duration = Duration::from_millis(100);
/// Never wait longer than this between attempts.
pub const BACKOFF_CAP: Duration = Duration::from_secs(4);

type Open<R> = Box<dyn FnMut() -> Result<R, Error> + Send>;

pub struct ResilientReader<R: Reader> {
    open: Open<R>,
    current: Option<R>,
    clock: Arc<dyn Clock>,
    backoff: Duration,
    /// When (clock time) the next reopen may be tried.
    next_try: Duration,
    /// Consecutive failures: calls on a broken connection and failed reopens.
    attempts: u32,
    /// Reopens that succeeded, since creation.
    reconnects: u64,
    last_error: Option<Error>,
}

/// Does this error mean the connection (not the table) is broken?
pub fn is_connection_failure(e: &Error) -> bool {
    // Io: socket errors and timeouts. Protocol: an answer we cannot parse may
    // leave the socket mid-stream. NotAvailable: the IPVS family went away
    // (module unloaded); after a reload its family id can differ.
    matches!(
        e.kind(),
        ErrorKind::Io | ErrorKind::Protocol | ErrorKind::NotAvailable
    )
}

impl<R: Reader> ResilientReader<R> {
    /// Wrap an open reader; `open` makes a new one after a failure (for the
    /// kernel: `move || Client::open(netns.as_deref())`).
    pub fn new(
        first: R,
        open: impl FnMut() -> Result<R, Error> + Send + 'static,
        clock: Arc<dyn Clock>,
    ) -> ResilientReader<R> {
        ResilientReader {
            open: Box::new(open),
            current: Some(first),
            clock,
            backoff: BACKOFF_START,
            next_try: Duration::ZERO,
            attempts: 0,
            reconnects: 0,
            last_error: None,
        }
    }

    /// How many times the connection was reopened.
    pub fn reconnects(&self) -> u64 {
        self.reconnects
    }

    /// Whether a connection is open now.
    pub fn connected(&self) -> bool {
        self.current.is_some()
    }

    /// The reader itself (e.g. for a test hook that breaks its socket).
    pub fn inner_mut(&mut self) -> Option<&mut R> {
        self.current.as_mut()
    }

    fn stale(&self, now: Duration) -> Error {
        let wait = self.next_try.saturating_sub(now);
        let why = self
            .last_error
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_default();
        Error::new(
            ErrorKind::Io,
            format!(
                "lost the connection to the kernel ({why}); data is stale; reconnecting in {:.1} s ({} failures in a row)",
                wait.as_secs_f64(),
                self.attempts
            ),
        )
    }

    /// The open reader, reopening it when the backoff allows.
    fn reader(&mut self) -> Result<&mut R, Error> {
        if self.current.is_none() {
            let now = self.clock.now();
            if now < self.next_try {
                return Err(self.stale(now));
            }
            match (self.open)() {
                // The backoff is reset only by a call that succeeds, so a
                // connection that opens but fails at once still backs off.
                Ok(r) => {
                    self.current = Some(r);
                    self.reconnects += 1;
                }
                Err(e) => {
                    self.attempts += 1;
                    self.last_error = Some(e);
                    self.next_try = now + self.backoff;
                    self.backoff = (self.backoff * 2).min(BACKOFF_CAP);
                    return Err(self.stale(now));
                }
            }
        }
        Ok(self.current.as_mut().expect("just opened"))
    }

    fn call<T>(&mut self, f: impl FnOnce(&mut R) -> Result<T, Error>) -> Result<T, Error> {
        let result = f(self.reader()?);
        match &result {
            Err(e) if is_connection_failure(e) => {
                // Drop the broken socket. After a healthy spell the next call
                // reopens at once (a fresh socket usually just works); when
                // the last reopen did not help, wait as for a failed reopen.
                self.current = None;
                self.last_error = Some(e.clone());
                let now = self.clock.now();
                if self.attempts == 0 {
                    self.next_try = now;
                } else {
                    self.next_try = now + self.backoff;
                    self.backoff = (self.backoff * 2).min(BACKOFF_CAP);
                }
                self.attempts += 1;
            }
            Ok(_) => {
                self.attempts = 0;
                self.backoff = BACKOFF_START;
                self.last_error = None;
            }
            Err(_) => {}
        }
        result
    }
}

impl<R: Reader> Reader for ResilientReader<R> {
    fn info(&mut self) -> Result<Info, Error> {
        self.call(|r| r.info())
    }
    fn services(&mut self) -> Result<Vec<Service>, Error> {
        self.call(|r| r.services())
    }
    fn service(&mut self, key: &ServiceKey) -> Result<Service, Error> {
        self.call(|r| r.service(key))
    }
    fn dests(&mut self, service: &ServiceKey) -> Result<Vec<Dest>, Error> {
        self.call(|r| r.dests(service))
    }
    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        self.call(|r| r.timeouts())
    }
    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        self.call(|r| r.daemons())
    }
    /// The open connection's reading of `run_estimation`; unknown while
    /// reconnecting (the monitor then keeps what it knew).
    fn estimator_running(&mut self) -> Option<bool> {
        self.current.as_mut()?.estimator_running()
    }
    fn settings(&mut self) -> Result<VsSettings, Error> {
        // From /proc/sys, not the socket: a bad file leaves the connection as is.
        self.reader()?.settings()
    }
    fn connections(
        &mut self,
        source: ConnSource,
        visit: &mut dyn FnMut(Connection) -> std::ops::ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        // The table comes from a /proc file, not the socket: its failures
        // (no file, a bad header, a read error) leave the connection as is.
        self.reader()?.connections(source, visit)
    }
    fn open_connections(
        &mut self,
        source: ConnSource,
    ) -> Result<Box<dyn crate::backend::ConnCursor>, Error> {
        // As `connections`: a /proc failure leaves the socket as is.
        self.reader()?.open_connections(source)
    }
}

/// Changes go to the same connection. A change whose connection failed is
/// never resent here: it may have been applied (the journal says so), and
/// only the operator may decide to try again.
impl<R: Reader + Writer> Writer for ResilientReader<R> {
    fn apply(&mut self, change: &Change) -> Result<(), Error> {
        self.call(|r| r.apply(change))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::SystemTime;

    use super::*;
    use crate::testkit::{CallKind, Calls, FakeReader, FakeTable, ManualClock};

    /// A connection that breaks after `healthy` calls of `info`, to a
    /// table that refuses listings and has no services.
    fn flaky(healthy: u32) -> FakeReader {
        let r = FakeReader::new(FakeTable::empty());
        let broken = Error::new(ErrorKind::Io, "the netlink socket failed");
        r.fail(CallKind::Info, Calls::From(healthy as usize + 1), broken);
        let denied = Error::new(ErrorKind::PermissionDenied, "no CAP_NET_ADMIN");
        r.fail(CallKind::Services, Calls::Every, denied);
        r
    }

    /// A reader that knows the kernel's estimator is off.
    fn estimator_off() -> FakeReader {
        let r = FakeReader::new(FakeTable::empty());
        r.report_estimator(Some(false));
        r
    }

    #[test]
    fn the_estimator_reading_comes_through() {
        let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
        let mut r = ResilientReader::new(estimator_off(), || Ok(estimator_off()), clock);
        assert_eq!(r.estimator_running(), Some(false));
    }

    type Setup = (
        ResilientReader<FakeReader>,
        Arc<ManualClock>,
        Arc<AtomicU32>,
    );

    fn setup(fail_opens: u32) -> Setup {
        setup_with(fail_opens, 1)
    }

    /// `healthy`: calls each reopened connection serves before breaking.
    fn setup_with(fail_opens: u32, healthy: u32) -> Setup {
        let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
        let opens = Arc::new(AtomicU32::new(0));
        let counted = opens.clone();
        let r = ResilientReader::new(
            flaky(1),
            move || {
                let n = counted.fetch_add(1, Ordering::SeqCst);
                if n < fail_opens {
                    Err(Error::new(ErrorKind::NotAvailable, "IPVS is not available"))
                } else {
                    Ok(flaky(healthy))
                }
            },
            clock.clone(),
        );
        (r, clock, opens)
    }

    #[test]
    fn a_broken_connection_is_reopened_at_the_next_call() {
        let (mut r, _clock, opens) = setup(0);
        r.info().unwrap();
        assert!(r.info().is_err(), "the fault comes through once");
        assert!(!r.connected());
        r.info().expect("reopened");
        assert_eq!(opens.load(Ordering::SeqCst), 1);
        assert_eq!(r.reconnects(), 1);
    }

    #[test]
    fn failed_reopens_back_off_exponentially_up_to_the_cap() {
        let (mut r, clock, opens) = setup(u32::MAX);
        r.info().unwrap();
        r.info().unwrap_err();
        // Attempt times: immediately, then after 0.1, 0.2, 0.4 ... capped at 4 s.
        let mut waits = Vec::new();
        let mut last = clock.now();
        for _ in 0..400 {
            let before = opens.load(Ordering::SeqCst);
            let e = r.info().unwrap_err();
            assert!(e.to_string().contains("data is stale"), "{e}");
            if opens.load(Ordering::SeqCst) > before {
                waits.push((clock.now() - last).as_millis());
                last = clock.now();
            }
            clock.advance(Duration::from_millis(50));
        }
        assert_eq!(
            &waits[..8],
            &[0, 100, 200, 400, 800, 1600, 3200, 4000],
            "{waits:?}"
        );
        assert!(waits[8..].iter().all(|w| *w == 4000), "{waits:?}");
    }

    #[test]
    fn between_attempts_calls_fail_fast_and_say_when() {
        let (mut r, clock, opens) = setup(1);
        r.info().unwrap();
        r.info().unwrap_err();
        let e = r.info().unwrap_err(); // first reopen fails
        assert!(e.to_string().contains("IPVS is not available"), "{e}");
        assert!(e.to_string().contains("reconnecting in 0.1 s"), "{e}");
        r.info().unwrap_err(); // too early: no attempt
        assert_eq!(opens.load(Ordering::SeqCst), 1);
        clock.advance(Duration::from_millis(100));
        r.info().expect("second attempt succeeds");
        assert_eq!(r.reconnects(), 1);
    }

    #[test]
    fn connections_that_break_at_once_back_off_too() {
        let (mut r, clock, opens) = setup_with(0, 0);
        r.info().unwrap();
        r.info().unwrap_err(); // breaks: the next call reopens at once
        r.info().unwrap_err(); // reopened, broken again: now wait 0.1 s
        assert_eq!(opens.load(Ordering::SeqCst), 1);
        r.info().unwrap_err();
        assert_eq!(opens.load(Ordering::SeqCst), 1, "no reopen before 0.1 s");
        clock.advance(Duration::from_millis(100));
        r.info().unwrap_err(); // reopened, broken: now wait 0.2 s
        assert_eq!(opens.load(Ordering::SeqCst), 2);
        clock.advance(Duration::from_millis(150));
        let e = r.info().unwrap_err();
        assert_eq!(opens.load(Ordering::SeqCst), 2, "no reopen before 0.2 s");
        assert!(e.to_string().contains("data is stale"), "{e}");
        assert!(e.to_string().contains("3 failures in a row"), "{e}");
    }

    #[test]
    fn answers_about_the_table_do_not_drop_the_connection() {
        let (mut r, _clock, opens) = setup(0);
        assert_eq!(
            r.services().unwrap_err().kind(),
            ErrorKind::PermissionDenied
        );
        assert_eq!(
            r.dests(&ServiceKey::Fwmark {
                family: crate::model::Family::V4,
                mark: 1
            })
            .unwrap_err()
            .kind(),
            ErrorKind::NotFound
        );
        assert!(r.connected());
        assert_eq!(opens.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn daemons_come_through_and_an_odd_one_keeps_the_socket() {
        let (mut r, _clock, opens) = setup(0);
        let inner = r.inner_mut().expect("connected");
        let master = crate::model::SyncDaemon::new(
            crate::model::SyncRole::Master,
            crate::model::Interface::new("eth1").unwrap(),
        );
        inner.inner().daemons.push(master.clone());
        let odd = Error::new(ErrorKind::Invalid, "a sync id above 255");
        inner.fail(CallKind::Daemons, Calls::Nth(2), odd);
        assert_eq!(r.daemons().unwrap(), vec![master]);
        assert_eq!(r.daemons().unwrap_err().kind(), ErrorKind::Invalid);
        assert!(r.connected());
        assert_eq!(opens.load(Ordering::SeqCst), 0);
    }

    /// The connection table is read from /proc: an absent file, a bad
    /// header or a read error says nothing about the netlink socket, even
    /// though the same kinds from netlink would drop it.
    #[test]
    fn connection_table_failures_keep_the_socket() {
        let (mut r, _clock, opens) = setup(0);
        let kinds = [ErrorKind::NotAvailable, ErrorKind::Protocol, ErrorKind::Io];
        for (n, kind) in kinds.into_iter().enumerate() {
            let e = Error::new(kind, "the /proc file failed");
            assert!(is_connection_failure(&e), "{kind:?} drops a socket");
            let inner = r.inner_mut().expect("connected");
            inner.fail(CallKind::Connections, Calls::Nth(n + 1), e);
            let got = r.connections(crate::model::ConnSource::Plain, &mut |_| {
                std::ops::ControlFlow::Continue(())
            });
            assert_eq!(got.unwrap_err().kind(), kind);
            assert!(r.connected(), "{kind:?}");
        }
        let walk = r
            .connections(crate::model::ConnSource::Plain, &mut |_| {
                std::ops::ControlFlow::Continue(())
            })
            .expect("the next walk works");
        assert!(walk.complete);
        r.info().expect("the socket is still the first one");
        assert_eq!(opens.load(Ordering::SeqCst), 0);
        assert_eq!(r.reconnects(), 0);
    }
}
