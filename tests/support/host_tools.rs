//! Host programs a test needs (shells, groff, lintian, dpkg): present, or the test is skipped
//! with the reason, except under `CI=true` or `LVSTOP_REQUIRE_VM=1`, where CI must never pass by
//! skipping (vm/setup's host_pkgs installs them there).

use std::io::Write;
use std::path::PathBuf;

/// The full path of `program` on PATH, if any.
pub fn which(program: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// True if every program is on PATH; else prints `SKIPPED <test>: ...` and returns false, or
/// panics under CI.
pub fn present_or_skip(test: &str, programs: &[&str]) -> bool {
    let missing: Vec<&str> = programs
        .iter()
        .copied()
        .filter(|p| which(p).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    skip(
        test,
        &format!(
            "{} not installed (vm/setup installs them)",
            missing.join(", ")
        ),
    );
    false
}

/// Skips `test` with `reason`, or fails under CI.
pub fn skip(test: &str, reason: &str) {
    let line = format!("SKIPPED {test}: {reason}");
    if std::env::var("CI").is_ok_and(|v| v == "true")
        || std::env::var("LVSTOP_REQUIRE_VM").is_ok_and(|v| v == "1")
    {
        panic!("{line} (CI=true or LVSTOP_REQUIRE_VM=1: not skipping)");
    }
    // Straight to fd 2: the test harness captures eprintln!, and a skip must be seen.
    let _ = writeln!(std::io::stderr(), "{line}");
}
