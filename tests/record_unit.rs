//! assets/lvstop-record.service: its ExecStart is a command line lvstop
//! accepts (recording, bounded), and systemd, where installed, finds nothing
//! wrong with the unit (`systemd-analyze verify`, run on a copy pointing at
//! this build's binary, since the unit names /usr/sbin/lvstop).

use std::path::Path;
use std::process::Command;

use clap::Parser;
use lvstop::cli::Args;

fn unit() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/lvstop-record.service");
    std::fs::read_to_string(path).unwrap()
}

fn exec_start(unit: &str) -> Vec<String> {
    let line = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("an ExecStart line");
    line.split_whitespace().map(String::from).collect()
}

#[test]
fn the_unit_records_with_a_bound() {
    let words = exec_start(&unit());
    assert_eq!(words[0], "/usr/sbin/lvstop");
    let args = Args::try_parse_from(&words).unwrap_or_else(|e| panic!("{e}"));
    assert!(args.batch);
    assert_eq!(
        args.record.as_deref(),
        Some(Path::new("/var/lib/lvstop/record.lvrec"))
    );
    assert_eq!(args.record_max, Some(2 << 30));
    assert_eq!(args.delay, Some(1.0));
}

#[test]
fn systemd_finds_nothing_wrong_with_the_unit() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED systemd_finds_nothing_wrong_with_the_unit: no systemd-analyze here");
        return;
    }
    let dir = std::env::temp_dir().join(format!("lvstop-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("lvstop-record.service");
    let text = unit().replace("/usr/sbin/lvstop", env!("CARGO_BIN_EXE_lvstop"));
    std::fs::write(&copy, text).unwrap();
    // --man=no: the unit's Documentation names the man page a package installs.
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&copy)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
    std::fs::remove_dir_all(&dir).unwrap();
}
