//! lvstop's own recording, made by the monitor while its operator changes the table, replayed
//! on real kernels (6.1 and 6.12). In the test VM the NAT lab carries traffic; `lvstop --netns
//! nat-dir --record FILE --journal J -d 0.5` runs as the monitor on the serial console, driven
//! through tmux (`support::console`). Between bursts of traffic the test changes the table from
//! the monitor's keys, as an operator would (tuning mode's → on a real server's weight, then
//! `d` on the other real server, confirmed with `y`), and, once each burst has settled, takes
//! `ipvsadm -Ln --stats --exact` at a known instant T. After `q`:
//! - `lvstop -b --replay FILE --from @T --to @T --stats` prints exactly what ipvsadm printed at
//!   each T (each T's table differs from the others: counters, a weight, a real server gone);
//! - the replay monitor (`lvstop --replay FILE` on the same console), sent to each T with `:`,
//!   shows in its journal pane (`J`) only the changes made before T, each with the time of day
//!   it was made at (going back is checked in src/tui/replay_tests.rs).
//!
//! Arrow keys only where the test is about them (the weight): a serial console may split an
//! escape sequence (see tests/vm_edit_console.rs).

mod support;

use std::time::Duration;

use support::console::Console;
use support::console_jobs::{judge_function, Jobs};
use support::vm::{kernels, vm_or_skip};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");
const BOOT: Duration = Duration::from_secs(300);
const SHORT: Duration = Duration::from_secs(60);

/// The judge's listing: the director's table as ipvsadm lists it.
const LISTING: &str = "ip netns exec nat-dir ipvsadm -Ln";

const WEB1: &str = "192.0.2.11:80";
const WEB2: &str = "192.0.2.140:80";

/// One instant taken during the recording: the VM's clock, then ipvsadm's listing.
struct Taken {
    at: String,
    ipvsadm: String,
}

/// A burst of `n` requests, 2 s to settle, then the instant: one whose listing equals one taken
/// 2.2 s before it. The kernel folds counters in every 2 s, so an estimator run fell between the
/// two and changed nothing, and every poll between them (four at 0.5 s) holds that listing.
fn instant(r: &mut Jobs, n: u32) -> Taken {
    const STATS: &str = "ip netns exec nat-dir ipvsadm -Ln --stats --exact 2>&1";
    let sent = r.other_tool(&format!("bash -c '. vm/labs/nat.sh; nat_traffic {n}'"));
    assert!(sent.starts_with("server1="), "the traffic: {sent}");
    std::thread::sleep(Duration::from_secs(2));
    let mut before = r.other_tool(STATS);
    for _ in 0..5 {
        std::thread::sleep(Duration::from_millis(2200));
        let out = r.other_tool(&format!("date +%s.%N; {STATS}"));
        let (at, ipvsadm) = out.split_once('\n').expect("a time, then the listing");
        if ipvsadm == before {
            return Taken {
                at: at.trim().to_string(),
                ipvsadm: ipvsadm.to_string(),
            };
        }
        before = ipvsadm.to_string();
    }
    panic!("the counters did not settle in 11 s: {before}");
}

/// The VM's time of day, as the journal pane shows it (local time, `HH:MM:SS`).
fn clock(r: &mut Jobs) -> String {
    r.other_tool("date +%H:%M:%S").trim().to_string()
}

/// Moves the selection to a real server's row: `g` (the service), then `j` down to it.
fn select_dest(r: &Jobs, screen: &str, addr: &str) {
    let dests: Vec<&str> = screen.lines().filter(|l| l.contains("  → ")).collect();
    let i = dests
        .iter()
        .position(|l| l.contains(&format!("  → {addr}")))
        .unwrap_or_else(|| panic!("no row for {addr}:\n{screen}"));
    r.keys(&["g"]);
    for _ in 0..=i {
        r.keys(&["j"]);
    }
}

/// The journal pane's line saying `what`, if the screen shows one.
fn pane_line<'s>(screen: &'s str, what: &str) -> Option<&'s str> {
    screen.lines().find(|l| l.contains(what))
}

/// The `HH:MM:SS` of a pane line lies between `from` and `to` (same day; a run
/// across midnight is let through rather than failed by the clock).
fn made_between(line: &str, from: &str, to: &str) -> bool {
    // The pane's border may touch it (`│02:05:05 applied …`): look anywhere in the line.
    let is_time = |w: &str| {
        w.bytes().enumerate().all(|(i, b)| match i {
            2 | 5 => b == b':',
            _ => b.is_ascii_digit(),
        })
    };
    let Some(t) = (0..line.len())
        .filter_map(|i| line.get(i..i + 8))
        .find(|w| is_time(w))
    else {
        return false;
    };
    (from <= t && t <= to) || from > to
}

