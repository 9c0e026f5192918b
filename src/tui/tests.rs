//! The whole monitor under test: the fake backend, a manual clock, the real
//! poller, key presses through the real key map, drawn on a TestBackend.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;
use ratatui::Terminal;

use super::Monitor;
use crate::app::rates::RateSource;
use crate::app::table::SortColumn;
use crate::app::{App, AppConfig};
use crate::backend::{Error, ErrorKind};
use crate::canvas::{Chrome, TimeZone};
use crate::clock::Clock;
use crate::poll::Poller;
use crate::testkit::{key_events, screen, FakeReader, FakeTable, ManualClock};

/// 12:03:30 UTC.
fn epoch() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_699_963_410)
}

pub(super) struct Harness {
    pub(super) fake: FakeReader,
    reader: FakeReader,
    pub(super) clock: Arc<ManualClock>,
    poller: Poller,
    pub(super) monitor: Monitor,
    terminal: Terminal<TestBackend>,
    delay: Duration,
    estimator: bool,
}

impl Harness {
    pub(super) fn new(width: u16, height: u16) -> Harness {
        Harness::with(FakeTable::sample(), width, height, true)
    }

    fn with(table: FakeTable, width: u16, height: u16, estimator: bool) -> Harness {
        let fake = FakeReader::new(table);
        let delay = Duration::from_secs(1);
        let app = App::new(AppConfig {
            delay,
            history: Duration::from_secs(300),
        });
        let chrome = Chrome {
            host: "lb1".into(),
            badges: vec![],
            tz: TimeZone::Utc,
            palette: Default::default(),
        };
        let clock = Arc::new(ManualClock::new(epoch()));
        Harness {
            reader: fake.clone(),
            fake,
            clock: clock.clone(),
            poller: Poller::new(),
            monitor: Monitor::new(app, chrome, crate::app::editing::Mode::ReadWrite)
                .with_clock(clock),
            terminal: Terminal::new(TestBackend::new(width, height)).unwrap(),
            delay,
            estimator,
        }
    }

    /// One poll after `delay`, with traffic flowing meanwhile. The fake's
    /// counters move on whole seconds, as if an estimator tick preceded
    /// each poll.
    pub(super) fn tick(&mut self) {
        self.clock.advance(self.delay);
        self.fake
            .inner()
            .advance(self.delay.as_secs().max(1), self.estimator);
        let watched = self.monitor.app.watched();
        let e = self
            .poller
            .poll(&mut self.reader, &watched, self.delay, self.clock.as_ref());
        self.monitor.apply(e);
        self.screen();
    }

    pub(super) fn ticks(&mut self, n: usize) {
        for _ in 0..n {
            self.tick();
        }
    }

    /// Presses keys: plain characters, or `<Name>` for special keys.
    pub(super) fn keys(&mut self, keys: &str) {
        for e in key_events(keys) {
            self.monitor.input(&e);
        }
        self.screen();
    }

    pub(super) fn screen(&mut self) -> String {
        self.monitor.render(&mut self.terminal).unwrap();
        screen::text(self.terminal.backend().buffer())
    }
}

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 60)];

