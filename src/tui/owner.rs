//! The one thread that owns the backend: it polls, and in read-write mode
//! it also carries out the editing UI's requests through the [`Editor`],
//! sending every answer back as a report. The UI never touches the backend.
//!
//! Read-only is a matter of types here: [`Access::ReadOnly`] holds a
//! `Reader`, its thread gets no request channel, and no code path from it
//! reaches a `Writer`.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::app::editing::{Reply, Request};
use crate::app::Event;
use crate::backend::{Backend, Reader};
use crate::clock::Clock;
use crate::edit::{Applied, Editor};
use crate::journal::{Journal, Outcome};
use crate::model::{Change, ServiceKey};
use crate::rules;

/// What the monitor may do to the table.
// One per process, moved once into the owner thread: boxing the editor
// would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Access {
    /// Monitoring only: a reader, no writer anywhere.
    ReadOnly(Box<dyn Reader>),
    /// Changes through the journaling editor.
    ReadWrite(Editor<Box<dyn Backend>>),
}

/// Journal entries the pane keeps.
pub const JOURNAL_PANE_ENTRIES: usize = 200;

/// What the owner thread sends the UI.
#[derive(Debug, Clone)]
pub enum Report {
    Poll(Event),
    Edit(Reply),
    /// The journal's latest entries, one line each.
    Journal(Vec<String>),
    /// Why changes are refused right now (an unwritable journal), or None.
    Disabled(Option<String>),
}

enum Command {
    Stop,
    Do(Request),
}

/// Handle to the owner thread.
pub struct Owner {
    pub reports: tokio::sync::mpsc::UnboundedReceiver<Report>,
    /// Services the UI currently watches; read by the thread at each poll.
    pub watched: Arc<Mutex<Vec<ServiceKey>>>,
    commands: mpsc::Sender<Command>,
    /// Only read-write owners take requests.
    writable: bool,
    handle: Option<thread::JoinHandle<()>>,
}

