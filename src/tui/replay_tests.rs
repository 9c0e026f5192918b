//! The monitor over a recording made from the demo director: the real
//! replay thread, the real key table, drawn on a TestBackend. Three
//! recorded minutes at 1 s, two weight changes journaled at known ticks.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::Monitor;
use crate::app::editing::{Mode, REPLAY_READ_ONLY};
use crate::app::{App, AppConfig, Metric};
use crate::backend::{Backend, Reader};
use crate::canvas::{Chrome, TimeZone};
use crate::clock::Clock;
use crate::conns::{Attribution, Limits, Made, ReadStamp, Sampling, Scope, Summarizer};
use crate::demo::DemoDirector;
use crate::edit::Editor;
use crate::journal::tests::Scratch;
use crate::model::Change;
use crate::model::ConnSource;
use crate::poll::{Access, Owner, Replay, Report};
use crate::record::{ConnRecord, Entry, RecordOptions, Recorder, Recording, Tick};
use crate::testkit::{key_events, screen, ManualClock};

/// 12:03:30 UTC: the first tick is 12:03:31, the last 12:06:30.
fn epoch() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_699_963_410)
}

const TICKS: u64 = 180;
/// The ticks (1-based) after which a weight was changed.
const CHANGED_AT: [u64; 2] = [31, 91];

/// The ticks (1-based) after which the connections view read the first
/// service's table, as a monitor with the view open records it.
const CONNS_AT: [u64; 2] = [61, 121];

/// The first service's connections in the demo's table now, summarised
/// as the live view's read does (a fifth of a second after the poll).
fn summary(
    backend: &mut dyn Backend,
    snapshot: &crate::model::Snapshot,
    wall: SystemTime,
) -> ConnRecord {
    let scope = Scope::service(snapshot.services[0].service.key);
    summary_of(backend, snapshot, wall, scope)
}

