//! The fleet monitor on real kernels (6.1 and 6.12): lvstop on the test VM's serial console,
//! driven through tmux (`support::console`), over `--host d1 --host d2 --host d3`, three
//! directors each a namespace with its IPVS table and sshd (vm/labs/fleet.sh), ipvsadm in
//! each namespace as the judge:
//! - each director's rows on screen (Tab through them) equal its `ipvsadm -Ln`: addresses,
//!   schedulers, weights;
//! - `=` on a real server, confirmed, reaches every namespace, and the local journal holds
//!   the fleet record naming all three;
//! - d2's sshd and sessions killed: the top line says STALE for d2 while d1 and d3 stay live,
//!   then live again once its sshd is back.
//!
//! Not here yet: fake agents breaking the protocol (tests/vm_fleet.rs checks them in batch);
//! in the monitor they showed STALE, not BAD, when tried.

mod support;

use std::time::Duration;

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
        r.keys(&["g", "Right"]);
        r.wait("the TCP service expanded", |s| {
            s.contains("TCP  ▾ 192.0.2.10:80")
        });
        r.keys(&["G", "Right"]);
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
kill $j 2>/dev/null || true
"#,
        setup = fleet::setup(3),
    );
    std::thread::scope(|s| {
        for kernel in kernels() {
            let (vm, script) = (&vm, &script);
            s.spawn(move || {
                let started = std::time::Instant::now();
                let c = Console::start(vm, kernel, 160, 40, script);
                monitor_session(&c);
                let exit = c.finish(SHORT);
                exit.assert_ok();
                println!("kernel {kernel}: {:.1} s", started.elapsed().as_secs_f64());
                assert_eq!(exit.file("monitor.status").trim(), "0", "kernel {kernel}");
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
