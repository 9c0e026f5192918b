//! The monitor's data: services and their real servers as last read, their
//! history and rates, the director's totals and the health of polling. Read
//! through methods; only applying a poll (`apply`) changes it.

mod alerted;
mod apply;
mod connections;
mod director;
#[cfg(test)]
mod jump_tests;
mod row;
mod settings;
mod table;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use crate::model::{Info, Service, ServiceKey};

use super::config::{AppConfig, DEST_SERIES_MAX, UNREAD_WATCHED};
use super::keyhash::KeyMap;
use super::rates::RateSource;
use super::series::Series;
use super::table::{dest_text, service_text, Row, RowKey};

pub use alerted::WorstAlert;
pub(super) use apply::{Applying, Step};
pub use connections::{Connections, ReadFailure};
pub use director::DirectorReading;
pub use row::{Changed, DestRow, ServiceRow};
pub use settings::{KernelSettings, SettingsReading, SETTINGS_EVERY};

/// Health of the polling.
#[derive(Debug, Clone, Default)]
pub struct PollStatus {
    pub last_ok: Option<SystemTime>,
    /// Wall time of the first failure of the current failing streak.
    pub failing_since: Option<SystemTime>,
    pub last_error: Option<String>,
    pub took: Duration,
    /// The interval in force (longer than the delay when polls are slow).
    pub interval: Duration,
}

#[derive(Debug, Clone)]
pub struct Store {
    config: AppConfig,
    info: Option<Info>,
    /// Services in ipvsadm's default order.
    services: Vec<ServiceRow>,
    index: KeyMap<ServiceKey, usize>,
    /// The rows' keys, in row order: a whole listing of the same services
    /// (the usual one) is recognised by one pass over this short, dense
    /// list instead of over 50,000 rows spread in memory.
    keys: Vec<ServiceKey>,
    rate_source: RateSource,
    /// The director: sum over services.
    totals: Series,
    totals_active: u64,
    poll: PollStatus,
    /// Services watched recently, with when (a counter of polls): their real
    /// servers keep series.
    recent: HashMap<ServiceKey, u64>,
    polls: u64,
    /// Rows that carry change marks after the last poll (found by its
    /// totals pass): a poll that reads only some rows clears these rows'
    /// marks first, so no mark outlives its poll.
    flagged: Vec<usize>,
    /// The kernel rates and active connections summed over every row, kept
    /// up to date row by row by polls that read only some rows (`Some`
    /// when the last totals pass summed kernel rates), so such a poll's
    /// work follows the rows it read. Whole listings still sum every row.
    kept_sums: Option<apply::KernelSums>,
    /// Whether rows keep their filter text.
    search_kept: bool,
    /// Services with alerts raised on their real servers, and how many: the
    /// header's worst alert and count, and `n`, look only at these.
    alerted: HashMap<ServiceKey, u16>,
    /// The connection table as the owner thread last read it.
    connections: Connections,
    /// The timeouts and sync daemons as last read (None: not yet).
    director: Option<DirectorReading>,
    /// The kernel's `net.ipv4.vs.*` settings as the owner thread last read them.
    settings: KernelSettings,
    /// The rows from before a replay's jump, by service, until the first
    /// poll after it is applied: a row made again reuses its memory.
    before_jump: KeyMap<ServiceKey, ServiceRow>,
}

impl Store {
    pub fn new(config: AppConfig) -> Store {
        let samples = config.history_samples();
        Store {
            poll: PollStatus {
                interval: config.delay,
                ..PollStatus::default()
            },
            config,
            info: None,
            services: Vec::new(),
            index: KeyMap::default(),
            keys: Vec::new(),
            rate_source: RateSource::Kernel,
            totals: Series::new(samples),
            totals_active: 0,
            recent: HashMap::new(),
            polls: 0,
            flagged: Vec::new(),
            kept_sums: None,
            search_kept: false,
            alerted: HashMap::new(),
            connections: Connections::default(),
            director: None,
            settings: KernelSettings::default(),
            before_jump: KeyMap::default(),
        }
    }

    /// A replay jumped: the store starts again as a new one (nothing of its
    /// state stays), its rows kept aside for their memory only.
    pub(super) fn rewind(&mut self) {
        let rows = std::mem::take(&mut self.services);
        let mut fresh = Store::new(self.config.clone());
        fresh.before_jump = rows.into_iter().map(|r| (r.service.key, r)).collect();
        *self = fresh;
    }

    /// The row of a service seen for the first time (since a jump).
    pub(super) fn new_row(&mut self, service: &Service, samples: usize) -> ServiceRow {
        match self.before_jump.remove(&service.key) {
            Some(old) => old.renewed(service.clone(), samples, self.polls),
            None => ServiceRow::fresh(service.clone(), samples, self.polls),
        }
    }

    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// The kernel's IPVS version and table size (`None` until a poll).
    pub fn info(&self) -> Option<&Info> {
        self.info.as_ref()
    }

    /// Services in ipvsadm's default order.
    pub fn services(&self) -> &[ServiceRow] {
        &self.services
    }

    pub fn service(&self, key: &ServiceKey) -> Option<&ServiceRow> {
        self.index.get(key).map(|&i| &self.services[i])
    }

    /// The index of a service's row in `services`.
    pub fn position(&self, key: &ServiceKey) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// Where the rates shown come from.
    pub fn rate_source(&self) -> RateSource {
        self.rate_source
    }

    /// The director: the sum over services.
    pub fn totals(&self) -> &Series {
        &self.totals
    }

