//! The journal pane (`J`): the journal's latest entries in words, newest
//! last. While open it has the arrows: ↑/↓ a line, PgUp/PgDn a page,
//! Home/End the ends; `J`, Esc or `q` close it. An empty journal takes one
//! line.

use super::frame::Key;

#[derive(Debug, Default)]
pub struct JournalPane {
    open: bool,
    lines: Vec<String>,
    /// Entries hidden below the last one shown: 0 follows the newest.
    back: usize,
    /// Entries the pane showed last time it was laid out (a page).
    rows: usize,
}

impl JournalPane {
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Opens at the newest entry, or closes.
    pub fn toggle(&mut self) {
        self.open = !self.open;
        self.back = 0;
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// New entries from the owner. Scrolled back, the pane keeps showing
    /// the same entries; at the newest, it follows.
    pub fn set_lines(&mut self, lines: Vec<String>) {
        if self.back > 0 {
            self.back += lines.len().saturating_sub(self.lines.len());
        }
        self.lines = lines;
        self.clamp();
    }

    /// The screen lines the pane wants out of `room`: one for an empty
    /// journal, else its entries in a frame, at most half the room.
    pub fn height(&self, room: u16) -> u16 {
        match (self.open, self.lines.len()) {
            (false, _) => 0,
            (true, 0) => 1,
            (true, n) => (n as u16).saturating_add(2).min(room / 2).max(3),
        }
    }

    /// Tells the pane how many entries it shows (from the layout).
    pub fn set_rows(&mut self, rows: usize) {
        self.rows = rows.max(1);
        self.clamp();
    }

    /// The entries shown in `rows` lines: `start..end` of [`lines`].
    pub fn window(&self, rows: usize) -> (usize, usize) {
        let end = self.lines.len() - self.back.min(self.lines.len());
        (end.saturating_sub(rows), end)
    }

    /// A key while the pane is open; false when it is not the pane's.
    pub fn key(&mut self, key: Key) -> bool {
        let page = self.rows.max(1);
        match key {
            Key::Up | Key::Char('k') => self.back += 1,
            Key::Down | Key::Char('j') => self.back = self.back.saturating_sub(1),
            Key::PageUp => self.back += page,
            Key::PageDown => self.back = self.back.saturating_sub(page),
            Key::Home | Key::Char('g') => self.back = self.lines.len(),
            Key::End | Key::Char('G') => self.back = 0,
            Key::Esc | Key::Char('J') | Key::Char('q') => self.open = false,
            _ => return false,
        }
        self.clamp();
        true
    }

    /// Never further back than a full page of the oldest entries.
    fn clamp(&mut self) {
        let rows = self.rows.max(1);
        self.back = self.back.min(self.lines.len().saturating_sub(rows));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pane(n: usize, rows: usize) -> JournalPane {
        let mut p = JournalPane::default();
        p.toggle();
        p.set_rows(rows);
        p.set_lines((0..n).map(|i| format!("entry {i}")).collect());
        p
    }

    #[test]
    fn opens_at_the_newest_and_scrolls_by_line_and_page_within_bounds() {
        let mut p = pane(25, 10);
        assert_eq!(p.window(10), (15, 25));
        p.key(Key::Up);
        assert_eq!(p.window(10), (14, 24));
        p.key(Key::PageUp);
        assert_eq!(p.window(10), (4, 14));
        p.key(Key::PageUp);
        assert_eq!(p.window(10), (0, 10), "stops at the oldest page");
        p.key(Key::Down);
        assert_eq!(p.window(10), (1, 11));
        p.key(Key::End);
        assert_eq!(p.window(10), (15, 25));
        p.key(Key::PageDown);
        assert_eq!(p.window(10), (15, 25), "stops at the newest");
        p.key(Key::Home);
        assert_eq!(p.window(10), (0, 10));
    }

    #[test]
    fn scrolled_back_it_keeps_its_entries_as_new_ones_come() {
        let mut p = pane(25, 10);
        p.key(Key::PageUp);
        assert_eq!(p.window(10), (5, 15));
        p.set_lines((0..27).map(|i| format!("entry {i}")).collect());
        assert_eq!(p.window(10), (5, 15));
        p.key(Key::End);
        p.set_lines((0..28).map(|i| format!("entry {i}")).collect());
        assert_eq!(p.window(10), (18, 28), "at the newest it follows");
    }

    #[test]
    fn an_empty_journal_takes_one_line_and_closing_keys_close() {
        let mut p = pane(0, 10);
        assert_eq!(p.height(30), 1);
        assert_eq!(p.window(10), (0, 0));
        let p2 = pane(4, 10);
        assert_eq!(p2.height(30), 6, "four entries in a frame");
        assert_eq!(pane(40, 10).height(30), 15, "at most half the room");
        assert!(p.key(Key::Esc));
        assert!(!p.is_open());
        assert_eq!(p.height(30), 0);
        p.toggle();
        assert!(!p.key(Key::Char('x')), "not the pane's key");
        assert!(p.key(Key::Char('J')));
        assert!(!p.is_open());
    }
}
