//! A director's health in the fleet monitor's header: from its polls (live
//! with the last reading's age and how long the poll took, stale, or not
//! read yet; a director whose owner thread is stuck sends nothing at all,
//! so a reading older than a few intervals is stale too), or from a remote
//! director's connection, which also knows an agent gone bad and when it
//! tries again.

use std::time::{Duration, SystemTime};

use crate::fleet::remote::{DirectorState, DirectorStatus};

use super::store::PollStatus;

/// How many intervals without a reading make a director stale.
const STALE_AFTER_INTERVALS: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// No reading yet.
    Connecting,
    Live {
        /// Since the last reading.
        age: Duration,
        /// How long that reading took, or a remote's ping round trip
        /// (None: no ping answered yet).
        lag: Option<Duration>,
    },
    Stale {
        /// Since the last reading (None: never read).
        age: Option<Duration>,
        reason: String,
        /// When it is tried again (None: not known, or still connected).
        retry_in: Option<Duration>,
    },
    /// Its backend gave up on it (a remote agent broke the protocol).
    Bad { reason: String },
}

impl Health {
    pub fn of(status: &PollStatus, now: SystemTime) -> Health {
        let age = status
            .last_ok
            .map(|t| now.duration_since(t).unwrap_or_default());
        if status.failing_since.is_some() {
            let reason = status
                .last_error
                .clone()
                .unwrap_or_else(|| "the poll failed".into());
            return Health::Stale {
                age,
                reason,
                retry_in: None,
            };
        }
        match age {
            None => Health::Connecting,
            Some(age) if age > status.interval * STALE_AFTER_INTERVALS + Duration::from_secs(1) => {
                Health::Stale {
                    age: Some(age),
                    reason: format!("no reading for {}s", age.as_secs()),
                    retry_in: None,
                }
            }
            Some(age) => Health::Live {
                age,
                lag: Some(status.took),
            },
        }
    }

    /// A remote director's health as its connection knows it: a bad agent
    /// is bad with the reason (its polls only fail, as a stale one's do).
    pub fn of_remote(status: &DirectorStatus, now: SystemTime) -> Health {
        let age = status
            .last_reading
            .map(|t| now.duration_since(t).unwrap_or_default());
        match (&status.state, age) {
            (DirectorState::Bad { reason }, _) => Health::Bad {
                reason: reason.clone(),
            },
            (
                DirectorState::Stale {
                    reason, retry_in, ..
                },
                _,
            ) => Health::Stale {
                age,
                reason: reason.clone(),
                // Zero: the agent is connected but cannot read its table.
                retry_in: Some(*retry_in).filter(|d| !d.is_zero()),
            },
            (DirectorState::Live { .. }, Some(age)) => Health::Live {
                age,
                lag: status.lag,
            },
            (DirectorState::Live { .. } | DirectorState::Connecting, _) => Health::Connecting,
        }
    }

    /// Stale or bad: drawn in the warning colour.
    pub fn is_stale(&self) -> bool {
        matches!(self, Health::Stale { .. } | Health::Bad { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + s)
    }

    fn status(last_ok: Option<u64>) -> PollStatus {
        PollStatus {
            last_ok: last_ok.map(at),
            took: Duration::from_millis(12),
            interval: Duration::from_secs(1),
            ..PollStatus::default()
        }
    }

    #[test]
    fn not_read_yet_is_connecting() {
        assert_eq!(Health::of(&status(None), at(5)), Health::Connecting);
    }

    #[test]
    fn a_recent_reading_is_live_with_its_age_and_lag() {
        assert_eq!(
            Health::of(&status(Some(3)), at(4)),
            Health::Live {
                age: Duration::from_secs(1),
                lag: Some(Duration::from_millis(12))
            }
        );
    }

    #[test]
    fn a_failing_director_is_stale_with_the_reason() {
        let mut s = status(Some(3));
        s.failing_since = Some(at(4));
        s.last_error = Some("connection refused".into());
        let h = Health::of(&s, at(9));
        assert_eq!(
            h,
            Health::Stale {
                age: Some(Duration::from_secs(6)),
                reason: "connection refused".into(),
                retry_in: None
            }
        );
    }

    #[test]
    fn a_silent_director_turns_stale_after_three_intervals() {
        assert!(!Health::of(&status(Some(0)), at(4)).is_stale());
        let h = Health::of(&status(Some(0)), at(5));
        assert_eq!(
            h,
            Health::Stale {
                age: Some(Duration::from_secs(5)),
                reason: "no reading for 5s".into(),
                retry_in: None
            }
        );
    }

    fn hello() -> crate::fleet::protocol::Hello {
        crate::fleet::protocol::Hello {
            protocol: 1,
            lvstop: "0.1.0".into(),
            host: "lb2".into(),
            ipvs: "1.2.1".into(),
            capabilities: vec!["read".into()],
            read_only: true,
            netns: "host".into(),
            interval_ms: 1000,
        }
    }

    fn remote(state: DirectorState, last: Option<u64>, lag: Option<u64>) -> DirectorStatus {
        DirectorStatus {
            name: crate::fleet::DirectorName::new("lb2"),
            state,
            last_reading: last.map(at),
            lag: lag.map(Duration::from_millis),
        }
    }

    #[test]
    fn a_bad_agent_is_bad_with_its_reason_not_stale() {
        let reason = "the agent sent a malformed message: \\u{1b}[2J".to_string();
        let s = remote(
            DirectorState::Bad {
                reason: reason.clone(),
            },
            Some(2),
            Some(8),
        );
        assert_eq!(Health::of_remote(&s, at(9)), Health::Bad { reason });
    }

    #[test]
    fn a_dropped_director_is_stale_with_its_backoff_and_last_reading() {
        let s = remote(
            DirectorState::Stale {
                since: at(4),
                reason: "the connection ended".into(),
                retry_in: Duration::from_secs(4),
            },
            Some(3),
            Some(8),
        );
        assert_eq!(
            Health::of_remote(&s, at(9)),
            Health::Stale {
                age: Some(Duration::from_secs(6)),
                reason: "the connection ended".into(),
                retry_in: Some(Duration::from_secs(4)),
            }
        );
    }

    #[test]
    fn an_agent_that_cannot_read_is_stale_with_no_retry() {
        let s = remote(
            DirectorState::Stale {
                since: at(4),
                reason: "the agent cannot read its table: EPERM".into(),
                retry_in: Duration::ZERO,
            },
            None,
            None,
        );
        assert_eq!(
            Health::of_remote(&s, at(9)),
            Health::Stale {
                age: None,
                reason: "the agent cannot read its table: EPERM".into(),
                retry_in: None,
            }
        );
    }

    #[test]
    fn a_live_director_has_its_age_and_ping_lag() {
        let s = remote(DirectorState::Live { hello: hello() }, Some(7), Some(8));
        assert_eq!(
            Health::of_remote(&s, at(9)),
            Health::Live {
                age: Duration::from_secs(2),
                lag: Some(Duration::from_millis(8)),
            }
        );
    }

    #[test]
    fn connecting_until_the_first_reading() {
        let s = remote(DirectorState::Connecting, None, None);
        assert_eq!(Health::of_remote(&s, at(9)), Health::Connecting);
        let s = remote(DirectorState::Live { hello: hello() }, None, None);
        assert_eq!(Health::of_remote(&s, at(9)), Health::Connecting);
    }
}
