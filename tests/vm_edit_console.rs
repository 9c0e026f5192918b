//! Editing from the keyboard on real kernels (6.1 and 6.12): lvstop on the test VM's serial
//! console, driven through tmux (`support::console`), with `ipvsadm` in the VM as the judge.
//! On the golden table (tests/golden/table.rules): arrows outside tuning mode changing nothing,
//! tuning mode's arrows and Shift, `+`/`-`, exact weight, drain/restore, undo, the scheduler
//! picker, the forms (add service, add real server),
//! deletes with confirmation, zeroing, undo of each; then lvstop again with --read-only, where
//! every edit key says so and `ipvsadm -Sn` and the journal stay as they were. In between,
//! another tool deletes a service whose form is open and flushes the table on screen.
//!
//! Arrow keys are sent only where the test is about them (weights): a serial console can split
//! an escape sequence, and crossterm then reads a lone ESC (which in tuning mode leaves it).
//! Elsewhere the script uses the letter keys (`j`, Enter, space on a choice).

mod support;

use std::time::Duration;

use support::console::Console;
use support::console_jobs::{judge_function, Jobs};
use support::vm::{kernels, vm_or_skip};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");
const BOOT: Duration = Duration::from_secs(300);
const SHORT: Duration = Duration::from_secs(60);

/// What the judge answers with: the table as ipvsadm saves it, its thresholds and counters.
const LISTING: &str =
    r#"ipvsadm -Sn; echo "%"; ipvsadm -Ln --thresholds; echo "%"; ipvsadm -Ln --stats --exact"#;

type Run<'a> = Jobs<'a>;

/// Only the web service, expanded. Each step waits for the screen: console input is slow.
fn filter_and_expand(r: &Run) {
    r.keys(&["/"]);
    r.c.type_text("192.0.2.1:80");
    r.wait("the filter typed", |s| s.contains("/192.0.2.1:80"));
    r.keys(&["Enter"]);
    r.wait("the filter kept", |s| {
        s.contains("filter 192.0.2.1:80") && !s.contains("192.0.2.2:443")
    });
    r.keys(&["g", "Enter"]);
}

/// A real server's row on screen (`TUNING → ADDR` in tuning mode, else `  → ADDR`).
fn row_of<'s>(screen: &'s str, addr: &str) -> &'s str {
    screen
        .lines()
        .find(|l| l.contains(&format!(" → {addr}")))
        .unwrap_or("")
}