/// What the weight change and the delete say in the journal pane.
const WEIGHT_CHANGE: &str = "192.0.2.11:80 weight 1 → 2";
const DELETED: &str = "deleted 192.0.2.140:80";

/// The session: three instants, a change from the keyboard before the second and the third.
/// Returns the instants and, for each change, the VM's time of day before and after it.
fn record_session(c: &Console) -> (Vec<Taken>, Vec<(String, String)>) {
    let mut r = Jobs::new(c, 0, SHORT);
    c.wait_for(
        "the monitor, recording",
        |s| s.contains("198.51.100.10:80") && s.lines().next().is_some_and(|h| h.contains("REC")),
        BOOT,
    );
    r.keys(&["g", "Enter"]);
    let screen = r.wait("both real servers", |s| {
        s.contains(&format!("  → {WEB1}")) && s.contains(&format!("  → {WEB2}"))
    });
    let mut instants = vec![instant(&mut r, 6)];
    let mut changes = Vec::new();

    // Tuning mode on web1, → once: weight 1 → 2; Esc alone, then a pause.
    select_dest(&r, &screen, WEB1);
    r.keys(&["Enter"]);
    r.wait("tuning mode", |s| s.contains(&format!("TUNING {WEB1}")));
    let before = clock(&mut r);
    r.keys(&["Right"]);
    r.judge_until("weight 2", |j| {
        j.lines()
            .any(|l| l.contains(WEB1) && l.split_whitespace().nth(3) == Some("2"))
    });
    r.wait("the change applied", |s| s.contains("weight 1 → 2 ✓"));
    changes.push((before, clock(&mut r)));
    r.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(700));
    r.wait("tuning mode left", |s| !s.contains("TUNING"));
    instants.push(instant(&mut r, 6));

    // `d` on web2, confirmed.
    let screen = r.wait("its row", |s| s.contains(&format!("  → {WEB2}")));
    select_dest(&r, &screen, WEB2);
    r.keys(&["d"]);
    r.wait("the confirmation", |s| {
        s.contains(&format!("Delete real server {WEB2}"))
    });
    let before = clock(&mut r);
    r.keys(&["y"]);
    r.judge_until("web2 gone", |j| !j.contains(WEB2));
    r.wait("its row gone", |s| !s.contains(&format!("  → {WEB2}")));
    changes.push((before, clock(&mut r)));
    instants.push(instant(&mut r, 6));

    let screen = c.screen();
    assert!(
        !screen.contains("recording stopped"),
        "kernel {}: {screen}",
        c.kernel()
    );
    r.keys(&["q"]);
    c.wait_file("monitor.status", SHORT);
    (instants, changes)
}

/// `-b --replay --from @T --to @T --stats` at each instant: exactly ipvsadm's listing.
fn batch_replay(c: &Console, instants: &[Taken]) {
    let mut r = Jobs::new(c, 100, SHORT);
    for (i, t) in instants.iter().enumerate() {
        assert!(t.ipvsadm.contains(WEB1), "instant {i}: {}", t.ipvsadm);
        assert!(
            instants[..i].iter().all(|e| e.ipvsadm != t.ipvsadm),
            "kernel {}: instant {i} equals an earlier one",
            c.kernel()
        );
        let replayed = r.other_tool(&format!(
            "{LVSTOP} -b --replay /tmp/r.rec --from @{at} --to @{at} --stats 2>&1; echo status $?",
            at = t.at
        ));
        assert_eq!(
            replayed,
            format!("{}status 0\n", t.ipvsadm),
            "kernel {}: instant {i} (@{})",
            c.kernel(),
            t.at
        );
    }
    assert!(instants[1].ipvsadm.contains(WEB2) && !instants[2].ipvsadm.contains(WEB2));
}

