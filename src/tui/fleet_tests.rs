//! The fleet monitor over several directors, whole: one `Monitor`, editor
//! and journal per director over testkit's fake tables, polls done in step
//! on a manual clock; and the real fleet event loop with one director slow.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::fleet::{FleetMonitor, Member};
use super::Monitor;
use crate::app::editing::{Mode, Reply};
use crate::app::fleet_health::Health;
use crate::app::table::Row;
use crate::app::{App, AppConfig};
use crate::backend::{Backend, Error, ErrorKind};
use crate::canvas::{Chrome, TimeZone};
use crate::clock::Clock;
use crate::edit::Editor;
use crate::fleet::DirectorName;
use crate::journal::tests::Scratch;
use crate::model::{Change, Dest};
use crate::poll::{carry_out, Poller, Report};
use crate::testkit::{key_events, screen, CallKind, Calls, FakeBackend, FakeTable, ManualClock};

fn epoch() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_699_963_410)
}

struct Director {
    table: FakeBackend<FakeTable>,
    editor: Editor<Box<dyn Backend>>,
    poller: Poller,
}

struct Rig {
    scratch: Scratch,
    clock: Arc<ManualClock>,
    directors: Vec<Director>,
    fleet: FleetMonitor,
    terminal: Terminal<TestBackend>,
}

/// The sample table; `lb3`'s first real server weighs 5 more.
fn tables(names: &[&str]) -> Vec<FakeTable> {
    names
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let mut t = FakeTable::sample();
            if i == 2 {
                t.services[0].1[0].0.weight += 5;
            }
            t
        })
        .collect()
}

impl Rig {
    fn new(names: &[&str]) -> Rig {
        let scratch = Scratch::new();
        let clock = Arc::new(ManualClock::new(epoch()));
        let mut directors = Vec::new();
        let mut members = Vec::new();
        for (name, fake) in names.iter().zip(tables(names)) {
            let table = FakeBackend::new(fake);
            let editor = Editor::new(
                Box::new(table.clone()) as Box<dyn Backend>,
                scratch.join("state/journal.jsonl"),
                clock.clone(),
                *name,
                crate::output::rule,
            );
            directors.push(Director {
                table,
                editor,
                poller: Poller::new(),
            });
            let app = App::new(AppConfig {
                delay: Duration::from_secs(1),
                history: Duration::from_secs(300),
            });
            let chrome = Chrome {
                host: name.to_string(),
                badges: Vec::new(),
                tz: TimeZone::Utc,
                palette: Default::default(),
            };
            members.push(Member {
                name: DirectorName::new(*name),
                monitor: Monitor::new(app, chrome, Mode::ReadWrite).with_clock(clock.clone()),
                status: None,
            });
        }
        let fleet = FleetMonitor::new(members, Default::default(), clock.clone())
            .with_journal(Some(scratch.join("state/journal.jsonl")));
        let mut rig = Rig {
            scratch,
            clock,
            directors,
            fleet,
            terminal: Terminal::new(TestBackend::new(120, 30)).unwrap(),
        };
        rig.screen();
        rig.poll();
        rig
    }

    /// A second passes and every director that answers is polled, as the
    /// owner threads do.
    fn poll(&mut self) {
        self.clock.advance(Duration::from_secs(1));
        for (d, m) in self.directors.iter_mut().zip(self.fleet.members.iter_mut()) {
            let watched = m.monitor.app.watched();
            let e = d.poller.poll(
                d.editor.backend_mut(),
                &watched,
                Duration::from_secs(1),
                self.clock.as_ref(),
            );
            m.monitor.report(Report::Poll(e));
        }
        self.fleet.polled();
        self.fleet.refresh_differences();
    }

    /// Carries out each director's requests on its own editor (the fleet's
    /// "to all" ones as their owners would), then polls.
    fn pump(&mut self) {
        for (i, request) in self.fleet.take_outbox() {
            let result = carry_out(&mut self.directors[i].editor, &request);
            self.fleet
                .report(i, Report::Edit(Reply { request, result }));
        }
        for (d, m) in self.directors.iter_mut().zip(self.fleet.members.iter_mut()) {
            for request in m.monitor.take_requests() {
                let result = carry_out(&mut d.editor, &request);
                m.monitor.report(Report::Edit(Reply { request, result }));
            }
        }
        self.poll();
    }

