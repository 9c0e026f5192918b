//! Keys: one table ([`DEFAULT`]) from which dispatch, the `?` overlay and
//! the footer are all generated. A key press finds the bindings whose
//! press and context match; the narrowest context wins, then the most
//! specific press (Shift+→ over →).

mod binding;
mod remap;
mod table;

use crossterm::event::{KeyEvent, KeyEventKind, MouseEvent};

use crate::app::editing::{EditCommand, Key};
use crate::app::Action;

pub use binding::{bind, Binding, Command, Context, Footer, Help, Press, Situation};
pub use table::DEFAULT;

/// What a key or mouse event comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    View(Action),
    Edit(EditCommand),
    /// For the open dialog.
    Dialog(Key),
    /// Select the table row at this screen line.
    SelectAt {
        y: u16,
    },
}

/// The bindings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTable {
    bindings: Vec<Binding>,
    /// The overlay lists the fleet's keys: the monitor has several directors.
    fleet: bool,
}

impl Default for KeyTable {
    fn default() -> Self {
        KeyTable {
            bindings: DEFAULT.to_vec(),
            fleet: false,
        }
    }
}

impl KeyTable {
    /// The overlay lists the fleet's keys (Tab, F, V, =) or leaves them out.
    pub fn list_fleet_keys(&mut self, on: bool) {
        self.fleet = on;
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// What a key press does now, if anything.
    pub fn key(&self, k: &KeyEvent, now: &Situation) -> Option<Dispatch> {
        if k.kind == KeyEventKind::Release {
            return None;
        }
        let b = self.best(now, |p| p.matches_key(k))?;
        Some(match b.command {
            Command::View(a) => Dispatch::View(a),
            Command::TypeFilter => match k.code {
                crossterm::event::KeyCode::Char(c) => Dispatch::View(Action::FilterChar(c)),
                _ => return None,
            },
            Command::TypeTime => match k.code {
                crossterm::event::KeyCode::Char(c) => Dispatch::View(Action::GoToChar(c)),
                _ => return None,
            },
            Command::Edit(e) => Dispatch::Edit(e),
            Command::Dialog => Dispatch::Dialog(binding::dialog_key(k)?),
            Command::SelectClicked | Command::Fleet => return None,
        })
    }

    /// What a mouse event does now, if anything.
    pub fn mouse(&self, m: &MouseEvent, now: &Situation) -> Option<Dispatch> {
        let b = self.best(now, |p| p.matches_mouse(m))?;
        match b.command {
            Command::View(a) => Some(Dispatch::View(a)),
            Command::SelectClicked => Some(Dispatch::SelectAt { y: m.row }),
            _ => None,
        }
    }

    fn best(&self, now: &Situation, matches: impl Fn(Press) -> bool) -> Option<&Binding> {
        let mut best: Option<&Binding> = None;
        for b in &self.bindings {
            if !b.context.applies(now) || !matches(b.press) {
                continue;
            }
            let score = |b: &Binding| (b.context.rank(), b.press.specificity());
            if best.is_none_or(|x| score(b) > score(x)) {
                best = Some(b);
            }
        }
        best
    }

    /// The `?` overlay's lines: the keys, then what they do. A replay's
    /// lists its cursor keys instead of the changes it cannot make (the
    /// overlay fits 80x24 either way); a live one leaves the cursor out.
    /// The fleet's keys are listed only over several directors.
    pub fn help_lines(&self, replay: bool) -> Vec<(String, &'static str)> {
        let mut lines: Vec<(String, &'static str)> = Vec::new();
        let mut skipping = false;
        for b in &self.bindings {
            let name = b.press.name();
            if let Help::Line(_) = b.help {
                let changes = matches!(b.command, Command::Edit(e) if e != EditCommand::Journal);
                let cursor = b.context == Context::Replay;
                let fleet = b.context == Context::Fleet && !self.fleet;
                skipping = fleet || if replay { changes } else { cursor };
            }
            if skipping {
                continue;
            }
            let joined = match b.help {
                Help::Hidden => continue,
                Help::Line(text) => {
                    lines.push((name, text));
                    continue;
                }
                Help::Beside => " ",
                Help::After => "  ",
                Help::Or => ", ",
            };
            if let Some((keys, _)) = lines.last_mut() {
                keys.push_str(joined);
                keys.push_str(&name);
            }
        }
        lines
    }

    /// The name of the first key bound to a command, listed or not.
    pub fn key_for(&self, command: Command) -> Option<String> {
        let b = self.bindings.iter().find(|b| b.command == command)?;
        Some(b.press.name())
    }

    /// The key hints of one footer, in order: the key, then its label.
    pub fn footer(&self, filtering: bool) -> Vec<(String, &'static str)> {
        let mut hints: Vec<(u8, String, &'static str)> = self
            .bindings
            .iter()
            .filter_map(|b| match (b.footer, filtering) {
                (Footer::Browsing(at, label), false) | (Footer::Filtering(at, label), true) => {
                    Some((at, b.press.name(), label))
                }
                _ => None,
            })
            .collect();
        hints.sort_by_key(|h| h.0);
        // Keys for the same hint share it: `?/F1 help`.
        let mut merged: Vec<(u8, String, &'static str)> = Vec::new();
        for (at, k, l) in hints {
            match merged.last_mut() {
                Some((a, keys, _)) if *a == at => {
                    keys.push('/');
                    keys.push_str(&k);
                }
                _ => merged.push((at, k, l)),
            }
        }
        merged.into_iter().map(|(_, k, l)| (k, l)).collect()
    }

    /// The connections view's key hints, in order. The table's filter and
    /// sort keys are the view's own there (a client filter, the sort of the
    /// list in view), so they are named from their bindings.
    pub fn connections_footer(&self) -> Vec<(String, &'static str)> {
        let mut hints: Vec<(u8, String, &'static str)> = self
            .bindings
            .iter()
            .filter_map(|b| match b.footer {
                Footer::Connections(at, label) => Some((at, b.press.name(), label)),
                _ => None,
            })
            .collect();
        let shared = [
            (1, Action::FilterStart, "client"),
            (2, Action::SortNext, "sort"),
        ];
        for (at, action, label) in shared {
            if let Some(k) = self.key_for(Command::View(action)) {
                hints.push((at, k, label));
            }
        }
        hints.sort_by_key(|h| h.0);
        hints.into_iter().map(|(_, k, l)| (k, l)).collect()
    }

    /// The drain view's key hints, in order.
    pub fn drain_footer(&self) -> Vec<(String, &'static str)> {
        let mut hints: Vec<(u8, String, &'static str)> = self
            .bindings
            .iter()
            .filter_map(|b| match b.footer {
                Footer::Drain(at, label) => Some((at, b.press.name(), label)),
                _ => None,
            })
            .collect();
        hints.sort_by_key(|h| h.0);
        hints.into_iter().map(|(_, k, l)| (k, l)).collect()
    }

    /// Tuning mode's key hints, in order: keys at one place joined by `/`,
    /// then their label (`←/→ ±1`).
    pub fn tuning_footer(&self) -> Vec<(String, &'static str)> {
        let mut hints: Vec<(u8, String, &'static str)> = Vec::new();
        for b in &self.bindings {
            let Footer::Tuning(at, label) = b.footer else {
                continue;
            };
            match hints.iter_mut().find(|h| h.0 == at) {
                Some(h) => {
                    h.1.push('/');
                    h.1.push_str(&b.press.name());
                }
                None => hints.push((at, b.press.name(), label)),
            }
        }
        hints.sort_by_key(|h| h.0);
        hints.into_iter().map(|(_, k, l)| (k, l)).collect()
    }
}

#[cfg(test)]
mod tests;
