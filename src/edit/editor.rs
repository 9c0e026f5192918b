//! The editor: every change read-before, journaled, applied, read-after.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backend::{wording, Backend};
use crate::clock::Clock;
use crate::journal::{stamp, Answer, Journal, JournalError, Record, Stage, State, User};
use crate::model::{Change, Dest, DestKey, NudgeWrite, ServiceKey, MAX_WEIGHT};

use super::inverse::{inverse, restorable_dest};
use super::state::capture;
use super::Error;

mod drain;

/// A change that the kernel accepted and the journal recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The journal id linking its intent and result records.
    pub id: String,
    pub change: Change,
    /// As read right before the change was sent.
    pub before: State,
    /// As read back after; None if that reading failed.
    pub after: Option<State>,
    /// The id of the change this one undid, if it was sent by `undo`.
    pub undo_of: Option<String>,
}

/// What `undo` did: the commands it applied, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undone {
    /// The id of the change that was undone.
    pub of: String,
    pub applied: Vec<Applied>,
}

/// Applies changes to a backend, journaling each one.
///
/// It needs a writer: read-only mode holds a reader only and never builds
/// one. Without a usable journal every change is refused (and nothing is
/// sent) while reading through [`Editor::backend_mut`] keeps working.
pub struct Editor<B: Backend> {
    backend: B,
    journal: Result<Journal, JournalError>,
    journal_path: PathBuf,
    clock: Arc<dyn Clock>,
    namespace: String,
    user: User,
    ipvsadm: Box<dyn Fn(&Change) -> String + Send>,
    /// This session's applied changes, newest last.
    undo: Vec<Applied>,
    /// Weights remembered by `toggle_drain`, to restore.
    drained: HashMap<(ServiceKey, DestKey), u32>,
    /// Drain watches open, by real server: the id of each one's start line.
    watches: HashMap<(ServiceKey, DestKey), String>,
    /// Journaled with each change: who asked for it over the agent protocol.
    requested_by: Option<String>,
    /// Handed each journal line written (`--record`), kept across reopens.
    journal_tap: Option<crate::journal::Tap>,
}

impl<B: Backend> Editor<B> {
    /// An editor journaling to `journal_path` (opened now; if it cannot be,
    /// changes are disabled until it can). `namespace` is recorded with
    /// every change (`host`, the `--netns` name, `demo`); `ipvsadm` words a
    /// change as ipvsadm arguments for the journal (`output::command`).
    pub fn new(
        backend: B,
        journal_path: impl Into<PathBuf>,
        clock: Arc<dyn Clock>,
        namespace: impl Into<String>,
        ipvsadm: impl Fn(&Change) -> String + Send + 'static,
    ) -> Editor<B> {
        let journal_path = journal_path.into();
        Editor {
            backend,
            journal: Journal::open(&journal_path),
            journal_path,
            clock,
            namespace: namespace.into(),
            user: User::current(),
            ipvsadm: Box::new(ipvsadm),
            undo: Vec::new(),
            drained: HashMap::new(),
            watches: HashMap::new(),
            requested_by: None,
            journal_tap: None,
        }
    }

    /// Names who asks for the changes that follow, for the journal
    /// (`lvstop agent`: the user the remote lvstop named); None: this user.
    pub fn set_requested_by(&mut self, who: Option<String>) {
        self.requested_by = who;
    }

