//! A program on the test VM's serial console, driven from a host tmux session.
//!
//! `vm/run --console` makes the VM's serial console the caller's terminal; here that terminal
//! is a pane of a private tmux server (`tmux -L <unique socket>`), sized COLS x ROWS, so a
//! test can type keys into the program (`send_keys`) and read what it drew (`screen`).
//!
//! ```ignore
//! let Some(vm) = vm_or_skip("my_test") else { return };
//! let mut c = Console::start(&vm, "6.1", 200, 60, "exec target/debug/lvstop");
//! c.wait_for("the header", |s| s.contains("lvstop"), Duration::from_secs(120));
//! c.send_keys(&["Down", "Enter"]);
//! c.send_keys(&["q"]);
//! let exit = c.finish(Duration::from_secs(60));
//! assert_eq!(exit.status, 0);
//! ```
//!
//! The script runs with bash inside the VM from the repository root. Files it writes under
//! `/run/vmjob/` come back in [`ConsoleExit::files`]. The VM's `/tmp` and `/run` are private:
//! keep binaries and inputs under /work (the host's `/` is shared read-only).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::vm::{kernels, Slot, Vm, VM_FAILURE};

/// How often `wait_for` and `finish` look again.
const POLL: Duration = Duration::from_millis(200);

/// Hard limit for one console VM (`vm/run --timeout`), so nothing outlives a stuck test.
const VM_TIMEOUT_SECS: u64 = 900;

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A running console VM in a private tmux server. Dropping it kills the server (and with it
/// the VM); [`Console::finish`] waits for a clean exit instead.
pub struct Console {
    socket: String,
    kernel: String,
    /// Host-side working directory: the script, vm/run's stderr, the exit status.
    dir: PathBuf,
    started: Instant,
    done: bool,
    _slot: Slot,
}

/// How a console VM ended.
#[derive(Debug)]
pub struct ConsoleExit {
    pub kernel: String,
    /// The script's exit status (125: the VM failed or timed out, see `vm_stderr`).
    pub status: i32,
    /// The last screen before the pane was closed.
    pub screen: String,
    /// What vm/run printed on its stderr (boot failures, timeouts).
    pub vm_stderr: String,
    /// Text of every file the script left in /run/vmjob (by name, top level only).
    pub files: BTreeMap<String, String>,
    /// Seconds from start to exit.
    pub secs: f64,
}

impl ConsoleExit {
    /// A file the script wrote to /run/vmjob/NAME; panics (showing the screen) if absent.
    #[track_caller]
    pub fn file(&self, name: &str) -> &str {
        match self.files.get(name) {
            Some(text) => text,
            None => panic!(
                "kernel {}: the script left no /run/vmjob/{name} (files: {:?}); status {}\n\
                 --- vm/run stderr:\n{}\n--- screen:\n{}",
                self.kernel,
                self.files.keys().collect::<Vec<_>>(),
                self.status,
                self.vm_stderr,
                self.screen
            ),
        }
    }

    /// Panics with everything known unless the script exited 0.
    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        if self.status != 0 {
            panic!(
                "console script (kernel {}) exited {}{}\n--- vm/run stderr:\n{}\n--- screen:\n{}",
                self.kernel,
                self.status,
                if self.status == VM_FAILURE {
                    " (VM failure or timeout)"
                } else {
                    ""
                },
                self.vm_stderr,
                self.screen
            );
        }
        self
    }
}

fn tmux(socket: &str, args: &[&str]) -> Output {
    Command::new("tmux")
        .arg("-L")
        .arg(socket)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run tmux: {e}"))
}

