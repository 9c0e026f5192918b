//! A backend for tests: any inner table (a `FakeTable`, the demo director)
//! behind a shared handle that records every call and can be told to fail,
//! to take time on a manual clock, or to run a hook before a call.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::ManualClock;
use crate::backend::{Error, Reader, Writer};
use crate::clock::Clock;
use crate::model::{
    Change, ConnSource, ConnWalk, Connection, Dest, Info, Service, ServiceKey, SyncDaemon,
    Timeouts, VsSettings,
};

/// One call the backend received.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    Info,
    Services,
    Service(ServiceKey),
    Dests(ServiceKey),
    Timeouts,
    Daemons,
    Estimator,
    Settings,
    Connections,
    Apply(Change),
}

/// What a call was, without its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Info,
    Services,
    Service,
    Dests,
    Timeouts,
    Daemons,
    Estimator,
    Settings,
    Connections,
    Apply,
}

const KINDS: usize = 10;

impl Call {
    pub fn kind(&self) -> CallKind {
        match self {
            Call::Info => CallKind::Info,
            Call::Services => CallKind::Services,
            Call::Service(_) => CallKind::Service,
            Call::Dests(_) => CallKind::Dests,
            Call::Timeouts => CallKind::Timeouts,
            Call::Daemons => CallKind::Daemons,
            Call::Estimator => CallKind::Estimator,
            Call::Settings => CallKind::Settings,
            Call::Connections => CallKind::Connections,
            Call::Apply(_) => CallKind::Apply,
        }
    }

    /// The service a `Service` or `Dests` call named.
    pub fn key(&self) -> Option<ServiceKey> {
        match self {
            Call::Service(k) | Call::Dests(k) => Some(*k),
            _ => None,
        }
    }
}

/// A call and the backend clock's time when it was answered (zero without
/// a clock).
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub call: Call,
    pub at: Duration,
}

/// Which calls of a kind a rule applies to, counted from 1 since the
/// backend was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calls {
    Every,
    Nth(usize),
    From(usize),
}

impl Calls {
    fn include(self, n: usize) -> bool {
        match self {
            Calls::Every => true,
            Calls::Nth(k) => n == k,
            Calls::From(k) => n >= k,
        }
    }
}

type Hook<B> = Box<dyn FnMut(&mut B, &Call) + Send>;

enum Effect<B> {
    Run(Hook<B>),
    Take(Duration),
    Fail(Error),
}

struct Rule<B> {
    /// `None`: every read (not writes).
    kind: Option<CallKind>,
    calls: Calls,
    effect: Effect<B>,
}

impl<B> Rule<B> {
    fn applies(&self, kind: CallKind, n: usize) -> bool {
        let kind_matches = match self.kind {
            Some(k) => k == kind,
            None => kind != CallKind::Apply,
        };
        kind_matches && self.calls.include(n)
    }
}

struct State<B> {
    inner: B,
    log: Vec<Recorded>,
    recording: bool,
    counts: [usize; KINDS],
    rules: Vec<Rule<B>>,
    estimator: Option<Option<bool>>,
    clock: Option<Arc<ManualClock>>,
}

/// `B` behind a shared handle: clones see the same table and log, so a
/// test keeps one while the code under test owns another.
pub struct FakeBackend<B> {
    state: Arc<Mutex<State<B>>>,
}

impl<B> Clone for FakeBackend<B> {
    fn clone(&self) -> Self {
        FakeBackend {
            state: self.state.clone(),
        }
    }
}

impl<B> FakeBackend<B> {
    pub fn new(inner: B) -> FakeBackend<B> {
        FakeBackend {
            state: Arc::new(Mutex::new(State {
                inner,
                log: Vec::new(),
                recording: true,
                counts: [0; KINDS],
                rules: Vec::new(),
                estimator: None,
                clock: None,
            })),
        }
    }

    /// Stamps each call with `clock`'s time; `latency` advances it.
    pub fn on_clock(self, clock: Arc<ManualClock>) -> Self {
        self.lock().clock = Some(clock);
        self
    }

    /// Counts calls but keeps no log: for runs that last.
    pub fn unrecorded(self) -> Self {
        self.lock().recording = false;
        self
    }

