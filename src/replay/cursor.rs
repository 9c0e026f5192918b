//! The time cursor over a recording's ticks, pure: where it is, whether it
//! plays and how fast, and what each key makes of it. The replay thread
//! (`poll::replay_loop`) carries its answers out against the file.

use std::time::{Duration, SystemTime};

use crate::app::replay::CursorKey;

/// The speeds playing cycles through, in recorded seconds per second.
pub const SPEEDS: [u32; 3] = [1, 10, 60];

/// While playing, ticks are shown at most this often in real time; at ×60
/// over a 1 s recording the ticks in between are passed over (the rates
/// of the tick shown come from the counters, so they stay right).
pub const FRAME_MIN: Duration = Duration::from_millis(100);

/// Where the cursor goes after a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goes {
    /// Nowhere: play, pause or speed only.
    Stays,
    /// Forward to this tick, the ticks in between applied as polls.
    Forward(usize),
    /// To this tick, the store rebuilt from the recording up to it.
    Jumps(usize),
}

#[derive(Debug, Clone)]
pub struct Cursor {
    ticks: Vec<SystemTime>,
    at: usize,
    playing: bool,
    speed: usize,
}

impl Cursor {
    /// At the last tick at or before `start` (the first tick if none),
    /// paused, ×1 when played. `ticks` must not be empty.
    pub fn new(ticks: Vec<SystemTime>, start: Option<SystemTime>) -> Cursor {
        assert!(!ticks.is_empty(), "a cursor needs a tick");
        let mut c = Cursor {
            ticks,
            at: 0,
            playing: false,
            speed: 0,
        };
        if let Some(t) = start {
            c.at = c.index_at(t);
        }
        c
    }

    pub fn at(&self) -> usize {
        self.at
    }

    /// How many ticks the recording has (never 0).
    pub fn count(&self) -> usize {
        self.ticks.len()
    }

    pub fn time(&self) -> SystemTime {
        self.ticks[self.at]
    }

    pub fn time_of(&self, tick: usize) -> SystemTime {
        self.ticks[tick]
    }

    pub fn first(&self) -> SystemTime {
        self.ticks[0]
    }

    pub fn playing(&self) -> bool {
        self.playing
    }

    pub fn speed(&self) -> u32 {
        SPEEDS[self.speed]
    }

    /// The last tick at or before `t`; the first if `t` is before it.
    pub fn index_at(&self, t: SystemTime) -> usize {
        self.ticks.partition_point(|x| *x <= t).saturating_sub(1)
    }

    /// What a key does; the words say why nothing moved, when it matters.
    pub fn key(&mut self, key: CursorKey) -> (Goes, Option<&'static str>) {
        match key {
            CursorKey::PlayPause => {
                if !self.playing && self.at + 1 == self.ticks.len() {
                    return (Goes::Stays, Some("end of the recording"));
                }
                self.playing = !self.playing;
                (Goes::Stays, None)
            }
            CursorKey::Faster => {
                self.speed = (self.speed + 1).min(SPEEDS.len() - 1);
                (Goes::Stays, None)
            }
            CursorKey::Slower => {
                self.speed = self.speed.saturating_sub(1);
                (Goes::Stays, None)
            }
            CursorKey::Step(forward) => {
                self.playing = false;
                match (forward, self.at) {
                    (true, at) if at + 1 < self.ticks.len() => self.moved(at + 1, true),
                    (true, _) => (Goes::Stays, Some("end of the recording")),
                    (false, 0) => (Goes::Stays, Some("start of the recording")),
                    (false, at) => self.moved(at - 1, false),
                }
            }
            CursorKey::Jump(secs) => {
                let now = self.time();
                let by = Duration::from_secs(secs.unsigned_abs() as u64);
                let target = if secs >= 0 {
                    now.checked_add(by)
                } else {
                    now.checked_sub(by)
                };
                let to = target.map_or(0, |t| self.index_at(t));
                match (to == self.at, secs >= 0) {
                    (true, true) => (Goes::Stays, Some("end of the recording")),
                    (true, false) => (Goes::Stays, Some("start of the recording")),
                    _ => self.moved(to, false),
                }
            }
            // The form is the app's; it sends a time, see `go_to`.
            CursorKey::GoTo => (Goes::Stays, None),
        }
    }

    /// To the last tick at or before `t`.
    pub fn go_to(&mut self, t: SystemTime) -> Goes {
        let to = self.index_at(t);
        if to == self.at {
            return Goes::Stays;
        }
        self.moved(to, false).0
    }

