//! What one journal line holds, and how lines pair up into entries.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::User;
use crate::model::{Change, Dest, Service, ServiceEntry, ServiceKey, SyncDaemon, Timeouts};

/// Which half of a change a line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Written and synced before the change is sent.
    Intent,
    /// Written after the kernel answered.
    Result,
}

/// The part of the table a change touches, as read from the backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum State {
    /// A virtual service with its real servers.
    Service {
        service: Service,
        dests: Vec<Dest>,
    },
    /// One real server.
    Dest {
        service: ServiceKey,
        dest: Dest,
    },
    /// The service or real server did not exist.
    Absent,
    /// The whole table (flush, zeroing everything).
    Table {
        services: Vec<ServiceEntry>,
    },
    Timeouts {
        timeouts: Timeouts,
    },
    /// The running sync daemons, master before backup (a start or stop).
    Daemons {
        daemons: Vec<SyncDaemon>,
    },
}

/// The kernel's answer to a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Serialized as the string `"ok"`.
    Ok,
    /// The refusal in the same words the operator saw, and the errno.
    Refused { message: String, errno: Option<i32> },
}

/// One journal line.
///
/// Both stages carry the whole context so that either line alone says what
/// was done, by whom and where; `after` and `answer` are null in an intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub record: Stage,
    /// Links an intent with its result; unique across sessions.
    pub id: String,
    /// RFC 3339, UTC.
    pub time: String,
    pub unix: u64,
    pub user: User,
    /// `host`, the `--netns` name, or `demo`.
    pub namespace: String,
    pub change: Change,
    /// The equivalent `ipvsadm` arguments.
    pub ipvsadm: String,
    /// As read right before sending the change.
    pub before: State,
    /// Read back after the change was applied (none if refused or unreadable).
    #[serde(default)]
    pub after: Option<State>,
    #[serde(default)]
    pub answer: Option<Answer>,
    /// Set when this change was sent to undo the change with that id.
    #[serde(default)]
    pub undo_of: Option<String>,
    /// Who asked for it from afar: set by `lvstop agent` to the user named
    /// by the lvstop that sent the change over ssh (`alice@laptop`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
}

/// An intent and its result, paired by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    /// None only when the intent line was damaged.
    pub intent: Option<Record>,
    /// None when lvstop stopped between sending the change and recording
    /// the answer: the change may or may not have been applied.
    pub result: Option<Record>,
}

impl Entry {
    /// The most complete record: the result if there is one.
    pub fn record(&self) -> &Record {
        self.result
            .as_ref()
            .or(self.intent.as_ref())
            .expect("an entry is made from at least one record")
    }

    pub fn outcome(&self) -> Outcome {
        match self.result.as_ref().and_then(|r| r.answer.as_ref()) {
            Some(Answer::Ok) => Outcome::Applied,
            Some(Answer::Refused { message, errno }) => Outcome::Refused {
                message: message.clone(),
                errno: *errno,
            },
            None => Outcome::MayHaveBeenApplied,
        }
    }
}

/// What became of a journaled change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    Refused {
        message: String,
        errno: Option<i32>,
    },
    /// An intent without a result.
    MayHaveBeenApplied,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Applied => f.write_str("applied"),
            Outcome::Refused { message, .. } => write!(f, "refused: {message}"),
            Outcome::MayHaveBeenApplied => f.write_str(
                "may have been applied: lvstop stopped before the kernel's answer was recorded; check the table",
            ),
        }
    }
}
