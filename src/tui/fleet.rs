//! The monitor over several directors: one `Monitor` per director (its own
//! app state, editing state and owner thread, so changes go to the director
//! on screen through that director's editor), a line above them with every
//! director's health, Tab to go from one to the next, the differences view
//! (`F`) over their latest tables, and `=`: one weight sent to every director
//! that has the real server, after a question naming each, every answer
//! said and the operation journaled. Without a terminal, as `Monitor`.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use ratatui::Terminal;

use crate::app::editing::{Message, Mode, Reply, Request};
use crate::app::fleet_change::{DialogStep, FleetDialog, PendingFleet};
use crate::app::fleet_health::Health;
use crate::app::table::Row;
use crate::app::view::differences::{directors_with_row, DifferencesView};
use crate::canvas::{self, Palette};
use crate::clock::Clock;
use crate::fleet::diff::{differences_between, TableView};
use crate::fleet::DirectorName;
use crate::journal::{FleetChange, FleetKind, FleetRecord, Journal, User};

use super::Monitor;

/// Lines above each director's screen.
const STRIP: u16 = 1;

/// One director of the fleet: its name and its monitor.
pub struct Member {
    pub name: DirectorName,
    pub monitor: Monitor,
    /// Its health as its backend knows it (a remote director's connection,
    /// which tells a bad agent from a dropped one: its polls only fail), or
    /// None to judge it from its polls.
    pub status: Option<StatusSource>,
}

/// A director's health asked of its backend at each frame.
pub type StatusSource = Box<dyn Fn() -> Health + Send>;

/// A director handed to the fleet monitor: its name, its backend, and
/// where its health comes from if its polls cannot tell (see `Member`).
pub struct FleetDirector {
    pub name: DirectorName,
    pub access: crate::poll::Access,
    pub status: Option<StatusSource>,
}

pub struct FleetMonitor {
    pub members: Vec<Member>,
    current: usize,
    pub differences: DifferencesView,
    /// A poll came since the differences were last computed.
    tables_changed: bool,
    /// Each director's settings fingerprint when they were: counters move
    /// at every poll, but only settings make differences.
    compared: Vec<Option<u64>>,
    /// `V`: the services across directors, from this row (None: closed).
    pub across: Option<usize>,
    /// The "to all" dialog while open.
    pub dialog: Option<FleetDialog>,
    /// The "to all" change sent, its answers coming in.
    pending: Option<PendingFleet>,
    /// Requests for a director's owner, sent by the event loop.
    outbox: Vec<(usize, Request)>,
    /// Where the fleet operation's line goes (None: no journal).
    journal: Option<PathBuf>,
    palette: Palette,
    clock: Arc<dyn Clock>,
    size: Rect,
}

impl FleetMonitor {
    /// The fleet over `members` (at least one), the first on screen.
    pub fn new(mut members: Vec<Member>, palette: Palette, clock: Arc<dyn Clock>) -> FleetMonitor {
        assert!(!members.is_empty(), "a fleet has a director");
        let several = members.len() > 1;
        for m in &mut members {
            m.monitor.keys.list_fleet_keys(several);
        }
        FleetMonitor {
            members,
            current: 0,
            differences: DifferencesView::default(),
            tables_changed: true,
            compared: Vec::new(),
            across: None,
            dialog: None,
            pending: None,
            outbox: Vec::new(),
            journal: None,
            palette,
            clock,
            size: Rect::default(),
        }
    }

    /// The journal the fleet operations are recorded in.
    pub fn with_journal(mut self, path: Option<PathBuf>) -> FleetMonitor {
        self.journal = path;
        self
    }

    /// Requests for directors' owners since the last call.
    pub fn take_outbox(&mut self) -> Vec<(usize, Request)> {
        std::mem::take(&mut self.outbox)
    }

    pub fn current(&self) -> usize {
        self.current
    }

    pub fn current_monitor(&mut self) -> &mut Monitor {
        &mut self.members[self.current].monitor
    }

    /// Whether the operator quit on any director's screen.
    pub fn quit(&self) -> bool {
        self.members.iter().any(|m| m.monitor.app.view().quit())
    }

