//! The monitor driven by the demo director, through the public API only: `tui::Monitor` and
//! `poll::Poller` stepped by a `ManualClock` (deterministic, for snapshots at 80x24, 120x40 and
//! 200x60), and `tui::run_loop` with a scripted `tui::Input` (real polling thread, checked by
//! content: its polls follow the wall clock, so its screens are not repeatable).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use lvstop::app::editing::Mode;
use lvstop::app::{App, AppConfig};
use lvstop::backend::Reader;
use lvstop::canvas::{Chrome, TimeZone};
use lvstop::clock::Clock;
use lvstop::demo::DemoDirector;
use lvstop::poll::{Access, Poller};
use lvstop::testkit::{key_events, screen, FakeBackend, ManualClock};
use lvstop::tui::{self, Input, Monitor, MonitorOptions};

const SEED: u64 = 42;
const DELAY: Duration = Duration::from_secs(1);
/// Polls before the first snapshot: the demo's traffic has ramped up by then.
const WARM_UP: usize = 30;

/// 12:03:30 UTC.
fn epoch() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_699_963_410)
}

struct Demo<R: Reader> {
    clock: Arc<ManualClock>,
    reader: R,
    poller: Poller,
    monitor: Monitor,
    terminal: Terminal<TestBackend>,
}

fn chrome() -> Chrome {
    Chrome {
        host: "demo director".into(),
        badges: vec!["DEMO".into()],
        tz: TimeZone::Utc,
        palette: Default::default(),
    }
}

fn app() -> App {
    App::new(AppConfig {
        delay: DELAY,
        history: Duration::from_secs(300),
    })
}

impl Demo<DemoDirector> {
    fn new(width: u16, height: u16) -> Self {
        let clock = Arc::new(ManualClock::new(epoch()));
        let reader = DemoDirector::new(SEED, clock.clone());
        Demo::with(clock, reader, width, height)
    }
}

impl<R: Reader> Demo<R> {
    fn with(clock: Arc<ManualClock>, reader: R, width: u16, height: u16) -> Self {
        Demo {
            clock,
            reader,
            poller: Poller::new(),
            monitor: Monitor::new(app(), chrome(), Mode::ReadOnly),
            terminal: Terminal::new(TestBackend::new(width, height)).unwrap(),
        }
    }

    /// `n` polls, one per second of simulated time, drawing after each as the loop does.
    fn ticks(&mut self, n: usize) {
        for _ in 0..n {
            self.clock.advance(DELAY);
            let watched = self.monitor.app.watched();
            let e = self
                .poller
                .poll(&mut self.reader, &watched, DELAY, self.clock.as_ref());
            self.monitor.apply(e);
            self.screen();
        }
    }

    /// Presses keys: characters, or `<Enter>`-style names.
    fn keys(&mut self, keys: &str) {
        for e in key_events(keys) {
            self.monitor.input(&e);
        }
        self.screen();
    }

    fn screen(&mut self) -> String {
        self.monitor.render(&mut self.terminal).unwrap();
        screen::text(self.terminal.backend().buffer())
    }
}

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 60)];

