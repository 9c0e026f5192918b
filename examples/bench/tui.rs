//! The monitor headless against the real kernel: `tui::run_loop` with a
//! scripted keyboard and a 200x60 TestBackend, the kernel client wrapped to
//! log every read. Measures key-to-frame latency directly (the key's due
//! time to the flush of the frame that shows it), CPU per second, poll
//! spacing and how stale each service's real servers get.
//!
//! Two phases: keys every 250 ms (an operator scrolling without pause), then
//! no keys at all (the monitor left open, as `watch ipvsadm` is). CPU is
//! reported for each phase and for the whole run.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

use lvstop::backend::{Error, Reader};
use lvstop::clock::SystemClock;
use lvstop::model::{ConnSource, ConnWalk, Connection, Dest, Info, Service, ServiceKey, Timeouts};
use lvstop::poll::Access;
use lvstop::testkit::{screen, FrameObserved};
use lvstop::tui::{run_loop, Input, MonitorOptions};

use super::frame_times::{self, FrameTimes, Frames};
use super::measure::{proc_cpu, vm_hwm_kib};
use super::trace::Tracer;

#[derive(Default)]
struct Log {
    /// (start, end) of each poll; a poll starts with the info request.
    polls: Vec<(Instant, Instant)>,
    /// Each real-server read: the service and when. Grouped by service
    /// after the run, not in a map on every read: the polling thread's CPU
    /// is what is measured.
    reads: Vec<(ServiceKey, Instant)>,
    /// Per poll, the services read.
    per_poll: Vec<Vec<ServiceKey>>,
    /// When the table was listed whole (each service row's reading), and
    /// each service re-read on its own between listings.
    listed: Vec<Instant>,
    service_reads: Vec<(ServiceKey, Instant)>,
    /// Calls and the polling thread's CPU in them, per kind of call.
    breakdown: HashMap<&'static str, (u32, Duration)>,
    /// Each walk of the connection table: start, end, entries read.
    walks: Vec<(Instant, Instant, u64)>,
}

struct Logged<R> {
    inner: R,
    log: Arc<Mutex<Log>>,
    /// With LVSTOP_BENCH_BREAKDOWN set: the polling thread's CPU per kind of
    /// call, into `Log::breakdown` (two clock reads per call, so off in the
    /// measured runs).
    breakdown: bool,
}

/// CPU time of the calling thread.
fn thread_now() -> Duration {
    // SAFETY: clock_gettime fills a plain struct we own.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

impl<R: Reader> Logged<R> {
    fn timed<T>(&mut self, what: &'static str, f: impl FnOnce(&mut R) -> T) -> T {
        if !self.breakdown {
            return f(&mut self.inner);
        }
        let t0 = thread_now();
        let r = f(&mut self.inner);
        let spent = thread_now().saturating_sub(t0);
        let mut log = self.log.lock().unwrap();
        let e = log.breakdown.entry(what).or_default();
        e.0 += 1;
        e.1 += spent;
        r
    }
}

impl<R: Reader> Logged<R> {
    fn end(&self) {
        if let Some(p) = self.log.lock().unwrap().polls.last_mut() {
            p.1 = Instant::now();
        }
    }
}

impl<R: Reader> Reader for Logged<R> {
    fn info(&mut self) -> Result<Info, Error> {
        {
            let mut log = self.log.lock().unwrap();
            let now = Instant::now();
            log.polls.push((now, now));
            log.per_poll.push(Vec::new());
        }
        let r = self.timed("info", |r| r.info());
        self.end();
        r
    }
    fn services(&mut self) -> Result<Vec<Service>, Error> {
        let r = self.timed("services", |r| r.services());
        self.log.lock().unwrap().listed.push(Instant::now());
        self.end();
        r
    }
    fn service(&mut self, key: &ServiceKey) -> Result<Service, Error> {
        let r = self.timed("service", |r| r.service(key));
        self.log
            .lock()
            .unwrap()
            .service_reads
            .push((*key, Instant::now()));
        self.end();
        r
    }
    fn dests(&mut self, key: &ServiceKey) -> Result<Vec<Dest>, Error> {
        let r = self.timed("dests", |r| r.dests(key));
        let now = Instant::now();
        let mut log = self.log.lock().unwrap();
        log.reads.push((*key, now));
        if let Some(p) = log.per_poll.last_mut() {
            p.push(*key);
        }
        if let Some(p) = log.polls.last_mut() {
            p.1 = now;
        }
        r
    }
    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        self.inner.timeouts()
    }
    // The monitor asks every poll (`run_estimation`); without this the
    // harness would run the monitor as if the kernel could not say.
    fn estimator_running(&mut self) -> Option<bool> {
        self.timed("estimator", |r| r.estimator_running())
    }
    // The connections view reads through here (`bench tui-conns`).
    fn connections(
        &mut self,
        source: ConnSource,
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        let start = Instant::now();
        let r = self.timed("connections", |r| r.connections(source, visit));
        let entries = r.as_ref().map_or(0, |w| w.entries);
        let mut log = self.log.lock().unwrap();
        log.walks.push((start, Instant::now(), entries));
        r
    }
}

