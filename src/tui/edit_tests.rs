//! Editing from the keyboard, whole: the real key path, the real editing
//! state, the real editor and journal, against the demo director on a
//! manual clock, drawn on a TestBackend. The backend owner's work is done
//! in step here (`carry_out`, `journal_lines`, the poller) so every script
//! is deterministic; `owner_thread_*` runs the real thread.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::Monitor;
use crate::app::editing::{Modal, Mode, Reply, READ_ONLY};
use crate::app::table::Row;
use crate::app::{Action, App, AppConfig};
use crate::backend::{Backend, Reader, Writer};
use crate::canvas::{Chrome, TimeZone};
use crate::clock::Clock;
use crate::demo::DemoDirector;
use crate::edit::Editor;
use crate::journal::tests::Scratch;
use crate::journal::Journal;
use crate::model::{Change, Dest, DestKey, Forward, Protocol, ServiceKey, Snapshot};
use crate::poll::{carry_out, journal_lines, undo_next, Poller, Report};
use crate::testkit::{key_events, screen, CallKind, FakeBackend, ManualClock};

fn epoch() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_699_963_410)
}

pub(super) fn web() -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: "192.0.2.10".parse().unwrap(),
        port: 80,
    }
}

pub(super) fn web_rs(n: u8) -> DestKey {
    DestKey {
        addr: format!("10.10.1.{n}").parse().unwrap(),
        port: 8080,
    }
}

struct Rig {
    _scratch: Scratch,
    clock: Arc<ManualClock>,
    editor: Option<Editor<Box<dyn Backend>>>,
    /// Read-only rigs hold a reader only, as the read-only owner does.
    reader: Option<Box<dyn Reader>>,
    poller: Poller,
    monitor: Monitor,
    terminal: Terminal<TestBackend>,
    /// Requests carried out so far.
    carried: usize,
}

impl Rig {
    fn new(mode: Mode, width: u16, height: u16) -> Rig {
        let scratch = Scratch::new();
        let clock = Arc::new(ManualClock::new(epoch()));
        let mut demo = DemoDirector::new(7, clock.clone());
        demo.set_incidents(None);
        let backend: Box<dyn Backend> = Box::new(demo);
        let (editor, reader) = match mode {
            Mode::ReadWrite => (
                Some(Editor::new(
                    backend,
                    scratch.join("state/journal.jsonl"),
                    clock.clone(),
                    "demo",
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
            host: "demo director".into(),
            badges: match mode {
                Mode::ReadOnly => vec!["DEMO".into(), "READ-ONLY".into()],
                Mode::ReadWrite => vec!["DEMO".into()],
            },
            tz: TimeZone::Utc,
            palette: Default::default(),
        };
        let mut rig = Rig {
            _scratch: scratch,
            clock: clock.clone(),
            editor,
            reader,
            poller: Poller::new(),
            monitor: Monitor::new(app, chrome, mode).with_clock(clock.clone()),
            terminal: Terminal::new(TestBackend::new(width, height)).unwrap(),
            carried: 0,
        };
        rig.poll();
        rig.poll();
        rig
    }

    fn reader(&mut self) -> &mut dyn Reader {
        match (&mut self.editor, &mut self.reader) {
            (Some(e), _) => e.backend_mut(),
            (None, Some(r)) => r.as_mut(),
            _ => unreachable!(),
        }
    }

    fn poll(&mut self) {
        self.clock.advance(Duration::from_secs(1));
        let watched = self.monitor.app.watched();
        let clock = self.clock.clone();
        let mut poller = std::mem::take(&mut self.poller);
        let e = poller.poll(
            self.reader(),
            &watched,
            Duration::from_secs(1),
            clock.as_ref(),
        );
        self.poller = poller;
        self.monitor.report(Report::Poll(e));
        self.screen();
    }

    /// Does what the owner thread does: carries out every request (and the
    /// ones replies lead to), then polls.
    fn pump(&mut self) {
        loop {
            let requests = self.monitor.take_requests();
            if requests.is_empty() {
                break;
            }
            let editor = self
                .editor
                .as_mut()
                .expect("a read-only monitor made a request");
            for request in requests {
                let result = carry_out(editor, &request);
                self.carried += 1;
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

    /// Selects a service's row.
    fn select_service(&mut self, key: ServiceKey) {
        let app = &self.monitor.app;
        let i = app
            .view()
            .rows()
            .iter()
            .position(
                |r| matches!(r, Row::Service(s) if app.store().services()[*s].service().key == key),
            )
            .expect("service row");
        self.monitor.act(Action::Select(i));
    }

    /// Expands the service and selects the real server's row.
    fn select_dest(&mut self, service: ServiceKey, dest: DestKey) {
        self.select_service(service);
        if !self.monitor.app.view().is_expanded(&service) {
            self.monitor.act(Action::Toggle);
        }
        self.poll();
        let app = &self.monitor.app;
        let i = app
            .view()
            .rows()
            .iter()
            .position(|r| {
                matches!(r, Row::Dest(s, d) if app.store().services()[*s].service().key == service
                    && app.store().services()[*s].dests()[*d].dest().key() == dest)
            })
            .expect("real server row");
        self.monitor.act(Action::Select(i));
        self.screen();
    }

    fn table(&mut self) -> Snapshot {
        let mut s = self.reader().snapshot().unwrap();
        for e in &mut s.services {
            e.service.stats = Default::default();
            for d in &mut e.dests {
                d.stats = Default::default();
                d.active_conns = 0;
                d.inactive_conns = 0;
                d.persistent_conns = 0;
            }
        }
        s.services.sort_by_key(|e| format!("{:?}", e.service.key));
        s
    }

    fn dest(&mut self, service: ServiceKey, dest: DestKey) -> Option<Dest> {
        self.reader()
            .dests(&service)
            .ok()?
            .into_iter()
            .find(|d| d.key() == dest)
    }

    fn weight(&mut self, service: ServiceKey, dest: DestKey) -> u32 {
        self.dest(service, dest).expect("real server").weight
    }

    fn message(&self) -> String {
        self.monitor
            .status
            .message()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    }

    fn screen(&mut self) -> String {
        self.monitor.render(&mut self.terminal).unwrap();
        screen::text(self.terminal.backend().buffer())
    }

    fn journal(&self) -> Vec<crate::journal::Entry> {
        let e = self.editor.as_ref().unwrap();
        Journal::read(e.journal_path()).unwrap()
    }
}

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 60)];

/// The same script at every size, one snapshot each.
fn snapshot_all(name: &str, mode: Mode, script: impl Fn(&mut Rig)) {
    for (w, h) in SIZES {
        let mut rig = Rig::new(mode, w, h);
        script(&mut rig);
        // The journal names whoever runs the tests.
        let user = crate::journal::User::current()
            .name
            .unwrap_or_else(|| "?".into());
        let screen = rig.screen().replace(&format!("by {user}"), "by USER");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

// ---------------------------------------------------------------- weights

#[test]
fn weight_arrows_and_shift_apply_at_once() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.select_dest(web(), web_rs(14));
    assert_eq!(r.weight(web(), web_rs(14)), 50);
    // Tuning mode first: outside it the arrows only navigate.
    r.keys("<Enter><Right>");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(14)), 51);
    r.keys("<S-Right>");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(14)), 61);
    r.keys("<Left><S-Left>");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(14)), 50);
    let screen = r.screen();
    assert!(screen.contains("50✓"), "{screen}");
    // Each write journaled; undo takes back the last one.
    r.keys("u");
    r.pump();
    assert_eq!(r.message(), "undone: 10.10.1.14:8080 weight 50 → 60 ✓");
    assert_eq!(r.weight(web(), web_rs(14)), 60);
}

