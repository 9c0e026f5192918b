use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::*;

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn browsing() -> Situation {
    Situation::default()
}

#[test]
fn help_lists_every_key() {
    let expected: &[(&str, &str)] = &[
        ("↑ ↓  j k", "move the selection"),
        ("PgUp PgDn Home End", "a page / first / last row"),
        ("Enter  → ←  l h", "expand / collapse, ← up to the service"),
        ("Enter, w", "tuning mode on a real server's weight"),
        ("← → ⇧← ⇧→  0  Esc", "in it: ±1 ±10, 0 drains, Esc done"),
        ("+ -  W  x  X", "weight ±1 / exact / drain, X drain view"),
        ("A  a", "add service / real server"),
        ("E  e", "edit service / real server"),
        ("D  d", "delete service / real server"),
        ("s  Z  u", "scheduler / zero counters / undo"),
        ("J  K", "journal / kernel settings (net.ipv4.vs)"),
        (
            "c  Enter  E  Esc",
            "connections; in it: entries, exact, back",
        ),
        ("T  t  s S  u", "director panel: timeouts, sync daemons"),
        ("/  Esc  o  O", "filter (Esc clears) / sort next, reverse"),
        ("f  n", "freeze (polling goes on) / next alert"),
        ("m  #", "sparkline metric / exact numbers, K M G"),
        ("?, F1  q, F10", "this help / quit (Ctrl-C too)"),
        ("wheel, click", "scroll, select"),
    ];
    let lines = KeyTable::default().help_lines(false);
    let lines: Vec<(&str, &str)> = lines.iter().map(|(k, w)| (k.as_str(), *w)).collect();
    assert_eq!(lines, expected);
}

#[test]
fn the_fleet_keys_are_listed_over_several_directors_only() {
    let fleet_line = (
        "Tab ⇧Tab  F  V  =".to_string(),
        "next/prev director, diffs, by VS, to all",
    );
    let mut t = KeyTable::default();
    assert!(!t.help_lines(false).contains(&fleet_line));
    t.list_fleet_keys(true);
    let lines = t.help_lines(false);
    assert_eq!(lines.len(), 19);
    assert_eq!(lines[13], fleet_line);
    // The fleet monitor takes them; a director's table dispatches none
    // (a dialog's Tab is the dialog's; under help any key closes it).
    for c in [KeyCode::Tab, KeyCode::BackTab] {
        let mut outside = Situation::every().filter(|s| !s.dialog && !s.help);
        assert!(outside.all(|s| t.key(&key(c), &s).is_none()));
    }
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
            "?/F1 help",
            "/ filter",
            "o sort",
            "f freeze",
            "m metric",
            "J journal",
            "q/F10 quit"
        ]
    );
    assert_eq!(names(true), ["Enter keeps", "Esc clears"]);
}

