//! The replay thread: in place of the owner thread that polls a backend, it
//! reads the recording and sends the monitor the same reports, at the
//! recorded pace scaled by the speed; the cursor keys come to it as
//! commands. The UI never waits on the file: only this thread reads it.

use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::app::rates::DERIVE_WINDOW;
use crate::app::replay::{CursorMove, ReplayStatus};
use crate::app::store::SettingsReading;
use crate::app::{DirectorReading, Event, PollResult};
use crate::conns::{ConnEvent, ConnRequest, ReadOf, Scope, Standing};
use crate::journal::Journal;
use crate::output::json::rfc3339_millis;
use crate::record::{ConnRecord, Entry, Recording, Tick};
use crate::replay::{moment, Cursor, Goes};

use super::journal_pane::pane_lines;
use super::messages::Report;
use super::owner::Replay;
use super::owner_loop::{CursorWake, Inbox};

type Reports = tokio::sync::mpsc::UnboundedSender<Report>;

/// Rows (services and real servers) a jump sends at most to rebuild the
/// history: ticks of a big table are many megabytes each, and the UI
/// applies every one. A table of 100 rows gets 2,500 ticks (any
/// `--history` up to that); one of 22,000 (2,000 x 10) 11; one of 110,000
/// (10,000 x 10) would get 2, too few for a rate, so it gets the cursor's
/// tick alone (`rebuilt_from`): with 9 a jump there took 0.3-0.6 s on the
/// host, 7 s in the test VM (docs/benchmarks.md, "Recording at scale").
pub const REBUILD_ROWS_MAX: usize = 250_000;

/// Where a rebuild at `at` starts: the history window (`window`), or the
/// oldest tick the row cap affords (`oldest`) when that is later. A capped
/// history spanning less than a rate from counters needs (`DERIVE_WINDOW`)
/// is not rebuilt at all, only the tick at `at`: a second tick a second
/// before gives no rate and a two-point sparkline, and doubled the work of
/// a jump at 10,000 x 10 (docs/benchmarks.md, "Recording at scale").
pub fn rebuilt_from(at: SystemTime, window: SystemTime, oldest: SystemTime) -> SystemTime {
    let capped = oldest > window;
    let span = at.duration_since(oldest).unwrap_or_default();
    if capped && span < DERIVE_WINDOW {
        at
    } else {
        window.max(oldest)
    }
}

/// A tick as the poll the monitor would have made then: the whole table,
/// at the recorded time (which is the monotonic time too: rates come from
/// the recorded counters over the recorded interval).
pub fn polled(tick: Tick) -> Event {
    let at = tick.wall.duration_since(UNIX_EPOCH).unwrap_or_default();
    let mut services = Vec::with_capacity(tick.snapshot.services.len());
    let mut dests = Vec::with_capacity(tick.snapshot.services.len());
    for e in tick.snapshot.services {
        dests.push((e.service.key, e.dests));
        services.push(e.service);
    }
    Event::Polled(PollResult {
        at,
        wall: tick.wall,
        took: tick.took,
        interval: tick.interval,
        info: tick.snapshot.info,
        whole: true,
        services,
        dests,
        estimator: tick.estimator,
    })
}

/// Text from the recording with its control characters as `?`.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn rows(tick: &Tick) -> usize {
    tick.snapshot
        .services
        .iter()
        .map(|s| 1 + s.dests.len())
        .sum()
}

/// The player: the recording, the cursor, what was sent.
struct Player {
    recording: Recording,
    cursor: Cursor,
    history: Duration,
    tx: Reports,
    /// Rows of the last tick sent: how many ticks a rebuild can afford.
    rows: usize,
    /// The journal's lines with their recorded times, read once.
    journal: Vec<(SystemTime, String)>,
    /// How many of them the pane shows now.
    journal_shown: Option<usize>,
    /// Problems not told yet.
    problems: Vec<String>,
    /// The connection summaries with their recorded times (None: the scan
    /// has not read them yet).
    conns: Option<Vec<(SystemTime, ConnRecord)>>,
    /// The connections view's scope while it is open.
    view: Option<Scope>,
    /// What the view was last sent: the summary's index, or none.
    view_shown: Option<Option<usize>>,
}

impl Player {
    fn send(&self, report: Report) -> bool {
        self.tx.send(report).is_ok()
    }

