//! The fleet monitor on real kernels (6.1 and 6.12): lvstop on the test VM's serial console,
//! driven through tmux (`support::console`), over `--host d1 --host d2 --host d3`, three
//! directors each a namespace with its IPVS table and sshd (vm/labs/fleet.sh), ipvsadm in
//! each namespace as the judge:
//! - each director's rows on screen (Tab through them) equal its `ipvsadm -Ln`: addresses,
//!   schedulers, weights;
//! - `=` on a real server, confirmed, reaches every namespace, and the local journal holds
//!   the fleet record naming all three;
//! - d2's sshd and sessions killed: the top line says STALE for d2 while d1 and d3 stay live,
//!   then live again once its sshd is back;
//! - then a second monitor (its own --journal) over the same three, d2 and d3 answered by a
//!   fake agent ([`BAD_AGENT`]): an unknown message holding escape sequences (d2), a 2 MiB
//!   line of raw escape sequences (d3). Both show BAD with the reason while d1 stays live;
//!   the reason is on screen with its escapes spelled out, and no escape sequence of theirs
//!   reached the terminal (not in `capture-pane -e`, the pane's title not set by them).

mod support;

use std::time::Duration;

use lvstop::fleet::protocol::PROTOCOL_VERSION;
use support::console::Console;
use support::console_jobs::{judge_function, Jobs};
use support::fleet::{self, ipvsadm_rows, FLEET};
use support::vm::{kernels, vm_or_skip};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");
const BOOT: Duration = Duration::from_secs(300);
const SHORT: Duration = Duration::from_secs(60);
const DIRECTORS: [&str; 3] = ["d1", "d2", "d3"];

/// `ipvsadm -Ln` in a director's namespace, run beside the monitor.
fn ipvsadm(r: &mut Jobs, ns: &str) -> String {
    r.other_tool(&format!(". vm/labs/fleet.sh; fleet_ipvsadm {ns} -Ln"))
}

/// ipvsadm's rows, in order.
fn judged_rows(text: &str) -> Vec<String> {
    ipvsadm_rows(text).into_iter().collect()
}

/// The same rows as the screen draws them: `TCP  ▾ 192.0.2.10:80  wlc ...` then
/// `  → 10.0.0.1:80  Masq  1 ...` for each real server of an expanded service.
fn screen_rows(screen: &str) -> Vec<String> {
    let mut rows = std::collections::BTreeSet::new();
    let mut service = String::new();
    for line in screen.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words[..] {
            [kind @ ("TCP" | "UDP" | "SCTP" | "FWM"), "▾" | "▸", addr, sched, ..] => {
                service = format!("{kind} {addr} {sched}");
            }
            ["→", dest, forward, weight, ..] if !service.is_empty() => {
                rows.insert(format!("{service}|{dest} {forward} {weight}"));
            }
            _ => {}
        }
    }
    rows.into_iter().collect()
}

/// The top line, where every director's health is.
fn top(screen: &str) -> &str {
    screen.lines().next().unwrap_or("")
}

/// Director `d`'s part of the top line says a reading's age (`d1 0.4s ago, 12ms`).
fn live(top: &str, d: &str) -> bool {
    top.split('│')
        .map(str::trim)
        .any(|part| part.starts_with(&format!("{d} ")) && part.contains("s ago"))
}