    /// A poll or answer reached member `i`.
    pub fn polled(&mut self) {
        self.tables_changed = true;
    }

    /// Compares the directors' latest tables again if a poll came since
    /// the last time (the event loop's tick, and opening the view).
    pub fn refresh_differences(&mut self) {
        if !self.tables_changed {
            return;
        }
        self.tables_changed = false;
        // Measured: comparing 4 x 22,000 rows each second held keys ~0.8 s
        // (p95) on the test VM while F was open; a walk with no copies is cheaper.
        let prints: Vec<Option<u64>> = self
            .members
            .iter()
            .map(|m| m.monitor.app.store().settings_fingerprint())
            .collect();
        if prints.iter().all(Option::is_some) && prints == self.compared {
            return;
        }
        // While one is not read whole, the others' tables are not copied.
        let waiting: Vec<DirectorName> = self
            .members
            .iter()
            .zip(&prints)
            .filter(|(_, p)| p.is_none())
            .map(|(m, _)| m.name.clone())
            .collect();
        self.compared = prints;
        if !waiting.is_empty() {
            return self.differences.set(Vec::new(), waiting);
        }
        let tables: Vec<(DirectorName, TableView)> = self
            .members
            .iter()
            .filter_map(|m| Some((m.name.clone(), m.monitor.app.store().table_view()?)))
            .collect();
        self.differences
            .set(differences_between(&tables), Vec::new());
    }

    /// Each director's health now.
    pub fn health(&self) -> Vec<(&DirectorName, Health)> {
        let now = self.clock.wall();
        self.members
            .iter()
            .map(|m| {
                let polls = m.monitor.app.store().poll_status();
                let health = match &m.status {
                    // Live only once its screen has read a table too: the
                    // connection gets one before the director's first poll.
                    Some(source) => match source() {
                        Health::Live { .. } if polls.last_ok.is_none() => Health::Connecting,
                        h => h,
                    },
                    None => Health::of(polls, now),
                };
                (&m.name, health)
            })
            .collect()
    }

    /// Whether the current screen takes every key itself (a dialog, the
    /// filter being typed, help): fleet keys are theirs then.
    fn captured(&self) -> bool {
        let m = &self.members[self.current].monitor;
        m.edit.captures() || m.app.view().typing() || m.app.view().help()
    }

    /// Whether director `i`'s report changes the screen before the next
    /// tick: the current director's, an answer to a change, anything while
    /// `V` sums every director. Another director's poll shows only in the
    /// health line, whose ages the tick redraws each second anyway.
    pub fn shows(&self, i: usize, report: &crate::poll::Report) -> bool {
        self.shows_director(i) || matches!(report, crate::poll::Report::Edit(_))
    }

    /// Whether director `i`'s table is on the screen: it is the current
    /// one, or `V` sums every director's.
    pub fn shows_director(&self, i: usize) -> bool {
        i == self.current || self.across.is_some()
    }

    /// Whether a director's poll is being applied a slice at a time.
    pub fn applying(&self) -> bool {
        self.members.iter().any(|m| m.monitor.app.applying())
    }

    /// A report from director `i`'s owner; an answer to the fleet change
    /// is counted before the director's own screen shows it.
    pub fn report(&mut self, i: usize, report: crate::poll::Report) {
        if let crate::poll::Report::Edit(Reply { request, result }) = &report {
            if let Some(p) = &mut self.pending {
                let FleetChange::SetWeight {
                    service,
                    dest,
                    weight,
                } = p.change;
                let ours = Request::SetWeight {
                    service,
                    dest,
                    weight,
                };
                if *request == ours {
                    p.answer(i, result);
                }
            }
        }
        self.members[i].monitor.begin_report(report);
        self.polled();
        self.finish_pending();
    }