/// Single-quotes for sh.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl Console {
    /// Boots `kernel` with `script` (bash, run from the repository root) on its serial
    /// console, in a detached tmux pane of `cols` x `rows`. Takes one of the test binary's VM
    /// slots for the console's lifetime.
    pub fn start(vm: &Vm, kernel: &str, cols: u16, rows: u16, script: &str) -> Console {
        assert!(
            kernels().contains(&kernel),
            "unknown kernel {kernel:?}; known: {:?}",
            kernels()
        );
        let slot = Slot::take();
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let socket = format!("lvstop-console-{}-{n}", std::process::id());
        // Under the target dir, not /tmp: the script must be visible inside the VM.
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(&socket);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let script_path = dir.join("script.sh");
        std::fs::write(&script_path, script).unwrap();
        let d = dir.display().to_string();
        // vm/run's temp dir goes under ours (TMPDIR), so the job share (/run/vmjob inside) can
        // be read while the VM runs. -k keeps it so the files can be collected at the end; the
        // status is written last (via rename) so its presence means "everything is there".
        // The pane stays open afterwards so the final screen can still be read.
        let pane = format!(
            "cd {repo} && TMPDIR={tmpdir} vm/run -k --console --kernel {kernel} --timeout {VM_TIMEOUT_SECS} -- \
             bash {script} 2>{err}; echo $? >{tmp} && mv {tmp} {status}; exec sleep 86400",
            repo = quote(&vm.repo().display().to_string()),
            tmpdir = quote(&d),
            script = quote(&script_path.display().to_string()),
            err = quote(&format!("{d}/vmrun.err")),
            tmp = quote(&format!("{d}/status.tmp")),
            status = quote(&format!("{d}/status")),
        );
        let (c, r) = (cols.to_string(), rows.to_string());
        let out = tmux(
            &socket,
            &[
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "console",
                "-x",
                &c,
                "-y",
                &r,
                &pane,
            ],
        );
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Console {
            socket,
            kernel: kernel.to_string(),
            dir,
            started: Instant::now(),
            done: false,
            _slot: slot,
        }
    }

    pub fn kernel(&self) -> &str {
        &self.kernel
    }

    /// Sends tmux key names (`Down`, `Enter`, `S-Right`, `C-c`, `q`, `#` …), one key per item.
    pub fn send_keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "console"];
        args.extend_from_slice(keys);
        let out = tmux(&self.socket, &args);
        assert!(
            out.status.success(),
            "tmux send-keys {keys:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Types `text` literally (no key-name lookup).
    pub fn type_text(&self, text: &str) {
        let out = tmux(&self.socket, &["send-keys", "-t", "console", "-l", text]);
        assert!(out.status.success(), "tmux send-keys -l {text:?}");
    }

    /// The screen as plain text, one line per row.
    pub fn screen(&self) -> String {
        self.capture(false)
    }

    /// The screen with colours and attributes as ANSI escapes (`capture-pane -e`).
    pub fn screen_ansi(&self) -> String {
        self.capture(true)
    }

    /// The pane's title: what an OSC 0/2 sequence that reached the terminal would have set.
    pub fn pane_title(&self) -> String {
        let out = tmux(
            &self.socket,
            &["display-message", "-p", "-t", "console", "#{pane_title}"],
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn capture(&self, ansi: bool) -> String {
        let mut args = vec!["capture-pane", "-p", "-t", "console"];
        if ansi {
            args.push("-e");
        }
        let out = tmux(&self.socket, &args);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A file the script has written to /run/vmjob/NAME so far (the share is live: the VM
    /// writes straight into a host directory). Write to NAME.tmp and rename, so that a file
    /// seen here is complete.
    pub fn job_file(&self, name: &str) -> Option<String> {
        let entries = std::fs::read_dir(&self.dir).ok()?;
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with("lvstop-vm.") {
                if let Ok(text) = std::fs::read_to_string(e.path().join("job").join(name)) {
                    return Some(text);
                }
            }
        }
        None
    }

    /// Writes /run/vmjob/NAME for the script to see (the share is uncached inside: a script
    /// can poll for the file, e.g. `while [ ! -e /run/vmjob/go ]; do sleep 0.2; done`).
    pub fn job_write(&self, name: &str, text: &str) {
        let job = std::fs::read_dir(&self.dir)
            .ok()
            .and_then(|entries| {
                entries
                    .flatten()
                    .find(|e| e.file_name().to_string_lossy().starts_with("lvstop-vm."))
            })
            .map(|e| e.path().join("job"))
            .unwrap_or_else(|| panic!("kernel {}: the VM has not started yet", self.kernel));
        let tmp = job.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, job.join(name)).unwrap();
    }

    /// Polls every 200 ms until the script has written /run/vmjob/NAME; returns its text.
    /// Panics with the screen on timeout or if the VM exits first.
    #[track_caller]
    pub fn wait_file(&self, name: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(text) = self.job_file(name) {
                return text;
            }
            if let Some(status) = self.status() {
                panic!(
                    "kernel {}: waiting for /run/vmjob/{name}, the VM exited (status {status})\n\
                     --- vm/run stderr:\n{}\n--- screen:\n{}",
                    self.kernel,
                    self.vm_stderr(),
                    self.screen()
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "kernel {}: timed out after {timeout:?} waiting for /run/vmjob/{name}\n--- screen:\n{}",
                    self.kernel,
                    self.screen()
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// The script's exit status once it has ended.
    fn status(&self) -> Option<i32> {
        let text = std::fs::read_to_string(self.dir.join("status")).ok()?;
        Some(text.trim().parse().unwrap_or(VM_FAILURE))
    }

    fn vm_stderr(&self) -> String {
        std::fs::read_to_string(self.dir.join("vmrun.err")).unwrap_or_default()
    }

    /// Polls the screen every 200 ms until `ok(screen)`; returns that screen. Panics with
    /// the last screen after `timeout`, or as soon as the VM has exited without matching.
    #[track_caller]
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if let Some(status) = self.status() {
                panic!(
                    "kernel {}: waiting for {what}, the VM exited (status {status}) after {:.1} s\n\
                     --- vm/run stderr:\n{}\n--- screen:\n{screen}",
                    self.kernel,
                    self.started.elapsed().as_secs_f64(),
                    self.vm_stderr()
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "kernel {}: timed out after {timeout:?} waiting for {what} ({:.1} s since start)\n\
                     --- screen:\n{screen}",
                    self.kernel,
                    self.started.elapsed().as_secs_f64()
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits for the script to end (send the program its quit keys first), then collects the
    /// exit status, the last screen and the files left in /run/vmjob, and closes the tmux
    /// server. Panics with the screen if it does not end within `timeout`.
    #[track_caller]
    pub fn finish(mut self, timeout: Duration) -> ConsoleExit {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(s) = self.status() {
                break s;
            }
            if Instant::now() >= deadline {
                panic!(
                    "kernel {}: the console VM did not end within {timeout:?}\n--- screen:\n{}",
                    self.kernel,
                    self.screen()
                );
            }
            std::thread::sleep(POLL);
        };
        let screen = self.screen();
        let vm_stderr = self.vm_stderr();
        let files = kept_dir(&vm_stderr)
            .map(|kept| {
                let files = read_files(&kept.join("job"));
                let _ = std::fs::remove_dir_all(&kept);
                files
            })
            .unwrap_or_default();
        self.close();
        ConsoleExit {
            kernel: self.kernel.clone(),
            status,
            screen,
            vm_stderr,
            files,
            secs: self.started.elapsed().as_secs_f64(),
        }
    }

    fn close(&mut self) {
        if !self.done {
            self.done = true;
            // Only this test's private server: closing the pane hangs up qemu.
            let _ = tmux(&self.socket, &["kill-server"]);
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        if !self.done {
            self.done = true;
            // Only this test's private server: closing the pane hangs up vm/run and qemu.
            let _ = tmux(&self.socket, &["kill-server"]);
            // vm/run was told to keep its temp dir; it says where once it has stopped.
            std::thread::sleep(Duration::from_secs(1));
            if let Some(kept) = kept_dir(&self.vm_stderr()) {
                let _ = std::fs::remove_dir_all(kept);
            }
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The temp dir `vm/run -k` reports keeping.
fn kept_dir(vm_stderr: &str) -> Option<PathBuf> {
    vm_stderr
        .lines()
        .find_map(|l| l.strip_prefix("vm/run: kept "))
        .map(|p| PathBuf::from(p.trim()))
}

/// The regular files directly in `dir`, as text.
fn read_files(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_file()) {
                if let Ok(bytes) = std::fs::read(e.path()) {
                    files.insert(
                        e.file_name().to_string_lossy().into_owned(),
                        String::from_utf8_lossy(&bytes).into_owned(),
                    );
                }
            }
        }
    }
    files
}
