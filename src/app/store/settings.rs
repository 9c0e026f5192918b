//! The kernel's `net.ipv4.vs.*` settings as the owner thread last read
//! them, and how old that reading is.

use std::time::{Duration, SystemTime};

use crate::model::VsSettings;

/// How often the owner thread reads the settings: they change rarely, and
/// a reading is a score of small /proc files.
pub const SETTINGS_EVERY: Duration = Duration::from_secs(5);

/// One reading of the settings by the owner thread.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsReading {
    /// Monotonic time of the reading.
    pub at: Duration,
    pub wall: SystemTime,
    /// The settings, or why they could not be read, in words.
    pub result: Result<VsSettings, String>,
}

/// The last good reading and the last failure since it.
#[derive(Debug, Clone, Default)]
pub struct KernelSettings {
    /// The settings and when (monotonic, wall) they were read.
    last: Option<(VsSettings, Duration, SystemTime)>,
    /// Why the latest reading failed (None: it did not).
    error: Option<String>,
}

impl KernelSettings {
    pub fn apply(&mut self, reading: SettingsReading) {
        match reading.result {
            Ok(values) => {
                self.last = Some((values, reading.at, reading.wall));
                self.error = None;
            }
            // The last good values stay, shown with their age.
            Err(why) => self.error = Some(why),
        }
    }

    /// The estimator as a poll found it (the same file, read each poll):
    /// the fresher word on run_estimation, so the panel and the header
    /// never disagree.
    pub fn estimator(&mut self, running: bool) {
        if let Some((values, _, _)) = &mut self.last {
            if values.run_estimation.is_some_and(|v| (v != 0) != running) {
                values.run_estimation = Some(i64::from(running));
            }
        }
    }

    /// The settings last read (all unknown until a reading succeeds).
    pub fn values(&self) -> VsSettings {
        self.last.map(|(v, _, _)| v).unwrap_or_default()
    }

    /// Whether any reading has succeeded.
    pub fn known(&self) -> bool {
        self.last.is_some()
    }

    /// How old the last good reading is at `now` (monotonic).
    pub fn age(&self, now: Duration) -> Option<Duration> {
        self.last.map(|(_, at, _)| now.saturating_sub(at))
    }

    /// Wall time of the last good reading.
    pub fn read_at(&self) -> Option<SystemTime> {
        self.last.map(|(_, _, wall)| wall)
    }

    /// Why the latest reading failed.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(at: u64, result: Result<VsSettings, String>) -> SettingsReading {
        SettingsReading {
            at: Duration::from_secs(at),
            wall: SystemTime::UNIX_EPOCH + Duration::from_secs(at),
            result,
        }
    }

    #[test]
    fn a_failed_reading_keeps_the_last_values_and_says_why() {
        let mut k = KernelSettings::default();
        assert!(!k.known());
        assert_eq!(k.values(), VsSettings::default());
        let mut v = VsSettings::kernel_defaults();
        v.expire_nodest_conn = Some(1);
        k.apply(reading(10, Ok(v)));
        assert_eq!(k.values(), v);
        assert_eq!(k.age(Duration::from_secs(13)), Some(Duration::from_secs(3)));

        k.apply(reading(15, Err("cannot read x".into())));
        assert_eq!(k.values(), v);
        assert_eq!(k.error(), Some("cannot read x"));
        assert_eq!(k.age(Duration::from_secs(16)), Some(Duration::from_secs(6)));

        k.apply(reading(20, Ok(VsSettings::kernel_defaults())));
        assert_eq!(k.error(), None);
        assert_eq!(k.values().expire_nodest_conn, Some(0));
    }

    #[test]
    fn a_poll_s_estimator_reading_wins_over_an_older_settings_reading() {
        let mut k = KernelSettings::default();
        k.estimator(false);
        assert_eq!(k.values().run_estimation, None, "nothing read yet");
        let mut v = VsSettings::kernel_defaults();
        v.run_estimation = Some(2);
        k.apply(reading(1, Ok(v)));
        k.estimator(true);
        assert_eq!(k.values().run_estimation, Some(2), "agrees: kept");
        k.estimator(false);
        assert_eq!(k.values().run_estimation, Some(0));
        k.estimator(true);
        assert_eq!(k.values().run_estimation, Some(1));
        v.run_estimation = None;
        k.apply(reading(2, Ok(v)));
        k.estimator(false);
        assert_eq!(k.values().run_estimation, None, "not in this kernel");
    }
}