    /// Once every director answered or the wait ended: the results on the
    /// status line, each named, and the fleet line in the journal.
    pub fn finish_pending(&mut self) {
        let now = self.clock.now();
        if !self.pending.as_ref().is_some_and(|p| p.done(now)) {
            return;
        }
        let Some(p) = self.pending.take() else { return };
        let (mut text, mut error) = p.summary();
        if let Some(path) = &self.journal {
            let (time, unix) = crate::journal::stamp(self.clock.wall());
            let written = Journal::open(path).and_then(|mut j| {
                let record = FleetRecord {
                    record: FleetKind::Fleet,
                    id: j.next_id(),
                    time,
                    unix,
                    user: User::current(),
                    namespace: "fleet".into(),
                    change: p.change.clone(),
                    directors: p.outcomes(),
                };
                j.append_fleet(&record)
            });
            if let Err(e) = written {
                text.push_str(&format!(" · not journaled: {e}"));
                error = true;
            }
        }
        let m = self.current_monitor();
        m.status.post(Message { text, error }, now);
    }

    /// `=` on a real server: its weight on every director that has it.
    fn open_fleet_dialog(&mut self) {
        let now = self.clock.now();
        let m = &self.members[self.current].monitor;
        let say = |this: &mut FleetMonitor, text: &str| {
            let text = text.to_string();
            this.current_monitor()
                .status
                .post(Message { text, error: true }, now);
        };
        if m.edit.mode == Mode::ReadOnly {
            return say(self, "read-only: no change is sent to any director");
        }
        if self.pending.is_some() {
            return say(self, "a change to all is still waiting for answers");
        }
        let Some(Row::Dest(i, j)) = m.app.view().selected_row() else {
            return say(
                self,
                "= sets a real server's weight on every director: select one",
            );
        };
        let row = &m.app.store().services()[i];
        let service = row.service().key;
        let dest = row.dests()[j].dest().key();
        let on: Vec<(usize, DirectorName)> = self
            .members
            .iter()
            .enumerate()
            .filter(|(_, o)| {
                o.monitor
                    .app
                    .store()
                    .service(&service)
                    .is_some_and(|s| s.dests().iter().any(|d| d.dest().key() == dest))
            })
            .map(|(k, o)| (k, o.name.clone()))
            .collect();
        self.dialog = Some(FleetDialog::new(service, dest, on));
    }

    fn dialog_key(&mut self, k: &KeyEvent) {
        let Some(d) = &mut self.dialog else { return };
        let step = match k.code {
            KeyCode::Char(c) => d.char(c),
            KeyCode::Backspace => {
                d.backspace();
                DialogStep::Open
            }
            KeyCode::Enter => d.enter(),
            KeyCode::Esc => DialogStep::Cancelled,
            _ => DialogStep::Open,
        };
        match step {
            DialogStep::Open => {}
            DialogStep::Cancelled => self.dialog = None,
            DialogStep::Send(weight) => {
                let Some(d) = self.dialog.take() else { return };
                let change = FleetChange::SetWeight {
                    service: d.service,
                    dest: d.dest,
                    weight,
                };
                for (i, _) in &d.on {
                    let request = Request::SetWeight {
                        service: d.service,
                        dest: d.dest,
                        weight,
                    };
                    self.outbox.push((*i, request));
                }
                self.pending = Some(PendingFleet::new(change, self.clock.now(), &d.on));
                let now = self.clock.now();
                let text = format!("weight {weight} sent to {}…", d.names());
                self.current_monitor()
                    .status
                    .post(Message { text, error: false }, now);
            }
        }
    }

    pub fn input(&mut self, input: &Input) {
        if let Input::Resize(w, h) = input {
            self.size = Rect::new(0, 0, *w, *h);
            return;
        }
        if let Input::Key(k) = input {
            if self.dialog.is_some() {
                return self.dialog_key(k);
            }
            if self.differences.is_open() {
                return self.differences_key(k);
            }
            if let Some(first) = self.across {
                return self.across_key(first, k);
            }
            if !self.captured() && self.fleet_key(k) {
                return;
            }
        }
        self.current_monitor().input(input);
    }

    /// Tab, Shift-Tab and F; true if the key was one of them.
    fn fleet_key(&mut self, k: &KeyEvent) -> bool {
        let n = self.members.len();
        match k.code {
            KeyCode::Tab => self.current = (self.current + 1) % n,
            KeyCode::BackTab => self.current = (self.current + n - 1) % n,
            KeyCode::Char('F') => {
                self.tables_changed = true;
                self.refresh_differences();
                self.differences.open();
            }
            KeyCode::Char('=') => self.open_fleet_dialog(),
            KeyCode::Char('V') => self.across = Some(0),
            _ => return false,
        }
        true
    }

