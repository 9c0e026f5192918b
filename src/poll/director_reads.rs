//! The owner thread's reads of the director's settings: the connection
//! timeouts and the sync daemons, every few seconds and at once after a
//! change, so the header and the panel (`T`) show them.

use std::time::Duration;

use crate::app::DirectorReading;
use crate::backend::Reader;
use crate::clock::Clock;

/// How often the settings are read when nothing changes them from here:
/// an outside change (ipvsadm, keepalived) shows within this.
pub const DIRECTOR_EVERY: Duration = Duration::from_secs(5);

/// When the next read is due: the owner thread's, and tests doing its
/// work in step.
#[derive(Debug, Default)]
pub struct DirectorReads {
    /// Monotonic time of the next read (None: at once).
    next: Option<Duration>,
}

impl DirectorReads {
    pub fn new() -> DirectorReads {
        DirectorReads::default()
    }

    /// Read again at the next chance: a change may have touched them.
    pub fn soon(&mut self) {
        self.next = None;
    }

    /// The reading, if one is due now.
    pub fn read(&mut self, reader: &mut dyn Reader, clock: &dyn Clock) -> Option<DirectorReading> {
        let now = clock.now();
        if self.next.is_some_and(|t| now < t) {
            return None;
        }
        self.next = Some(now + DIRECTOR_EVERY);
        Some(DirectorReading {
            wall: clock.wall(),
            timeouts: reader.timeouts().map_err(|e| e.to_string()),
            daemons: reader.daemons().map_err(|e| e.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::backend::{Error, ErrorKind};
    use crate::model::Timeouts;
    use crate::testkit::{CallKind, Calls, FakeBackend, FakeTable, ManualClock};

    #[test]
    fn read_at_once_then_every_five_seconds_and_again_after_a_change() {
        let clock = Arc::new(ManualClock::new(UNIX_EPOCH));
        let mut table = FakeTable::empty();
        table.timeouts = Timeouts {
            tcp: 900,
            tcp_fin: 120,
            udp: 300,
        };
        let mut backend = FakeBackend::new(table);
        let mut reads = DirectorReads::new();
        let first = reads.read(&mut backend, clock.as_ref()).expect("at once");
        assert_eq!(first.timeouts.unwrap().tcp, 900);
        assert_eq!(first.daemons, Ok(Vec::new()));
        clock.advance(Duration::from_secs(4));
        assert!(reads.read(&mut backend, clock.as_ref()).is_none());
        clock.advance(Duration::from_secs(1));
        assert!(reads.read(&mut backend, clock.as_ref()).is_some());
        reads.soon();
        assert!(reads.read(&mut backend, clock.as_ref()).is_some());
        assert_eq!(backend.count(CallKind::Timeouts), 3);
        assert_eq!(backend.count(CallKind::Daemons), 3);
    }

    #[test]
    fn a_refused_read_says_why_in_words() {
        let clock = ManualClock::new(UNIX_EPOCH);
        let mut backend = FakeBackend::new(FakeTable::empty());
        let refusal = Error::new(
            ErrorKind::PermissionDenied,
            "reading the sync daemons needs CAP_NET_ADMIN",
        );
        backend.fail(CallKind::Daemons, Calls::Every, refusal.clone());
        let reading = DirectorReads::new().read(&mut backend, &clock).unwrap();
        assert_eq!(reading.daemons, Err(refusal.to_string()));
        assert!(reading.timeouts.is_ok(), "one refusal keeps the other part");
    }
}
