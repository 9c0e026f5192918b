//! `lvstop completions SHELL` and `lvstop man`, judged by the real programs: bash loads the
//! script and its `_lvstop` completes `--for` to `--format`; zsh and fish parse theirs and
//! complete the same flag (zsh interactively, in tmux, through compinit); groff renders every
//! page with all warnings on and prints none.
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::host_tools::present_or_skip;

fn lvstop(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_lvstop"))
        .args(args)
        .output()
        .expect("run lvstop");
    assert!(
        out.status.success(),
        "lvstop {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn script(shell: &str) -> Vec<u8> {
    lvstop(&["completions", shell]).stdout
}

/// A scratch directory of this test's own, removed first if a run left it.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lvstop-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_shell(program: &str, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bash_loads_the_script_and_completes_a_flag() {
    if !present_or_skip("bash_loads_the_script_and_completes_a_flag", &["bash"]) {
        return;
    }
    let mut input = script("bash");
    // COMP_WORDS as bash sets them for `lvstop --for<Tab>`, then for a value and a subcommand.
    input.extend_from_slice(
        br#"
complete -p lvstop
COMP_WORDS=(lvstop --for); COMP_CWORD=1; _lvstop lvstop --for lvstop
echo "flag: ${COMPREPLY[*]}"
COMP_WORDS=(lvstop --format ""); COMP_CWORD=2; _lvstop lvstop "" --format
echo "value: ${COMPREPLY[*]}"
COMP_WORDS=(lvstop completions ""); COMP_CWORD=2; _lvstop lvstop "" completions
echo "shell: ${COMPREPLY[*]}"
"#,
    );
    let (code, out, err) = run_shell("bash", &["--norc", "--noprofile", "-s"], &input);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.is_empty(), "bash said: {err}");
    assert!(
        out.lines().any(|l| l.starts_with("complete ")
            && l.contains("-F _lvstop")
            && l.ends_with(" lvstop")),
        "complete -p lvstop: {out}"
    );
    assert!(out.contains("flag: --format\n"), "{out}");
    assert!(out.contains("value: text json save"), "{out}");
    assert!(out.contains("bash zsh fish"), "{out}");
}

#[test]
fn fish_parses_the_script_and_completes_a_flag() {
    if !present_or_skip("fish_parses_the_script_and_completes_a_flag", &["fish"]) {
        return;
    }
    let dir = scratch("fish");
    let file = dir.join("lvstop.fish");
    std::fs::write(&file, script("fish")).unwrap();
    let f = file.to_str().unwrap();
    let (code, out, err) = run_shell("fish", &["--no-execute", f], b"");
    assert_eq!(code, 0, "fish --no-execute: {out}{err}");
    let (code, out, err) = run_shell(
        "fish",
        &[
            "--no-config",
            "-c",
            &format!("source {f}; complete -C 'lvstop --for'"),
        ],
        b"",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["--format\tBatch output format"],
        "{err}"
    );
    let (code, out, err) = run_shell(
        "fish",
        &[
            "--no-config",
            "-c",
            &format!("source {f}; complete -C 'lvstop completions '"),
        ],
        b"",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["bash", "fish", "zsh"],
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// tmux on a private socket, killed on drop even when an assertion fails.
struct Tmux(String);

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.0])
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p"]).stdout).into_owned()
    }

    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

#[test]
fn zsh_parses_the_script_and_completes_a_flag() {
    if !present_or_skip(
        "zsh_parses_the_script_and_completes_a_flag",
        &["zsh", "tmux"],
    ) {
        return;
    }
    let dir = scratch("zsh");
    // compinit finds a completion by its file name in $fpath: `_lvstop`, as the package installs it.
    std::fs::write(dir.join("_lvstop"), script("zsh")).unwrap();
    let file = dir.join("_lvstop");
    let (code, out, err) = run_shell("zsh", &["-n", file.to_str().unwrap()], b"");
    assert_eq!(code, 0, "zsh -n: {out}{err}");
    complete_in_zsh(&dir);
    std::fs::remove_dir_all(dir).unwrap();
}

/// An interactive zsh without any user configuration, completing `lvstop --for<Tab>`.
fn complete_in_zsh(dir: &Path) {
    let tmux = Tmux(format!("lvstop-zsh-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    let shell = format!("env -i TERM=xterm HOME={d} PS1='zsh> ' zsh -f");
    let started = tmux.cmd(&["new-session", "-d", "-x", "100", "-y", "10", &shell]);
    assert!(
        started.status.success(),
        "tmux: {}",
        String::from_utf8_lossy(&started.stderr)
    );
    tmux.wait_for("the prompt", |s| s.contains("zsh>"));
    let setup = format!("fpath=({d} $fpath); autoload -U compinit && compinit -u -D; echo ready");
    tmux.cmd(&["send-keys", "-l", &setup]);
    tmux.cmd(&["send-keys", "Enter"]);
    tmux.wait_for("compinit", |s| s.lines().any(|l| l == "ready"));
    tmux.cmd(&["send-keys", "-l", "lvstop --for"]);
    tmux.cmd(&["send-keys", "Tab"]);
    tmux.wait_for("lvstop --for<Tab> to become --format=", |s| {
        s.lines().any(|l| l.trim_end() == "zsh> lvstop --format=")
    });
}

#[test]
fn every_man_page_renders_without_warnings() {
    if !present_or_skip("every_man_page_renders_without_warnings", &["groff"]) {
        return;
    }
    let list = String::from_utf8(lvstop(&["man", "--list"]).stdout).unwrap();
    let pages: Vec<&str> = list.lines().collect();
    assert!(pages.len() >= 4 && pages[0] == "lvstop", "{pages:?}");
    for page in pages {
        let roff = match page.strip_prefix("lvstop-") {
            Some(sub) => lvstop(&["man", sub]).stdout,
            None => lvstop(&["man"]).stdout,
        };
        let (code, text, err) = run_shell("groff", &["-man", "-Tutf8", "-ww", "-P-cbou"], &roff);
        assert_eq!(code, 0, "{page}: {err}");
        assert!(err.is_empty(), "{page}: groff warned: {err}");
        // NAME and the synopsis as man shows them, with the flags the options define.
        let name = page.replace('-', "\u{2010}");
        assert!(
            text.contains("NAME") && text.contains("SYNOPSIS"),
            "{page}:\n{text}"
        );
        assert!(
            text.contains(page) || text.contains(&name),
            "{page} not named in its page:\n{text}"
        );
    }
    let root = String::from_utf8(lvstop(&["man"]).stdout).unwrap();
    let (_, text, _) = run_shell(
        "groff",
        &["-man", "-Tutf8", "-ww", "-P-cbou"],
        root.as_bytes(),
    );
    assert!(
        text.contains("--format") || text.contains("‐‐format"),
        "{text}"
    );
}

#[test]
fn an_unknown_page_is_a_usage_error_naming_the_pages() {
    let out = Command::new(env!("CARGO_BIN_EXE_lvstop"))
        .args(["man", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no command 'nope'") && err.contains("lvstop-apply"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let out = Command::new(env!("CARGO_BIN_EXE_lvstop"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[possible values: bash, zsh, fish]"));
}
