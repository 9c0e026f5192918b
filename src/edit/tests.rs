//! The editor against the demo director (kernel-faithful refusals) with a
//! manual clock and a journal in a scratch directory.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::*;
use crate::backend::{self, wording, ErrorKind, Reader, Writer};
use crate::demo::DemoDirector;
use crate::journal::tests::Scratch;
use crate::journal::{Journal, Outcome, State};
use crate::model::{
    Change, Dest, DestKey, Forward, NudgeWrite, Protocol, Service, ServiceFlags, ServiceKey,
    Timeouts, MAX_WEIGHT,
};
use crate::testkit::{Call, CallKind, FakeBackend, ManualClock};

fn tcp(addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: addr.parse().unwrap(),
        port,
    }
}

pub(crate) fn vip() -> ServiceKey {
    tcp("192.0.2.1", 80)
}

pub(crate) fn rs(n: u8) -> DestKey {
    DestKey {
        addr: format!("10.0.0.{n}").parse().unwrap(),
        port: 80,
    }
}

/// Stands in for `output::command`, which another helper writes.
fn words(c: &Change) -> String {
    format!("ipvsadm-for {}", wording::subject(c))
}

const EPOCH: u64 = 1_700_000_000;

/// The editor over the demo director, and the journal lines on disk at
/// the moment each change reached the backend.
pub(crate) struct Bench {
    pub(crate) ed: Editor<FakeBackend<DemoDirector>>,
    path: PathBuf,
    lines_at_apply: Arc<Mutex<Vec<usize>>>,
    _scratch: Scratch,
}

/// One wrr service over 10.0.0.1-3 with weights 10, 20, 30 (the third
/// direct-routed with thresholds), set up without the journal.
pub(crate) fn bench() -> Bench {
    let scratch = Scratch::new();
    bench_at(scratch.join("state/lvstop/journal.jsonl"), scratch)
}

fn bench_at(path: PathBuf, scratch: Scratch) -> Bench {
    let clock = Arc::new(ManualClock::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(EPOCH),
    ));
    let mut d = DemoDirector::empty(3, clock.clone());
    d.set_incidents(None);
    d.apply(&Change::AddService(Service::new(vip(), "wrr")))
        .unwrap();
    for (n, w) in [(1u8, 10u32), (2, 20), (3, 30)] {
        let mut dest = Dest::new(rs(n).addr, 80);
        dest.weight = w;
        if n == 3 {
            dest.forward = Forward::Route;
            dest.upper_threshold = 500;
            dest.lower_threshold = 100;
        }
        d.apply(&Change::AddDest {
            service: vip(),
            dest,
        })
        .unwrap();
    }
    clock.advance(Duration::from_secs(5));
    let backend = FakeBackend::new(d);
    let lines_at_apply = Arc::new(Mutex::new(Vec::new()));
    let (seen, journal) = (lines_at_apply.clone(), path.clone());
    backend.before(CallKind::Apply, move |_, _| {
        let lines = fs::read_to_string(&journal)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        seen.lock().unwrap().push(lines);
    });
    Bench {
        ed: Editor::new(backend, &path, clock, "demo", words),
        path,
        lines_at_apply,
        _scratch: scratch,
    }
}

impl Bench {
    pub(crate) fn lines_at_apply(&self) -> Vec<usize> {
        self.lines_at_apply.lock().unwrap().clone()
    }

    fn dest(&mut self, n: u8) -> Option<Dest> {
        let dests = self.ed.backend_mut().dests(&vip()).ok()?;
        dests.into_iter().find(|d| d.key() == rs(n))
    }

    pub(crate) fn weight(&mut self, n: u8) -> u32 {
        self.dest(n).expect("real server exists").weight
    }

