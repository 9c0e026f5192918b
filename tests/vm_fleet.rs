//! lvstop over ssh to three directors in the VM (6.1, 6.12): each a network namespace with its
//! own IPVS table built with ipvsadm and its own OpenSSH server on a veth address, keys and
//! known_hosts made by the test (vm/labs/fleet.sh, tests/support/fleet.rs).
//!
//! - the batch listing of the three, text and JSON, equals each director's `ipvsadm -Ln`;
//! - `--diff` exits 0 on equal tables, and lists a weight changed and a service added on one
//!   director (exit 1);
//! - a weight change sent to all three through `RemoteDirector` reaches all three (ipvsadm as
//!   judge), and each director's journal records it with the requesting user;
//! - a director whose sshd and sessions are killed turns stale while the others stay live and
//!   answer at once, and comes back once its sshd is up again;
//! - agents that send a malformed line, a 2 MiB line, or escape sequences are marked bad, and
//!   no escape byte reaches lvstop's output.
//!
//! The driver is this test binary run inside the VM (`LVSTOP_FLEET_IN_VM=1`, see `in_vm`).
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use lvstop::backend::{Reader, Writer};
use lvstop::fleet::protocol::PROTOCOL_VERSION;
use lvstop::fleet::remote::{DirectorState, RemoteDirector};
use lvstop::model::{Change, Protocol, ServiceKey};
use support::fleet::{self, ipvsadm_ln, ipvsadm_rows, json_rows, lab, lvstop_over_ssh, FLEET};
use support::vm::{kernels, vm_or_skip};

const HOSTS: [&str; 6] = ["--host", "d1", "--host", "d2", "--host", "d3"];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut a: Vec<&str> = extra.to_vec();
    a.extend_from_slice(&HOSTS);
    a
}

