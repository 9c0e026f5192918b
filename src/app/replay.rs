//! The replay's time cursor as the monitor sees it: where the replay thread
//! says the cursor is (drawn in the header), and the moves the keys ask of
//! it, sent on by the event loop. The go-to form's text is typed here too;
//! the thread reads it (`replay::moment`), so a bad time comes back in words.

use std::time::SystemTime;

/// A key's move of the time cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorKey {
    PlayPause,
    /// One recorded poll forward (true) or back; pauses.
    Step(bool),
    /// Seconds forward (or back, negative).
    Jump(i32),
    Faster,
    Slower,
    /// Opens the go-to form.
    GoTo,
}

/// What the replay thread is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorMove {
    Key(CursorKey),
    /// The go-to form's text, as typed.
    GoTo(String),
}

/// Where the replay is, as the replay thread last said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayStatus {
    /// The recorded time of the tick on screen.
    pub at: SystemTime,
    /// Its place among the recording's ticks (0-based), and their number.
    pub tick: usize,
    pub ticks: usize,
    pub playing: bool,
    /// 1, 10 or 60.
    pub speed: u32,
    /// What is wrong with the recording (torn tail, skipped block, newer
    /// version), in words.
    pub problems: Vec<String>,
    /// What the last move said (`end of the recording`, a bad time).
    pub said: Option<String>,
}

/// The replay's state in the app: the thread's last status, the moves
/// not sent yet, the go-to form while it is open.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    status: Option<ReplayStatus>,
    moves: Vec<CursorMove>,
    goto: Option<String>,
}

/// The go-to form takes at most this many characters (a full date and
/// time with fractions fits).
const GOTO_MAX: usize = 32;

impl Replay {
    pub fn status(&self) -> Option<&ReplayStatus> {
        self.status.as_ref()
    }

    pub fn set_status(&mut self, status: ReplayStatus) {
        self.status = Some(status);
    }

    /// The go-to form's text while it is open.
    pub fn goto(&self) -> Option<&str> {
        self.goto.as_deref()
    }

    /// A cursor key: the form opens here, the rest go to the thread.
    pub fn key(&mut self, key: CursorKey) {
        match key {
            CursorKey::GoTo => self.goto = Some(String::new()),
            k => self.moves.push(CursorMove::Key(k)),
        }
    }

    /// A character typed into the go-to form (printable ones only: the
    /// text is drawn).
    pub fn type_char(&mut self, c: char) {
        if let Some(text) = &mut self.goto {
            if !c.is_control() && text.chars().count() < GOTO_MAX {
                text.push(c);
            }
        }
    }

    pub fn backspace(&mut self) {
        if let Some(text) = &mut self.goto {
            text.pop();
        }
    }

    /// Enter: the typed time goes to the thread; Esc (false): nothing does.
    pub fn close_goto(&mut self, go: bool) {
        if let Some(text) = self.goto.take() {
            if go && !text.trim().is_empty() {
                self.moves.push(CursorMove::GoTo(text));
            }
        }
    }

    /// The moves asked since the last call, oldest first.
    pub fn take_moves(&mut self) -> Vec<CursorMove> {
        std::mem::take(&mut self.moves)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_goto_form_sends_its_text_on_enter_only() {
        let mut r = Replay::default();
        r.key(CursorKey::GoTo);
        for c in "03:1\u{1b}2".chars() {
            r.type_char(c);
        }
        r.backspace();
        assert_eq!(r.goto(), Some("03:1"));
        r.close_goto(true);
        assert_eq!(r.take_moves(), vec![CursorMove::GoTo("03:1".into())]);
        r.key(CursorKey::GoTo);
        r.type_char('x');
        r.close_goto(false);
        r.key(CursorKey::Faster);
        assert_eq!(r.take_moves(), vec![CursorMove::Key(CursorKey::Faster)]);
        assert_eq!(r.goto(), None);
    }
}