#[test]
fn two_hundred_presses_end_exactly_two_hundred_higher() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.select_dest(web(), web_rs(14));
    r.keys("<Enter>");
    // Presses arrive faster than writes complete: carry out one request
    // every few presses, like a busy owner thread.
    for i in 0..200 {
        r.keys("<Right>");
        if i % 7 == 0 {
            let reqs = r.monitor.take_requests();
            let editor = r.editor.as_mut().unwrap();
            for request in reqs {
                let result = carry_out(editor, &request);
                r.monitor.report(Report::Edit(Reply { request, result }));
            }
        }
    }
    r.pump();
    assert_eq!(r.weight(web(), web_rs(14)), 250);
    // Fewer writes than presses: coalesced.
    let writes = r.journal().len();
    assert!(writes < 200, "{writes} writes");
}

#[test]
fn weights_cap_at_65535() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.select_dest(web(), web_rs(14));
    r.keys("W<Bs><Bs>65530<Enter>");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(14)), 65530);
    r.keys("<Enter>");
    for _ in 0..3 {
        r.keys("<S-Right>");
        r.pump();
    }
    assert_eq!(r.weight(web(), web_rs(14)), 65535);
}

#[test]
fn exact_weight_refuses_bad_values_and_sends_nothing() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.select_dest(web(), web_rs(14));
    for bad in ["65536", "-1", "abc", "1.5", ""] {
        r.keys("W");
        for _ in 0..3 {
            r.keys("<Bs>");
        }
        r.keys(bad);
        r.keys("<Enter>");
        assert!(
            matches!(
                r.monitor.edit.modal,
                Some(Modal::Weight(ref w)) if w.error().is_some()
            ),
            "{bad}"
        );
        assert!(r.monitor.take_requests().is_empty(), "{bad}");
        r.keys("<Esc>");
    }
    r.keys("W<Bs><Bs>7<Enter>");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(14)), 7);
    r.keys("u");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(14)), 50);
}

#[test]
fn drain_and_restore_then_undo() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.select_dest(web(), web_rs(12));
    r.keys("x");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(12)), 0);
    r.keys("x");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(12)), 100);
    r.keys("x");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(12)), 0);
    r.keys("u");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(12)), 100);
    // A server lvstop did not drain has nothing to restore.
    r.select_dest(web(), web_rs(15));
    r.keys("x");
    r.pump();
    assert!(r.message().contains("no earlier weight"), "{}", r.message());
}

// ------------------------------------------------------------- scheduler

#[test]
fn scheduler_switch_from_the_picker_and_undo() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.select_service(web());
    r.keys("s");
    assert!(matches!(r.monitor.edit.modal, Some(Modal::Picker(_))));
    // wlc → lblc, one down.
    r.keys("<Down><Enter>");
    r.pump();
    let sched = |r: &mut Rig| {
        r.reader()
            .services()
            .unwrap()
            .into_iter()
            .find(|s| s.key == web())
            .unwrap()
            .scheduler
    };
    assert_eq!(sched(&mut r), "lblc");
    assert_eq!(r.message(), "TCP 192.0.2.10:80 scheduler wlc → lblc ✓");
    r.keys("u");
    r.pump();
    assert_eq!(sched(&mut r), "wlc");
}