    fn lines(&self) -> Vec<Value> {
        fs::read_to_string(&self.path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The table's configuration, without counters and connection counts.
    fn config(&mut self) -> Vec<(Service, Vec<Dest>)> {
        let snap = self.ed.backend_mut().snapshot().unwrap();
        snap.services
            .into_iter()
            .map(|e| {
                let dests = e.dests.iter().map(restorable_dest).collect();
                (restorable_service(&e.service), dests)
            })
            .collect()
    }
}

fn edit_weight(service: ServiceKey, mut dest: Dest, weight: u32) -> Change {
    dest.weight = weight;
    Change::EditDest {
        service,
        dest: restorable_dest(&dest),
    }
}

// ---- journal ----------------------------------------------------------

#[test]
fn applied_change_is_journaled_intent_first_then_result() {
    let mut b = bench();
    let d1 = b.dest(1).unwrap();
    let applied = b.ed.apply(edit_weight(vip(), d1.clone(), 15)).unwrap();
    assert_eq!(b.weight(1), 15);

    // The intent was on disk when the change reached the backend.
    assert_eq!(b.lines_at_apply(), vec![1]);
    let meta = fs::metadata(&b.path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);

    let lines = b.lines();
    assert_eq!(lines.len(), 2);
    let (intent, result) = (&lines[0], &lines[1]);
    assert_eq!(intent["record"], "intent");
    assert_eq!(result["record"], "result");
    assert_eq!(intent["id"], applied.id.as_str());
    assert_eq!(result["id"], applied.id.as_str());
    for r in [intent, result] {
        assert_eq!(r["time"], "2023-11-14T22:13:25.000Z");
        assert_eq!(r["unix"], EPOCH + 5);
        assert_eq!(r["namespace"], "demo");
        assert_eq!(r["user"]["uid"], unsafe { libc::getuid() });
        assert_eq!(r["change"]["op"], "edit_dest");
        assert_eq!(r["change"]["dest"]["weight"], 15);
        assert_eq!(
            r["ipvsadm"],
            "ipvsadm-for real server 10.0.0.1:80 of TCP 192.0.2.1:80"
        );
        assert_eq!(r["before"]["kind"], "dest");
        assert_eq!(r["before"]["dest"]["weight"], 10);
        assert_eq!(r["undo_of"], Value::Null);
    }
    assert_eq!(intent["after"], Value::Null);
    assert_eq!(intent["answer"], Value::Null);
    assert_eq!(result["answer"], "ok");
    assert_eq!(result["after"]["dest"]["weight"], 15);

    let entries = Journal::read(&b.path).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].outcome(), Outcome::Applied);
    // What was read back is what the journal kept.
    assert_eq!(entries[0].record().after, applied.after);
    assert!(matches!(&applied.after, Some(State::Dest { dest, .. }) if dest.weight == 15));
}

#[test]
fn refused_change_is_journaled_with_the_kernels_words() {
    let mut b = bench();
    let err =
        b.ed.apply(Change::AddService(Service::new(vip(), "rr")))
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "virtual service TCP 192.0.2.1:80 already exists"
    );
    assert_eq!(err.backend_error().unwrap().kind(), ErrorKind::Exists);
    let lines = b.lines();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["record"], "intent");
    assert_eq!(lines[0]["before"]["kind"], "service");
    assert_eq!(lines[0]["before"]["dests"].as_array().unwrap().len(), 3);
    assert_eq!(
        lines[1]["answer"]["refused"]["message"],
        "virtual service TCP 192.0.2.1:80 already exists"
    );
    assert_eq!(lines[1]["answer"]["refused"]["errno"], libc::EEXIST);
    assert_eq!(lines[1]["after"], Value::Null);
    assert!(matches!(
        Journal::read(&b.path).unwrap()[0].outcome(),
        Outcome::Refused {
            errno: Some(libc::EEXIST),
            ..
        }
    ));
    // A refusal changed nothing, so there is nothing to undo.
    assert!(b.ed.undo_stack().is_empty());
}

