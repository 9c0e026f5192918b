//! The connections view's state: what it looks at (a service, or one real
//! server of it, and a client prefix: a `conns::Scope`), how its lists are
//! sorted, where its cursors are, and whether the drill-down to the entries
//! is open. It reads nothing and writes nothing: the owner thread is told
//! what to read through the requests it queues.

/// The longest client filter typed: an IPv6 address in full with a prefix.
pub const CLIENT_FILTER_MAX: usize = 49;

use crate::conns::{ConnRequest, Prefix, Scope};
use crate::model::DestKey;

use super::super::action::Action;

/// How the real servers are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerSort {
    /// Most entries first.
    Entries,
    /// Most half-open (`SYN_RECV`) first: the column a SYN flood or a broken
    /// return path shows in.
    HalfOpen,
    Established,
    /// Address order, as ipvsadm lists them.
    Address,
}

impl ServerSort {
    pub const ALL: [ServerSort; 4] = [
        ServerSort::Entries,
        ServerSort::HalfOpen,
        ServerSort::Established,
        ServerSort::Address,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ServerSort::Entries => "entries",
            ServerSort::HalfOpen => "SYN_RECV",
            ServerSort::Established => "ESTABLISHED",
            ServerSort::Address => "address",
        }
    }

    fn next(self) -> ServerSort {
        let i = ServerSort::ALL.iter().position(|s| *s == self).unwrap_or(0);
        ServerSort::ALL[(i + 1) % ServerSort::ALL.len()]
    }
}

/// How the drill-down lists the entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntrySort {
    /// The kernel's order, as `ipvsadm -Lnc` prints them.
    Kernel,
    /// Soonest to expire first.
    Expires,
    State,
    Client,
    Real,
}

impl EntrySort {
    pub const ALL: [EntrySort; 5] = [
        EntrySort::Kernel,
        EntrySort::Expires,
        EntrySort::State,
        EntrySort::Client,
        EntrySort::Real,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EntrySort::Kernel => "kernel order",
            EntrySort::Expires => "expire",
            EntrySort::State => "state",
            EntrySort::Client => "client",
            EntrySort::Real => "real server",
        }
    }

    fn next(self) -> EntrySort {
        let i = EntrySort::ALL.iter().position(|s| *s == self).unwrap_or(0);
        EntrySort::ALL[(i + 1) % EntrySort::ALL.len()]
    }
}

/// A cursor over a list and the first line shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListCursor {
    pub at: usize,
    pub offset: usize,
}

impl ListCursor {
    fn move_by(&mut self, delta: isize, len: usize, page: usize) {
        if len == 0 {
            *self = ListCursor::default();
            return;
        }
        let at = (self.at as isize + delta).clamp(0, len as isize - 1) as usize;
        self.set(at, len, page);
    }

    fn set(&mut self, at: usize, len: usize, page: usize) {
        self.at = at.min(len.saturating_sub(1));
        let page = page.max(1);
        if self.at < self.offset {
            self.offset = self.at;
        } else if self.at >= self.offset + page {
            self.offset = self.at + 1 - page;
        }
        self.offset = self.offset.min(len.saturating_sub(page));
    }

    /// Kept inside a list that shrank.
    pub fn clamp(&mut self, len: usize, page: usize) {
        self.set(self.at, len, page);
    }
}

/// What an action did that the caller must finish (it knows the lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// The view closed.
    Closed,
    /// Enter in the summary: open the drill-down on the real server under
    /// the cursor (the caller knows which it is).
    Drill,
}

/// The lengths of the view's two lists, for the cursors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lens {
    pub servers: usize,
    pub entries: usize,
}

#[derive(Debug, Clone)]
pub struct ConnView {
    /// The scope it was opened on (the drill-down may narrow `query`'s).
    opened: Scope,
    query: Scope,
    /// The client filter being typed.
    typing: Option<String>,
    /// Why the last filter typed was refused.
    error: Option<String>,
    server_sort: ServerSort,
    server_reversed: bool,
    entry_sort: EntrySort,
    entry_reversed: bool,
    /// The drill-down is open.
    entries: bool,
    servers_cursor: ListCursor,
    entries_cursor: ListCursor,
    /// Lines a list shows (set with the screen's size).
    page: usize,
    requests: Vec<ConnRequest>,
}

impl ConnView {
    pub fn open(scope: Scope, page: usize) -> ConnView {
        ConnView {
            requests: vec![ConnRequest::Open(scope.clone())],
            opened: scope.clone(),
            query: scope,
            typing: None,
            error: None,
            server_sort: ServerSort::Entries,
            server_reversed: false,
            entry_sort: EntrySort::Kernel,
            entry_reversed: false,
            entries: false,
            servers_cursor: ListCursor::default(),
            entries_cursor: ListCursor::default(),
            page,
        }
    }

    /// The scope the view was opened on.
    pub fn opened(&self) -> &Scope {
        &self.opened
    }

    /// What is read now: the opened scope, narrowed to a real server in the
    /// drill-down, and the client filter.
    pub fn query(&self) -> &Scope {
        &self.query
    }

    /// The client filter being typed, if it is.
    pub fn typing(&self) -> Option<&str> {
        self.typing.as_deref()
    }

    /// Why the last filter typed was refused (the filter before it stays).
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn server_sort(&self) -> (ServerSort, bool) {
        (self.server_sort, self.server_reversed)
    }

    pub fn entry_sort(&self) -> (EntrySort, bool) {
        (self.entry_sort, self.entry_reversed)
    }

    /// Whether the drill-down to the entries is open.
    pub fn entries(&self) -> bool {
        self.entries
    }