fn snapshot_all(name: &str, script: impl Fn(&mut Demo<DemoDirector>)) {
    for (w, h) in SIZES {
        let mut d = Demo::new(w, h);
        d.ticks(WARM_UP);
        script(&mut d);
        let screen = d.screen();
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

#[test]
fn demo_collapsed() {
    snapshot_all("demo_collapsed", |d| {
        // Traffic flows: the director's totals are not zero.
        let s = d.screen();
        assert!(s.contains("DEMO"), "{s}");
        assert!(d
            .monitor
            .app
            .store()
            .totals()
            .rates
            .is_some_and(|r| r.cps > 0.0));
    });
}

#[test]
fn demo_expanded() {
    snapshot_all("demo_expanded", |d| {
        d.keys("<Enter>");
        d.ticks(2);
        d.keys("jj");
    });
}

#[test]
fn demo_sparklines_with_traffic() {
    // A minute more of history, the selection on a busy service, and the metric on InPPS.
    snapshot_all("demo_sparklines", |d| {
        d.keys("j<Enter>");
        d.ticks(60);
        d.keys("mm");
    });
}

/// The recurring slow server, 60 s after its start: the header names it,
/// its collapsed service shows `⚠1`; `n` expands the service and selects it.
#[test]
fn demo_incident_on_screen() {
    snapshot_all("demo_incident", |d| {
        d.ticks(60);
        let s = d.screen();
        assert!(s.contains("⚠ 10.10.1.12:8080 slow"), "{s}");
        assert!(s.contains("⚠1"), "{s}");
    });
    snapshot_all("demo_incident_next", |d| {
        d.ticks(60);
        d.keys("n");
        let s = d.screen();
        assert!(s.contains("▾ 192.0.2.10:80"), "{s}");
        assert!(s.contains("⚠ slow"), "{s}");
    });
}

#[test]
fn demo_help_overlay() {
    snapshot_all("demo_help", |d| d.keys("?"));
}

#[test]
fn same_seed_same_screens() {
    let mut a = Demo::new(120, 40);
    let mut b = Demo::new(120, 40);
    a.ticks(20);
    b.ticks(20);
    assert_eq!(a.screen(), b.screen());
}

#[test]
fn estimator_off_shows_no_rates_and_says_why() {
    let clock = Arc::new(ManualClock::new(epoch()));
    // The demo reporting the estimator off, as the kernel client does under
    // `net.ipv4.vs.run_estimation=0`.
    let reader = FakeBackend::new(DemoDirector::new(SEED, clock.clone()));
    reader.report_estimator(Some(false));
    let mut d = Demo::with(clock, reader, 120, 40);
    d.ticks(WARM_UP);
    let screen = d.screen();
    assert!(
        screen.contains("· estimator off (run_estimation=0)"),
        "{screen}"
    );
    let row = screen
        .lines()
        .find(|l| l.contains("192.0.2.10:80"))
        .unwrap();
    // ActiveConn and InActConn come from the connection table and stay; rates are '-'.
    let f: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(&f[f.len() - 3..], ["-", "-", "-"], "{row}");
    assert!(
        f.iter().any(|t| t.parse::<u64>().is_ok_and(|n| n > 0)),
        "{row}"
    );
    insta::assert_snapshot!("demo_estimator_off_120x40", screen);
}

/// Keys at set times (wall clock), then quits; records when the loop asked.
struct Scripted {
    start: Instant,
    keys: VecDeque<(Duration, Event)>,
}

impl Input for Scripted {
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Event>> {
        if let Some((at, _)) = self.keys.front() {
            if self.start.elapsed() >= *at {
                return Ok(self.keys.pop_front().map(|(_, e)| e));
            }
        }
        std::thread::sleep(timeout.min(Duration::from_millis(10)));
        Ok(None)
    }
}

#[test]
fn run_loop_with_the_demo_director_and_scripted_keys() {
    let clock = Arc::new(ManualClock::new(epoch()));
    // The polling thread waits in wall time; each poll reads the demo at the manual clock,
    // moved on by a ticker thread so the demo's traffic flows.
    let ticker_clock = clock.clone();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ticker_stop = stop.clone();
    let ticker = std::thread::spawn(move || {
        while !ticker_stop.load(std::sync::atomic::Ordering::Relaxed) {
            ticker_clock.advance(Duration::from_millis(500));
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    let reader = Box::new(DemoDirector::new(SEED, clock.clone()));
    let options = MonitorOptions {
        delay: Duration::from_millis(50),
        host: "demo director".into(),
        badges: vec!["DEMO".into()],
        tz: TimeZone::Utc,
        ..MonitorOptions::default()
    };
    let ms = Duration::from_millis;
    let mut keys: VecDeque<(Duration, Event)> = VecDeque::new();
    for (at, k) in [(800, "<Enter>"), (1000, "#"), (1200, "?")] {
        for e in key_events(k) {
            keys.push_back((ms(at), e));
        }
    }
    // Under help any key but Ctrl-C closes it; Ctrl-C quits.
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    keys.push_back((ms(1600), Event::Key(ctrl_c)));
    let mut input = Scripted {
        start: Instant::now(),
        keys,
    };
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let clock_dyn: Arc<dyn Clock> = clock;
    let started = Instant::now();
    tui::run_loop(
        &mut terminal,
        &mut input,
        Access::ReadOnly(reader),
        &options,
        clock_dyn,
    )
    .unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    ticker.join().unwrap();
    assert!(
        input.keys.is_empty(),
        "the loop quit before its keys ran out"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    // The last frame: the help box over an expanded service with exact numbers.
    let screen = screen::text(terminal.backend().buffer());
    assert!(screen.contains("Keys"), "{screen}");
    assert!(screen.contains("exact numbers"), "{screen}");
    assert!(screen.contains("▾ 192.0.2.10:80"), "{screen}");
    assert!(screen.contains("→ 10.10.1.11:8080"), "{screen}");
    assert!(screen.contains("lvstop demo director"), "{screen}");
}
