//! The recorder on a thread of its own behind a bounded queue, so a slow
//! or failing disk never holds up a poll: when the queue is full or a write
//! fails, the recording stops (the monitor keeps running) and says why.

use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::{Entry, Recorder};

/// Entries waiting for the writer before the recording is dropped: a few
/// polls' worth, so a disk stalled for longer stops the recording.
pub const QUEUE: usize = 16;

pub struct RecordThread;

/// The sending side, owned by whoever produces entries.
pub struct RecordHandle {
    sender: Option<SyncSender<Entry>>,
    stopped: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl RecordThread {
    /// Starts the writer thread over `recorder`.
    pub fn spawn(recorder: Recorder) -> RecordHandle {
        Self::spawn_with_queue(recorder, QUEUE)
    }

    pub fn spawn_with_queue(mut recorder: Recorder, queue: usize) -> RecordHandle {
        let (sender, receiver) = sync_channel::<Entry>(queue);
        let stopped = Arc::new(Mutex::new(None));
        let status = Arc::clone(&stopped);
        let thread = std::thread::Builder::new()
            .name("lvstop-record".into())
            .spawn(move || {
                let fail = |why: String| {
                    let mut s = status.lock().unwrap_or_else(|p| p.into_inner());
                    s.get_or_insert(why);
                };
                for entry in receiver.iter() {
                    if let Err(e) = recorder.append(&entry) {
                        fail(e.to_string());
                        return; // dropping the receiver stops the senders
                    }
                }
                if let Err(e) = recorder.close() {
                    fail(e.to_string());
                }
            })
            .expect("spawning the recording thread");
        RecordHandle {
            sender: Some(sender),
            stopped,
            thread: Some(thread),
        }
    }
}

impl RecordHandle {
    /// Hands an entry to the writer without waiting. False once the
    /// recording has stopped (`stopped` says why).
    pub fn send(&mut self, entry: Entry) -> bool {
        let Some(sender) = &self.sender else {
            return false;
        };
        match sender.try_send(entry) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.stop(format!(
                    "the disk fell behind ({QUEUE} readings waiting to be written)"
                ));
                false
            }
            Err(TrySendError::Disconnected(_)) => {
                self.sender = None;
                false
            }
        }
    }

    /// Hands an entry to the writer, waiting for room in the queue (for
    /// tests and tools that must not drop a reading). False once stopped.
    pub fn send_or_wait(&mut self, entry: Entry) -> bool {
        match &self.sender {
            Some(sender) => sender.send(entry).is_ok(),
            None => false,
        }
    }

    /// Why the recording stopped; None while it runs.
    pub fn stopped(&self) -> Option<String> {
        self.stopped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Whether entries are still taken.
    pub fn is_recording(&self) -> bool {
        self.sender.is_some() && self.stopped().is_none()
    }

    fn stop(&mut self, why: String) {
        self.sender = None;
        self.stopped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(why);
    }

    /// Writes what is queued, closes the file and says why the recording
    /// stopped early, if it did.
    pub fn finish(mut self) -> Result<(), String> {
        self.sender = None;
        if let Some(t) = self.thread.take() {
            if t.join().is_err() {
                self.stop("the recording thread panicked".into());
            }
        }
        self.stopped().map_or(Ok(()), Err)
    }
}

impl Drop for RecordHandle {
    fn drop(&mut self) {
        self.sender = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