/// The connections of `scope` in the demo's table now, summarised.
fn summary_of(
    backend: &mut dyn Backend,
    snapshot: &crate::model::Snapshot,
    wall: SystemTime,
    scope: Scope,
) -> ConnRecord {
    let attribution = Arc::new(Attribution::new(snapshot));
    let mut s = Summarizer::new(attribution, scope, Limits::default());
    let mut read = 0u64;
    backend
        .connections(ConnSource::Plain, &mut |c| {
            read += 1;
            s.add(c);
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
    let reading = s.finish(ReadStamp {
        sampling: Sampling::Exact,
        made: Made::OneGo,
        at: Duration::ZERO,
        wall,
        took: Duration::from_millis(3),
        read,
        malformed: 0,
    });
    assert!(reading.total.states.total() > 0, "the demo has connections");
    ConnRecord::of(&reading)
}

/// Records the demo for `TICKS` seconds, changing a weight at each of
/// `CHANGED_AT` through the journaling editor, as the monitor would.
fn record(scratch: &Scratch) -> std::path::PathBuf {
    record_with_conns(scratch).0
}

/// `record`, with the summaries recorded after `CONNS_AT`'s ticks.
fn record_with_conns(scratch: &Scratch) -> (std::path::PathBuf, Vec<ConnRecord>) {
    let mut summaries = Vec::new();
    let clock = Arc::new(ManualClock::new(epoch()));
    let mut demo = DemoDirector::new(7, clock.clone());
    demo.set_incidents(None);
    let journal = scratch.join("journal.jsonl");
    let mut editor = Editor::new(
        Box::new(demo) as Box<dyn Backend>,
        journal.clone(),
        clock.clone(),
        "demo",
        crate::output::rule,
    );
    let path = scratch.join("demo.rec");
    let mut rec = Recorder::create(&path, RecordOptions::default()).unwrap();
    let mut journal_lines = 0;
    for i in 1..=TICKS {
        clock.advance(Duration::from_secs(1));
        let snapshot = editor.backend_mut().snapshot().unwrap();
        if CHANGED_AT.contains(&i) {
            let entry = &snapshot.services[0];
            let mut dest = entry.dests[0].clone();
            dest.weight += 5;
            let service = entry.service.key;
            editor.apply(Change::EditDest { service, dest }).unwrap();
            let text = std::fs::read_to_string(&journal).unwrap();
            for line in text.lines().skip(journal_lines) {
                let entry = Entry::Journal {
                    wall: clock.wall(),
                    line: line.to_string(),
                };
                rec.append(&entry).unwrap();
                journal_lines += 1;
            }
        }
        let conns = CONNS_AT.contains(&i).then(|| {
            let wall = clock.wall() + Duration::from_millis(200);
            (wall, summary(editor.backend_mut(), &snapshot, wall))
        });
        // With the first summary, one per real server of that service: the
        // drill-down's scopes, as a view opened on a real server records.
        let mut dest_conns = Vec::new();
        if i == CONNS_AT[0] {
            let wall = clock.wall() + Duration::from_millis(300);
            let entry = &snapshot.services[0];
            for d in &entry.dests {
                let scope = Scope {
                    dest: Some(d.key()),
                    ..Scope::service(entry.service.key)
                };
                let s = summary_of(editor.backend_mut(), &snapshot, wall, scope);
                dest_conns.push((wall, s));
            }
        }
        let tick = Tick {
            wall: clock.wall(),
            took: Duration::from_millis(2),
            interval: Duration::from_secs(1),
            estimator: Some(true),
            snapshot,
        };
        rec.append(&Entry::Tick(tick)).unwrap();
        if let Some((wall, summary)) = conns {
            summaries.push(summary.clone());
            rec.append(&Entry::Connections { wall, summary }).unwrap();
        }
        for (wall, summary) in dest_conns {
            rec.append(&Entry::Connections { wall, summary }).unwrap();
        }
    }
    rec.close().unwrap();
    (path, summaries)
}

struct Replayed {
    _scratch: Scratch,
    owner: Owner,
    monitor: Monitor,
    terminal: Terminal<TestBackend>,
}

impl Replayed {
    fn new() -> Replayed {
        Replayed::of(Scratch::new(), record)
    }

    fn of(scratch: Scratch, record: impl FnOnce(&Scratch) -> std::path::PathBuf) -> Replayed {
        let path = record(&scratch);
        let access = Access::Replay(Replay {
            recording: Recording::open(&path).unwrap(),
            path: path.clone(),
            start: None,
            history: Duration::from_secs(300),
        });
        let clock = Arc::new(ManualClock::new(epoch()));
        let app = App::new(AppConfig {
            delay: Duration::from_secs(1),
            history: Duration::from_secs(300),
        });
        let chrome = Chrome {
            host: "replay of demo.rec".into(),
            badges: vec!["READ-ONLY".into()],
            tz: TimeZone::Utc,
            palette: Default::default(),
        };
        let mut monitor = Monitor::new(app, chrome, Mode::ReadOnly).with_clock(clock.clone());
        monitor.start_replay();
        let mut r = Replayed {
            _scratch: scratch,
            owner: Owner::spawn(access, Duration::from_secs(1), clock),
            monitor,
            terminal: Terminal::new(TestBackend::new(120, 40)).unwrap(),
        };
        r.settle();
        r.scanned();
        r
    }

    /// Waits for the journal's scan (a thread of its own) to report.
    fn scanned(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            match self.owner.reports.try_recv() {
                Ok(Report::Journal(lines)) => {
                    self.monitor.report(Report::Journal(lines));
                    return;
                }
                Ok(r) => self.monitor.report(r),
                Err(_) => std::thread::sleep(Duration::from_millis(2)),
            }
        }
        panic!("no journal scan within 20 s");
    }

    /// Applies the replay thread's reports up to its next status.
    fn settle(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            match self.owner.reports.try_recv() {
                Ok(Report::Replay(s)) => {
                    self.monitor.report(Report::Replay(s));
                    return;
                }
                Ok(r) => self.monitor.report(r),
                Err(_) => std::thread::sleep(Duration::from_millis(2)),
            }
        }
        panic!("no replay status within 20 s");
    }

    /// Presses keys; each that moves the cursor waits for its answer.
    fn keys(&mut self, keys: &str) {
        for e in key_events(keys) {
            self.monitor.input(&e);
            for to in self.monitor.app.take_cursor_moves() {
                self.owner.cursor(to);
                self.settle();
            }
        }
    }

    fn screen(&mut self) -> String {
        self.monitor.render(&mut self.terminal).unwrap();
        screen::text(self.terminal.backend().buffer())
    }

    fn header(&mut self) -> String {
        self.screen().lines().next().unwrap().to_string()
    }

    fn tick(&self) -> usize {
        self.monitor.app.replay().unwrap().status().unwrap().tick
    }
}

#[test]
fn the_header_says_replay_paused_and_the_recorded_time() {
    let mut r = Replayed::new();
    let h = r.header();
    assert!(h.contains("REPLAY"), "{h}");
    assert!(h.contains("❚❚ paused"), "{h}");
    assert!(h.contains("recorded 2023-11-14 12:03:31 (1/180)"), "{h}");
    assert!(!h.contains("READ-ONLY"), "{h}");
    // The table is the recorded one.
    assert!(r.screen().contains("10.10.1."), "{}", r.screen());
}