#[test]
fn a_change_cut_off_by_a_crash_reads_as_may_have_been_applied() {
    let mut b = bench();
    // lvstop dies like `kill -9` while the change is in flight.
    b.ed.backend().before(CallKind::Apply, |_, _| {
        panic!("lvstop killed while the change was in flight")
    });
    let d1 = b.dest(1).unwrap();
    let died = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        b.ed.apply(edit_weight(vip(), d1, 11))
    }));
    assert!(died.is_err());
    let entries = Journal::read(&b.path).unwrap();
    assert_eq!(entries.len(), 1);
    assert!(entries[0].intent.is_some() && entries[0].result.is_none());
    assert_eq!(entries[0].outcome(), Outcome::MayHaveBeenApplied);
    assert_eq!(entries[0].record().change, {
        let mut d = Dest::new(rs(1).addr, 80);
        d.weight = 11;
        Change::EditDest {
            service: vip(),
            dest: d,
        }
    });
}

#[test]
fn unwritable_journal_refuses_changes_and_sends_nothing() {
    let scratch = Scratch::new();
    // A regular file where the journal's directory should be.
    fs::write(scratch.join("state"), b"").unwrap();
    let path = scratch.join("state/lvstop/journal.jsonl");
    let mut b = bench_at(path.clone(), scratch);
    let before = b.config();

    let expected = format!(
        "changes are disabled: cannot write the journal at {}: not a directory",
        path.display()
    );
    assert_eq!(b.ed.changes_disabled().unwrap().to_string(), expected);
    let d1 = b.dest(1).unwrap();
    let e = b.ed.apply(edit_weight(vip(), d1, 99)).unwrap_err();
    assert_eq!(e.to_string(), expected);
    assert!(matches!(e, Error::Disabled(_)));
    let e = b.ed.set_weight(&vip(), &rs(2), |w| w + 1).unwrap_err();
    assert_eq!(e.to_string(), expected);
    assert!(b.ed.toggle_drain(&vip(), &rs(3)).is_err());
    assert!(b.lines_at_apply().is_empty(), "nothing sent");
    // Monitoring is unaffected.
    assert_eq!(b.config(), before);

    // Fixed underneath: the next change reopens the journal.
    fs::remove_file(b._scratch.join("state")).unwrap();
    assert!(b.ed.changes_disabled().is_none());
    b.ed.set_weight(&vip(), &rs(2), |w| w + 1).unwrap();
    assert_eq!(b.weight(2), 21);
}

#[test]
fn a_journal_others_can_write_disables_changes() {
    let scratch = Scratch::new();
    let path = scratch.join("journal.jsonl");
    fs::write(&path, b"").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
    let mut b = bench_at(path.clone(), scratch);
    let e = b.ed.set_weight(&vip(), &rs(1), |w| w + 1).unwrap_err();
    assert!(
        e.to_string().starts_with(&format!(
            "changes are disabled: cannot write the journal at {}: it is writable by group or others",
            path.display()
        )),
        "{e}"
    );
    assert!(b.lines_at_apply().is_empty());
    assert_eq!(b.weight(1), 10);
}

// ---- read-modify-write ----------------------------------------------------

#[test]
fn weight_changes_keep_what_another_tool_changed_in_between() {
    let mut b = bench();
    b.ed.set_weight(&vip(), &rs(1), |w| w + 1).unwrap();
    // Another tool (ipvsadm -e) sets thresholds and direct routing.
    let mut other = b.dest(1).unwrap();
    other.upper_threshold = 900;
    other.lower_threshold = 300;
    other.forward = Forward::Route;
    b.ed.backend()
        .inner()
        .apply(&Change::EditDest {
            service: vip(),
            dest: restorable_dest(&other),
        })
        .unwrap();
    b.ed.set_weight(&vip(), &rs(1), |w| w + 1).unwrap();
    let d = b.dest(1).unwrap();
    assert_eq!(d.weight, 12);
    assert_eq!((d.upper_threshold, d.lower_threshold), (900, 300));
    assert_eq!(d.forward, Forward::Route);
}

