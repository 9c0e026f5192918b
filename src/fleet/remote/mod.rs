//! A director reached over ssh, as a `backend::Reader + Writer`: a thread per
//! director keeps the agent's latest table, so reads answer at once from
//! memory and never wait on the network; a change is sent to the agent,
//! which applies and journals it there, and its answer is awaited (bounded).
//! One slow or dead director never stalls another: each has its own thread.

mod connection;
mod status;
#[cfg(test)]
mod tests;

pub use status::{DirectorState, DirectorStatus, StatusHandle};

use std::collections::HashMap;
use std::io::Write;
use std::process::{ChildStdin, Command};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use crate::backend::{Error, ErrorKind, Reader, Writer};
use crate::fleet::protocol::{encode, Outcome, ToAgent};
use crate::fleet::DirectorName;
use crate::model::{Change, Dest, Info, Service, ServiceKey, Snapshot, Timeouts};

/// How long `apply` waits for the agent's answer.
pub const APPLY_TIMEOUT: Duration = Duration::from_secs(20);

/// Starts the agent: an ssh command, or anything speaking the protocol on
/// its stdin and stdout (tests run a fake agent).
pub type Launch = Box<dyn Fn() -> Command + Send + Sync>;

/// What a [`RemoteDirector`] is told at its start.
pub struct RemoteOptions {
    /// Journaled by the agent as who asked (`alice@laptop`).
    pub user: String,
    /// Silence longer than this ends the connection (readings come every
    /// `-d` seconds, pings every 5).
    pub silence: Duration,
    /// The longest wait between attempts to reconnect.
    pub max_backoff: Duration,
}

impl Default for RemoteOptions {
    fn default() -> RemoteOptions {
        RemoteOptions {
            user: "unknown".into(),
            silence: Duration::from_secs(20),
            max_backoff: Duration::from_secs(30),
        }
    }
}

pub struct RemoteDirector {
    name: DirectorName,
    shared: Arc<Shared>,
    user: String,
    /// Reads fail while the director is not live (the monitor then shows
    /// it stale from its polls); otherwise they return the last table.
    strict: bool,
    /// Where each service of the table last read is, made once per
    /// reading: a poll re-reads the services on screen one at a time, and
    /// each was found by a walk of the table (a copy of every service, for
    /// `service`).
    index: Option<(Arc<Snapshot>, HashMap<ServiceKey, usize>)>,
}

struct Shared {
    inner: Mutex<Inner>,
    /// Signalled on every change of state, table or answers.
    changed: Condvar,
}

struct Inner {
    table: Option<Arc<Snapshot>>,
    state: DirectorState,
    /// When a stale director is tried again.
    retry_at: Option<Instant>,
    last_reading: Option<SystemTime>,
    lag: Option<Duration>,
    /// The current agent's stdin, while connected.
    stdin: Option<ChildStdin>,
    /// The current ssh process, to end it on silence or drop.
    pid: Option<u32>,
    /// One more for each connection: an answer is awaited on its own.
    generation: u64,
    next_id: u64,
    answers: HashMap<u64, Outcome>,
    /// Whole readings taken so far: a change's answer waits for the next.
    readings: u64,
    stop: bool,
}

impl RemoteDirector {
    /// Starts connecting at once, on a thread of its own.
    pub fn connect(name: DirectorName, launch: Launch, options: RemoteOptions) -> RemoteDirector {
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                table: None,
                state: DirectorState::Connecting,
                retry_at: None,
                last_reading: None,
                lag: None,
                stdin: None,
                pid: None,
                generation: 0,
                next_id: 1,
                answers: HashMap::new(),
                readings: 0,
                stop: false,
            }),
            changed: Condvar::new(),
        });
        let user = options.user.clone();
        let (s, n) = (shared.clone(), name.clone());
        thread::Builder::new()
            .name(format!("remote {name}"))
            .spawn(move || connection::run(&n, &s, &launch, &options))
            .expect("spawn a director's thread");
        RemoteDirector {
            name,
            shared,
            user,
            strict: false,
            index: None,
        }
    }

    /// Reads fail with the reason while the director is stale, bad or
    /// connecting, instead of returning its last table: what a monitor
    /// that judges health by its polls needs.
    pub fn reads_fail_unless_live(mut self) -> RemoteDirector {
        self.strict = true;
        self
    }

    pub fn name(&self) -> &DirectorName {
        &self.name
    }

    pub fn status(&self) -> DirectorStatus {
        self.status_handle().status()
    }

    /// Its status, to be asked after the director itself has been handed
    /// over (to an editor, as a boxed backend).
    pub fn status_handle(&self) -> StatusHandle {
        StatusHandle {
            name: self.name.clone(),
            shared: self.shared.clone(),
            last: Arc::default(),
        }
    }

    /// The latest table, shared (no copy).
    pub fn table(&self) -> Option<Arc<Snapshot>> {
        self.shared.lock().table.clone()
    }

    /// Waits until the director is live with a table, or stale or bad, or
    /// `timeout` passes; returns how it stands then.
    pub fn wait_settled(&self, timeout: Duration) -> DirectorStatus {
        let inner = self.shared.lock();
        let unsettled = |i: &mut Inner| match i.state {
            DirectorState::Live { .. } => i.table.is_none(),
            DirectorState::Connecting => true,
            _ => false,
        };
        drop(
            self.shared
                .changed
                .wait_timeout_while(inner, timeout, unsettled)
                .unwrap_or_else(|e| e.into_inner()),
        );
        self.status()
    }

    fn latest(&self) -> Result<Arc<Snapshot>, Error> {
        let inner = self.shared.lock();
        let live = matches!(inner.state, DirectorState::Live { .. });
        match (&inner.table, &inner.state) {
            (Some(t), _) if live || !self.strict => Ok(t.clone()),
            (Some(_), state) => Err(Error::new(
                ErrorKind::Io,
                format!(
                    "{}: {}{}",
                    self.name,
                    state.word(),
                    state.reason().map(|r| format!(": {r}")).unwrap_or_default()
                ),
            )),
            (None, state) => Err(Error::new(
                ErrorKind::NotAvailable,
                format!(
                    "{}: no table yet ({}{})",
                    self.name,
                    state.word(),
                    state.reason().map(|r| format!(": {r}")).unwrap_or_default()
                ),
            )),
        }
    }

    /// The latest table and where `key` is in it.
    fn find(&mut self, key: &ServiceKey) -> Result<(Arc<Snapshot>, Option<usize>), Error> {
        let table = self.latest()?;
        let index = match &mut self.index {
            Some((t, index)) if Arc::ptr_eq(t, &table) => index,
            slot => {
                // Reversed, so a key listed twice (a malformed reading)
                // finds its first entry, as a walk would.
                let index = table
                    .services
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(i, e)| (e.service.key, i))
                    .collect();
                &mut slot.insert((table.clone(), index)).1
            }
        };
        let at = index.get(key).copied();
        Ok((table, at))
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for RemoteDirector {
    fn drop(&mut self) {
        let mut inner = self.shared.lock();
        inner.stop = true;
        inner.stdin = None;
        if let Some(pid) = inner.pid {
            connection::end(pid);
        }
        self.shared.changed.notify_all();
    }
}

