//! The drain assistant's dialogs: the deadline typed in minutes, the
//! question when the deadline comes with connections left, and the offer
//! to resume a drain a previous lvstop left open.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::app::drain::{DrainRequest, Watch};
use crate::journal::{DrainOptions, OpenDrain};
use crate::model::{DestKey, ServiceKey};
use crate::output::addr_port;

use super::super::request::Request;
use super::{Body, Key, Modal, Outcome};

/// The longest deadline typed: a day.
pub const DEADLINE_MAX_MINUTES: u64 = 24 * 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrainDialog {
    /// `t`: minutes from now; empty or 0 clears the deadline.
    Deadline {
        service: ServiceKey,
        dest: DestKey,
        options: DrainOptions,
        /// The wall time typed minutes count from (unix seconds).
        now_unix: u64,
        text: String,
        error: Option<String>,
    },
    /// The deadline came and connections remain.
    AtDeadline {
        service: ServiceKey,
        dest: DestKey,
        options: DrainOptions,
        previous_weight: u32,
        left: String,
    },
    /// A drain the journal says was left open, its server at weight 0.
    Resume(OpenDrain),
}

impl DrainDialog {
    pub fn deadline(w: &Watch, now_unix: u64) -> DrainDialog {
        let text = w
            .options
            .deadline_unix
            .map(|d| d.saturating_sub(now_unix).div_ceil(60).to_string())
            .unwrap_or_default();
        DrainDialog::Deadline {
            service: w.service,
            dest: w.dest,
            options: w.options,
            now_unix,
            text,
            error: None,
        }
    }

    pub fn at_deadline(w: &Watch) -> DrainDialog {
        let left = match w.last() {
            Some(s) => format!(
                "{} active, {} inactive, {} persistent",
                s.active, s.inactive, s.persistent
            ),
            None => "its counts are not read yet".into(),
        };
        DrainDialog::AtDeadline {
            service: w.service,
            dest: w.dest,
            options: w.options,
            previous_weight: w.previous_weight,
            left,
        }
    }

    pub fn key(self, key: Key) -> Outcome {
        let send = |r: DrainRequest| Outcome::Send(Request::Watch(r));
        match self {
            DrainDialog::Resume(open) => match key {
                Key::Char('y') | Key::Char('Y') => send(DrainRequest::Resume(open)),
                Key::Char('n') | Key::Esc => Outcome::Close,
                _ => Outcome::Stay(Modal::Drain(DrainDialog::Resume(open))),
            },
            DrainDialog::AtDeadline {
                service,
                dest,
                options,
                previous_weight,
                left,
            } => match key {
                Key::Char('d') => send(DrainRequest::Remove {
                    service,
                    dest,
                    force: true,
                }),
                Key::Char('w') => send(DrainRequest::Options {
                    service,
                    dest,
                    options: DrainOptions {
                        deadline_unix: None,
                        ..options
                    },
                }),
                Key::Char('r') => send(DrainRequest::Restore {
                    service,
                    dest,
                    weight: previous_weight,
                }),
                Key::Esc => Outcome::Close,
                _ => Outcome::Stay(Modal::Drain(DrainDialog::AtDeadline {
                    service,
                    dest,
                    options,
                    previous_weight,
                    left,
                })),
            },
            DrainDialog::Deadline {
                service,
                dest,
                options,
                now_unix,
                mut text,
                ..
            } => {
                match key {
                    Key::Esc => return Outcome::Close,
                    Key::Backspace => {
                        text.pop();
                    }
                    Key::Char(c) if text.len() < 4 => text.push(c),
                    Key::Enter => {
                        if let Some(minutes) = minutes(&text) {
                            let deadline_unix = (minutes > 0).then(|| now_unix + minutes * 60);
                            return send(DrainRequest::Options {
                                service,
                                dest,
                                options: DrainOptions {
                                    deadline_unix,
                                    ..options
                                },
                            });
                        }
                    }
                    _ => {}
                }
                let error = minutes(&text).is_none().then(|| {
                    format!(
                        "minutes from now, 0 to {DEADLINE_MAX_MINUTES} (0 or nothing: no deadline)"
                    )
                });
                Outcome::Stay(Modal::Drain(DrainDialog::Deadline {
                    service,
                    dest,
                    options,
                    now_unix,
                    text,
                    error,
                }))
            }
        }
    }

    pub fn body(&self, alert: Style) -> Body {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let keys = |pairs: &[(&'static str, &'static str)]| {
            let mut spans = Vec::new();
            for (i, (k, what)) in pairs.iter().enumerate() {
                if i > 0 {
                    spans.push(Span::raw(" · "));
                }
                spans.push(Span::styled(*k, bold));
                spans.push(Span::raw(format!(" {what}")));
            }
            Line::from(spans)
        };
        let name = |s: &ServiceKey, d: &DestKey| format!("{} of {s}", addr_port(&d.addr, d.port));
        let (title, lines) = match self {
            DrainDialog::Deadline {
                service,
                dest,
                text,
                error,
                ..
            } => {
                let mut lines = vec![
                    Line::from(format!("Drain of {}", name(service, dest))),
                    Line::from("At the deadline it is removed if drained; if connections"),
                    Line::from("remain you are asked again."),
                    Line::from(vec![
                        Span::raw("minutes from now: "),
                        Span::styled(format!("{text}▏"), bold),
                    ]),
                ];
                if let Some(e) = error {
                    lines.push(Line::from(Span::styled(e.clone(), alert)));
                }
                lines.push(Line::from(""));
                lines.push(keys(&[("Enter", "set"), ("Esc", "cancel")]));
                ("Drain deadline", lines)
            }
            DrainDialog::AtDeadline {
                service,
                dest,
                previous_weight,
                left,
                ..
            } => (
                "Drain deadline reached",
                vec![
                    Line::from(format!(
                        "The deadline for {} has come.",
                        name(service, dest)
                    )),
                    Line::from(format!("Still pointing to it: {left}.")),
                    Line::from("Deleting it now cuts those connections."),
                    Line::from(""),
                    keys(&[
                        ("d", "delete anyway"),
                        ("w", "keep waiting"),
                        ("r", "restore"),
                        ("Esc", "later"),
                    ]),
                    Line::from(format!("(restore: weight {previous_weight})")),
                ],
            ),
            DrainDialog::Resume(o) => {
                let (when, _) = crate::journal::stamp(
                    std::time::UNIX_EPOCH + std::time::Duration::from_secs(o.started_unix),
                );
                let what = match (o.options.remove_when_drained, o.options.deadline_unix) {
                    (_, Some(_)) => ", remove when drained or at its deadline",
                    (true, None) => ", remove when drained",
                    (false, None) => "",
                };
                (
                    "Resume a drain",
                    vec![
                        Line::from(format!(
                            "The journal says {} was being drained",
                            name(&o.service, &o.dest)
                        )),
                        Line::from(format!(
                            "since {} UTC (weight {} before{what}) when lvstop stopped.",
                            when.get(..19).unwrap_or(&when).replace('T', " "),
                            o.previous_weight
                        )),
                        Line::from("It is at weight 0 now. Watch it again?"),
                        Line::from(""),
                        keys(&[("y", "resume watching"), ("n/Esc", "no, change nothing")]),
                    ],
                )
            }
        };
        Body {
            title: title.into(),
            lines,
            width: 72,
        }
    }
}

fn minutes(text: &str) -> Option<u64> {
    if text.is_empty() {
        return Some(0);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|m| *m <= DEADLINE_MAX_MINUTES)
}
