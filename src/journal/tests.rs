//! The journal file: creation, refusal, pairing, crash tolerance.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use super::*;
use crate::model::{Change, Protocol, Service, ServiceKey};

/// A fresh directory under the system temp dir, removed when dropped.
pub(crate) struct Scratch(pub PathBuf);

impl Scratch {
    pub(crate) fn new() -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "lvstop-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub(crate) fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn record(id: &str, stage: Stage, answer: Option<Answer>) -> Record {
    let key = ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: "192.0.2.1".parse().unwrap(),
        port: 80,
    };
    Record {
        record: stage,
        id: id.to_string(),
        time: "2023-11-14T22:13:20.000Z".into(),
        unix: 1_700_000_000,
        user: User {
            uid: 0,
            name: Some("root".into()),
        },
        namespace: "demo".into(),
        change: Change::AddService(Service::new(key, "wlc")),
        ipvsadm: "-A -t 192.0.2.1:80 -s wlc".into(),
        before: State::Absent,
        after: None,
        answer,
        undo_of: None,
        requested_by: None,
    }
}

#[test]
fn creates_private_file_and_directories() {
    let s = Scratch::new();
    let path = s.join("state/lvstop/journal.jsonl");
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.path(), path);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&s.join("state/lvstop")), 0o700);
    assert_eq!(mode(&s.join("state")), 0o700);
}

#[test]
fn refuses_group_writable_and_non_regular_journals() {
    let s = Scratch::new();
    let path = s.join("journal.jsonl");
    fs::write(&path, b"").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o620)).unwrap();
    let e = Journal::open(&path).unwrap_err();
    assert!(
        e.to_string().starts_with(&format!(
            "cannot write the journal at {}: it is writable by group or others (mode 620)",
            path.display()
        )),
        "{e}"
    );
    fs::set_permissions(&path, fs::Permissions::from_mode(0o604)).unwrap();
    assert!(
        Journal::open(&path).is_ok(),
        "readable by others is allowed"
    );

    let dir = s.join("adir");
    fs::create_dir(&dir).unwrap();
    let e = Journal::open(&dir).unwrap_err();
    assert_eq!(e.reason, "is a directory");

    // Opened write-only, /dev/null is a character device, not a journal.
    let e = Journal::open(Path::new("/dev/null")).unwrap_err();
    assert_eq!(e.reason, "it is not a regular file");
}

#[test]
fn unusable_parent_is_reported_in_the_c_library_words() {
    let s = Scratch::new();
    fs::write(s.join("file"), b"x").unwrap();
    let path = s.join("file/sub/journal.jsonl");
    let e = Journal::open(&path).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "cannot write the journal at {}: not a directory",
            path.display()
        )
    );
    // Root ignores permission bits, so EACCES is checked through the wording.
    assert_eq!(
        io_reason(&io::Error::from_raw_os_error(libc::EACCES)),
        "permission denied"
    );
}

#[test]
fn appended_records_pair_up_and_intent_alone_may_have_been_applied() {
    let s = Scratch::new();
    let path = s.join("j.jsonl");
    let mut j = Journal::open(&path).unwrap();
    let (a, b, c) = (j.next_id(), j.next_id(), j.next_id());
    assert!(a != b && b != c);
    j.append(&record(&a, Stage::Intent, None)).unwrap();
    j.append(&record(&a, Stage::Result, Some(Answer::Ok)))
        .unwrap();
    j.append(&record(&b, Stage::Intent, None)).unwrap();
    let refused = Answer::Refused {
        message: "virtual service TCP 192.0.2.1:80 already exists".into(),
        errno: Some(libc::EEXIST),
    };
    j.append(&record(&b, Stage::Result, Some(refused))).unwrap();
    j.append(&record(&c, Stage::Intent, None)).unwrap();

    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 5);
    assert!(text.contains(r#""answer":"ok""#), "{text}");
    assert!(text.contains(r#""errno":17"#), "{text}");

    let entries = Journal::read(&path).unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].id, a);
    assert_eq!(entries[0].outcome(), Outcome::Applied);
    assert!(matches!(
        entries[1].outcome(),
        Outcome::Refused {
            errno: Some(17),
            ..
        }
    ));
    assert_eq!(entries[2].outcome(), Outcome::MayHaveBeenApplied);
    assert!(entries[2].result.is_none());
    assert!(entries[2]
        .outcome()
        .to_string()
        .starts_with("may have been applied"));
}

#[test]
fn torn_last_line_is_skipped_and_the_next_session_starts_fresh() {
    let s = Scratch::new();
    let path = s.join("j.jsonl");
    let mut j = Journal::open(&path).unwrap();
    let a = j.next_id();
    j.append(&record(&a, Stage::Intent, None)).unwrap();
    drop(j);
    // A crash halfway through writing the result line.
    let full = serde_json::to_string(&record(&a, Stage::Result, Some(Answer::Ok))).unwrap();
    let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
    io::Write::write_all(&mut f, &full.as_bytes()[..full.len() / 2]).unwrap();
    drop(f);

    let back = Journal::read_all(&path).unwrap();
    assert_eq!(back.entries.len(), 1);
    assert_eq!(back.entries[0].outcome(), Outcome::MayHaveBeenApplied);
    assert_eq!(back.damaged_lines, vec![2]);

    // The next session's records are not glued onto the torn line.
    let mut j = Journal::open(&path).unwrap();
    let b = j.next_id();
    j.append(&record(&b, Stage::Intent, None)).unwrap();
    j.append(&record(&b, Stage::Result, Some(Answer::Ok)))
        .unwrap();
    let back = Journal::read_all(&path).unwrap();
    assert_eq!(back.damaged_lines, vec![2]);
    assert_eq!(back.entries.len(), 2);
    assert_eq!(back.entries[1].outcome(), Outcome::Applied);
}

#[test]
fn default_path_prefers_absolute_xdg_state_home() {
    let p = |s: Option<&str>, h: Option<&str>| {
        default_path_from(s.map(PathBuf::from), h.map(PathBuf::from))
    };
    assert_eq!(
        p(Some("/var/st"), Some("/root")),
        Some(PathBuf::from("/var/st/lvstop/journal.jsonl"))
    );
    assert_eq!(
        p(Some("rel"), Some("/home/op")),
        Some(PathBuf::from("/home/op/.local/state/lvstop/journal.jsonl"))
    );
    assert_eq!(
        p(None, Some("/home/op")),
        Some(PathBuf::from("/home/op/.local/state/lvstop/journal.jsonl"))
    );
    assert_eq!(p(None, None), None);
}
