//! `[keys]` in config.toml: an action name from the key table, then the
//! key that replaces its press (`quit = "Q"`, `filter = "ctrl-f"`,
//! `help = "F2"`). A remap that would shadow or be shadowed by another
//! binding is refused, so no key silently stops working.

use crossterm::event::KeyCode;

use super::binding::{Binding, Context, Press, Situation};
use super::KeyTable;

impl KeyTable {
    /// This table with each `(action, key)` remapped; the first problem,
    /// naming the action and the key, if any.
    pub fn remapped<'a>(
        &self,
        remaps: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<KeyTable, String> {
        let mut bindings = self.bindings.clone();
        let mut changed = Vec::new();
        for (action, key) in remaps {
            let press = parse_press(key)
                .ok_or_else(|| format!("keys.{action}: {key:?} is not a key ({KEY_FORMS})"))?;
            let Some(i) = bindings.iter().position(|b| b.action == Some(action)) else {
                return Err(format!(
                    "keys.{action}: unknown action (known: {})",
                    self.actions().join(", ")
                ));
            };
            bindings[i].press = press;
            changed.push((i, action, key));
        }
        for (i, action, key) in changed {
            let b = &bindings[i];
            let clash = bindings
                .iter()
                .enumerate()
                .find(|(j, o)| *j != i && o.press == b.press && overlap(o.context, b.context));
            if let Some((_, other)) = clash {
                return Err(format!(
                    "keys.{action}: {key:?} is already {}",
                    describe(other)
                ));
            }
        }
        Ok(KeyTable {
            bindings,
            fleet: self.fleet,
        })
    }

    /// The names `[keys]` accepts, in table order.
    pub fn actions(&self) -> Vec<&'static str> {
        self.bindings.iter().filter_map(|b| b.action).collect()
    }
}

const KEY_FORMS: &str = "a character, ctrl-<letter>, F1-F12, or one of enter, esc, tab, \
backspace, space, up, down, left, right, pgup, pgdn, home, end";

/// Whether both contexts apply in some situation: then one binding would
/// hide the other.
fn overlap(a: Context, b: Context) -> bool {
    Situation::every().any(|s| a.takes(&s) && b.takes(&s))
}

/// The clashing binding as the operator knows it: its action name, or, for
/// a key that cannot be remapped, that it is fixed.
fn describe(b: &Binding) -> String {
    match b.action {
        Some(name) => format!("the key of {name}"),
        None => "a fixed key of the monitor, which cannot be remapped".into(),
    }
}