    /// Sends the entries from `from` to `to` as the monitor's reports; a
    /// gap is a failed poll (the header's stale badge), until the next tick.
    fn play(&mut self, from: SystemTime, to: SystemTime) -> bool {
        let (tx, rows_sent) = (&self.tx, &mut self.rows);
        for entry in self.recording.entries(from, to) {
            let report = match entry {
                Entry::Tick(t) => {
                    *rows_sent = rows(&t);
                    Report::Poll(polled(t))
                }
                Entry::Gap { wall, reason } => Report::Poll(Event::PollFailed {
                    at: wall.duration_since(UNIX_EPOCH).unwrap_or_default(),
                    wall,
                    error: format!("not recorded: {reason}"),
                }),
                _ => continue,
            };
            if tx.send(report).is_err() {
                return false;
            }
        }
        true
    }

    /// The store rebuilt at tick `to`: the history window's ticks before it
    /// (as many as `REBUILD_ROWS_MAX` allows), then it.
    fn rebuild(&mut self, to: usize) -> bool {
        let at = self.cursor.time_of(to);
        let affordable = (REBUILD_ROWS_MAX / self.rows.max(1)).max(1);
        let window = at.checked_sub(self.history).unwrap_or(UNIX_EPOCH);
        let oldest = self.cursor.time_of(to.saturating_sub(affordable - 1));
        let from = rebuilt_from(at, window, oldest);
        // The rewind forgets the view's reading: it is sent again.
        self.view_shown = None;
        self.send(Report::Rewind) && self.play(from, at) && self.no_director()
    }

    /// What the panels and views read live, answered from the recording:
    /// the view's connection summaries when recorded, else in words.
    fn unrecorded(&mut self, conns: Vec<ConnRequest>, settings: bool) -> bool {
        let wall = self.cursor.time();
        let at = wall.duration_since(UNIX_EPOCH).unwrap_or_default();
        let not = |what: &str| format!("not recorded: a recording holds the table, not {what}");
        let mut reports = Vec::new();
        if settings {
            reports.push(Report::Settings(Box::new(SettingsReading {
                at,
                wall,
                result: Err(not("the kernel settings")),
            })));
        }
        for request in conns {
            match request {
                ConnRequest::Open(scope) => {
                    self.view = Some(scope);
                    self.view_shown = None;
                }
                ConnRequest::Close => self.view = None,
                ConnRequest::Exact => {
                    let error = "not recorded: a recording holds the view's summaries, \
                                 not the connection table an exact read walks"
                        .to_string();
                    let of = ReadOf::Exact;
                    reports.push(Report::Connections(ConnEvent::Failed { of, error, at }));
                }
                // The half-open column stays blank rather than in error.
                _ => continue,
            }
        }
        reports.into_iter().all(|r| self.send(r)) && self.view_at_cursor()
    }

    /// The open connections view's summary at or before the cursor, sent
    /// when it changed; else "not recorded" with the nearest one's time.
    fn view_at_cursor(&mut self) -> bool {
        let (Some(scope), Some(conns)) = (&self.view, &self.conns) else {
            return true;
        };
        let now = self.cursor.time();
        let of_scope = |r: &ConnRecord| {
            r.service == scope.service
                && r.dest == scope.dest
                && r.clients == scope.clients.map(|p| p.to_string())
        };
        // A summary is read after its poll: the cursor's poll's is the one
        // before the next poll.
        let tick = self.cursor.at();
        let next = (tick + 1 < self.cursor.count()).then(|| self.cursor.time_of(tick + 1));
        let before = conns.partition_point(|(t, _)| next.is_none_or(|n| *t < n));
        let found = conns[..before].iter().rposition(|(_, r)| of_scope(r));
        if self.view_shown == Some(found) {
            return true;
        }
        self.view_shown = Some(found);
        let at = now.duration_since(UNIX_EPOCH).unwrap_or_default();
        let event = match found {
            Some(i) => {
                let (wall, record) = &conns[i];
                let standing = standing_at(&self.recording, now, scope);
                let at = wall.duration_since(UNIX_EPOCH).unwrap_or_default();
                let reading = record.reading(*wall, at, |d| {
                    standing
                        .iter()
                        .find(|(k, _)| *k == d)
                        .map_or(Standing::Gone, |s| s.1)
                });
                ConnEvent::Reading(std::sync::Arc::new(reading))
            }
            None => {
                let after = conns[before..].iter().find(|(_, r)| of_scope(r));
                let error = match after {
                    Some((t, _)) => format!(
                        "not recorded: no connection summary of this scope at or before \
                         the cursor; the next at {}",
                        utc(*t)
                    ),
                    None => "not recorded: no connection summary of this scope in the \
                             recording (recorded only while the view was open)"
                        .to_string(),
                };
                ConnEvent::Withdrawn { error, at }
            }
        };
        self.send(Report::Connections(event))
    }

