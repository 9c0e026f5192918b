//! What one line of the key table says: a key, where it applies, what it
//! does, and how the help overlay and the footer show it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use crate::app::editing::EditCommand;
use crate::app::Action;

/// A key press or mouse gesture a binding answers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    /// This key without Ctrl; Shift and Alt do not matter (`A` comes with
    /// Shift held).
    Key(KeyCode),
    /// This key with Shift held, without Ctrl.
    Shift(KeyCode),
    /// This letter with Ctrl held.
    Ctrl(char),
    /// Any character without Ctrl: text being typed.
    AnyChar,
    /// Any key at all, Ctrl held or not.
    AnyKey,
    /// Any key a dialog understands ([`crate::app::editing::Key`]), without
    /// Ctrl.
    DialogKey,
    WheelUp,
    WheelDown,
    /// The left button, pressed.
    Click,
}

impl Press {
    /// How sure a match is: a binding for Shift+→ wins over one for →.
    pub(super) fn specificity(self) -> u8 {
        match self {
            Press::AnyChar | Press::DialogKey | Press::AnyKey => 0,
            Press::Key(_) | Press::WheelUp | Press::WheelDown | Press::Click => 1,
            Press::Shift(_) | Press::Ctrl(_) => 2,
        }
    }

    pub(super) fn matches_key(self, k: &KeyEvent) -> bool {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let shift = k.modifiers.contains(KeyModifiers::SHIFT);
        match self {
            Press::Key(code) => !ctrl && k.code == code,
            Press::Shift(code) => !ctrl && shift && k.code == code,
            Press::Ctrl(c) => ctrl && k.code == KeyCode::Char(c),
            Press::AnyChar => !ctrl && matches!(k.code, KeyCode::Char(_)),
            Press::DialogKey => !ctrl && dialog_key(k).is_some(),
            Press::AnyKey => true,
            Press::WheelUp | Press::WheelDown | Press::Click => false,
        }
    }

    pub(super) fn matches_mouse(self, m: &MouseEvent) -> bool {
        matches!(
            (self, m.kind),
            (Press::WheelUp, MouseEventKind::ScrollUp)
                | (Press::WheelDown, MouseEventKind::ScrollDown)
                | (Press::Click, MouseEventKind::Down(MouseButton::Left))
        )
    }

    /// The name the help overlay and the footer show.
    pub fn name(self) -> String {
        match self {
            Press::Key(code) => code_name(code),
            Press::Shift(code) => format!("⇧{}", code_name(code)),
            Press::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Press::AnyChar => "any character".into(),
            Press::DialogKey | Press::AnyKey => "any key".into(),
            Press::WheelUp | Press::WheelDown => "wheel".into(),
            Press::Click => "click".into(),
        }
    }
}

fn code_name(code: KeyCode) -> String {
    match code {
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Char(' ') => "Space".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "⇧Tab".into(),
        KeyCode::Char(c) => c.to_string(),
        other => other.to_string(),
    }
}

/// A dialog's vocabulary for a key event, if it has one.
pub(super) fn dialog_key(k: &KeyEvent) -> Option<crate::app::editing::Key> {
    use crate::app::editing::Key;
    let shift = k.modifiers.contains(KeyModifiers::SHIFT);
    Some(match k.code {
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Left => Key::Left { shift },
        KeyCode::Right => Key::Right { shift },
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        _ => return None,
    })
}

/// Where a binding applies. When several bindings match a key, the one of
/// the narrowest context wins ([`Context::rank`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Always: typing a filter, reading help, a dialog open.
    Anywhere,
    /// Unless a filter is being typed.
    Browsing,
    /// While a filter is being typed.
    Filtering,
    /// No dialog open (the mouse).
    NoDialog,
    /// The table has the keys: no filter typed, no help, no dialog. The
    /// command says itself when it needs a row that is not selected.
    AnyRow,
    /// As `AnyRow`, on a real server's row.
    RealServerRow,
    /// As `AnyRow`, in tuning mode: the arrows change the weight.
    Tuning,
    /// A dialog is open (and no filter typed, no help).
    Dialog,
    /// The help overlay is open: it has every key.
    Help,
    /// The connections view is open (no filter typed, no help, no dialog):
    /// its own keys; the table's edit keys do not apply under it.
    Connections,
    /// The director panel (`T`) is open (no filter typed, no help, no
    /// dialog), over the table or the connections view: the keys that
    /// close it; neither the table's edit keys nor the view's apply under it.
    Panel,
    /// As `Panel`, over the table only: its forms and undo. Nothing under
    /// the connections view may change the table, the panel's forms included.
    PanelForms,
    /// The drain view is open (no filter typed, no help, no dialog): its
    /// keys act on the watch under its cursor; the table's edit keys do not
    /// apply under it.
    Drain,
    /// A replay (`--replay`), no filter typed, no help, no dialog: the
    /// time cursor's keys. Live, they do nothing.
    Replay,
    /// A replay's go-to form is open: it takes the typing.
    GoTo,
    /// The fleet monitor (several directors): `tui/fleet.rs` takes these
    /// keys before a director's monitor sees them, so a director's table
    /// never dispatches them; they are here for the overlay to list.
    Fleet,
}

