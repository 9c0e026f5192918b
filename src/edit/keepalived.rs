//! Whether keepalived runs here: it owns the IPVS table it configured and
//! puts its own settings back, so manual changes may not last.

use std::path::Path;

/// Scans /proc/*/comm for `keepalived`.
pub fn keepalived_running() -> bool {
    keepalived_running_in(Path::new("/proc"))
}

/// The same scan over another proc mount (tests, other PID namespaces).
pub fn keepalived_running_in(proc: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(proc) else {
        return false;
    };
    entries.flatten().any(|e| {
        let name = e.file_name();
        let is_pid = name
            .to_str()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
        // A process may exit between listing and reading: that is "not it".
        is_pid
            && std::fs::read_to_string(e.path().join("comm"))
                .is_ok_and(|comm| comm.trim_end_matches('\n') == "keepalived")
    })
}
