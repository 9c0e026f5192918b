//! The monitor without a terminal: app state, the editing UI's state, the
//! screen description, and terminal input dispatched through the key table
//! to the app, the editing UI or its dialog. The event loop and the tests
//! both drive this.

use std::sync::Arc;

use crossterm::event::Event as Input;
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use ratatui::{Frame, Terminal};

use crate::app::editing::dialog::DrainDialog;
use crate::app::editing::{
    set_setting_warnings, Editing, Message, Modal, Mode, Request, REPLAY_READ_ONLY,
};
use crate::app::replay::ReplayStatus;
use crate::app::table::{Row, SortColumn};
use crate::app::warnings;
use crate::app::{Action, App, Event, StatusLine};
use crate::canvas::{self, Chrome};
use crate::clock::{Clock, SystemClock};
use crate::keys::{Dispatch, KeyTable, Situation};

use crate::poll::Report;

pub struct Monitor {
    pub app: App,
    pub edit: Editing,
    pub chrome: Chrome,
    /// What each key does.
    pub keys: KeyTable,
    /// The message the editing UI said last, until its time is up.
    pub status: StatusLine,
    /// Times the status line's messages.
    clock: Arc<dyn Clock>,
    /// The last screen size drawn, for mouse hit-testing.
    size: Rect,
}

impl Monitor {
    pub fn new(app: App, chrome: Chrome, mode: Mode) -> Monitor {
        Monitor {
            app,
            edit: Editing::new(mode),
            chrome,
            keys: KeyTable::default(),
            status: StatusLine::default(),
            clock: Arc::new(SystemClock::new()),
            size: Rect::default(),
        }
    }

