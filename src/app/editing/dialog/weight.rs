//! `w`: an exact weight for the selected real server, checked as typed.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::edit::MAX_WEIGHT;
use crate::model::{Dest, DestKey, ServiceKey};

use super::super::request::Request;
use super::{Body, Key, Modal, Outcome};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactWeight {
    service: ServiceKey,
    dest: DestKey,
    text: String,
    error: Option<String>,
}

impl ExactWeight {
    /// Starts from the real server's weight now.
    pub fn new(service: ServiceKey, d: &Dest) -> ExactWeight {
        ExactWeight {
            service,
            dest: d.key(),
            text: d.weight.to_string(),
            error: None,
        }
    }

    /// Why what is typed is not a weight, once a key was pressed.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn key(mut self, key: Key) -> Outcome {
        match key {
            Key::Esc => return Outcome::Close,
            Key::Backspace => {
                self.text.pop();
            }
            Key::Char(c) => self.text.push(c),
            Key::Enter => {
                if let Some(weight) = weight(&self.text) {
                    return Outcome::Send(Request::SetWeight {
                        service: self.service,
                        dest: self.dest,
                        weight,
                    });
                }
            }
            _ => {}
        }
        self.error = match weight(&self.text) {
            Some(_) => None,
            None => Some(format!(
                "a whole number from 0 to {MAX_WEIGHT}, not `{}'",
                self.text
            )),
        };
        Outcome::Stay(Modal::Weight(self))
    }

    pub fn body(&self, alert: Style) -> Body {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let mut lines = vec![
            Line::from(format!(
                "real server {} of {}",
                crate::output::addr_port(&self.dest.addr, self.dest.port),
                self.service
            )),
            Line::from(vec![
                Span::raw("weight: "),
                Span::styled(format!("{}▏", self.text), bold),
            ]),
        ];
        if let Some(e) = &self.error {
            lines.push(Line::from(Span::styled(e.clone(), alert)));
        }
        lines.push(Line::from(""));
        lines.push(Line::from("0-65535 · Enter set · Esc cancel"));
        Body {
            title: "Exact weight (ipvsadm -e -w)".into(),
            lines,
            width: 60,
        }
    }
}

/// The weight typed, if it is one: digits only, at most `MAX_WEIGHT`.
fn weight(text: &str) -> Option<u32> {
    let text = text.trim();
    match text.parse::<u32>() {
        Ok(w) if w <= MAX_WEIGHT && text.bytes().all(|b| b.is_ascii_digit()) => Some(w),
        _ => None,
    }
}