fn text(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn step(name: &str, started: Instant) {
    println!("STEP {name} at {:.1} s", started.elapsed().as_secs_f64());
}

/// Inside the VM, after `fleet_setup 3`.
#[test]
fn in_vm() {
    if std::env::var("LVSTOP_FLEET_IN_VM").is_err() {
        return;
    }
    let started = Instant::now();

    // Text: each director's section is its ipvsadm -Ln, byte for byte.
    let out = lvstop_over_ssh(&args(&["-b", "-n", "1"]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let sections: Vec<&str> = stdout.split("==> ").skip(1).collect();
    assert_eq!(sections.len(), 3, "{stdout}");
    for (i, section) in sections.iter().enumerate() {
        let ns = format!("d{}", i + 1);
        let body = section
            .strip_prefix(&format!("{ns} <==\n"))
            .unwrap_or_else(|| panic!("{ns}'s header: {section}"));
        assert_eq!(body, ipvsadm_ln(&ns), "{ns}");
    }
    step("text listing equals ipvsadm -Ln", started);

    // JSON: one object per director, its rows those of its ipvsadm -Ln.
    let out = lvstop_over_ssh(&args(&["-b", "-n", "1", "--format", "json"]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let objects: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(objects.len(), 3, "{stdout}");
    for (i, o) in objects.iter().enumerate() {
        let ns = format!("d{}", i + 1);
        assert_eq!(o["director"], ns.as_str());
        assert_eq!(o["director_state"], "live");
        let want = ipvsadm_rows(&ipvsadm_ln(&ns));
        assert_eq!(want.len(), 3, "{want:?}");
        assert_eq!(json_rows(o), want, "{ns}");
    }
    step("JSON equals ipvsadm -Ln", started);

    // --diff: equal, then a weight and a service on one director only.
    let out = lvstop_over_ssh(&args(&["-b", "-n", "1", "--diff"]));
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(out.stdout.is_empty(), "{:?}", text(&out));
    lab("fleet_ipvsadm d3 -e -t 192.0.2.10:80 -r 10.0.0.2:80 -m -w 7 && fleet_ipvsadm d2 -A -t 192.0.2.11:80 -s rr");
    let out = lvstop_over_ssh(&args(&["-b", "-n", "1", "--diff"]));
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("192.0.2.11:80") && l.contains("d2")),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("10.0.0.2:80") && l.contains("weight") && l.contains("7 on d3")),
        "{stdout}"
    );
    lab("fleet_ipvsadm d3 -e -t 192.0.2.10:80 -r 10.0.0.2:80 -m -w 2 && fleet_ipvsadm d2 -D -t 192.0.2.11:80");
    step("--diff lists a weight and a service on one only", started);

    // A change sent to all three.
    let mut directors = fleet::connect(&["d1", "d2", "d3"], 1.0);
    for d in &directors {
        let s = d.wait_settled(Duration::from_secs(60));
        assert!(matches!(s.state, DirectorState::Live { .. }), "{s:?}");
    }
    let service = ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: "192.0.2.10".parse().unwrap(),
        port: 80,
    };
    for d in directors.iter_mut() {
        let mut dest = d
            .dests(&service)
            .unwrap()
            .into_iter()
            .find(|x| x.port == 80 && x.addr.to_string() == "10.0.0.1")
            .unwrap();
        dest.weight = 9;
        d.apply(&Change::EditDest { service, dest })
            .unwrap_or_else(|e| panic!("{}: {e}", d.name()));
    }
    for ns in ["d1", "d2", "d3"] {
        let rows = ipvsadm_rows(&ipvsadm_ln(ns));
        assert!(
            rows.contains("TCP 192.0.2.10:80 wlc|10.0.0.1:80 Masq 9"),
            "{ns}: {rows:?}"
        );
        let journal = fleet::journal(ns);
        let result = journal
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|r| r["record"] == "result" && r["change"]["op"] == "edit_dest")
            .unwrap_or_else(|| panic!("{ns}: no result in its journal:\n{journal}"));
        assert_eq!(result["requested_by"], "tester@vm", "{ns}: {result}");
        assert_eq!(result["change"]["dest"]["weight"], 9, "{ns}: {result}");
        assert_eq!(result["answer"], "ok", "{ns}: {result}");
        assert_eq!(result["after"]["dest"]["weight"], 9, "{ns}: {result}");
    }
    step(
        "a weight change sent to all reaches all, each journals it",
        started,
    );

    // d2's sshd and sessions killed: stale, the others live and answering at once; then back.
    let before = directors[1].status().last_reading.unwrap();
    lab("fleet_kill_sshd d2");
    let stale = wait_for(&directors[1], Duration::from_secs(30), |s| {
        matches!(s, DirectorState::Stale { .. })
    });
    println!("d2: {stale:?}");
    for i in [0, 2] {
        let t = Instant::now();
        assert!(directors[i].snapshot().is_ok());
        assert!(t.elapsed() < Duration::from_millis(100));
        assert!(matches!(
            directors[i].status().state,
            DirectorState::Live { .. }
        ));
    }
    // Its last table stays readable.
    assert!(directors[1].snapshot().is_ok());
    step("d2 stale, d1 and d3 live", started);
    lab("fleet_sshd d2");
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let s = directors[1].status();
        if matches!(s.state, DirectorState::Live { .. })
            && s.last_reading.is_some_and(|r| r > before)
        {
            break;
        }
        assert!(Instant::now() < until, "d2 did not come back: {s:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    step("d2 back", started);
    drop(directors);

    // Agents breaking the protocol, one behaviour per director.
    let fake = format!("{FLEET}/fake-agent");
    // The fake speaks this lvstop's protocol, so it is refused for its lines alone.
    let agent = FAKE_AGENT.replace(
        r#""protocol":1,"#,
        &format!(r#""protocol":{PROTOCOL_VERSION},"#),
    );
    std::fs::write(&fake, agent).unwrap();
    lab(&format!("chmod 755 {fake}"));
    let out = Command::new(fleet::lvstop())
        .arg("--ssh-config")
        .arg(format!("{FLEET}/ssh_config"))
        .arg("--remote-lvstop")
        .arg(&fake)
        .args(args(&["-b", "-n", "1"]))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    for want in [
        "d1: bad (the agent sent a malformed message",
        "d2: bad (the agent sent a line of ",
        "d3: bad (the agent sent a host name holding the control character U+001B",
    ] {
        assert!(stderr.contains(want), "{want}: {stderr}");
    }
    assert!(
        !out.stdout.contains(&0x1b) && !out.stderr.contains(&0x1b),
        "an escape byte got through: {stderr:?}"
    );
    println!("fake agents: {stderr}");
    step("bad agents marked bad, nothing raw", started);
}

fn wait_for(
    d: &RemoteDirector,
    within: Duration,
    ok: impl Fn(&DirectorState) -> bool,
) -> DirectorState {
    let until = Instant::now() + within;
    loop {
        let s = d.status().state;
        if ok(&s) {
            return s;
        }
        assert!(Instant::now() < until, "{}: still {s:?}", d.name());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A fake agent: a good hello, then per director (by the address ssh reached) a malformed
/// line (d1), a 2 MiB line (d2), or escape sequences: a JSON-escaped ESC in the host name
/// and, had lvstop taken that, a raw one (d3).
const FAKE_AGENT: &str = r#"#!/bin/sh
hello='{"type":"hello","protocol":1,"lvstop":"0.1.0","host":"HOST","ipvs":"1.2.1","capabilities":["read"],"read_only":true,"netns":"host","interval_ms":1000}'
case "$SSH_CONNECTION" in
*" 198.51.100.2 "*) echo "$hello" | sed 's/HOST/d1/'; printf '{"type":"reading",,,\n' ;;
*" 198.51.100.6 "*) echo "$hello" | sed 's/HOST/d2/'; head -c 2097152 /dev/zero | tr '\0' a; echo ;;
*) echo "$hello" | sed 's/HOST/d3\\u001b]0;owned\\u0007\\u001b[2J/'; printf '{"type":"failed","at_ms":1,"reason":"\033[2J"}\n' ;;
esac
sleep 30
"#;

#[test]
fn fleet_over_ssh() {
    let Some(vm) = vm_or_skip("vm_fleet::fleet_over_ssh") else {
        return;
    };
    let exe = std::env::current_exe().expect("this test binary");
    for kernel in kernels() {
        let script = format!(
            "{}LVSTOP_FLEET_IN_VM=1 {} --exact in_vm --nocapture --test-threads=1",
            fleet::setup(3),
            exe.display()
        );
        let out = vm.clone().with_timeout(240).run(kernel, &script);
        println!("kernel {kernel}:\n{}", out.stdout);
        out.assert_ok();
    }
}