    /// Hands every journal line written from now on to `tap` too.
    pub fn set_journal_tap(&mut self, tap: crate::journal::Tap) {
        if let Ok(journal) = &mut self.journal {
            journal.set_tap(Some(tap.clone()));
        }
        self.journal_tap = Some(tap);
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// For the monitor's reads.
    pub fn backend_mut(&mut self) -> &mut B {
        &mut self.backend
    }

    pub fn into_backend(self) -> B {
        self.backend
    }

    pub fn journal_path(&self) -> &Path {
        &self.journal_path
    }

    /// Why changes are refused right now, for a banner:
    /// `changes are disabled: cannot write the journal at PATH: permission denied`.
    /// Tries to reopen a journal that failed, so a fixed one is picked up.
    pub fn changes_disabled(&mut self) -> Option<Error> {
        self.ensure_journal().err()
    }

    /// Applies one change (one kernel command): reads the state it touches,
    /// journals the intent, sends it, reads the state back, journals the
    /// result. Returns only once both records are on disk.
    pub fn apply(&mut self, change: Change) -> Result<Applied, Error> {
        self.ensure_journal()?;
        let before = capture(&mut self.backend, &change).map_err(Error::Read)?;
        self.send(change, before, None)
    }

    /// Sets a real server's weight to `f(current)` (clamped to 0..=65535),
    /// sending everything else exactly as just read: forwarding, thresholds
    /// and tunnel settings changed meanwhile by another tool are kept.
    pub fn set_weight(
        &mut self,
        service: &ServiceKey,
        dest: &DestKey,
        f: impl FnOnce(u32) -> u32,
    ) -> Result<Applied, Error> {
        self.ensure_journal()?;
        let current = self.read_dest(service, dest)?;
        let weight = f(current.weight).min(MAX_WEIGHT);
        self.send_weight(service, current, weight)
    }

    /// Sends one coalesced run of weight key presses.
    pub fn nudge(&mut self, write: &NudgeWrite) -> Result<Applied, Error> {
        let delta = write.delta;
        self.set_weight(&write.service, &write.dest, |w| {
            (i64::from(w) + delta).clamp(0, i64::from(MAX_WEIGHT)) as u32
        })
    }

    /// Drains a real server (weight 0), remembering its weight; on a real
    /// server this editor drained, restores that weight instead.
    ///
    /// The choice follows the weight read now: if someone else restored it
    /// meanwhile, the press drains again.
    pub fn toggle_drain(&mut self, service: &ServiceKey, dest: &DestKey) -> Result<Applied, Error> {
        self.ensure_journal()?;
        let current = self.read_dest(service, dest)?;
        let slot = (*service, *dest);
        if current.weight == 0 {
            let Some(&weight) = self.drained.get(&slot) else {
                return Err(Error::NothingToRestore {
                    real_server: format!("real server {} of {service}", wording::dest_name(dest)),
                });
            };
            let applied = self.send_weight(service, current, weight)?;
            self.drained.remove(&slot);
            Ok(applied)
        } else {
            let weight = current.weight;
            let applied = self.send_weight(service, current, 0)?;
            self.drained.insert(slot, weight);
            Ok(applied)
        }
    }

    /// The weight `toggle_drain` would restore, for display.
    pub fn drained_weight(&self, service: &ServiceKey, dest: &DestKey) -> Option<u32> {
        self.drained.get(&(*service, *dest)).copied()
    }

    /// This session's changes that `undo` can take back, newest last.
    pub fn undo_stack(&self) -> &[Applied] {
        &self.undo
    }

    /// Undoes this session's last change: its inverse, computed from the
    /// state read before it, applied command by command, each journaled as
    /// an undo of that change's id. Undoes are not themselves undoable.
    ///
    /// If the first command is refused nothing changed and the change stays
    /// on the stack; if a later one is, the error lists exactly what was
    /// restored and what was not.
    pub fn undo(&mut self) -> Result<Undone, Error> {
        self.ensure_journal()?;
        let last = self.undo.pop().ok_or(Error::NothingToUndo)?;
        let changes = match inverse(&last.change, &last.before) {
            Ok(c) => c,
            Err(reason) => {
                return Err(Error::NotUndoable {
                    id: last.id,
                    reason,
                })
            }
        };
        let mut applied = Vec::with_capacity(changes.len());
        for (i, change) in changes.iter().enumerate() {
            let result = capture(&mut self.backend, change)
                .map_err(Error::Read)
                .and_then(|before| self.send(change.clone(), before, Some(last.id.clone())));
            match result {
                Ok(a) => applied.push(a),
                Err(Error::Unrecorded { applied: a, .. }) => applied.push(*a),
                Err(error) => {
                    let of = last.id.clone();
                    if applied.is_empty() {
                        self.undo.push(last);
                    }
                    return Err(Error::UndoStopped {
                        of,
                        restored: applied.iter().map(|a| (self.ipvsadm)(&a.change)).collect(),
                        failed: (self.ipvsadm)(change),
                        error: Box::new(error),
                        not_attempted: changes[i + 1..].iter().map(|c| (self.ipvsadm)(c)).collect(),
                    });
                }
            }
        }
        Ok(Undone {
            of: last.id,
            applied,
        })
    }

    fn ensure_journal(&mut self) -> Result<&mut Journal, Error> {
        if self.journal.is_err() {
            self.journal = Journal::open(&self.journal_path);
            if let Ok(journal) = &mut self.journal {
                journal.set_tap(self.journal_tap.clone());
            }
        }
        self.journal
            .as_mut()
            .map_err(|e| Error::Disabled(e.clone()))
    }

    fn read_dest(&mut self, service: &ServiceKey, dest: &DestKey) -> Result<Dest, Error> {
        let dests = self.backend.dests(service).map_err(Error::Read)?;
        dests.into_iter().find(|d| d.key() == *dest).ok_or_else(|| {
            Error::Read(wording::change_error(
                libc::ENOENT,
                &Change::DeleteDest {
                    service: *service,
                    dest: *dest,
                },
            ))
        })
    }

    fn send_weight(
        &mut self,
        service: &ServiceKey,
        current: Dest,
        weight: u32,
    ) -> Result<Applied, Error> {
        let change = Change::EditDest {
            service: *service,
            dest: Dest {
                weight,
                ..restorable_dest(&current)
            },
        };
        let before = State::Dest {
            service: *service,
            dest: current,
        };
        self.send(change, before, None)
    }

    /// Intent, command, read-back, result. An undo's commands carry
    /// `undo_of` and do not go on the undo stack.
    fn send(
        &mut self,
        change: Change,
        before: State,
        undo_of: Option<String>,
    ) -> Result<Applied, Error> {
        let ipvsadm = (self.ipvsadm)(&change);
        let (time, unix) = stamp(self.clock.wall());
        let (user, namespace) = (self.user.clone(), self.namespace.clone());
        let requested_by = self.requested_by.clone();
        let journal = self.ensure_journal()?;
        let mut record = Record {
            record: Stage::Intent,
            id: journal.next_id(),
            time,
            unix,
            user,
            namespace,
            change,
            ipvsadm,
            before,
            after: None,
            answer: None,
            undo_of,
            requested_by,
        };
        if let Err(e) = journal.append(&record) {
            self.journal = Err(e.clone());
            return Err(Error::Disabled(e));
        }

        let sent = self.backend.apply(&record.change);
        record.record = Stage::Result;
        (record.time, record.unix) = stamp(self.clock.wall());
        match &sent {
            Ok(()) => {
                record.answer = Some(Answer::Ok);
                record.after = capture(&mut self.backend, &record.change).ok();
            }
            Err(e) => {
                record.answer = Some(Answer::Refused {
                    message: e.message().to_string(),
                    errno: e.errno(),
                })
            }
        }
        let written = match self.journal.as_mut() {
            Ok(j) => j.append(&record),
            Err(e) => Err(e.clone()),
        };
        if let Err(e) = &written {
            self.journal = Err(e.clone());
        }

        let Record {
            id,
            change,
            before,
            after,
            undo_of,
            ..
        } = record;
        if let Err(e) = sent {
            return Err(Error::Refused(e));
        }
        let applied = Applied {
            id,
            change,
            before,
            after,
            undo_of,
        };
        if applied.undo_of.is_none() {
            self.undo.push(applied.clone());
        }
        match written {
            Ok(()) => Ok(applied),
            Err(journal) => Err(Error::Unrecorded {
                applied: Box::new(applied),
                journal,
            }),
        }
    }
}
