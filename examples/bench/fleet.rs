//! The fleet monitor headless (`tui::run_fleet_loop`, TestBackend 200x60):
//! N directors, each its own owner thread, keys every 250 ms for SECONDS
//! (Down, PageDown every 10th, Tab to the next director every 20th; F
//! first if the differences view is to be open), then none for QUIET. The local lvstop's CPU per second over each phase and
//! key-to-frame latency (the key's due time to the flush of the frame
//! that shows it), as `tui` measures one director. Keys over 100 ms are
//! broken down: when the input thread read them, the frames drawn while
//! they waited, and (with `LVSTOP_BENCH_TRACE`) the threads' scheduling.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

use lvstop::clock::SystemClock;
use lvstop::fleet::DirectorName;
use lvstop::poll::Access;
use lvstop::testkit::FrameObserved;
use lvstop::tui::{run_fleet_loop, FleetDirector, Input, MonitorOptions};

use super::frame_times::{self, FrameTimes, Frames};
use super::measure::proc_cpu;
use super::trace::Tracer;

#[derive(Default)]
struct Probe {
    /// The due time of the key not yet shown.
    pending: Option<Instant>,
    latencies: Vec<Duration>,
    /// Each measured key's due time and when the input thread read it.
    keys: Vec<(Instant, Instant)>,
    /// The same for the key pending now.
    pending_read: Option<Instant>,
    frames: u64,
    /// CPU and time when the quiet phase began, and at the quit.
    quiet: Option<(Duration, Instant)>,
    end: Option<(Duration, Instant)>,
}

struct Script {
    start: Instant,
    every: Duration,
    until: Duration,
    quiet: Duration,
    sent: u32,
    /// Opens the differences view with the first key: its comparison of
    /// every table then runs each second.
    differences: bool,
    probe: Arc<Mutex<Probe>>,
}

impl Input for Script {
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Event>> {
        let due = self.start + self.every * (self.sent + 1);
        let now = Instant::now();
        if due > now {
            std::thread::sleep(timeout.min(due - now));
            if Instant::now() < due {
                return Ok(None);
            }
        }
        let at = due - self.start;
        self.sent += 1;
        let mut p = self.probe.lock().unwrap();
        if at >= self.until && at < self.until + self.quiet {
            if p.quiet.is_none() {
                p.quiet = Some((proc_cpu(), Instant::now()));
            }
            let end = self.until + self.quiet;
            self.sent = (end.as_nanos() / self.every.as_nanos()) as u32 - 1;
            return Ok(None);
        }
        let mut modifiers = KeyModifiers::NONE;
        let code = if at >= self.until {
            p.end = Some((proc_cpu(), Instant::now()));
            // In the differences view q only closes it; Ctrl-C quits.
            if self.differences {
                modifiers = KeyModifiers::CONTROL;
                KeyCode::Char('c')
            } else {
                KeyCode::Char('q')
            }
        } else if self.sent == 1 && self.differences {
            KeyCode::Char('F')
        } else if self.sent.is_multiple_of(20) {
            KeyCode::Tab
        } else if self.sent.is_multiple_of(10) {
            KeyCode::PageDown
        } else {
            KeyCode::Down
        };
        if p.pending.is_none() {
            p.pending = Some(due);
            p.pending_read = Some(Instant::now());
        }
        Ok(Some(Event::Key(KeyEvent::new(code, modifiers))))
    }
}

/// The `q` quantile of `sorted` (zero when empty).
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let i = ((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1));
    sorted.get(i).copied().unwrap_or_default()
}

/// Runs the fleet over local `directors` (their health from their polls)
/// and prints `fleet_*=` lines.
pub fn run(directors: Vec<(DirectorName, Access)>, seconds: u64, quiet: u64, differences: bool) {
    let directors = directors
        .into_iter()
        .map(|(name, access)| FleetDirector {
            name,
            access,
            status: None,
        })
        .collect();
    run_members(directors, seconds, quiet, differences, || ());
}

