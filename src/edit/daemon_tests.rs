//! Sync daemon changes through the editor: journaled with the running
//! daemons read before and after, undone with the configuration read
//! before (against the demo director, which fills in the kernel's
//! defaults and refuses as the kernel does).

use super::tests::bench;
use super::*;
use crate::backend::{ErrorKind, Reader, Writer};
use crate::journal::{Journal, Outcome, State};
use crate::model::{Change, Interface, SyncDaemon, SyncRole};

fn daemon(role: SyncRole, interface: &str) -> SyncDaemon {
    SyncDaemon::new(role, Interface::new(interface).unwrap())
}

#[test]
fn a_start_is_journaled_and_undone_by_a_stop() {
    let mut b = bench();
    let asked = SyncDaemon {
        sync_id: 3,
        ttl: Some(2),
        ..daemon(SyncRole::Backup, "eth0")
    };
    let applied = b.ed.apply(Change::StartDaemon(asked)).unwrap();
    assert_eq!(applied.before, State::Daemons { daemons: vec![] });
    let Some(State::Daemons { daemons }) = &applied.after else {
        panic!("{:?}", applied.after)
    };
    // The demo fills in the kernel's defaults, as the kernel reports them.
    assert_eq!(daemons[0].max_len, Some(1472));
    assert_eq!(daemons[0].ttl, Some(2));
    assert_eq!(
        words::done(&applied.change, &applied.before, applied.after.as_ref()),
        "started the backup sync daemon on eth0 (sync id 3, max length 1472, group 224.0.0.81, port 8848, TTL 2)"
    );
    let undone = b.ed.undo().unwrap();
    assert_eq!(
        undone.applied[0].change,
        Change::StopDaemon(SyncRole::Backup)
    );
    assert_eq!(b.ed.backend_mut().daemons().unwrap(), vec![]);
}

#[test]
fn a_stop_is_undone_by_the_daemon_it_stopped() {
    let mut b = bench();
    let asked = SyncDaemon {
        sync_id: 200,
        group: Some("239.0.0.9".parse().unwrap()),
        port: Some(9000),
        max_len: Some(1000),
        ..daemon(SyncRole::Master, "eth1")
    };
    b.ed.backend_mut()
        .apply(&Change::StartDaemon(asked))
        .unwrap();
    let running = b.ed.backend_mut().daemons().unwrap();
    let applied = b.ed.apply(Change::StopDaemon(SyncRole::Master)).unwrap();
    assert_eq!(
        applied.before,
        State::Daemons {
            daemons: running.clone()
        }
    );
    assert!(words::deletes(&applied.change));
    assert_eq!(
        words::done(&applied.change, &applied.before, None),
        "stopped the master sync daemon on eth1 (sync id 200, max length 1000, group 239.0.0.9, port 9000, TTL 1)"
    );
    let undone = b.ed.undo().unwrap();
    assert_eq!(
        undone.applied[0].change,
        Change::StartDaemon(running[0].clone())
    );
    assert_eq!(b.ed.backend_mut().daemons().unwrap(), running);
    let entries = Journal::read(b.ed.journal_path()).unwrap();
    assert!(entries.iter().all(|e| e.outcome() == Outcome::Applied));
}

#[test]
fn refusals_are_journaled_in_words_and_change_nothing() {
    let mut b = bench();
    let e =
        b.ed.apply(Change::StopDaemon(SyncRole::Backup))
            .unwrap_err();
    let Error::Refused(e) = e else { panic!("{e}") };
    assert_eq!(e.to_string(), "no backup sync daemon is running");
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let e =
        b.ed.apply(Change::StartDaemon(daemon(SyncRole::Master, "eth9")))
            .unwrap_err();
    assert!(e.to_string().contains("no interface eth9"), "{e}");
    b.ed.apply(Change::StartDaemon(daemon(SyncRole::Master, "lo")))
        .unwrap();
    let e =
        b.ed.apply(Change::StartDaemon(daemon(SyncRole::Master, "eth0")))
            .unwrap_err();
    assert!(e.to_string().contains("already running"), "{e}");
    let running = b.ed.backend_mut().daemons().unwrap();
    assert_eq!(running.len(), 1);
    assert_eq!(running[0].interface.as_str(), "lo");
    let entries = Journal::read(b.ed.journal_path()).unwrap();
    let refused = entries
        .iter()
        .filter(|e| matches!(e.outcome(), Outcome::Refused { .. }))
        .count();
    assert_eq!(refused, 3);
}

#[test]
fn a_stop_with_nothing_recorded_running_cannot_be_undone() {
    let before = State::Daemons { daemons: vec![] };
    let e = inverse(&Change::StopDaemon(SyncRole::Master), &before).unwrap_err();
    assert_eq!(e, "no master sync daemon was running to restart");
}