impl Reader for RemoteDirector {
    fn info(&mut self) -> Result<Info, Error> {
        Ok(self.latest()?.info)
    }

    fn services(&mut self) -> Result<Vec<Service>, Error> {
        Ok(self
            .latest()?
            .services
            .iter()
            .map(|e| e.service.clone())
            .collect())
    }

    fn service(&mut self, key: &ServiceKey) -> Result<Service, Error> {
        match self.find(key)? {
            (table, Some(i)) => Ok(table.services[i].service.clone()),
            (_, None) => Err(Error::new(
                ErrorKind::NotFound,
                format!("{key}: no longer exists"),
            )),
        }
    }

    fn dests(&mut self, service: &ServiceKey) -> Result<Vec<Dest>, Error> {
        let (table, at) = self.find(service)?;
        at.map(|i| table.services[i].dests.clone()).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("{service}: not in {}'s table", self.name),
            )
        })
    }

    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        Err(Error::new(
            ErrorKind::NotAvailable,
            format!(
                "{}: the agent protocol does not carry the timeouts",
                self.name
            ),
        ))
    }

    fn snapshot(&mut self) -> Result<Snapshot, Error> {
        Ok((*self.latest()?).clone())
    }
}

impl Writer for RemoteDirector {
    /// Sends the change to the agent, which journals and applies it there,
    /// and waits up to [`APPLY_TIMEOUT`] for its answer.
    fn apply(&mut self, change: &Change) -> Result<(), Error> {
        let mut inner = self.shared.lock();
        let not_sent = |why: String| {
            Error::new(
                ErrorKind::Io,
                format!("{}: {why}; the change was not sent", self.name),
            )
        };
        if !matches!(inner.state, DirectorState::Live { .. }) {
            let state = &inner.state;
            return Err(not_sent(format!(
                "{}{}",
                state.word(),
                state
                    .reason()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            )));
        }
        let id = inner.next_id;
        inner.next_id += 1;
        let generation = inner.generation;
        let mut line = encode(&ToAgent::Apply {
            id,
            change: change.clone(),
            user: self.user.clone(),
        });
        line.push('\n');
        let Some(stdin) = inner.stdin.as_mut() else {
            return Err(not_sent("not connected".into()));
        };
        if let Err(e) = stdin.write_all(line.as_bytes()).and_then(|_| stdin.flush()) {
            return Err(not_sent(format!("writing to ssh failed: {}", e.kind())));
        }
        let deadline = Instant::now() + APPLY_TIMEOUT;
        loop {
            if let Some(outcome) = inner.answers.remove(&id) {
                return if outcome.ok {
                    // The agent reads its table right after a change: wait
                    // (briefly) for that reading, so a read-back sees it.
                    let seen = inner.readings;
                    let unread = |i: &mut Inner| i.readings == seen && i.generation == generation;
                    drop(
                        self.shared
                            .changed
                            .wait_timeout_while(inner, Duration::from_secs(5), unread)
                            .unwrap_or_else(|e| e.into_inner()),
                    );
                    Ok(())
                } else {
                    Err(Error::new(
                        ErrorKind::Invalid,
                        format!("{}: {}", self.name, outcome.message),
                    ))
                };
            }
            let unknown = |why: &str| {
                Error::new(
                    ErrorKind::Io,
                    format!(
                        "{}: {why}: the change may or may not have been applied; its journal there says",
                        self.name
                    ),
                )
            };
            if inner.generation != generation || inner.stop {
                return Err(unknown("the connection ended before the answer"));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(unknown(&format!(
                    "no answer within {} s",
                    APPLY_TIMEOUT.as_secs()
                )));
            }
            inner = self
                .shared
                .changed
                .wait_timeout(inner, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}
