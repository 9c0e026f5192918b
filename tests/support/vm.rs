//! The project's test VM (a Debian kernel with IPVS under qemu, see `vm/run`) from Rust tests.
//!
//! The host's `/` is shared read-only with the VM, so test binaries and `target/*/lvstop` run
//! inside at the same paths. Only `/tmp` and `/run` are private to the VM.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Condvar, Mutex};

/// Exit status `vm/run` uses when the VM itself failed (boot failure, timeout).
pub const VM_FAILURE: i32 = 125;

/// The kernels `vm/setup` prepares; `LVSTOP_VM_KERNEL=6.1` (or 6.12) runs a suite on that
/// one only, to save a busy machine a second boot while iterating.
pub fn kernels() -> &'static [&'static str] {
    match std::env::var("LVSTOP_VM_KERNEL").as_deref() {
        Ok("6.1") => &["6.1"],
        Ok("6.12") => &["6.12"],
        _ => &["6.1", "6.12"],
    }
}

/// A handle on a set-up test VM; get one with [`vm_or_skip`].
#[derive(Debug, Clone)]
pub struct Vm {
    repo: PathBuf,
    timeout_secs: u64,
}

/// What a command run inside the VM produced.
#[derive(Debug, Clone)]
pub struct VmOutput {
    pub kernel: String,
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

/// The VM if it is set up. Otherwise prints `SKIPPED <test>: ...` on stderr and returns None,
/// except under `CI=true` or `LVSTOP_REQUIRE_VM=1` (set by `tools/test-all`), where a missing VM
/// is a failure: CI must never pass by skipping.
pub fn vm_or_skip(test: &str) -> Option<Vm> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    match missing(&repo) {
        None => Some(Vm {
            repo,
            timeout_secs: 180,
        }),
        Some(reason) => {
            let line = format!(
                "SKIPPED {test}: needs the test VM (run tools/test-all, or vm/setup): {reason}"
            );
            if std::env::var("CI").is_ok_and(|v| v == "true")
                || std::env::var("LVSTOP_REQUIRE_VM").is_ok_and(|v| v == "1")
            {
                panic!("{line} (CI=true or LVSTOP_REQUIRE_VM=1: not skipping)");
            }
            // Straight to fd 2: the test harness captures eprintln!, and a skip must be seen.
            let _ = writeln!(std::io::stderr(), "{line}");
            None
        }
    }
}

fn missing(repo: &Path) -> Option<String> {
    let run = repo.join("vm/run");
    if !run.is_file() {
        return Some(format!("{} not found", run.display()));
    }
    for k in kernels() {
        for f in ["vmlinuz", "initramfs.gz"] {
            let p = repo.join("vm/cache").join(k).join(f);
            if !p.is_file() {
                return Some(format!("{} missing", p.display()));
            }
        }
    }
    let qemu = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("qemu-system-x86_64"))
            .find(|p| p.is_file())
    });
    if qemu.is_none() {
        return Some("qemu-system-x86_64 not installed".into());
    }
    None
}

impl Vm {
    /// Same VM with another timeout for each run (default 180 s; TCG is slow).
    pub fn with_timeout(mut self, secs: u64) -> Self {
        self.timeout_secs = secs;
        self
    }

    /// The repository root (where `vm/run` lives).
    pub fn repo(&self) -> &Path {
        &self.repo
    }

    /// Boots `kernel` and runs `script` with bash inside, from the repository root.
    pub fn run(&self, kernel: &str, script: &str) -> VmOutput {
        self.run_with(kernel, &[], script)
    }

    /// As `run`, with `script` on the VM's serial console (`vm/run --console`; `output()` gives
    /// it no input): what vm/run itself says of the VM comes back on stderr.
    pub fn run_on_console(&self, kernel: &str, script: &str) -> VmOutput {
        self.run_with(kernel, &["--console"], script)
    }

    fn run_with(&self, kernel: &str, options: &[&str], script: &str) -> VmOutput {
        assert!(
            kernels().contains(&kernel),
            "unknown kernel {kernel:?}; known: {:?}",
            kernels()
        );
        let _slot = Slot::take();
        let out = Command::new(self.repo.join("vm/run"))
            .args(options)
            .arg("--kernel")
            .arg(kernel)
            .arg("--timeout")
            .arg(self.timeout_secs.to_string())
            .arg("--")
            .arg("bash")
            .arg("-c")
            .arg(script)
            .current_dir(&self.repo)
            .output()
            .unwrap_or_else(|e| panic!("cannot start vm/run: {e}"));
        VmOutput {
            kernel: kernel.to_string(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            // No code means killed by a signal: treat it like a VM failure.
            status: out.status.code().unwrap_or(VM_FAILURE),
        }
    }
}

impl VmOutput {
    /// Panics, showing everything the command printed, unless it exited 0.
    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        if self.status != 0 {
            panic!(
                "command in VM (kernel {}) exited {}{}\n--- stdout:\n{}\n--- stderr:\n{}",
                self.kernel,
                self.status,
                if self.status == VM_FAILURE {
                    " (VM failure or timeout)"
                } else {
                    ""
                },
                self.stdout,
                self.stderr
            );
        }
        self
    }
}

/// VMs are CPU-heavy under TCG: at most LVSTOP_VM_JOBS (default 2) at once per test binary,
/// since the test harness runs test functions in parallel threads. Console VMs
/// (`support::console`) take one too.
pub struct Slot;

static SLOTS: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

impl Slot {
    pub fn take() -> Slot {
        let limit = std::env::var("LVSTOP_VM_JOBS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or(2);
        let mut used = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
        while *used >= limit {
            used = FREED.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += 1;
        Slot
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *SLOTS.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        FREED.notify_one();
    }
}