#[test]
fn editing_letters_are_commands_not_view_actions() {
    let t = KeyTable::default();
    for c in [
        'a', 'A', 'e', 'E', 'd', 'D', 's', 'Z', 'u', 'w', 'W', 'x', '+', '-', 'J',
    ] {
        let got = t.key(&key(KeyCode::Char(c)), &browsing());
        assert!(matches!(got, Some(Dispatch::Edit(_))), "{c}: {got:?}");
        let help = Situation {
            help: true,
            ..browsing()
        };
        assert_eq!(
            t.key(&key(KeyCode::Char(c)), &help),
            Some(Dispatch::View(Action::CloseHelp)),
            "{c} under help closes it"
        );
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

fn real_server() -> Situation {
    Situation {
        real_server: true,
        ..browsing()
    }
}

fn tuning() -> Situation {
    Situation {
        tuning: true,
        ..real_server()
    }
}

fn shift(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::SHIFT)
}

/// Outside tuning mode the arrows only move, expand and collapse, on every
/// row: the weight bindings ←/→/⇧←/⇧→ of real-server rows are gone.
#[test]
fn arrows_navigate_on_every_row() {
    let t = KeyTable::default();
    for now in [browsing(), real_server()] {
        for (e, a) in [
            (key(KeyCode::Left), Action::Left),
            (key(KeyCode::Right), Action::Right),
            (shift(KeyCode::Left), Action::Left),
            (shift(KeyCode::Right), Action::Right),
            (key(KeyCode::Char('h')), Action::Left),
            (key(KeyCode::Char('l')), Action::Right),
        ] {
            assert_eq!(t.key(&e, &now), Some(Dispatch::View(a)), "{e:?} {now:?}");
        }
    }
    assert_eq!(
        t.key(&key(KeyCode::Enter), &browsing()),
        Some(Dispatch::View(Action::Toggle))
    );
}

#[test]
fn enter_and_w_on_a_real_server_enter_tuning_mode() {
    let t = KeyTable::default();
    let tune = Some(Dispatch::Edit(EditCommand::Tune));
    assert_eq!(t.key(&key(KeyCode::Enter), &real_server()), tune);
    assert_eq!(t.key(&key(KeyCode::Char('w')), &real_server()), tune);
    // On a service row `w` says to select a real server (the command does).
    assert_eq!(t.key(&key(KeyCode::Char('w')), &browsing()), tune);
    assert_eq!(
        t.key(&key(KeyCode::Char('W')), &real_server()),
        Some(Dispatch::Edit(EditCommand::ExactWeight))
    );
}

#[test]
fn tuning_mode_arrows_change_the_weight_and_esc_or_enter_leave() {
    let t = KeyTable::default();
    let edit = |c| Some(Dispatch::Edit(c));
    let now = tuning();
    assert_eq!(
        t.key(&key(KeyCode::Right), &now),
        edit(EditCommand::Nudge(1))
    );
    assert_eq!(
        t.key(&key(KeyCode::Left), &now),
        edit(EditCommand::Nudge(-1))
    );
    assert_eq!(
        t.key(&shift(KeyCode::Right), &now),
        edit(EditCommand::Nudge(10))
    );
    assert_eq!(
        t.key(&shift(KeyCode::Left), &now),
        edit(EditCommand::Nudge(-10))
    );
    assert_eq!(
        t.key(&key(KeyCode::Char('0')), &now),
        edit(EditCommand::TuneDrain)
    );
    assert_eq!(t.key(&key(KeyCode::Esc), &now), edit(EditCommand::TuneDone));
    assert_eq!(
        t.key(&key(KeyCode::Enter), &now),
        edit(EditCommand::TuneDone)
    );
    // ↑ moves (the monitor leaves the mode first); `0` outside it is nothing.
    assert_eq!(
        t.key(&key(KeyCode::Up), &now),
        Some(Dispatch::View(Action::Up))
    );
    assert_eq!(t.key(&key(KeyCode::Char('0')), &real_server()), None);
    // Filtering or a dialog take the keys even with the mode on.
    let filtering = Situation {
        filtering: true,
        ..now
    };
    assert_eq!(
        t.key(&key(KeyCode::Left), &filtering),
        Some(Dispatch::View(Action::Left))
    );
}

#[test]
fn plus_and_minus_change_the_weight_by_one() {
    let t = KeyTable::default();
    for now in [real_server(), tuning()] {
        assert_eq!(
            t.key(&key(KeyCode::Char('+')), &now),
            Some(Dispatch::Edit(EditCommand::Nudge(1)))
        );
        assert_eq!(
            t.key(&key(KeyCode::Char('-')), &now),
            Some(Dispatch::Edit(EditCommand::Nudge(-1)))
        );
    }
}

#[test]
fn tuning_footer_groups_keys_by_label() {
    let names: Vec<String> = KeyTable::default()
        .tuning_footer()
        .into_iter()
        .map(|(k, w)| format!("{k} {w}"))
        .collect();
    assert_eq!(names, ["←/→ ±1", "⇧←/⇧→ ±10", "0 drain", "Esc done"]);
}

/// No navigation key, on any row, in or out of a filter, comes to a
/// change: only `View` actions.
#[test]
fn no_navigation_key_is_an_edit_outside_tuning_mode() {
    let t = KeyTable::default();
    let mut nav = vec![
        key(KeyCode::Up),
        key(KeyCode::Down),
        key(KeyCode::PageUp),
        key(KeyCode::PageDown),
        key(KeyCode::Home),
        key(KeyCode::End),
        key(KeyCode::Left),
        key(KeyCode::Right),
        shift(KeyCode::Left),
        shift(KeyCode::Right),
    ];
    nav.extend("jkhlgG".chars().map(|c| key(KeyCode::Char(c))));
    for now in [browsing(), real_server()] {
        for e in &nav {
            let got = t.key(e, &now);
            assert!(
                matches!(got, Some(Dispatch::View(_))),
                "{e:?} {now:?}: {got:?}"
            );
        }
    }
    // Enter only expands and collapses on a service row.
    assert_eq!(
        t.key(&key(KeyCode::Enter), &browsing()),
        Some(Dispatch::View(Action::Toggle))
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
    // PgUp/PgDn/Home/End are the journal pane's (it takes the keys while
    // open, as a dialog does).
    assert_eq!(
        t.key(&key(KeyCode::PageDown), &dialog),
        Some(Dispatch::Dialog(Key::PageDown))
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
        KeyCode::F(1),
        KeyCode::F(10),
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
    for now in Situation::every() {
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

/// Help: any key closes it, `q` included (it does not quit); only Ctrl-C
/// quits from under it. F1 opens it and F10 quits, as in htop.
#[test]
fn help_closes_on_any_key_and_f1_f10_work_as_in_htop() {
    let t = KeyTable::default();
    let help = Situation {
        help: true,
        ..browsing()
    };
    let close = Some(Dispatch::View(Action::CloseHelp));
    for k in [
        key(KeyCode::Char('q')),
        key(KeyCode::Char('?')),
        key(KeyCode::Esc),
        key(KeyCode::Down),
        key(KeyCode::F(1)),
        key(KeyCode::F(10)),
        KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL),
    ] {
        assert_eq!(t.key(&k, &help), close, "{k:?}");
    }
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(t.key(&ctrl_c, &help), Some(Dispatch::View(Action::Quit)));
    assert_eq!(
        t.key(&key(KeyCode::F(1)), &browsing()),
        Some(Dispatch::View(Action::Help))
    );
    let filtering = Situation {
        filtering: true,
        ..browsing()
    };
    for now in [browsing(), filtering] {
        assert_eq!(
            t.key(&key(KeyCode::F(10)), &now),
            Some(Dispatch::View(Action::Quit)),
            "{now:?}"
        );
    }
}

fn connections() -> Situation {
    Situation {
        connections: true,
        ..browsing()
    }
}

/// `c` opens the view on a service or a real server row, and closes it.
#[test]
fn c_opens_and_closes_the_connections_view() {
    let t = KeyTable::default();
    let c = key(KeyCode::Char('c'));
    for now in [browsing(), real_server(), tuning(), connections()] {
        assert_eq!(
            t.key(&c, &now),
            Some(Dispatch::View(Action::Connections)),
            "{now:?}"
        );
    }
}

/// In the view, Enter drills down, `E` reads exactly, Esc goes back; the
/// table's filter and sort keys are the view's own; and no key, letter or
/// otherwise, comes to a change of the table or a dialog.
#[test]
fn the_connections_view_has_its_keys_and_none_changes_the_table() {
    let t = KeyTable::default();
    let now = connections();
    let view = |a| Some(Dispatch::View(a));
    assert_eq!(t.key(&key(KeyCode::Enter), &now), view(Action::ConnEntries));
    assert_eq!(
        t.key(&key(KeyCode::Char('E')), &now),
        view(Action::ConnExact)
    );
    assert_eq!(t.key(&key(KeyCode::Esc), &now), view(Action::Escape));
    assert_eq!(
        t.key(&key(KeyCode::Char('/')), &now),
        view(Action::FilterStart)
    );
    assert_eq!(
        t.key(&key(KeyCode::Char('o')), &now),
        view(Action::SortNext)
    );
    assert_eq!(
        t.key(&key(KeyCode::Char('O')), &now),
        view(Action::SortReverse)
    );
    for now in [
        now,
        Situation {
            real_server: true,
            ..now
        },
        Situation {
            tuning: true,
            real_server: true,
            ..now
        },
    ] {
        for code in (' '..='~').map(KeyCode::Char).chain([
            KeyCode::Enter,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::Up,
            KeyCode::Down,
        ]) {
            for m in [KeyModifiers::NONE, KeyModifiers::SHIFT] {
                let e = KeyEvent::new(code, m);
                let got = t.key(&e, &now);
                assert!(
                    matches!(got, None | Some(Dispatch::View(_))),
                    "{e:?} in {now:?}: {got:?}"
                );
            }
        }
    }
    // Typing its client filter takes the letters, as the table's filter does.
    let typing = Situation {
        filtering: true,
        ..connections()
    };
    assert_eq!(
        t.key(&key(KeyCode::Char('E')), &typing),
        view(Action::FilterChar('E'))
    );
    assert_eq!(
        t.key(&key(KeyCode::Enter), &typing),
        view(Action::FilterAccept)
    );
}

#[test]
fn the_connections_footer_names_its_keys() {
    let names: Vec<String> = KeyTable::default()
        .connections_footer()
        .into_iter()
        .map(|(k, w)| format!("{k} {w}"))
        .collect();
    assert_eq!(
        names,
        [
            "Enter entries",
            "/ client",
            "o sort",
            "E exact read",
            "Esc back",
            "c close"
        ]
    );
}
