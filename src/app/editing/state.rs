use crate::model::{DestKey, ServiceKey};

use super::super::table::Row;
use super::super::warnings;
use super::super::App;
use super::banner::{self, Banner};
use super::command::EditCommand;
use super::dialog::{
    Confirmation, DrainDialog, ExactWeight, Key, Modal, Outcome, SchedulerPicker, ZeroChoice,
};
use super::form::{Form, FormOutcome};
use super::journal_pane::JournalPane;
use super::mark::WeightMark;
use super::nudge::{NudgeStatus, WeightNudger};
use super::request::{Reply, Request, UndoNext};
use super::tuning::Tuning;
use crate::app::drain::{unix, DrainRequest};

/// What the edit keys say when lvstop was started read-only.
pub const READ_ONLY: &str = "read-only: started with --read-only, no change is possible";

/// What the edit keys say in a replay.
pub const REPLAY_READ_ONLY: &str =
    "replay: this is a recording, no change is possible (the table is not there)";

/// Whether this monitor may change the table. Read-only is also enforced
/// where it matters: the backend owner then holds a reader only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    ReadOnly,
    ReadWrite,
}

/// The status line: the last thing done or refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

#[derive(Debug)]
pub struct Editing {
    pub mode: Mode,
    /// What the edit keys say when the mode is read-only.
    pub read_only_why: &'static str,
    pub modal: Option<Modal>,
    pub nudger: WeightNudger,
    pub message: Option<Message>,
    /// The journal pane (`J`): the latest entries in words.
    pub journal: JournalPane,
    /// Warnings shown above the table: keepalived, a journal that cannot be
    /// written.
    pub banners: Vec<Banner>,
    /// What `u` would undo, as the owner last said.
    pub undo_next: Option<UndoNext>,
    pub(super) tuning: Option<Tuning>,
    requests: Vec<Request>,
}

impl Editing {
    pub fn new(mode: Mode) -> Editing {
        Editing {
            mode,
            read_only_why: READ_ONLY,
            modal: None,
            nudger: WeightNudger::new(),
            message: None,
            journal: JournalPane::default(),
            banners: Vec::new(),
            undo_next: None,
            tuning: None,
            requests: Vec::new(),
        }
    }

    /// Requests to send to the backend owner, oldest first.
    pub fn take_requests(&mut self) -> Vec<Request> {
        std::mem::take(&mut self.requests)
    }

    /// Whether a modal, or the open journal pane, wants every key.
    pub fn captures(&self) -> bool {
        self.modal.is_some() || self.journal.is_open()
    }

