//! What every dialog, the forms included, shares with the screen: the keys
//! it reads and the body it draws inside its frame. Apart from `dialog` so
//! that a form, which a dialog holds, does not depend back on the dialogs.

use ratatui::text::Line;

/// The keys a dialog understands, from the terminal's key events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Left { shift: bool },
    Right { shift: bool },
    Up,
    Down,
    Tab,
    BackTab,
    Enter,
    Esc,
    Backspace,
    PageUp,
    PageDown,
    Home,
    End,
}

/// What a dialog shows inside its frame.
pub struct Body {
    pub title: String,
    pub lines: Vec<Line<'static>>,
    /// The frame's width when the screen allows.
    pub width: u16,
}
