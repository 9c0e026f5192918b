//! The owner thread's loop: poll, report, then wait out the rest of the
//! interval, taking the UI's messages as they come.

use std::collections::VecDeque;
use std::sync::mpsc::{self, RecvTimeoutError, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::app::editing::{Reply, Request};
use crate::app::replay::CursorMove;
use crate::backend::{Backend, Reader};
use crate::clock::Clock;
use crate::conns::{Budget, ConnRequest};
use crate::edit::Editor;
use crate::model::{Change, ServiceKey};

use super::carry_out::{carry_out, undo_next};
use super::conn_reads::ConnReads;
use super::director_reads::DirectorReads;
use super::journal_pane::journal_lines;
use super::messages::{Command, Report};
use super::record_tap::RecordTap;
use super::settings_reads::SettingsReads;
use super::Poller;

type Reports = tokio::sync::mpsc::UnboundedSender<Report>;

/// The UI's messages as the loop consumes them: the latest watch list, and
/// requests in the order they came.
pub(super) struct Inbox {
    rx: mpsc::Receiver<Command>,
    watched: Vec<ServiceKey>,
    requests: VecDeque<Request>,
    /// The connections view's requests, for the next connection reads.
    conns: Vec<ConnRequest>,
    /// The kernel's settings: when they are due.
    settings: SettingsReads,
    /// A replay's cursor moves, in the order they came.
    moves: VecDeque<CursorMove>,
}

/// Why a replay's wait ended.
pub(super) enum CursorWake {
    /// The next tick is due.
    Elapsed,
    Move(CursorMove),
    /// The view asked for what a recording does not hold: connection
    /// reads, the kernel's settings (true).
    Unrecorded(Vec<ConnRequest>, bool),
    Stop,
}

/// Why a wait ended.
enum Wake {
    /// The interval is over: time to poll.
    Elapsed,
    Request(Request),
    /// The connections view asked for something, or the settings panel
    /// for a reading: read it now, not a poll later.
    Connections,
    /// The UI asked the thread to stop, or is gone.
    Stop,
}

impl Inbox {
    pub(super) fn new(rx: mpsc::Receiver<Command>) -> Inbox {
        Inbox {
            rx,
            watched: Vec::new(),
            requests: VecDeque::new(),
            conns: Vec::new(),
            settings: SettingsReads::default(),
            moves: VecDeque::new(),
        }
    }

    /// A replay's wait: until `deadline` (forever if None), the next
    /// cursor move or a question the recording cannot answer. Change
    /// requests are dropped (a replay owner takes none).
    pub(super) fn wait_move(&mut self, deadline: Option<Instant>) -> CursorWake {
        loop {
            self.requests.clear();
            if !self.conns.is_empty() || self.settings.asked() {
                let conns = std::mem::take(&mut self.conns);
                return CursorWake::Unrecorded(conns, self.settings.take_asked());
            }
            if let Some(m) = self.moves.pop_front() {
                return CursorWake::Move(m);
            }
            let command = match deadline {
                Some(d) => match self
                    .rx
                    .recv_timeout(d.saturating_duration_since(Instant::now()))
                {
                    Ok(c) => c,
                    Err(RecvTimeoutError::Timeout) => return CursorWake::Elapsed,
                    Err(RecvTimeoutError::Disconnected) => return CursorWake::Stop,
                },
                None => match self.rx.recv() {
                    Ok(c) => c,
                    Err(_) => return CursorWake::Stop,
                },
            };
            if !self.take(command) {
                return CursorWake::Stop;
            }
        }
    }

    /// Takes what came, without waiting: a poll reads the latest watch list
    /// sent before it began. False if the thread is to stop.
    fn take_queued(&mut self) -> bool {
        loop {
            match self.rx.try_recv() {
                Ok(command) => {
                    if !self.take(command) {
                        return false;
                    }
                }
                Err(TryRecvError::Empty) => return true,
                Err(TryRecvError::Disconnected) => return false,
            }
        }
    }

    /// Waits until `deadline` or the next request, whichever comes first,
    /// taking watch lists meanwhile.
    fn wait(&mut self, deadline: Instant) -> Wake {
        loop {
            if let Some(request) = self.requests.pop_front() {
                return Wake::Request(request);
            }
            if !self.conns.is_empty() || self.settings.asked() {
                return Wake::Connections;
            }
            let wait = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(wait) {
                Ok(command) => {
                    if !self.take(command) {
                        return Wake::Stop;
                    }
                }
                Err(RecvTimeoutError::Timeout) => return Wake::Elapsed,
                Err(RecvTimeoutError::Disconnected) => return Wake::Stop,
            }
        }
    }

    fn take(&mut self, command: Command) -> bool {
        match command {
            Command::Watch(services) => self.watched = services,
            Command::Do(request) => self.requests.push_back(request),
            Command::Connections(request) => self.conns.push(request),
            Command::ReadSettings => self.settings.ask(),
            Command::Cursor(m) => self.moves.push_back(m),
            Command::Stop => return false,
        }
        true
    }
}

/// Hands the view's requests to the connection reads, does the reads due
/// (the kernel's settings too) and reports them; false if the UI is gone.
fn read_connections(
    reads: &mut ConnReads,
    inbox: &mut Inbox,
    reader: &mut dyn Reader,
    clock: &dyn Clock,
    tx: &Reports,
    tap: Option<&RecordTap>,
) -> bool {
    for request in inbox.conns.drain(..) {
        reads.take(request);
    }
    if let Some(reading) = inbox.settings.read_if_due(reader, clock) {
        if tx.send(Report::Settings(Box::new(reading))).is_err() {
            return false;
        }
    }
    reads.read(reader, clock).into_iter().all(|e| {
        if let Some(tap) = tap {
            tap.connections(&e);
        }
        tx.send(Report::Connections(e)).is_ok()
    })
}

/// Reads the timeouts and sync daemons when due and reports them; false
/// if the UI is gone.
fn read_director(
    reads: &mut DirectorReads,
    reader: &mut dyn Reader,
    clock: &dyn Clock,
    tx: &Reports,
) -> bool {
    match reads.read(reader, clock) {
        Some(reading) => tx.send(Report::Director(reading)).is_ok(),
        None => true,
    }
}

/// Whether a request may change the timeouts or the sync daemons: their
/// reading is then taken again at once. An undo may take back any change.
fn touches_director(request: &Request) -> bool {
    match request {
        Request::Apply(change) => matches!(
            change,
            Change::SetTimeouts(_) | Change::StartDaemon(_) | Change::StopDaemon(_)
        ),
        Request::Undo { .. } => true,
        _ => false,
    }
}

/// How long after a poll that began at `start` the next one is due: what is
/// left of the delay, in real time.
fn next_poll(clock: &dyn Clock, start: Duration, delay: Duration) -> Instant {
    Instant::now() + delay.saturating_sub(clock.now().saturating_sub(start))
}

pub(super) fn read_only(
    mut reader: Box<dyn Reader>,
    mut inbox: Inbox,
    tx: Reports,
    delay: Duration,
    clock: Arc<dyn Clock>,
    tap: Option<RecordTap>,
) {
    let tap = tap.as_ref();
    let mut poller = Poller::new();
    let mut conns = ConnReads::new(Budget::default());
    let mut director = DirectorReads::new();
    loop {
        if !inbox.take_queued() {
            return;
        }
        let start = clock.now();
        let event = poller.poll(reader.as_mut(), &inbox.watched, delay, clock.as_ref());
        conns.note_poll(&event);
        if let Some(tap) = tap {
            tap.poll(&event);
        }
        if tx.send(Report::Poll(event)).is_err() {
            return;
        }
        if !read_director(&mut director, reader.as_mut(), clock.as_ref(), &tx) {
            return;
        }
        if !read_connections(
            &mut conns,
            &mut inbox,
            reader.as_mut(),
            clock.as_ref(),
            &tx,
            tap,
        ) {
            return;
        }
        let deadline = next_poll(clock.as_ref(), start, delay);
        loop {
            match inbox.wait(deadline) {
                Wake::Elapsed => break,
                // No request can be carried out here: there is no writer.
                Wake::Request(_) => continue,
                Wake::Connections => {
                    let reader = reader.as_mut();
                    if !read_connections(&mut conns, &mut inbox, reader, clock.as_ref(), &tx, tap) {
                        return;
                    }
                }
                Wake::Stop => return,
            }
        }
    }
}

pub(super) fn read_write(
    mut editor: Editor<Box<dyn Backend>>,
    mut inbox: Inbox,
    tx: Reports,
    delay: Duration,
    clock: Arc<dyn Clock>,
    tap: Option<RecordTap>,
) {
    if let Some(tap) = &tap {
        editor.set_journal_tap(tap.journal_tap(clock.clone()));
    }
    let tap = tap.as_ref();
    let mut poller = Poller::new();
    let mut conns = ConnReads::new(Budget::default());
    let mut director = DirectorReads::new();
    let disabled = editor.changes_disabled().map(|e| e.to_string());
    let _ = tx.send(Report::Disabled(disabled));
    let _ = tx.send(Report::Journal(journal_lines(&editor)));
    let _ = tx.send(Report::Undo(undo_next(&editor)));
    let _ = tx.send(Report::DrainsLeftOpen(editor.open_drains()));
    loop {
        if !inbox.take_queued() {
            return;
        }
        let start = clock.now();
        let event = poller.poll(editor.backend_mut(), &inbox.watched, delay, clock.as_ref());
        conns.note_poll(&event);
        if let Some(tap) = tap {
            tap.poll(&event);
        }
        if tx.send(Report::Poll(event)).is_err() {
            return;
        }
        if !read_director(&mut director, editor.backend_mut(), clock.as_ref(), &tx) {
            return;
        }
        let backend = editor.backend_mut();
        if !read_connections(&mut conns, &mut inbox, backend, clock.as_ref(), &tx, tap) {
            return;
        }
        let deadline = next_poll(clock.as_ref(), start, delay);
        let mut wake = inbox.wait(deadline);
        while let Wake::Connections = wake {
            let backend = editor.backend_mut();
            if !read_connections(&mut conns, &mut inbox, backend, clock.as_ref(), &tx, tap) {
                return;
            }
            wake = inbox.wait(deadline);
        }
        match wake {
            Wake::Elapsed | Wake::Connections => {}
            Wake::Request(request) => {
                if touches_director(&request) {
                    director.soon();
                }
                let result = carry_out(&mut editor, &request);
                let reply = Reply { request, result };
                let disabled = editor.changes_disabled().map(|e| e.to_string());
                let sent = tx.send(Report::Edit(reply)).is_ok()
                    && tx.send(Report::Disabled(disabled)).is_ok()
                    && tx.send(Report::Journal(journal_lines(&editor))).is_ok()
                    && tx.send(Report::Undo(undo_next(&editor))).is_ok();
                if !sent {
                    return;
                }
                // Poll at once, the table listed whole, so it shows the
                // change (a new or deleted service too).
                poller.relist();
            }
            Wake::Stop => return,
        }
    }
}