#[test]
fn weights_are_clamped_to_ipvsadm_range() {
    let mut b = bench();
    b.ed.set_weight(&vip(), &rs(1), |_| 1_000_000).unwrap();
    assert_eq!(b.weight(1), MAX_WEIGHT);
    let w = NudgeWrite {
        service: vip(),
        dest: rs(2),
        delta: -1000,
    };
    b.ed.nudge(&w).unwrap();
    assert_eq!(b.weight(2), 0);
}

#[test]
fn weight_of_a_missing_real_server_sends_nothing() {
    let mut b = bench();
    let e = b.ed.set_weight(&vip(), &rs(9), |w| w + 1).unwrap_err();
    assert_eq!(
        e.to_string(),
        "nothing was sent: real server 10.0.0.9:80 of TCP 192.0.2.1:80 does not exist"
    );
    assert!(b.lines_at_apply().is_empty());
    assert!(b.lines().is_empty());
}

// ---- drain ----------------------------------------------------------------

#[test]
fn drain_remembers_and_restores_the_weight() {
    let mut b = bench();
    b.ed.toggle_drain(&vip(), &rs(2)).unwrap();
    assert_eq!(b.weight(2), 0);
    assert_eq!(b.ed.drained_weight(&vip(), &rs(2)), Some(20));
    b.ed.toggle_drain(&vip(), &rs(2)).unwrap();
    assert_eq!(b.weight(2), 20);
    assert_eq!(b.ed.drained_weight(&vip(), &rs(2)), None);
    // Thresholds and forwarding ride through.
    b.ed.toggle_drain(&vip(), &rs(3)).unwrap();
    b.ed.toggle_drain(&vip(), &rs(3)).unwrap();
    let d3 = b.dest(3).unwrap();
    assert_eq!(
        (d3.weight, d3.upper_threshold, d3.lower_threshold),
        (30, 500, 100)
    );
    assert_eq!(d3.forward, Forward::Route);

    // Weight 0 set by someone else: nothing to restore, nothing sent.
    b.ed.set_weight(&vip(), &rs(1), |_| 0).unwrap();
    let sent = b.lines_at_apply().len();
    let e = b.ed.toggle_drain(&vip(), &rs(1)).unwrap_err();
    assert!(matches!(e, Error::NothingToRestore { .. }));
    assert_eq!(
        e.to_string(),
        "real server 10.0.0.1:80 of TCP 192.0.2.1:80 already has weight 0 and lvstop did not drain it: no earlier weight to restore"
    );
    assert_eq!(b.lines_at_apply().len(), sent);
}

// ---- undo -----------------------------------------------------------------

