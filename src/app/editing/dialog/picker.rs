//! `s`: the scheduler picker, the kernel's schedulers with the service's
//! current one selected first.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::model::{Change, Service, ServiceFlags};
use crate::rules::SCHEDULERS;

use super::super::request::Request;
use super::{Body, Key, Modal, Outcome};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedulerPicker {
    service: Service,
    /// Index into `SCHEDULERS`.
    at: usize,
}

impl SchedulerPicker {
    pub fn new(service: &Service) -> SchedulerPicker {
        let at = SCHEDULERS
            .iter()
            .position(|n| *n == service.scheduler)
            .unwrap_or(0);
        SchedulerPicker {
            service: service.clone(),
            at,
        }
    }

    pub fn key(mut self, key: Key) -> Outcome {
        match key {
            Key::Esc => return Outcome::Close,
            Key::Up | Key::Left { .. } | Key::Char('k') => self.at = self.at.saturating_sub(1),
            Key::Down | Key::Right { .. } | Key::Char('j') => {
                self.at = (self.at + 1).min(SCHEDULERS.len() - 1)
            }
            Key::Enter => {
                let mut s = self.service.clone();
                s.scheduler = SCHEDULERS[self.at].to_string();
                // sh/mh flag words mean nothing to another scheduler.
                if !matches!(SCHEDULERS[self.at], "sh" | "mh") {
                    s.flags.0 &=
                        !(ServiceFlags::SCHED1 | ServiceFlags::SCHED2 | ServiceFlags::SCHED3);
                }
                return Outcome::Send(Request::Apply(Change::EditService(s)));
            }
            _ => {}
        }
        Outcome::Stay(Modal::Picker(self))
    }

    pub fn body(&self) -> Body {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let mut lines = vec![Line::from(format!(
            "{} now uses {}",
            self.service.key, self.service.scheduler
        ))];
        for (i, s) in SCHEDULERS.iter().enumerate() {
            let text = format!("{} {s}", if i == self.at { "›" } else { " " });
            lines.push(if i == self.at {
                Line::from(Span::styled(text, bold.add_modifier(Modifier::REVERSED)))
            } else {
                Line::from(text)
            });
        }
        lines.push(Line::from(""));
        lines.push(Line::from("↑↓ choose · Enter switch · Esc cancel"));
        Body {
            title: "Scheduler (ipvsadm -E -s)".into(),
            lines,
            width: 44,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::tcp;

    #[test]
    fn enter_switches_to_the_scheduler_chosen_and_drops_sh_flags() {
        let mut service = Service::new(tcp("192.0.2.10".parse().unwrap(), 80), "sh");
        service.flags.0 |= ServiceFlags::SCHED1;
        let at = SCHEDULERS.iter().position(|s| *s == "sh").unwrap();
        let Outcome::Stay(Modal::Picker(p)) = SchedulerPicker::new(&service).key(Key::Down) else {
            panic!("↓ moves");
        };
        match p.key(Key::Enter) {
            Outcome::Send(Request::Apply(Change::EditService(s))) => {
                assert_eq!(s.scheduler, SCHEDULERS[at + 1]);
                assert_eq!(s.flags.0 & ServiceFlags::SCHED1, 0);
            }
            other => panic!("Enter sends: {other:?}"),
        }
    }
}