/// Runs a scripted session at every size and snapshots the final screen.
pub(super) fn snapshot_all(name: &str, script: impl Fn(&mut Harness)) {
    for (w, h) in SIZES {
        let mut h_ = Harness::new(w, h);
        script(&mut h_);
        let screen = h_.screen();
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

#[test]
fn collapsed() {
    snapshot_all("collapsed", |h| h.ticks(6));
}

#[test]
fn expanded() {
    snapshot_all("expanded", |h| {
        h.ticks(3);
        h.keys("<Enter>");
        h.ticks(3);
        h.keys("jj");
    });
}

#[test]
fn filter_typing_and_kept() {
    snapshot_all("filter_typing", |h| {
        h.ticks(4);
        h.keys("/443");
    });
    snapshot_all("filter_kept", |h| {
        h.ticks(4);
        h.keys("/443<Enter><Right>");
        h.ticks(2);
    });
}

#[test]
fn filter_on_a_real_server_shows_it_under_its_service() {
    // The DNS service stays collapsed; the filter shows the one real server
    // it matches, with the cursor on it.
    snapshot_all("filter_real_server", |h| {
        h.ticks(4);
        h.keys("/10.1.2.2");
    });
}

#[test]
fn sorted_by_cps() {
    snapshot_all("sorted_cps", |h| {
        h.ticks(4);
        // `o` offers only the columns on screen, so how many presses reach
        // CPS depends on the width.
        for _ in 0..12 {
            if h.monitor.app.view().sort() == SortColumn::Cps {
                break;
            }
            h.keys("o");
        }
        assert_eq!(h.monitor.app.view().sort(), SortColumn::Cps);
        assert!(h.screen().contains("CPS▼"), "the sorted column is marked");
    });
}

#[test]
fn o_cycles_only_through_visible_columns() {
    let mut h = Harness::new(80, 24);
    h.ticks(2);
    let offered = crate::app::columns::visible_sorts(80);
    let mut seen = Vec::new();
    for _ in 0..offered.len() {
        h.keys("o");
        seen.push(h.monitor.app.view().sort());
    }
    assert_eq!(seen.last(), Some(&SortColumn::Ipvsadm), "back to the start");
    for sort in &seen {
        assert!(offered.contains(sort), "{sort:?} is not on screen");
    }
    assert!(!seen.contains(&SortColumn::OutPps));
}

#[test]
fn o_skips_columns_exact_numbers_pushed_off_screen() {
    // Some width in this range has exact numbers and long addresses push a
    // sortable column off.
    let long =
        |i: u16| std::net::IpAddr::from([0x2001, 0xdb8, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, i]);
    let mut dropped_somewhere = false;
    let snapshot = crate::model::Snapshot {
        info: Default::default(),
        services: vec![crate::model::ServiceEntry {
            service: crate::model::Service::new(crate::testkit::tcp(long(0), 80), "wlc"),
            dests: (1..=3)
                .map(|i: u8| {
                    let mut d = crate::model::Dest::new(long(i.into()), 80);
                    d.weight = 1;
                    d.active_conns = 4_000_000_000;
                    d.inactive_conns = 4_000_000_000;
                    d
                })
                .collect(),
        }],
    };
    for width in 60..=100 {
        let table = FakeTable::of_snapshot(&snapshot);
        let mut h = Harness::with(table, width, 24, true);
        h.ticks(3);
        h.keys("<Enter>#");
        h.ticks(3);
        let mut seen = 0;
        for _ in 0..SortColumn::ALL.len() {
            h.keys("o");
            let sort = h.monitor.app.view().sort();
            if sort == SortColumn::Ipvsadm {
                break;
            }
            let screen = h.screen();
            let titles = screen
                .lines()
                .find(|l| l.contains("LocalAddress:Port"))
                .unwrap_or_default();
            assert!(
                titles.contains('▼') || titles.contains('▲'),
                "{sort:?} at {width} sorts a column not on screen:\n{screen}"
            );
            seen += 1;
        }
        dropped_somewhere |= seen + 1 < crate::app::columns::visible_sorts(width).len();
    }
    assert!(dropped_somewhere, "exact numbers never pushed a column off");
}

#[test]
fn exact_numbers_are_never_cut() {
    snapshot_all("exact_expanded", |h| {
        h.ticks(3);
        h.keys("<Enter>#");
        h.ticks(3);
        let screen = h.screen();
        let table: Vec<&str> = screen
            .lines()
            .skip(3)
            .take_while(|l| !l.starts_with('┌'))
            .collect();
        assert!(table.iter().all(|l| !l.contains('…')), "{screen}");
        let prefixed = |l: &str| {
            let c: Vec<char> = l.chars().collect();
            c.windows(2)
                .any(|w| w[0].is_ascii_digit() && "KMG".contains(w[1]))
        };
        assert!(
            !table.iter().any(|l| prefixed(l)),
            "whole numbers: {screen}"
        );
    });
}

#[test]
fn the_selected_real_server_leads_the_sparkline_pane() {
    snapshot_all("pane_selected_first", |h| {
        h.ticks(3);
        h.keys("<Enter>");
        h.ticks(2);
        h.keys("jjjjj");
        h.ticks(1);
        let screen = h.screen();
        let pane: Vec<&str> = screen.lines().skip_while(|l| !l.starts_with('┌')).collect();
        let first = pane.iter().find(|l| l.contains('→')).unwrap();
        assert!(first.contains("10.1.0.5:80"), "{screen}");
    });
}

#[test]
fn header_keeps_the_poll_time_with_every_badge_on() {
    snapshot_all("header_all_badges", |h| {
        h.monitor.chrome.badges = vec!["DEMO".into(), "READ-ONLY".into()];
        h.ticks(3);
        h.keys("f");
        h.fake
            .fail_reads(Error::new(ErrorKind::Io, "netlink: timed out"));
        h.ticks(2);
        let screen = h.screen();
        let top = screen.lines().next().unwrap();
        assert!(top.contains("polled 12:03:33"), "{top}");
        assert!(top.contains("stale since"), "{top}");
    });
}

/// The sample with its threshold lifted: 10.1.0.4 keeps 50 connections
/// on 2 new a second (they last about 25 s, its siblings' 2.6 s) and 10.1.0.3
/// gets nothing while its siblings are busy.
fn without_threshold(h: &mut Harness) {
    h.fake.inner().services[0].1[4].0.upper_threshold = 0;
    h.ticks(25);
}

/// Alerts after their hold: the sample's slow real server and its idle one
/// roll up to `⚠2` on the collapsed service and the header names the
/// worst; `n` expands the service and selects each in turn, wrapping round.
#[test]
fn alerts_rolled_up_and_next() {
    snapshot_all("alerts_collapsed", without_threshold);
    snapshot_all("alerts_next", |h| {
        without_threshold(h);
        h.keys("n");
    });
    let mut h = Harness::new(120, 40);
    without_threshold(&mut h);
    let screen = h.screen();
    assert!(
        screen.contains("⚠ 10.1.0.4:80 slow: connections last "),
        "{screen}"
    );
    assert!(screen.contains(" s, siblings 2.6 s"), "{screen}");
    assert!(screen.contains("(+1 more; n: next)"), "{screen}");
    assert!(screen.contains("⚠2"), "{screen}");
    let selected = |h: &Harness| {
        let app = &h.monitor.app;
        match app.view().selected_row() {
            Some(crate::app::table::Row::Dest(i, j)) => {
                let d = &app.store().services()[i].dests()[j];
                (d.dest().addr.to_string(), d.alert().map(|a| a.label()))
            }
            other => panic!("{other:?}"),
        }
    };
    h.keys("n");
    assert_eq!(selected(&h), ("10.1.0.3".into(), Some("idle")));
    h.keys("n");
    assert_eq!(selected(&h), ("10.1.0.4".into(), Some("slow")));
    h.keys("n");
    assert_eq!(selected(&h), ("10.1.0.3".into(), Some("idle")), "wraps");
}

#[test]
fn frozen() {
    snapshot_all("frozen", |h| {
        h.ticks(3);
        h.keys("f");
        h.ticks(3);
    });
}

#[test]
fn help_overlay() {
    snapshot_all("help", |h| {
        h.ticks(2);
        h.keys("?");
    });
}

#[test]
fn stale_poll_badge() {
    snapshot_all("stale", |h| {
        h.ticks(3);
        h.fake
            .fail_reads(Error::new(ErrorKind::Io, "netlink: timed out"));
        h.ticks(5);
    });
}

#[test]
fn too_small() {
    let mut h = Harness::new(30, 8);
    h.ticks(2);
    insta::assert_snapshot!("too_small_30x8", h.screen());
}

#[test]
fn every_sparkline_metric() {
    let mut h = Harness::new(120, 40);
    h.ticks(8);
    h.keys("<Enter>");
    for i in 0..6 {
        let name = h.monitor.app.view().metric().label().to_string();
        insta::assert_snapshot!(format!("metric_{i}_{name}_120x40"), h.screen());
        h.keys("m");
    }
    assert_eq!(
        h.monitor.app.view().metric(),
        crate::app::Metric::Cps,
        "m cycles"
    );
}

#[test]
fn frozen_display_catches_up_on_thaw() {
    let mut h = Harness::new(120, 40);
    h.ticks(2);
    h.keys("f");
    let before = h.screen();
    h.ticks(4);
    assert_eq!(h.monitor.app.pending(), 4, "polling continued");
    let during = h.screen();
    // Only the FROZEN badge differs from the moment of freezing.
    assert_eq!(before, during);
    h.keys("f");
    assert_eq!(h.monitor.app.pending(), 0);
    assert_eq!(
        h.monitor.app.store().totals().history.len(),
        6,
        "no reading lost"
    );
}

#[test]
fn left_on_a_real_server_goes_to_its_service_and_right_does_nothing() {
    let mut h = Harness::new(120, 40);
    h.ticks(2);
    h.keys("<Right>jj");
    let rows = h.monitor.app.view().rows().len();
    h.keys("<Right>");
    assert_eq!(h.monitor.app.view().rows().len(), rows);
    assert_eq!(h.monitor.app.view().selected(), 2);
    h.keys("<Left>");
    assert_eq!(
        h.monitor.app.view().rows().len(),
        rows,
        "← on a real server must not collapse"
    );
    assert_eq!(h.monitor.app.view().selected(), 0, "← goes to the service");
    h.keys("<Left>");
    assert!(
        h.monitor.app.view().rows().len() < rows,
        "← on the service collapses"
    );
    // h and l are ← and →.
    h.keys("ljh");
    assert_eq!(h.monitor.app.view().selected(), 0);
    assert_eq!(h.monitor.app.view().rows().len(), rows);
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut h = Harness::new(120, 40);
    h.ticks(2);
    // Header 3 lines, table title at y=3: the third service is at y=6.
    h.monitor.input(&Input::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 10,
        row: 6,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(h.monitor.app.view().selected(), 2);
    h.monitor.input(&Input::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollUp,
        column: 10,
        row: 6,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(h.monitor.app.view().selected(), 0);
}

/// Issue 15 §3: a value that moves a little stays plain; a jump large
/// enough to matter is highlighted, for the poll it happens in only.
#[test]
fn only_big_jumps_are_highlighted() {
    let mut h = Harness::new(120, 40);
    h.ticks(1);
    h.keys("<Enter>");
    h.ticks(3);
    let bold_at = |h: &Harness, text: &str| {
        let buf = h.terminal.backend().buffer();
        let rows = screen::rows(buf);
        let y = rows.iter().position(|r| r.contains("10.1.0.1:80")).unwrap();
        let line = &rows[y];
        let byte = line
            .find(text)
            .unwrap_or_else(|| panic!("{text} in {line}"));
        let x = line[..byte].chars().count() as u16;
        buf[(x, y as u16)].modifier.contains(Modifier::BOLD)
    };
    // Active connections of the first real server: 310, then 315.
    h.fake.inner().services[0].1[0].0.active_conns += 5;
    h.tick();
    assert!(!bold_at(&h, "315"), "a small change stays plain");
    h.fake.inner().services[0].1[0].0.active_conns += 500;
    h.tick();
    assert!(
        bold_at(&h, "815"),
        "a jump by more than half is highlighted"
    );
    h.tick();
    assert!(!bold_at(&h, "815"), "only briefly");
}

#[test]
fn run_estimation_zero_derives_rates_from_counters() {
    let mut table = FakeTable::sample();
    table.wave = false;
    let mut h = Harness::with(table, 120, 40, false);
    h.ticks(12);
    let app = &h.monitor.app;
    assert_eq!(app.store().rate_source(), RateSource::Counters);
    // The fake's HTTP service gets 120 + 40 + 0 + 0 + 2 = 162 new conns/s.
    let cps = app.store().services()[0].series().rates.unwrap().cps;
    assert!((cps - 162.0).abs() < 0.5, "derived {cps}");
    assert!(h.screen().contains("rates from counters"));
}

#[test]
fn kernel_rates_are_shown_when_the_estimator_runs() {
    let mut table = FakeTable::sample();
    table.wave = false;
    let mut h = Harness::with(table, 120, 40, true);
    h.ticks(2);
    let app = &h.monitor.app;
    assert_eq!(app.store().rate_source(), RateSource::Kernel);
    assert_eq!(app.store().services()[0].series().rates.unwrap().cps, 162.0);
}

#[test]
fn services_and_real_servers_that_vanish_and_return_start_new_series() {
    let mut h = Harness::with(FakeTable::sample(), 120, 40, false);
    h.keys("<Enter>");
    h.ticks(10);
    // Re-create the first service: counters restart from zero.
    {
        let mut t = h.fake.inner();
        for (d, _) in &mut t.services[0].1 {
            d.stats = Default::default();
        }
    }
    h.tick();
    let row = &h.monitor.app.store().services()[0];
    assert_eq!(row.series().rates, None, "no rate across a reset");
    for d in row.dests() {
        assert!(d
            .rates(h.monitor.app.store().rate_source())
            .is_none_or(|r| r.cps >= 0.0 && r.cps < 1000.0));
    }
}

#[test]
fn drawing_cost_follows_the_screen_not_the_table() {
    fn frame_time(n: usize) -> Duration {
        let mut h = Harness::with(FakeTable::many(n), 120, 40, true);
        h.tick();
        let start = Instant::now();
        for _ in 0..20 {
            h.keys("j");
        }
        start.elapsed() / 20
    }
    let small = frame_time(10);
    let large = frame_time(100_000);
    eprintln!("per key+frame: 10 services {small:?}, 100,000 services {large:?}");
    // Moving the selection and drawing is per visible row; a generous bound
    // that a per-row-of-the-model cost (100,000x) could not meet.
    assert!(
        large < small * 20 + Duration::from_millis(20),
        "10 rows: {small:?}, 100,000 rows: {large:?}"
    );
}

#[test]
fn clock_is_injected() {
    let h = Harness::new(80, 24);
    assert_eq!(h.clock.wall(), epoch());
}

#[test]
fn badges_and_slow_polls_in_the_header() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut hn = Harness::new(w, h);
        hn.monitor.chrome.badges = vec!["DEMO".into(), "READ-ONLY".into()];
        hn.ticks(2);
        // The next poll comes 2.5 s after the last: polls took longer than
        // the 1 s delay.
        hn.clock.advance(Duration::from_millis(1500));
        hn.tick();
        let screen = hn.screen();
        assert!(screen.contains("DEMO"), "{screen}");
        assert!(screen.contains("READ-ONLY"));
        insta::assert_snapshot!(format!("badges_slow_{w}x{h}"), screen);
    }
}

/// The real event loop and polling thread on a TestBackend, with scripted
/// input on the wall clock: waits for data, moves, expands, quits.
#[test]
fn event_loop_runs_headless_and_quits() {
    use super::{run_loop, Input as InputSource, MonitorOptions};

    struct Script {
        start: Instant,
        steps: Vec<(Duration, Input_)>,
    }
    type Input_ = crossterm::event::Event;
    impl InputSource for Script {
        fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Input_>> {
            match self.steps.first() {
                Some((at, _)) if self.start.elapsed() >= *at => Ok(Some(self.steps.remove(0).1)),
                _ => {
                    std::thread::sleep(timeout);
                    Ok(None)
                }
            }
        }
    }
    let key = |c| Input::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let mut script = Script {
        start: Instant::now(),
        steps: vec![
            (Duration::from_millis(600), key(KeyCode::Char('j'))),
            (Duration::from_millis(700), key(KeyCode::Enter)),
            (Duration::from_millis(900), key(KeyCode::Char('q'))),
        ],
    };
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let fake = FakeReader::new(FakeTable::sample());
    let options = MonitorOptions {
        delay: Duration::from_millis(100),
        ..MonitorOptions::default()
    };
    run_loop(
        &mut terminal,
        &mut script,
        super::Access::ReadOnly(Box::new(fake)),
        &options,
        Arc::new(crate::clock::SystemClock::new()),
    )
    .unwrap();
    let text = screen::rows(terminal.backend().buffer()).join("\n");
    assert!(text.contains("▾ 192.0.2.10:443"), "{text}");
    assert!(text.contains("→ 10.1.1.2:443"), "{text}");
}

/// An idle terminal is looked at once a second, not 20 times (each wake-up
/// costs CPU), and a quit after a long idle stretch is still prompt: the
/// input thread waits briefly again after every event.
#[test]
fn an_idle_terminal_wakes_the_input_thread_rarely_and_quitting_stays_prompt() {
    use super::{run_loop, Input as InputSource, MonitorOptions, INPUT_BRISK};
    use std::sync::Mutex;

    /// A real terminal: `next` returns as soon as a key is due, else after
    /// the timeout. Logs each wait asked for, and when `q` was handed over.
    struct Terminal_ {
        start: Instant,
        quit_at: Duration,
        waits: Arc<Mutex<Vec<(Duration, Duration)>>>,
        sent: Arc<Mutex<Option<Instant>>>,
    }
    impl InputSource for Terminal_ {
        fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Input>> {
            let now = self.start.elapsed();
            self.waits.lock().unwrap().push((now, timeout));
            let mut sent = self.sent.lock().unwrap();
            if sent.is_none() && now + timeout >= self.quit_at {
                std::thread::sleep(self.quit_at.saturating_sub(now));
                *sent = Some(Instant::now());
                return Ok(Some(Input::Key(KeyEvent::new(
                    KeyCode::Char('q'),
                    KeyModifiers::NONE,
                ))));
            }
            drop(sent);
            std::thread::sleep(timeout);
            Ok(None)
        }
    }
    let quit_at = INPUT_BRISK + Duration::from_millis(1500);
    let waits = Arc::new(Mutex::new(Vec::new()));
    let sent = Arc::new(Mutex::new(None));
    let mut input = Terminal_ {
        start: Instant::now(),
        quit_at,
        waits: waits.clone(),
        sent: sent.clone(),
    };
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let options = MonitorOptions {
        delay: Duration::from_millis(200),
        ..MonitorOptions::default()
    };
    run_loop(
        &mut terminal,
        &mut input,
        super::Access::ReadOnly(Box::new(FakeReader::new(FakeTable::sample()))),
        &options,
        Arc::new(crate::clock::SystemClock::new()),
    )
    .unwrap();
    let returned = Instant::now();
    let quit = sent.lock().unwrap().expect("q was sent");
    let waits = waits.lock().unwrap();
    let idle: Vec<Duration> = waits
        .iter()
        .filter(|(at, _)| *at >= INPUT_BRISK + Duration::from_millis(100) && *at < quit_at)
        .map(|(_, w)| *w)
        .collect();
    assert!(!idle.is_empty(), "{waits:?}");
    assert!(
        idle.iter().all(|w| *w >= Duration::from_secs(1)),
        "{waits:?}"
    );
    let brisk = waits.iter().filter(|(at, _)| *at < INPUT_BRISK).count();
    assert!(brisk >= 20, "{brisk} waits while brisk");
    // Quitting waited for one short wait at most, not a long one.
    let took = returned - quit;
    assert!(took < Duration::from_millis(500), "{took:?}");
}

#[test]
fn unknown_rates_read_as_a_dash_not_zero() {
    // Estimator stopped: the first readings cannot give a rate yet.
    let mut h = Harness::with(FakeTable::sample(), 120, 40, false);
    h.tick();
    let screen = h.screen();
    let totals = screen.lines().nth(1).unwrap();
    assert!(totals.starts_with(" CPS          - "), "{totals}");
    let row = screen
        .lines()
        .find(|l| l.contains("192.0.2.10:80"))
        .unwrap();
    assert!(row.contains(" -    "), "{row}");
    assert!(!row.contains(" 0 "), "{row}");
    insta::assert_snapshot!("counters_first_poll_120x40", screen);
}

/// A big poll is applied a slice at a time: keys pressed in between take
/// effect (and draw) at once, and the selection they made survives the rest
/// of the poll.
#[test]
fn keys_act_between_the_slices_of_a_big_poll() {
    use crate::app::APPLY_STEP_ROWS;
    use crate::poll::Report;
    let mut h = Harness::with(FakeTable::many(3 * APPLY_STEP_ROWS), 120, 40, true);
    h.tick();
    h.clock.advance(h.delay);
    h.fake.inner().advance(1, true);
    let watched = h.monitor.app.watched();
    // Listed whole (a table this big is, once per sweep round): every row.
    h.poller.relist();
    let e = h
        .poller
        .poll(&mut h.reader, &watched, h.delay, h.clock.as_ref());
    h.monitor.begin_report(Report::Poll(e));
    assert!(h.monitor.app.applying());
    assert!(!h.monitor.app.apply_step(APPLY_STEP_ROWS));
    let history =
        |h: &Harness, i: usize| h.monitor.app.store().services()[i].series().history.len();
    assert_eq!(history(&h, 0), 2, "the first slice is applied");
    assert_eq!(
        history(&h, 3 * APPLY_STEP_ROWS - 1),
        1,
        "the last one is not yet"
    );
    h.keys("jj");
    assert_eq!(h.monitor.app.view().selected(), 2);
    assert!(h.monitor.app.applying());
    // Seven slices in all (four of the rows' updates, each service with
    // the real servers this poll read of it, then three of the totals over
    // every row): one before the keys, six after.
    let mut slices = 1;
    loop {
        slices += 1;
        if h.monitor.app.apply_step(APPLY_STEP_ROWS) {
            break;
        }
    }
    assert_eq!(slices, 7);
    assert_eq!(h.monitor.app.view().selected(), 2);
    assert_eq!(history(&h, 3 * APPLY_STEP_ROWS - 1), 2);
}
