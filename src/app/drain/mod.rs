//! The drain assistant's data: every real server drained and watched this
//! session, its counts over time as the kernel reports them, what is due
//! when it is drained or its deadline comes, and the drains a previous
//! lvstop left open. Pure: it is fed polls and the owner's answers, and
//! says what to ask of the owner; nothing here touches the backend.

mod request;
mod watch;

use std::time::{Duration, SystemTime};

use crate::journal::{DrainEnd, DrainOptions, OpenDrain};
use crate::model::{DestKey, ServiceKey};

use super::store::Store;

pub use request::DrainRequest;
pub use watch::{Phase, Sample, Watch, MAX_SAMPLES};

/// Real servers watched at once: each keeps `MAX_SAMPLES` samples.
pub const MAX_WATCHES: usize = 64;

/// Polls in a row that must find nothing pointing to a real server before
/// it is removed: one zero could be a reading between two connections.
pub const ZERO_POLLS: u8 = 2;

/// Refused automatic removals before lvstop stops trying (the reason stays
/// on screen): a kernel that keeps refusing must not be asked every poll.
const REMOVE_TRIES: u8 = 3;

#[derive(Debug, Clone, Default)]
pub struct Drains {
    watches: Vec<Watch>,
    requests: Vec<DrainRequest>,
    /// Drains the journal says were left open, not yet offered.
    left_open: Vec<OpenDrain>,
    /// Offered to resume (the dialog asks about the first).
    offers: Vec<OpenDrain>,
    /// A watch whose deadline came with connections left: the dialog asks.
    asking: Option<(ServiceKey, DestKey)>,
    /// What ended since last asked, in words, for the status line.
    said: Vec<String>,
}

impl Drains {
    /// Watches in the order they began.
    pub fn watches(&self) -> &[Watch] {
        &self.watches
    }

    pub fn watch(&self, service: &ServiceKey, dest: &DestKey) -> Option<&Watch> {
        self.watches
            .iter()
            .find(|w| w.service == *service && w.dest == *dest)
    }

    fn watch_mut(&mut self, service: &ServiceKey, dest: &DestKey) -> Option<&mut Watch> {
        self.watches
            .iter_mut()
            .find(|w| w.service == *service && w.dest == *dest)
    }

