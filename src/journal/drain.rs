//! Drain watches in the journal: when the monitor starts watching a drained
//! real server (its weight before, what to do once drained) and when the
//! watch ends. Lines of their own kind (`"record":"drain"`), so journals
//! written before them read as they did, and a restart can offer to resume
//! a watch that never ended.
//!
//! `{"record":"drain","id":"1700000000.4242.3","time":"..","unix":1700000005,
//! "user":{..},"namespace":"demo","watch":"1700000000.4242.2",
//! "event":{"event":"start","service":{..},"dest":{..},"previous_weight":100,
//! "remove_when_drained":true,"deadline_unix":1700000605}}`

use serde::{Deserialize, Serialize};

use super::User;
use crate::model::{DestKey, ServiceKey};

/// The only value of a drain line's `record` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DrainKind {
    Drain,
}

/// What the operator asked to happen once the real server is drained.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrainOptions {
    /// Delete the real server once nothing points to it.
    pub remove_when_drained: bool,
    /// When to decide (unix seconds): delete if drained, else ask again.
    pub deadline_unix: Option<u64>,
}

/// How a watch ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "how")]
pub enum DrainEnd {
    /// The real server was deleted (drained, or at the operator's word).
    Removed,
    /// Its weight is back (by lvstop or by anyone).
    Restored { weight: u32 },
    /// Watching stopped with the real server left as it was; why, in words.
    Abandoned { why: String },
}

/// One event of a watch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum DrainEvent {
    Start {
        service: ServiceKey,
        dest: DestKey,
        previous_weight: u32,
        #[serde(flatten)]
        options: DrainOptions,
    },
    /// The options changed (the deadline set, cleared, moved).
    Options {
        #[serde(flatten)]
        options: DrainOptions,
    },
    /// A restarted lvstop watches it again.
    Resumed,
    End {
        #[serde(flatten)]
        end: DrainEnd,
    },
}

/// One drain line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrainRecord {
    pub record: DrainKind,
    /// This line's id (unique as a change's).
    pub id: String,
    pub time: String,
    pub unix: u64,
    pub user: User,
    pub namespace: String,
    /// The id of the watch's start line: it ties a watch's lines together.
    pub watch: String,
    pub event: DrainEvent,
}

/// A watch the journal says was started and never ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenDrain {
    pub watch: String,
    pub service: ServiceKey,
    pub dest: DestKey,
    pub previous_weight: u32,
    pub options: DrainOptions,
    /// When it started (unix seconds) and in which namespace.
    pub started_unix: u64,
    pub namespace: String,
}

/// Watches started and not ended, in the order they started, their options
/// as last changed. A start whose real server was started again later
/// counts once, the later one.
pub fn open_drains(records: &[DrainRecord]) -> Vec<OpenDrain> {
    let mut open: Vec<OpenDrain> = Vec::new();
    for r in records {
        match &r.event {
            DrainEvent::Start {
                service,
                dest,
                previous_weight,
                options,
            } => {
                open.retain(|o| !(o.service == *service && o.dest == *dest));
                open.push(OpenDrain {
                    watch: r.watch.clone(),
                    service: *service,
                    dest: *dest,
                    previous_weight: *previous_weight,
                    options: *options,
                    started_unix: r.unix,
                    namespace: r.namespace.clone(),
                });
            }
            DrainEvent::Options { options } => {
                if let Some(o) = open.iter_mut().find(|o| o.watch == r.watch) {
                    o.options = *options;
                }
            }
            DrainEvent::Resumed => {}
            DrainEvent::End { .. } => open.retain(|o| o.watch != r.watch),
        }
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::tests::Scratch;
    use crate::journal::{Answer, Journal, Record, Stage, State};
    use crate::model::{Change, Protocol};

    fn web() -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.10".parse().unwrap(),
            port: 80,
        }
    }

    fn rs(n: u8) -> DestKey {
        DestKey {
            addr: format!("10.1.0.{n}").parse().unwrap(),
            port: 80,
        }
    }

    fn line(id: &str, watch: &str, event: DrainEvent) -> DrainRecord {
        DrainRecord {
            record: DrainKind::Drain,
            id: id.into(),
            time: "2023-11-14T22:13:20.000Z".into(),
            unix: 1_700_000_000,
            user: User {
                uid: 0,
                name: Some("root".into()),
            },
            namespace: "host".into(),
            watch: watch.into(),
            event,
        }
    }

    fn start(n: u8, remove: bool) -> DrainEvent {
        DrainEvent::Start {
            service: web(),
            dest: rs(n),
            previous_weight: 100,
            options: DrainOptions {
                remove_when_drained: remove,
                deadline_unix: None,
            },
        }
    }

    #[test]
    fn drain_lines_read_back_beside_changes_and_are_not_damaged() {
        let s = Scratch::new();
        let path = s.join("j.jsonl");
        let mut j = Journal::open(&path).unwrap();
        let change = Record {
            record: Stage::Result,
            id: "1.1.1".into(),
            time: "2023-11-14T22:13:20.000Z".into(),
            unix: 1_700_000_000,
            user: User { uid: 0, name: None },
            namespace: "host".into(),
            change: Change::Flush,
            ipvsadm: "-C".into(),
            before: State::Absent,
            after: None,
            answer: Some(Answer::Ok),
            undo_of: None,
            requested_by: None,
        };
        j.append(&change).unwrap();
        let ended = DrainEvent::End {
            end: DrainEnd::Abandoned {
                why: "stopped watching".into(),
            },
        };
        for r in [
            line("1.1.2", "1.1.2", start(1, true)),
            line("1.1.3", "1.1.2", ended),
        ] {
            j.append_drain(&r).unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(r#""record":"drain""#) && text.contains(r#""event":"start""#),
            "{text}"
        );
        assert!(text.contains(r#""how":"abandoned","why":"stopped watching""#));
        let read = Journal::read_all(&path).unwrap();
        assert_eq!(read.entries.len(), 1, "the change as before");
        assert_eq!(read.damaged_lines, Vec::<usize>::new());
        assert_eq!(read.drains.len(), 2);
        assert_eq!(read.drains[0].event, start(1, true));
    }

    #[test]
    fn open_drains_are_those_started_and_not_ended_with_their_last_options() {
        let later = DrainOptions {
            remove_when_drained: true,
            deadline_unix: Some(1_700_000_600),
        };
        let restored = DrainEvent::End {
            end: DrainEnd::Restored { weight: 100 },
        };
        let lines = [
            line("a", "a", start(1, false)),
            line("b", "b", start(2, false)),
            line("c", "a", DrainEvent::Options { options: later }),
            line("d", "b", restored),
            line("e", "e", start(3, true)),
            line("f", "e", DrainEvent::Resumed),
        ];
        let open = open_drains(&lines);
        let got: Vec<(&str, DestKey, DrainOptions)> = open
            .iter()
            .map(|o| (o.watch.as_str(), o.dest, o.options))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", rs(1), later),
                (
                    "e",
                    rs(3),
                    DrainOptions {
                        remove_when_drained: true,
                        deadline_unix: None
                    }
                )
            ]
        );
        // Started again: the later start counts once.
        let again = [
            line("a", "a", start(1, false)),
            line("g", "g", start(1, true)),
        ];
        let open = open_drains(&again);
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].watch, "g");
    }
}
