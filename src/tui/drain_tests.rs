//! The drain assistant on the whole monitor: the real key path, editing
//! state, editor and journal, over the kit's table (whose counts the test
//! sets) on a manual clock. The owner thread's work is done in step, as in
//! `edit_tests`. What the kernel does is the VM test's to show
//! (`tests/vm_drain.rs`); here: what lvstop asks, when, and what it draws.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::Monitor;
use crate::app::editing::{Modal, Mode, Reply, READ_ONLY};
use crate::app::store::SettingsReading;
use crate::app::table::Row;
use crate::app::{Action, App, AppConfig};
use crate::backend::{Backend, Reader};
use crate::canvas::{Chrome, TimeZone};
use crate::clock::Clock;
use crate::conns::{Attribution, ConnEvent, Limits, Made, ReadStamp, Sampling, Scope, Summarizer};
use crate::edit::Editor;
use crate::journal::tests::Scratch;
use crate::journal::{DrainEnd, DrainEvent, Journal};
use crate::model::{Dest, DestKey, ServiceKey};
use crate::poll::{carry_out, journal_lines, undo_next, Poller, Report};
use crate::testkit::{conn, key_events, screen, FakeBackend, FakeTable, ManualClock};

fn epoch() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_699_963_410)
}

fn web() -> ServiceKey {
    FakeTable::sample().services[0].0.key
}

/// The sample table's 10.1.0.2:80, weight 1, of TCP 192.0.2.10:80.
fn rs2() -> DestKey {
    DestKey {
        addr: "10.1.0.2".parse().unwrap(),
        port: 80,
    }
}

struct Rig {
    scratch: Arc<Scratch>,
    clock: Arc<ManualClock>,
    fake: FakeBackend<FakeTable>,
    editor: Option<Editor<Box<dyn Backend>>>,
    reader: Option<Box<dyn Reader>>,
    poller: Poller,
    monitor: Monitor,
    terminal: Terminal<TestBackend>,
}

impl Rig {
    fn new(mode: Mode, width: u16, height: u16) -> Rig {
        let scratch = Arc::new(Scratch::new());
        let fake = FakeBackend::new(FakeTable::sample());
        let clock = Arc::new(ManualClock::new(epoch()));
        Rig::on(mode, width, height, scratch, fake, clock)
    }

    /// A monitor started on this journal and table: a restart.
    fn on(
        mode: Mode,
        width: u16,
        height: u16,
        scratch: Arc<Scratch>,
        fake: FakeBackend<FakeTable>,
        clock: Arc<ManualClock>,
    ) -> Rig {
        let backend: Box<dyn Backend> = Box::new(fake.clone());
        let (editor, reader) = match mode {
            Mode::ReadWrite => (
                Some(Editor::new(
                    backend,
                    scratch.join("state/journal.jsonl"),
                    clock.clone(),
                    "host",
                    crate::output::rule,
                )),
                None,
            ),
            Mode::ReadOnly => (None, Some(backend as Box<dyn Reader>)),
        };
        let app = App::new(AppConfig {
            delay: Duration::from_secs(1),
            history: Duration::from_secs(300),
        });
        let chrome = Chrome {
            host: "lb1".into(),
            badges: vec![],
            tz: TimeZone::Utc,
            palette: Default::default(),
        };
        let mut rig = Rig {
            scratch,
            clock: clock.clone(),
            fake,
            editor,
            reader,
            poller: Poller::new(),
            monitor: Monitor::new(app, chrome, mode).with_clock(clock),
            terminal: Terminal::new(TestBackend::new(width, height)).unwrap(),
        };
        // As the owner thread does first.
        if let Some(e) = &rig.editor {
            let open = e.open_drains();
            rig.monitor.report(Report::DrainsLeftOpen(open));
        }
        rig.poll();
        rig
    }

    fn poll(&mut self) {
        self.clock.advance(Duration::from_secs(1));
        let watched = self.monitor.app.watched();
        let clock = self.clock.clone();
        let reader: &mut dyn Reader = match (&mut self.editor, &mut self.reader) {
            (Some(e), _) => e.backend_mut(),
            (None, Some(r)) => r.as_mut(),
            _ => unreachable!(),
        };
        let e = self
            .poller
            .poll(reader, &watched, Duration::from_secs(1), clock.as_ref());
        self.monitor.report(Report::Poll(e));
        self.screen();
    }

