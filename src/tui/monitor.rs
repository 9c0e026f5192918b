//! The monitor without a terminal: app state, the editing UI's state, the
//! screen description, and the translation of terminal input into actions
//! and editing keys. The event loop and the tests both drive this.

use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::event::{MouseButton, MouseEventKind};
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use ratatui::Terminal;

use crate::app::editing::{self, Editing, Mode, Request};
use crate::app::{Action, App, Event};
use crate::canvas::{self, Chrome};

use super::owner::Report;

pub struct Monitor {
    pub app: App,
    pub edit: Editing,
    pub chrome: Chrome,
    /// The last screen size drawn, for mouse hit-testing.
    size: Rect,
}

impl Monitor {
    pub fn new(app: App, chrome: Chrome, mode: Mode) -> Monitor {
        Monitor {
            app,
            edit: Editing::new(mode),
            chrome,
            size: Rect::default(),
        }
    }

    pub fn apply(&mut self, event: Event) {
        self.app.apply(event);
    }

    /// A report from the backend owner.
    pub fn report(&mut self, report: Report) {
        match report {
            Report::Poll(e) => self.apply(e),
            Report::Edit(reply) => self.edit.reply(reply, &mut self.app),
            Report::Journal(lines) => self.edit.journal = lines,
            Report::Disabled(why) => self.edit.changes_disabled(why),
        }
    }

    /// As `report`, but a poll is only begun: the event loop applies it with
    /// `App::apply_step`, handling keys in between.
    pub fn begin_report(&mut self, report: Report) {
        match report {
            Report::Poll(e) => self.app.begin(e),
            other => self.report(other),
        }
    }

    /// Requests the editing UI made since the last call.
    pub fn take_requests(&mut self) -> Vec<Request> {
        self.edit.take_requests()
    }

    pub fn act(&mut self, action: Action) {
        self.app.update(action);
    }

    /// Handles one terminal input event.
    pub fn input(&mut self, input: &Input) {
        match input {
            Input::Key(k) => {
                if k.kind == KeyEventKind::Release {
                    return;
                }
                let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
                // Editing keys, unless the operator is typing a filter or
                // reading help (Ctrl-C always quits).
                if !ctrl && !self.app.filter_editing && !self.app.help {
                    if let Some(key) = edit_key(*k) {
                        if self.edit.key(key, &self.app) {
                            self.edit.refresh_marks(&mut self.app);
                            return;
                        }
                    }
                }
                if let Some(a) = super::keys::action_for_key(*k, self.app.filter_editing) {
                    self.act(a);
                }
            }
            Input::Mouse(m) => {
                if self.edit.captures() {
                    return;
                }
                match m.kind {
                    MouseEventKind::ScrollUp => self.act(Action::ScrollUp),
                    MouseEventKind::ScrollDown => self.act(Action::ScrollDown),
                    MouseEventKind::Down(MouseButton::Left) => {
                        if let Some(a) =
                            canvas::areas(self.size, &self.app, self.edit.banners.len() as u16)
                        {
                            if let Some(i) = a.row_at(&self.app, m.row) {
                                self.act(Action::Select(i));
                            }
                        }
                    }
                    _ => {}
                }
            }
            Input::Resize(w, h) => self.resize(Rect::new(0, 0, *w, *h)),
            _ => {}
        }
    }

    fn resize(&mut self, size: Rect) {
        self.size = size;
        if let Some(a) = canvas::areas(size, &self.app, self.edit.banners.len() as u16) {
            self.act(Action::Resize {
                table_rows: a.table_rows(),
            });
        }
    }

    /// Draws a frame (telling the app first how many rows fit).
    pub fn render<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        let size = terminal.size()?;
        let size = Rect::new(0, 0, size.width, size.height);
        if size != self.size
            || canvas::areas(size, &self.app, self.edit.banners.len() as u16)
                .map(|a| a.table_rows())
                != Some(self.app.viewport)
        {
            self.resize(size);
        }
        terminal.draw(|f| canvas::draw(f, &self.app, &self.edit, &self.chrome))?;
        Ok(())
    }
}

/// The editing vocabulary of a key press, if it has one.
fn edit_key(k: KeyEvent) -> Option<editing::Key> {
    let shift = k.modifiers.contains(KeyModifiers::SHIFT);
    Some(match k.code {
        KeyCode::Char(c) => editing::Key::Char(c),
        KeyCode::Left => editing::Key::Left { shift },
        KeyCode::Right => editing::Key::Right { shift },
        KeyCode::Up => editing::Key::Up,
        KeyCode::Down => editing::Key::Down,
        KeyCode::Tab => editing::Key::Tab,
        KeyCode::BackTab => editing::Key::BackTab,
        KeyCode::Enter => editing::Key::Enter,
        KeyCode::Esc => editing::Key::Esc,
        KeyCode::Backspace => editing::Key::Backspace,
        _ => return None,
    })
}