/// Moves the selection from the service row (first row under the filter) to a real server.
fn select_dest(r: &Run, screen: &str, addr: &str) {
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

fn edit_session(c: &Console) {
    let mut r = Jobs::new(c, 0, SHORT);
    c.wait_for(
        "the table",
        |s| s.contains("192.0.2.1:80") && s.contains("FWM"),
        BOOT,
    );
    filter_and_expand(&r);
    let screen = r.wait("its real servers", |s| {
        s.contains("  → 198.51.100.11:80") && s.contains("  → 198.51.100.12:8080")
    });
    select_dest(&r, &screen, "198.51.100.12:8080");

    let w = |n: u32| move |j: &str| j.contains(&format!("-r 198.51.100.12:8080 -m -w {n}\n"));
    // Outside tuning mode the arrows only navigate: → and Shift+→ on the real server, then ←
    // (which goes up to the service), change nothing in the kernel.
    let untouched = r.judge_until("weight 3 before", w(3));
    r.keys(&["Right"]);
    std::thread::sleep(Duration::from_millis(300));
    r.keys(&["S-Right"]);
    std::thread::sleep(Duration::from_millis(300));
    r.keys(&["Left"]);
    std::thread::sleep(Duration::from_millis(1500));
    let after = r.judge();
    assert_eq!(
        saved(&after),
        saved(&untouched),
        "kernel {}: arrows outside tuning mode changed the table",
        c.kernel()
    );
    select_dest(&r, &screen, "198.51.100.12:8080");

    // Tuning mode (Enter): → +1, Shift+→ +10, ← and Shift+← back; read-modify-write keeps
    // -x 100 -y 10.
    r.keys(&["Enter"]);
    r.wait("tuning mode", |s| s.contains("TUNING 198.51.100.12:8080"));
    r.keys(&["Right"]);
    r.judge_until("weight 4", w(4));
    r.keys(&["S-Right"]);
    let j = r.judge_until("weight 14", w(14));
    assert!(
        j.contains("198.51.100.12:8080") && j.contains("100        10"),
        "{j}"
    );
    r.wait("the message before and after", |s| {
        s.contains("198.51.100.12:8080 weight 4 → 14 ✓")
    });
    r.keys(&["Left", "S-Left"]);
    r.judge_until("weight 3", w(3));
    r.wait("the row says applied", |s| {
        row_of(s, "198.51.100.12").contains("3✓")
    });
    // Esc alone, then a pause: ESC followed at once by a key reads as Alt+key.
    r.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(700));
    r.wait("tuning mode left", |s| !s.contains("TUNING"));
    // `+`/`-` without the mode.
    r.keys(&["+"]);
    r.judge_until("weight 4 by +", w(4));
    r.keys(&["-"]);
    r.judge_until("weight 3 by -", w(3));
    // `W`: exact weight.
    r.keys(&["W", "BSpace"]);
    c.type_text("42");
    r.keys(&["Enter"]);
    r.judge_until("weight 42", w(42));
    // `x` drains, `x` restores, `u` undoes the restore.
    r.keys(&["x"]);
    r.judge_until("drained", w(0));
    r.keys(&["x"]);
    r.judge_until("restored", w(42));
    r.keys(&["u"]);
    r.judge_until("undo of the restore", w(0));
    r.wait("the undo message", |s| {
        s.contains("undone: 198.51.100.12:8080 weight 42 → 0 ✓")
    });

    // `s`: rr → wrr from the picker; `u` back.
    r.keys(&["g", "s"]);
    r.wait("the picker", |s| s.contains("Scheduler (ipvsadm -E -s)"));
    r.keys(&["j", "Enter"]);
    r.judge_until("wrr", |j| j.contains("-A -t 192.0.2.1:80 -s wrr\n"));
    r.keys(&["u"]);
    r.judge_until("rr again", |j| j.contains("-A -t 192.0.2.1:80 -s rr\n"));

    // `a`: a real server through the form (masq, weight 5).
    r.keys(&["a"]);
    r.wait("the real-server form", |s| {
        s.contains("Add real server to TCP 192.0.2.1:80")
    });
    c.type_text("198.51.100.13");
    // Space, not →, picks masq: a console may split an arrow's escape sequence, and a
    // lone ESC closes the form.
    r.keys(&["Tab", "Tab", "Space", "Tab", "BSpace"]);
    c.type_text("5");
    r.wait("its ipvsadm line", |s| {
        s.contains("ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.13:80 -m -w 5")
    });
    r.keys(&["Enter"]);
    r.judge_until("the new real server", |j| {
        j.contains("-a -t 192.0.2.1:80 -r 198.51.100.13:80 -m -w 5\n")
    });
    // `d` on it, confirmed.
    let screen = r.wait("its row", |s| s.contains("  → 198.51.100.13:80"));
    select_dest(&r, &screen, "198.51.100.13:80");
    r.keys(&["d"]);
    r.wait("the confirmation", |s| {
        s.contains("Delete real server 198.51.100.13:80")
    });
    r.keys(&["y"]);
    r.judge_until("it gone", |j| !j.contains("198.51.100.13:80"));

    // `Z` on the service (traffic made its counters move).
    // Conns of the web service in the --stats listing (the judge's last part).
    let stats = |j: &str| {
        j.rsplit('%')
            .next()
            .unwrap_or("")
            .lines()
            .find(|l| l.starts_with("TCP  192.0.2.1:80 "))
            .map(|l| l.split_whitespace().nth(2).unwrap_or("").to_string())
            .unwrap_or_default()
    };
    let before = stats(&r.judge());
    assert!(
        before.parse::<u64>().is_ok_and(|n| n > 0),
        "the traffic left no count: {before:?}"
    );
    r.keys(&["g", "Z", "s"]);
    r.judge_until("zeroed counters", |j| stats(j) == "0");

    // `D` with its count of real servers, confirmed; `u` brings it back whole.
    r.keys(&["g", "D"]);
    r.wait("the confirmation", |s| {
        s.contains("With it go 2 real servers")
    });
    r.keys(&["y"]);
    r.judge_until("the service gone", |j| !j.contains("192.0.2.1:80"));
    r.keys(&["u"]);
    r.judge_until("the service back with both real servers", |j| {
        j.contains("-A -t 192.0.2.1:80 -s rr\n")
            && j.contains("-r 198.51.100.11:80 -m -w 1\n")
            && j.contains("-r 198.51.100.12:8080 -m -w 0\n")
    });

    // `A`: a service through the form; `u` takes it away.
    r.keys(&["A"]);
    r.wait("the service form", |s| s.contains("Add virtual service"));
    r.keys(&["Tab"]);
    c.type_text("198.51.100.200");
    r.keys(&["Tab"]);
    c.type_text("8080");
    r.keys(&["Enter"]);
    r.judge_until("the new service", |j| {
        j.contains("-A -t 198.51.100.200:8080 -s wlc\n")
    });
    // The form stays open, taking no keys but Esc, until the kernel's answer reaches the
    // screen: a `u` pressed once ipvsadm shows the service but before then is the form's
    // (CI, 6.1: it was, and the service stayed). The operator sees the answer first.
    r.wait("the add reported", |s| {
        s.contains("added service TCP 198.51.100.200:8080 ✓")
    });
    // Undoing an add deletes: it asks first, naming what goes.
    r.keys(&["u"]);
    r.wait("the undo's confirmation", |s| {
        s.contains("Undo deletes") && s.contains("delete service TCP 198.51.100.200:8080")
    });
    assert!(r.judge().contains("198.51.100.200"), "asked, not yet sent");
    r.keys(&["y"]);
    r.judge_until("it undone", |j| !j.contains("198.51.100.200"));

    faults_while_on_screen(&mut r);
    r.keys(&["q"]);
}