impl Owner {
    /// Starts the owner thread: polls every `delay`, and between polls
    /// (read-write only) does what is asked, polling again right after a
    /// change so the table shows it.
    pub fn spawn(access: Access, delay: Duration, clock: Arc<dyn Clock>) -> Owner {
        let (tx, reports) = tokio::sync::mpsc::unbounded_channel();
        let (commands, rx) = mpsc::channel::<Command>();
        let watched = Arc::new(Mutex::new(Vec::new()));
        let shared = watched.clone();
        let writable = matches!(access, Access::ReadWrite(_));
        let handle = thread::Builder::new()
            .name("lvstop-backend".into())
            .spawn(move || match access {
                Access::ReadOnly(reader) => read_only(reader, rx, tx, shared, delay, clock),
                Access::ReadWrite(editor) => read_write(editor, rx, tx, shared, delay, clock),
            })
            .expect("spawn the backend thread");
        Owner {
            reports,
            watched,
            commands,
            writable,
            handle: Some(handle),
        }
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

fn read_only(
    mut reader: Box<dyn Reader>,
    rx: mpsc::Receiver<Command>,
    tx: tokio::sync::mpsc::UnboundedSender<Report>,
    watched: Arc<Mutex<Vec<ServiceKey>>>,
    delay: Duration,
    clock: Arc<dyn Clock>,
) {
    let mut poller = crate::poll::Poller::new();
    loop {
        let start = clock.now();
        let keys = watched.lock().map(|k| k.clone()).unwrap_or_default();
        let event = poller.poll(reader.as_mut(), &keys, delay, clock.as_ref());
        if tx.send(Report::Poll(event)).is_err() {
            return;
        }
        let wait = delay.saturating_sub(clock.now().saturating_sub(start));
        loop {
            match rx.recv_timeout(wait) {
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                // No request can be carried out here: there is no writer.
                Ok(Command::Do(_)) => continue,
                _ => return,
            }
        }
    }
}

fn read_write(
    mut editor: Editor<Box<dyn Backend>>,
    rx: mpsc::Receiver<Command>,
    tx: tokio::sync::mpsc::UnboundedSender<Report>,
    watched: Arc<Mutex<Vec<ServiceKey>>>,
    delay: Duration,
    clock: Arc<dyn Clock>,
) {
    let mut poller = crate::poll::Poller::new();
    let disabled = editor.changes_disabled().map(|e| e.to_string());
    let _ = tx.send(Report::Disabled(disabled));
    let _ = tx.send(Report::Journal(journal_lines(&editor)));
    loop {
        let start = clock.now();
        let keys = watched.lock().map(|k| k.clone()).unwrap_or_default();
        let event = poller.poll(editor.backend_mut(), &keys, delay, clock.as_ref());
        if tx.send(Report::Poll(event)).is_err() {
            return;
        }
        let wait = delay.saturating_sub(clock.now().saturating_sub(start));
        match rx.recv_timeout(wait) {
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Ok(Command::Do(request)) => {
                let result = carry_out(&mut editor, &request);
                let reply = Reply { request, result };
                let disabled = editor.changes_disabled().map(|e| e.to_string());
                let sent = tx.send(Report::Edit(reply)).is_ok()
                    && tx.send(Report::Disabled(disabled)).is_ok()
                    && tx.send(Report::Journal(journal_lines(&editor))).is_ok();
                if !sent {
                    return;
                }
                // Poll at once, the table listed whole, so it shows the
                // change (a new or deleted service too).
                poller.relist();
            }
            _ => return,
        }
    }
}

/// One request through the editor: what was done, or why not, in words.
pub fn carry_out(
    editor: &mut Editor<Box<dyn Backend>>,
    request: &Request,
) -> Result<String, String> {
    let done = |a: Applied| format!("applied: {}", rules::command_line(&a.change));
    let weight = |a: Applied| match &a.change {
        Change::EditDest { dest, .. } => format!(
            "weight of {} is now {}: {}",
            crate::output::addr_port(&dest.addr, dest.port),
            dest.weight,
            rules::command_line(&a.change)
        ),
        _ => done(a),
    };
    let error = |e: crate::edit::Error| e.to_string();
    match request {
        Request::Apply(change) => editor.apply(change.clone()).map(done).map_err(error),
        Request::Nudge(w) => editor.nudge(w).map(weight).map_err(error),
        Request::SetWeight {
            service,
            dest,
            weight: w,
        } => editor
            .set_weight(service, dest, |_| *w)
            .map(weight)
            .map_err(error),
        Request::Drain { service, dest } => editor
            .toggle_drain(service, dest)
            .map(weight)
            .map_err(error),
        Request::Undo => editor
            .undo()
            .map(|u| {
                let lines: Vec<String> = u
                    .applied
                    .iter()
                    .map(|a| rules::command_line(&a.change))
                    .collect();
                format!("undone: {}", lines.join("; "))
            })
            .map_err(error),
    }
}

/// The journal's latest entries as the pane shows them:
/// `21:03:04 root applied (undo): ipvsadm -e -t ...`.
pub fn journal_lines<B: Backend>(editor: &Editor<B>) -> Vec<String> {
    let Ok(read) = Journal::read_all(editor.journal_path()) else {
        return Vec::new();
    };
    let skip = read.entries.len().saturating_sub(JOURNAL_PANE_ENTRIES);
    read.entries[skip..]
        .iter()
        .map(|e| {
            let r = e.record();
            let time = r.time.get(11..19).unwrap_or(&r.time);
            let outcome = match e.outcome() {
                Outcome::Applied => "applied".to_string(),
                Outcome::Refused { message, .. } => format!("REFUSED ({message})"),
                Outcome::MayHaveBeenApplied => "UNKNOWN (no result recorded)".to_string(),
            };
            let undo = if r.undo_of.is_some() { " (undo)" } else { "" };
            format!(
                "{time} {} {outcome}{undo}: ipvsadm {}",
                r.user
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("uid {}", r.user.uid)),
                r.ipvsadm
            )
        })
        .collect()
}
