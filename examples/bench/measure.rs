//! Wall and CPU clocks of this process and its children, and peak RSS.

use std::time::{Duration, Instant};

/// User+system CPU of this process (`RUSAGE_SELF`) or its waited-for
/// children (`RUSAGE_CHILDREN`).
pub fn cpu(who: i32) -> Duration {
    // SAFETY: getrusage fills a plain struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// utime+stime from /proc/self/stat (clock ticks), as `top` sees it.
pub fn proc_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11).and_then(|s| s.parse().ok()).unwrap_or(0)
        + f.get(12).and_then(|s| s.parse().ok()).unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_nanos(ticks * 1_000_000_000 / hz)
}

/// Peak resident set (VmHWM) in KiB.
pub fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// One timed run: wall and CPU.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub wall: Duration,
    pub cpu: Duration,
}

/// Time `f`, counting this process's CPU (`who` = RUSAGE_SELF) or that of
/// children it waits for (RUSAGE_CHILDREN).
pub fn time<T>(who: i32, f: impl FnOnce() -> T) -> (Sample, T) {
    let c0 = cpu(who);
    let t0 = Instant::now();
    let out = f();
    let wall = t0.elapsed();
    let cpu = cpu(who).saturating_sub(c0);
    (Sample { wall, cpu }, out)
}

/// The median run by wall time (the runs are few and noisy under TCG).
pub fn median(mut runs: Vec<Sample>) -> Sample {
    runs.sort_by_key(|s| s.wall);
    runs[runs.len() / 2]
}

/// The median of the repetitions' own wall-time ratios `a[i] / b[i]`: the
/// readers of one repetition run back to back, under the same load, while
/// the host's speed drifts between repetitions.
pub fn median_ratio(a: &[Sample], b: &[Sample]) -> f64 {
    let mut r: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(a, b)| a.wall.as_secs_f64() / b.wall.as_secs_f64())
        .collect();
    r.sort_by(f64::total_cmp);
    r[r.len() / 2]
}

pub fn secs(d: Duration) -> String {
    format!("{:.4}", d.as_secs_f64())
}
