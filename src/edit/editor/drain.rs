//! The drain assistant's changes: draining for a watch, removing or
//! restoring at its end, each through the same read-journal-apply path as
//! every change, and the watch's own lines in the journal.

use crate::backend::{wording, Backend};
use crate::journal::{
    open_drains, stamp, DrainEnd, DrainEvent, DrainKind, DrainOptions, DrainRecord, Journal,
    OpenDrain,
};
use crate::model::{Change, DestKey, ServiceKey};

use super::{Applied, Editor, Error};

impl<B: Backend> Editor<B> {
    /// Drains a real server still at the weight the operator saw (`shown`),
    /// then journals the watch's start. A weight moved meanwhile (or
    /// already 0) sends nothing.
    pub fn start_drain(
        &mut self,
        service: &ServiceKey,
        dest: &DestKey,
        shown: u32,
        options: DrainOptions,
    ) -> Result<Applied, Error> {
        self.ensure_journal()?;
        let current = self.read_dest(service, dest)?;
        if current.weight == 0 {
            return Err(Error::Moved {
                reason: format!("{} already has weight 0", name(service, dest)),
            });
        }
        if current.weight != shown {
            return Err(Error::Moved {
                reason: format!(
                    "{} has weight {} now, not {shown} as shown; press x again",
                    name(service, dest),
                    current.weight
                ),
            });
        }
        let applied = self.send_weight(service, current, 0)?;
        self.drained.insert((*service, *dest), shown);
        let event = DrainEvent::Start {
            service: *service,
            dest: *dest,
            previous_weight: shown,
            options,
        };
        let watch = self.note_drain(None, event)?;
        self.watches.insert((*service, *dest), watch);
        Ok(applied)
    }

    /// Journals a watch's new options.
    pub fn drain_options(
        &mut self,
        service: &ServiceKey,
        dest: &DestKey,
        options: DrainOptions,
    ) -> Result<(), Error> {
        let watch = self.watch(service, dest)?;
        self.note_drain(Some(&watch), DrainEvent::Options { options })
            .map(drop)
    }

    /// Watches again a drain the journal left open (a restart).
    pub fn resume_drain(&mut self, open: &OpenDrain) -> Result<(), Error> {
        self.note_drain(Some(&open.watch), DrainEvent::Resumed)?;
        self.drained
            .insert((open.service, open.dest), open.previous_weight);
        self.watches
            .insert((open.service, open.dest), open.watch.clone());
        Ok(())
    }

    /// Ends a watch without a change of lvstop's: the operator stopped it,
    /// or the real server went or got a weight by another hand.
    pub fn end_drain(
        &mut self,
        service: &ServiceKey,
        dest: &DestKey,
        end: DrainEnd,
    ) -> Result<(), Error> {
        let watch = self.watch(service, dest)?;
        self.note_drain(Some(&watch), DrainEvent::End { end })?;
        self.watches.remove(&(*service, *dest));
        Ok(())
    }

    /// Deletes a drained real server, then journals the watch's end. Unless
    /// `force`, only while the kernel counts no connection and no template
    /// to it (read now, not as last shown) and its weight is still 0.
    pub fn remove_drained(
        &mut self,
        service: &ServiceKey,
        dest: &DestKey,
        force: bool,
    ) -> Result<Applied, Error> {
        let watch = self.watch(service, dest)?;
        self.ensure_journal()?;
        let current = self.read_dest(service, dest)?;
        let left = u64::from(current.active_conns)
            + u64::from(current.inactive_conns)
            + u64::from(current.persistent_conns);
        if !force && (left > 0 || current.weight > 0) {
            return Err(Error::Moved {
                reason: format!(
                    "{} is not drained now (weight {}, {} active, {} inactive, {} persistent)",
                    name(service, dest),
                    current.weight,
                    current.active_conns,
                    current.inactive_conns,
                    current.persistent_conns
                ),
            });
        }
        let applied = self.apply(Change::DeleteDest {
            service: *service,
            dest: *dest,
        })?;
        self.drained.remove(&(*service, *dest));
        self.watches.remove(&(*service, *dest));
        let end = DrainEnd::Removed;
        self.note_drain(Some(&watch), DrainEvent::End { end })?;
        Ok(applied)
    }

    /// Gives a drained real server back its weight, then journals the end.
    pub fn restore_drained(
        &mut self,
        service: &ServiceKey,
        dest: &DestKey,
        weight: u32,
    ) -> Result<Applied, Error> {
        let watch = self.watch(service, dest)?;
        let applied = self.set_weight(service, dest, |_| weight)?;
        self.drained.remove(&(*service, *dest));
        self.watches.remove(&(*service, *dest));
        let end = DrainEnd::Restored { weight };
        self.note_drain(Some(&watch), DrainEvent::End { end })?;
        Ok(applied)
    }

    /// The watches this journal says were left open in this namespace,
    /// those this editor watches apart.
    pub fn open_drains(&self) -> Vec<OpenDrain> {
        let Ok(read) = Journal::read_all(&self.journal_path) else {
            return Vec::new();
        };
        let mut open = open_drains(&read.drains);
        open.retain(|o| {
            o.namespace == self.namespace && !self.watches.contains_key(&(o.service, o.dest))
        });
        open
    }

    fn watch(&self, service: &ServiceKey, dest: &DestKey) -> Result<String, Error> {
        self.watches
            .get(&(*service, *dest))
            .cloned()
            .ok_or_else(|| Error::Moved {
                reason: format!("no drain of {} is watched", name(service, dest)),
            })
    }

    /// Appends a watch's line (`watch` None: a start, which names itself);
    /// returns the watch id.
    fn note_drain(&mut self, watch: Option<&str>, event: DrainEvent) -> Result<String, Error> {
        let (time, unix) = stamp(self.clock.wall());
        let (user, namespace) = (self.user.clone(), self.namespace.clone());
        let journal = self.ensure_journal()?;
        let id = journal.next_id();
        let record = DrainRecord {
            record: DrainKind::Drain,
            watch: watch.map_or_else(|| id.clone(), str::to_string),
            id,
            time,
            unix,
            user,
            namespace,
            event,
        };
        if let Err(e) = journal.append_drain(&record) {
            self.journal = Err(e.clone());
            return Err(Error::Disabled(e));
        }
        Ok(record.watch)
    }
}

fn name(service: &ServiceKey, dest: &DestKey) -> String {
    format!("real server {} of {service}", wording::dest_name(dest))
}
