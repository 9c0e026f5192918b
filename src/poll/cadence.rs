//! When a poll lists the table whole, and how many polls a round of the
//! sweep takes. Both are decided by time, not by a count of polls: a listing
//! that takes longer than the delay stretches the interval it is measured
//! over, and a count derived from that interval would list again at once,
//! every poll, holding up the rows on screen with it.

use std::time::Duration;

/// Every real server is read at least this often while the table is small
/// enough for the sweep to keep up within its budget.
pub const SWEEP_PERIOD: Duration = Duration::from_secs(10);

/// Tables of up to this many services are listed whole every poll. A bigger
/// table is listed whole once per round of the sweep (so no row is older
/// than `SWEEP_PERIOD`), and in between only the services on screen are
/// re-read, one GET_SERVICE each: listing a big table every poll costs a
/// good share of a full read's time.
pub const LIST_EVERY_POLL_MAX: usize = 1000;

/// What the cadence remembers of past polls.
#[derive(Debug, Default)]
pub(super) struct Cadence {
    /// When the last whole listing began, and whether the next poll must
    /// list the table whole anyway (a change was just applied).
    listed_at: Option<Duration>,
    relist: bool,
    /// How long the last poll that did not list the table took: what the
    /// next one is expected to take (see `lists_whole`).
    ordinary: Option<Duration>,
    /// When the last poll began.
    last_at: Option<Duration>,
    /// How long the last poll took (the margin of a round, see `round`).
    last_took: Option<Duration>,
}

impl Cadence {
    /// Makes the next poll list the table whole.
    pub(super) fn relist(&mut self) {
        self.relist = true;
    }

    /// A poll begins at `started`: the interval it reports, from the last
    /// poll's start, never shorter than the delay.
    pub(super) fn begin(&mut self, started: Duration, delay: Duration) -> Duration {
        let interval = match self.last_at {
            Some(prev) => (started - prev).max(delay),
            None => delay,
        };
        self.last_at = Some(started);
        interval
    }

    /// A poll read the table, taking `took`; `whole` if it listed it.
    pub(super) fn finished(&mut self, took: Duration, whole: bool) {
        self.last_took = Some(took);
        if !whole {
            self.ordinary = Some(took);
        }
    }

    /// The poll that began at `started` listed the table whole.
    pub(super) fn listed(&mut self, started: Duration) {
        self.relist = false;
        self.listed_at = Some(started);
    }

    /// Whether the poll starting `now` lists every one of the `services`
    /// last listed (see `LIST_EVERY_POLL_MAX`): yes unless the next poll can
    /// still list within `SWEEP_PERIOD` of the last listing. The next poll
    /// is expected a delay from now, or as long as an ordinary poll takes if
    /// that is longer (never a listing poll's length, which would list
    /// every poll once a listing outlasts the delay).
    pub(super) fn lists_whole(&self, now: Duration, delay: Duration, services: usize) -> bool {
        let Some(listed_at) = self.listed_at else {
            return true;
        };
        let next = delay.max(self.ordinary.unwrap_or(delay));
        self.relist
            || services <= LIST_EVERY_POLL_MAX
            || now.saturating_sub(listed_at) + next >= SWEEP_PERIOD
    }

    /// Polls in a round of the sweep. A service is read again a round of
    /// intervals later, give or take where in its poll it is read: the
    /// round plus one poll's duration (the last one's, at least a tenth of
    /// the interval; a whole interval before the first poll) fits in
    /// `SWEEP_PERIOD`. A round of `period / interval - 1` polls would come
    /// out one poll short whenever the measured interval is a hair over the
    /// delay (1.0001 s: 8 polls, not 9).
    pub(super) fn round(&self, interval: Duration) -> usize {
        let took = self
            .last_took
            .map_or(interval, |t| t.max(interval / 10))
            .min(interval);
        let room = SWEEP_PERIOD.saturating_sub(took).as_secs_f64();
        ((room / interval.as_secs_f64()).floor() as usize).max(1)
    }
}