    /// Carries out what the monitor asked (and what answers lead to), as
    /// the owner thread does, then polls.
    fn pump(&mut self) {
        loop {
            let requests = self.monitor.take_requests();
            if requests.is_empty() {
                break;
            }
            let editor = self.editor.as_mut().expect("read-only made a request");
            for request in requests {
                let result = carry_out(editor, &request);
                self.monitor.report(Report::Edit(Reply { request, result }));
                self.monitor.report(Report::Journal(journal_lines(editor)));
                self.monitor.report(Report::Undo(undo_next(editor)));
            }
        }
        self.poll();
    }

    fn keys(&mut self, keys: &str) {
        for e in key_events(keys) {
            self.monitor.input(&e);
        }
        self.screen();
    }

    fn select_rs2(&mut self) {
        let app = &self.monitor.app;
        let i = app
            .view()
            .rows()
            .iter()
            .position(|r| matches!(r, Row::Service(0)))
            .unwrap();
        self.monitor.act(Action::Select(i));
        if !self.monitor.app.view().is_expanded(&web()) {
            self.monitor.act(Action::Toggle);
        }
        let app = &self.monitor.app;
        let i = app
            .view()
            .rows()
            .iter()
            .position(|r| {
                matches!(r, Row::Dest(0, d) if app.store().services()[0].dests()[*d].dest().key() == rs2())
            })
            .unwrap();
        self.monitor.act(Action::Select(i));
    }

    /// Sets 10.1.0.2's counts as the kernel would report them next.
    fn counts(&mut self, active: u32, inactive: u32, persistent: u32) {
        let mut t = self.fake.inner();
        let ds = &mut t.services[0].1;
        let d = &mut ds.iter_mut().find(|(d, _)| d.key() == rs2()).unwrap().0;
        d.active_conns = active;
        d.inactive_conns = inactive;
        d.persistent_conns = persistent;
    }

    fn dest(&mut self) -> Option<Dest> {
        let mut t = self.fake.inner();
        t.dests(&web()).ok()?.into_iter().find(|d| d.key() == rs2())
    }

    fn message(&self) -> String {
        let m = self.monitor.status.message();
        m.map(|m| m.text.clone()).unwrap_or_default()
    }

    fn screen(&mut self) -> String {
        self.monitor.render(&mut self.terminal).unwrap();
        screen::text(self.terminal.backend().buffer())
    }

    fn drain_events(&self) -> Vec<DrainEvent> {
        let path = self.scratch.join("state/journal.jsonl");
        let read = Journal::read_all(&path).unwrap();
        read.drains.into_iter().map(|d| d.event).collect()
    }

    /// `x` on 10.1.0.2: drained and watched, its connections still there
    /// (the kit's table, unlike the kernel, zeroes them on an edit).
    fn drain(&mut self) {
        self.select_rs2();
        self.keys("x");
        self.counts(104, 415, 2);
        self.pump();
        assert_eq!(self.dest().unwrap().weight, 0, "{}", self.message());
        assert!(self.monitor.app.drain_view().is_some(), "the view opens");
    }
}

/// A connection-table reading of 10.1.0.2 as the owner thread reports
/// one: long-lived connections and templates pinning two clients.
fn report_reading(r: &mut Rig) {
    let mut entries = Vec::new();
    for k in 0..6u32 {
        let client = format!("203.0.113.{}:{}", 7 + k, 40000 + k);
        let expires = 840 - k * 7;
        entries.push(conn(
            "TCP",
            &client,
            "192.0.2.10:80",
            "10.1.0.2:80",
            "ESTABLISHED",
            expires,
        ));
    }
    for (client, expires) in [("203.0.113.0:0", 290), ("198.51.100.0:0", 1765)] {
        entries.push(conn(
            "TCP",
            client,
            "192.0.2.10:80",
            "10.1.0.2:80",
            "NONE",
            expires,
        ));
    }
    let mut table = r.fake.inner().clone();
    let attribution = Arc::new(Attribution::new(&table.snapshot().unwrap()));
    let scope = Scope {
        dest: Some(rs2()),
        ..Scope::service(web())
    };
    let mut s = Summarizer::new(attribution, scope, Limits::default());
    for c in entries {
        s.add(c);
    }
    let reading = s.finish(ReadStamp {
        sampling: Sampling::Exact,
        made: Made::OneGo,
        at: r.clock.now(),
        wall: r.clock.wall(),
        took: Duration::from_millis(2),
        read: 8,
        malformed: 0,
    });
    let event = ConnEvent::Reading(Arc::new(reading));
    r.monitor.report(Report::Connections(event));
}

