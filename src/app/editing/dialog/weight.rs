//! `w`: an exact weight for the selected real server, checked as typed.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::model::MAX_WEIGHT;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::tcp;

    fn dialog() -> ExactWeight {
        let service = tcp("192.0.2.10".parse().unwrap(), 80);
        let mut d = Dest::new("10.0.0.1".parse().unwrap(), 80);
        d.weight = 7;
        ExactWeight::new(service, &d)
    }

    fn typed(mut w: ExactWeight, keys: &[Key]) -> Outcome {
        for (i, k) in keys.iter().enumerate() {
            match w.key(*k) {
                Outcome::Stay(Modal::Weight(next)) if i + 1 < keys.len() => w = next,
                other => return other,
            }
        }
        Outcome::Stay(Modal::Weight(w))
    }

    #[test]
    fn enter_sends_a_weight_in_range_and_keeps_a_bad_one_open() {
        let w = dialog();
        let Outcome::Send(Request::SetWeight { weight, .. }) =
            typed(w.clone(), &[Key::Char('1'), Key::Enter])
        else {
            panic!("71 is a weight");
        };
        assert_eq!(weight, 71);
        let bad: Vec<Key> = std::iter::once(Key::Backspace)
            .chain("65536".chars().map(Key::Char))
            .chain([Key::Enter])
            .collect();
        match typed(w.clone(), &bad) {
            Outcome::Stay(Modal::Weight(w)) => {
                assert_eq!(
                    w.error(),
                    Some("a whole number from 0 to 65535, not `65536'")
                )
            }
            other => panic!("65536 is not a weight: {other:?}"),
        }
        assert!(matches!(typed(w, &[Key::Esc]), Outcome::Close));
    }
}
