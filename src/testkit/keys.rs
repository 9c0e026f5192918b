//! Key presses written as text, for scripted tests.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

/// Plain characters, or `<Name>` for a special key and `<S-Name>` for it
/// with Shift: Enter, Esc, Up, Down, Left, Right, PgUp, PgDn, Home, End,
/// Tab, Bs, F1 to F12. A `<` not followed by a capital is the character itself.
pub fn key_events(keys: &str) -> Vec<Event> {
    let mut out = Vec::new();
    let mut chars = keys.chars().peekable();
    while let Some(c) = chars.next() {
        let mut mods = KeyModifiers::NONE;
        let code = if c == '<' && chars.peek().is_some_and(|c| c.is_ascii_uppercase()) {
            let name: String = chars.by_ref().take_while(|c| *c != '>').collect();
            let name = match name.strip_prefix("S-") {
                Some(n) => {
                    mods = KeyModifiers::SHIFT;
                    n.to_string()
                }
                None => name,
            };
            named(&name)
        } else {
            KeyCode::Char(c)
        };
        out.push(Event::Key(KeyEvent::new(code, mods)));
    }
    out
}

fn named(name: &str) -> KeyCode {
    match name {
        "Enter" => KeyCode::Enter,
        "Esc" => KeyCode::Esc,
        "Up" => KeyCode::Up,
        "Down" => KeyCode::Down,
        "Left" => KeyCode::Left,
        "Right" => KeyCode::Right,
        "PgDn" => KeyCode::PageDown,
        "PgUp" => KeyCode::PageUp,
        "Home" => KeyCode::Home,
        "End" => KeyCode::End,
        "Tab" => KeyCode::Tab,
        "Bs" => KeyCode::Backspace,
        other => match other.strip_prefix('F').and_then(|n| n.parse::<u8>().ok()) {
            Some(n @ 1..=12) => KeyCode::F(n),
            _ => panic!("unknown key {other}"),
        },
    }
}
