//! Keys to monitor actions. The editing keys (a A e E d D s Z u w x J, and
//! ←/→ on a real server) are not bound here: the monitor offers every key to
//! the editing UI first (`app::editing`), and only the keys it does not take
//! come here.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::app::Action;

/// The action for a key press; `editing` is true while typing a filter, when
/// printable keys are text.
pub fn action_for_key(key: KeyEvent, editing: bool) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') => Some(Action::Quit),
            _ => None,
        };
    }
    let nav = match key.code {
        KeyCode::Up => Some(Action::Up),
        KeyCode::Down => Some(Action::Down),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::PageDown => Some(Action::PageDown),
        KeyCode::Home => Some(Action::Home),
        KeyCode::End => Some(Action::End),
        KeyCode::Left => Some(Action::Left),
        KeyCode::Right => Some(Action::Right),
        KeyCode::Esc => Some(Action::Escape),
        _ => None,
    };
    if nav.is_some() {
        return nav;
    }
    if editing {
        return match key.code {
            KeyCode::Char(c) => Some(Action::FilterChar(c)),
            KeyCode::Backspace => Some(Action::FilterBackspace),
            KeyCode::Enter => Some(Action::FilterAccept),
            _ => None,
        };
    }
    match key.code {
        KeyCode::Enter => Some(Action::Toggle),
        KeyCode::Char('k') => Some(Action::Up),
        KeyCode::Char('j') => Some(Action::Down),
        KeyCode::Char('g') => Some(Action::Home),
        KeyCode::Char('G') => Some(Action::End),
        KeyCode::Char('/') => Some(Action::FilterStart),
        KeyCode::Char('o') => Some(Action::SortNext),
        KeyCode::Char('O') => Some(Action::SortReverse),
        KeyCode::Char('f') => Some(Action::Freeze),
        KeyCode::Char('m') => Some(Action::NextMetric),
        KeyCode::Char('?') => Some(Action::Help),
        KeyCode::Char('#') => Some(Action::ToggleExact),
        KeyCode::Char('q') => Some(Action::Quit),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn reserved_letters_stay_unbound() {
        for c in ['a', 'A', 'e', 'E', 'd', 'D', 's', 'Z', 'u', 'w', 'x', 'r'] {
            assert_eq!(action_for_key(key(KeyCode::Char(c)), false), None, "{c}");
        }
    }

    #[test]
    fn filter_mode_types_letters() {
        assert_eq!(
            action_for_key(key(KeyCode::Char('q')), true),
            Some(Action::FilterChar('q'))
        );
        assert_eq!(
            action_for_key(key(KeyCode::Char('q')), false),
            Some(Action::Quit)
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for_key(ctrl_c, true), Some(Action::Quit));
    }
}