/// Runs the fleet over `directors` as given; `after` prints what else the
/// caller measured over the same run, called once the monitor quit.
pub fn run_members(
    directors: Vec<FleetDirector>,
    seconds: u64,
    quiet: u64,
    differences: bool,
    after: impl FnOnce(),
) {
    let n = directors.len();
    let probe = Arc::new(Mutex::new(Probe::default()));
    let framed = probe.clone();
    let backend = FrameObserved::new(200, 60, move || {
        let mut p = framed.lock().unwrap();
        p.frames += 1;
        if let Some(due) = p.pending.take() {
            p.latencies.push(due.elapsed());
            let read = p.pending_read.take().unwrap_or(due);
            p.keys.push((due, read));
        }
    });
    let frames: Frames = Arc::default();
    let backend = FrameTimes::new(backend, frames.clone());
    let mut terminal = Terminal::new(backend).expect("terminal");
    let options = MonitorOptions::default();
    let start = Instant::now();
    let mut script = Script {
        start,
        every: Duration::from_millis(250),
        until: Duration::from_secs(seconds),
        quiet: Duration::from_secs(quiet),
        sent: 0,
        differences,
        probe: probe.clone(),
    };
    let cpu0 = proc_cpu();
    let tracer = Tracer::start();
    run_fleet_loop(
        &mut terminal,
        &mut script,
        directors,
        &options,
        None,
        Arc::new(SystemClock::new()),
    )
    .expect("run_fleet_loop");
    let wall = start.elapsed();
    let trace = tracer.map(Tracer::finish);
    let cpu = proc_cpu().saturating_sub(cpu0);
    after();
    let p = probe.lock().unwrap();
    let mut lat = p.latencies.clone();
    lat.sort();
    let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
    println!("fleet_directors={n}");
    println!("fleet_differences_open={differences}");
    println!("fleet_wall_s={:.2}", wall.as_secs_f64());
    println!(
        "fleet_cpu_per_s={:.4}",
        cpu.as_secs_f64() / wall.as_secs_f64()
    );
    if let (Some((c0, t0)), Some((c1, t1))) = (p.quiet, p.end) {
        let keys = c0.saturating_sub(cpu0).as_secs_f64() / (t0 - start).as_secs_f64();
        println!("fleet_keys_cpu_per_s={keys:.4}");
        let q = c1.saturating_sub(c0).as_secs_f64() / (t1 - t0).as_secs_f64();
        println!("fleet_quiet_cpu_per_s={q:.4}");
    }
    println!("fleet_frames={}", p.frames);
    println!("fleet_keys={}", lat.len());
    println!("fleet_key_p50_ms={}", ms(quantile(&lat, 0.5)));
    println!("fleet_key_p95_ms={}", ms(quantile(&lat, 0.95)));
    println!(
        "fleet_key_max_ms={}",
        ms(lat.last().copied().unwrap_or_default())
    );
    let frames = frames.lock().unwrap();
    let mut took: Vec<Duration> = frames.iter().map(|f| f.1 - f.0).collect();
    took.sort();
    println!(
        "fleet_frame_p50_ms={} p95_ms={} max_ms={}",
        ms(quantile(&took, 0.5)),
        ms(quantile(&took, 0.95)),
        ms(took.last().copied().unwrap_or_default())
    );
    let t = |i: Instant| (i - start).as_secs_f64();
    for ((due, read), lat) in p.keys.iter().zip(&p.latencies) {
        if *lat <= Duration::from_millis(100) {
            continue;
        }
        let shown = *due + *lat;
        println!(
            "fleet_slow_key={:.3} s: {} ms, read after {} ms; frames {}",
            t(*due),
            ms(*lat),
            ms(*read - *due),
            frame_times::drawn_while_waiting(&frames, *due, shown, start)
        );
        if let Some(trace) = &trace {
            println!(
                "fleet_slow_key_sched={:.3} s: {}",
                t(*due),
                trace.between(*due, shown)
            );
        }
    }
    if let Some(trace) = &trace {
        // The whole timeline on stderr, for reading what keys waited behind.
        trace.dump(start);
        frame_times::dump(&frames, start);
        for ((due, read), lat) in p.keys.iter().zip(&p.latencies) {
            eprintln!("trace|key {:.4} {:.4} {}", t(*due), t(*read), ms(*lat));
        }
    }
}