// ------------------------------------------------------------------ forms

#[test]
fn add_service_through_the_form_then_delete_and_undo() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    let before = r.table();
    r.keys("A");
    // protocol: tcp → udp.
    r.keys("<Right><Tab>198.51.100.7<Tab>53<Tab><Right><Tab><Tab>30");
    let Some(Modal::Form(form)) = &r.monitor.edit.modal else {
        panic!()
    };
    assert!(form.is_valid(), "{form:?}");
    assert_eq!(
        form.command_line(),
        "ipvsadm -A -u 198.51.100.7:53 -s lblc -p 30"
    );
    r.keys("<Enter>");
    r.pump();
    assert!(r.monitor.edit.modal.is_none());
    let key = ServiceKey::Addr {
        protocol: Protocol::Udp,
        addr: "198.51.100.7".parse().unwrap(),
        port: 53,
    };
    // Add a real server to it.
    r.select_service(key);
    r.keys("a10.0.9.1<Tab><Tab><Right><Tab><Bs>5<Enter>");
    r.pump();
    let d = r
        .dest(
            key,
            DestKey {
                addr: "10.0.9.1".parse().unwrap(),
                port: 53,
            },
        )
        .expect("added");
    assert_eq!((d.forward, d.weight), (Forward::Masq, 5));
    // Delete the service: the confirmation counts what goes with it.
    r.select_service(key);
    r.keys("D");
    let screen = r.screen();
    assert!(
        screen.contains("With it go 1 real server and 0 active connections"),
        "{screen}"
    );
    r.keys("y");
    r.pump();
    assert!(r.reader().services().unwrap().iter().all(|s| s.key != key));
    // Undo brings it back with its real server.
    r.keys("u");
    r.pump();
    assert!(r
        .dest(
            key,
            DestKey {
                addr: "10.0.9.1".parse().unwrap(),
                port: 53
            }
        )
        .is_some());
    // Undoing the adds deletes: each asks first, naming what goes.
    r.keys("u");
    assert_eq!(r.monitor.take_requests(), []);
    let screen = r.screen();
    assert!(
        screen.contains("delete real server 10.0.9.1:53 of UDP 198.51.100.7:53"),
        "{screen}"
    );
    r.keys("y");
    r.pump();
    assert_eq!(
        r.message(),
        "undone: deleted 10.0.9.1:53 from UDP 198.51.100.7:53 ✓"
    );
    r.keys("u");
    assert!(r.screen().contains("delete service UDP 198.51.100.7:53"));
    r.keys("n");
    assert_eq!(r.monitor.take_requests(), []);
    r.keys("uy");
    r.pump();
    assert_eq!(r.table(), before);
}

#[test]
fn delete_real_server_confirmed_and_undone() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    let before = r.dest(web(), web_rs(13)).unwrap();
    r.select_dest(web(), web_rs(13));
    r.keys("d");
    assert!(r.screen().contains("Delete real server 10.10.1.13:8080"));
    r.keys("n");
    assert!(r.monitor.take_requests().is_empty());
    r.keys("dy");
    r.pump();
    assert!(r.dest(web(), web_rs(13)).is_none());
    r.keys("u");
    r.pump();
    let after = r.dest(web(), web_rs(13)).unwrap();
    assert_eq!(
        (after.weight, after.forward),
        (before.weight, before.forward)
    );
}

#[test]
fn edit_forms_keep_identity_and_send_the_rest() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.select_service(web());
    r.keys("E");
    // Identity fields do not take typing.
    r.keys("9");
    let Some(Modal::Form(form)) = &r.monitor.edit.modal else {
        panic!()
    };
    assert_eq!(form.get(crate::app::editing::FieldId::Protocol), "tcp");
    assert!(form
        .command_line()
        .starts_with("ipvsadm -E -t 192.0.2.10:80 -s wlc"));
    // Focus starts on the scheduler, the first field that can change;
    // to persistence past the flags.
    r.keys("<Tab><Tab>120<Enter>");
    r.pump();
    let s = r
        .reader()
        .services()
        .unwrap()
        .into_iter()
        .find(|s| s.key == web())
        .unwrap();
    assert_eq!(s.timeout, 120);
    r.select_dest(web(), web_rs(11));
    // Focus starts on forwarding; past the weight to the thresholds.
    r.keys("e<Tab><Tab>500<Tab>5<Enter>");
    r.pump();
    let d = r.dest(web(), web_rs(11)).unwrap();
    assert_eq!((d.upper_threshold, d.lower_threshold), (500, 5));
    r.keys("u");
    r.pump();
    let d = r.dest(web(), web_rs(11)).unwrap();
    assert_eq!((d.upper_threshold, d.lower_threshold), (0, 0));
}

