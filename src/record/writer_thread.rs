//! The recorder on a thread of its own behind a bounded queue, so a slow
//! or failing disk never holds up a poll: when the queue is full or a write
//! fails, the recording stops (the monitor keeps running) and says why.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use super::table_part::{TableMerge, TablePart};
use super::{Entry, Recorder};

/// Entries waiting for the writer before the recording is dropped: a few
/// polls' worth, so a disk stalled for longer stops the recording.
pub const QUEUE: usize = 16;

enum Message {
    Entry(Entry),
    /// A poll's reading, merged into the table on the writer's side.
    Part(TablePart),
    /// Write what is gathered and end, whatever senders remain.
    Close,
}

pub struct RecordThread;

/// Hands entries to the writer; clones share the one recording.
#[derive(Clone)]
pub struct RecordSender {
    tx: SyncSender<Message>,
    state: Arc<State>,
}

impl std::fmt::Debug for RecordSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecordSender(stopped: {:?})", self.stopped())
    }
}

#[derive(Default)]
struct State {
    /// Set once the recording stopped: nothing more is queued.
    off: AtomicBool,
    why: Mutex<Option<String>>,
    /// Set by the writer thread as it ends, the file closed (or failed).
    ended: Mutex<bool>,
    ended_now: Condvar,
}

impl State {
    fn stop(&self, why: String) {
        self.off.store(true, Ordering::SeqCst);
        self.why
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(why);
    }

    fn why(&self) -> Option<String> {
        self.why.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn end(&self) {
        *self.ended.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.ended_now.notify_all();
    }

    /// Waits until the writer thread has ended, or `deadline`; true if it has.
    fn wait_ended(&self, deadline: Instant) -> bool {
        let mut ended = self.ended.lock().unwrap_or_else(|p| p.into_inner());
        while !*ended {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            ended = match self.ended_now.wait_timeout(ended, left) {
                Ok((guard, _)) => guard,
                Err(p) => p.into_inner().0,
            };
        }
        true
    }
}

/// The recording's owner: sends, knows why it stopped, finishes it.
pub struct RecordHandle {
    sender: Option<RecordSender>,
    state: Arc<State>,
    thread: Option<JoinHandle<()>>,
}

impl RecordThread {
    /// Starts the writer thread over `recorder`.
    pub fn spawn(recorder: Recorder) -> RecordHandle {
        Self::spawn_with_queue(recorder, QUEUE)
    }

    pub fn spawn_with_queue(recorder: Recorder, queue: usize) -> RecordHandle {
        let (tx, rx) = sync_channel::<Message>(queue);
        let state = Arc::new(State::default());
        let status = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("lvstop-record".into())
            .spawn(move || {
                write_until_closed(recorder, rx, &status);
                status.end();
            })
            .expect("spawning the recording thread");
        RecordHandle {
            sender: Some(RecordSender {
                tx,
                state: Arc::clone(&state),
            }),
            state,
            thread: Some(thread),
        }
    }
}

/// Writes each message until `Close` or a failed write, then closes the file.
fn write_until_closed(
    mut recorder: Recorder,
    rx: std::sync::mpsc::Receiver<Message>,
    status: &State,
) {
    let mut table = TableMerge::default();
    for message in rx.iter() {
        let written = match message {
            Message::Entry(e) => recorder.append(&e),
            Message::Part(part) => {
                table.with_tick(part, |tick, hint| recorder.append_hinted(tick, hint))
            }
            Message::Close => break,
        };
        if let Err(e) = written {
            status.stop(e.to_string());
            return; // dropping the receiver refuses what follows
        }
    }
    if let Err(e) = recorder.close() {
        status.stop(e.to_string());
    }
}

impl RecordSender {
    /// Hands an entry to the writer without waiting. False once the
    /// recording has stopped (the handle's `stopped` says why).
    pub fn send(&self, entry: Entry) -> bool {
        self.queue(Message::Entry(entry))
    }

    /// Hands a poll's reading over, without waiting.
    pub fn send_part(&self, part: TablePart) -> bool {
        self.queue(Message::Part(part))
    }

    pub fn is_recording(&self) -> bool {
        !self.state.off.load(Ordering::SeqCst)
    }

    /// Why the recording stopped; None while it runs.
    pub fn stopped(&self) -> Option<String> {
        self.state.why()
    }

    /// Ends the recording from a thread that does not own it (a signal's
    /// exit path, where the owner's `finish` never runs): a gap saying why,
    /// then what is queued written and the file closed, waiting at most
    /// `limit`. True if the file was closed in time.
    pub fn close_within(&self, wall: SystemTime, reason: String, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut message = Message::Entry(Entry::Gap { wall, reason });
        let mut closing = false;
        loop {
            match self.tx.try_send(message) {
                Ok(()) if closing => break,
                Ok(()) => {
                    closing = true;
                    message = Message::Close;
                }
                Err(TrySendError::Full(m)) if Instant::now() < deadline => {
                    message = m;
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(_) => break,
            }
        }
        self.state.wait_ended(deadline)
    }

    fn queue(&self, message: Message) -> bool {
        if !self.is_recording() {
            return false;
        }
        match self.tx.try_send(message) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.state.stop(format!(
                    "the disk fell behind ({} readings waiting to be written)",
                    self.tx_bound()
                ));
                false
            }
            Err(TrySendError::Disconnected(_)) => {
                self.state.stop("the recording thread ended".into());
                false
            }
        }
    }

    fn tx_bound(&self) -> usize {
        QUEUE
    }
}

impl RecordHandle {
    /// A sender for another thread (the poll thread, the journal).
    pub fn sender(&self) -> Option<RecordSender> {
        self.sender.clone()
    }

    /// Hands an entry to the writer without waiting. False once stopped.
    pub fn send(&mut self, entry: Entry) -> bool {
        self.sender.as_ref().is_some_and(|s| s.send(entry))
    }

    /// Hands an entry to the writer, waiting for room in the queue (for
    /// tests and tools that must not drop a reading). False once stopped.
    pub fn send_or_wait(&mut self, entry: Entry) -> bool {
        match &self.sender {
            Some(s) if s.is_recording() => s.tx.send(Message::Entry(entry)).is_ok(),
            _ => false,
        }
    }

    /// Why the recording stopped; None while it runs.
    pub fn stopped(&self) -> Option<String> {
        self.state.why()
    }

    /// Whether entries are still taken.
    pub fn is_recording(&self) -> bool {
        !self.state.off.load(Ordering::SeqCst)
    }

    /// Writes what is queued, closes the file and says why the recording
    /// stopped early, if it did. Senders still held elsewhere find the
    /// recording stopped.
    pub fn finish(mut self) -> Result<(), String> {
        if let Some(s) = self.sender.take() {
            // Waits for room: what was queued is written first.
            let _ = s.tx.send(Message::Close);
        }
        if let Some(t) = self.thread.take() {
            if t.join().is_err() {
                self.state.stop("the recording thread panicked".into());
            }
        }
        self.stopped().map_or(Ok(()), Err)
    }
}

impl Drop for RecordHandle {
    fn drop(&mut self) {
        if let Some(s) = self.sender.take() {
            let _ = s.tx.send(Message::Close);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