    // A hook that panics (a simulated crash) poisons the lock; the state
    // is still whole, so later looks go on.
    fn lock(&self) -> MutexGuard<'_, State<B>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The inner table, to read or change it between calls.
    pub fn inner(&self) -> impl std::ops::DerefMut<Target = B> + '_ {
        InnerGuard(self.lock())
    }

    /// The matching calls fail with `error`.
    pub fn fail(&self, kind: CallKind, calls: Calls, error: Error) {
        self.rule(Some(kind), calls, Effect::Fail(error));
    }

    /// Every read fails with `error` until `heal`.
    pub fn fail_reads(&self, error: Error) {
        self.rule(None, Calls::Every, Effect::Fail(error));
    }

    /// Drops every failure set so far.
    pub fn heal(&self) {
        self.lock()
            .rules
            .retain(|r| !matches!(r.effect, Effect::Fail(_)));
    }

    /// Each call of `kind` takes `cost` of the backend's clock.
    pub fn latency(&self, kind: CallKind, cost: Duration) {
        assert!(self.lock().clock.is_some(), "latency needs on_clock");
        self.rule(Some(kind), Calls::Every, Effect::Take(cost));
    }

    /// Runs `hook` on the inner table before each call of `kind`, in the
    /// order hooks were added.
    pub fn before(&self, kind: CallKind, hook: impl FnMut(&mut B, &Call) + Send + 'static) {
        self.rule(Some(kind), Calls::Every, Effect::Run(Box::new(hook)));
    }

    /// What `estimator_running` answers instead of the inner table.
    pub fn report_estimator(&self, running: Option<bool>) {
        self.lock().estimator = Some(running);
    }

    fn rule(&self, kind: Option<CallKind>, calls: Calls, effect: Effect<B>) {
        self.lock().rules.push(Rule {
            kind,
            calls,
            effect,
        });
    }

    /// Calls of `kind` since the backend was made (`take` does not reset it).
    pub fn count(&self, kind: CallKind) -> usize {
        self.lock().counts[kind as usize]
    }

    /// Every call still in the log.
    pub fn calls(&self) -> Vec<Recorded> {
        self.lock().log.clone()
    }

    /// Removes the calls of `kind` from the log and returns them.
    pub fn take(&self, kind: CallKind) -> Vec<Recorded> {
        let mut s = self.lock();
        let (taken, kept) = std::mem::take(&mut s.log)
            .into_iter()
            .partition(|r| r.call.kind() == kind);
        s.log = kept;
        taken
    }

    /// The services named by the logged calls of `kind`, in call order.
    pub fn keys(&self, kind: CallKind) -> Vec<ServiceKey> {
        let s = self.lock();
        let of_kind = s.log.iter().filter(|r| r.call.kind() == kind);
        of_kind.filter_map(|r| r.call.key()).collect()
    }

    /// Removes the calls of `kind` from the log; the services they named.
    pub fn take_keys(&self, kind: CallKind) -> Vec<ServiceKey> {
        let taken = self.take(kind).into_iter();
        taken.filter_map(|r| r.call.key()).collect()
    }

    /// The changes sent, in order.
    pub fn changes(&self) -> Vec<Change> {
        let s = self.lock();
        let applies = s.log.iter().filter_map(|r| match &r.call {
            Call::Apply(c) => Some(c.clone()),
            _ => None,
        });
        applies.collect()
    }

    /// Runs the rules for `call`, logs it, then answers through `answer`
    /// unless a rule failed it.
    fn call<T>(
        &self,
        call: Call,
        answer: impl FnOnce(&mut B) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut guard = self.lock();
        let s = &mut *guard;
        let kind = call.kind();
        s.counts[kind as usize] += 1;
        let n = s.counts[kind as usize];
        let mut failure = None;
        for rule in s.rules.iter_mut().filter(|r| r.applies(kind, n)) {
            match &mut rule.effect {
                Effect::Run(hook) => hook(&mut s.inner, &call),
                Effect::Take(cost) => s.clock.as_ref().expect("on_clock").advance(*cost),
                Effect::Fail(e) => {
                    failure.get_or_insert_with(|| e.clone());
                }
            }
        }
        if s.recording {
            let at = s.clock.as_ref().map(|c| c.now()).unwrap_or_default();
            s.log.push(Recorded { call, at });
        }
        match failure {
            Some(e) => Err(e),
            None => answer(&mut s.inner),
        }
    }
}

struct InnerGuard<'a, B>(MutexGuard<'a, State<B>>);

impl<B> std::ops::Deref for InnerGuard<'_, B> {
    type Target = B;
    fn deref(&self) -> &B {
        &self.0.inner
    }
}

impl<B> std::ops::DerefMut for InnerGuard<'_, B> {
    fn deref_mut(&mut self) -> &mut B {
        &mut self.0.inner
    }
}

impl<B: Reader> Reader for FakeBackend<B> {
    fn info(&mut self) -> Result<Info, Error> {
        self.call(Call::Info, |b| b.info())
    }
    fn services(&mut self) -> Result<Vec<Service>, Error> {
        self.call(Call::Services, |b| b.services())
    }
    fn service(&mut self, key: &ServiceKey) -> Result<Service, Error> {
        self.call(Call::Service(*key), |b| b.service(key))
    }
    fn dests(&mut self, service: &ServiceKey) -> Result<Vec<Dest>, Error> {
        self.call(Call::Dests(*service), |b| b.dests(service))
    }
    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        self.call(Call::Timeouts, |b| b.timeouts())
    }
    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        self.call(Call::Daemons, |b| b.daemons())
    }
    fn estimator_running(&mut self) -> Option<bool> {
        let reported = self.lock().estimator;
        let inner = self.call(Call::Estimator, |b| Ok(b.estimator_running()));
        reported.unwrap_or(inner.ok().flatten())
    }
    fn settings(&mut self) -> Result<VsSettings, Error> {
        self.call(Call::Settings, |b| b.settings())
    }
    fn connections(
        &mut self,
        source: ConnSource,
        visit: &mut dyn FnMut(Connection) -> std::ops::ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        self.call(Call::Connections, |b| b.connections(source, visit))
    }
    fn open_connections(
        &mut self,
        source: ConnSource,
    ) -> Result<Box<dyn crate::backend::ConnCursor>, Error> {
        self.call(Call::Connections, |b| b.open_connections(source))
    }
}

impl<B: Writer> Writer for FakeBackend<B> {
    fn apply(&mut self, change: &Change) -> Result<(), Error> {
        self.call(Call::Apply(change.clone()), |b| b.apply(change))
    }
}