#[test]
fn cursor_keys_step_jump_and_go_to() {
    let mut r = Replayed::new();
    r.keys(".");
    assert_eq!(r.tick(), 1);
    assert!(r.header().contains("12:03:32 (2/180)"));
    r.keys("]");
    assert!(r.header().contains("12:04:32 (62/180)"), "{}", r.header());
    r.keys(",");
    assert_eq!(r.tick(), 60);
    r.keys("[");
    assert_eq!(r.tick(), 0);
    r.keys("}");
    assert_eq!(r.tick(), 179, "+10 min stops at the end");
    r.keys("{");
    assert_eq!(r.tick(), 0);
    r.keys(":12:05Z<Enter>");
    assert!(r.header().contains("12:05:00 (90/180)"), "{}", r.header());
    // A bad time is refused in words, and the cursor stays.
    r.keys(":25:00<Enter>");
    assert_eq!(r.tick(), 89);
    assert!(
        r.screen().contains("'25:00' is not a time"),
        "{}",
        r.screen()
    );
}

#[test]
fn play_and_speed_show_in_the_header() {
    let mut r = Replayed::new();
    r.keys(" ");
    assert!(r.header().contains("▶ ×1"), "{}", r.header());
    r.keys(">>");
    assert!(r.header().contains("▶ ×60"), "{}", r.header());
    r.keys("<");
    assert!(r.header().contains("▶ ×10"), "{}", r.header());
    // Playing moves the cursor on by itself.
    let before = r.tick();
    r.settle();
    assert!(r.tick() > before);
    r.keys(" ");
    assert!(r.header().contains("❚❚ paused"));
}

#[test]
fn the_journal_pane_shows_the_changes_made_up_to_the_cursor() {
    let mut r = Replayed::new();
    let pane = |r: &Replayed| r.monitor.edit.journal.lines().to_vec();
    assert!(pane(&r).is_empty());
    r.keys(":12:04:00Z<Enter>");
    assert!(pane(&r).is_empty(), "{:?}", pane(&r));
    // The first change was made at 12:04:01, the second at 12:05:01.
    r.keys(":12:04:01Z<Enter>");
    let lines = pane(&r);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("12:04:01 applied"), "{lines:?}");
    assert!(lines[0].contains("weight"), "{lines:?}");
    r.keys("]");
    assert_eq!(pane(&r).len(), 2);
    r.keys("[[");
    assert!(pane(&r).is_empty());
    r.keys("J");
    assert!(r.screen().contains("journal: no changes yet"));
}

#[test]
fn edit_keys_are_refused_and_change_nothing() {
    let mut r = Replayed::new();
    for k in ["+", "-", "D", "d", "A", "a", "s", "Z", "u", "W"] {
        r.keys(k);
        let said = r.monitor.status.message().map(|m| m.text.clone());
        assert_eq!(said.as_deref(), Some(REPLAY_READ_ONLY), "{k}");
        assert!(r.monitor.take_requests().is_empty(), "{k}");
    }
}

#[test]
fn a_jump_rebuilds_the_sparklines_from_the_recording() {
    let mut r = Replayed::new();
    r.keys(":12:06:00Z<Enter>");
    // The totals' history holds the ticks up to the cursor (here all 150
    // of them: the window is 5 minutes), not just the tick shown.
    let samples = r.monitor.app.store().totals().history.len();
    assert!(samples >= 149, "{samples}");
    let cps = r
        .monitor
        .app
        .store()
        .totals()
        .history
        .tail(Metric::Cps, 150);
    assert!(cps.iter().filter(|v| **v > 0).count() > 100, "{cps:?}");
}

#[test]
fn the_help_overlay_lists_the_cursor_keys_and_fits_80x24() {
    let mut r = Replayed::new();
    r.terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    r.keys("?");
    let s = r.screen();
    assert!(s.contains("replay: play/pause"), "{s}");
    assert!(s.contains("replay: go to a time"), "{s}");
    assert!(!s.contains("delete service"), "{s}");
    assert!(s.contains("any key closes"), "{s}");
}

#[test]
fn what_a_recording_does_not_hold_says_not_recorded() {
    let mut r = Replayed::new();
    r.keys("K");
    // As the event loop does; the answer comes before the status of the
    // move sent after it.
    assert!(r.monitor.app.take_settings_request());
    r.owner.read_settings();
    r.keys("<");
    let s = r.screen();
    assert!(
        s.contains("not recorded: a recording holds the table, not the kernel settings"),
        "{s}"
    );
    r.keys("<Esc>T");
    let s = r.screen();
    assert!(s.contains("not recorded: the timeouts"), "{s}");
}