    pub(super) fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message {
            text: text.into(),
            error,
        });
    }

    pub(super) fn send(&mut self, request: Request) {
        // Type-level guard is the owner's; this keeps the UI honest too.
        if self.mode == Mode::ReadWrite {
            self.requests.push(request);
        }
    }

    /// A key for the open dialog.
    pub fn dialog_key(&mut self, key: Key) {
        if let Some(modal) = self.modal.take() {
            self.modal = self.modal_key(modal, key);
        } else if self.journal.is_open() {
            self.journal.key(key);
        }
    }

    /// An editing command on the selected row. The key table gives the
    /// real-server commands on any row: they say what to select instead.
    pub fn command(&mut self, command: EditCommand, app: &App) {
        let selected = app.view().rows().get(app.view().selected()).copied();
        let service = selected.map(|r| match r {
            Row::Service(i) | Row::Dest(i, _) => &app.store().services()[i],
        });
        let dest = match selected {
            Some(Row::Dest(i, j)) => Some((
                app.store().services()[i].service().key,
                &app.store().services()[i].dests()[j],
            )),
            _ => None,
        };
        if command == EditCommand::Journal {
            self.journal.toggle();
            return;
        }
        if self.mode == Mode::ReadOnly {
            self.say(self.read_only_why, true);
            return;
        }
        let need_service = || "select a virtual service first".to_string();
        let need_dest = "select a real server first (expand a service with →)";
        match command {
            EditCommand::Nudge(delta) => {
                let target = match self.tuning {
                    Some(t) => Some((t.service, t.dest)),
                    None => dest.map(|(s, d)| (s, d.dest().key())),
                };
                match target {
                    Some((s, d)) => {
                        if let Some(w) = self.nudger.press(s, d, delta) {
                            self.send(Request::Nudge(w));
                        }
                    }
                    None => self.say(need_dest, true),
                }
            }
            EditCommand::Tune => match dest {
                Some((s, d)) => self.start_tuning(s, d.dest().key()),
                None => self.say(need_dest, true),
            },
            EditCommand::TuneDrain => self.drain_tuned(),
            EditCommand::TuneDone => self.end_tuning(),
            EditCommand::ExactWeight => match dest {
                Some((s, d)) => self.modal = Some(Modal::Weight(ExactWeight::new(s, d.dest()))),
                None => self.say(need_dest, true),
            },
            EditCommand::Drain => match dest {
                Some((s, d)) => self.drain(app, s, d.dest()),
                None => self.say(need_dest, true),
            },
            EditCommand::DrainRestore
            | EditCommand::DrainRemoveWhenDrained
            | EditCommand::DrainDeadline
            | EditCommand::DrainStop => self.drain_view_command(command, app),
            EditCommand::AddService => self.modal = Some(Modal::Form(Form::add_service())),
            EditCommand::AddDest => match service {
                Some(s) => self.modal = Some(Modal::Form(Form::add_dest(s.service().key))),
                None => self.say(need_service(), true),
            },
            EditCommand::EditService => match service {
                Some(s) => self.modal = Some(Modal::Form(Form::edit_service(s.service()))),
                None => self.say(need_service(), true),
            },
            EditCommand::EditDest => match dest {
                Some((s, d)) => self.modal = Some(Modal::Form(Form::edit_dest(s, d.dest()))),
                None => self.say(need_dest, true),
            },
            EditCommand::DeleteService => match (service, dest) {
                (_, Some((_, d))) => self.say(
                    format!(
                        "{} is a real server: d deletes it, D deletes services",
                        crate::output::addr_port(&d.dest().addr, d.dest().port)
                    ),
                    true,
                ),
                (Some(s), None) => {
                    self.modal = Some(Modal::Confirm(Confirmation::delete_service(s)))
                }
                (None, None) => self.say(need_service(), true),
            },
            EditCommand::DeleteDest => match (service, dest) {
                (_, Some((s, d))) => {
                    let settings = app.store().settings().values();
                    // The timeouts as the director panel's reading last had them.
                    let timeouts = app
                        .store()
                        .director()
                        .and_then(|r| r.timeouts.as_ref().ok());
                    let warned = warnings::on_delete_dest(&settings, d.dest(), timeouts);
                    self.modal = Some(Modal::Confirm(Confirmation::delete_dest(
                        s,
                        d.dest(),
                        &warned,
                    )))
                }
                (Some(s), None) => self.say(
                    format!(
                        "{} is a service: D deletes it, d a real server",
                        s.service().key
                    ),
                    true,
                ),
                (None, None) => self.say(need_dest, true),
            },
            EditCommand::Scheduler => match service {
                Some(s) => self.modal = Some(Modal::Picker(SchedulerPicker::new(s.service()))),
                None => self.say(need_service(), true),
            },
            EditCommand::Zero => {
                let services = app.store().services().len();
                self.modal = Some(match service {
                    Some(s) => Modal::Zero(ZeroChoice::new(s.service().key, services)),
                    None => Modal::Confirm(Confirmation::zero_all(services)),
                })
            }
            EditCommand::Undo => match &self.undo_next {
                None => self.say("nothing to undo in this session", true),
                Some(next) if next.deletes => {
                    self.modal = Some(Modal::Confirm(Confirmation::undo(next)))
                }
                Some(next) => {
                    let of = next.id.clone();
                    self.send(Request::Undo { of });
                }
            },
            EditCommand::Journal => {}
            EditCommand::SetTimeouts => {
                let read = app
                    .store()
                    .director()
                    .and_then(|d| d.timeouts.as_ref().ok());
                self.modal = Some(Modal::Form(Form::timeouts(read)));
            }
            EditCommand::StartDaemon => {
                let running = app.store().director().and_then(|d| d.daemons.as_ref().ok());
                self.modal = Some(Modal::Form(Form::start_daemon(running)));
            }
            EditCommand::StopDaemon => {
                let running = app.store().director().and_then(|d| d.daemons.as_ref().ok());
                self.modal = Some(Modal::Form(Form::stop_daemon(running)));
            }
        }
    }

    fn modal_key(&mut self, modal: Modal, key: Key) -> Option<Modal> {
        match modal {
            Modal::Form(mut form) => match form.key(key) {
                FormOutcome::Close => None,
                FormOutcome::Stay => Some(Modal::Form(form)),
                FormOutcome::Send(change) => {
                    self.send(Request::Apply(change));
                    Some(Modal::Form(form))
                }
            },
            Modal::Picker(p) => self.outcome(p.key(key)),
            Modal::Confirm(c) => self.outcome(c.key(key)),
            Modal::Weight(w) => self.outcome(w.key(key)),
            Modal::Zero(z) => self.outcome(z.key(key)),
            Modal::Drain(d) => self.outcome(d.key(key)),
        }
    }

    /// `x` on a real server: with a weight, drain it and watch; at weight 0
    /// under watch, restore the weight it had; else as before the drain
    /// assistant (restores what this editor drained, or says why not).
    fn drain(&mut self, app: &App, service: ServiceKey, d: &crate::model::Dest) {
        let dest = d.key();
        let request = match app.drains().watch(&service, &dest) {
            Some(w) if d.weight == 0 => DrainRequest::Restore {
                service,
                dest,
                weight: w.previous_weight,
            },
            _ if d.weight == 0 => return self.send(Request::Drain { service, dest }),
            _ if !app.drains().has_room() => {
                return self.say(
                    format!(
                        "{} drains are watched already: end one first",
                        crate::app::drain::MAX_WATCHES
                    ),
                    true,
                )
            }
            _ => DrainRequest::Start {
                service,
                dest,
                weight: d.weight,
            },
        };
        self.send(Request::Watch(request));
    }

    /// A drain view key, on the watch under its cursor.
    fn drain_view_command(&mut self, command: EditCommand, app: &App) {
        let Some(w) = app.drain_view().and_then(|v| v.focused(app.drains())) else {
            return self.say("no drain is watched: x on a real server drains it", true);
        };
        let (service, dest) = (w.service, w.dest);
        let request = match command {
            EditCommand::DrainRestore => DrainRequest::Restore {
                service,
                dest,
                weight: w.previous_weight,
            },
            EditCommand::DrainRemoveWhenDrained => DrainRequest::Options {
                service,
                dest,
                options: crate::journal::DrainOptions {
                    remove_when_drained: !w.options.remove_when_drained,
                    ..w.options
                },
            },
            EditCommand::DrainDeadline => {
                let now = app.store().poll_status().last_ok.map_or(0, unix);
                self.modal = Some(Modal::Drain(DrainDialog::deadline(w, now)));
                return;
            }
            _ => DrainRequest::End {
                service,
                dest,
                end: crate::journal::DrainEnd::Abandoned {
                    why: "the operator stopped watching".into(),
                },
            },
        };
        self.send(Request::Watch(request));
    }

    /// The dialog left open after a key, once what it asked is sent.
    fn outcome(&mut self, outcome: Outcome) -> Option<Modal> {
        match outcome {
            Outcome::Stay(modal) => Some(modal),
            Outcome::Close => None,
            Outcome::Send(request) => {
                self.send(request);
                None
            }
        }
    }

    /// The owner's word on whether changes are refused (None: they are not).
    pub fn changes_disabled(&mut self, why: Option<String>) {
        banner::set_changes_disabled(&mut self.banners, why);
    }

    /// The backend owner's answer to a request.
    pub fn reply(&mut self, reply: Reply, app: &mut App) {
        if let Request::Watch(r) = &reply.request {
            app.drains_mut().answered(r, &reply.result);
            let begun = matches!(r, DrainRequest::Start { .. } | DrainRequest::Resume(_));
            if begun && reply.result.is_ok() {
                app.open_drain_view(Some(r.target()));
            }
            app.sync_drain_view();
            // An end seen in the table is only journaled: what ended it
            // (an undo, a restore) said so already.
            if matches!(r, DrainRequest::End { .. }) && reply.result.is_ok() {
                return;
            }
        }
        match &reply.request {
            Request::Nudge(w) => {
                let result = reply.result.as_ref().map(|_| ()).map_err(|e| e.clone());
                if let Some(next) = self.nudger.completed(w, result) {
                    self.send(Request::Nudge(next));
                }
                self.mark(app, w.service, w.dest);
                match &reply.result {
                    Ok(text) => self.say(text.clone(), false),
                    Err(e) => self.say(e.clone(), true),
                }
                return;
            }
            Request::Apply(_) => {
                if let Some(Modal::Form(form)) = &mut self.modal {
                    if form.sending {
                        form.sending = false;
                        match &reply.result {
                            // The form keeps what was typed; the refusal in words.
                            // The form marks a refusal with its own ✗.
                            Err(e) => form.refusal = Some(e.trim_start_matches("✗ ").to_string()),
                            Ok(_) => self.modal = None,
                        }
                    }
                }
            }
            _ => {}
        }
        match reply.result {
            Ok(text) => self.say(text, false),
            Err(text) => self.say(text, true),
        }
    }

    /// The weight cell's status mark for a real server pressed this session.
    fn mark(&self, app: &mut App, service: ServiceKey, dest: DestKey) {
        let m = match self.nudger.status(&service, &dest) {
            Some(NudgeStatus::Pending) => WeightMark::Pending,
            Some(NudgeStatus::Applied) => WeightMark::Applied,
            Some(NudgeStatus::Failed { message, .. }) => WeightMark::Failed {
                reason: message.clone(),
            },
            None => return,
        };
        app.weight_marks_mut().insert((service, dest), m);
    }

    /// Updates the marks after presses (called by the monitor after keys).
    pub fn refresh_marks(&self, app: &mut App) {
        let keys: Vec<(ServiceKey, DestKey)> = app.weight_marks().keys().copied().collect();
        for (s, d) in keys {
            self.mark(app, s, d);
        }
        if let Some(Row::Dest(i, j)) = app.view().rows().get(app.view().selected()).copied() {
            let s = app.store().services()[i].service().key;
            let d = app.store().services()[i].dests()[j].dest().key();
            self.mark(app, s, d);
        }
    }
}
