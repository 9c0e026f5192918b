//! A change sent to several directors at once (the fleet monitor's "to
//! all"): one line of its own kind (`"record":"fleet"`), written once every
//! director answered or the wait for them ended, naming each director and
//! what became of the change there. Each director journals its own change
//! where it is applied; this line ties them together. Journals written
//! before it read as they did.
//!
//! `{"record":"fleet","id":"1700000000.4242.5","time":"..","unix":1700000005,
//! "user":{..},"namespace":"fleet","change":{"op":"set_weight","service":{..},
//! "dest":{..},"weight":7},"directors":[{"director":"lb1","outcome":"applied",
//! "said":"weight 10 → 7 ✓"},{"director":"lb2","outcome":"refused","said":".."},
//! {"director":"lb3","outcome":"no_answer"}]}`

use serde::{Deserialize, Serialize};

use super::User;
use crate::model::{DestKey, ServiceKey};

/// The only value of a fleet line's `record` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FleetKind {
    Fleet,
}

/// What was sent to every director.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum FleetChange {
    /// An exact weight for one real server (each director keeps its other
    /// settings of it).
    SetWeight {
        service: ServiceKey,
        dest: DestKey,
        weight: u32,
    },
}

/// What became of the change on one director.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum FleetOutcome {
    Applied {
        said: String,
    },
    Refused {
        said: String,
    },
    /// No answer before the wait ended: it may or may not have been applied.
    NoAnswer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectorOutcome {
    pub director: String,
    #[serde(flatten)]
    pub outcome: FleetOutcome,
}

/// One fleet line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetRecord {
    pub record: FleetKind,
    pub id: String,
    pub time: String,
    pub unix: u64,
    pub user: User,
    /// `fleet`: the operation spans directors, not one namespace.
    pub namespace: String,
    pub change: FleetChange,
    pub directors: Vec<DirectorOutcome>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::tests::Scratch;
    use crate::journal::Journal;
    use crate::model::Protocol;

    fn record(id: &str) -> FleetRecord {
        FleetRecord {
            record: FleetKind::Fleet,
            id: id.into(),
            time: "2023-11-14T22:13:25.000Z".into(),
            unix: 1_700_000_005,
            user: User::current(),
            namespace: "fleet".into(),
            change: FleetChange::SetWeight {
                service: ServiceKey::Addr {
                    protocol: Protocol::Tcp,
                    addr: "192.0.2.10".parse().unwrap(),
                    port: 80,
                },
                dest: DestKey {
                    addr: "10.1.0.1".parse().unwrap(),
                    port: 80,
                },
                weight: 7,
            },
            directors: vec![
                DirectorOutcome {
                    director: "lb1".into(),
                    outcome: FleetOutcome::Applied {
                        said: "weight 10 → 7 ✓".into(),
                    },
                },
                DirectorOutcome {
                    director: "lb2".into(),
                    outcome: FleetOutcome::Refused {
                        said: "no such real server".into(),
                    },
                },
                DirectorOutcome {
                    director: "lb3".into(),
                    outcome: FleetOutcome::NoAnswer,
                },
            ],
        }
    }

    #[test]
    fn a_fleet_line_reads_back_beside_changes_and_is_no_damage() {
        let scratch = Scratch::new();
        let path = scratch.join("journal.jsonl");
        let mut journal = Journal::open(&path).unwrap();
        let id = journal.next_id();
        journal.append_fleet(&record(&id)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(r#""record":"fleet""#), "{text}");
        assert!(
            text.contains(r#""director":"lb3","outcome":"no_answer""#),
            "{text}"
        );
        let back = Journal::read_all(&path).unwrap();
        assert_eq!(back.damaged_lines, Vec::<usize>::new());
        assert!(back.entries.is_empty());
        assert_eq!(back.fleet, vec![record(&id)]);
    }
}
