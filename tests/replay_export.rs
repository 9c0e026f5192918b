//! `lvstop -b --replay`: the range a recording's export prints, and what it refuses, from the
//! binary. A recording of the fake sample table whose counters move each second; each reading
//! must be the ipvsadm text of the tick recorded at or before the time asked (the text itself is
//! ipvsadm's, judged in the VM by tests/vm_listings.rs and tests/vm_replay.rs).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, UNIX_EPOCH};

use lvstop::backend::Reader;
use lvstop::model::Snapshot;
use lvstop::output::{render_text, TextOptions, TextView};
use lvstop::record::{Entry, RecordOptions, Recorder, Tick};
use lvstop::testkit::{FakeReader, FakeTable};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");
/// The first tick: @1700000001, then one a second.
const START: u64 = 1_700_000_000;
const TICKS: u64 = 30;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "lvstop-replay-export-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Records TICKS seconds of the sample table; returns each tick's table.
fn record(path: &Path) -> Vec<Snapshot> {
    let mut fake = FakeReader::new(FakeTable::sample());
    let mut rec = Recorder::create(path, RecordOptions::default()).unwrap();
    let mut tables = Vec::new();
    for i in 1..=TICKS {
        fake.inner().advance(1, true);
        let snapshot = fake.snapshot().unwrap();
        tables.push(snapshot.clone());
        let tick = Tick {
            wall: UNIX_EPOCH + Duration::from_secs(START + i),
            took: Duration::from_millis(1),
            interval: Duration::from_secs(1),
            estimator: Some(true),
            snapshot,
        };
        rec.append(&Entry::Tick(tick)).unwrap();
    }
    rec.close().unwrap();
    tables
}

fn lvstop(args: &[&str]) -> Output {
    Command::new(LVSTOP).args(args).output().unwrap()
}

fn stats(t: &Snapshot) -> String {
    let options = TextOptions {
        view: TextView::Stats,
        exact: true,
    };
    render_text(t, options)
}

#[test]
fn each_reading_is_the_tick_at_or_before_the_time() {
    let dir = scratch("range");
    let file = dir.join("r.rec");
    let tables = record(&file);
    let f = file.to_str().unwrap();
    // Between ticks 10 and 11 (1-based): tick 10's table, once.
    let at = format!("@{}.5", START + 10);
    let out = lvstop(&["-b", "--replay", f, "--from", &at, "--to", &at, "--stats"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), stats(&tables[9]));
    // A range: the table at --from, then every tick up to --to.
    let (from, to) = (format!("@{}.5", START + 10), format!("@{}", START + 13));
    let out = lvstop(&["-b", "--replay", f, "--from", &from, "--to", &to, "--stats"]);
    let want: String = tables[9..13].iter().map(stats).collect();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), want);
    // No bounds: every tick; -n caps it.
    let out = lvstop(&["-b", "--replay", f, "--format", "json"]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().lines().count(),
        TICKS as usize
    );
    let out = lvstop(&["-b", "--replay", f, "-n", "2", "--stats"]);
    let want: String = tables[..2].iter().map(stats).collect();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn what_cannot_be_replayed_is_refused_in_words() {
    let dir = scratch("refused");
    let file = dir.join("r.rec");
    record(&file);
    let f = file.to_str().unwrap();
    let before = format!("@{}", START - 100);
    for (args, words) in [
        (
            vec!["-b", "--replay", f, "-d", "2"],
            "-d/--delay does not go with --replay",
        ),
        (
            vec!["-b", "--replay", f, "--demo"],
            "--demo does not go with --replay",
        ),
        (
            vec!["-b", "--replay", f, "--from", "12:00:00Z", "--to", "11:00Z"],
            "--to is before --from",
        ),
        (
            vec!["-b", "--replay", f, "--to", &before],
            "has no poll recorded at or before",
        ),
        (vec!["-b", "--replay", f, "--timeout"], "not the timeouts"),
        (vec!["-b", "--replay", f, "-c"], "not the connection table"),
        (
            vec!["-b", "--replay", f, "--from", "25:00"],
            "'25:00' is not a time",
        ),
        (vec!["-b", "--from", "12:00"], "--replay"),
        (
            vec!["--replay", f, "apply", "/dev/null"],
            "apply does not go with --replay",
        ),
        (
            vec!["-b", "--replay", "/nonexistent/r.rec"],
            "cannot replay /nonexistent/r.rec",
        ),
    ] {
        let out = lvstop(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(err.contains(words), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_torn_recording_says_so_and_replays_up_to_the_cut() {
    let dir = scratch("torn");
    let file = dir.join("r.rec");
    let tables = record(&file);
    let len = std::fs::metadata(&file).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
    f.set_len(len - 7).unwrap();
    let out = lvstop(&["-b", "--replay", file.to_str().unwrap(), "--stats"]);
    let err = String::from_utf8_lossy(&out.stderr);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!err.is_empty(), "the cut is said on stderr");
    // What is left is a prefix of the ticks, each whole.
    let n = text.matches("IP Virtual Server").count();
    let want: String = tables[..n].iter().map(stats).collect();
    assert_eq!(text, want, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