impl Replayed {
    /// Presses keys as the event loop does: cursor moves and the
    /// connections view's requests go to the replay thread, and each
    /// request's answer is applied before the next key.
    fn conn_keys(&mut self, keys: &str) {
        for e in key_events(keys) {
            self.monitor.input(&e);
            let requests = self.monitor.app.take_conn_requests();
            let asked = !requests.is_empty();
            for request in requests {
                self.owner.connections(request);
            }
            for to in self.monitor.app.take_cursor_moves() {
                self.owner.cursor(to);
                self.settle();
            }
            if asked {
                self.answered();
            }
        }
    }

    /// Applies the replay thread's reports up to its connections answer.
    fn answered(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            match self.owner.reports.try_recv() {
                Ok(r @ Report::Connections(_)) => {
                    self.monitor.report(r);
                    return;
                }
                Ok(r) => self.monitor.report(r),
                Err(_) => std::thread::sleep(Duration::from_millis(2)),
            }
        }
        panic!("no connections answer within 20 s");
    }

    /// The view's reading, as the recording's summary form.
    fn shown_summary(&self) -> Option<ConnRecord> {
        let c = self.monitor.app.store().connections();
        c.reading().map(|r| ConnRecord::of(r))
    }
}

#[test]
fn the_connections_view_shows_the_summary_recorded_at_the_cursor() {
    let mut recorded = Vec::new();
    let mut r = Replayed::of(Scratch::new(), |s| {
        let (path, summaries) = record_with_conns(s);
        recorded = summaries;
        path
    });
    // Before any summary: not recorded, and when the first one is.
    r.conn_keys("c");
    let s = r.screen();
    assert!(
        s.contains("not recorded: no connection summary of this scope at or before the cursor"),
        "{s}"
    );
    assert!(s.contains("2023-11-14T12:04:31.200Z"), "{s}");
    assert!(r.shown_summary().is_none());
    // Tick 61 (index 60): the summary read after its poll.
    r.conn_keys("]");
    assert_eq!(r.tick(), 60);
    assert_eq!(r.shown_summary().as_ref(), Some(&recorded[0]));
    // The drawing is the live one: the "all" row holds the recorded count.
    let established = recorded[0]
        .total
        .states
        .iter()
        .find(|(s, _)| s == "ESTABLISHED");
    let n = established.unwrap().1;
    assert!((1_000..10_000).contains(&n), "drawn with a comma: {n}");
    let drawn = format!("{},{:03}", n / 1000, n % 1000);
    let s = r.screen();
    let all = s
        .lines()
        .find(|l| l.trim_start().starts_with("all "))
        .unwrap();
    assert!(all.contains(&drawn), "{all} lacks {drawn}");
    // Half a minute on it is still the latest.
    r.keys(":12:05Z<Enter>");
    assert_eq!(r.tick(), 89);
    assert_eq!(r.shown_summary().as_ref(), Some(&recorded[0]));
    // Tick 121: the second, which differs.
    r.keys(":12:05:31Z<Enter>");
    assert_eq!(r.tick(), 120);
    assert_ne!(recorded[0], recorded[1], "the demo's table moved");
    assert_eq!(r.shown_summary().as_ref(), Some(&recorded[1]));
    // An exact read says what a recording cannot do.
    r.conn_keys("E");
    let s = r.screen();
    assert!(s.contains("exact read stopped: not"), "{s}");
    let c = r.monitor.app.store().connections();
    let why = &c.exact_failure().unwrap().error;
    assert!(
        why.starts_with("not recorded: a recording holds the view's summaries"),
        "{why}"
    );
    assert_eq!(
        r.shown_summary().as_ref(),
        Some(&recorded[1]),
        "the summary stays"
    );
    // Back before the first summary: the later one is forgotten, not shown
    // at a time before it was read.
    r.conn_keys("{");
    assert_eq!(r.tick(), 0);
    assert!(
        r.shown_summary().is_none(),
        "a later summary stayed on screen"
    );
    let s = r.screen();
    assert!(
        s.contains("not recorded: no connection summary of this scope at or before the cursor"),
        "{s}"
    );
}

#[test]
fn the_entries_drill_down_says_a_recording_keeps_no_entries() {
    let mut r = Replayed::of(Scratch::new(), |s| record_with_conns(s).0);
    r.conn_keys("c]");
    assert_eq!(r.tick(), 60);
    assert!(r.shown_summary().is_some(), "a summary at the cursor");
    r.conn_keys("<Enter>");
    assert!(r.monitor.app.view().connections().unwrap().entries());
    let s = r.screen();
    assert!(
        s.contains("not recorded: a recording keeps connection counts, not the entries"),
        "the drill-down says why it is empty:\n{s}"
    );
    assert!(!s.contains("no entries in this scope"), "{s}");
}
