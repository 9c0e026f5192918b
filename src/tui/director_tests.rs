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
use crate::backend::{Backend, Error, ErrorKind, Reader};
use crate::canvas::{Chrome, TimeZone};
use crate::clock::Clock;
use crate::conns::{Attribution, ConnEvent, Limits, Made, ReadStamp, Sampling, Summarizer};
use crate::edit::Editor;
use crate::journal::tests::Scratch;
use crate::model::{Change, Interface, Origin, SyncDaemon, SyncRole, Timeouts};
use crate::poll::{carry_out, journal_lines, undo_next, DirectorReads, Poller, Report};
use crate::testkit::{
    conn, key_events, screen, CallKind, Calls, FakeBackend, FakeTable, ManualClock,
};

fn epoch() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_699_963_410)
}

fn timeouts(tcp: u32, tcp_fin: u32, udp: u32) -> Timeouts {
    Timeouts { tcp, tcp_fin, udp }
}

/// The daemon every rig starts with: as a 6.x kernel reports one started
/// with `--start-daemon master --mcast-interface eth0 --syncid 1`.
fn master() -> SyncDaemon {
    SyncDaemon {
        role: SyncRole::Master,
        interface: Interface::new("eth0").unwrap(),
        sync_id: 1,
        max_len: Some(1472),
        group: Some("224.0.0.81".parse().unwrap()),
        port: Some(8848),
        ttl: Some(1),
    }
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
        fake.daemons = vec![master()];
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

    fn kernel_daemons(&self) -> Vec<SyncDaemon> {
        self.table.inner().daemons.clone()
    }

    fn header(&mut self) -> String {
        self.screen().lines().next().unwrap().to_string()
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
    assert!(
        first.contains("timeouts 900/120/300  sync: master eth0 id 1"),
        "{first}"
    );
    wide.table.inner().daemons.clear();
    for _ in 0..5 {
        wide.poll();
    }
    let first = wide.header();
    assert!(
        first.contains("timeouts 900/120/300  sync: none"),
        "{first}"
    );
}

#[test]
fn the_panel_shows_the_timeouts_and_its_keys() {
    snapshot_all("director_panel", |r| r.keys("T"));
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.keys("T");
    let s = r.screen();
    assert!(s.contains("tcp         900 s"), "{s}");
    assert!(
        s.contains("t set timeouts · s start a daemon · S stop one · u undo · T close"),
        "{s}"
    );
    // Every field of the daemon.
    assert!(
        s.contains("  master  eth0                  1       1472  224.0.0.81       8848   1"),
        "{s}"
    );
    r.keys("<Esc>");
    assert!(!r.screen().contains("Director"));
    // A backup daemon: where its synced entries are counted.
    r.table.inner().daemons.push(SyncDaemon {
        role: SyncRole::Backup,
        ..master()
    });
    r.reads.soon();
    r.poll();
    r.keys("T");
    let s = r.screen();
    assert!(s.contains("  backup  eth0"), "{s}");
    assert!(
        s.contains("synced by the backup: press T in the connections view (c) to count them"),
        "{s}"
    );
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
    r.table.inner().daemons.clear();
    for _ in 0..5 {
        r.poll();
    }
    let first = r.screen().lines().next().unwrap().to_string();
    assert!(first.contains("timeouts 7200/30/15"), "within 5 s: {first}");
    assert!(first.contains("sync: none"), "the master stopped: {first}");
}

#[test]
fn start_daemon_form_offers_ipvsadms_defaults_and_previews_every_option() {
    snapshot_all("director_start_daemon_form", |r| r.keys("Ts"));
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.keys("Ts");
    let s = r.screen();
    // The master runs: the form offers the backup.
    assert!(
        s.contains("ipvsadm --start-daemon backup --mcast-interface eth0 --syncid 0"),
        "{s}"
    );
    r.keys("<Tab><Bs><Bs><Bs><Bs>eth1<Tab><Bs>7<Tab>1400<Tab>239.1.1.1<Tab>8849<Tab>2");
    let Some(Modal::Form(form)) = &r.monitor.edit.modal else {
        panic!("the form closed: {}", r.screen());
    };
    assert_eq!(
        form.command_line(),
        "ipvsadm --start-daemon backup --mcast-interface eth1 --syncid 7 --sync-maxlen 1400 \
         --mcast-group 239.1.1.1 --mcast-port 8849 --mcast-ttl 2"
    );
}

#[test]
fn start_daemon_form_refuses_bad_values_and_sends_nothing() {
    let mut r = Rig::new(Mode::ReadWrite, 200, 60);
    // (field: tabs from the role, value typed after clearing, words shown)
    let cases = [
        (1, "", "required (ipvsadm's default: eth0)"),
        (1, "eth 0", "contains ' ', which no interface name can"),
        (1, "a234567890abcdef", "is 16 bytes long"),
        (2, "256", "a sync id from 0 to 255, not `256'"),
        (3, "0", "a length in bytes from 1 to 65507, not `0'"),
        (3, "65508", "a length in bytes from 1 to 65507, not `65508'"),
        (4, "192.0.2.1", "`192.0.2.1' is not a multicast address"),
        (4, "224.0.0", "not an IPv4 or IPv6 address: `224.0.0'"),
        (5, "0", "a port from 1 to 65535, not `0'"),
        (6, "256", "a TTL from 1 to 255, not `256'"),
    ];
    r.keys("T");
    for (tabs, bad, said) in cases {
        r.keys("s");
        for _ in 0..tabs {
            r.keys("<Tab>");
        }
        r.keys(&"<Bs>".repeat(8));
        r.keys(bad);
        r.keys("<Enter>");
        let s = r.screen();
        assert!(s.contains(said), "{bad:?}: {s}");
        assert!(s.contains("nothing was sent"), "{bad:?}: {s}");
        r.pump();
        r.keys("<Esc>y");
        assert!(r.monitor.edit.modal.is_none());
    }
    assert_eq!(r.table.count(CallKind::Apply), 0);
    assert_eq!(r.kernel_daemons(), [master()]);
}

#[test]
fn a_daemon_started_from_the_panel_shows_and_undo_stops_it() {
    let mut r = Rig::new(Mode::ReadWrite, 200, 60);
    r.keys("Ts<Tab><Bs><Bs><Bs><Bs>eth1<Tab><Bs>7<Enter>");
    r.pump();
    let backup = SyncDaemon {
        role: SyncRole::Backup,
        interface: Interface::new("eth1").unwrap(),
        sync_id: 7,
        max_len: None,
        group: None,
        port: None,
        ttl: None,
    };
    assert_eq!(r.table.changes(), [Change::StartDaemon(backup.clone())]);
    assert_eq!(r.kernel_daemons(), [master(), backup]);
    assert!(r.message().ends_with('✓'), "{}", r.message());
    let header = r.header();
    assert!(
        header.contains("sync: master eth0 id 1, backup eth1 id 7"),
        "{header}"
    );
    // Undoing a start stops a daemon: asked first, as every undo that
    // takes something away.
    r.keys("u");
    let s = r.screen();
    assert!(s.contains("stop the backup sync daemon"), "{s}");
    assert_eq!(r.kernel_daemons().len(), 2, "asked, not yet sent");
    r.keys("y");
    r.pump();
    assert_eq!(r.kernel_daemons(), [master()]);
    assert!(r.message().starts_with("undone:"), "{}", r.message());
    assert!(
        r.header().contains("sync: master eth0 id 1 "),
        "{}",
        r.header()
    );
}

#[test]
fn a_daemon_stopped_from_the_panel_comes_back_whole_with_undo() {
    let mut r = Rig::new(Mode::ReadWrite, 200, 60);
    r.keys("TS");
    assert!(r.screen().contains("ipvsadm --stop-daemon master"));
    r.keys("<Enter>");
    r.pump();
    assert_eq!(r.table.changes(), [Change::StopDaemon(SyncRole::Master)]);
    assert!(r.kernel_daemons().is_empty());
    assert!(r.header().contains("sync: none"), "{}", r.header());
    r.keys("u");
    r.pump();
    // Restarted as the kernel reported it: every option kept.
    assert_eq!(r.kernel_daemons(), [master()]);
    assert!(
        r.header().contains("sync: master eth0 id 1"),
        "{}",
        r.header()
    );
}

#[test]
fn stopping_a_daemon_that_does_not_run_is_refused_in_the_form() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.keys("TS<Right><Enter>");
    r.pump();
    assert!(matches!(r.monitor.edit.modal, Some(Modal::Form(_))));
    let s = r.screen();
    assert!(s.contains("✗"), "{s}");
    assert_eq!(r.kernel_daemons(), [master()]);
}

