use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::*;

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn browsing() -> Situation {
    Situation::default()
}

#[test]
fn help_lists_every_key_as_before() {
    let expected: &[(&str, &str)] = &[
        ("↑ ↓  j k", "move the selection"),
        ("PgUp PgDn Home End", "a page / first / last row"),
        ("Enter", "expand / collapse a service"),
        ("→  ←", "expand / collapse (service rows)"),
        ("→ ← ⇧→ ⇧←", "weight +1 −1 +10 −10 (real server)"),
        ("w  x", "exact weight / drain, again restores"),
        ("A  a", "add service / real server"),
        ("E  e", "edit service / real server"),
        ("D  d", "delete service / real server"),
        ("s  Z  u", "scheduler / zero counters / undo"),
        ("J", "journal of changes"),
        ("/", "filter: address, port, scheduler"),
        ("Esc", "clear the filter / close help"),
        ("o  O", "sort by next column / reverse"),
        ("f", "freeze the display (polling goes on)"),
        ("m", "sparkline metric"),
        ("#", "exact numbers / K M G"),
        ("?", "this help"),
        ("q  Ctrl-C", "quit"),
        ("wheel, click", "scroll, select"),
    ];
    let lines = KeyTable::default().help_lines();
    let lines: Vec<(&str, &str)> = lines.iter().map(|(k, w)| (k.as_str(), *w)).collect();
    assert_eq!(lines, expected);
}

#[test]
fn footers_in_their_order() {
    let t = KeyTable::default();
    let names = |filtering| -> Vec<String> {
        t.footer(filtering)
            .into_iter()
            .map(|(k, w)| format!("{k} {w}"))
            .collect()
    };
    assert_eq!(
        names(false),
        [
            "? help",
            "/ filter",
            "o sort",
            "f freeze",
            "m metric",
            "J journal",
            "q quit"
        ]
    );
    assert_eq!(names(true), ["Enter keeps", "Esc clears"]);
}

#[test]
fn editing_letters_are_commands_not_view_actions() {
    let t = KeyTable::default();
    for c in ['a', 'A', 'e', 'E', 'd', 'D', 's', 'Z', 'u', 'w', 'x', 'J'] {
        let got = t.key(&key(KeyCode::Char(c)), &browsing());
        assert!(matches!(got, Some(Dispatch::Edit(_))), "{c}: {got:?}");
        let help = Situation {
            help: true,
            ..browsing()
        };
        assert_eq!(t.key(&key(KeyCode::Char(c)), &help), None, "{c} under help");
    }
    assert_eq!(t.key(&key(KeyCode::Char('r')), &browsing()), None);
}

#[test]
fn filter_mode_types_letters() {
    let t = KeyTable::default();
    let filtering = Situation {
        filtering: true,
        ..browsing()
    };
    let q = key(KeyCode::Char('q'));
    assert_eq!(
        t.key(&q, &filtering),
        Some(Dispatch::View(Action::FilterChar('q')))
    );
    assert_eq!(t.key(&q, &browsing()), Some(Dispatch::View(Action::Quit)));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(
        t.key(&ctrl_c, &filtering),
        Some(Dispatch::View(Action::Quit))
    );
    let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
    assert_eq!(t.key(&ctrl_q, &browsing()), None);
}

#[test]
fn arrows_nudge_real_servers_and_fold_services() {
    let t = KeyTable::default();
    let rs = Situation {
        real_server: true,
        ..browsing()
    };
    let shift_right = KeyEvent::new(KeyCode::Right, KeyModifiers::SHIFT);
    assert_eq!(
        t.key(&shift_right, &rs),
        Some(Dispatch::Edit(EditCommand::Nudge(10)))
    );
    assert_eq!(
        t.key(&key(KeyCode::Left), &rs),
        Some(Dispatch::Edit(EditCommand::Nudge(-1)))
    );
    assert_eq!(
        t.key(&shift_right, &browsing()),
        Some(Dispatch::View(Action::Right))
    );
    let filtering_rs = Situation {
        filtering: true,
        ..rs
    };
    assert_eq!(
        t.key(&key(KeyCode::Left), &filtering_rs),
        Some(Dispatch::View(Action::Left))
    );
}

#[test]
fn a_dialog_takes_its_keys_but_not_ctrl_c_nor_the_mouse() {
    let t = KeyTable::default();
    let dialog = Situation {
        dialog: true,
        ..browsing()
    };
    assert_eq!(
        t.key(&key(KeyCode::Char('q')), &dialog),
        Some(Dispatch::Dialog(Key::Char('q')))
    );
    assert_eq!(
        t.key(&key(KeyCode::PageDown), &dialog),
        Some(Dispatch::View(Action::PageDown))
    );
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(t.key(&ctrl_c, &dialog), Some(Dispatch::View(Action::Quit)));
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 3,
        row: 7,
        modifiers: KeyModifiers::NONE,
    };
    assert_eq!(t.mouse(&click, &dialog), None);
    assert_eq!(
        t.mouse(&click, &browsing()),
        Some(Dispatch::SelectAt { y: 7 })
    );
}

/// No key, in no situation, is claimed by two bindings of equal standing:
/// which one wins never depends on the table's order.
#[test]
fn no_two_bindings_tie() {
    let t = KeyTable::default();
    let mut events = Vec::new();
    for code in [
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Backspace,
        KeyCode::Tab,
    ]
    .into_iter()
    .chain((' '..='~').map(KeyCode::Char))
    {
        for m in [
            KeyModifiers::NONE,
            KeyModifiers::SHIFT,
            KeyModifiers::CONTROL,
        ] {
            events.push(KeyEvent::new(code, m));
        }
    }
    for bits in 0..16u8 {
        let now = Situation {
            filtering: bits & 1 != 0,
            help: bits & 2 != 0,
            dialog: bits & 4 != 0,
            real_server: bits & 8 != 0,
        };
        for e in &events {
            let scores: Vec<_> = t
                .bindings()
                .iter()
                .filter(|b| b.context.applies(&now) && b.press.matches_key(e))
                .map(|b| (b.context.rank(), b.press.specificity()))
                .collect();
            if let Some(top) = scores.iter().max() {
                let ties = scores.iter().filter(|s| *s == top).count();
                assert_eq!(ties, 1, "{e:?} in {now:?}");
            }
        }
    }
}