/// The ipvsadm -Sn part of a judgement.
fn saved(j: &str) -> &str {
    j.split('%').next().unwrap_or("")
}

/// Another tool changes the table under lvstop's feet: a service deleted while its real
/// server's form is open (the submit says it is gone, nothing else changes), then the whole
/// table flushed while it is on screen (the screen empties, no error). The table is restored
/// afterwards for the read-only session.
fn faults_while_on_screen(r: &mut Run) {
    // The service came back through undo as a new row: collapsed.
    r.keys(&["g", "Enter"]);
    let screen = r.wait("the web service's real servers", |s| {
        s.contains("  → 198.51.100.11:80")
    });
    select_dest(r, &screen, "198.51.100.11:80");
    r.keys(&["e"]);
    r.wait("the real-server form", |s| {
        s.contains("Edit real server 198.51.100.11:80 of TCP 192.0.2.1:80")
    });
    r.other_tool("ipvsadm -D -t 192.0.2.1:80");
    let gone = r.judge_until("the service deleted by ipvsadm", |j| {
        !j.contains("192.0.2.1:80")
    });
    r.keys(&["Enter"]);
    let screen = r.wait("the refusal in the form", |s| {
        s.contains("virtual service TCP 192.0.2.1:80 does not exist")
    });
    assert!(
        screen.contains("Edit real server 198.51.100.11:80"),
        "the form stays open with what was typed:\n{screen}"
    );
    let after = r.judge();
    assert_eq!(
        saved(&after),
        saved(&gone),
        "kernel {}: a refused submit changed the table",
        r.c.kernel()
    );
    // Escape alone, then a pause: ESC followed at once by a key reads as Alt+key.
    for k in ["Escape", "/", "Escape"] {
        r.keys(&[k]);
        std::thread::sleep(Duration::from_millis(700));
    }
    r.wait("every service again", |s| {
        s.contains("FWM") && s.contains("192.0.2.2:443")
    });

    r.other_tool("ipvsadm -C");
    r.wait("the flushed table on screen", |s| {
        !s.contains("FWM") && !s.contains("192.0.2.2:443") && !s.contains("stale")
    });
    r.other_tool("ipvsadm -R < tests/golden/table.rules");
    r.wait("the table back", |s| {
        s.contains("FWM") && s.contains("192.0.2.1:80")
    });
}