#[test]
fn read_only_refuses_the_daemon_forms() {
    let mut r = Rig::new(Mode::ReadOnly, 120, 40);
    for k in ["Ts", "TS", "Tu"] {
        r.keys(k);
        assert!(r.monitor.edit.modal.is_none(), "{k}");
        assert_eq!(r.message(), READ_ONLY, "{k}");
        r.keys("<Esc>");
    }
    assert!(r.monitor.take_requests().is_empty());
    assert_eq!(r.table.count(CallKind::Apply), 0);
}

#[test]
fn over_the_connections_view_the_panel_counts_what_the_backup_synced() {
    let mut r = Rig::new(Mode::ReadWrite, 200, 60);
    r.table.inner().daemons = vec![SyncDaemon {
        role: SyncRole::Backup,
        ..master()
    }];
    r.reads.soon();
    r.poll();
    r.keys("c");
    // The view's reading as the owner thread makes it: 5 entries, 3 synced.
    let scope = r.monitor.app.view().connections().unwrap().query().clone();
    let snapshot = r.table.inner().snapshot().unwrap();
    let mut s = Summarizer::new(
        Arc::new(Attribution::new(&snapshot)),
        scope,
        Limits::default(),
    );
    for k in 0..5u32 {
        let client = format!("203.0.113.{}:{}", k + 1, 40000 + k);
        let mut c = conn(
            "TCP",
            &client,
            "192.0.2.10:80",
            "10.1.0.1:80",
            "ESTABLISHED",
            800,
        );
        if k < 3 {
            c.origin = Some(Origin::Sync);
        }
        s.add(c);
    }
    let reading = s.finish(ReadStamp {
        sampling: Sampling::Exact,
        made: Made::OneGo,
        at: r.clock.now(),
        wall: r.clock.wall(),
        took: Duration::from_millis(1),
        read: 5,
        malformed: 0,
    });
    r.monitor
        .report(Report::Connections(ConnEvent::Reading(Arc::new(reading))));
    r.keys("T");
    let s = r.screen();
    assert!(
        s.contains("synced by the backup: 3 of 5 entries of TCP 192.0.2.10:80"),
        "{s}"
    );
    // Over the view its forms do not open: nothing there changes the table.
    assert!(s.contains("T close (the forms open over the table"), "{s}");
    r.keys("tsSu");
    assert!(r.monitor.edit.modal.is_none());
    assert!(r.monitor.take_requests().is_empty());
    // Esc closes the panel, not the view under it.
    r.keys("<Esc>");
    assert!(r.monitor.app.view().connections().is_some());
    assert!(!r.monitor.app.view().director_panel());
}
