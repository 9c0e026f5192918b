//! The monitor in a real terminal (a private tmux server over `--demo`):
//! SIGTERM and SIGHUP restore the terminal (cooked mode, echo, main screen)
//! and print the reason after it; resizing to 20×5 and 300×100 while it runs
//! neither panics nor garbles: too small says so.

use std::path::Path;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str) -> Option<Tmux> {
        if !Path::new("/usr/bin/tmux").exists() && Command::new("tmux").arg("-V").output().is_err()
        {
            eprintln!("SKIPPED {name}: no tmux");
            return None;
        }
        let t = Tmux {
            socket: format!("lvstop-{name}-{}", std::process::id()),
        };
        t.run(&[
            "new-session",
            "-d",
            "-x",
            "100",
            "-y",
            "30",
            "env TERM=xterm-256color bash --norc --noprofile",
        ]);
        Some(t)
    }

    fn run(&self, args: &[&str]) -> String {
        let o = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p"])
    }

    fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "waited for {what:?}; screen:\n{s}"
            );
            sleep(Duration::from_millis(100));
        }
    }

    /// The pid of the program the pane's shell is running.
    fn child(&self) -> i32 {
        let shell = self.run(&["display", "-p", "#{pane_pid}"]);
        let shell = shell.trim();
        let start = Instant::now();
        loop {
            let kids = std::fs::read_dir(format!("/proc/{shell}/task"))
                .unwrap()
                .filter_map(|t| std::fs::read_to_string(t.unwrap().path().join("children")).ok())
                .collect::<String>();
            if let Some(pid) = kids.split_whitespace().next() {
                return pid.parse().unwrap();
            }
            assert!(start.elapsed() < Duration::from_secs(10), "no child");
            sleep(Duration::from_millis(50));
        }
    }

    /// Starts the demo monitor, then prints its exit status and the terminal
    /// modes once it ends.
    fn start_monitor(&self) -> i32 {
        let cmd = format!(
            "{LVSTOP} --demo --demo-seed 7; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo -e icanon -e -icanon | tr '\\n' ' '; echo EN\"\"D"
        );
        self.run(&["send-keys", &cmd, "Enter"]);
        self.wait_for("Prot LocalAddress:Port");
        self.child()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// What the pane shows from the monitor's exit on (the typed command,
/// echoed above, mentions the same words).
fn after_exit(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines
        .iter()
        .rposition(|l| l.starts_with("EXIT="))
        .unwrap_or_else(|| panic!("no exit status on screen:\n{screen}"));
    // The reason is printed just before the status line.
    lines[at.saturating_sub(1)..].join("\n")
}

fn killed_by(signal: i32, name: &str, test: &str) {
    let Some(t) = Tmux::start(test) else { return };
    let pid = t.start_monitor();
    assert_eq!(t.run(&["display", "-p", "#{alternate_on}"]).trim(), "1");
    // SAFETY: a signal to the child we started.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let screen = after_exit(&t.wait_for("END"));
    assert!(
        screen.contains(&format!("lvstop: stopped by {name}")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("EXIT={}", 128 + signal)),
        "{screen}"
    );
    assert!(
        screen.contains("icanon echo") || screen.contains("echo icanon"),
        "{screen}"
    );
    assert!(
        !screen.contains("-echo") && !screen.contains("-icanon"),
        "{screen}"
    );
    assert!(!screen.contains("panicked"), "{screen}");
    assert_eq!(
        t.run(&["display", "-p", "#{alternate_on}"]).trim(),
        "0",
        "alternate screen left"
    );
}

#[test]
fn sigterm_restores_the_terminal_and_says_why() {
    killed_by(libc::SIGTERM, "SIGTERM", "sigterm");
}

#[test]
fn sighup_restores_the_terminal_and_says_why() {
    killed_by(libc::SIGHUP, "SIGHUP", "sighup");
}

#[test]
fn resizing_while_running_never_panics() {
    let Some(t) = Tmux::start("resize") else {
        return;
    };
    let pid = t.start_monitor();
    t.run(&["resize-window", "-x", "20", "-y", "5"]);
    let small = t.wait_for("Terminal too small");
    assert!(small.contains("20x5"), "{small}");
    t.run(&["resize-window", "-x", "300", "-y", "100"]);
    let big = t.wait_for("Prot LocalAddress:Port");
    assert!(big.lines().count() >= 90, "{big}");
    t.run(&["resize-window", "-x", "100", "-y", "30"]);
    t.wait_for("Prot LocalAddress:Port");
    // Still running after all that, and quits normally.
    // SAFETY: probing our own child.
    assert_eq!(unsafe { libc::kill(pid, 0) }, 0, "still alive");
    t.run(&["send-keys", "q"]);
    let done = after_exit(&t.wait_for("END"));
    assert!(done.contains("EXIT=0"), "{done}");
    assert!(!done.contains("panicked"), "{done}");
}

#[test]
fn term_dumb_on_a_real_terminal_suggests_batch() {
    let Some(t) = Tmux::start("dumb") else { return };
    let cmd = format!("TERM=dumb {LVSTOP} --demo; echo EXIT=$?");
    t.run(&["send-keys", &cmd, "Enter"]);
    // The whole screen: the message may wrap; the typed command has none of its words.
    let screen = t.wait_for("EXIT=1").replace('\n', "");
    assert!(
        screen.contains("lvstop: the monitor needs a terminal") && screen.contains("use --batch"),
        "{screen}"
    );
    assert!(!screen.contains("panicked"), "{screen}");
}