/// The replay monitor at each instant: the journal pane holds the changes made before it.
fn replay_session(c: &Console, instants: &[Taken], changes: &[(String, String)]) {
    let r = Jobs::new(c, 200, SHORT);
    c.job_write("replay", "go");
    r.wait("the replay", |s| {
        s.lines().next().is_some_and(|h| h.contains("REPLAY")) && s.contains("198.51.100.10:80")
    });
    let go = |t: &Taken| {
        r.keys(&[":"]);
        // Milliseconds are enough (each instant is 2 s after the last change): fewer keys
        // over the serial console.
        let at = match t.at.split_once('.') {
            Some((secs, frac)) => format!("{secs}.{}", frac.get(..3).unwrap_or(frac)),
            None => t.at.clone(),
        };
        c.type_text(&format!("@{at}"));
        r.keys(&["Enter"]);
    };
    // Before the first change: nothing journaled yet.
    go(&instants[0]);
    r.keys(&["J"]);
    let s = r.wait("an empty journal at the first instant", |s| {
        s.contains("journal: no changes yet")
    });
    assert!(!s.contains(WEIGHT_CHANGE) && !s.contains(DELETED), "{s}");
    r.keys(&["J"]);
    // After the weight change: it alone, at the time it was made.
    go(&instants[1]);
    r.keys(&["J"]);
    let s = r.wait("the weight change", |s| {
        pane_line(s, WEIGHT_CHANGE).is_some() && !s.contains(DELETED)
    });
    let line = pane_line(&s, WEIGHT_CHANGE).unwrap();
    let (from, to) = &changes[0];
    assert!(
        made_between(line, from, to),
        "kernel {}: {line:?} not made between {from} and {to}",
        c.kernel()
    );
    r.keys(&["J"]);
    // After the delete: both, each at its time.
    go(&instants[2]);
    r.keys(&["J"]);
    let s = r.wait("both changes", |s| {
        pane_line(s, WEIGHT_CHANGE).is_some() && pane_line(s, DELETED).is_some()
    });
    let line = pane_line(&s, DELETED).unwrap();
    let (from, to) = &changes[1];
    assert!(
        made_between(line, from, to),
        "kernel {}: {line:?} not made between {from} and {to}",
        c.kernel()
    );
    println!(
        "kernel {}: the replay at the last instant:\n{s}",
        c.kernel()
    );
    // Going back empties it again: src/tui/replay_tests.rs checks that without a VM.
    r.keys(&["J"]);
    r.keys(&["q"]);
}

#[test]
fn the_monitors_recording_replays_what_ipvsadm_listed_and_the_changes_made_from_it() {
    let Some(vm) = vm_or_skip("vm_record_monitor::the_monitors_recording_replays") else {
        return;
    };
    let judge = judge_function(LISTING);
    let script = format!(
        r#"set -o pipefail
{judge}
. vm/labs/nat.sh
nat_setup >/dev/null || exit 1
judge &
j=$!
rc=0; {LVSTOP} --netns nat-dir -d 0.5 --record /tmp/r.rec --journal /tmp/journal.jsonl || rc=$?
echo $rc >/run/vmjob/.monitor.status && mv /run/vmjob/.monitor.status /run/vmjob/monitor.status
while [ ! -e /run/vmjob/replay ]; do sleep 0.2; done
rc=0; {LVSTOP} --replay /tmp/r.rec || rc=$?
echo $rc >/run/vmjob/replay.status
cp /tmp/journal.jsonl /run/vmjob/journal
kill $j 2>/dev/null || true
"#
    );
    std::thread::scope(|s| {
        for kernel in kernels() {
            let (vm, script) = (&vm, &script);
            s.spawn(move || {
                let started = std::time::Instant::now();
                let c = Console::start(vm, kernel, 120, 40, script);
                let (instants, changes) = record_session(&c);
                let recorded = started.elapsed().as_secs_f64();
                batch_replay(&c, &instants);
                let exported = started.elapsed().as_secs_f64();
                replay_session(&c, &instants, &changes);
                let exit = c.finish(SHORT);
                exit.assert_ok();
                let all = started.elapsed().as_secs_f64();
                // Where the time goes, for the suite's budget (about 60 s a kernel).
                println!(
                    "kernel {kernel}: {all:.1} s (boot and recording {recorded:.1} s, \
                     batch replays {:.1} s, replay monitor {:.1} s)",
                    exported - recorded,
                    all - exported
                );
                assert_eq!(exit.file("monitor.status").trim(), "0", "kernel {kernel}");
                assert_eq!(exit.file("replay.status").trim(), "0", "kernel {kernel}");
                // Both changes journaled, each an intent and a result.
                let journal = exit.file("journal");
                assert_eq!(journal.lines().count(), 4, "kernel {kernel}: {journal}");
            });
        }
    });
}
