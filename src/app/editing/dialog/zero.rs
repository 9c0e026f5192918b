//! `Z`: zero the selected service's counters, or all of them (confirmed
//! next).

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::model::{Change, ServiceKey};

use super::super::request::Request;
use super::{Body, Confirmation, Key, Modal, Outcome};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZeroChoice {
    service: ServiceKey,
    /// How many services "all" is.
    services: usize,
}

impl ZeroChoice {
    pub fn new(service: ServiceKey, services: usize) -> ZeroChoice {
        ZeroChoice { service, services }
    }

    pub fn key(self, key: Key) -> Outcome {
        match key {
            Key::Char('s') | Key::Enter => {
                Outcome::Send(Request::Apply(Change::Zero(Some(self.service))))
            }
            Key::Char('a') => Outcome::Stay(Modal::Confirm(Confirmation::zero_all(self.services))),
            Key::Esc | Key::Char('n') => Outcome::Close,
            _ => Outcome::Stay(Modal::Zero(self)),
        }
    }

    pub fn body(&self) -> Body {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        Body {
            title: "Zero counters (ipvsadm -Z)".into(),
            lines: vec![
                Line::from(vec![
                    Span::styled("s", bold),
                    Span::raw(format!("/Enter  the selected service, {}", self.service)),
                ]),
                Line::from(vec![
                    Span::styled("a", bold),
                    Span::raw(format!(
                        "        all {} services (asks again)",
                        self.services
                    )),
                ]),
                Line::from(vec![Span::styled("Esc", bold), Span::raw("      cancel")]),
            ],
            width: 70,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::tcp;

    #[test]
    fn one_service_at_once_all_of_them_after_asking() {
        let service = tcp("192.0.2.10".parse().unwrap(), 80);
        let z = ZeroChoice::new(service, 3);
        assert!(matches!(
            z.clone().key(Key::Enter),
            Outcome::Send(Request::Apply(Change::Zero(Some(s)))) if s == service
        ));
        match z.clone().key(Key::Char('a')) {
            Outcome::Stay(Modal::Confirm(c)) => assert_eq!(c, Confirmation::zero_all(3)),
            other => panic!("all asks again: {other:?}"),
        }
        assert!(matches!(
            z.clone().key(Key::Char('q')),
            Outcome::Stay(Modal::Zero(_))
        ));
        assert!(matches!(z.key(Key::Esc), Outcome::Close));
    }
}
