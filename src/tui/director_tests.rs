//! The director panel (`T`), its header item and its forms, whole: the
//! real key path, editing state, editor and journal over testkit's fake
//! table, the owner thread's work (carry out, read the settings, poll)
//! done in step on a manual clock so each script is deterministic.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::Monitor;
use crate::app::editing::{Modal, Mode, Reply, READ_ONLY};
use crate::app::{App, AppConfig};
use crate::backend::{Backend, Error, ErrorKind};
use crate::canvas::{Chrome, TimeZone};
use crate::edit::Editor;
use crate::journal::tests::Scratch;
use crate::model::{Change, Timeouts};
use crate::poll::{carry_out, journal_lines, undo_next, DirectorReads, Poller, Report};
use crate::testkit::{key_events, screen, CallKind, Calls, FakeBackend, FakeTable, ManualClock};

fn epoch() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_699_963_410)
}

fn timeouts(tcp: u32, tcp_fin: u32, udp: u32) -> Timeouts {
    Timeouts { tcp, tcp_fin, udp }
}

struct Rig {
    _scratch: Scratch,
    clock: Arc<ManualClock>,
    /// The test's handle on the table the editor changes.
    table: FakeBackend<FakeTable>,
    editor: Editor<Box<dyn Backend>>,
    poller: Poller,
    reads: DirectorReads,
    monitor: Monitor,
    terminal: Terminal<TestBackend>,
}

impl Rig {
    fn new(mode: Mode, width: u16, height: u16) -> Rig {
        let scratch = Scratch::new();
        let clock = Arc::new(ManualClock::new(epoch()));
        let mut fake = FakeTable::sample();
        fake.timeouts = timeouts(900, 120, 300);
        let table = FakeBackend::new(fake);
        let editor = Editor::new(
            Box::new(table.clone()) as Box<dyn Backend>,
            scratch.join("state/journal.jsonl"),
            clock.clone(),
            "test",
            crate::output::rule,
        );
        let app = App::new(AppConfig {
            delay: Duration::from_secs(1),
            history: Duration::from_secs(300),
        });
        let chrome = Chrome {
            host: "director".into(),
            badges: match mode {
                Mode::ReadOnly => vec!["READ-ONLY".into()],
                Mode::ReadWrite => Vec::new(),
            },
            tz: TimeZone::Utc,
            palette: Default::default(),
        };
        let mut rig = Rig {
            _scratch: scratch,
            clock: clock.clone(),
            table,
            editor,
            poller: Poller::new(),
            reads: DirectorReads::new(),
            monitor: Monitor::new(app, chrome, mode).with_clock(clock),
            terminal: Terminal::new(TestBackend::new(width, height)).unwrap(),
        };
        rig.poll();
        rig
    }

    /// A poll and, when due, the settings' read, as the owner thread does.
    fn poll(&mut self) {
        self.clock.advance(Duration::from_secs(1));
        let watched = self.monitor.app.watched();
        let clock = self.clock.clone();
        let reader = self.editor.backend_mut();
        let e = self
            .poller
            .poll(reader, &watched, Duration::from_secs(1), clock.as_ref());
        self.monitor.report(Report::Poll(e));
        if let Some(r) = self.reads.read(self.editor.backend_mut(), clock.as_ref()) {
            self.monitor.report(Report::Director(r));
        }
    }

    /// Carries out every request, then reads the settings again and polls.
    fn pump(&mut self) {
        loop {
            let requests = self.monitor.take_requests();
            if requests.is_empty() {
                break;
            }
            for request in requests {
                let result = carry_out(&mut self.editor, &request);
                self.reads.soon();
                self.monitor.report(Report::Edit(Reply { request, result }));
                self.monitor
                    .report(Report::Journal(journal_lines(&self.editor)));
                self.monitor.report(Report::Undo(undo_next(&self.editor)));
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

    fn screen(&mut self) -> String {
        self.monitor.render(&mut self.terminal).unwrap();
        screen::text(self.terminal.backend().buffer())
    }

    fn message(&self) -> String {
        let m = self.monitor.status.message();
        m.map(|m| m.text.clone()).unwrap_or_default()
    }

    fn kernel_timeouts(&self) -> Timeouts {
        self.table.inner().timeouts
    }
}

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 60)];

fn snapshot_all(name: &str, script: impl Fn(&mut Rig)) {
    for (w, h) in SIZES {
        let mut rig = Rig::new(Mode::ReadWrite, w, h);
        script(&mut rig);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), rig.screen());
    }
}

#[test]
fn header_shows_the_timeouts_where_there_is_room() {
    snapshot_all("director_header", |_| {});
    let mut narrow = Rig::new(Mode::ReadWrite, 80, 24);
    let first = narrow.screen().lines().next().unwrap().to_string();
    assert!(!first.contains("timeouts"), "dropped first: {first}");
    assert!(first.contains("polled"), "{first}");
    let mut wide = Rig::new(Mode::ReadWrite, 200, 60);
    let first = wide.screen().lines().next().unwrap().to_string();
    assert!(first.contains("timeouts 900/120/300"), "{first}");
}

