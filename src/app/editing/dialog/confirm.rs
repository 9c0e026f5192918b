//! Confirmations: deleting a service or a real server, zeroing every
//! counter. Each says what goes and shows the ipvsadm command; `y` sends.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::app::warnings::Warning;
use crate::app::ServiceRow;
use crate::model::{Change, Dest, ServiceKey};

use super::super::request::{Request, UndoNext};
use super::{Body, Key, Modal, Outcome};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    title: String,
    lines: Vec<String>,
    request: Request,
}

impl Confirmation {
    /// `D`: the service, its real servers and their connections.
    pub fn delete_service(s: &ServiceRow) -> Confirmation {
        let key = s.service().key;
        let dests = s.dests().len();
        Confirmation {
            title: "Delete virtual service".into(),
            lines: vec![
                format!("Delete {key}?"),
                format!(
                    "With it go {} real server{} and {} active connection{}.",
                    dests,
                    plural(dests as u64),
                    s.active(),
                    plural(s.active())
                ),
                rules_line(&Change::DeleteService(key)),
            ],
            request: Request::Apply(Change::DeleteService(key)),
        }
    }

    /// `d`: the real server and its connections, and what the kernel's
    /// settings will do to them (`warnings`).
    pub fn delete_dest(service: ServiceKey, d: &Dest, warnings: &[Warning]) -> Confirmation {
        let change = Change::DeleteDest {
            service,
            dest: d.key(),
        };
        let active = u64::from(d.active_conns);
        Confirmation {
            title: "Delete real server".into(),
            lines: vec![
                format!(
                    "Delete real server {} of {service}?",
                    crate::output::addr_port(&d.addr, d.port)
                ),
                format!(
                    "With it go {} active connection{} (weight {}).",
                    active,
                    plural(active),
                    d.weight
                ),
            ]
            .into_iter()
            .chain(warnings.iter().map(|w| format!("! {w}")))
            .chain([rules_line(&change)])
            .collect(),
            request: Request::Apply(change),
        }
    }

    /// `u` when undoing the last change takes something out of the table
    /// (undoing an add): it says what goes.
    pub fn undo(next: &UndoNext) -> Confirmation {
        let mut lines = vec![
            "Undo the last change? Undoing it will".to_string(),
            format!("{}.", next.words),
        ];
        lines.extend(next.commands.iter().cloned());
        Confirmation {
            title: "Undo deletes".into(),
            lines,
            request: Request::Undo {
                of: next.id.clone(),
            },
        }
    }

    /// `Z` then `a`, or `Z` with no service selected.
    pub fn zero_all(services: usize) -> Confirmation {
        Confirmation {
            title: "Zero all counters".into(),
            lines: vec![
                format!(
                    "Zero the counters of all {services} virtual service{} and their real servers?",
                    plural(services as u64)
                ),
                "This cannot be undone.".into(),
                rules_line(&Change::Zero(None)),
            ],
            request: Request::Apply(Change::Zero(None)),
        }
    }

    pub fn key(self, key: Key) -> Outcome {
        match key {
            Key::Char('y') | Key::Char('Y') => Outcome::Send(self.request),
            Key::Char('n') | Key::Esc => Outcome::Close,
            _ => Outcome::Stay(Modal::Confirm(self)),
        }
    }

    pub fn body(&self) -> Body {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let mut lines: Vec<Line> = self.lines.iter().map(|l| Line::from(l.clone())).collect();
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            Span::styled("y", bold),
            Span::raw(" confirm · "),
            Span::styled("n", bold),
            Span::raw("/Esc cancel"),
        ]));
        Body {
            title: self.title.clone(),
            lines,
            width: 78,
        }
    }
}

fn rules_line(change: &Change) -> String {
    crate::output::command_line(change)
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
