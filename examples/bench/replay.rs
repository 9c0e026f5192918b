//! The replay half of issue 19's scale benchmark: a recording of a
//! synthetic S x D table (every counter moving, one tick a second) made on
//! the host, then in the VM: open it and show the first frame (the replay
//! thread, the app applying the tick, a 200x60 frame drawn), and jump to
//! random minutes (`:` with a time: the store rebuilt from the recording
//! up to the cursor, then a frame).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use lvstop::app::replay::CursorMove;
use lvstop::app::{App, AppConfig};
use lvstop::canvas::{Chrome, TimeZone};
use lvstop::clock::SystemClock;
use lvstop::model::{ServiceEntry, Snapshot};
use lvstop::poll::{Access, Owner, Replay, Report};
use lvstop::record::{Entry, RecordOptions, Recorder, Recording, Tick};
use lvstop::tui::Monitor;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::build;

/// The first tick's time: fixed, so a run is the same recording each time.
const START: u64 = 1_733_000_000;

/// `bench replay-make FILE S D SECONDS [BLOCK_KIB]`: BLOCK_KIB sets the
/// raw bytes a block closes at (default: what lvstop writes), to weigh a
/// jump's decoding against the file's size.
pub fn make(path: &Path, services: u32, dests: u32, seconds: u64, block_kib: Option<usize>) {
    let _ = std::fs::remove_file(path);
    let mut options = RecordOptions::default();
    if let Some(kib) = block_kib {
        options.block_bytes = kib << 10;
    }
    let mut rec = Recorder::create(path, options).expect("create the recording");
    let pool: Vec<_> = (0..dests).map(build::dest).collect();
    let mut entries: Vec<ServiceEntry> = (0..services)
        .map(|i| ServiceEntry {
            service: lvstop::model::Service::new(build::service_key(i), "wlc"),
            dests: pool.clone(),
        })
        .collect();
    let t = Instant::now();
    for s in 0..seconds {
        for (n, e) in entries.iter_mut().enumerate() {
            let k = n as u64 % 7 + 1;
            e.service.stats.conns += k;
            e.service.stats.inpkts += 10 * k;
            e.service.stats.outpkts += 9 * k;
            e.service.stats.inbytes += 1500 * k;
            e.service.stats.outbytes += 9000 * k;
            for (j, d) in e.dests.iter_mut().enumerate() {
                let m = (n as u64 + j as u64 + s) % 3;
                d.stats.conns += m;
                d.stats.inpkts += 10 * m;
                d.stats.outpkts += 9 * m;
                d.active_conns = (m * 5) as u32;
            }
        }
        let tick = Tick {
            wall: UNIX_EPOCH + Duration::from_secs(START + s),
            took: Duration::from_millis(20),
            interval: Duration::from_secs(1),
            estimator: Some(true),
            snapshot: Snapshot {
                info: lvstop::model::Info {
                    version: 0x010201,
                    conn_tab_size: 4096,
                },
                services: entries.clone(),
            },
        };
        rec.append(&Entry::Tick(tick)).expect("append");
    }
    rec.close().expect("close");
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!("replay_make_secs={:.1}", t.elapsed().as_secs_f64());
    println!("replay_file_bytes={size}");
}

struct Player {
    owner: Owner,
    monitor: Monitor,
    terminal: Terminal<TestBackend>,
}

/// Where a jump's time went: waiting for the replay thread (reading the
/// file), the monitor applying the reports, drawing the frame.
#[derive(Default)]
struct Spent {
    waiting: Duration,
    applying: Duration,
    drawing: Duration,
}

impl Player {
    /// Applies reports up to the next status, then draws: what the
    /// operator waits for.
    fn settle(&mut self) -> Spent {
        let mut spent = Spent::default();
        loop {
            let t = Instant::now();
            let report = self.owner.reports.blocking_recv();
            spent.waiting += t.elapsed();
            let t = Instant::now();
            match report {
                Some(Report::Replay(s)) => {
                    self.monitor.report(Report::Replay(s));
                    spent.applying += t.elapsed();
                    break;
                }
                Some(r) => self.monitor.report(r),
                None => panic!("the replay thread stopped"),
            }
            spent.applying += t.elapsed();
        }
        let t = Instant::now();
        self.monitor.render(&mut self.terminal).expect("draw");
        spent.drawing = t.elapsed();
        spent
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `bench replay FILE JUMPS`.
pub fn run(path: &Path, jumps: u32) {
    let t = Instant::now();
    let recording = Recording::open(path).expect("open the recording");
    let opened = t.elapsed();
    let ticks = recording.ticks().len();
    let first = recording.ticks()[0];
    let app = App::new(AppConfig {
        delay: Duration::from_secs(1),
        history: Duration::from_secs(300),
    });
    let chrome = Chrome {
        host: "bench".into(),
        badges: Vec::new(),
        tz: TimeZone::Utc,
        palette: Default::default(),
    };
    let mut monitor = Monitor::new(app, chrome, lvstop::app::editing::Mode::ReadOnly);
    monitor.start_replay();
    let access = Access::Replay(Replay {
        recording,
        path: path.to_path_buf(),
        start: None,
        history: Duration::from_secs(300),
    });
    let mut p = Player {
        owner: Owner::spawn(access, Duration::from_secs(1), Arc::new(SystemClock::new())),
        monitor,
        terminal: Terminal::new(TestBackend::new(200, 60)).expect("terminal"),
    };
    p.settle();
    let first_frame = t.elapsed();
    println!("replay_ticks={ticks}");
    println!("replay_open_ms={:.0}", ms(opened));
    println!("replay_first_frame_ms={:.0}", ms(first_frame));
    let minutes = (ticks as u64 / 60).max(1);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut times = Vec::new();
    for _ in 0..jumps {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let minute = x % minutes;
        let at = first + Duration::from_secs(minute * 60 + 30);
        let secs = at.duration_since(UNIX_EPOCH).unwrap().as_secs();
        let t = Instant::now();
        p.owner.cursor(CursorMove::GoTo(format!("@{secs}")));
        let spent = p.settle();
        let took = t.elapsed();
        let status = p.monitor.app.replay().and_then(|r| r.status()).cloned();
        let landed = status.map(|s| s.at);
        assert_eq!(landed, Some(at), "the jump landed on its tick");
        let samples = p.monitor.app.store().totals().history.len();
        println!(
            "replay_jump minute={minute} ms={:.0} history_samples={samples} \
             reading_ms={:.0} applying_ms={:.0} drawing_ms={:.0}",
            ms(took),
            ms(spent.waiting),
            ms(spent.applying),
            ms(spent.drawing)
        );
        times.push(ms(took));
    }
    times.sort_by(f64::total_cmp);
    if let (Some(mid), Some(max)) = (times.get(times.len() / 2), times.last()) {
        println!("replay_jump_ms_median={mid:.0}");
        println!("replay_jump_ms_max={max:.0}");
    }
}
