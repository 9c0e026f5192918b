//! What users run: whole processes, each timed by `wait4` (wall, user, sys,
//! peak RSS): `lvstop -b -n 1` in every batch format, the floor reader in a
//! process of its own, and `ipvsadm -Ln --stats --exact`; and the RSS of a
//! long `lvstop -b -d 1` loop.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::fail;

/// The batch formats, as `tools/bench` names them, and their flags.
pub const FORMATS: [(&str, &[&str]); 5] = [
    ("text", &[]),
    ("stats", &["--stats"]),
    ("rate", &["--rate"]),
    ("save", &["--format", "save"]),
    ("json", &["--format", "json"]),
];

/// One process, start to exit.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub wall: Duration,
    pub user: Duration,
    pub sys: Duration,
    pub rss_kib: u64,
}

/// Runs `program args` to its end with stdout discarded; exits the bench if
/// it fails.
// The child is reaped by wait4, which also gives its rusage; Child::wait cannot.
#[allow(clippy::zombie_processes)]
pub fn run(program: &str, args: &[&str]) -> Run {
    let t0 = Instant::now();
    let child = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| fail(&format!("{program}: {e}")));
    let (status, ru) = wait4(child.id() as i32);
    let wall = t0.elapsed();
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        fail(&format!("{program} {args:?}: wait status {status}"));
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Run {
        wall,
        user: tv(ru.ru_utime),
        sys: tv(ru.ru_stime),
        // Linux reports ru_maxrss in KiB.
        rss_kib: ru.ru_maxrss as u64,
    }
}

fn wait4(pid: i32) -> (i32, libc::rusage) {
    let mut status = 0;
    // SAFETY: wait4 fills a plain struct we own, for a child we spawned.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::wait4(pid, &mut status, 0, &mut ru) } != pid {
        fail("wait4 failed");
    }
    (status, ru)
}

