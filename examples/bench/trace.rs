//! With `LVSTOP_BENCH_TRACE` set, `bench tui-conns` and the fleet benches
//! sample the UI and backend threads' scheduler times
//! (`/proc/self/task/T/schedstat`: time on a CPU, time runnable but
//! waiting for one) every 5 ms, so a slow key says whether the UI thread
//! was working, waiting for a CPU, or asleep. The fleet has a backend
//! thread per director, and over ssh a stream reader per director: their
//! times are summed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Nanoseconds on a CPU and waiting on a run queue.
#[derive(Debug, Clone, Copy, Default)]
struct Sched {
    run: u64,
    wait: u64,
}

#[derive(Debug, Clone)]
struct Point {
    at: Instant,
    ui: Sched,
    /// Each backend thread's, by thread id.
    owners: Vec<(i64, Sched)>,
}

impl Point {
    /// The backend threads' time from `self` to `later`, over the threads
    /// both saw (one that starts between them counts from the next pair).
    fn owners_to(&self, later: &Point) -> Sched {
        let mut d = Sched::default();
        for (tid, b) in &later.owners {
            if let Some((_, a)) = self.owners.iter().find(|(t, _)| t == tid) {
                d.run += b.run.saturating_sub(a.run);
                d.wait += b.wait.saturating_sub(a.wait);
            }
        }
        d
    }

    fn owners_sum(&self) -> Sched {
        self.owners
            .iter()
            .fold(Sched::default(), |s, (_, o)| Sched {
                run: s.run + o.run,
                wait: s.wait + o.wait,
            })
    }
}

pub struct Tracer {
    points: Arc<Mutex<Vec<Point>>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

fn gettid() -> i64 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::syscall(libc::SYS_gettid) }
}

fn sched(tid: i64) -> Option<Sched> {
    let text = std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")).ok()?;
    let mut f = text.split_whitespace().map(|s| s.parse::<u64>().ok());
    Some(Sched {
        run: f.next()??,
        wait: f.next()??,
    })
}

/// The threads whose name `is` accepts, in this process.
fn find_threads(is: impl Fn(&str) -> bool) -> Vec<i64> {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    dir.flatten()
        .filter(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| is(c.trim_end())))
        .filter_map(|t| t.file_name().to_str()?.parse().ok())
        .collect()
}

impl Tracer {
    /// Starts sampling the calling thread (the UI) and the backend thread,
    /// if the environment asks for it.
    pub fn start() -> Option<Tracer> {
        std::env::var_os("LVSTOP_BENCH_TRACE")?;
        let ui = gettid();
        let points = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (points.clone(), stop.clone());
        let handle = std::thread::spawn(move || {
            let mut owners = Vec::new();
            let mut samples = 0u64;
            while !s.load(Ordering::Relaxed) {
                // Backend threads start with the monitor: look again each
                // second.
                if samples.is_multiple_of(200) {
                    // Remote directors' stream readers ("remote NAME") too.
                    owners = find_threads(|n| n == "lvstop-backend" || n.starts_with("remote "));
                }
                samples += 1;
                let at = Instant::now();
                let point = Point {
                    at,
                    ui: sched(ui).unwrap_or_default(),
                    owners: owners
                        .iter()
                        .filter_map(|&t| Some((t, sched(t)?)))
                        .collect(),
                };
                p.lock().unwrap().push(point);
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        Some(Tracer {
            points,
            stop,
            handle: Some(handle),
        })
    }

    pub fn finish(mut self) -> Trace {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        let points = std::mem::take(&mut *self.points.lock().unwrap());
        Trace { points }
    }
}

pub struct Trace {
    points: Vec<Point>,
}

impl Trace {
    /// The sample at or before `at` and the one at or after `to`.
    fn around(&self, at: Instant, to: Instant) -> Option<(&Point, &Point)> {
        let first = self.points.iter().rev().find(|p| p.at <= at)?;
        let last = self.points.iter().find(|p| p.at >= to)?;
        Some((first, last))
    }

    /// What the two threads did between `from` and `to`, in ms: the UI's
    /// CPU, its wait for a CPU, the rest asleep; the backend's CPU and wait.
    pub fn between(&self, from: Instant, to: Instant) -> String {
        let Some((a, b)) = self.around(from, to) else {
            return "no samples".into();
        };
        let ms = |ns: u64| ns as f64 / 1e6;
        let span = (b.at - a.at).as_secs_f64() * 1000.0;
        let ui_run = ms(b.ui.run.saturating_sub(a.ui.run));
        let ui_wait = ms(b.ui.wait.saturating_sub(a.ui.wait));
        let owners = a.owners_to(b);
        format!(
            "over {span:.1} ms sampled: ui cpu {ui_run:.1} runqueue {ui_wait:.1} asleep {:.1}; backend cpu {:.1} runqueue {:.1}",
            (span - ui_run - ui_wait).max(0.0),
            ms(owners.run),
            ms(owners.wait),
        )
    }
}

impl Trace {
    /// Every sample, as `trace|sched` lines on stderr: seconds since
    /// `start`, then the UI's and the backend's CPU and run-queue wait (ms).
    pub fn dump(&self, start: Instant) {
        for p in &self.points {
            if p.at < start {
                continue;
            }
            let owners = p.owners_sum();
            eprintln!(
                "trace|sched {:.4} {:.2} {:.2} {:.2} {:.2}",
                (p.at - start).as_secs_f64(),
                p.ui.run as f64 / 1e6,
                p.ui.wait as f64 / 1e6,
                owners.run as f64 / 1e6,
                owners.wait as f64 / 1e6
            );
        }
    }
}
