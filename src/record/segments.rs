//! A recording's files: FILE is the segment being written, FILE.1 the one
//! before it, FILE.2 older still (as logrotate names them). Rotating renames
//! each one up and starts a new FILE; the oldest go when the bound is met.

use std::fs;
use std::path::{Path, PathBuf};

/// More segments than this are not looked for (a bound for hostile dirs).
pub const MAX_SEGMENTS: usize = 10_000;

pub fn numbered(base: &Path, n: usize) -> PathBuf {
    let mut name = base.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

/// How many rotated segments exist: FILE.1 to FILE.n without a hole.
pub fn rotated_count(base: &Path) -> usize {
    (1..=MAX_SEGMENTS)
        .take_while(|&n| fs::symlink_metadata(numbered(base, n)).is_ok())
        .count()
}

/// Every segment's path, oldest first, the current (FILE) last if it exists.
pub fn oldest_first(base: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = (1..=rotated_count(base))
        .rev()
        .map(|n| numbered(base, n))
        .collect();
    if fs::symlink_metadata(base).is_ok() {
        paths.push(base.to_path_buf());
    }
    paths
}

/// Moves FILE.n to FILE.n+1 for each rotated segment, then FILE to FILE.1.
pub fn shift(base: &Path) -> std::io::Result<()> {
    for n in (1..=rotated_count(base)).rev() {
        fs::rename(numbered(base, n), numbered(base, n + 1))?;
    }
    fs::rename(base, numbered(base, 1))
}

/// Deletes the oldest rotated segments until the rotated ones hold at most
/// `keep` bytes.
pub fn prune(base: &Path, keep: u64) -> std::io::Result<()> {
    let count = rotated_count(base);
    let sizes: Vec<u64> = (1..=count)
        .map(|n| {
            fs::metadata(numbered(base, n))
                .map(|m| m.len())
                .unwrap_or(0)
        })
        .collect();
    let mut total: u64 = sizes.iter().sum();
    for n in (1..=count).rev() {
        if total <= keep {
            break;
        }
        fs::remove_file(numbered(base, n))?;
        total -= sizes[n - 1];
    }
    Ok(())
}

/// Makes renames and new files in `path`'s directory survive a crash.
pub fn sync_dir(path: &Path) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::File::open(dir)?.sync_all()
}