fn median_by<T: Copy>(runs: &[T], key: impl Fn(&T) -> f64) -> f64 {
    let mut v: Vec<f64> = runs.iter().map(key).collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn print_runs(name: &str, runs: &[Run]) {
    println!(
        "batch_{name}_wall_s={:.4} batch_{name}_user_s={:.4} batch_{name}_sys_s={:.4} batch_{name}_rss_kib={}",
        median_by(runs, |r| r.wall.as_secs_f64()),
        median_by(runs, |r| r.user.as_secs_f64()),
        median_by(runs, |r| r.sys.as_secs_f64()),
        runs.iter().map(|r| r.rss_kib).max().unwrap_or(0),
    );
}

/// The median of the repetitions' own wall-time ratios `a[i] / b[i]`.
fn ratio(a: &[Run], b: &[Run]) -> f64 {
    let pairs: Vec<(Run, Run)> = a.iter().copied().zip(b.iter().copied()).collect();
    median_by(&pairs, |(a, b)| a.wall.as_secs_f64() / b.wall.as_secs_f64())
}

/// `reps` interleaved repetitions of the floor process, every format and
/// ipvsadm, so drift under a loaded host hits each alike.
pub fn compare(reps: usize, bench: &str, lvstop: &str) {
    let mut floor = Vec::new();
    let mut formats: Vec<Vec<Run>> = vec![Vec::new(); FORMATS.len()];
    let mut ipvsadm = Vec::new();
    // One untimed run first: the page cache holds the binaries from then on.
    run(lvstop, &["-b", "-n", "1"]);
    for _ in 0..reps {
        floor.push(run(bench, &["floor"]));
        for (i, (_, flags)) in FORMATS.iter().enumerate() {
            let mut args = vec!["-b", "-n", "1"];
            args.extend_from_slice(flags);
            formats[i].push(run(lvstop, &args));
        }
        ipvsadm.push(run("ipvsadm", &["-Ln", "--stats", "--exact"]));
    }
    print_runs("floor", &floor);
    for (i, (name, _)) in FORMATS.iter().enumerate() {
        print_runs(name, &formats[i]);
        println!("batch_{name}_over_floor={:.3}", ratio(&formats[i], &floor));
    }
    print_runs("ipvsadm", &ipvsadm);
    let stats = &formats[1];
    println!("batch_ipvsadm_over_stats={:.2}", ratio(&ipvsadm, stats));
    println!(
        "batch_json_over_text={:.3}",
        ratio(&formats[4], &formats[0])
    );
}

/// What starting a process costs, beside what the batch processes cost:
/// `reps` interleaved repetitions of an empty process, the two programs'
/// version flags, the floor process, `--stats` and ipvsadm.
pub fn startup(reps: usize, bench: &str, lvstop: &str) {
    let programs: [(&str, &str, &[&str]); 6] = [
        ("true", "/bin/true", &[]),
        ("ipvsadm_version", "ipvsadm", &["-v"]),
        ("lvstop_version", lvstop, &["--version"]),
        ("floor", bench, &["floor"]),
        ("stats", lvstop, &["-b", "-n", "1", "--stats"]),
        ("ipvsadm", "ipvsadm", &["-Ln", "--stats", "--exact"]),
    ];
    let mut runs: Vec<Vec<Run>> = vec![Vec::new(); programs.len()];
    // One untimed run of each first: the page cache holds them from then on.
    for (_, program, args) in programs {
        run(program, args);
    }
    for _ in 0..reps {
        for (i, (_, program, args)) in programs.iter().enumerate() {
            runs[i].push(run(program, args));
        }
    }
    for (i, (name, _, _)) in programs.iter().enumerate() {
        print_runs(&format!("start_{name}"), &runs[i]);
    }
    let of = |name: &str| &runs[programs.iter().position(|p| p.0 == name).expect("listed")];
    println!(
        "start_ipvsadm_over_stats={:.2}",
        ratio(of("ipvsadm"), of("stats"))
    );
    println!(
        "start_ipvsadm_over_true={:.2}",
        ratio(of("ipvsadm"), of("true"))
    );
}

/// `lvstop -b -d 1 ARGS` for `seconds`: its RSS every 5 s, and the growth of
/// the largest RSS after the first minute over the RSS at that minute.
pub fn soak(seconds: u64, lvstop: &str, args: &[&str]) {
    let mut all = vec!["-b", "-d", "1"];
    all.extend_from_slice(args);
    let mut child = Command::new(lvstop)
        .args(&all)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| fail(&format!("{lvstop}: {e}")));
    let pid = child.id();
    let out = child.stdout.take().expect("piped");
    // Counts readings by their first line (text formats) or line (json).
    let counter = std::thread::spawn(move || {
        let mut readings = 0u64;
        for line in BufReader::new(out).split(b'\n') {
            let Ok(line) = line else { break };
            if line.starts_with(b"IP Virtual Server") || line.starts_with(b"{") {
                readings += 1;
            }
        }
        readings
    });
    let status = format!("/proc/{pid}/status");
    let rss = || -> u64 {
        std::fs::read_to_string(&status)
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    let t0 = Instant::now();
    let mut samples = Vec::new();
    while t0.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_secs(5));
        samples.push((t0.elapsed().as_secs(), rss()));
    }
    // SAFETY: signalling the child we spawned, by its id.
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let _ = child.wait();
    let readings = counter.join().unwrap_or(0);
    let base = samples
        .iter()
        .find(|(t, _)| *t >= 60)
        .map(|s| s.1)
        .unwrap_or_else(|| fail("the soak must run more than a minute"));
    let after: Vec<u64> = samples
        .iter()
        .filter(|(t, _)| *t >= 60)
        .map(|s| s.1)
        .collect();
    let max = after.iter().copied().max().unwrap_or(base);
    let min = after.iter().copied().min().unwrap_or(base);
    let last = *after.last().unwrap_or(&base);
    println!("soak_secs={seconds} soak_args={}", all.join(" "));
    println!("soak_readings={readings}");
    println!(
        "soak_rss_first_kib={} soak_rss_60s_kib={base} soak_rss_min_kib={min} soak_rss_max_kib={max} soak_rss_last_kib={last}",
        samples.first().map(|s| s.1).unwrap_or(0)
    );
    println!(
        "soak_growth_pct={:.2}",
        (max as f64 - base as f64) / base as f64 * 100.0
    );
    let trace: Vec<String> = samples.iter().map(|(t, r)| format!("{t}:{r}")).collect();
    println!("soak_rss_trace={}", trace.join(","));
}
