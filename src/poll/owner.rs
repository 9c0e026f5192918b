//! The one thread that owns the backend: it polls, and in read-write mode
//! it also carries out the editing UI's requests through the [`Editor`],
//! sending every answer back as a report. The UI never touches the backend;
//! it talks to the thread through [`Owner`] only, in typed messages.
//!
//! Read-only is a matter of types here: [`Access::ReadOnly`] holds a
//! `Reader`, its thread takes no requests, and no code path from it reaches
//! a `Writer`.

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime};

use crate::app::editing::Request;
use crate::app::replay::CursorMove;
use crate::backend::{Backend, Reader};
use crate::clock::Clock;
use crate::conns::{ConnRequest, Scope};
use crate::edit::Editor;
use crate::model::ServiceKey;
use crate::record::Recording;

use super::messages::{Command, Report};
use super::owner_loop::{read_only, read_write, Inbox};
use super::record_tap::RecordTap;
use super::replay_loop::replay;

/// What the monitor may do to the table.
// One per process, moved once into the owner thread: boxing the editor
// would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Access {
    /// Monitoring only: a reader, no writer anywhere.
    ReadOnly(Box<dyn Reader>),
    /// Changes through the journaling editor.
    ReadWrite(Editor<Box<dyn Backend>>),
    /// A recording played back: no table at all, no writer anywhere.
    Replay(Replay),
}

/// What a replay owner plays.
pub struct Replay {
    pub recording: Recording,
    /// Its path: the journal's lines are scanned from a second opening.
    pub path: PathBuf,
    /// Where the cursor starts (None: the recording's first tick).
    pub start: Option<SystemTime>,
    /// How far back a jump rebuilds the history (the sparklines' window).
    pub history: Duration,
}

/// Handle to the owner thread.
pub struct Owner {
    pub reports: tokio::sync::mpsc::UnboundedReceiver<Report>,
    commands: mpsc::Sender<Command>,
    /// The watch list last sent, so an unchanged one is not sent again.
    watching: Vec<ServiceKey>,
    /// Only read-write owners take requests.
    writable: bool,
    /// The connections view's scope last sent (None: closed).
    conn_scope: Option<Scope>,
    handle: Option<thread::JoinHandle<()>>,
}

impl Owner {
    /// Starts the owner thread: polls every `delay`, and between polls
    /// (read-write only) does what is asked, polling again right after a
    /// change so the table shows it.
    pub fn spawn(access: Access, delay: Duration, clock: Arc<dyn Clock>) -> Owner {
        Self::spawn_recording(access, delay, clock, None)
    }

    /// As `spawn`, each poll, connection summary and journal line also
    /// handed to `record` (`--record`).
    pub fn spawn_recording(
        access: Access,
        delay: Duration,
        clock: Arc<dyn Clock>,
        record: Option<RecordTap>,
    ) -> Owner {
        let (tx, reports) = tokio::sync::mpsc::unbounded_channel();
        let (commands, rx) = mpsc::channel::<Command>();
        let writable = matches!(access, Access::ReadWrite(_));
        let inbox = Inbox::new(rx);
        let handle = thread::Builder::new()
            .name("lvstop-backend".into())
            .spawn(move || match access {
                Access::ReadOnly(reader) => read_only(reader, inbox, tx, delay, clock, record),
                Access::ReadWrite(editor) => read_write(editor, inbox, tx, delay, clock, record),
                Access::Replay(r) => replay(r, inbox, tx),
            })
            .expect("spawn the backend thread");
        Owner {
            reports,
            commands,
            watching: Vec::new(),
            writable,
            conn_scope: None,
            handle: Some(handle),
        }
    }

    /// The services the UI watches now; each poll reads the latest list
    /// sent before it began.
    pub fn watch(&mut self, services: Vec<ServiceKey>) {
        if services != self.watching {
            self.watching = services.clone();
            let _ = self.commands.send(Command::Watch(services));
        }
    }

    /// What the connections view asks: to open, move or close its reading,
    /// or an exact read. Opening the scope already open sends nothing.
    pub fn connections(&mut self, request: ConnRequest) {
        if let ConnRequest::Open(scope) = &request {
            if self.conn_scope.as_ref() == Some(scope) {
                return;
            }
            self.conn_scope = Some(scope.clone());
        }
        if request == ConnRequest::Close {
            self.conn_scope = None;
        }
        let _ = self.commands.send(Command::Connections(request));
    }

    /// Asks for a reading of the kernel's settings now (the panel opened).
    pub fn read_settings(&self) {
        let _ = self.commands.send(Command::ReadSettings);
    }

    /// Moves a replay's time cursor (a live owner ignores it).
    pub fn cursor(&self, to: CursorMove) {
        let _ = self.commands.send(Command::Cursor(to));
    }

    /// Queues a request; false if this owner is read-only (nothing sent).
    pub fn request(&self, request: Request) -> bool {
        self.writable && self.commands.send(Command::Do(request)).is_ok()
    }
}

impl Drop for Owner {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Stop);
        // A command in progress (a slow netlink dump) finishes on its own;
        // do not hold the terminal restore hostage to it.
        if let Some(h) = self.handle.take() {
            if h.is_finished() {
                let _ = h.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::app::Event;
    use crate::clock::SystemClock;
    use crate::testkit::{FakeReader, FakeTable};

    /// The next poll's real-server reads, waiting for it at most 10 s.
    fn next_poll(owner: &mut Owner) -> Vec<ServiceKey> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            match owner.reports.try_recv() {
                Ok(Report::Poll(Event::Polled(p))) => {
                    return p.dests.into_iter().map(|(k, _)| k).collect()
                }
                // The timeouts, read every few seconds beside the polls.
                Ok(Report::Director(_)) => {}
                // The kernel settings, read every 5 s beside the polls.
                Ok(Report::Settings(_)) => {}
                Ok(other) => panic!("{other:?}"),
                Err(_) => thread::sleep(Duration::from_millis(5)),
            }
        }
        panic!("no poll within 10 s");
    }

    /// Drops the polls reported so far and the one under way: the next
    /// poll reported began after this call.
    fn since_now(owner: &mut Owner) {
        while owner.reports.try_recv().is_ok() {}
        next_poll(owner);
    }

    /// The watch list goes to the thread as a message: the polls after it
    /// read the services it names first, and a new list replaces it.
    #[test]
    fn the_owner_thread_reads_first_what_the_ui_watches() {
        let table = FakeTable::many(3000);
        let (a, b) = (table.services[2500].0.key, table.services[7].0.key);
        let reader = Box::new(FakeReader::new(table));
        let delay = Duration::from_millis(20);
        let mut owner = Owner::spawn(
            Access::ReadOnly(reader),
            delay,
            Arc::new(SystemClock::new()),
        );
        // Start-up reads the never-read services, 2,000 a poll at most.
        next_poll(&mut owner);
        next_poll(&mut owner);
        owner.watch(vec![a]);
        since_now(&mut owner);
        for _ in 0..3 {
            assert_eq!(next_poll(&mut owner)[0], a);
        }
        owner.watch(vec![b, a]);
        since_now(&mut owner);
        for _ in 0..3 {
            assert_eq!(next_poll(&mut owner)[..2], [b, a]);
        }
        assert!(!owner.request(crate::app::editing::Request::Undo { of: "1".into() }));
    }
}
