//! One change sent to every director that has the real server (the fleet
//! monitor's `=`): the dialog that asks the weight and then confirms,
//! naming each director, and the answers as they come back, one per
//! director, until all answered or the wait ended. Pure: the fleet monitor
//! sends the requests and writes the journal line.

use std::time::Duration;

use crate::fleet::DirectorName;
use crate::journal::{DirectorOutcome, FleetChange, FleetOutcome};
use crate::model::{addr::addr_port, DestKey, ServiceKey, MAX_WEIGHT};

/// How long the answers are waited for before the rest count as none.
pub const FLEET_WAIT: Duration = Duration::from_secs(15);

/// The dialog: typing the weight, then confirming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetDialog {
    pub service: ServiceKey,
    pub dest: DestKey,
    /// The directors that have the real server, with their index.
    pub on: Vec<(usize, DirectorName)>,
    pub typed: String,
    /// Set once a valid weight was entered: the question is asked.
    pub confirming: Option<u32>,
    pub error: Option<String>,
}

/// What a key did to the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogStep {
    Open,
    Cancelled,
    /// Confirmed: send this weight to these directors.
    Send(u32),
}

impl FleetDialog {
    pub fn new(service: ServiceKey, dest: DestKey, on: Vec<(usize, DirectorName)>) -> FleetDialog {
        FleetDialog {
            service,
            dest,
            on,
            typed: String::new(),
            confirming: None,
            error: None,
        }
    }

    /// `TCP 192.0.2.10:80 -> 10.1.0.1:80`.
    pub fn target(&self) -> String {
        format!(
            "{} -> {}",
            self.service,
            addr_port(&self.dest.addr, self.dest.port)
        )
    }

    pub fn names(&self) -> String {
        let names: Vec<&str> = self.on.iter().map(|(_, n)| n.as_str()).collect();
        names.join(", ")
    }

    pub fn char(&mut self, c: char) -> DialogStep {
        match (self.confirming, c) {
            (Some(w), 'y') => return DialogStep::Send(w),
            (Some(_), 'n') => return DialogStep::Cancelled,
            (None, '0'..='9') if self.typed.len() < 5 => {
                self.typed.push(c);
                self.error = None;
            }
            _ => {}
        }
        DialogStep::Open
    }

    pub fn backspace(&mut self) {
        if self.confirming.is_none() {
            self.typed.pop();
        }
    }

    pub fn enter(&mut self) -> DialogStep {
        if let Some(w) = self.confirming {
            return DialogStep::Send(w);
        }
        match self.typed.parse::<u32>() {
            Ok(w) if w <= MAX_WEIGHT => self.confirming = Some(w),
            _ => self.error = Some(format!("the weight is a number from 0 to {MAX_WEIGHT}")),
        }
        DialogStep::Open
    }
}

/// A director's answer: what it said when applied, or why it refused.
pub type Answer = Result<String, String>;

/// A fleet change sent, its answers coming in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingFleet {
    pub change: FleetChange,
    /// When it was sent (the monotonic clock).
    pub sent: Duration,
    /// Each director with its answer once given: Ok(said) or Err(why).
    pub answers: Vec<(usize, DirectorName, Option<Answer>)>,
}

impl PendingFleet {
    pub fn new(change: FleetChange, sent: Duration, on: &[(usize, DirectorName)]) -> PendingFleet {
        PendingFleet {
            change,
            sent,
            answers: on.iter().map(|(i, n)| (*i, n.clone(), None)).collect(),
        }
    }

    /// Director `member`'s answer; false if it was not one this waits for.
    pub fn answer(&mut self, member: usize, result: &Answer) -> bool {
        match self
            .answers
            .iter_mut()
            .find(|(i, _, a)| *i == member && a.is_none())
        {
            Some((_, _, a)) => {
                *a = Some(result.clone());
                true
            }
            None => false,
        }
    }

    /// Every director answered, or the wait is over at `now`.
    pub fn done(&self, now: Duration) -> bool {
        self.answers.iter().all(|(_, _, a)| a.is_some())
            || now.saturating_sub(self.sent) >= FLEET_WAIT
    }

