//! The drain view's state: which watch the cursor is on, and which
//! connection-table scope it asked the owner thread for (the focused real
//! server within its service), so a move asks again and closing stops it.

use crate::app::drain::{Drains, Watch};
use crate::conns::{ConnRequest, Scope};

#[derive(Debug, Clone, Default)]
pub struct DrainView {
    cursor: usize,
    /// The scope last asked for.
    asked: Option<Scope>,
    /// Watches at the last sync: the view closes once the last one ends,
    /// not when opened on none.
    seen: usize,
}

impl DrainView {
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The watch under the cursor.
    pub fn focused<'a>(&self, drains: &'a Drains) -> Option<&'a Watch> {
        drains.watches().get(self.cursor)
    }

    /// Puts the cursor on the watch of this real server.
    pub fn focus(&mut self, drains: &Drains, at: Option<usize>) {
        if let Some(i) = at {
            self.cursor = i.min(drains.watches().len().saturating_sub(1));
        }
    }

    pub fn move_by(&mut self, delta: isize, drains: &Drains) {
        let last = drains.watches().len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }

    /// After any change: keeps the cursor on a watch and the reading on
    /// its real server. False when the view should close (its last watch
    /// ended).
    pub fn sync(&mut self, drains: &Drains, requests: &mut Vec<ConnRequest>) -> bool {
        let n = drains.watches().len();
        if n == 0 && self.seen > 0 {
            return false;
        }
        self.seen = n;
        self.cursor = self.cursor.min(n.saturating_sub(1));
        let scope = self.focused(drains).map(|w| Scope {
            dest: Some(w.dest),
            ..Scope::service(w.service)
        });
        if scope != self.asked {
            requests.push(match &scope {
                Some(s) => ConnRequest::Open(s.clone()),
                None => ConnRequest::Close,
            });
            self.asked = scope;
        }
        true
    }

    /// Closing: the reading stops.
    pub fn close(self) -> Option<ConnRequest> {
        self.asked.map(|_| ConnRequest::Close)
    }

    /// The scope the view's reading is of.
    pub fn scope(&self) -> Option<&Scope> {
        self.asked.as_ref()
    }
}
