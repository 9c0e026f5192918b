//! The kernel's `net.ipv4.vs.*` settings, read by the owner thread every
//! `SETTINGS_EVERY` and at once when the settings panel opens.

use std::time::Duration;

use crate::app::store::{SettingsReading, SETTINGS_EVERY};
use crate::backend::Reader;
use crate::clock::Clock;

#[derive(Debug, Default)]
pub(super) struct SettingsReads {
    /// When (clock time) they were last read.
    last: Option<Duration>,
    /// The panel asked for a reading now.
    asked: bool,
}

impl SettingsReads {
    pub(super) fn ask(&mut self) {
        self.asked = true;
    }

    pub(super) fn asked(&self) -> bool {
        self.asked
    }

    /// Whether a reading was asked for, forgetting it (a replay answers
    /// without reading).
    pub(super) fn take_asked(&mut self) -> bool {
        std::mem::take(&mut self.asked)
    }

    /// A reading if one is due (never read, asked for, or
    /// `SETTINGS_EVERY` since the last).
    pub(super) fn read_if_due(
        &mut self,
        reader: &mut dyn Reader,
        clock: &dyn Clock,
    ) -> Option<SettingsReading> {
        let now = clock.now();
        let due = self.asked
            || self
                .last
                .is_none_or(|t| now.saturating_sub(t) >= SETTINGS_EVERY);
        if !due {
            return None;
        }
        self.asked = false;
        self.last = Some(now);
        Some(SettingsReading {
            at: clock.now(),
            wall: clock.wall(),
            result: reader.settings().map_err(|e| e.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{Error, ErrorKind};
    use crate::testkit::{CallKind, FakeReader, FakeTable, ManualClock};

    #[test]
    fn read_at_start_every_5_s_and_when_asked() {
        let clock = ManualClock::new(std::time::SystemTime::UNIX_EPOCH);
        let mut table = FakeTable::sample();
        table.settings.expire_nodest_conn = Some(1);
        let mut reader = FakeReader::new(table);
        let mut reads = SettingsReads::default();

        let first = reads.read_if_due(&mut reader, &clock).expect("first");
        assert_eq!(first.result.unwrap().expire_nodest_conn, Some(1));
        clock.advance(Duration::from_millis(4_900));
        assert!(reads.read_if_due(&mut reader, &clock).is_none());
        reads.ask();
        assert!(reads.asked());
        assert!(reads.read_if_due(&mut reader, &clock).is_some());
        assert!(!reads.asked());
        clock.advance(Duration::from_millis(4_999));
        assert!(reads.read_if_due(&mut reader, &clock).is_none());
        clock.advance(Duration::from_millis(1));
        assert!(reads.read_if_due(&mut reader, &clock).is_some());
        assert_eq!(reader.count(CallKind::Settings), 3);
    }

    #[test]
    fn a_failure_is_reported_in_words() {
        let clock = ManualClock::new(std::time::SystemTime::UNIX_EPOCH);
        let reader = FakeReader::new(FakeTable::sample());
        reader.fail_reads(Error::new(
            ErrorKind::Io,
            "cannot read x: Permission denied",
        ));
        let mut reader = reader;
        let r = SettingsReads::default().read_if_due(&mut reader, &clock);
        assert_eq!(
            r.unwrap().result,
            Err("cannot read x: Permission denied".to_string())
        );
    }
}