    pub fn outcomes(&self) -> Vec<DirectorOutcome> {
        self.answers
            .iter()
            .map(|(_, name, a)| DirectorOutcome {
                director: name.to_string(),
                outcome: match a {
                    Some(Ok(said)) => FleetOutcome::Applied { said: said.clone() },
                    Some(Err(said)) => FleetOutcome::Refused { said: said.clone() },
                    None => FleetOutcome::NoAnswer,
                },
            })
            .collect()
    }

    /// Each director's result in a line, and whether any was not applied:
    /// `weight 7 to all: lb1 applied · lb2 refused: … · lb3 no answer`.
    pub fn summary(&self) -> (String, bool) {
        let FleetChange::SetWeight { weight, .. } = &self.change;
        let mut failed = false;
        let each: Vec<String> = self
            .answers
            .iter()
            .map(|(_, name, a)| match a {
                Some(Ok(_)) => format!("{name} applied"),
                Some(Err(why)) => {
                    failed = true;
                    format!("{name} refused: {why}")
                }
                None => {
                    failed = true;
                    format!("{name} no answer (may have been applied)")
                }
            })
            .collect();
        (
            format!("weight {weight} to all: {}", each.join(" · ")),
            failed,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Protocol;

    fn dialog() -> FleetDialog {
        FleetDialog::new(
            ServiceKey::Addr {
                protocol: Protocol::Tcp,
                addr: "192.0.2.10".parse().unwrap(),
                port: 80,
            },
            DestKey {
                addr: "10.1.0.1".parse().unwrap(),
                port: 80,
            },
            vec![(0, "lb1".into()), (2, "lb3".into())],
        )
    }

    #[test]
    fn a_weight_is_typed_then_confirmed() {
        let mut d = dialog();
        assert_eq!(d.target(), "TCP 192.0.2.10:80 -> 10.1.0.1:80");
        assert_eq!(d.names(), "lb1, lb3");
        for c in "7x".chars() {
            assert_eq!(d.char(c), DialogStep::Open);
        }
        assert_eq!(d.typed, "7");
        assert_eq!(d.enter(), DialogStep::Open);
        assert_eq!(d.confirming, Some(7));
        assert_eq!(d.char('y'), DialogStep::Send(7));
    }

    #[test]
    fn a_weight_out_of_range_is_refused_in_words() {
        let mut d = dialog();
        for c in "70000".chars() {
            d.char(c);
        }
        d.enter();
        assert_eq!(d.confirming, None);
        assert_eq!(
            d.error.as_deref(),
            Some("the weight is a number from 0 to 65535")
        );
        let mut empty = dialog();
        empty.enter();
        assert!(empty.error.is_some());
    }

    #[test]
    fn n_cancels_the_question() {
        let mut d = dialog();
        d.char('3');
        d.enter();
        assert_eq!(d.char('n'), DialogStep::Cancelled);
    }

    #[test]
    fn answers_are_collected_per_director_and_the_silent_named() {
        let d = dialog();
        let change = FleetChange::SetWeight {
            service: d.service,
            dest: d.dest,
            weight: 7,
        };
        let mut p = PendingFleet::new(change, Duration::from_secs(100), &d.on);
        assert!(!p.answer(1, &Ok("x".into())), "lb2 was not asked");
        assert!(p.answer(0, &Ok("weight 10 → 7 ✓".into())));
        assert!(!p.done(Duration::from_secs(101)));
        assert!(p.done(Duration::from_secs(115)));
        let (said, failed) = p.summary();
        assert_eq!(
            said,
            "weight 7 to all: lb1 applied · lb3 no answer (may have been applied)"
        );
        assert!(failed);
        assert!(p.answer(2, &Err("no such real server".into())));
        assert!(p.done(Duration::from_secs(101)));
        assert_eq!(
            p.outcomes()[1].outcome,
            FleetOutcome::Refused {
                said: "no such real server".into()
            }
        );
    }
}