    /// Services with a watched real server: read every poll.
    pub fn services(&self) -> impl Iterator<Item = ServiceKey> + '_ {
        self.watches.iter().map(|w| w.service)
    }

    /// Whether another watch may begin.
    pub fn has_room(&self) -> bool {
        self.watches.len() < MAX_WATCHES
    }

    /// Requests for the owner since the last call.
    pub fn take_requests(&mut self) -> Vec<DrainRequest> {
        std::mem::take(&mut self.requests)
    }

    /// Words for the status line since the last call.
    pub fn take_said(&mut self) -> Vec<String> {
        std::mem::take(&mut self.said)
    }

    /// Asks the owner; the state changes when it answers.
    pub fn request(&mut self, request: DrainRequest) {
        if let DrainRequest::Remove { service, dest, .. }
        | DrainRequest::Restore { service, dest, .. } = &request
        {
            if let Some(w) = self.watch_mut(service, dest) {
                w.phase = Phase::Sent;
            }
        }
        self.requests.push(request);
    }

    /// The journal's open drains, at start-up: each is offered once its
    /// real server is read at weight 0.
    pub fn left_open(&mut self, open: Vec<OpenDrain>) {
        self.left_open = open;
    }

    /// The drain the resume dialog should ask about, if any.
    pub fn offer(&self) -> Option<&OpenDrain> {
        self.offers.first()
    }

    /// The resume dialog was answered (or dismissed): ask about the next.
    pub fn offered(&mut self) {
        if !self.offers.is_empty() {
            self.offers.remove(0);
        }
    }

    /// The watch whose deadline came with connections left, until the
    /// dialog is opened.
    pub fn take_asking(&mut self) -> Option<&Watch> {
        let (s, d) = self.asking.take()?;
        self.watch(&s, &d)
    }

    /// One poll applied: each watched real server read in it gets a sample,
    /// and what is due is asked.
    pub fn observe(&mut self, store: &Store) {
        let wall = store.poll_status().last_ok;
        for i in 0..self.watches.len() {
            self.observe_one(i, store, wall);
        }
        self.watches.retain(|w| w.phase != Phase::Over);
        self.offer_left_open(store);
    }

    fn observe_one(&mut self, i: usize, store: &Store, wall: Option<SystemTime>) {
        let w = &mut self.watches[i];
        let Some(row) = store.service(&w.service) else {
            let why = "its virtual service was deleted by another hand".to_string();
            return self.end(i, DrainEnd::Abandoned { why });
        };
        let Some(at) = row.dests_read_at() else {
            return;
        };
        if w.samples.back().is_some_and(|s| s.at >= at) {
            return;
        }
        let Some(d) = row.dests().iter().find(|d| d.dest().key() == w.dest) else {
            let why = "the real server was deleted by another hand".to_string();
            return self.end(i, DrainEnd::Abandoned { why });
        };
        let d = d.dest();
        if w.started.is_none() {
            w.started = wall;
        }
        if d.weight > 0 && w.phase != Phase::Sent {
            let end = DrainEnd::Restored { weight: d.weight };
            return self.end(i, end);
        }
        w.push(Sample::of(at, d));
        if w.phase != Phase::Watching {
            return;
        }
        let drained = w.zero_polls >= ZERO_POLLS;
        let due = w
            .options
            .deadline_unix
            .zip(wall)
            .is_some_and(|(deadline, wall)| unix(wall) >= deadline);
        let (service, dest) = (w.service, w.dest);
        if (w.options.remove_when_drained || due) && drained && w.remove_tries < REMOVE_TRIES {
            self.request(DrainRequest::Remove {
                service,
                dest,
                force: false,
            });
        } else if due && !w.asked {
            w.asked = true;
            self.asking = Some((service, dest));
        }
    }

    /// Ends watch `i` at once (the table already says so) and journals why.
    fn end(&mut self, i: usize, end: DrainEnd) {
        let w = &mut self.watches[i];
        w.phase = Phase::Over;
        // A weight given back was the operator's doing (a restore, an
        // undo) and said so already; a deletion elsewhere was not.
        if let DrainEnd::Abandoned { why } = &end {
            self.said
                .push(format!("drain of {}: watch ended: {why}", w.name()));
        }
        self.requests.push(DrainRequest::End {
            service: w.service,
            dest: w.dest,
            end,
        });
    }

    fn position(&self, service: &ServiceKey, dest: &DestKey) -> Option<usize> {
        self.watches
            .iter()
            .position(|w| w.service == *service && w.dest == *dest)
    }

    fn offer_left_open(&mut self, store: &Store) {
        let mut keep = Vec::new();
        for o in std::mem::take(&mut self.left_open) {
            let Some(row) = store.service(&o.service) else {
                continue;
            };
            if row.dests_read_at().is_none() {
                keep.push(o);
                continue;
            }
            let at_zero = row
                .dests()
                .iter()
                .any(|d| d.dest().key() == o.dest && d.dest().weight == 0);
            if at_zero && self.watch(&o.service, &o.dest).is_none() {
                self.offers.push(o);
            }
        }
        self.left_open = keep;
    }

    /// The owner's answer to a request.
    pub fn answered(&mut self, request: &DrainRequest, result: &Result<String, String>) {
        let (service, dest) = request.target();
        let ok = result.is_ok();
        match request {
            DrainRequest::Start { weight, .. } if ok => {
                let options = DrainOptions::default();
                self.begin(Watch::new(service, dest, *weight, options, None));
            }
            DrainRequest::Resume(o) if ok => {
                let started = SystemTime::UNIX_EPOCH + Duration::from_secs(o.started_unix);
                let w = Watch::new(service, dest, o.previous_weight, o.options, Some(started));
                self.begin(w);
            }
            DrainRequest::Options { options, .. } if ok => {
                if let Some(w) = self.watch_mut(&service, &dest) {
                    w.options = *options;
                    w.asked = false;
                    w.remove_tries = 0;
                }
            }
            DrainRequest::Remove { .. } | DrainRequest::Restore { .. } => {
                let Some(i) = self.position(&service, &dest) else {
                    return;
                };
                if ok {
                    self.watches.remove(i);
                } else {
                    let w = &mut self.watches[i];
                    w.phase = Phase::Watching;
                    w.zero_polls = 0;
                    if matches!(request, DrainRequest::Remove { force: false, .. }) {
                        w.remove_tries += 1;
                    }
                    w.refusal = result.as_ref().err().cloned();
                }
            }
            DrainRequest::End { .. } => {
                if let Some(i) = self.position(&service, &dest) {
                    self.watches.remove(i);
                }
            }
            _ => {}
        }
    }

    fn begin(&mut self, watch: Watch) {
        let (s, d) = (watch.service, watch.dest);
        if let Some(i) = self.position(&s, &d) {
            self.watches.remove(i);
        }
        if self.has_room() {
            self.watches.push(watch);
        }
    }
}

/// Whole unix seconds of a wall time (0 before the epoch).
pub fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

#[cfg(test)]
mod tests;