/// A key as config.toml spells it.
fn parse_press(text: &str) -> Option<Press> {
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return (!c.is_control()).then_some(Press::Key(KeyCode::Char(c)));
    }
    let lower = text.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("ctrl-") {
        let mut chars = rest.chars();
        return match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => Some(Press::Ctrl(c)),
            _ => None,
        };
    }
    if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
        return (1..=12).contains(&n).then_some(Press::Key(KeyCode::F(n)));
    }
    let code = match lower.as_str() {
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backspace" => KeyCode::Backspace,
        "space" => KeyCode::Char(' '),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pgup" => KeyCode::PageUp,
        "pgdn" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        _ => return None,
    };
    Some(Press::Key(code))
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::Action;
    use crate::keys::Dispatch;

    #[test]
    fn parses_the_key_forms() {
        assert_eq!(parse_press("Q"), Some(Press::Key(KeyCode::Char('Q'))));
        assert_eq!(parse_press("ctrl-f"), Some(Press::Ctrl('f')));
        assert_eq!(parse_press("Ctrl-F"), Some(Press::Ctrl('f')));
        assert_eq!(parse_press("F2"), Some(Press::Key(KeyCode::F(2))));
        assert_eq!(parse_press("space"), Some(Press::Key(KeyCode::Char(' '))));
        assert_eq!(parse_press("PgDn"), Some(Press::Key(KeyCode::PageDown)));
        for bad in [
            "", "F13", "F0", "ctrl-", "ctrl-1", "ctrl-ab", "qq", "\t", "shift",
        ] {
            assert_eq!(parse_press(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_action_name_is_unique() {
        let names = KeyTable::default().actions();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert!(names.contains(&"quit") && names.contains(&"next-alert"));
    }

    #[test]
    fn refuses_unknown_actions_and_keys_naming_them() {
        let t = KeyTable::default();
        let e = t.remapped([("frobnicate", "x")]).unwrap_err();
        assert!(e.starts_with("keys.frobnicate: unknown action"), "{e}");
        assert!(e.contains("sort-next"), "{e}");
        let e = t.remapped([("quit", "ctrl-")]).unwrap_err();
        assert!(e.starts_with("keys.quit: \"ctrl-\" is not a key"), "{e}");
    }

    #[test]
    fn refuses_collisions_in_the_same_context() {
        let t = KeyTable::default();
        // f is freeze's key while browsing, as quit's is.
        let e = t.remapped([("quit", "f")]).unwrap_err();
        assert_eq!(e, "keys.quit: \"f\" is already the key of freeze");
        // j moves down: a fixed key, said as such.
        let e = t.remapped([("help", "j")]).unwrap_err();
        assert!(e.starts_with("keys.help: \"j\" is already a fixed key of the monitor"));
        // Ctrl-C quits everywhere.
        assert!(t.remapped([("filter", "ctrl-c")]).is_err());
        // V is the fleet monitor's, which takes it before a director's table.
        let e = t.remapped([("filter", "V")]).unwrap_err();
        assert!(
            e.starts_with("keys.filter: \"V\" is already a fixed key"),
            "{e}"
        );
        // 0 drains in tuning mode, where quit's key also applies.
        assert!(t.remapped([("quit", "0")]).is_err());
        // Two actions onto one key.
        assert!(t.remapped([("quit", "Q"), ("freeze", "Q")]).is_err());
    }

    fn press(t: &KeyTable, code: KeyCode, mods: KeyModifiers) -> Option<Dispatch> {
        t.key(&KeyEvent::new(code, mods), &Situation::default())
    }

    #[test]
    fn dispatch_follows_the_remap() {
        let t = KeyTable::default()
            .remapped([("quit", "Q"), ("filter", "ctrl-f"), ("help", "F2")])
            .unwrap();
        let none = KeyModifiers::NONE;
        let quit = Some(Dispatch::View(Action::Quit));
        assert_eq!(press(&t, KeyCode::Char('Q'), KeyModifiers::SHIFT), quit);
        assert_eq!(press(&t, KeyCode::Char('q'), none), None, "q is free now");
        assert_eq!(press(&t, KeyCode::F(10), none), quit, "F10 is not remapped");
        let filter = Some(Dispatch::View(Action::FilterStart));
        assert_eq!(press(&t, KeyCode::Char('f'), KeyModifiers::CONTROL), filter);
        assert_eq!(press(&t, KeyCode::Char('/'), none), None);
        let help = Some(Dispatch::View(Action::Help));
        assert_eq!(press(&t, KeyCode::F(2), none), help);
        assert_eq!(press(&t, KeyCode::F(1), none), help, "F1 stays");
    }

    #[test]
    fn help_and_footer_name_the_new_keys() {
        let t = KeyTable::default()
            .remapped([("quit", "Q"), ("filter", "ctrl-f"), ("help", "F2")])
            .unwrap();
        let lines = t.help_lines(false);
        let line = |text: &str| lines.iter().find(|l| l.1 == text).unwrap().0.clone();
        assert_eq!(line("this help / quit (Ctrl-C too)"), "F2, F1  Q, F10");
        assert_eq!(
            line("filter (Esc clears) / sort next, reverse"),
            "Ctrl-F  Esc  o  O"
        );
        let footer: Vec<String> = t
            .footer(false)
            .iter()
            .map(|(k, l)| format!("{k} {l}"))
            .collect();
        assert_eq!(footer[0], "F2/F1 help");
        assert_eq!(footer[1], "Ctrl-F filter");
        assert!(footer.contains(&"Q/F10 quit".to_string()), "{footer:?}");
    }

    /// The connections view's keys remap as the others do, its footer and
    /// help following; `E` of the view cannot go on a key the view already
    /// answers (`o` sorts there), though it may share one with the table's
    /// edit keys, which do not apply under the view.
    #[test]
    fn the_connections_keys_remap() {
        let t = KeyTable::default()
            .remapped([("connections", "C"), ("exact-read", "X")])
            .unwrap();
        let view = Situation {
            connections: true,
            ..Situation::default()
        };
        let shift = KeyModifiers::SHIFT;
        let k = |code, mods, now: &Situation| t.key(&KeyEvent::new(code, mods), now);
        assert_eq!(
            press(&t, KeyCode::Char('C'), shift),
            Some(Dispatch::View(Action::Connections))
        );
        assert_eq!(press(&t, KeyCode::Char('c'), KeyModifiers::NONE), None);
        assert_eq!(
            k(KeyCode::Char('X'), shift, &view),
            Some(Dispatch::View(Action::ConnExact))
        );
        assert_eq!(
            k(KeyCode::Char('E'), shift, &view),
            None,
            "E is free in the view now"
        );
        let footer: Vec<String> = t
            .connections_footer()
            .iter()
            .map(|(k, l)| format!("{k} {l}"))
            .collect();
        assert!(footer.contains(&"X exact read".to_string()), "{footer:?}");
        assert!(footer.contains(&"C close".to_string()), "{footer:?}");
        assert!(KeyTable::default().remapped([("exact-read", "o")]).is_err());
        assert!(KeyTable::default().remapped([("exact-read", "w")]).is_ok());
    }

    #[test]
    fn swaps_and_free_keys_are_accepted() {
        let t = KeyTable::default();
        assert!(t.remapped([("quit", "f"), ("freeze", "q")]).is_ok());
        assert!(t
            .remapped([("quit", "Q"), ("filter", "ctrl-f"), ("help", "F2")])
            .is_ok());
    }
}