#[test]
fn kernel_refusal_shows_in_the_form_which_keeps_what_was_typed() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.keys("A<Tab>192.0.2.10<Tab>80<Enter>");
    r.pump();
    let Some(Modal::Form(form)) = &r.monitor.edit.modal else {
        panic!("the form closed")
    };
    let refusal = form.refusal.clone().unwrap();
    assert!(refusal.contains("already exists"), "{refusal}");
    assert_eq!(
        form.get(crate::app::editing::FieldId::Address),
        "192.0.2.10"
    );
}

#[test]
fn invalid_forms_send_nothing() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.keys("A<Tab>300.1.1.1<Tab>80<Enter>");
    assert!(r.monitor.take_requests().is_empty());
    let Some(Modal::Form(form)) = &r.monitor.edit.modal else {
        panic!()
    };
    assert!(form
        .refusal
        .as_deref()
        .unwrap()
        .contains("nothing was sent"));
    // The form was changed: Esc asks before throwing the typing away.
    r.keys("<Esc>");
    assert!(r.screen().contains("Discard the changes to this form?"));
    r.keys("y");
    assert!(r.monitor.edit.modal.is_none());
    assert_eq!(r.carried, 0);
}

// ---------------------------------------------------------------- zeroing

#[test]
fn zero_one_service_and_all_after_confirmation() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    for _ in 0..3 {
        r.poll();
    }
    let conns = |r: &mut Rig, k: &ServiceKey| {
        r.reader()
            .services()
            .unwrap()
            .into_iter()
            .find(|s| s.key == *k)
            .unwrap()
            .stats
            .conns
    };
    assert!(conns(&mut r, &web()) > 0);
    r.select_service(web());
    r.keys("Zs");
    r.pump();
    assert!(conns(&mut r, &web()) < 2000, "zeroed");
    r.keys("Za");
    assert!(r.screen().contains("Zero the counters of all"));
    r.keys("y");
    r.pump();
    assert_eq!(
        r.journal().last().unwrap().record().change,
        Change::Zero(None)
    );
    r.keys("u");
    r.pump();
    assert!(r.message().contains("cannot"), "{}", r.message());
}

// ------------------------------------------------------------- read-only

#[test]
fn read_only_refuses_every_edit_key_and_sends_nothing() {
    let mut r = Rig::new(Mode::ReadOnly, 120, 40);
    let before = r.table();
    r.select_dest(web(), web_rs(14));
    for k in [
        "<Enter>", "w", "+", "-", "W", "x", "A", "a", "E", "e", "D", "d", "s", "Z", "u",
    ] {
        r.monitor.status.clear();
        r.keys(k);
        assert_eq!(r.message(), READ_ONLY, "{k}");
        assert!(r.monitor.edit.modal.is_none(), "{k}");
        assert!(r.monitor.take_requests().is_empty(), "{k}");
    }
    r.pump();
    assert_eq!(r.table(), before);
    assert!(r.screen().contains("read-only: started with --read-only"));
}

#[test]
fn unwritable_journal_refuses_changes_and_monitoring_goes_on() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    let scratch = Scratch::new();
    let blocked = scratch.join("file");
    std::fs::write(&blocked, "").unwrap();
    let clock = r.clock.clone();
    let backend = r.editor.take().unwrap().into_backend();
    r.editor = Some(Editor::new(
        backend,
        blocked.join("journal.jsonl"),
        clock,
        "demo",
        crate::output::rule,
    ));
    let why = r
        .editor
        .as_mut()
        .unwrap()
        .changes_disabled()
        .unwrap()
        .to_string();
    r.monitor.report(Report::Disabled(Some(why)));
    r.select_dest(web(), web_rs(14));
    r.keys("+");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(14)), 50);
    assert!(
        r.message().contains("changes are disabled"),
        "{}",
        r.message()
    );
    let screen = r.screen();
    assert!(
        screen.contains("⚠ changes are disabled: cannot write the journal"),
        "{screen}"
    );
    r.poll();
}

// -------------------------------------------------------------- snapshots

fn open_form(r: &mut Rig, keys: &str) {
    r.keys(keys);
}

#[test]
fn snapshots_add_service_form() {
    snapshot_all("form_add_service_empty", Mode::ReadWrite, |r| {
        open_form(r, "A")
    });
    snapshot_all("form_add_service_filled", Mode::ReadWrite, |r| {
        open_form(
            r,
            "A<Tab>198.51.100.7<Tab>443<Tab><Right><Tab><Tab>300<Tab>255.255.255.0",
        )
    });
    snapshot_all("form_add_service_error", Mode::ReadWrite, |r| {
        open_form(r, "A<Tab>198.51.100.777<Tab>0<Tab><Tab>mh-port")
    });
    snapshot_all("form_add_service_refused", Mode::ReadWrite, |r| {
        open_form(r, "A<Tab>192.0.2.10<Tab>80<Enter>");
        r.pump();
    });
    snapshot_all("form_add_service_fwmark_v6", Mode::ReadWrite, |r| {
        open_form(r, "A<Left><Tab><Right><Tab>42")
    });
}

#[test]
fn snapshots_form_esc_asks_before_discarding() {
    snapshot_all("form_discard_asks", Mode::ReadWrite, |r| {
        r.select_dest(web(), web_rs(14));
        open_form(r, "e<Tab><Bs><Bs>7<Esc>");
    });
}

