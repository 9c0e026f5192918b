//! A director's health in the fleet monitor's header, from its polls: live
//! (with the last reading's age and how long the poll took), stale, or not
//! read yet. A director whose owner thread is stuck sends nothing at all,
//! so a reading older than a few intervals is stale too.

use std::time::{Duration, SystemTime};

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
        /// How long that reading took.
        lag: Duration,
    },
    Stale {
        /// Since the last reading (None: never read).
        age: Option<Duration>,
        reason: String,
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
            return Health::Stale { age, reason };
        }
        match age {
            None => Health::Connecting,
            Some(age) if age > status.interval * STALE_AFTER_INTERVALS + Duration::from_secs(1) => {
                Health::Stale {
                    age: Some(age),
                    reason: format!("no reading for {}s", age.as_secs()),
                }
            }
            Some(age) => Health::Live {
                age,
                lag: status.took,
            },
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
                lag: Duration::from_millis(12)
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
                reason: "connection refused".into()
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
                reason: "no reading for 5s".into()
            }
        );
    }
}