    /// The clock the status line's messages are timed by (the system's by
    /// default; the event loop's, or a test's manual one).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Monitor {
        self.clock = clock;
        self
    }

    /// Moves what the editing UI just said to the status line, timed from now.
    fn post_message(&mut self) {
        if let Some(m) = self.edit.message.take() {
            self.status.post(m, self.clock.now());
        }
    }

    pub fn apply(&mut self, event: Event) {
        self.app.apply(event);
        self.setting_banners();
    }

    /// The settings' warnings on what the monitor always shows (its rates)
    /// as banners, in step with the latest poll and settings reading.
    fn setting_banners(&mut self) {
        let settings = self.app.store().settings().values();
        let said = warnings::on_rates(&settings)
            .iter()
            .map(|w| w.to_string())
            .collect();
        set_setting_warnings(&mut self.edit.banners, said);
    }

    /// A report from the backend owner.
    pub fn report(&mut self, report: Report) {
        match report {
            Report::Poll(e) => self.apply(e),
            Report::Edit(reply) => {
                self.edit.reply(reply, &mut self.app);
                self.post_message();
            }
            Report::Journal(lines) => self.edit.journal.set_lines(lines),
            Report::Undo(next) => self.edit.undo_next = next,
            Report::Disabled(why) => self.edit.changes_disabled(why),
            Report::Connections(event) => self.app.apply_connections(event),
            Report::Director(reading) => self.app.apply_director(reading),
            Report::Settings(reading) => {
                self.app.apply_settings(*reading);
                self.setting_banners();
            }
            Report::DrainsLeftOpen(open) => self.app.drains_mut().left_open(open),
            Report::Rewind => self.app.rewind(),
            Report::Replay(status) => self.replay_status(status),
        }
        self.drain_news();
    }

    /// A replay monitor: the cursor keys answer, the edit keys say why
    /// nothing can change.
    pub fn start_replay(&mut self) {
        self.app.start_replay();
        self.edit.read_only_why = REPLAY_READ_ONLY;
        self.chrome.badges.retain(|b| b != "READ-ONLY");
    }

    /// Where the replay is: the header draws it; what it said, and any
    /// problem of the recording, go to the status line.
    fn replay_status(&mut self, status: ReplayStatus) {
        let now = self.clock.now();
        let mut said: Vec<Message> = status
            .problems
            .iter()
            .map(|p| Message {
                text: format!("recording: {p}"),
                error: true,
            })
            .collect();
        if let Some(s) = &status.said {
            said.push(Message {
                text: s.clone(),
                error: false,
            });
        }
        for m in said {
            self.status.post(m, now);
        }
        if let Some(r) = self.app.replay_mut() {
            r.set_status(status);
        }
    }

    /// What the drain assistant has to say after a poll or an answer: an
    /// ended watch on the status line, the deadline's question, the offer
    /// to resume a drain left open (each dialog once no other is open).
    pub fn drain_news(&mut self) {
        let now = self.clock.now();
        for text in self.app.drains_mut().take_said() {
            let m = Message { text, error: false };
            self.status.post(m, now);
        }
        if self.edit.mode == Mode::ReadOnly || self.edit.captures() {
            return;
        }
        if let Some(w) = self.app.drains_mut().take_asking() {
            self.edit.modal = Some(Modal::Drain(DrainDialog::at_deadline(w)));
        } else if let Some(o) = self.app.drains().offer().cloned() {
            self.app.drains_mut().offered();
            self.edit.modal = Some(Modal::Drain(DrainDialog::Resume(o)));
        }
    }

    /// As `report`, but a poll is only begun: the event loop applies it with
    /// `App::apply_step`, handling keys in between.
    pub fn begin_report(&mut self, report: Report) {
        match report {
            Report::Poll(e) => {
                self.app.begin(e);
                self.drain_news();
                self.setting_banners();
            }
            other => self.report(other),
        }
    }

    /// Requests the editing UI made since the last call.
    pub fn take_requests(&mut self) -> Vec<Request> {
        let mut requests = self.edit.take_requests();
        // The drain assistant's own (a removal due, an end seen in the
        // table); read-only monitors watch no drain, and send nothing.
        let drains = self.app.take_drain_requests();
        if self.edit.mode == Mode::ReadWrite {
            requests.extend(drains.into_iter().map(Request::Watch));
        }
        requests
    }

    pub fn act(&mut self, action: Action) {
        self.app.update(action);
    }

    /// What the key table needs to know to dispatch a key now.
    fn situation(&self) -> Situation {
        let goto = self.app.replay().is_some_and(|r| r.goto().is_some());
        Situation {
            filtering: self.app.view().typing() || goto,
            help: self.app.view().help(),
            dialog: self.edit.captures(),
            real_server: matches!(
                self.app.view().rows().get(self.app.view().selected()),
                Some(Row::Dest(..))
            ),
            tuning: self.edit.tuning().is_some(),
            connections: self.app.view().connections().is_some(),
            panel: self.app.view().director_panel(),
            drain: self.app.drain_view().is_some(),
            settings: self.app.view().settings_panel().is_some(),
            replay: self.app.replay().is_some(),
            goto,
        }
    }

    /// Handles one terminal input event.
    pub fn input(&mut self, input: &Input) {
        let dispatch = match input {
            Input::Key(k) => self.keys.key(k, &self.situation()),
            Input::Mouse(m) => self.keys.mouse(m, &self.situation()),
            Input::Resize(w, h) => {
                self.resize(Rect::new(0, 0, *w, *h));
                return;
            }
            _ => return,
        };
        // Tuning mode keeps only its weight keys: any other key leaves it
        // and then does what it always does.
        let keeps = matches!(dispatch, Some(Dispatch::Edit(c)) if c.keeps_tuning());
        if dispatch.is_some() && !keeps {
            self.edit.end_tuning();
        }
        match dispatch {
            Some(Dispatch::View(Action::SortNext)) if self.app.view().connections().is_none() => {
                self.sort_next()
            }
            Some(Dispatch::View(a)) => self.act(a),
            Some(Dispatch::Edit(command)) => {
                self.edit.command(command, &self.app);
                self.edit.refresh_marks(&mut self.app);
                self.post_message();
            }
            Some(Dispatch::Dialog(key)) => {
                self.edit.dialog_key(key);
                self.edit.refresh_marks(&mut self.app);
                self.post_message();
            }
            // The connections view has no table rows to click.
            Some(Dispatch::SelectAt { .. }) if self.app.view().connections().is_some() => {}
            Some(Dispatch::SelectAt { y }) => {
                if let Some(a) = canvas::areas(self.size, &self.app, &self.edit) {
                    if let Some(i) = a.row_at(&self.app, y) {
                        self.act(Action::Select(i));
                    }
                }
            }
            None => {}
        }
        self.check_tuning();
    }

    /// `o`: the next sort whose column is on screen. The view offers the
    /// columns the width allows; exact numbers or long addresses may push
    /// some off, and which depends on the rows the new sort brings on screen.
    fn sort_next(&mut self) {
        for _ in 0..SortColumn::ALL.len() {
            self.act(Action::SortNext);
            let now = self.app.view().sort();
            let Some(a) = canvas::areas(self.size, &self.app, &self.edit) else {
                return;
            };
            let shown = canvas::shown_columns(&self.app, a.table);
            if now == SortColumn::Ipvsadm || shown.iter().any(|c| c.sort() == Some(now)) {
                return;
            }
        }
    }

    /// Ends tuning mode if its real server is gone, saying so.
    fn check_tuning(&mut self) {
        self.edit.check_tuning(&mut self.app);
        self.post_message();
    }

    fn resize(&mut self, size: Rect) {
        self.size = size;
        if let Some(a) = canvas::areas(size, &self.app, &self.edit) {
            self.act(Action::Resize {
                table_rows: a.table_rows(),
                table_width: a.table.width,
            });
        }
    }

    /// Draws a frame (telling the app first how many rows fit).
    pub fn render<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        let size = terminal.size()?;
        let size = Rect::new(0, 0, size.width, size.height);
        self.prepare(size);
        terminal.draw(|f| self.draw(f, size))?;
        Ok(())
    }

    /// Lays the screen out in `size` before a frame: how many rows fit,
    /// the tuning mode's row still there, the status line's time up.
    pub fn prepare(&mut self, size: Rect) {
        let areas = canvas::areas(size, &self.app, &self.edit);
        if let Some(a) = &areas {
            // PgUp/PgDn in the journal pane move by what it shows.
            self.edit.journal.set_rows(a.journal_rows());
        }
        if size != self.size || areas.map(|a| a.table_rows()) != Some(self.app.view().viewport()) {
            self.resize(size);
        }
        // Polls may have removed the real server being tuned.
        self.check_tuning();
        self.status.expire(self.clock.now());
    }

    /// Draws the monitor in `area`, as laid out by `prepare`.
    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let message = self.status.message();
        canvas::draw_in(
            frame,
            area,
            &self.app,
            &self.edit,
            message,
            &self.chrome,
            &self.keys,
        );
    }
}
