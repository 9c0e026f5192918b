//! Several directors in the test VM, each a network namespace with its own IPVS table and an
//! OpenSSH server (vm/labs/fleet.sh), and lvstop reaching them over ssh: the harness of
//! tests/vm_fleet.rs, for any VM test that needs a fleet. Everything here but `LAB` runs
//! inside the VM, after `fleet_setup N`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use lvstop::fleet::remote::{RemoteDirector, RemoteOptions};
use lvstop::fleet::ssh::{SshOptions, Target};
use lvstop::fleet::DirectorName;

/// Sources the lab and sets up `$1` directors, d1 ... dN (a shell prefix for `Vm::run`).
/// `XDG_RUNTIME_DIR` points into the lab, so ssh shares its connections between lvstop runs
/// (ControlMaster), as it does for an operator.
pub fn setup(n: usize) -> String {
    format!(
        ". vm/labs/fleet.sh\nfleet_setup {n} || exit 1\nmkdir -p $FLEET/run && chmod 700 $FLEET/run\nexport XDG_RUNTIME_DIR=$FLEET/run\n"
    )
}

/// Where the lab keeps its files.
pub const FLEET: &str = "/tmp/fleet";

/// The lvstop under test, run on both sides (the VM shares the host's files).
pub fn lvstop() -> &'static str {
    env!("CARGO_BIN_EXE_lvstop")
}

/// `lvstop` with the lab's ssh config and remote lvstop, and `args`.
pub fn lvstop_over_ssh(args: &[&str]) -> Output {
    Command::new(lvstop())
        .arg("--ssh-config")
        .arg(Path::new(FLEET).join("ssh_config"))
        .arg("--remote-lvstop")
        .arg(lvstop())
        .args(args)
        .output()
        .expect("run lvstop")
}

/// Remote directors for `names`, as lvstop's own batch and monitor make them.
pub fn connect(names: &[&str], delay: f64) -> Vec<RemoteDirector> {
    let mut ssh = SshOptions::new(delay, false);
    ssh.config = Some(PathBuf::from(FLEET).join("ssh_config"));
    ssh.remote_lvstop = lvstop().to_string();
    names
        .iter()
        .map(|name| {
            let target = Target::parse(name, "--host").expect("a lab director name");
            let ssh = ssh.clone();
            RemoteDirector::connect(
                DirectorName::new(*name),
                Box::new(move || ssh.command(&target)),
                RemoteOptions {
                    user: "tester@vm".into(),
                    silence: Duration::from_secs(15),
                    ..RemoteOptions::default()
                },
            )
        })
        .collect()
}

/// A shell command in the VM, with the lab's functions; panics unless it exits 0.
pub fn lab(command: &str) -> String {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(". vm/labs/fleet.sh\n{command}"))
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "{command}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `ipvsadm -Ln` in a director's namespace.
pub fn ipvsadm_ln(ns: &str) -> String {
    lab(&format!("fleet_ipvsadm {ns} -Ln"))
}

/// The table's configuration in `ipvsadm -Ln`, one row per real server and service:
/// `TCP 192.0.2.10:80 wlc|10.0.0.1:80 Masq 1` (a service without real servers: `...|`).
pub fn ipvsadm_rows(text: &str) -> BTreeSet<String> {
    let mut rows = BTreeSet::new();
    // Each service, and whether a real server followed it.
    let mut services: Vec<(String, bool)> = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words[..] {
            [kind @ ("TCP" | "UDP" | "SCTP" | "FWM"), addr, sched, ..] => {
                services.push((format!("{kind} {addr} {sched}"), false));
            }
            ["->", dest, forward, weight, ..] if dest != "RemoteAddress:Port" => {
                let (s, had) = services
                    .last_mut()
                    .expect("a service before its real servers");
                *had = true;
                rows.insert(format!("{s}|{dest} {forward} {weight}"));
            }
            _ => {}
        }
    }
    for (s, had) in services {
        if !had {
            rows.insert(format!("{s}|"));
        }
    }
    rows
}

/// The same rows from one of lvstop's JSON objects.
pub fn json_rows(object: &serde_json::Value) -> BTreeSet<String> {
    let mut rows = BTreeSet::new();
    for s in object["services"].as_array().expect("services") {
        let service = format!(
            "{} {}",
            s["name"].as_str().expect("name"),
            s["scheduler"].as_str().expect("scheduler")
        );
        let dests = s["dests"].as_array().expect("dests");
        if dests.is_empty() {
            rows.insert(format!("{service}|"));
        }
        for d in dests {
            let forward = match d["forward"].as_str().expect("forward") {
                "masq" => "Masq",
                "route" => "Route",
                "tunnel" => "Tunnel",
                _ => "Local",
            };
            rows.insert(format!(
                "{service}|{}:{} {forward} {}",
                d["addr"].as_str().expect("addr"),
                d["port"],
                d["weight"]
            ));
        }
    }
    rows
}

/// The journal the agent on director `ns` writes (its sshd sets XDG_STATE_HOME).
pub fn journal(ns: &str) -> String {
    std::fs::read_to_string(Path::new(FLEET).join(ns).join("state/lvstop/journal.jsonl"))
        .unwrap_or_default()
}