#[test]
fn snapshots_edit_service_form() {
    snapshot_all("form_edit_service", Mode::ReadWrite, |r| {
        r.select_service(web());
        open_form(r, "E");
    });
    snapshot_all("form_edit_service_error", Mode::ReadWrite, |r| {
        r.select_service(web());
        open_form(r, "E<Tab>sh-port");
    });
    snapshot_all("form_edit_service_refused", Mode::ReadWrite, |r| {
        r.select_service(web());
        open_form(r, "E<Tab><Tab>60");
        // Another tool deletes the service meanwhile.
        r.editor
            .as_mut()
            .unwrap()
            .backend_mut()
            .apply(&Change::DeleteService(web()))
            .unwrap();
        r.keys("<Enter>");
        r.pump();
    });
}

#[test]
fn snapshots_real_server_forms() {
    snapshot_all("form_add_dest_empty", Mode::ReadWrite, |r| {
        r.select_service(web());
        open_form(r, "a");
    });
    snapshot_all("form_add_dest_filled_gue", Mode::ReadWrite, |r| {
        r.select_service(web());
        open_form(
            r,
            "a10.10.1.20<Tab>8080<Tab><Right><Right><Tab><Tab>1000<Tab>10<Tab><Right><Tab>6080<Tab><Right>",
        );
    });
    snapshot_all("form_add_dest_error", Mode::ReadWrite, |r| {
        r.select_service(web());
        open_form(r, "a10.10.1<Tab>x<Tab><Tab><Bs>70000<Tab><Bs>5<Tab><Bs>9");
    });
    snapshot_all("form_add_dest_refused", Mode::ReadWrite, |r| {
        r.select_service(web());
        open_form(r, "a10.10.1.11<Tab>8080<Tab><Right><Enter>");
        r.pump();
    });
    snapshot_all("form_edit_dest", Mode::ReadWrite, |r| {
        r.select_dest(web(), web_rs(14));
        open_form(r, "e");
    });
    snapshot_all("form_edit_dest_error", Mode::ReadWrite, |r| {
        r.select_dest(web(), web_rs(14));
        open_form(r, "e<Tab><Bs><Bs>abc");
    });
    snapshot_all("form_edit_dest_refused", Mode::ReadWrite, |r| {
        r.select_dest(web(), web_rs(14));
        open_form(r, "e<Tab><Bs><Bs>77");
        r.editor
            .as_mut()
            .unwrap()
            .backend_mut()
            .apply(&Change::DeleteDest {
                service: web(),
                dest: web_rs(14),
            })
            .unwrap();
        r.keys("<Enter>");
        r.pump();
    });
}

#[test]
fn snapshots_dialogs() {
    snapshot_all("scheduler_picker", Mode::ReadWrite, |r| {
        r.select_service(web());
        r.keys("s<Down>");
    });
    snapshot_all("confirm_delete_service", Mode::ReadWrite, |r| {
        r.select_service(web());
        r.keys("D");
    });
    snapshot_all("confirm_delete_dest", Mode::ReadWrite, |r| {
        r.select_dest(web(), web_rs(11));
        r.keys("d");
    });
    snapshot_all("zero_choice", Mode::ReadWrite, |r| {
        r.select_service(web());
        r.keys("Z");
    });
    snapshot_all("confirm_zero_all", Mode::ReadWrite, |r| {
        r.select_service(web());
        r.keys("Za");
    });
    snapshot_all("exact_weight", Mode::ReadWrite, |r| {
        r.select_dest(web(), web_rs(14));
        r.keys("W<Bs>x");
    });
}

#[test]
fn journal_pane_says_each_change_in_words_with_time_and_outcome() {
    let mut r = Rig::new(Mode::ReadWrite, 200, 60);
    r.select_dest(web(), web_rs(14));
    r.keys("W<Bs><Bs>51<Enter>");
    r.pump();
    r.select_service(web());
    r.keys("s<Down><Enter>");
    r.pump();
    r.keys("A<Tab>198.51.100.7<Tab>53<Enter>");
    r.pump();
    r.keys("A<Tab>192.0.2.10<Tab>80<Enter>");
    r.pump();
    r.keys("<Esc>y");
    // Undoing an add deletes: it asks first.
    r.keys("uy");
    r.pump();
    let lines = r.monitor.edit.journal.lines().to_vec();
    let want = [
        "applied  10.10.1.14:8080 weight 50 → 51  by ",
        "applied  TCP 192.0.2.10:80 scheduler wlc → lblc  by ",
        "applied  added service TCP 198.51.100.7:53  by ",
        "REFUSED  added service TCP 192.0.2.10:80: virtual service TCP 192.0.2.10:80 already exists  by ",
        "applied  deleted service TCP 198.51.100.7:53  (undo)  by ",
    ];
    assert_eq!(lines.len(), want.len(), "{lines:#?}");
    for (line, want) in lines.iter().zip(want) {
        // `HH:MM:SS ` first.
        assert_eq!(line.as_bytes()[2], b':', "{line}");
        assert!(line[9..].starts_with(want), "{line}\nwant {want}");
    }
}