fn read_only_session(c: &Console) {
    let r = Jobs::new(c, 100, SHORT);
    let screen = r.wait("the read-only monitor", |s| {
        s.contains("READ-ONLY") && s.contains("192.0.2.1:80")
    });
    filter_and_expand(&r);
    let screen2 = r.wait("its real servers", |s| s.contains("  → 198.51.100.12:8080"));
    let _ = screen;
    select_dest(&r, &screen2, "198.51.100.12:8080");
    for k in [
        "Enter", "w", "+", "-", "W", "x", "a", "A", "e", "E", "d", "D", "s", "Z", "u",
    ] {
        r.keys(&[k]);
        std::thread::sleep(Duration::from_millis(300));
        let screen = r.wait(&format!("the read-only message after {k}"), |s| {
            s.contains("read-only: started with --read-only")
        });
        for dialog in ["(ipvsadm -", "Delete ", "Zero "] {
            assert!(!screen.contains(dialog), "{k} opened a dialog:\n{screen}");
        }
    }
    r.keys(&["q"]);
}

#[test]
fn edits_from_the_keyboard_reach_the_kernel_and_read_only_changes_nothing() {
    let Some(vm) = vm_or_skip("vm_edit_console::edits_from_the_keyboard") else {
        return;
    };
    let judge = judge_function(LISTING);
    let script = format!(
        r#"set -euo pipefail
{judge}
. vm/labs/table.sh
table_net
ipvsadm -R < tests/golden/table.rules
for i in 1 2 3; do timeout 1 busybox nc 192.0.2.1 80 </dev/null >/dev/null 2>&1 || true; done
judge &
j=$!
rc=0; {LVSTOP} -d 0.5 --journal /tmp/journal.jsonl || rc=$?
echo $rc >/run/vmjob/edit.status
cp /tmp/journal.jsonl /run/vmjob/journal.edit
ipvsadm -Sn >/run/vmjob/before-ro
rc=0; {LVSTOP} -r -d 0.5 --journal /tmp/journal.jsonl || rc=$?
echo $rc >/run/vmjob/ro.status
ipvsadm -Sn >/run/vmjob/after-ro
cp /tmp/journal.jsonl /run/vmjob/journal.ro
kill $j 2>/dev/null || true
"#
    );
    std::thread::scope(|s| {
        for kernel in kernels() {
            let (vm, script) = (&vm, &script);
            s.spawn(move || {
                let c = Console::start(vm, kernel, 120, 40, script);
                edit_session(&c);
                read_only_session(&c);
                let exit = c.finish(SHORT);
                exit.assert_ok();
                assert_eq!(exit.file("edit.status").trim(), "0", "kernel {kernel}");
                assert_eq!(exit.file("ro.status").trim(), "0", "kernel {kernel}");
                assert_eq!(
                    exit.file("before-ro"),
                    exit.file("after-ro"),
                    "kernel {kernel}: read-only changed the table"
                );
                assert_eq!(
                    exit.file("journal.edit"),
                    exit.file("journal.ro"),
                    "kernel {kernel}: read-only wrote to the journal"
                );
                // Every change journaled: intent and result lines, all answered.
                let journal = exit.file("journal.edit");
                assert!(journal.lines().count() >= 2 * 18, "{journal}");
            });
        }
    });
}