    pub fn servers_cursor(&self) -> ListCursor {
        self.servers_cursor
    }

    pub fn entries_cursor(&self) -> ListCursor {
        self.entries_cursor
    }

    /// Lines a list shows.
    pub fn page(&self) -> usize {
        self.page
    }

    /// What to tell the owner thread, oldest first.
    pub fn take_requests(&mut self) -> Vec<ConnRequest> {
        std::mem::take(&mut self.requests)
    }

    /// Asks for an exact read, or cancels the one running.
    pub fn exact(&mut self, running: bool) {
        self.requests.push(match running {
            true => ConnRequest::CancelExact,
            false => ConnRequest::Exact,
        });
    }

    /// Opens the drill-down on the entries of `real` (None: of the scope).
    pub fn drill(&mut self, real: Option<DestKey>) {
        self.entries = true;
        self.entries_cursor = ListCursor::default();
        if let Some(real) = real {
            self.set_real(Some(real));
        }
    }

    fn set_real(&mut self, real: Option<DestKey>) {
        if self.query.dest != real {
            self.query.dest = real;
            self.requests.push(ConnRequest::Open(self.query.clone()));
        }
    }

    /// Keeps the cursors inside lists that changed.
    pub fn clamp(&mut self, lens: Lens) {
        self.servers_cursor.clamp(lens.servers, self.page);
        self.entries_cursor.clamp(lens.entries, self.page);
    }

    /// An operator action while the view is open; `lens` are its lists' lengths.
    pub fn update(&mut self, action: Action, lens: Lens) -> Outcome {
        if self.typing.is_some() {
            if let Some(outcome) = self.type_filter(action) {
                return outcome;
            }
        }
        let (len, page) = match self.entries {
            true => (lens.entries, self.page),
            false => (lens.servers, self.page),
        };
        let cursor = match self.entries {
            true => &mut self.entries_cursor,
            false => &mut self.servers_cursor,
        };
        match action {
            Action::Up => cursor.move_by(-1, len, page),
            Action::Down => cursor.move_by(1, len, page),
            Action::ScrollUp => cursor.move_by(-3, len, page),
            Action::ScrollDown => cursor.move_by(3, len, page),
            Action::PageUp => cursor.move_by(-(page.max(1) as isize), len, page),
            Action::PageDown => cursor.move_by(page.max(1) as isize, len, page),
            Action::Home => cursor.set(0, len, page),
            Action::End => cursor.set(len.saturating_sub(1), len, page),
            Action::ConnEntries | Action::Toggle if !self.entries => return Outcome::Drill,
            Action::ConnEntries | Action::Toggle => {}
            Action::FilterStart => {
                self.typing = Some(
                    self.query
                        .clients
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                );
                self.error = None;
            }
            Action::SortNext => {
                if self.entries {
                    self.entry_sort = self.entry_sort.next();
                    self.entry_reversed = false;
                } else {
                    self.server_sort = self.server_sort.next();
                    self.server_reversed = false;
                }
            }
            Action::SortReverse => match self.entries {
                true => self.entry_reversed = !self.entry_reversed,
                false => self.server_reversed = !self.server_reversed,
            },
            Action::Escape => return self.back(),
            Action::Left if self.entries => return self.back(),
            Action::Connections => return self.close(),
            Action::Resize { table_rows, .. } => {
                // The view's area less its title and the list's heading
                // and foot lines.
                self.page = table_rows.saturating_sub(2).max(1);
                self.clamp(lens);
            }
            // Keys of the table: the view has no use for them and must not
            // move what is under it unseen.
            _ => {}
        }
        Outcome::Done
    }

    /// Keys while the client filter is typed; None for those it leaves to
    /// the view (arrows, quit).
    fn type_filter(&mut self, action: Action) -> Option<Outcome> {
        let text = self.typing.as_mut()?;
        match action {
            Action::FilterChar(c) => {
                // Only what an address or prefix is made of: nothing else
                // can reach the screen or the owner.
                if (c.is_ascii_hexdigit() || matches!(c, '.' | ':' | '/'))
                    && text.len() < CLIENT_FILTER_MAX
                {
                    text.push(c);
                }
            }
            Action::FilterBackspace => {
                text.pop();
            }
            Action::FilterAccept => {
                let text = self.typing.take().unwrap_or_default();
                let client = match text.trim() {
                    "" => None,
                    t => match Prefix::parse(t) {
                        Ok(p) => Some(p),
                        Err(why) => {
                            self.error = Some(format!("client filter: {why}"));
                            return Some(Outcome::Done);
                        }
                    },
                };
                self.set_client(client);
            }
            Action::Escape => {
                self.typing = None;
                self.set_client(None);
            }
            _ => return None,
        }
        Some(Outcome::Done)
    }

    fn set_client(&mut self, clients: Option<Prefix>) {
        if self.query.clients != clients {
            self.query.clients = clients;
            self.opened.clients = clients;
            self.entries_cursor = ListCursor::default();
            self.servers_cursor = ListCursor::default();
            self.requests.push(ConnRequest::Open(self.query.clone()));
        }
    }

    /// Esc: from the drill-down to the summary (of the scope it was opened
    /// on), from the summary out of the view.
    fn back(&mut self) -> Outcome {
        if self.entries {
            self.entries = false;
            self.set_real(self.opened.dest);
            return Outcome::Done;
        }
        self.close()
    }

    fn close(&mut self) -> Outcome {
        self.requests.push(ConnRequest::Close);
        Outcome::Closed
    }
}

#[cfg(test)]
#[path = "connections_tests.rs"]
mod tests;