#[test]
fn journal_pane_scrolls_and_an_empty_one_takes_one_line() {
    let mut r = Rig::new(Mode::ReadWrite, 80, 24);
    // The table and the sparkline pane share the room: the table takes
    // what its rows need, so the journal's line may come from either.
    let room = |r: &Rig| {
        let size = ratatui::layout::Rect::new(0, 0, 80, 24);
        let a = crate::canvas::areas(size, &r.monitor.app, &r.monitor.edit).unwrap();
        a.table.height + a.sparks.height
    };
    let before = room(&r);
    r.keys("J");
    assert!(r.screen().contains("journal: no changes yet"));
    assert_eq!(room(&r), before - 1, "one line");
    r.keys("J");
    r.select_dest(web(), web_rs(14));
    for w in 51..63 {
        r.keys(&format!("W<Bs><Bs>{w}<Enter>"));
        r.pump();
    }
    r.keys("J");
    let (first, last) = journal_position(&r.screen());
    assert_eq!(last, 12);
    let page = last - first + 1;
    assert!(page >= 3, "{page}");
    // In the pane (the status line ends with ✓ instead of the user).
    assert!(r.screen().contains("weight 61 → 62  by"));
    // The arrows scroll the pane, not the table.
    let selected = r.monitor.app.view().selected();
    r.keys("<Up><Up>");
    let screen = r.screen();
    assert_eq!(journal_position(&screen), (first - 2, 10), "{screen}");
    assert!(!screen.contains("weight 61 → 62  by"), "{screen}");
    assert_eq!(r.monitor.app.view().selected(), selected);
    r.keys("<PgUp>");
    assert_eq!(journal_position(&r.screen()), (1, page));
    r.keys("<PgDn><End>");
    assert_eq!(journal_position(&r.screen()), (first, 12));
    r.keys("<Esc>");
    assert!(!r.screen().contains("journal "));
    assert!(!r.monitor.edit.captures());
}

/// `(first, last)` of the journal pane's title `journal 5–12 of 12`.
fn journal_position(screen: &str) -> (usize, usize) {
    let at = screen.find("journal ").expect("the pane's title") + "journal ".len();
    let range = screen[at..].split(' ').next().unwrap();
    let (a, b) = range.split_once('–').expect("a range");
    (a.parse().unwrap(), b.parse().unwrap())
}

#[test]
fn snapshots_journal_pane_scrolled_and_empty() {
    snapshot_all("journal_pane_empty", Mode::ReadWrite, |r| {
        r.keys("J");
    });
    snapshot_all("journal_pane_scrolled", Mode::ReadWrite, |r| {
        r.select_dest(web(), web_rs(14));
        for w in 51..81 {
            r.keys(&format!("W<Bs><Bs>{w}<Enter>"));
            r.pump();
        }
        r.keys("J<PgUp><Up>");
    });
}

#[test]
fn snapshots_journal_pane_read_only_and_banner() {
    snapshot_all("journal_pane", Mode::ReadWrite, |r| {
        r.select_dest(web(), web_rs(14));
        r.keys("+");
        r.pump();
        r.keys("x");
        r.pump();
        r.keys("u");
        r.pump();
        r.keys("J");
    });
    snapshot_all("read_only_message", Mode::ReadOnly, |r| {
        r.select_dest(web(), web_rs(14));
        r.keys("w");
    });
    snapshot_all("keepalived_banner", Mode::ReadWrite, |r| {
        r.monitor
            .edit
            .banners
            .push(crate::app::editing::Banner::Keepalived);
        r.select_dest(web(), web_rs(14));
        r.keys("+");
        r.pump();
    });
}

// ------------------------------------------------------------ tuning mode

/// Every navigation key on every row of the demo's table, every service
/// expanded: not one request goes out.
#[test]
fn no_navigation_key_on_any_row_sends_a_change() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    let before = r.table();
    let services: Vec<ServiceKey> = r
        .monitor
        .app
        .store()
        .services()
        .iter()
        .map(|s| s.service().key)
        .collect();
    for s in services {
        r.select_service(s);
        if !r.monitor.app.view().is_expanded(&s) {
            r.monitor.act(Action::Toggle);
        }
    }
    r.poll();
    let rows = r.monitor.app.view().rows().len();
    assert!(rows > 30, "{rows} rows");
    let nav = [
        "<Up>",
        "<Down>",
        "k",
        "j",
        "<PgUp>",
        "<PgDn>",
        "<Home>",
        "<End>",
        "g",
        "G",
        "<Left>",
        "<Right>",
        "<S-Left>",
        "<S-Right>",
        "h",
        "l",
    ];
    for i in 0..rows {
        for k in nav {
            r.monitor.act(Action::Select(i));
            let real_server = matches!(r.monitor.app.view().selected_row(), Some(Row::Dest(..)));
            r.keys(k);
            assert!(
                r.monitor.take_requests().is_empty(),
                "{k} on row {i} sent a change"
            );
            assert!(r.monitor.edit.modal.is_none(), "{k} on row {i}");
            assert!(r.monitor.edit.tuning().is_none(), "{k} on row {i}");
            if real_server && k == "<Right>" {
                assert_eq!(r.monitor.app.view().selected(), i, "→ stays on row {i}");
            }
        }
        // Enter on a service only expands or collapses it.
        r.monitor.act(Action::Select(i));
        if matches!(r.monitor.app.view().selected_row(), Some(Row::Service(_))) {
            r.keys("<Enter>");
            assert!(r.monitor.take_requests().is_empty(), "Enter on row {i}");
            r.keys("<Enter>");
        }
    }
    r.pump();
    assert_eq!(r.table(), before);
    assert_eq!(r.carried, 0);
}

