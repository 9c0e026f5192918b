//! `s`: the scheduler picker, the kernel's schedulers with the service's
//! current one selected first, each with a line saying how it picks.

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
            let marker = if i == self.at { "›" } else { " " };
            let text = format!("{marker} {s:<5} {}", describe(s).unwrap_or(""));
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
            width: 78,
        }
    }
}

/// How a scheduler picks the real server for a new connection, in one
/// line (from the kernel's net/netfilter/ipvs/Kconfig help and sources).
pub fn describe(scheduler: &str) -> Option<&'static str> {
    Some(match scheduler {
        "rr" => "each new connection to the next server in turn",
        "wrr" => "in turn, each server as often as its weight says",
        "lc" => "the server with the fewest connections (active count most)",
        "wlc" => "the fewest connections per unit of weight (the default)",
        "lblc" => "by destination IP: its last server, unless overloaded",
        "lblcr" => "by destination IP: least loaded of a server set kept for it",
        "dh" => "by destination IP, through a static hash table",
        "sh" => "by source IP, through a static hash table",
        "sed" => "shortest expected delay: least (active + 1) / weight",
        "nq" => "an idle server if there is one, else as sed",
        "fo" => "failover: the highest-weight server not overloaded",
        "ovf" => "highest weight until its active connections exceed it",
        "mh" => "Maglev consistent hash of the source: few moves on change",
        "twos" => "of two servers drawn at random, the less loaded per weight",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::tcp;

    #[test]
    fn every_kernel_scheduler_has_a_description_that_fits_80_columns() {
        for s in SCHEDULERS {
            let d = describe(s).unwrap_or_else(|| panic!("{s} has no description"));
            // "│› name  description│" inside a frame on an 80-column screen.
            assert!(4 + 5 + 1 + d.chars().count() <= 76, "{s}: {d}");
        }
        assert_eq!(describe("nosuch"), None);
    }

    #[test]
    fn the_picker_shows_each_description_beside_its_name() {
        let service = Service::new(tcp("192.0.2.10".parse().unwrap(), 80), "wlc");
        let body = SchedulerPicker::new(&service).body();
        let text: Vec<String> = body.lines.iter().map(|l| l.to_string()).collect();
        assert!(
            text.iter()
                .any(|l| l == "› wlc   the fewest connections per unit of weight (the default)"),
            "{text:?}"
        );
        assert!(
            text.iter().any(|l| l.starts_with("  twos  of two servers")),
            "{text:?}"
        );
    }

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
