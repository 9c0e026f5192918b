//! The monitor without a terminal: app state, the screen description, and
//! the translation of terminal input into actions. The event loop and the
//! tests both drive this.

use crossterm::event::{Event as Input, MouseButton, MouseEventKind};
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use ratatui::Terminal;

use crate::app::{Action, App, Event};
use crate::canvas::{self, Chrome};

pub struct Monitor {
    pub app: App,
    pub chrome: Chrome,
    /// The last screen size drawn, for mouse hit-testing.
    size: Rect,
}

impl Monitor {
    pub fn new(app: App, chrome: Chrome) -> Monitor {
        Monitor {
            app,
            chrome,
            size: Rect::default(),
        }
    }

    pub fn apply(&mut self, event: Event) {
        self.app.apply(event);
    }

    pub fn act(&mut self, action: Action) {
        self.app.update(action);
    }

    /// Handles one terminal input event.
    pub fn input(&mut self, input: &Input) {
        match input {
            Input::Key(k) => {
                if let Some(a) = super::keys::action_for_key(*k, self.app.filter_editing) {
                    self.act(a);
                }
            }
            Input::Mouse(m) => match m.kind {
                MouseEventKind::ScrollUp => self.act(Action::ScrollUp),
                MouseEventKind::ScrollDown => self.act(Action::ScrollDown),
                MouseEventKind::Down(MouseButton::Left) => {
                    if let Some(a) = canvas::areas(self.size, &self.app) {
                        if let Some(i) = a.row_at(&self.app, m.row) {
                            self.act(Action::Select(i));
                        }
                    }
                }
                _ => {}
            },
            Input::Resize(w, h) => self.resize(Rect::new(0, 0, *w, *h)),
            _ => {}
        }
    }

    fn resize(&mut self, size: Rect) {
        self.size = size;
        if let Some(a) = canvas::areas(size, &self.app) {
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
            || canvas::areas(size, &self.app).map(|a| a.table_rows()) != Some(self.app.viewport)
        {
            self.resize(size);
        }
        terminal.draw(|f| canvas::draw(f, &self.app, &self.chrome))?;
        Ok(())
    }
}
