//! The project's own shell scripts (tools/, vm/, .ci/, examples/bench/): each parses
//! (`bash -n`, `sh -n`), so a quoting slip in a benchmark's table printer is found here
//! and not at the end of an hour's run; and `tools/bench-conns-table` prints its tables
//! from a results file.
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Files under `dir` (not following links: vm/cache is a download) whose first line
/// names a shell, with that shell.
fn scripts(dir: &Path, found: &mut Vec<(PathBuf, &'static str)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            scripts(&path, found);
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        let Ok(text) = std::fs::read(&path) else {
            continue;
        };
        let first = text.split(|&b| b == b'\n').next().unwrap_or_default();
        let first = String::from_utf8_lossy(first);
        let shell = if !first.starts_with("#!") {
            continue;
        } else if first.contains("bash") {
            "bash"
        } else if first.ends_with("/sh") || first.ends_with(" sh") {
            "sh"
        } else {
            continue;
        };
        found.push((path, shell));
    }
}

#[test]
fn every_project_shell_script_parses() {
    let mut found = Vec::new();
    for dir in ["tools", "vm", ".ci", "examples/bench"] {
        scripts(&root().join(dir), &mut found);
    }
    assert!(
        found.iter().any(|(p, _)| p.ends_with("tools/bench")),
        "the walk found no scripts: {found:?}"
    );
    let mut broken = Vec::new();
    for (path, shell) in &found {
        let out = Command::new(shell).arg("-n").arg(path).output().unwrap();
        if !out.status.success() {
            broken.push(format!(
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "scripts that do not parse:\n{}",
        broken.join("\n")
    );
}

#[test]
fn bench_conns_table_prints_the_three_tables() {
    let dir = std::env::temp_dir().join(format!("lvstop-conns-table-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // A results file as tools/bench --connections writes it (names from a real run).
    std::fs::write(
        dir.join("conns-50000.txt"),
        "conns=50000\nconns_entries=50064\n\
         conns_cat_wall_s=4.0000 conns_cat_cpu_s=3.9000 conns_cat_entries=50064\n\
         conns_exact_wall_s=4.2000 conns_exact_cpu_s=4.1000 conns_exact_entries=50064\n\
         conns_exact_share_rs_192.0.2.11:53=0.1667\n\
         conns_ipvsadm_wall_s=16.0000 conns_ipvsadm_cpu_s=15.5000 conns_ipvsadm_entries=50064\n\
         conns_sampled_wall_s=0.0800 conns_sampled_cpu_s=0.0800 conns_sampled_entries=4000\n\
         conns_sampled_share_rs_192.0.2.11:53=0.1800\n\
         tui_noview_vmhwm_kib=7852\ntui_view_vmhwm_kib=9500\ntui_view_key_max_ms=23.1\n",
    )
    .unwrap();
    let out = Command::new(root().join("tools/bench-conns-table"))
        .arg(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for want in [
        "(a') cat ip_vs_conn_sync",
        "| 50000 | 50064 | 4000 (3900) |",
        "**1.05** met | **0.26** met",
        "192.0.2.11:53 18.0 / 16.7",
        "**1.6** met",
        "**23.1** met",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
}