fn monitor_session(c: &Console) {
    let mut r = Jobs::new(c, 0, SHORT);
    let k = c.kernel().to_string();
    c.wait_for(
        "every director read",
        |s| DIRECTORS.iter().all(|d| live(top(s), d)) && s.contains("lvstop d1"),
        BOOT,
    );

    // 1. Each director's rows equal its ipvsadm -Ln; both services expanded on each.
    for (i, d) in DIRECTORS.iter().enumerate() {
        if i > 0 {
            r.keys(&["Tab"]);
        }
        r.wait("the director's header", |s| {
            s.lines()
                .nth(1)
                .is_some_and(|l| l.contains(&format!("lvstop {d} ")))
        });
        // One step at a time: a key sent before the last one's row is drawn may miss it.
        // `l`, not Right: one byte, which a loaded serial console cannot split (Right's
        // ESC [ C arriving in pieces read as Esc, and the service stayed closed).
        r.keys(&["g", "l"]);
        r.wait("the TCP service expanded", |s| {
            s.contains("TCP  ▾ 192.0.2.10:80")
        });
        r.keys(&["G", "l"]);
        r.wait("the UDP service expanded", |s| {
            s.contains("UDP  ▾ 192.0.2.10:53")
        });
        let want = judged_rows(&ipvsadm(&mut r, d));
        assert_eq!(want.len(), 3, "kernel {k}: {d}: {want:?}");
        let screen = r.wait("its rows as ipvsadm lists them", |s| screen_rows(s) == want);
        println!("kernel {k}: {d} on screen:\n{screen}");
    }
    r.keys(&["Tab"]);
    r.wait("back on d1", |s| {
        s.lines().nth(1).is_some_and(|l| l.contains("lvstop d1 "))
    });

    // 2. `=` on 10.0.0.1:80: asked, confirmed, sent to all three.
    r.keys(&["/"]);
    c.type_text("10.0.0.1:");
    r.wait("the filter typed", |s| s.contains("/10.0.0.1:"));
    r.keys(&["Enter"]);
    // The UDP service holds no match: gone while the filter is on.
    r.wait("the filter kept", |s| !s.contains("192.0.2.10:53"));
    r.keys(&["="]);
    r.wait("the weight asked for", |s| {
        s.to_lowercase().contains("weight")
    });
    c.type_text("7");
    r.keys(&["Enter"]);
    r.wait("the question naming each director", |s| {
        s.contains("Set weight 7 on d1, d2, d3?")
    });
    r.keys(&["y"]);
    let s = r.wait("every director's result", |s| {
        s.contains("weight 7 to all: d1 applied · d2 applied · d3 applied")
    });
    println!("kernel {k}: after =:\n{s}");
    for d in DIRECTORS {
        let rows = judged_rows(&ipvsadm(&mut r, d));
        assert!(
            rows.contains(&"TCP 192.0.2.10:80 wlc|10.0.0.1:80 Masq 7".to_string()),
            "kernel {k}: {d}: {rows:?}"
        );
        assert!(
            rows.contains(&"TCP 192.0.2.10:80 wlc|10.0.0.2:80 Masq 2".to_string()),
            "kernel {k}: {d}: {rows:?}"
        );
    }

    // 3. d2's sshd and sessions killed: STALE for d2 only; back once sshd is up again.
    r.other_tool(". vm/labs/fleet.sh; fleet_kill_sshd d2");
    let s = r.wait("d2 stale, d1 and d3 live", |s| {
        let t = top(s);
        t.contains("d2 STALE") && live(t, "d1") && live(t, "d3")
    });
    println!("kernel {k}: stale: {}", top(&s));
    r.other_tool(". vm/labs/fleet.sh; fleet_sshd d2");
    let s = r.wait("d2 live again", |s| {
        DIRECTORS.iter().all(|d| live(top(s), d))
    });
    println!("kernel {k}: back: {}", top(&s));
    r.keys(&["q"]);
}

/// `--remote-lvstop` for the second monitor: the real agent for d1; for d2 (198.51.100.6)
/// a hello, then a message of an unknown type holding JSON-escaped escape sequences and the
/// marker PWNED; for d3 (198.51.100.10) a hello, then 2 MiB of raw escape sequences on one
/// line. Written by the console script (the VM's /tmp is its own).
const BAD_AGENT: &str = r#"#!/bin/sh
hello='{"type":"hello","protocol":1,"lvstop":"0.1.0","host":"HOST","ipvs":"1.2.1","capabilities":["read"],"read_only":true,"netns":"host","interval_ms":1000}'
case "$SSH_CONNECTION" in
*" 198.51.100.6 "*)
    printf '%s\n' "$hello" | sed 's/HOST/d2/'
    printf '%s\n' '{"type":"PWNED\u001b]0;owned\u0007\u001b[2J"}' ;;
*" 198.51.100.10 "*)
    printf '%s\n' "$hello" | sed 's/HOST/d3/'
    yes "$(printf '\033]0;owned\007\033[2J')" | tr -d '\n' | head -c 2097152; echo ;;
*) exec LVSTOP "$@" ;;
esac
sleep 30
"#;

