//! `lvstop -b --record` against real kernels (6.1, 6.12): while ipvsadm changes the table,
//! every tick read back from the recording lists, as `ipvsadm -Ln --stats --exact`, exactly
//! what ipvsadm printed between the changes around it. lvstop is then stopped by SIGTERM, as
//! systemd stops the unit: it exits 0 and its last readings are in the file.
//!
//! The reader is this test binary itself, run inside the VM with `LVSTOP_RECORD_READ` set.
mod support;

use std::time::{Duration, UNIX_EPOCH};

use lvstop::output::{text, TextOptions, TextView};
use lvstop::record::{Entry, Recording};
use support::vm::{kernels, vm_or_skip};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

/// Inside the VM: `LVSTOP_RECORD_READ=FILE` prints each entry of the recording: `== tick
/// MICROS TOOK_MICROS` and the table as `ipvsadm -Ln --stats --exact`, `== gap MICROS
/// REASON`, then `== problem TEXT` lines and `== end`. Outside the VM it does nothing.
#[test]
fn read_in_vm() {
    let Ok(path) = std::env::var("LVSTOP_RECORD_READ") else {
        return;
    };
    println!();
    let rec = Recording::open(std::path::Path::new(&path)).expect("open the recording");
    let (from, to) = rec.span().expect("a recording with entries");
    let micros = |t: std::time::SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_micros();
    for entry in rec.entries(from, to) {
        match entry {
            Entry::Tick(t) => {
                println!("== tick {} {}", micros(t.wall), t.took.as_micros());
                let options = TextOptions {
                    view: TextView::Stats,
                    exact: true,
                };
                print!("{}", text::render(&t.snapshot, options));
            }
            Entry::Gap { wall, reason } => println!("== gap {} {reason}", micros(wall)),
            other => println!("== other {}", micros(other.wall())),
        }
    }
    for p in rec.problems() {
        println!("== problem {p}");
    }
    println!("== end");
}

/// The table goes through states (one ipvsadm command each: a reading between two commands
/// would see a table ipvsadm never listed), each left alone for 2 s while lvstop reads every 0.3 s;
/// `== state K MICROS` is printed once change K is made (MICROS: after ipvsadm returned),
/// then ipvsadm's listing of state K.
const SCRIPT: &str = r#"
set -e
ipvsadm -A -t 192.0.2.1:80 -s rr
ipvsadm -a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 1
ipvsadm -A -u 192.0.2.2:53 -s wlc
ipvsadm -a -u 192.0.2.2:53 -r 10.0.0.2:53 -g -w 3
"$LVSTOP" -b --record /tmp/rec --record-max 1M -d 0.3 2>/tmp/lvstop.err &
pid=$!
state() {
    echo "== state $1 $(date +%s%6N)"
    ipvsadm -Ln --stats --exact
    sleep 2
}
state 0
ipvsadm -e -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 5; state 1
ipvsadm -a -t 192.0.2.1:80 -r 10.0.0.3:8080 -i -w 2 -x 100 -y 10; state 2
ipvsadm -E -u 192.0.2.2:53 -s sh -b sh-port; state 3
ipvsadm -d -u 192.0.2.2:53 -r 10.0.0.2:53; state 4
ipvsadm -A -f 7 -s lc -p 60; state 5
ipvsadm -a -f 7 -r 10.0.0.9 -g; state 6
ipvsadm -D -t 192.0.2.1:80; state 7
echo "== changes done $(date +%s%6N)"
kill -TERM $pid
status=0; wait $pid || status=$?
echo "== lvstop exit $status"
cat /tmp/lvstop.err
stat -c '== mode %a' /tmp/rec
LVSTOP_RECORD_READ=/tmp/rec "$EXE" --exact read_in_vm --nocapture --test-threads=1
"#;

/// One part of the VM's output: a state's listing or a tick's table.
struct Part {
    kind: String,
    at: u128,
    took: u128,
    text: String,
}

fn parts(stdout: &str) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("== ") {
            let words: Vec<&str> = rest.split_whitespace().collect();
            let number = |i: usize| words.get(i).and_then(|w| w.parse().ok()).unwrap_or(0);
            let (at, took) = match words[0] {
                "state" => (number(2), 0),
                "tick" => (number(1), number(2)),
                _ => (0, 0),
            };
            out.push(Part {
                kind: rest.to_string(),
                at,
                took,
                text: String::new(),
            });
        } else if let Some(p) = out.last_mut() {
            p.text.push_str(line);
            p.text.push('\n');
        }
    }
    out
}

#[test]
fn every_recorded_tick_is_what_ipvsadm_listed_then() {
    let Some(vm) = vm_or_skip("vm_record") else {
        return;
    };
    let exe = std::env::current_exe().unwrap();
    for &kernel in kernels() {
        let script = format!("export LVSTOP={LVSTOP} EXE={}\n{SCRIPT}", exe.display());
        let out = vm.run(kernel, &script);
        out.assert_ok();
        let all = parts(&out.stdout);
        let states: Vec<&Part> = all
            .iter()
            .filter(|p| p.kind.starts_with("state "))
            .collect();
        let ticks: Vec<&Part> = all.iter().filter(|p| p.kind.starts_with("tick ")).collect();
        assert_eq!(states.len(), 8, "kernel {kernel}: {}", out.stdout);
        assert!(
            out.stdout.contains("== lvstop exit 0\n"),
            "kernel {kernel}: {}",
            out.stdout
        );
        assert!(out.stdout.contains("== mode 600\n"), "kernel {kernel}");
        assert!(
            !out.stdout.contains("== problem"),
            "kernel {kernel}: {}",
            out.stdout
        );
        assert!(
            out.stdout.contains("recording stopped (a stop signal)"),
            "kernel {kernel}: {}",
            out.stdout
        );
        let done: u128 = out
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("== changes done "))
            .and_then(|t| t.trim().parse().ok())
            .expect("the changes' end");
        let mut seen = vec![0; states.len()];
        for tick in &ticks {
            // The states the table went through while this reading ran.
            let (start, end) = (tick.at, tick.at + tick.took);
            let during: Vec<usize> = (0..states.len())
                .filter(|&k| {
                    let next = states.get(k + 1).map_or(u128::MAX, |s| s.at);
                    // State k held from just before its mark (the change had returned)
                    // until the next change began, at the latest at the next mark (half a second covers
                    // ipvsadm's own run under TCG).
                    start < next && end >= states[k].at.saturating_sub(500_000)
                })
                .collect();
            if start < states[0].at {
                continue; // read before the first mark: the table as set up, not listed
            }
            assert!(
                during.iter().any(|&k| states[k].text == tick.text),
                "kernel {kernel}: tick at {start} (took {} us) lists\n{}\nnot any of the states \
                 {during:?} it ran during:\n{}",
                tick.took,
                tick.text,
                during
                    .iter()
                    .map(|&k| states[k].text.clone())
                    .collect::<Vec<_>>()
                    .join("--\n")
            );
            if let [k] = during[..] {
                seen[k] += 1;
            }
        }
        // Each state stood 2 s at a reading every 0.3 s: each must be in the file on its own.
        assert!(seen.iter().all(|&n| n >= 1), "kernel {kernel}: {seen:?}");
        // The readings go on until SIGTERM: the last block was written on the way out.
        let last = ticks.last().expect("ticks").at;
        assert!(
            last + Duration::from_secs(1).as_micros() >= done,
            "kernel {kernel}: last tick {last}, changes done {done}"
        );
    }
}