#[test]
fn tuning_mode_changes_the_weight_and_any_other_key_leaves_it() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.select_dest(web(), web_rs(14));
    // Outside tuning mode the arrows change nothing.
    r.keys("<Right><S-Right>");
    assert!(r.monitor.take_requests().is_empty());
    r.select_dest(web(), web_rs(14));
    r.keys("w");
    assert!(r.monitor.edit.tuning().is_some());
    assert!(r.screen().contains("TUNING → 10.10.1.14:8080"));
    r.keys("<Right><Right><S-Right>");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(14)), 62);
    assert_eq!(r.message(), "10.10.1.14:8080 weight 51 → 62 ✓");
    r.keys("<Left><S-Left>");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(14)), 51);
    // Polls re-sort the table (by active connections): the row stays
    // selected and the mode stays on.
    // (`o` leaves the mode like any other key; `w` enters it again.)
    r.keys("ooo");
    assert!(r.monitor.edit.tuning().is_none());
    r.keys("w");
    for _ in 0..5 {
        r.poll();
    }
    assert!(r.monitor.edit.tuning().is_some());
    r.keys("<Right>");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(14)), 52);
    // `0` drains; presses not yet sent do not land after it.
    r.keys("<Right>0");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(14)), 0);
    // Esc and Enter leave; so does ↑, which then moves.
    r.keys("<Esc>");
    assert!(r.monitor.edit.tuning().is_none());
    r.keys("<Enter>");
    assert!(r.monitor.edit.tuning().is_some());
    r.keys("<Enter>");
    assert!(r.monitor.edit.tuning().is_none());
    r.keys("<Enter>");
    let at = r.monitor.app.view().selected();
    r.keys("<Up>");
    assert!(r.monitor.edit.tuning().is_none());
    assert_eq!(r.monitor.app.view().selected(), at - 1);
    r.keys("<Right>");
    assert!(r.monitor.take_requests().is_empty());
    // + and - change it by one without the mode.
    r.select_dest(web(), web_rs(14));
    r.keys("++-+");
    r.pump();
    assert_eq!(r.weight(web(), web_rs(14)), 2);
    assert!(r.monitor.edit.tuning().is_none());
}

#[test]
fn tuning_ends_with_a_message_when_the_real_server_is_deleted_elsewhere() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.select_dest(web(), web_rs(13));
    r.keys("<Enter>");
    assert!(r.monitor.edit.tuning().is_some());
    r.editor
        .as_mut()
        .unwrap()
        .backend_mut()
        .apply(&Change::DeleteDest {
            service: web(),
            dest: web_rs(13),
        })
        .unwrap();
    r.poll();
    assert!(r.monitor.edit.tuning().is_none());
    assert_eq!(
        r.message(),
        "tuning ended: 10.10.1.13:8080 is gone from TCP 192.0.2.10:80"
    );
    r.keys("<Left><Right>");
    assert!(r.monitor.take_requests().is_empty());
}

#[test]
fn read_only_refuses_tuning_mode() {
    let mut r = Rig::new(Mode::ReadOnly, 120, 40);
    r.select_dest(web(), web_rs(14));
    for k in ["<Enter>", "w"] {
        r.monitor.status.clear();
        r.keys(k);
        assert_eq!(r.message(), READ_ONLY, "{k}");
        assert!(r.monitor.edit.tuning().is_none(), "{k}");
    }
}

#[test]
fn delete_keys_say_which_row_they_act_on() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.select_dest(web(), web_rs(13));
    r.keys("D");
    assert!(r.monitor.edit.modal.is_none());
    assert_eq!(
        r.message(),
        "10.10.1.13:8080 is a real server: d deletes it, D deletes services"
    );
    r.select_service(web());
    r.keys("d");
    assert!(r.monitor.edit.modal.is_none());
    assert_eq!(
        r.message(),
        "TCP 192.0.2.10:80 is a service: D deletes it, d a real server"
    );
    assert!(r.monitor.take_requests().is_empty());
}

#[test]
fn every_write_says_before_and_after() {
    let mut r = Rig::new(Mode::ReadWrite, 120, 40);
    r.select_dest(web(), web_rs(12));
    r.keys("x");
    r.pump();
    assert_eq!(
        r.message(),
        "10.10.1.12:8080 weight 100 → 0 ✓ (x again restores)"
    );
    r.keys("u");
    r.pump();
    assert_eq!(r.message(), "undone: 10.10.1.12:8080 weight 0 → 100 ✓");
    r.select_service(web());
    r.keys("a10.10.1.25<Tab><Tab><Right><Enter>");
    r.pump();
    assert_eq!(r.message(), "added 10.10.1.25:80 to TCP 192.0.2.10:80 ✓");
    r.select_dest(
        web(),
        DestKey {
            addr: "10.10.1.25".parse().unwrap(),
            port: 80,
        },
    );
    r.keys("dy");
    r.pump();
    assert_eq!(
        r.message(),
        "deleted 10.10.1.25:80 from TCP 192.0.2.10:80 ✓"
    );
    // Another tool deletes a real server: the write fails in words.
    r.select_dest(web(), web_rs(11));
    r.editor
        .as_mut()
        .unwrap()
        .backend_mut()
        .apply(&Change::DeleteDest {
            service: web(),
            dest: web_rs(11),
        })
        .unwrap();
    r.keys("+");
    r.pump();
    assert!(
        r.message().starts_with("✗ nothing was sent: "),
        "{}",
        r.message()
    );
    assert!(
        !r.message().contains("change "),
        "no journal id: {}",
        r.message()
    );
}