    /// The director panel's reading: not in a recording.
    fn no_director(&self) -> bool {
        let not = |what: &str| format!("not recorded: {what}");
        self.send(Report::Director(DirectorReading {
            wall: self.cursor.time(),
            timeouts: Err(not("the timeouts")),
            daemons: Err(not("the sync daemons")),
        }))
    }

    /// Ticks after `from` up to `to`, as polls.
    fn forward(&mut self, from: usize, to: usize) -> bool {
        self.play(self.cursor.time_of(from + 1), self.cursor.time_of(to))
    }

    /// The journal pane as it was at the cursor, sent when it changed.
    fn journal_at_cursor(&mut self) -> bool {
        let now = self.cursor.time();
        let shown = self.journal.partition_point(|(t, _)| *t <= now);
        if self.journal_shown == Some(shown) {
            return true;
        }
        self.journal_shown = Some(shown);
        let mut bytes = Vec::new();
        for (_, line) in &self.journal[..shown] {
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
        }
        // A recording is a file from anywhere: nothing in it reaches the
        // terminal as a control character.
        let lines = pane_lines(&Journal::parse(&bytes))
            .into_iter()
            .map(|l| printable(&l))
            .collect();
        self.send(Report::Journal(lines))
    }

    fn status(&mut self, said: Option<String>) -> bool {
        let status = ReplayStatus {
            at: self.cursor.time(),
            tick: self.cursor.at(),
            ticks: self.cursor.count(),
            playing: self.cursor.playing(),
            speed: self.cursor.speed(),
            problems: self.problems.drain(..).map(|p| printable(&p)).collect(),
            said,
        };
        self.journal_at_cursor() && self.view_at_cursor() && self.send(Report::Replay(status))
    }

    /// Carries out where a move takes the cursor (it has moved already).
    fn go(&mut self, from: usize, goes: Goes) -> bool {
        match goes {
            Goes::Stays => true,
            Goes::Forward(to) => self.forward(from, to),
            Goes::Jumps(to) => self.rebuild(to),
        }
    }

    fn moved(&mut self, m: CursorMove) -> bool {
        let from = self.cursor.at();
        let (goes, said) = match m {
            CursorMove::Key(k) => {
                let (goes, said) = self.cursor.key(k);
                (goes, said.map(String::from))
            }
            CursorMove::GoTo(text) => match moment::parse(&text) {
                Ok(m) => {
                    let t = m.place(self.cursor.first());
                    let goes = self.cursor.go_to(t);
                    let said = (t < self.cursor.first())
                        .then(|| "before the recording: at its start".to_string());
                    (goes, said)
                }
                Err(why) => (Goes::Stays, Some(why)),
            },
        };
        self.go(from, goes) && self.status(said)
    }

    /// The journal's lines and connection summaries, once the scan has
    /// read them: the pane and the view then show those up to the cursor.
    fn scan_read(&mut self, scanned: Scanned) -> bool {
        self.journal = scanned.journal;
        self.journal_shown = None;
        self.conns = Some(scanned.conns);
        self.view_shown = None;
        self.journal_at_cursor() && self.view_at_cursor()
    }
}

/// `2026-12-05T00:03:12.000Z`: a recording may span days.
fn utc(t: SystemTime) -> String {
    let millis = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis();
    rfc3339_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}

/// Where each real server of the scope's service stood in the table at
/// `now` (weight 0: drained; absent: gone), for the view's notes.
fn standing_at(
    recording: &Recording,
    now: SystemTime,
    scope: &Scope,
) -> Vec<(crate::model::DestKey, Standing)> {
    let tick = recording.entries(now, now).find_map(|e| match e {
        Entry::Tick(t) => Some(t),
        _ => None,
    });
    let Some(tick) = tick else {
        return Vec::new();
    };
    tick.snapshot
        .services
        .into_iter()
        .find(|s| s.service.key == scope.service)
        .map(|s| {
            s.dests
                .iter()
                .map(|d| (d.key(), Standing::of_weight(d.weight)))
                .collect()
        })
        .unwrap_or_default()
}