#[derive(Default)]
struct Probe {
    /// Due time of the oldest key not yet on screen.
    pending: Option<Instant>,
    latencies: Vec<Duration>,
    /// Due time of each key whose latency is in `latencies`.
    dues: Vec<Instant>,
    frames: usize,
    /// CPU seconds per thread name, read just before quitting.
    threads: Vec<(String, f64)>,
    /// Process CPU and wall time when the quiet phase began and ended, and
    /// each thread's CPU when it began.
    quiet: Option<(Duration, Instant)>,
    quiet_end: Option<(Duration, Instant)>,
    quiet_threads: Vec<(String, f64)>,
}

/// utime+stime of every thread of this process, by thread name.
fn thread_cpu() -> Vec<(String, f64)> {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("stat")).ok())
        .filter_map(|stat| {
            let (head, rest) = stat.rsplit_once(')')?;
            let (tid, name) = head.split_once('(')?;
            // Named by thread and id: the UI and input threads share a name.
            let name = format!("{name}/{}", tid.trim());
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some((name, ticks / hz))
        })
        .collect()
}

/// Keys at fixed due times: `first` if any (the key that opens a view),
/// then mostly Down, a PageDown every tenth (so new services come into
/// view) until `until`; then nothing for `quiet`; then `q`. A key due while the loop was busy is delivered late and its latency
/// counts from its due time, as a real terminal's would.
struct Script {
    start: Instant,
    every: Duration,
    until: Duration,
    quiet: Duration,
    first: Option<KeyCode>,
    sent: u32,
    probe: Arc<Mutex<Probe>>,
    /// The polls and the frames drawn: a key that opens a view on the
    /// selected row waits for the first poll's rows on screen (a slow first
    /// poll would leave it no row to act on).
    log: Arc<Mutex<Log>>,
    frames: Frames,
}

impl Script {
    /// Whether the first poll's rows are on screen: two frames begun after
    /// it ended (the first may be a tick's, drawn before its report).
    fn rows_shown(&self) -> bool {
        let Some(polled) = self.log.lock().unwrap().polls.first().map(|p| p.1) else {
            return false;
        };
        let frames = self.frames.lock().unwrap();
        frames.iter().filter(|f| f.0 > polled).count() >= 2
    }
}

impl Input for Script {
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<Event>> {
        if self.first.is_some() && self.sent == 0 {
            if !self.rows_shown() {
                std::thread::sleep(timeout.min(Duration::from_millis(10)));
                return Ok(None);
            }
            // The schedule starts here: the first key is due now.
            self.start = Instant::now().checked_sub(self.every).unwrap_or(self.start);
        }
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
            // The quiet phase: the row selected last stays on screen, its
            // staleness is taken at the end.
            if p.quiet.is_none() {
                p.quiet = Some((proc_cpu(), Instant::now()));
                p.quiet_threads = thread_cpu();
            }
            // As a terminal would, no slots in between: the next is the quit.
            let end = self.until + self.quiet;
            self.sent = (end.as_nanos() / self.every.as_nanos()) as u32 - 1;
            return Ok(None);
        }
        let code = if at >= self.until {
            KeyCode::Char('q')
        } else if let Some(first) = self.first.filter(|_| self.sent == 1) {
            first
        } else if self.sent.is_multiple_of(10) {
            KeyCode::PageDown
        } else {
            KeyCode::Down
        };
        if code == KeyCode::Char('q') {
            // Still inside the loop: the polling thread is alive to be read.
            p.threads = thread_cpu();
            p.quiet_end = Some((proc_cpu(), Instant::now()));
        }
        p.pending.get_or_insert(due);
        Ok(Some(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))))
    }
}