    fn differences_key(&mut self, k: &KeyEvent) {
        match k.code {
            KeyCode::Up | KeyCode::Char('k') => self.differences.move_by(-1),
            KeyCode::Down | KeyCode::Char('j') => self.differences.move_by(1),
            KeyCode::PageUp => self.differences.move_by(-10),
            KeyCode::PageDown => self.differences.move_by(10),
            KeyCode::Enter => self.jump(),
            KeyCode::Esc | KeyCode::Char('F') | KeyCode::Char('q') => self.differences.close(),
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.differences.close();
                self.current_monitor().act(crate::app::Action::Quit);
            }
            _ => {}
        }
    }

    fn across_key(&mut self, first: usize, k: &KeyEvent) {
        self.across = match k.code {
            KeyCode::Up | KeyCode::Char('k') => Some(first.saturating_sub(1)),
            KeyCode::Down | KeyCode::Char('j') => Some(first + 1),
            KeyCode::PageUp => Some(first.saturating_sub(10)),
            KeyCode::PageDown => Some(first + 10),
            KeyCode::Esc | KeyCode::Char('V') | KeyCode::Char('q') => None,
            _ => Some(first),
        };
    }

    /// The services across directors, summed (the `V` view's rows).
    pub fn across_rows(&self) -> Vec<crate::app::fleet_across::AcrossRow> {
        let stores: Vec<_> = self
            .members
            .iter()
            .map(|m| (&m.name, m.monitor.app.store()))
            .collect();
        crate::app::fleet_across::across(&stores)
    }

    /// Enter in the differences view: the row on the director on screen if
    /// it has it, else on the first director that does.
    fn jump(&mut self) {
        let Some(d) = self.differences.selected().cloned() else {
            return;
        };
        let on = directors_with_row(&d);
        let here = &self.members[self.current].name;
        let target = if on.contains(&here) {
            Some(self.current)
        } else {
            on.first()
                .and_then(|n| self.members.iter().position(|m| &m.name == *n))
        };
        let Some(i) = target else { return };
        self.current = i;
        self.differences.close();
        let now = self.clock.now();
        let m = &mut self.members[i].monitor;
        if !m.app.reveal(d.service, d.dest) {
            let text = "that row is not shown here (a filter hides it, or it is gone)".into();
            m.status.post(Message { text, error: true }, now);
        }
    }

    /// Draws a frame: the health line, the director on screen below it,
    /// the differences view over it when open.
    pub fn render<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        let size = terminal.size()?;
        let size = Rect::new(0, 0, size.width, size.height);
        let below = Rect::new(0, STRIP, size.width, size.height.saturating_sub(STRIP));
        // Every director keeps its layout (it says what its poll reads first).
        for m in &mut self.members {
            m.monitor.prepare(below);
        }
        self.size = size;
        // Computed only while shown: it walks every director's services.
        let across = self.across.map(|first| {
            let rows = self.across_rows();
            let first = first.min(rows.len().saturating_sub(1));
            (rows, first)
        });
        if let Some((_, first)) = &across {
            self.across = Some(*first);
        }
        let health = self.health();
        let current = self.current;
        // A count is fresh only while the view is open (it is computed then).
        let count = self
            .differences
            .count()
            .filter(|_| self.differences.is_open());
        let differences = &self.differences;
        let palette = &self.palette;
        let dialog = &self.dialog;
        let monitor = &self.members[current].monitor;
        terminal.draw(|f| {
            let strip = Rect::new(0, 0, size.width, STRIP.min(size.height));
            canvas::draw_fleet_strip(f, strip, &health, current, count, palette);
            monitor.draw(f, below);
            if let Some((rows, first)) = &across {
                canvas::draw_across(f, below, rows, *first);
            }
            if differences.is_open() {
                canvas::draw_differences(f, below, differences, palette);
            }
            if let Some(d) = dialog {
                canvas::draw_fleet_dialog(f, below, d, palette);
            }
        })?;
        Ok(())
    }
}