/// The second monitor: d2 and d3 bad with their reasons, d1 live, nothing of theirs raw.
fn bad_agent_session(c: &Console) {
    let r = Jobs::new(c, 1000, SHORT);
    let k = c.kernel().to_string();
    let s = r.wait("d2 and d3 bad, d1 live", |s| {
        let t = top(s);
        live(t, "d1")
            && t.contains("d2 BAD: the agent sent a malformed message")
            && t.contains("d3 BAD: the agent sent a line of")
    });
    println!("kernel {k}: bad agents: {}", top(&s));
    // On screen, d2's reason is shown longer: the marker with its escapes spelled out.
    r.keys(&["Tab"]);
    let s = r.wait("d2's reason", |s| {
        top(s).contains(
            "d2 BAD: the agent sent a malformed message: unknown variant `PWNED\\u{1b}]0;owned",
        )
    });
    println!("kernel {k}: on d2: {}", top(&s));
    let ansi = c.screen_ansi();
    assert!(
        !ansi.contains("\x1b]0;") && !ansi.contains("\x1b[2J") && !ansi.contains("PWNED\x1b"),
        "kernel {k}: an escape sequence from an agent reached the terminal: {ansi:?}"
    );
    let title = c.pane_title();
    assert!(
        !title.contains("owned"),
        "kernel {k}: the pane's title was set: {title:?}"
    );
    println!("kernel {k}: pane title {title:?}; no ESC ]0; or ESC [2J in capture-pane -e");
    r.keys(&["Tab"]);
    r.wait("on d3", |s| {
        s.lines().nth(1).is_some_and(|l| l.contains("lvstop d3 "))
    });
    let s = r.wait("d1 still live", |s| live(top(s), "d1"));
    assert!(!c.screen_ansi().contains("\x1b]0;"), "kernel {k}");
    println!("kernel {k}: on d3: {}", top(&s));
    r.keys(&["q"]);
}

#[test]
fn the_fleet_monitor_shows_edits_and_marks_each_director_on_real_kernels() {
    let Some(vm) = vm_or_skip("vm_fleet_monitor::the_fleet_monitor") else {
        return;
    };
    let judge = judge_function("true");
    let ssh = format!("--ssh-config {FLEET}/ssh_config");
    let script = format!(
        r#"set -uo pipefail
{setup}
{judge}
judge &
j=$!
rc=0; {LVSTOP} {ssh} --remote-lvstop {LVSTOP} -d 1 --journal /tmp/journal.jsonl \
    --host d1 --host d2 --host d3 || rc=$?
echo $rc >/run/vmjob/monitor.status
cp /tmp/journal.jsonl /run/vmjob/journal 2>/dev/null || true
cat >$FLEET/bad-agent <<'AGENT'
{bad_agent}AGENT
chmod 755 $FLEET/bad-agent
rc=0; {LVSTOP} {ssh} --remote-lvstop $FLEET/bad-agent -d 1 --journal /tmp/journal-bad.jsonl \
    --host d1 --host d2 --host d3 || rc=$?
echo $rc >/run/vmjob/monitor-bad.status
kill $j 2>/dev/null || true
"#,
        setup = fleet::setup(3),
        // The fake speaks this lvstop's protocol, so it is refused for its lines alone.
        bad_agent = BAD_AGENT.replace("LVSTOP", LVSTOP).replace(
            r#""protocol":1,"#,
            &format!(r#""protocol":{PROTOCOL_VERSION},"#)
        ),
    );
    std::thread::scope(|s| {
        for kernel in kernels() {
            let (vm, script) = (&vm, &script);
            s.spawn(move || {
                let started = std::time::Instant::now();
                let c = Console::start(vm, kernel, 160, 40, script);
                monitor_session(&c);
                let bad = std::time::Instant::now();
                bad_agent_session(&c);
                println!(
                    "kernel {kernel}: bad agents part: {:.1} s",
                    bad.elapsed().as_secs_f64()
                );
                let exit = c.finish(SHORT);
                exit.assert_ok();
                println!("kernel {kernel}: {:.1} s", started.elapsed().as_secs_f64());
                assert_eq!(exit.file("monitor.status").trim(), "0", "kernel {kernel}");
                assert_eq!(
                    exit.file("monitor-bad.status").trim(),
                    "0",
                    "kernel {kernel}"
                );
                let journal = exit.file("journal");
                let fleet: Vec<serde_json::Value> = journal
                    .lines()
                    .map(|l| serde_json::from_str(l).expect("a JSON line"))
                    .filter(|r: &serde_json::Value| r["record"] == "fleet")
                    .collect();
                assert_eq!(fleet.len(), 1, "kernel {kernel}: {journal}");
                let f = &fleet[0];
                assert_eq!(f["change"]["op"], "set_weight", "{f}");
                let outcomes: Vec<(String, String)> = f["directors"]
                    .as_array()
                    .expect("directors")
                    .iter()
                    .map(|d| {
                        (
                            d["director"].as_str().unwrap_or("").to_string(),
                            d["outcome"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect();
                let want: Vec<(String, String)> = DIRECTORS
                    .iter()
                    .map(|d| (d.to_string(), "applied".to_string()))
                    .collect();
                assert_eq!(outcomes, want, "kernel {kernel}: {f}");
            });
        }
    });
}
