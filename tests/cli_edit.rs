//! The command line's editing options: `--journal`, `-r/--read-only`, and `lvstop apply`
//! journaling every change (against the demo director: no root needed).

use std::process::{Command, Output};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

fn lvstop(args: &[&str]) -> Output {
    Command::new(LVSTOP)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap()
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lvstop-cli-edit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn apply_journals_every_change_with_the_demo_namespace() {
    let dir = scratch("apply");
    let rules = dir.join("r.rules");
    std::fs::write(
        &rules,
        "-A -t 198.51.100.1:80 -s rr\n-a -t 198.51.100.1:80 -r 10.9.9.9:80 -m -w 3\n",
    )
    .unwrap();
    let journal = dir.join("state/journal.jsonl");
    let o = lvstop(&[
        "--demo",
        "--journal",
        journal.to_str().unwrap(),
        "apply",
        rules.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines.iter().all(|l| l.contains(r#""namespace":"demo""#)),
        "{text}"
    );
    assert!(lines[1].contains(r#""answer":"ok""#), "{text}");
    assert!(lines[3].contains(r#""ipvsadm":"-a -t 198.51.100.1:80 -r 10.9.9.9:80 -m -w 3""#));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn apply_refuses_read_only_and_an_unwritable_journal() {
    let dir = scratch("refuse");
    let rules = dir.join("r.rules");
    std::fs::write(&rules, "-A -t 198.51.100.1:80 -s rr\n").unwrap();
    let o = lvstop(&["--demo", "-r", "apply", rules.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--read-only"));
    // A journal under a regular file cannot be created.
    let o = lvstop(&[
        "--demo",
        "--journal",
        rules.join("journal.jsonl").to_str().unwrap(),
        "apply",
        rules.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("cannot write the journal at") && err.contains("nothing was applied"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