    /// The director's active connections.
    pub fn totals_active(&self) -> u64 {
        self.totals_active
    }

    /// The connections view's reading, an exact read under way and the
    /// table-wide half-open counts.
    pub fn connections(&self) -> &Connections {
        &self.connections
    }

    pub(crate) fn connections_mut(&mut self) -> &mut Connections {
        &mut self.connections
    }

    /// The timeouts and sync daemons as the owner thread last read them.
    pub fn director(&self) -> Option<&DirectorReading> {
        self.director.as_ref()
    }

    pub(crate) fn set_director(&mut self, reading: DirectorReading) {
        self.director = Some(reading);
    }

    /// The kernel's settings as last read.
    pub fn settings(&self) -> &KernelSettings {
        &self.settings
    }

    pub fn apply_settings(&mut self, reading: SettingsReading) {
        self.settings.apply(reading);
    }

    pub fn poll_status(&self) -> &PollStatus {
        &self.poll
    }

    /// What identifies a row of the table across polls.
    pub fn row_key(&self, row: &Row) -> RowKey {
        match *row {
            Row::Service(i) => RowKey::Service(self.services[i].service.key),
            Row::Dest(i, j) => RowKey::Dest(
                self.services[i].service.key,
                self.services[i].dests[j].dest.key(),
            ),
        }
    }

    /// A poll failed: the table keeps its last reading, marked stale from
    /// the first failure of the streak.
    pub(super) fn poll_failed(&mut self, wall: SystemTime, error: String) {
        if self.poll.failing_since.is_none() {
            self.poll.failing_since = Some(wall);
        }
        self.poll.last_error = Some(error);
    }

    /// Whether service `i` or one of its real servers matches. Its text is
    /// one line per row, so a match never spans two (a typed filter has no
    /// line break).
    pub(super) fn matches(&self, i: usize, needle: &str) -> bool {
        self.services[i]
            .search
            .as_deref()
            .is_some_and(|t| t.contains(needle))
    }

    /// Whether a row's own line matches: a service by its address and
    /// scheduler, a real server by its address and port.
    pub(super) fn row_matches(&self, row: Row, needle: &str) -> bool {
        let (i, line) = match row {
            Row::Service(i) => (i, 0),
            Row::Dest(i, j) => (i, j + 1),
        };
        self.services[i]
            .search
            .as_deref()
            .and_then(|t| t.split('\n').nth(line))
            .is_some_and(|l| l.contains(needle))
    }

    /// The real servers of service `i` that match (indexes into its dests).
    pub(super) fn matching_dests(&self, i: usize, needle: &str) -> Vec<usize> {
        let Some(text) = self.services[i].search.as_deref() else {
            return Vec::new();
        };
        text.split('\n')
            .skip(1)
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .map(|(j, _)| j)
            .collect()
    }

    /// Fills the filter texts that are missing while a filter is set; drops
    /// them all once it is cleared.
    pub(super) fn refresh_search(&mut self, filtering: bool) {
        if filtering {
            for row in &mut self.services {
                if row.search.is_none() {
                    let mut text = service_text(&row.service);
                    for d in &row.dests {
                        text.push('\n');
                        text.push_str(&dest_text(&d.dest).to_lowercase());
                    }
                    row.search = Some(text.into());
                }
            }
        } else if self.search_kept {
            for row in &mut self.services {
                row.search = None;
            }
        }
        self.search_kept = filtering;
    }

    /// Records which services are watched now (`selected` first), and gives
    /// series to the real servers of the most recently watched ones up to
    /// `DEST_SERIES_MAX`, dropping the others' series. A service with more
    /// real servers than there is room for gets series for its first ones.
    /// Returns the room left for watched services not read yet.
    pub(super) fn note_watched(
        &mut self,
        watched: Vec<ServiceKey>,
        selected: Option<ServiceKey>,
    ) -> usize {
        self.polls += 1;
        for key in watched {
            // The selected service ranks above the rest of the screen.
            let stamp = 2 * self.polls + u64::from(Some(key) == selected);
            self.recent.insert(key, stamp);
        }
        let mut by_recency: Vec<(u64, ServiceKey)> =
            self.recent.iter().map(|(k, &t)| (t, *k)).collect();
        by_recency.sort_unstable_by_key(|e| std::cmp::Reverse(e.0));
        let mut room = DEST_SERIES_MAX;
        let mut keep: HashMap<ServiceKey, usize> = HashMap::new();
        for (_, key) in by_recency {
            let Some(&i) = self.index.get(&key) else {
                continue;
            };
            let row = &self.services[i];
            if row.dests_read_at.is_none() {
                // Not read yet: its first reading takes what room is left.
                keep.insert(key, UNREAD_WATCHED);
                continue;
            }
            // A service without real servers counts as one, so the set of
            // services stays bounded too.
            let n = row.dests.len().max(1).min(room);
            if n > 0 {
                room -= n;
                keep.insert(key, n);
            }
        }
        let mut dropped = Vec::new();
        self.recent.retain(|k, _| {
            let kept = keep.contains_key(k);
            if !kept {
                dropped.push(*k);
            }
            kept
        });
        let kept = keep.iter().map(|(k, n)| (*k, *n));
        for (key, n) in dropped.into_iter().map(|k| (k, 0)).chain(kept) {
            if let Some(&i) = self.index.get(&key) {
                let row = &mut self.services[i];
                row.dest_series = n;
                for d in row.dests.iter_mut().skip(n) {
                    d.series = None;
                }
            }
        }
        room
    }
}