#[test]
fn the_panel_shows_the_timeouts_and_its_keys() {
    snapshot_all("director_panel", |r| r.keys("T"));
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.keys("T");
    let s = r.screen();
    assert!(s.contains("tcp         900 s"), "{s}");
    assert!(s.contains("t set timeouts · u undo · T close"), "{s}");
    r.keys("<Esc>");
    assert!(!r.screen().contains("Director"));
}

#[test]
fn timeouts_form_opens_holding_what_was_read_and_previews_ipvsadm() {
    snapshot_all("director_timeouts_form", |r| {
        r.keys("Tt<Bs><Bs><Bs>600");
    });
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.keys("Tt<Bs><Bs><Bs>600");
    assert!(r.screen().contains("ipvsadm --set 600 120 300"));
}

#[test]
fn timeouts_form_refuses_bad_values_and_sends_nothing() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    let cases = [
        (
            "99999999",
            "invalid timeout value `99999999' specified (0 to 2678400)",
        ),
        ("-1", "invalid timeout value `-1' specified"),
        ("1.5", "invalid timeout value `1.5' specified"),
        ("", "required (0 leaves it as it is)"),
    ];
    for (bad, said) in cases {
        r.keys("Tt<Bs><Bs><Bs>");
        r.keys(bad);
        r.keys("<Enter>");
        let s = r.screen();
        assert!(s.contains(said), "{bad}: {s}");
        assert!(
            s.contains("fix the marked fields first: nothing was sent"),
            "{s}"
        );
        r.pump();
        r.keys("<Esc>y<Esc>");
    }
    // Three zeros would change nothing: said, not sent.
    r.keys("Tt");
    for _ in 0..3 {
        r.keys("<Bs><Bs><Bs>0<Tab>");
    }
    r.keys("<Enter>");
    assert!(r.screen().contains("all three are 0: nothing would change"));
    r.pump();
    assert_eq!(r.table.count(CallKind::Apply), 0);
    assert_eq!(r.kernel_timeouts(), timeouts(900, 120, 300));
}

#[test]
fn a_timeout_change_is_sent_journaled_shown_and_undone() {
    let mut r = Rig::new(Mode::ReadWrite, 200, 60);
    // tcpfin 0: left as it is, as ipvsadm means it.
    r.keys("Tt<Bs><Bs><Bs>600<Tab><Bs><Bs><Bs>0<Tab><Bs><Bs><Bs>60<Enter>");
    r.pump();
    assert_eq!(
        r.table.changes(),
        [Change::SetTimeouts(timeouts(600, 0, 60))]
    );
    assert!(
        r.monitor.edit.modal.is_none(),
        "the form closes once applied"
    );
    let first = r.screen().lines().next().unwrap().to_string();
    // The fake table takes 0 literally; the kernel leaves it as it is,
    // which the VM test judges.
    assert!(first.contains("timeouts 600/0/60"), "{first}");
    assert!(r.message().ends_with('✓'), "{}", r.message());
    r.keys("u");
    r.pump();
    assert_eq!(r.kernel_timeouts(), timeouts(900, 120, 300));
    assert!(r.message().starts_with("undone:"), "{}", r.message());
    let first = r.screen().lines().next().unwrap().to_string();
    assert!(first.contains("timeouts 900/120/300"), "{first}");
    let journal = crate::journal::Journal::read(r.editor.journal_path()).unwrap();
    assert_eq!(journal.len(), 2, "the change and its undo");
}

#[test]
fn the_kernels_refusal_shows_in_the_form_in_words() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    let refusal = Error::new(ErrorKind::Invalid, "the kernel refused the timeouts");
    r.table.fail(CallKind::Apply, Calls::Every, refusal);
    r.keys("Tt<Bs><Bs><Bs>600<Enter>");
    r.pump();
    let s = r.screen();
    assert!(matches!(r.monitor.edit.modal, Some(Modal::Form(_))), "{s}");
    assert!(s.contains("✗"), "{s}");
    assert!(s.contains("the kernel refused the timeouts"), "{s}");
    assert_eq!(r.kernel_timeouts(), timeouts(900, 120, 300));
}

#[test]
fn read_only_refuses_the_form_and_sends_nothing() {
    let mut r = Rig::new(Mode::ReadOnly, 120, 40);
    r.keys("Tt");
    assert!(r.monitor.edit.modal.is_none());
    assert_eq!(r.message(), READ_ONLY);
    assert!(r.monitor.take_requests().is_empty());
    assert_eq!(r.table.count(CallKind::Apply), 0);
}

#[test]
fn an_outside_change_shows_at_the_next_read() {
    let mut r = Rig::new(Mode::ReadWrite, 200, 60);
    r.table.inner().timeouts = timeouts(7200, 30, 15);
    r.poll();
    let first = r.screen().lines().next().unwrap().to_string();
    assert!(first.contains("timeouts 900/120/300"), "not yet: {first}");
    for _ in 0..5 {
        r.poll();
    }
    let first = r.screen().lines().next().unwrap().to_string();
    assert!(first.contains("timeouts 7200/30/15"), "within 5 s: {first}");
}
