//! `--record` in the monitor: what each poll read, the connection summaries
//! read and the journal's lines, handed to the recording's writer thread as
//! they happen. Sending never waits: a writer that falls behind stops the
//! recording, never the poll.

use std::sync::Arc;

use crate::app::Event;
use crate::clock::Clock;
use crate::conns::ConnEvent;
use crate::record::{ConnRecord, Entry, RecordSender, TablePart};

#[derive(Clone)]
pub struct RecordTap {
    sender: RecordSender,
}

impl RecordTap {
    pub fn new(sender: RecordSender) -> RecordTap {
        RecordTap { sender }
    }

    /// A poll: its reading (merged into the whole table on the writer's
    /// side), or a gap saying why it failed.
    pub fn poll(&self, event: &Event) {
        match event {
            Event::Polled(p) => {
                self.sender.send_part(TablePart {
                    wall: p.wall,
                    took: p.took,
                    interval: p.interval,
                    estimator: p.estimator,
                    info: p.info,
                    whole: p.whole,
                    services: p.services.clone(),
                    dests: p.dests.clone(),
                });
            }
            Event::PollFailed { wall, error, .. } => {
                self.sender.send(Entry::Gap {
                    wall: *wall,
                    reason: format!("the poll failed: {error}"),
                });
            }
        }
    }

    /// A connection summary the connections view read.
    pub fn connections(&self, event: &ConnEvent) {
        if let ConnEvent::Reading(r) = event {
            self.sender.send(Entry::Connections {
                wall: r.wall,
                summary: ConnRecord::of(r),
            });
        }
    }

    /// What the journal hands each line it wrote to.
    pub fn journal_tap(&self, clock: Arc<dyn Clock>) -> crate::journal::Tap {
        let sender = self.sender.clone();
        crate::journal::Tap::new(move |line: &str| {
            sender.send(Entry::Journal {
                wall: clock.wall(),
                line: line.to_string(),
            });
        })
    }
}