#[test]
fn drain_view() {
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        let mut r = Rig::new(Mode::ReadWrite, w, h);
        r.drain();
        // Connections wind down; a few new ones still come (templates).
        for (active, inactive, persistent) in [(104, 415, 2), (80, 300, 2), (41, 120, 2), (6, 9, 2)]
        {
            r.counts(active, inactive, persistent);
            let mut t = r.fake.inner();
            let ds = &mut t.services[0].1;
            ds.iter_mut()
                .find(|(d, _)| d.key() == rs2())
                .unwrap()
                .0
                .stats
                .conns += 3;
            drop(t);
            r.poll();
        }
        report_reading(&mut r);
        insta::assert_snapshot!(format!("drain_view_{w}x{h}"), r.screen());
    }
}

#[test]
fn remove_when_drained_deletes_only_after_two_readings_at_zero() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.drain();
    r.keys("R");
    r.pump();
    assert!(
        r.message().contains("remove when drained ✓"),
        "{}",
        r.message()
    );
    for (active, inactive, persistent) in [(30, 10, 1), (0, 4, 1), (0, 0, 1), (0, 0, 0)] {
        r.counts(active, inactive, persistent);
        r.pump();
        assert!(
            r.dest().is_some(),
            "not removed at {active} {inactive} {persistent}"
        );
    }
    // The second reading at zero: removed, through the editor.
    r.pump();
    r.pump();
    assert!(r.dest().is_none(), "removed once drained: {}", r.message());
    assert!(
        r.message().contains("✓: nothing pointed to it"),
        "{}",
        r.message()
    );
    let events = r.drain_events();
    assert!(matches!(
        events[0],
        DrainEvent::Start {
            previous_weight: 1,
            ..
        }
    ));
    assert!(matches!(
        events.last(),
        Some(DrainEvent::End {
            end: DrainEnd::Removed
        })
    ));
    assert!(r.monitor.app.drain_view().is_none(), "its last watch ended");
    // The deletion is an ordinary change: undo brings it back at weight 0.
    r.keys("u");
    r.pump();
    assert_eq!(r.dest().map(|d| d.weight), Some(0));
}

#[test]
fn a_connection_between_the_decision_and_the_delete_keeps_the_server() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.drain();
    r.counts(7, 0, 0);
    r.keys("R");
    r.pump();
    r.counts(0, 0, 0);
    r.pump();
    r.poll();
    // Removal asked; a client arrives before the owner deletes.
    r.counts(1, 0, 0);
    r.pump();
    assert!(r.dest().is_some(), "{}", r.message());
    assert!(
        r.message().contains("is not drained now"),
        "{}",
        r.message()
    );
}

#[test]
fn deadline_with_connections_left_asks_again() {
    for (answer, weight) in [("w", Some(0)), ("r", Some(1)), ("d", None)] {
        let mut r = Rig::new(Mode::ReadWrite, 120, 40);
        r.drain();
        r.keys("t");
        assert!(matches!(r.monitor.edit.modal, Some(Modal::Drain(_))));
        r.keys("9x<Enter>");
        assert!(
            r.screen().contains("minutes from now, 0 to 1440"),
            "refused in words"
        );
        r.keys("<Bs><Bs>2<Enter>");
        r.pump();
        let events = r.drain_events();
        let Some(DrainEvent::Options { options }) = events.last() else {
            panic!("{events:?}")
        };
        assert_eq!(options.deadline_unix, Some(1_699_963_412 + 2 * 60));
        r.counts(5, 0, 0);
        for _ in 0..200 {
            r.poll();
            if r.monitor.edit.modal.is_some() {
                break;
            }
        }
        let at = r.clock.wall().duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(at, 1_699_963_412 + 2 * 60, "asked when the deadline came");
        let screen = r.screen();
        assert!(screen.contains("Drain deadline reached"), "{screen}");
        assert!(
            screen.contains("5 active, 0 inactive, 0 persistent"),
            "{screen}"
        );
        r.keys(answer);
        r.pump();
        assert_eq!(
            r.dest().map(|d| d.weight),
            weight,
            "{answer}: {}",
            r.message()
        );
        r.poll();
        assert!(r.monitor.edit.modal.is_none(), "asked once");
    }
}

