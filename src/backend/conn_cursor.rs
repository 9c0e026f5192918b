//! A walk over the connection table kept open between calls: an exact read
//! of a big table is spread over refreshes, so the file must stay open (a
//! fresh walk starts again at the first entry, and each of the kernel's
//! `read()`s walks from there: re-walking would be quadratic again).

use std::ops::ControlFlow;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread;

use super::{Error, ErrorKind};
use crate::model::{ConnWalk, Connection};

/// An open walk, independent of the backend that opened it (polls go on
/// meanwhile).
pub trait ConnCursor: Send {
    /// Continues where the last call stopped, handing entries to `visit`
    /// until it answers `Break` (the next call resumes after that entry) or
    /// the table ends (`complete`). The counts are this call's.
    fn resume(
        &mut self,
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ConnWalk, Error>;
}

/// Entries a `WalkThread` hands over at a time, about one of the kernel's
/// pages: one hand-over an entry cost the reader a wake-up each, which the
/// walk's own thread and the kernel's walk then waited on.
const BATCH: usize = 64;

/// Batches a `WalkThread` reads ahead: a few of the kernel's pages, so the
/// walk pauses within them when nobody takes entries.
const READ_AHEAD: usize = 4;

enum Step {
    Entries(Vec<Connection>),
    End(Result<ConnWalk, Error>),
}

/// A walk run on a thread of its own, handing entries over a short queue
/// a batch at a time: any backend whose walk can run elsewhere (it opens
/// its own file) gets a cursor from it. Dropping it stops the walk at its
/// next batch.
pub struct WalkThread {
    rx: Receiver<Step>,
    /// Entries of the last batch not taken yet.
    pending: std::vec::IntoIter<Connection>,
    ended: bool,
}

impl WalkThread {
    pub fn spawn<W>(walk: W) -> Result<WalkThread, Error>
    where
        W: FnOnce(&mut dyn FnMut(Connection) -> ControlFlow<()>) -> Result<ConnWalk, Error>
            + Send
            + 'static,
    {
        let (tx, rx): (SyncSender<Step>, _) = mpsc::sync_channel(READ_AHEAD);
        thread::Builder::new()
            .name("lvstop-conn-walk".into())
            .spawn(move || {
                let mut batch = Vec::with_capacity(BATCH);
                let result = walk(&mut |c| {
                    batch.push(c);
                    if batch.len() < BATCH {
                        return ControlFlow::Continue(());
                    }
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    match tx.send(Step::Entries(full)) {
                        Ok(()) => ControlFlow::Continue(()),
                        // The cursor is gone: stop reading.
                        Err(_) => ControlFlow::Break(()),
                    }
                });
                if !batch.is_empty() && tx.send(Step::Entries(batch)).is_err() {
                    return;
                }
                let _ = tx.send(Step::End(result));
            })
            .map_err(|e| {
                Error::new(
                    ErrorKind::Io,
                    format!("cannot start a thread to read the connection table: {e}"),
                )
            })?;
        Ok(WalkThread {
            rx,
            pending: Vec::new().into_iter(),
            ended: false,
        })
    }
}

impl ConnCursor for WalkThread {
    fn resume(
        &mut self,
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        let mut walk = ConnWalk::default();
        loop {
            for c in self.pending.by_ref() {
                walk.entries += 1;
                if visit(c).is_break() {
                    return Ok(walk);
                }
            }
            if self.ended {
                walk.complete = true;
                return Ok(walk);
            }
            match self.rx.recv() {
                Ok(Step::Entries(batch)) => self.pending = batch.into_iter(),
                Ok(Step::End(result)) => {
                    self.ended = true;
                    let whole = result?;
                    walk.malformed = whole.malformed;
                    walk.complete = whole.complete;
                    return Ok(walk);
                }
                Err(_) => {
                    self.ended = true;
                    return Err(Error::new(
                        ErrorKind::Io,
                        "the connection-table walk stopped unexpectedly",
                    ));
                }
            }
        }
    }
}

/// A cursor over entries already in memory (test and demo tables).
pub struct VecCursor {
    entries: std::vec::IntoIter<Connection>,
}

impl VecCursor {
    pub fn new(entries: Vec<Connection>) -> VecCursor {
        VecCursor {
            entries: entries.into_iter(),
        }
    }
}

impl ConnCursor for VecCursor {
    fn resume(
        &mut self,
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        let mut walk = ConnWalk::default();
        for c in self.entries.by_ref() {
            walk.entries += 1;
            if visit(c).is_break() {
                return Ok(walk);
            }
        }
        walk.complete = true;
        Ok(walk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Token;

    // Built here, not with testkit (which sits above backend).
    fn entries(n: u16) -> Vec<Connection> {
        (1..=n)
            .map(|i| Connection {
                protocol: Token::new("TCP").unwrap(),
                client: format!("203.0.113.1:{i}").parse().unwrap(),
                virtual_addr: "192.0.2.10:80".parse().unwrap(),
                real: "10.1.0.1:80".parse().unwrap(),
                state: Token::new("ESTABLISHED").unwrap(),
                expires: 9,
                origin: None,
                pe: None,
            })
            .collect()
    }

    fn take(cursor: &mut dyn ConnCursor, n: usize) -> (Vec<u16>, ConnWalk) {
        let mut got = Vec::new();
        let walk = cursor
            .resume(&mut |c| {
                got.push(c.client.port());
                if got.len() == n {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap();
        (got, walk)
    }

    #[test]
    fn a_walk_thread_resumes_where_it_stopped() {
        let all = entries(700);
        let mut cursor = WalkThread::spawn(move |visit| {
            let mut walk = ConnWalk {
                malformed: 2,
                ..ConnWalk::default()
            };
            for c in all {
                walk.entries += 1;
                if visit(c).is_break() {
                    return Ok(walk);
                }
            }
            walk.complete = true;
            Ok(walk)
        })
        .unwrap();
        let (first, w) = take(&mut cursor, 300);
        assert_eq!(first, (1..=300).collect::<Vec<_>>());
        assert!(!w.complete);
        let (rest, w) = take(&mut cursor, usize::MAX);
        assert_eq!(rest, (301..=700).collect::<Vec<_>>());
        assert!(w.complete);
        assert_eq!((w.entries, w.malformed), (400, 2));
        assert!(take(&mut cursor, 1).1.complete);
    }

    #[test]
    fn a_walk_thread_passes_its_error_on() {
        let mut cursor = WalkThread::spawn(|visit| {
            let _ = visit(entries(1).remove(0));
            Err(Error::new(ErrorKind::Io, "reading failed: EIO"))
        })
        .unwrap();
        let e = cursor
            .resume(&mut |_| ControlFlow::Continue(()))
            .unwrap_err();
        assert_eq!(e.to_string(), "reading failed: EIO");
    }

    #[test]
    fn a_dropped_walk_thread_stops_its_walk() {
        let (done_tx, done_rx) = mpsc::channel();
        let mut cursor = WalkThread::spawn(move |visit| {
            let mut walk = ConnWalk::default();
            // Endless: only the cursor going away stops it.
            for c in entries(10).into_iter().cycle() {
                walk.entries += 1;
                if visit(c).is_break() {
                    break;
                }
            }
            done_tx.send(walk.entries).unwrap();
            Ok(walk)
        })
        .unwrap();
        take(&mut cursor, 5);
        drop(cursor);
        let read = done_rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the walk stopped");
        // The batch being filled, the queue's, and the one taken from it.
        assert!(read <= ((READ_AHEAD + 2) * BATCH) as u64, "{read}");
    }

    #[test]
    fn a_vec_cursor_resumes_too() {
        let mut cursor = VecCursor::new(entries(5));
        assert_eq!(take(&mut cursor, 2).0, [1, 2]);
        let (rest, w) = take(&mut cursor, usize::MAX);
        assert_eq!(rest, [3, 4, 5]);
        assert!(w.complete);
    }
}