/// What the scan reads once, in time order.
#[derive(Default)]
struct Scanned {
    journal: Vec<(SystemTime, String)>,
    conns: Vec<(SystemTime, ConnRecord)>,
}

/// Every journal line and connection summary of a recording with its
/// time. It may decode most of the file, so it runs on a thread of its own
/// over a second opening: the cursor answers meanwhile.
fn scan_recording(path: &Path) -> Scanned {
    let Ok(recording) = Recording::open(path) else {
        return Scanned::default();
    };
    let mut scanned = Scanned::default();
    for e in recording.besides_ticks() {
        match e {
            Entry::Journal { wall, line } => scanned.journal.push((wall, line)),
            Entry::Connections { wall, summary } => scanned.conns.push((wall, summary)),
            _ => {}
        }
    }
    scanned.journal.sort_by_key(|(t, _)| *t);
    scanned.conns.sort_by_key(|(t, _)| *t);
    scanned
}

/// How often the loop looks whether the journal's scan is done.
const SCAN_LOOK: Duration = Duration::from_millis(100);

pub(super) fn replay(r: Replay, mut inbox: Inbox, tx: Reports) {
    let ticks: Vec<SystemTime> = r.recording.ticks().to_vec();
    let problems = r.recording.problems().to_vec();
    if ticks.is_empty() {
        let _ = tx.send(Report::Poll(Event::PollFailed {
            at: Duration::ZERO,
            wall: UNIX_EPOCH,
            error: "the recording holds no poll".into(),
        }));
        while !matches!(inbox.wait_move(None), CursorWake::Stop) {}
        return;
    }
    let cursor = Cursor::new(ticks, r.start);
    let mut p = Player {
        recording: r.recording,
        cursor,
        history: r.history,
        tx,
        rows: usize::MAX,
        journal: Vec::new(),
        journal_shown: None,
        problems,
        conns: None,
        view: None,
        view_shown: None,
    };
    // The first frame is one tick: the sooner it shows, the better.
    let at = p.cursor.at();
    if !p.rebuild(at) {
        return;
    }
    let mut shown = Instant::now();
    if !p.status(None) {
        return;
    }
    let (scanned, scan) = mpsc::channel();
    let path = r.path;
    let _ = thread::Builder::new()
        .name("lvstop-journal-scan".into())
        .spawn(move || scanned.send(scan_recording(&path)));
    let mut scanning = true;
    loop {
        if scanning {
            match scan.try_recv() {
                Ok(found) => {
                    scanning = false;
                    if !p.scan_read(found) {
                        return;
                    }
                }
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => scanning = false,
            }
        }
        let playing = p.cursor.wait().map(|w| shown + w);
        let look = scanning.then(|| Instant::now() + SCAN_LOOK);
        let deadline = match (playing, look) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match inbox.wait_move(deadline) {
            CursorWake::Elapsed if playing.is_none_or(|t| Instant::now() < t) => {}
            CursorWake::Elapsed => {
                let from = p.cursor.at();
                let goes = p.cursor.play_on(shown.elapsed());
                shown = Instant::now();
                let said = (!p.cursor.playing()).then(|| "end of the recording".to_string());
                if !(p.go(from, goes) && p.status(said)) {
                    return;
                }
            }
            CursorWake::Move(m) => {
                if !p.moved(m) {
                    return;
                }
                shown = Instant::now();
            }
            CursorWake::Unrecorded(conns, settings) => {
                if !p.unrecorded(conns, settings) {
                    return;
                }
            }
            CursorWake::Stop => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_000_000 + secs)
    }

    #[test]
    fn a_rebuild_keeps_the_window_or_what_the_cap_affords_of_it() {
        // Small table: the 300 s window, not capped.
        assert_eq!(rebuilt_from(t(600), t(300), t(0)), t(300));
        // 2,000 x 10 at one tick a second: 11 ticks, 10 s: a rate's span.
        assert_eq!(rebuilt_from(t(600), t(300), t(590)), t(590));
        // A short --history is kept whatever its span.
        assert_eq!(rebuilt_from(t(600), t(598), t(595)), t(598));
    }

    #[test]
    fn a_capped_history_too_short_for_a_rate_is_the_cursors_tick_alone() {
        // 10,000 x 10: two ticks a second apart.
        assert_eq!(rebuilt_from(t(600), t(300), t(599)), t(600));
        assert_eq!(rebuilt_from(t(600), t(300), t(593)), t(600));
        assert_eq!(rebuilt_from(t(600), t(300), t(592)), t(592));
    }
}