#[test]
fn undo_of_every_change_kind_puts_the_table_back() {
    let mut b = bench();
    let other = tcp("192.0.2.9", 443);
    let mut d4 = Dest::new("10.0.0.4".parse().unwrap(), 80);
    d4.weight = 4;
    let mut persistent = Service::new(vip(), "wlc");
    persistent.flags = ServiceFlags(ServiceFlags::PERSISTENT);
    persistent.timeout = 300;
    let d2 = b.dest(2).unwrap();

    let changes = [
        Change::AddService(Service::new(other, "rr")),
        Change::EditService(persistent),
        Change::DeleteService(vip()),
        Change::AddDest {
            service: vip(),
            dest: d4,
        },
        edit_weight(vip(), d2, 77),
        Change::DeleteDest {
            service: vip(),
            dest: rs(3),
        },
        Change::SetTimeouts(Timeouts {
            tcp: 7,
            tcp_fin: 8,
            udp: 9,
        }),
        Change::Flush,
    ];
    for change in changes {
        let table = b.config();
        let timeouts = b.ed.backend_mut().timeouts().unwrap();
        let applied = b.ed.apply(change.clone()).unwrap();
        assert!(
            b.config() != table || b.ed.backend_mut().timeouts().unwrap() != timeouts,
            "{change:?} changed nothing"
        );
        let undone = b.ed.undo().unwrap();
        assert_eq!(undone.of, applied.id);
        assert!(undone
            .applied
            .iter()
            .all(|a| a.undo_of.as_deref() == Some(applied.id.as_str())));
        assert_eq!(b.config(), table, "undo of {change:?}");
        assert_eq!(b.ed.backend_mut().timeouts().unwrap(), timeouts);
        assert!(b.ed.undo_stack().is_empty(), "undo is not itself undoable");
    }
    // The journal marks every undo command with the id it undid.
    let entries = Journal::read(&b.path).unwrap();
    assert!(entries.iter().all(|e| e.outcome() == Outcome::Applied));
    let undos = entries
        .iter()
        .filter(|e| e.record().undo_of.is_some())
        .count();
    // DeleteService and Flush each restored a service and its 3 real servers.
    assert_eq!(undos, 1 + 1 + 4 + 1 + 1 + 1 + 1 + 4);
}

#[test]
fn a_deleted_service_comes_back_with_all_its_real_servers_and_weights() {
    let mut b = bench();
    let table = b.config();
    b.ed.apply(Change::DeleteService(vip())).unwrap();
    assert!(b.config().is_empty());
    let undone = b.ed.undo().unwrap();
    assert_eq!(undone.applied.len(), 4);
    assert!(matches!(undone.applied[0].change, Change::AddService(_)));
    assert_eq!(b.config(), table);
    let weights: Vec<u32> = (1..=3).map(|n| b.weight(n)).collect();
    assert_eq!(weights, vec![10, 20, 30]);
    let d3 = b.dest(3).unwrap();
    assert_eq!((d3.upper_threshold, d3.lower_threshold), (500, 100));
}

#[test]
fn undo_restores_the_whole_earlier_real_server() {
    // Documented choice: the inverse of a weight change is the real server
    // as it was, so a threshold another tool set since is undone as well.
    let mut b = bench();
    b.ed.set_weight(&vip(), &rs(3), |_| 1).unwrap();
    let mut other = b.dest(3).unwrap();
    other.upper_threshold = 999;
    b.ed.backend()
        .inner()
        .apply(&Change::EditDest {
            service: vip(),
            dest: restorable_dest(&other),
        })
        .unwrap();
    b.ed.undo().unwrap();
    let d3 = b.dest(3).unwrap();
    assert_eq!((d3.weight, d3.upper_threshold), (30, 500));
}

#[test]
fn undo_stack_is_last_in_first_out() {
    let mut b = bench();
    let mut d4 = Dest::new("10.0.0.4".parse().unwrap(), 80);
    d4.weight = 5;
    b.ed.apply(Change::AddDest {
        service: vip(),
        dest: d4,
    })
    .unwrap();
    b.ed.set_weight(&vip(), &rs(4), |_| 7).unwrap();
    b.ed.set_weight(&vip(), &rs(4), |_| 9).unwrap();
    b.ed.apply(Change::Zero(Some(vip()))).unwrap();
    assert_eq!(b.ed.undo_stack().len(), 4);

    let e = b.ed.undo().unwrap_err();
    assert!(matches!(e, Error::NotUndoable { .. }));
    assert!(e.to_string().ends_with("counters cannot come back"), "{e}");
    b.ed.undo().unwrap();
    assert_eq!(b.weight(4), 7);
    b.ed.undo().unwrap();
    assert_eq!(b.weight(4), 5);
    b.ed.undo().unwrap();
    assert!(b.dest(4).is_none());
    assert!(matches!(b.ed.undo(), Err(Error::NothingToUndo)));
}

