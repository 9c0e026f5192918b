//! `promtool check metrics` (Debian's prometheus package, the judge) on lvstop's
//! `--format openmetrics` for every table of the test suite on the host: the golden tables
//! (tests/golden/table.rules, which the VM's golden captures and vm_listings load, and
//! tests/golden/random-6.12/table.rules) applied to a fake table with traffic on every
//! counter, the same under a hostile `--netns` name, and the demo director through the binary.
//! The VM test `vm_metrics` judges the real kernel's readings.

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::SystemTime;

use lvstop::backend::{Reader, Writer};
use lvstop::model::{Interface, Stats, SyncDaemon, SyncRole};
use lvstop::output::openmetrics::{Extras, OpenMetricsSink};
use lvstop::output::sink::render;
use lvstop::testkit::FakeTable;

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

/// promtool, or a skip said on stderr (a failure under CI=true, where vm/setup's host
/// packages are installed).
fn promtool_or_skip(test: &str) -> bool {
    if Command::new("promtool").arg("--version").output().is_ok() {
        return true;
    }
    let line = format!(
        "SKIPPED {test}: needs promtool (apt-get install prometheus; vm/setup's host_pkgs)"
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{line} (CI=true: not skipping)");
    }
    let _ = writeln!(std::io::stderr(), "{line}");
    false
}

/// promtool's verdict on `text`: its status and what it said.
fn promtool(text: &str) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), said)
}

/// A rules file applied to an empty fake table, every counter and rate made non-zero (and
/// one counter past 2^53, where a float loses digits), with a sync daemon of each role.
fn table_of(rules: &str) -> FakeTable {
    let text = std::fs::read_to_string(rules).unwrap();
    let mut table = FakeTable::empty();
    for change in lvstop::rules::parse_rules(&text).unwrap() {
        table.apply(&change).unwrap();
    }
    for (i, (service, dests)) in table.services.iter_mut().enumerate() {
        let n = i as u64 + 1;
        service.stats = traffic(n);
        for (dest, _) in dests {
            dest.active_conns = 3;
            dest.inactive_conns = 4;
            dest.stats = traffic(n + 1);
        }
    }
    table
}

fn traffic(n: u64) -> Stats {
    Stats {
        conns: n,
        inpkts: 10 * n,
        outpkts: 9 * n,
        inbytes: (1 << 60) + n,
        outbytes: 1000 * n,
        cps: n,
        inpps: 2 * n,
        outpps: 3 * n,
        inbps: 400 * n,
        outbps: 500 * n,
    }
}

#[test]
fn every_golden_table_passes_promtool() {
    if !promtool_or_skip("openmetrics_promtool::every_golden_table_passes_promtool") {
        return;
    }
    let sy0 = Interface::new("sy0").unwrap();
    let daemons = vec![SyncDaemon::new(SyncRole::Master, sy0)];
    for rules in [
        "tests/golden/table.rules",
        "tests/golden/random-6.12/table.rules",
    ] {
        let mut table = table_of(rules);
        let snapshot = table.snapshot().unwrap();
        let dests: usize = snapshot.services.iter().map(|e| e.dests.len()).sum();
        assert!(dests > 10, "{rules}: {dests} real servers");
        // An alert on every real server.
        let alerts: HashMap<_, _> = snapshot
            .services
            .iter()
            .flat_map(|e| e.dests.iter().map(|d| (e.service.key, d.key())))
            .map(|k| (k, ("at_limit", "critical")))
            .collect();
        // Two states with entries on every real server, one named as no kernel would.
        let states: HashMap<_, _> = snapshot
            .services
            .iter()
            .flat_map(|e| e.dests.iter().map(|d| (e.service.key, d.key())))
            .map(|k| {
                (
                    k,
                    vec![("ESTABLISHED".to_string(), 5), ("X\"\\\n".to_string(), 1)],
                )
            })
            .collect();
        for netns in ["", "lb-1", "a\"b\\c\nd\u{1b}[2J"] {
            let mut sink = OpenMetricsSink::new(netns);
            sink.set_extras(Extras {
                daemons: Some(daemons.clone()),
                conn_states: Some(states.clone()),
                alerts: Some(alerts.clone()),
            });
            let text = render(&mut sink, &snapshot, SystemTime::now());
            let (ok, said) = promtool(&text);
            assert!(
                ok,
                "{rules}, netns {netns:?}: promtool said\n{said}\n{text}"
            );
            // 13 series per service and 17 + 2 states + 1 alert per real server, and the
            // alerts' count: none merged away.
            let samples = text.lines().filter(|l| !l.starts_with('#')).count();
            let want = 3 + 3 + 1 + 13 * snapshot.services.len() + 20 * dests;
            assert_eq!(samples, want, "{rules}");
        }
    }
}

#[test]
fn the_demo_director_passes_promtool() {
    if !promtool_or_skip("openmetrics_promtool::the_demo_director_passes_promtool") {
        return;
    }
    // Without and with -c (the entries by state).
    for (c, series) in [
        (None, "lvstop_backend_connections_active{"),
        (Some("-c"), "lvstop_backend_connections_by_state{"),
    ] {
        let mut args = vec![
            "-b",
            "-n",
            "1",
            "--demo",
            "--demo-seed",
            "7",
            "--format",
            "openmetrics",
        ];
        args.extend(c);
        let out = Command::new(LVSTOP).args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(series), "{args:?}: {text}");
        let (ok, said) = promtool(&text);
        assert!(ok, "{args:?}: promtool said\n{said}\n{text}");
    }
}