/// What the monitor is doing when a key comes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Situation {
    pub filtering: bool,
    pub help: bool,
    pub dialog: bool,
    /// The selected row is a real server.
    pub real_server: bool,
    /// Tuning mode is on (a real server's weight under the arrows).
    pub tuning: bool,
    /// The connections view is open.
    pub connections: bool,
    /// The director panel is open.
    pub panel: bool,
    /// The drain view is open.
    pub drain: bool,
    /// The settings panel is open.
    pub settings: bool,
    /// This is a replay.
    pub replay: bool,
    /// A replay's go-to form is open (`filtering` is then true too: the
    /// table's letter keys are off).
    pub goto: bool,
}

impl Situation {
    /// Every combination of the flags: what checks over all situations
    /// (remap clashes, the key table's own tests) walk.
    pub fn every() -> impl Iterator<Item = Situation> {
        (0..2048u16).map(|bits| Situation {
            filtering: bits & 1 != 0,
            help: bits & 2 != 0,
            dialog: bits & 4 != 0,
            real_server: bits & 8 != 0,
            tuning: bits & 16 != 0,
            connections: bits & 32 != 0,
            panel: bits & 64 != 0,
            drain: bits & 128 != 0,
            settings: bits & 256 != 0,
            replay: bits & 512 != 0,
            goto: bits & 1024 != 0,
        })
    }
}

impl Context {
    pub fn applies(self, s: &Situation) -> bool {
        let keys = !s.filtering && !s.help && !s.dialog;
        // Nothing under the connections view, the drain view or a panel
        // (director, settings) may change the table.
        let table = keys && !s.connections && !s.panel && !s.drain && !s.settings;
        match self {
            Context::Anywhere => true,
            Context::Browsing => !s.filtering,
            Context::Filtering => s.filtering,
            Context::NoDialog => !s.dialog,
            Context::AnyRow => table,
            Context::RealServerRow => table && s.real_server,
            Context::Tuning => table && s.tuning,
            Context::Dialog => s.dialog && !s.filtering && !s.help,
            Context::Help => s.help,
            // The settings panel, when open, is over every view: their
            // keys wait until it closes.
            Context::Connections => keys && s.connections && !s.panel && !s.settings,
            Context::Panel => keys && s.panel && !s.settings,
            Context::PanelForms => keys && s.panel && !s.connections && !s.settings,
            // One view at a time: the drain view opens over no other.
            Context::Drain => keys && s.drain && !s.connections && !s.panel && !s.settings,
            Context::Replay => keys && s.replay,
            Context::GoTo => s.goto && !s.help && !s.dialog,
            Context::Fleet => false,
        }
    }

    /// Where a key of this context is taken, dispatched by this table or
    /// not: the fleet monitor takes its keys whenever nothing captures them.
    pub(super) fn takes(self, s: &Situation) -> bool {
        match self {
            Context::Fleet => !s.filtering && !s.help && !s.dialog,
            c => c.applies(s),
        }
    }

    pub(super) fn rank(self) -> u8 {
        match self {
            Context::Anywhere | Context::NoDialog | Context::Fleet => 0,
            Context::Replay => 2,
            Context::Browsing | Context::Filtering => 1,
            Context::AnyRow => 2,
            Context::RealServerRow => 3,
            Context::Tuning => 4,
            Context::Connections | Context::Panel | Context::PanelForms | Context::Drain => 5,
            Context::Dialog | Context::GoTo => 6,
            Context::Help => 7,
        }
    }
}

/// What a binding does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// A view action for the app.
    View(Action),
    /// The character typed goes into the filter.
    TypeFilter,
    /// The character typed goes into the replay's go-to form.
    TypeTime,
    /// Select the row under the pointer.
    SelectClicked,
    /// A change to the table, or the journal pane.
    Edit(EditCommand),
    /// The open dialog takes the key.
    Dialog,
    /// The fleet monitor takes the key ([`Context::Fleet`]).
    Fleet,
}

/// How the `?` overlay lists a binding. A line is the keys of the
/// bindings on it, then its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Help {
    Hidden,
    /// Opens a line with this text.
    Line(&'static str),
    /// On the line above, after one space: the same group of keys.
    Beside,
    /// On the line above, after two spaces: a group of its own.
    After,
    /// On the line above, after a comma.
    Or,
}

/// How the footer shows a binding: its key, then the label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Footer {
    None,
    /// In the key hints when nothing else is shown, at this place.
    Browsing(u8, &'static str),
    /// After the filter being typed, at this place.
    Filtering(u8, &'static str),
    /// In tuning mode's line, at this place; keys at one place share the
    /// label (`←/→ ±1`).
    Tuning(u8, &'static str),
    /// In the connections view's key hints, at this place.
    Connections(u8, &'static str),
    /// In the drain view's key hints, at this place.
    Drain(u8, &'static str),
}

/// One line of the key table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub press: Press,
    pub context: Context,
    pub command: Command,
    pub help: Help,
    pub footer: Footer,
    /// The name `[keys]` in config.toml remaps this binding's press by;
    /// `None` for keys that cannot be remapped (arrows, mouse, dialogs).
    pub action: Option<&'static str>,
}

/// A binding not shown in the overlay nor the footer.
pub const fn bind(press: Press, context: Context, command: Command) -> Binding {
    Binding {
        press,
        context,
        command,
        help: Help::Hidden,
        footer: Footer::None,
        action: None,
    }
}

impl Binding {
    pub const fn help(self, help: Help) -> Binding {
        Binding { help, ..self }
    }

    pub const fn footer(self, footer: Footer) -> Binding {
        Binding { footer, ..self }
    }

    /// Makes the binding remappable under this action name.
    pub const fn action(self, name: &'static str) -> Binding {
        Binding {
            action: Some(name),
            ..self
        }
    }
}
