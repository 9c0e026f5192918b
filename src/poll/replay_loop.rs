//! The replay thread: in place of the owner thread that polls a backend, it
//! reads the recording and sends the monitor the same reports, at the
//! recorded pace scaled by the speed; the cursor keys come to it as
//! commands. The UI never waits on the file: only this thread reads it.

use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::app::replay::{CursorMove, ReplayStatus};
use crate::app::store::SettingsReading;
use crate::app::{DirectorReading, Event, PollResult};
use crate::conns::{ConnEvent, ConnRequest, ReadOf};
use crate::journal::Journal;
use crate::record::{Entry, Recording, Tick};
use crate::replay::{moment, Cursor, Goes};

use super::journal_pane::pane_lines;
use super::messages::Report;
use super::owner::Replay;
use super::owner_loop::{CursorWake, Inbox};

type Reports = tokio::sync::mpsc::UnboundedSender<Report>;

/// Rows (services and real servers) a jump sends at most to rebuild the
/// history: ticks of a big table are many megabytes each, and the UI
/// applies every one. A table of 100 rows gets 20,000 ticks (any
/// `--history`); one of 110,000 (10,000 x 10) gets 9.
pub const REBUILD_ROWS_MAX: usize = 1_000_000;

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
        self.send(Report::Rewind) && self.play(window.max(oldest), at) && self.no_director()
    }

    /// What the panels and views read live and a recording does not hold,
    /// said in words where they would show it.
    fn unrecorded(&self, conns: Vec<ConnRequest>, settings: bool) -> bool {
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
            let of = match request {
                ConnRequest::Open(_) => ReadOf::View,
                ConnRequest::Exact => ReadOf::Exact,
                // The half-open column stays blank rather than in error.
                _ => continue,
            };
            let error = not("the connection table");
            reports.push(Report::Connections(ConnEvent::Failed { of, error, at }));
        }
        reports.into_iter().all(|r| self.send(r))
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
        self.journal_at_cursor() && self.send(Report::Replay(status))
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

    /// The journal's lines, once the scan has read them: the pane then
    /// shows those up to the cursor.
    fn journal_read(&mut self, journal: Vec<(SystemTime, String)>) -> bool {
        self.journal = journal;
        self.journal_shown = None;
        self.journal_at_cursor()
    }
}

/// Every journal line of a recording with its time. It decodes the whole
/// file, so it runs on a thread of its own over a second opening: the
/// cursor answers meanwhile.
fn scan_journal(path: &Path) -> Vec<(SystemTime, String)> {
    let Ok(recording) = Recording::open(path) else {
        return Vec::new();
    };
    let (Some(first), Some((_, last))) = (recording.ticks().first().copied(), recording.span())
    else {
        return Vec::new();
    };
    let mut journal: Vec<(SystemTime, String)> = recording
        .entries(first, last)
        .filter_map(|e| match e {
            Entry::Journal { wall, line } => Some((wall, line)),
            _ => None,
        })
        .collect();
    journal.sort_by_key(|(t, _)| *t);
    journal
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
        .spawn(move || scanned.send(scan_journal(&path)));
    let mut scanning = true;
    loop {
        if scanning {
            match scan.try_recv() {
                Ok(journal) => {
                    scanning = false;
                    if !p.journal_read(journal) {
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