#[test]
fn an_undo_stopped_part_way_says_exactly_what_was_restored() {
    let mut b = bench();
    b.ed.apply(Change::DeleteService(vip())).unwrap();
    // Another tool races the undo: it adds 10.0.0.2 right after the
    // service comes back, so restoring 10.0.0.2 is refused (EEXIST).
    let mut racer = Dest::new(rs(2).addr, 80);
    racer.weight = 1;
    b.ed.backend().before(CallKind::Apply, move |d, call| {
        if matches!(call, Call::Apply(Change::AddDest { dest, .. }) if dest.key() == racer.key()) {
            d.apply(&Change::AddDest {
                service: vip(),
                dest: racer.clone(),
            })
            .unwrap();
        }
    });
    let e = b.ed.undo().unwrap_err();
    let Error::UndoStopped {
        restored,
        failed,
        not_attempted,
        error,
        ..
    } = &e
    else {
        panic!("{e:?}");
    };
    assert_eq!(
        restored,
        &vec![
            "ipvsadm-for virtual service TCP 192.0.2.1:80".to_string(),
            "ipvsadm-for real server 10.0.0.1:80 of TCP 192.0.2.1:80".to_string(),
        ]
    );
    assert_eq!(
        failed,
        "ipvsadm-for real server 10.0.0.2:80 of TCP 192.0.2.1:80"
    );
    assert_eq!(
        not_attempted,
        &vec!["ipvsadm-for real server 10.0.0.3:80 of TCP 192.0.2.1:80".to_string()]
    );
    assert_eq!(error.backend_error().unwrap().kind(), ErrorKind::Exists);
    assert!(
        e.to_string().starts_with("undo of change ")
            && e.to_string().contains("stopped after 2 of 4 commands"),
        "{e}"
    );
    // Partly done: it does not stay on the stack to be replayed.
    assert!(b.ed.undo_stack().is_empty());
}

#[test]
fn an_undo_refused_at_once_stays_on_the_stack() {
    let mut b = bench();
    b.ed.apply(Change::DeleteService(vip())).unwrap();
    b.ed.backend()
        .inner()
        .apply(&Change::AddService(Service::new(vip(), "rr")))
        .unwrap();
    let e = b.ed.undo().unwrap_err();
    assert!(matches!(&e, Error::UndoStopped { restored, .. } if restored.is_empty()));
    assert_eq!(b.ed.undo_stack().len(), 1);
    b.ed.backend()
        .inner()
        .apply(&Change::DeleteService(vip()))
        .unwrap();
    assert_eq!(b.ed.undo().unwrap().applied.len(), 4);
}

// ---- keepalived -------------------------------------------------------------

#[test]
fn keepalived_is_found_by_its_comm() {
    let s = Scratch::new();
    let proc_dir = s.join("proc");
    let put = |pid: &str, comm: &str| {
        fs::create_dir_all(proc_dir.join(pid)).unwrap();
        fs::write(proc_dir.join(pid).join("comm"), comm).unwrap();
    };
    put("1", "systemd\n");
    put("self", "keepalived\n"); // not a pid directory
    put("77", "keepalived-x\n");
    assert!(!keepalived_running_in(&proc_dir));
    put("4242", "keepalived\n");
    assert!(keepalived_running_in(&proc_dir));
    assert!(!keepalived_running_in(Path::new("/nonexistent/proc")));
}

#[test]
fn a_boxed_backend_chosen_at_run_time_can_be_edited() {
    let s = Scratch::new();
    let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    let backend: Box<dyn backend::Backend> = Box::new(DemoDirector::new(1, clock.clone()));
    let mut ed = Editor::new(backend, s.join("j.jsonl"), clock, "demo", words);
    let first = ed.backend_mut().services().unwrap()[0].key;
    ed.apply(Change::Zero(Some(first))).unwrap();
    assert_eq!(Journal::read(&s.join("j.jsonl")).unwrap().len(), 1);
}