#[test]
fn snapshots_tuning_mode_delete_message_and_undo_confirmation() {
    snapshot_all("tuning_mode", Mode::ReadWrite, |r| {
        r.select_dest(web(), web_rs(14));
        r.keys("<Enter><Left>");
        r.pump();
    });
    snapshot_all("delete_service_on_real_server", Mode::ReadWrite, |r| {
        r.select_dest(web(), web_rs(13));
        r.keys("D");
    });
    snapshot_all("undo_confirmation", Mode::ReadWrite, |r| {
        r.select_service(web());
        r.keys("a10.10.1.25<Tab><Tab><Right><Enter>");
        r.pump();
        r.keys("u");
    });
}

/// The real owner thread and event loop: 200 presses of → on the demo,
/// read back from the table after quitting.
#[test]
fn owner_thread_coalesces_two_hundred_presses() {
    use super::{run_loop, Access, Input as InputSource, MonitorOptions};
    use std::time::Instant;

    // Each step waits for what it needs rather than for a wall-clock time,
    // so a loaded machine slows the test down instead of failing it.
    enum Gate {
        /// The table has been listed, and a second passed for its rows to
        /// be drawn (polls are 200 ms apart).
        Listed,
        /// This long after the previous step.
        After(Duration),
        /// The weight is 250 (or, so a lost press still fails, 30 s passed),
        /// and a second more, so presses counted twice would show too.
        Settled,
    }
    struct Script {
        last: Instant,
        settled: Option<Instant>,
        demo: FakeBackend<DemoDirector>,
        steps: Vec<(Gate, Input)>,
    }
    impl Script {
        fn ready(&mut self) -> bool {
            let Some((gate, _)) = self.steps.first() else {
                return false;
            };
            match gate {
                Gate::Listed => {
                    self.demo.count(CallKind::Services) >= 1
                        && self.last.elapsed() >= Duration::from_secs(1)
                }
                Gate::After(d) => self.last.elapsed() >= *d,
                Gate::Settled => {
                    let weight = self
                        .demo
                        .inner()
                        .dests(&web())
                        .unwrap()
                        .into_iter()
                        .find(|d| d.key() == web_rs(14))
                        .map(|d| d.weight);
                    if weight == Some(250) || self.last.elapsed() > Duration::from_secs(30) {
                        let at = *self.settled.get_or_insert_with(Instant::now);
                        at.elapsed() >= Duration::from_secs(1)
                    } else {
                        false
                    }
                }
            }
        }
    }
    impl InputSource for Script {
        fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Input>> {
            if self.ready() {
                self.last = Instant::now();
                return Ok(Some(self.steps.remove(0).1));
            }
            std::thread::sleep(timeout.min(Duration::from_millis(5)));
            Ok(None)
        }
    }
    let clock: Arc<dyn Clock> = Arc::new(crate::clock::SystemClock::new());
    let mut demo = DemoDirector::new(7, clock.clone());
    demo.set_incidents(None);
    // Shared, so the test can read the table afterwards.
    let demo = FakeBackend::new(demo);
    let scratch = Scratch::new();
    let editor = Editor::new(
        Box::new(demo.clone()) as Box<dyn Backend>,
        scratch.join("journal.jsonl"),
        clock.clone(),
        "demo",
        crate::output::rule,
    );
    // The web service is first in the demo's default order; expand it and
    // go down to its real server 10.10.1.14 (weight 50).
    let key = |c| Input::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let ms = Duration::from_millis;
    let mut steps = vec![];
    let first = DemoDirector::new(7, clock.clone()).services().unwrap()[0].key;
    assert_eq!(first, web(), "demo order changed");
    steps.push((Gate::Listed, key(KeyCode::Enter)));
    // Rows list real servers as ipvsadm does: .11 .12 .13 .14 .15.
    steps.push((Gate::After(ms(100)), key(KeyCode::Down)));
    for _ in 0..3 {
        steps.push((Gate::After(ms(0)), key(KeyCode::Down)));
    }
    // Tuning mode: the arrows change the weight, 200 presses 1 ms apart.
    steps.push((Gate::After(ms(50)), key(KeyCode::Enter)));
    for _ in 0..200 {
        steps.push((Gate::After(ms(1)), key(KeyCode::Right)));
    }
    steps.push((Gate::Settled, key(KeyCode::Char('q'))));
    let mut script = Script {
        last: Instant::now(),
        settled: None,
        demo: demo.clone(),
        steps,
    };
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let options = MonitorOptions {
        delay: Duration::from_millis(200),
        ..MonitorOptions::default()
    };
    run_loop(
        &mut terminal,
        &mut script,
        Access::ReadWrite(editor),
        &options,
        clock,
    )
    .unwrap();
    let w = demo
        .inner()
        .dests(&web())
        .unwrap()
        .into_iter()
        .find(|d| d.key() == web_rs(14))
        .unwrap()
        .weight;
    let text = screen::rows(terminal.backend().buffer()).join("\n");
    assert_eq!(w, 250, "{text}");
}