#[test]
fn restore_gives_back_the_weight_and_ends_the_watch() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.drain();
    r.keys("x");
    r.pump();
    assert_eq!(r.dest().unwrap().weight, 1);
    assert!(r.monitor.app.drains().watches().is_empty());
    assert!(matches!(
        r.drain_events().last(),
        Some(DrainEvent::End {
            end: DrainEnd::Restored { weight: 1 }
        })
    ));
}

#[test]
fn a_restart_offers_to_resume_and_no_answer_changes_nothing() {
    let mut first = Rig::new(Mode::ReadWrite, 120, 40);
    first.drain();
    first.keys("R");
    first.pump();
    let (scratch, fake, clock) = (
        first.scratch.clone(),
        first.fake.clone(),
        first.clock.clone(),
    );
    let journal = scratch.join("state/journal.jsonl");
    drop(first);
    let before = std::fs::read(&journal).unwrap();

    let mut second = Rig::on(
        Mode::ReadWrite,
        120,
        40,
        scratch.clone(),
        fake.clone(),
        clock.clone(),
    );
    second.poll();
    let screen = second.screen();
    assert!(screen.contains("Resume a drain"), "{screen}");
    assert!(
        screen.contains("10.1.0.2:80 of TCP 192.0.2.10:80"),
        "{screen}"
    );
    insta::assert_snapshot!("drain_resume_offer_120x40", screen);
    second.keys("<Esc>");
    second.pump();
    assert!(second.monitor.app.drains().watches().is_empty());
    assert_eq!(std::fs::read(&journal).unwrap(), before, "nothing written");
    drop(second);

    let mut third = Rig::on(Mode::ReadWrite, 120, 40, scratch, fake, clock);
    third.poll();
    third.keys("y");
    third.pump();
    let w = &third.monitor.app.drains().watches()[0];
    assert_eq!((w.dest, w.previous_weight), (rs2(), 1));
    assert!(w.options.remove_when_drained, "its options as journaled");
    assert!(matches!(
        third.drain_events().last(),
        Some(DrainEvent::Resumed)
    ));
    // Watched again: drained, it is removed.
    third.counts(0, 0, 0);
    third.pump();
    third.pump();
    third.pump();
    assert!(third.dest().is_none(), "{}", third.message());
}

#[test]
fn no_offer_when_the_server_has_its_weight_back() {
    let mut first = Rig::new(Mode::ReadWrite, 120, 40);
    first.drain();
    let (scratch, fake, clock) = (
        first.scratch.clone(),
        first.fake.clone(),
        first.clock.clone(),
    );
    drop(first);
    let mut t = fake.inner();
    let ds = &mut t.services[0].1;
    ds.iter_mut()
        .find(|(d, _)| d.key() == rs2())
        .unwrap()
        .0
        .weight = 4;
    drop(t);
    let mut second = Rig::on(Mode::ReadWrite, 120, 40, scratch, fake, clock);
    second.poll();
    assert!(second.monitor.edit.modal.is_none());
}

#[test]
fn read_only_refuses_to_drain() {
    let mut r = Rig::new(Mode::ReadOnly, 120, 40);
    r.select_rs2();
    r.keys("x");
    assert_eq!(r.message(), READ_ONLY);
    assert!(r.monitor.take_requests().is_empty());
    assert_eq!(r.dest().unwrap().weight, 1);
    assert!(r.monitor.app.drain_view().is_none());
}

#[test]
fn the_drain_view_says_what_the_kernel_settings_will_do() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.drain();
    r.poll();
    assert!(
        !r.screen().contains('⚠'),
        "no warning before the settings are read:\n{}",
        r.screen()
    );
    let mut values = r.fake.inner().settings;
    values.conn_reuse_mode = Some(0);
    values.expire_nodest_conn = Some(0);
    r.monitor.report(Report::Settings(Box::new(SettingsReading {
        at: r.clock.now(),
        wall: r.clock.wall(),
        result: Ok(values),
    })));
    let screen = r.screen();
    assert!(
        screen.contains("⚠ A client that reuses a source port"),
        "the conn_reuse_mode=0 warning is in the drain view:\n{screen}"
    );
    assert!(screen.contains("conn_reuse_mode=1 would"), "{screen}");
}