pub fn run(
    reader: impl Reader + 'static,
    seconds: u64,
    quiet: u64,
    delay: Duration,
    first: Option<KeyCode>,
) {
    run_with(reader, seconds, quiet, delay, first, None)
}

/// As `run`, with `--record FILE` when `record` names one: the recording's
/// writer thread is the monitor's, so its CPU is in the figures.
pub fn run_with(
    reader: impl Reader + 'static,
    seconds: u64,
    quiet: u64,
    delay: Duration,
    first: Option<KeyCode>,
    record: Option<&std::path::Path>,
) {
    let recording = record.map(|path| {
        let _ = std::fs::remove_file(path);
        let options = lvstop::record::RecordOptions {
            max_bytes: 1 << 40,
            ..Default::default()
        };
        let recorder = lvstop::record::Recorder::create(path, options)
            .unwrap_or_else(|e| super::fail(&e.to_string()));
        lvstop::record::RecordThread::spawn(recorder)
    });
    let log = Arc::new(Mutex::new(Log::default()));
    let probe = Arc::new(Mutex::new(Probe::default()));
    let reader = Logged {
        inner: reader,
        log: log.clone(),
        breakdown: std::env::var_os("LVSTOP_BENCH_BREAKDOWN").is_some(),
    };
    // Each finished frame is counted, and shows the key pending, if any.
    let framed = probe.clone();
    let backend = FrameObserved::new(200, 60, move || {
        let mut p = framed.lock().unwrap();
        p.frames += 1;
        if let Some(due) = p.pending.take() {
            p.latencies.push(due.elapsed());
            p.dues.push(due);
        }
    });
    let frames: Frames = Arc::default();
    let backend = FrameTimes::new(backend, frames.clone());
    let mut terminal = Terminal::new(backend).expect("terminal");
    let options = MonitorOptions {
        delay,
        record: recording.as_ref().and_then(|r| r.sender()),
        ..MonitorOptions::default()
    };
    let start = Instant::now();
    let mut script = Script {
        start,
        every: Duration::from_millis(250),
        until: Duration::from_secs(seconds),
        quiet: Duration::from_secs(quiet),
        first,
        sent: 0,
        probe: probe.clone(),
        log: log.clone(),
        frames: frames.clone(),
    };
    let tracer = Tracer::start();
    let cpu0 = proc_cpu();
    run_loop(
        &mut terminal,
        &mut script,
        Access::ReadOnly(Box::new(reader)),
        &options,
        Arc::new(SystemClock::new()),
    )
    .expect("run_loop");
    // The recording's last block written, inside the figures.
    drop(options);
    if let (Some(r), Some(path)) = (recording, record) {
        let stopped = r.finish().err();
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!("tui_record_bytes={bytes}");
        println!("tui_record_stopped={}", stopped.as_deref().unwrap_or("no"));
    }
    let wall = start.elapsed();
    let cpu = proc_cpu().saturating_sub(cpu0);
    let end = Instant::now();
    let trace = tracer.map(Tracer::finish);

    let probe = probe.lock().unwrap();
    let mut lat = probe.latencies.clone();
    lat.sort();
    let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
    println!("tui_wall_s={:.2}", wall.as_secs_f64());
    println!("tui_cpu_s={:.3}", cpu.as_secs_f64());
    println!(
        "tui_cpu_per_s={:.4}",
        cpu.as_secs_f64() / wall.as_secs_f64()
    );
    println!("tui_frames={}", probe.frames);
    if let (Some((c0, t0)), Some((c1, t1))) = (probe.quiet, probe.quiet_end) {
        let keys = c0.saturating_sub(cpu0).as_secs_f64() / (t0 - start).as_secs_f64();
        println!("tui_keys_cpu_per_s={keys:.4}");
        let quiet = c1.saturating_sub(c0).as_secs_f64() / (t1 - t0).as_secs_f64();
        println!("tui_quiet_s={:.2}", (t1 - t0).as_secs_f64());
        println!("tui_quiet_cpu_per_s={quiet:.4}");
        // Per thread over the quiet phase: the polling thread and the UI.
        for (name, end) in &probe.threads {
            if let Some((_, start)) = probe.quiet_threads.iter().find(|(n, _)| n == name) {
                let per_s = (end - start) / (t1 - t0).as_secs_f64();
                println!("tui_quiet_thread_cpu_per_s[{name}]={per_s:.4}");
            }
        }
    }
    for (name, cpu) in &probe.threads {
        println!("tui_thread_cpu_s[{name}]={cpu:.2}");
    }
    println!("tui_keys={}", lat.len());
    println!(
        "tui_key_p50_ms={}",
        ms(lat.get(lat.len() / 2).copied().unwrap_or_default())
    );
    println!(
        "tui_key_max_ms={}",
        ms(lat.last().copied().unwrap_or_default())
    );

    let log = log.lock().unwrap();
    let frames = frames.lock().unwrap();
    // Per service, when its real servers were read.
    let mut reads: HashMap<ServiceKey, Vec<Instant>> = HashMap::new();
    for (key, at) in &log.reads {
        reads.entry(*key).or_default().push(*at);
    }
    let polls = &log.polls;
    let overlaps = polls.windows(2).filter(|w| w[1].0 < w[0].1).count();
    let took_max = polls.iter().map(|p| p.1 - p.0).max().unwrap_or_default();
    let mut gaps: Vec<Duration> = polls.windows(2).map(|w| w[1].0 - w[0].0).collect();
    gaps.sort();
    println!("tui_polls={}", polls.len());
    println!("tui_poll_overlaps={overlaps}");
    println!("tui_poll_took_max_s={:.3}", took_max.as_secs_f64());
    println!(
        "tui_interval_p50_s={:.3}",
        gaps.get(gaps.len() / 2)
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
    );
    println!(
        "tui_interval_max_s={:.3}",
        gaps.last().copied().unwrap_or_default().as_secs_f64()
    );

    // Staleness: after a service was first read, the longest it went
    // without a fresh read (gaps between reads, and from the last read to
    // the end of the run).
    let mut worst = Duration::ZERO;
    for times in reads.values() {
        for w in times.windows(2) {
            worst = worst.max(w[1] - w[0]);
        }
        if let Some(last) = times.last() {
            worst = worst.max(end - *last);
        }
    }
    // Service rows: each is read by every whole listing and by its own
    // re-reads between them; the longest any went without a reading, and
    // (below) how old the rows on the last frame are.
    let mut own: HashMap<ServiceKey, Vec<Instant>> = HashMap::new();
    for (key, at) in &log.service_reads {
        own.entry(*key).or_default().push(*at);
    }
    let last_reading = |key: &ServiceKey| {
        let listed = log.listed.last().copied();
        let again = own.get(key).and_then(|t| t.last().copied());
        listed.max(again)
    };
    let mut service_worst = Duration::ZERO;
    let mut listing_gap = Duration::ZERO;
    for w in log.listed.windows(2) {
        listing_gap = listing_gap.max(w[1] - w[0]);
    }
    if let Some(last) = log.listed.last() {
        listing_gap = listing_gap.max(end - *last);
    }
    // A service never re-read on its own waits from listing to listing.
    service_worst = service_worst.max(listing_gap);
    for times in own.values() {
        let mut all: Vec<Instant> = log.listed.iter().chain(times).copied().collect();
        all.sort();
        for w in all.windows(2) {
            service_worst = service_worst.max(w[1] - w[0]);
        }
    }

    // Rows on the last frame: their services' real servers must be at most
    // one refresh (plus the poll's own duration) old when the run ends.
    let screen: Vec<String> = { screen::rows(terminal.backend().buffer()) };
    // Service rows: how old their newest reading is; real-server rows on
    // screen belong to the service row above them.
    let mut visible = 0;
    let mut visible_stale = Duration::ZERO;
    let mut visible_services = 0;
    let mut visible_service_stale = Duration::ZERO;
    let mut current: Option<ServiceKey> = None;
    for line in &screen {
        for word in line.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == ':')) {
            if let Some(ip) = word.strip_suffix(":80").and_then(|a| a.parse().ok()) {
                let key = ServiceKey::Addr {
                    protocol: lvstop::model::Protocol::Tcp,
                    addr: std::net::IpAddr::V4(ip),
                    port: 80,
                };
                current = Some(key);
                if let Some(at) = last_reading(&key) {
                    visible_services += 1;
                    visible_service_stale = visible_service_stale.max(end - at);
                }
            } else if word.ends_with(":8080") {
                if let Some(last) = current.and_then(|k| reads.get(&k)).and_then(|t| t.last()) {
                    visible += 1;
                    visible_stale = visible_stale.max(end - *last);
                }
            }
        }
    }
    println!("tui_services_read={}", reads.len());
    println!("tui_stale_max_s={:.2}", worst.as_secs_f64());
    println!("tui_visible_dest_rows={visible}");
    println!("tui_visible_stale_max_s={:.2}", visible_stale.as_secs_f64());
    println!("tui_listings={}", log.listed.len());
    println!("tui_service_reads={}", log.service_reads.len());
    println!("tui_service_stale_max_s={:.2}", service_worst.as_secs_f64());
    println!("tui_visible_service_rows={visible_services}");
    println!(
        "tui_visible_service_stale_max_s={:.2}",
        visible_service_stale.as_secs_f64()
    );
    let mut kinds: Vec<_> = log.breakdown.iter().collect();
    kinds.sort();
    for (what, (calls, cpu)) in kinds {
        println!(
            "tui_breakdown[{what}]={calls} calls {:.3} CPU-s",
            cpu.as_secs_f64()
        );
    }
    // Keys over 100 ms, with what the polling thread was doing then (the
    // UI thread's own work is not logged): for finding where they wait.
    for (due, lat) in probe.dues.iter().zip(&probe.latencies) {
        if *lat > Duration::from_millis(100) {
            let t = |i: Instant| (i - start).as_secs_f64();
            let poll = log
                .polls
                .iter()
                .rev()
                .find(|p| p.0 <= *due)
                .map(|p| format!("poll {:.3}-{:.3}", t(p.0), t(p.1)))
                .unwrap_or_default();
            let listed = log
                .listed
                .iter()
                .rev()
                .find(|l| **l <= *due + *lat)
                .map(|l| format!("listing done {:.3}", t(*l)))
                .unwrap_or_default();
            println!(
                "tui_slow_key={:.3} s: {} ms ({poll}; {listed})",
                t(*due),
                ms(*lat)
            );
            let shown = *due + *lat;
            for (a, b, n) in log
                .walks
                .iter()
                .filter(|w| w.1 >= *due - Duration::from_millis(500) && w.0 <= shown)
            {
                println!(
                    "tui_slow_key_walk={:.3} s: {:.3}-{:.3} s, {n} entries",
                    t(*due),
                    t(*a),
                    t(*b)
                );
            }
            println!(
                "tui_slow_key_frames={:.3} s: {} (start s + ms)",
                t(*due),
                frame_times::drawn_while_waiting(&frames, *due, shown, start)
            );
            if let Some(trace) = &trace {
                println!(
                    "tui_slow_key_sched={:.3} s: {}",
                    t(*due),
                    trace.between(*due, shown)
                );
            }
        }
    }
    if let Some(trace) = &trace {
        // The whole timeline, for reading what keys waited behind.
        trace.dump(start);
        let t = |i: Instant| (i - start).as_secs_f64();
        frame_times::dump(&frames, start);
        for w in &log.walks {
            eprintln!("trace|walk {:.4} {:.4} {}", t(w.0), t(w.1), w.2);
        }
        for p in &log.polls {
            eprintln!("trace|poll {:.4} {:.4}", t(p.0), t(p.1));
        }
        for (due, lat) in probe.dues.iter().zip(&probe.latencies) {
            eprintln!("trace|key {:.4} {}", t(*due), ms(*lat));
        }
    }
    let mut took: Vec<Duration> = frames.iter().map(|f| f.1 - f.0).collect();
    took.sort();
    if let Some(max) = took.last() {
        println!(
            "tui_frame_p50_ms={} tui_frame_max_ms={}",
            ms(took[took.len() / 2]),
            ms(*max)
        );
    }
    let walks: Vec<Duration> = log.walks.iter().map(|w| w.1 - w.0).collect();
    if let Some(max) = walks.iter().max() {
        println!("tui_walks={} tui_walk_max_ms={}", walks.len(), ms(*max));
    }
    println!("tui_header={}", screen[0].trim_end());
    if std::env::var_os("LVSTOP_BENCH_SCREEN").is_some() {
        for line in &screen {
            eprintln!("screen|{}", line.trim_end());
        }
    }
    println!("tui_vmhwm_kib={}", vm_hwm_kib());
}