    fn moved(&mut self, to: usize, one_step: bool) -> (Goes, Option<&'static str>) {
        self.at = to;
        let goes = if one_step {
            Goes::Forward(to)
        } else {
            Goes::Jumps(to)
        };
        (goes, None)
    }

    /// While playing: how long after the current tick was shown the next
    /// one is due, in real time (None: paused, or at the end).
    pub fn wait(&self) -> Option<Duration> {
        if !self.playing || self.at + 1 >= self.ticks.len() {
            return None;
        }
        let gap = self.ticks[self.at + 1]
            .duration_since(self.ticks[self.at])
            .unwrap_or_default();
        Some((gap / self.speed()).max(FRAME_MIN))
    }

    /// Playing on, `shown` real time after the current tick was shown: the
    /// tick due now (at least the next one). At the end, playing stops.
    pub fn play_on(&mut self, shown: Duration) -> Goes {
        if !self.playing || self.at + 1 >= self.ticks.len() {
            self.playing = false;
            return Goes::Stays;
        }
        let recorded = shown * self.speed();
        let due = self
            .time()
            .checked_add(recorded)
            .map_or(self.ticks.len() - 1, |t| self.index_at(t));
        self.at = due.max(self.at + 1);
        if self.at + 1 == self.ticks.len() {
            self.playing = false;
        }
        Goes::Forward(self.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn every_second(n: u64) -> Vec<SystemTime> {
        (0..n)
            .map(|i| UNIX_EPOCH + Duration::from_secs(1000 + i))
            .collect()
    }

    #[test]
    fn steps_pause_and_stop_at_the_ends() {
        let mut c = Cursor::new(every_second(3), None);
        assert!(!c.playing(), "a replay starts paused");
        c.key(CursorKey::PlayPause);
        assert!(c.playing());
        assert_eq!(
            c.key(CursorKey::Step(false)),
            (Goes::Stays, Some("start of the recording"))
        );
        assert!(!c.playing());
        assert_eq!(c.key(CursorKey::Step(true)).0, Goes::Forward(1));
        assert_eq!(c.key(CursorKey::Step(true)).0, Goes::Forward(2));
        assert_eq!(
            c.key(CursorKey::Step(true)),
            (Goes::Stays, Some("end of the recording"))
        );
        assert_eq!(c.key(CursorKey::Step(false)).0, Goes::Jumps(1));
    }

    #[test]
    fn jumps_land_on_the_tick_at_or_before() {
        let mut c = Cursor::new(
            every_second(1000),
            Some(UNIX_EPOCH + Duration::from_secs(1100)),
        );
        assert_eq!(c.at(), 100);
        assert_eq!(c.key(CursorKey::Jump(60)).0, Goes::Jumps(160));
        assert_eq!(c.key(CursorKey::Jump(-600)).0, Goes::Jumps(0));
        assert_eq!(
            c.key(CursorKey::Jump(-60)).1,
            Some("start of the recording")
        );
        assert_eq!(c.key(CursorKey::Jump(600)).0, Goes::Jumps(600));
        assert_eq!(c.key(CursorKey::Jump(600)).0, Goes::Jumps(999));
        assert_eq!(
            c.go_to(UNIX_EPOCH + Duration::from_secs(1003)),
            Goes::Jumps(3)
        );
        assert_eq!(c.go_to(UNIX_EPOCH), Goes::Jumps(0));
    }

    #[test]
    fn playing_keeps_the_recorded_pace_scaled_by_speed() {
        let mut c = Cursor::new(every_second(200), None);
        assert_eq!(c.wait(), None, "paused");
        c.key(CursorKey::PlayPause);
        assert_eq!(c.wait(), Some(Duration::from_secs(1)));
        assert_eq!(c.play_on(Duration::from_secs(1)), Goes::Forward(1));
        c.key(CursorKey::Faster);
        assert_eq!(c.speed(), 10);
        assert_eq!(c.wait(), Some(Duration::from_millis(100)));
        c.key(CursorKey::Faster);
        c.key(CursorKey::Faster);
        assert_eq!(c.speed(), 60);
        // ×60 is faster than frames go: ticks in between are passed over.
        assert_eq!(c.wait(), Some(FRAME_MIN));
        assert_eq!(c.play_on(Duration::from_millis(100)), Goes::Forward(7));
        assert_eq!(c.play_on(Duration::from_secs(10)), Goes::Forward(199));
        assert!(!c.playing(), "playing stops at the end");
        assert_eq!(
            c.key(CursorKey::PlayPause),
            (Goes::Stays, Some("end of the recording"))
        );
        c.key(CursorKey::Slower);
        assert_eq!(c.speed(), 10);
    }
}