    fn keys(&mut self, keys: &str) {
        for e in key_events(keys) {
            self.fleet.input(&e);
        }
    }

    fn key(&mut self, code: KeyCode) {
        self.fleet
            .input(&Input::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn screen(&mut self) -> String {
        self.fleet.render(&mut self.terminal).unwrap();
        screen::text(self.terminal.backend().buffer())
    }

    fn line(&mut self, n: usize) -> String {
        self.screen().lines().nth(n).unwrap_or_default().to_string()
    }
}

#[test]
fn the_top_line_names_every_director_with_its_health() {
    let mut rig = Rig::new(&["lb1", "lb2", "lb3"]);
    let top = rig.line(0);
    for name in ["lb1 ", "lb2 ", "lb3 "] {
        assert!(top.contains(name), "{top}");
    }
    assert!(top.contains("0.0s ago, 0ms"), "{top}");
    assert!(top.contains("F: differences"), "{top}");
    rig.keys("F");
    assert!(rig.line(0).contains("1 difference (F)"), "{}", rig.line(0));
    rig.key(KeyCode::Esc);
    // The director on screen is named in its header, below.
    assert!(rig.line(1).contains("lb1"), "{}", rig.line(1));
}

#[test]
fn tab_goes_from_one_director_to_the_next_and_back() {
    let mut rig = Rig::new(&["lb1", "lb2", "lb3"]);
    rig.key(KeyCode::Tab);
    assert_eq!(rig.fleet.current(), 1);
    assert!(rig.line(1).contains("lb2"), "{}", rig.line(1));
    rig.key(KeyCode::BackTab);
    rig.key(KeyCode::BackTab);
    assert_eq!(rig.fleet.current(), 2);
    assert!(rig.line(1).contains("lb3"), "{}", rig.line(1));
}

#[test]
fn a_director_that_stops_answering_is_stale_while_the_others_go_on() {
    let mut rig = Rig::new(&["lb1", "lb2"]);
    rig.directors[1]
        .table
        .fail_reads(Error::new(ErrorKind::Io, "connection to lb2 lost\x1b[2J"));
    rig.poll();
    rig.poll();
    let top = rig.line(0);
    assert!(top.contains("lb1 0.0s ago"), "{top}");
    assert!(top.contains("lb2 STALE 2.0s"), "{top}");
    // Its reason, on its own screen; never an escape sequence raw.
    rig.key(KeyCode::Tab);
    let s = rig.screen();
    assert!(!s.contains('\x1b'), "{s}");
    assert!(s.contains("stale since"), "{s}");
    rig.directors[1].table.heal();
    rig.poll();
    assert!(rig.line(0).contains("lb2 0.0s ago"), "{}", rig.line(0));
}

#[test]
fn differences_view_lists_and_jumps_to_the_row() {
    let mut rig = Rig::new(&["lb1", "lb2", "lb3"]);
    rig.keys("F");
    let s = rig.screen();
    assert!(s.contains("Differences between the directors"), "{s}");
    let first = rig.directors[0].table.inner().services[0].clone();
    let want = format!(
        "{} -> {}:{}: weight",
        first.0.key, first.1[0].0.addr, first.1[0].0.port
    );
    assert!(s.contains(&want), "{want}\n{s}");
    assert!(s.contains("on lb1, lb2;") && s.contains("on lb3"), "{s}");
    rig.key(KeyCode::Enter);
    assert!(!rig.fleet.differences.is_open());
    // lb1 has the row: the cursor is on it there, its service expanded.
    assert_eq!(rig.fleet.current(), 0);
    let app = &rig.fleet.members[0].monitor.app;
    let row = app.view().rows()[app.view().selected()];
    let Row::Dest(i, j) = row else {
        panic!("{row:?}")
    };
    assert_eq!(
        app.store().services()[i].dests()[j].dest().addr,
        first.1[0].0.addr
    );
}

/// The differences are compared again when a setting moves, not when only
/// counters do: lb3's odd weight set back, the open view says they agree.
#[test]
fn the_differences_follow_a_setting_but_not_the_counters() {
    let mut rig = Rig::new(&["lb1", "lb2", "lb3"]);
    rig.keys("F");
    assert_eq!(rig.fleet.differences.count(), Some(1));
    let before = rig.fleet.members[0]
        .monitor
        .app
        .store()
        .settings_fingerprint();
    for d in &rig.directors {
        let mut t = d.table.inner();
        t.services[0].1[0].0.stats.conns += 1_000;
        t.services[0].1[0].0.active_conns += 7;
    }
    rig.poll();
    let after = rig.fleet.members[0]
        .monitor
        .app
        .store()
        .settings_fingerprint();
    assert!(before.is_some());
    assert_eq!(before, after, "counters moved the fingerprint");
    assert_eq!(rig.fleet.differences.count(), Some(1));
    rig.directors[2].table.inner().services[0].1[0].0.weight -= 5;
    rig.poll();
    assert_eq!(rig.fleet.differences.count(), Some(0));
    assert!(rig.line(0).contains("tables agree"), "{}", rig.line(0));
}

#[test]
fn tables_that_agree_say_so() {
    let mut rig = Rig::new(&["lb1", "lb2"]);
    rig.keys("F");
    assert!(rig.line(0).contains("tables agree"), "{}", rig.line(0));
    assert!(rig.screen().contains("the directors' tables agree"));
    rig.key(KeyCode::Esc);
    assert!(!rig.fleet.differences.is_open());
}

#[test]
fn a_change_goes_to_the_director_on_screen_only() {
    let mut rig = Rig::new(&["lb1", "lb2", "lb3"]);
    rig.key(KeyCode::Tab);
    // The first service expanded, its first real server selected, weight +1.
    rig.key(KeyCode::Enter);
    rig.key(KeyCode::Down);
    rig.keys("+");
    rig.pump();
    assert!(rig.directors[0].table.changes().is_empty());
    assert!(rig.directors[2].table.changes().is_empty());
    let changes = rig.directors[1].table.changes();
    assert!(
        matches!(changes.as_slice(), [Change::EditDest { dest: Dest { weight, .. }, .. }] if *weight == rig.directors[0].table.inner().services[0].1[0].0.weight + 1),
        "{changes:?}"
    );
    // lb2's journal record names it as its namespace.
    let journal = std::fs::read_to_string(rig.scratch.join("state/journal.jsonl")).unwrap();
    assert!(journal.contains("\"lb2\""), "{journal}");
    assert!(!journal.contains("\"lb1\""), "{journal}");
    // Now that real server's weight differs three ways.
    rig.keys("F");
    let s = rig.screen();
    assert!(
        s.contains(" on lb1; ") && s.contains(" on lb2; ") && s.contains(" on lb3"),
        "{s}"
    );
}

#[test]
fn a_name_from_outside_never_reaches_the_terminal_raw() {
    let mut rig = Rig::new(&["lb1\x1b]0;owned\x07", "lb2"]);
    let s = rig.screen();
    assert!(!s.contains('\x1b') && !s.contains('\x07'), "{s:?}");
    assert!(s.contains("lb1?]0;owned?"), "{s}");
}

#[test]
fn fleet_keys_wait_while_a_filter_is_typed() {
    let mut rig = Rig::new(&["lb1", "lb2"]);
    rig.keys("/F");
    assert!(!rig.fleet.differences.is_open());
    assert_eq!(rig.fleet.members[0].monitor.app.view().filter(), "F");
}

/// The real fleet loop: three directors on their own owner threads, one
/// of them taking 3 s to list its services. The other two are on screen
/// and the loop answers keys and quits while the slow one still reads.
#[test]
fn one_slow_director_never_stalls_the_screen() {
    use super::{run_fleet_loop, Input as InputSource, MonitorOptions};
    use crate::poll::Access;

    struct Script {
        start: Instant,
        steps: Vec<(Duration, Input)>,
    }
    impl InputSource for Script {
        fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Input>> {
            match self.steps.first() {
                Some((at, _)) if self.start.elapsed() >= *at => Ok(Some(self.steps.remove(0).1)),
                _ => {
                    std::thread::sleep(timeout.min(Duration::from_millis(10)));
                    Ok(None)
                }
            }
        }
    }
    let key = |c| Input::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let mut script = Script {
        start: Instant::now(),
        steps: vec![
            (Duration::from_millis(700), key(KeyCode::Tab)),
            (Duration::from_millis(900), key(KeyCode::Char('q'))),
        ],
    };
    let slow = FakeBackend::new(FakeTable::sample());
    // A real wait (latency() advances a manual clock): the owner is stuck.
    slow.before(CallKind::Services, |_, _| {
        std::thread::sleep(Duration::from_secs(3))
    });
    let director = |name: &str, backend: FakeBackend<FakeTable>| super::FleetDirector {
        name: DirectorName::new(name),
        access: Access::ReadOnly(Box::new(backend)),
        status: None,
    };
    let directors = vec![
        director("lb1", FakeBackend::new(FakeTable::sample())),
        director("lb2", FakeBackend::new(FakeTable::sample())),
        director("slow", slow),
    ];
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
    let options = MonitorOptions {
        delay: Duration::from_millis(100),
        ..MonitorOptions::default()
    };
    let clock: Arc<dyn Clock> = Arc::new(crate::clock::SystemClock::new());
    let started = Instant::now();
    run_fleet_loop(&mut terminal, &mut script, directors, &options, None, clock).unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
    let text = screen::text(terminal.backend().buffer());
    let top = text.lines().next().unwrap();
    assert!(top.contains("slow connecting"), "{top}");
    assert!(top.contains("lb1 ") && top.contains("ms"), "{top}");
    // Tab moved to lb2, whose table is on screen.
    assert!(text.contains("lb2"), "{text}");
    assert!(text.contains("192.0.2.10:80"), "{text}");
}

fn weight_of(d: &Director) -> u32 {
    d.table.inner().services[0].1[0].0.weight
}

#[test]
fn one_weight_to_every_director_after_a_question_naming_each() {
    let mut rig = Rig::new(&["lb1", "lb2", "lb3"]);
    rig.directors[2].table.fail(
        CallKind::Apply,
        Calls::Every,
        Error::new(ErrorKind::Io, "lb3 is refusing"),
    );
    // The first service's first real server.
    rig.key(KeyCode::Enter);
    rig.key(KeyCode::Down);
    rig.keys("=7");
    let s = rig.screen();
    assert!(
        s.contains("Weight on every director") && s.contains("on lb1, lb2, lb3"),
        "{s}"
    );
    rig.key(KeyCode::Enter);
    let s = rig.screen();
    assert!(s.contains("Set weight 7 on lb1, lb2, lb3?"), "{s}");
    assert!(rig.directors.iter().all(|d| d.table.changes().is_empty()));
    rig.keys("y");
    rig.pump();
    assert_eq!(weight_of(&rig.directors[0]), 7);
    assert_eq!(weight_of(&rig.directors[1]), 7);
    assert_ne!(weight_of(&rig.directors[2]), 7);
    // Every director's result said, the refusal too.
    let said = rig.fleet.members[0]
        .monitor
        .status
        .message()
        .unwrap()
        .clone();
    assert!(said.error);
    assert!(
        said.text
            .starts_with("weight 7 to all: lb1 applied · lb2 applied · lb3 refused: "),
        "{}",
        said.text
    );
    // The local journal: each director's change, and the fleet line.
    let back = crate::journal::Journal::read_all(&rig.scratch.join("state/journal.jsonl")).unwrap();
    assert_eq!(back.fleet.len(), 1);
    let outcomes: Vec<String> = back.fleet[0]
        .directors
        .iter()
        .map(|d| {
            format!("{} {:?}", d.director, d.outcome)
                .chars()
                .take(21)
                .collect()
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            "lb1 Applied { said: \"",
            "lb2 Applied { said: \"",
            "lb3 Refused { said: \""
        ]
    );
    let namespaces: Vec<&str> = back
        .entries
        .iter()
        .map(|e| e.record().namespace.as_str())
        .collect();
    assert_eq!(namespaces, ["lb1", "lb2", "lb3"]);
}

#[test]
fn esc_sends_nothing_and_a_bad_weight_is_refused_in_words() {
    let mut rig = Rig::new(&["lb1", "lb2"]);
    rig.key(KeyCode::Enter);
    rig.key(KeyCode::Down);
    rig.keys("=");
    rig.key(KeyCode::Enter);
    assert!(rig
        .screen()
        .contains("the weight is a number from 0 to 65535"));
    rig.key(KeyCode::Esc);
    assert!(rig.fleet.dialog.is_none());
    rig.pump();
    assert!(rig.directors.iter().all(|d| d.table.changes().is_empty()));
}

#[test]
fn to_all_needs_a_real_server_row() {
    let mut rig = Rig::new(&["lb1", "lb2"]);
    rig.keys("=");
    assert!(rig.fleet.dialog.is_none());
    let said = rig.fleet.members[0]
        .monitor
        .status
        .message()
        .unwrap()
        .text
        .clone();
    assert!(said.contains("select one"), "{said}");
}

#[test]
fn read_only_refuses_the_change_to_all() {
    let mut rig = Rig::new(&["lb1", "lb2"]);
    for m in &mut rig.fleet.members {
        m.monitor.edit.mode = Mode::ReadOnly;
    }
    rig.key(KeyCode::Enter);
    rig.key(KeyCode::Down);
    rig.keys("=");
    assert!(rig.fleet.dialog.is_none());
    let said = rig.fleet.members[0]
        .monitor
        .status
        .message()
        .unwrap()
        .text
        .clone();
    assert_eq!(said, "read-only: no change is sent to any director");
    rig.pump();
    assert!(rig.directors.iter().all(|d| d.table.changes().is_empty()));
}

#[test]
fn v_shows_each_service_once_summed_with_each_directors_share() {
    let mut rig = Rig::new(&["lb1", "lb2"]);
    rig.keys("V");
    let s = rig.screen();
    assert!(s.contains("By virtual service across directors"), "{s}");
    let first = rig.directors[0].table.inner().services[0].0.key;
    let active = rig.fleet.members[0]
        .monitor
        .app
        .store()
        .service(&first)
        .unwrap()
        .active();
    let name = crate::output::text::service_name(&first);
    let line = s.lines().find(|l| l.contains(&name)).unwrap_or_default();
    assert!(line.contains(&format!("{}", 2 * active)), "{line}");
    let half = if active == 0 { 0 } else { 50 };
    assert!(
        line.contains(&format!("lb1 {active} ({half}%) │ lb2 {active} ({half}%)")),
        "{line}"
    );
    assert_eq!(s.matches(&name).count(), 1, "{s}");
    rig.key(KeyCode::Esc);
    assert!(rig.fleet.across.is_none());
}

#[test]
fn a_backend_that_knows_its_health_says_it_over_the_polls() {
    let mut rig = Rig::new(&["lb1", "lb2"]);
    rig.fleet.members[1].status = Some(Box::new(|| Health::Stale {
        age: Some(Duration::from_secs(12)),
        reason: "ssh: connection refused".into(),
        retry_in: Some(Duration::from_secs(4)),
    }));
    rig.poll();
    let top = rig.line(0);
    assert!(top.contains("lb1 0.0s ago"), "{top}");
    assert!(top.contains("lb2 STALE 12s, retry in 4.0s │"), "{top}");
    rig.fleet.members[1].status = Some(Box::new(|| Health::Bad {
        reason: "line too long\x1b[2J".into(),
    }));
    let top = rig.line(0);
    assert!(top.contains("lb2 BAD: line too long?[2J"), "{top}");
}

/// A connection that has its table before the director's first poll says
/// connecting, not live: the screen below has no rows yet.
#[test]
fn live_over_a_connection_waits_for_the_screens_first_poll() {
    let mut rig = Rig::new(&["lb1", "lb2"]);
    let chrome = Chrome {
        host: "lb2".into(),
        badges: Vec::new(),
        tz: TimeZone::Utc,
        palette: Default::default(),
    };
    let app = App::new(AppConfig {
        delay: Duration::from_secs(1),
        history: Duration::from_secs(300),
    });
    rig.fleet.members[1].monitor =
        Monitor::new(app, chrome, Mode::ReadWrite).with_clock(rig.clock.clone());
    rig.fleet.members[1].status = Some(Box::new(|| Health::Live {
        age: Duration::from_millis(300),
        lag: Some(Duration::from_millis(5)),
    }));
    let top = rig.line(0);
    assert!(top.contains("lb2 connecting"), "{top}");
    rig.poll();
    let top = rig.line(0);
    assert!(top.contains("lb2 0.3s ago, 5ms"), "{top}");
}

/// A remote director whose agent sends escape sequences in an unknown
/// message: its connection's status (not its polls) makes the top line say
/// BAD with the reason, and no cell of the frame holds a control character.
#[test]
fn a_bad_agent_shows_bad_with_its_reason_and_no_escape_reaches_the_frame() {
    use crate::fleet::remote::{DirectorState, RemoteDirector, RemoteOptions};
    let mut rig = Rig::new(&["lb1", "lb2"]);
    let lines = rig.scratch.join("agent-lines");
    std::fs::write(
        &lines,
        "{\"type\":\"PWNED\\u001b]0;owned\\u0007\\u001b[2J\"}\n",
    )
    .unwrap();
    let script = format!("cat '{}'; exec sleep 30", lines.display());
    let remote = RemoteDirector::connect(
        DirectorName::new("lb2"),
        Box::new(move || {
            let mut c = std::process::Command::new("sh");
            c.arg("-c").arg(&script);
            c
        }),
        RemoteOptions::default(),
    );
    let status = remote.wait_settled(Duration::from_secs(20));
    assert!(
        matches!(status.state, DirectorState::Bad { .. }),
        "{status:?}"
    );
    let handle = remote.status_handle();
    let clock = rig.clock.clone();
    rig.fleet.members[1].status = Some(Box::new(move || {
        Health::of_remote(&handle.status(), clock.wall())
    }));
    rig.key(KeyCode::Tab);
    let top = rig.line(0);
    assert!(
        top.contains("lb2 BAD: the agent sent a malformed message: unknown variant `PWNED"),
        "{top}"
    );
    assert!(top.contains("lb1 0.0s ago"), "{top}");
    let cells = rig.terminal.backend().buffer().content();
    let control: Vec<&str> = cells
        .iter()
        .map(|c| c.symbol())
        .filter(|s| s.chars().any(char::is_control))
        .collect();
    assert!(control.is_empty(), "{control:?}\n{top}");
}

#[test]
fn the_help_overlay_lists_the_fleet_keys_and_fits_80x24() {
    let mut rig = Rig::new(&["lb1", "lb2", "lb3"]);
    rig.terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    rig.keys("?");
    let s = rig.screen();
    assert!(s.contains("Tab ⇧Tab  F  V  ="), "{s}");
    assert!(
        s.contains("next/prev director, diffs, by VS, to all"),
        "{s}"
    );
    assert!(s.contains("wheel, click"), "{s}");
    assert!(s.contains("any key closes"), "{s}");
    // Under help, Tab closes it and stays on the director.
    rig.key(KeyCode::Tab);
    assert_eq!(rig.fleet.current(), 0);
    assert!(!rig.screen().contains("any key closes"));
}

/// What redraws at once: the current director's reports, answers to a
/// change, anything while `V` sums every director; another director's
/// poll waits for the tick (it shows only in the health line's ages).
#[test]
fn another_directors_poll_redraws_only_at_the_tick() {
    let mut rig = Rig::new(&["lb1", "lb2"]);
    let failed = || {
        Report::Poll(crate::app::Event::PollFailed {
            at: Duration::from_secs(1),
            wall: UNIX_EPOCH + Duration::from_secs(1),
            error: "x".into(),
        })
    };
    assert!(rig.fleet.shows(0, &failed()));
    assert!(!rig.fleet.shows(1, &failed()));
    let answer = Report::Edit(Reply {
        request: crate::app::editing::Request::Apply(Change::Zero(None)),
        result: Ok("applied".into()),
    });
    assert!(rig.fleet.shows(1, &answer));
    rig.key(KeyCode::Tab);
    assert!(rig.fleet.shows(1, &failed()));
    assert!(!rig.fleet.shows(0, &failed()));
    rig.keys("V");
    assert!(rig.fleet.shows(0, &failed()));
}
