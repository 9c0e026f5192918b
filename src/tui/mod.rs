//! The live monitor on a real terminal: set-up and restore, and the event
//! loop (on a tokio runtime) between the terminal and the thread that owns
//! the backend (`crate::poll`).

pub mod config;
#[cfg(test)]
mod conn_tests;
#[cfg(test)]
mod director_tests;
#[cfg(test)]
mod drain_tests;
#[cfg(test)]
mod edit_tests;
pub mod fleet;
mod fleet_loop;
#[cfg(test)]
mod fleet_tests;
#[cfg(test)]
mod help_tests;
mod monitor;
#[cfg(test)]
mod replay_tests;
#[cfg(test)]
mod settings_tests;
pub mod signals;
#[cfg(test)]
mod status_tests;
mod terminal;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use tokio::sync::mpsc::error::TryRecvError;

use crate::app::editing::{Banner, Mode};
use crate::app::{App, AppConfig, APPLY_STEP_ROWS};
use crate::canvas::{Chrome, Palette, TimeZone};
use crate::clock::{Clock, SystemClock};
use crate::keys::KeyTable;
use crate::poll::{Access, Owner};

pub use config::Config;
pub use fleet::FleetDirector;
pub use fleet_loop::run_fleet_loop;
pub use monitor::Monitor;
pub use terminal::{Crossterm, Guard, Screen};

/// How long a signal's exit waits for `--record` to write its last block.
const RECORD_CLOSE_LIMIT: Duration = Duration::from_secs(3);

/// How the monitor runs.
#[derive(Debug, Clone)]
pub struct MonitorOptions {
    /// Poll interval (`-d/--delay`), 0.2 s … 10 s sensible; default 1 s.
    pub delay: Duration,
    /// How far back sparklines reach; default 5 minutes.
    pub history: Duration,
    /// Shown in the header, e.g. the host name.
    pub host: String,
    /// Header badges such as "DEMO" or "READ-ONLY".
    pub badges: Vec<String>,
    /// Clock times in local time (default) or UTC.
    pub tz: TimeZone,
    pub palette: Palette,
    /// The key table, `[keys]` remapped.
    pub keys: KeyTable,
    /// Warnings above the table, e.g. keepalived's.
    pub banners: Vec<Banner>,
    /// `--record`: where each poll, connection summary and journal line
    /// goes too.
    pub record: Option<crate::record::RecordSender>,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions {
            delay: Duration::from_secs(1),
            history: Duration::from_secs(300),
            host: String::new(),
            badges: Vec::new(),
            tz: TimeZone::Local,
            palette: Palette::default(),
            keys: KeyTable::default(),
            banners: Vec::new(),
            record: None,
        }
    }
}

/// Runs the live monitor on the process's terminal until the operator quits.
/// The terminal is restored on every way out, panics included.
pub fn run_monitor(access: Access, options: MonitorOptions) -> std::io::Result<()> {
    run_monitor_with(access, options, Arc::new(SystemClock::new()))
}

/// As `run_monitor`, with the clock injected (the demo director's simulated
/// time).
pub fn run_monitor_with(
    access: Access,
    options: MonitorOptions,
    clock: Arc<dyn Clock>,
) -> std::io::Result<()> {
    let guard = Guard::enter(Arc::new(Crossterm))?;
    let restore = guard.restorer();
    let record = options.record.clone();
    let signal_clock = clock.clone();
    // A signal ends the process before `--record`'s owner can finish it:
    // close the recording here, so the open block (up to a minute) is kept.
    let _signals = signals::restore_on_signals(move || {
        restore();
        if let Some(r) = &record {
            let reason = "recording stopped (the monitor was signalled)".to_string();
            r.close_within(signal_clock.wall(), reason, RECORD_CLOSE_LIMIT);
        }
    })?;
    let result = Terminal::new(CrosstermBackend::new(std::io::stdout())).and_then(|mut t| {
        t.clear()?;
        run_loop(&mut t, &mut CrosstermInput, access, &options, clock)
    });
    guard.leave()?;
    result
}

/// Runs the fleet monitor over several directors on the process's
/// terminal until the operator quits, restoring it on every way out.
pub fn run_fleet_monitor(
    directors: Vec<FleetDirector>,
    options: MonitorOptions,
    journal: Option<std::path::PathBuf>,
    clock: Arc<dyn Clock>,
) -> std::io::Result<()> {
    let guard = Guard::enter(Arc::new(Crossterm))?;
    let _signals = signals::restore_on_signals(guard.restorer())?;
    let result = Terminal::new(CrosstermBackend::new(std::io::stdout())).and_then(|mut t| {
        t.clear()?;
        run_fleet_loop(
            &mut t,
            &mut CrosstermInput,
            directors,
            &options,
            journal,
            clock,
        )
    });
    guard.leave()?;
    result
}

/// Where terminal input comes from: crossterm, or a script in tests. Read
/// on a thread of its own, hence `Send`.
pub trait Input: Send {
    /// The next input event, or `None` if none came within `timeout`.
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<event::Event>>;
}

/// The process's terminal.
pub struct CrosstermInput;

impl Input for CrosstermInput {
    fn next(&mut self, timeout: Duration) -> std::io::Result<Option<event::Event>> {
        if event::poll(timeout)? {
            Ok(Some(event::read()?))
        } else {
            Ok(None)
        }
    }
}

/// How long the input thread waits for input before it looks whether the
/// loop has ended (the loop joins it on the way out). Briefly while keys
/// come, so quitting, which is a key, is not held up; long once the
/// terminal has been idle for `INPUT_BRISK`: every wake-up costs CPU, which
/// counts against the monitor's target when nothing happens.
fn input_wait(idle: Duration) -> Duration {
    if idle < INPUT_BRISK {
        Duration::from_millis(50)
    } else {
        Duration::from_secs(1)
    }
}

/// The input thread: terminal input into `keys` until `stop` is set or the
/// loop has gone (reading input blocks, so it cannot run in the loop).
fn feed_input(
    input: &mut dyn Input,
    keys: &tokio::sync::mpsc::UnboundedSender<std::io::Result<event::Event>>,
    stop: &AtomicBool,
) {
    let mut last_event = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        match input.next(input_wait(last_event.elapsed())) {
            Ok(None) => {}
            Ok(Some(e)) => {
                last_event = Instant::now();
                if keys.send(Ok(e)).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = keys.send(Err(e));
                return;
            }
        }
    }
}

/// How long after an input event the input thread keeps waking often.
pub(crate) const INPUT_BRISK: Duration = Duration::from_secs(3);

/// The event loop on any ratatui backend and input, on a tokio runtime: one
/// task selects over the backend owner's reports, terminal input (read by a
/// blocking thread into a channel) and a redraw tick; it turns input into
/// actions and requests, applies reports, and draws when something changed,
/// until the operator quits. The backend itself is owned by a thread of its
/// own ([`Owner`]): netlink is blocking, the UI must never wait on it. Does
/// not touch terminal modes (that is `Guard`'s job).
pub fn run_loop<B>(
    terminal: &mut Terminal<B>,
    input: &mut dyn Input,
    access: Access,
    options: &MonitorOptions,
    clock: Arc<dyn Clock>,
) -> std::io::Result<()>
where
    B: ratatui::backend::Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let app = App::new(AppConfig {
        delay: options.delay,
        history: options.history,
    });
    let chrome = Chrome {
        host: options.host.clone(),
        badges: options.badges.clone(),
        tz: options.tz,
        palette: options.palette,
    };
    let mode = match access {
        Access::ReadOnly(_) | Access::Replay(_) => Mode::ReadOnly,
        Access::ReadWrite(_) => Mode::ReadWrite,
    };
    let replay = matches!(access, Access::Replay(_));
    let mut monitor = Monitor::new(app, chrome, mode).with_clock(clock.clone());
    if replay {
        monitor.start_replay();
    }
    monitor.edit.banners = options.banners.clone();
    monitor.keys = options.keys.clone();
    let tap = options.record.clone().map(crate::poll::RecordTap::new);
    let mut owner = Owner::spawn_recording(access, options.delay, clock, tap);
    let mut record_banner = false;
    // The real servers' half-open column and alert need these all along.
    owner.connections(crate::conns::ConnRequest::WatchHalfOpen(true));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let (keys, mut key_events) = tokio::sync::mpsc::unbounded_channel();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        // Terminal input blocks; a thread of its own feeds the loop.
        scope.spawn(|| feed_input(input, &keys, &stop));
        let result = runtime.block_on(async {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            let mut dirty = true;
            let mut drawn_at = Instant::now();
            let mut moved = true;
            loop {
                // Draw after keys, replies and whole polls; the tick draws
                // only when nothing else did for a second (the clock, the
                // staleness badge).
                if dirty {
                    monitor.render(terminal).map_err(std::io::Error::other)?;
                    drawn_at = Instant::now();
                }
                // What the next poll reads first; not redone for every slice
                // of a poll being applied, unless a key moved the view.
                if moved || !monitor.app.applying() {
                    owner.watch(monitor.app.watched());
                    moved = false;
                }
                if monitor.app.view().quit() {
                    return Ok(());
                }
                if monitor.app.applying() {
                    // A big poll is applied a slice at a time, keys first:
                    // a key waits at most one slice and a frame.
                    match key_events.try_recv() {
                        Ok(Ok(event)) => {
                            monitor.input(&event);
                            dirty = true;
                            moved = true;
                        }
                        Ok(Err(e)) => return Err(e),
                        Err(TryRecvError::Empty) => {
                            dirty = monitor.app.apply_step(APPLY_STEP_ROWS);
                            if dirty {
                                monitor.drain_news();
                            }
                        }
                        Err(TryRecvError::Disconnected) => {
                            return Err(std::io::Error::other("terminal input stopped"))
                        }
                    }
                } else {
                    // Keys first: a key and a report ready together, the
                    // key's frame is drawn first.
                    tokio::select! {
                        biased;
                        key = key_events.recv() => match key {
                            Some(Ok(event)) => {
                                monitor.input(&event);
                                dirty = true;
                            }
                            Some(Err(e)) => return Err(e),
                            None => return Err(std::io::Error::other("terminal input stopped")),
                        },
                        report = owner.reports.recv() => match report {
                            Some(r) => {
                                monitor.begin_report(r);
                                // Reports sent together (a walk's reading and
                                // its half-open counts) make one frame.
                                while !monitor.app.applying() {
                                    match owner.reports.try_recv() {
                                        Ok(r) => monitor.begin_report(r),
                                        Err(_) => break,
                                    }
                                }
                                dirty = !monitor.app.applying();
                            }
                            // The backend thread panicked; the panic hook has
                            // already restored the terminal and printed why.
                            None => return Err(std::io::Error::other("the backend thread stopped")),
                        },
                        _ = tick.tick() => {
                            dirty = drawn_at.elapsed() >= Duration::from_secs(1);
                        }
                    }
                }
                // Keys and replies can ask for changes (replies: the next
                // coalesced weight write).
                for request in monitor.take_requests() {
                    owner.request(request);
                }
                for request in monitor.app.take_conn_requests() {
                    owner.connections(request);
                }
                if monitor.app.take_settings_request() {
                    owner.read_settings();
                }
                for to in monitor.app.take_cursor_moves() {
                    owner.cursor(to);
                }
                // A recording that stopped says so once, and stays said.
                if let (Some(why), false) = (
                    options.record.as_ref().and_then(|r| r.stopped()),
                    record_banner,
                ) {
                    monitor.edit.banners.push(Banner::RecordingStopped { why });
                    record_banner = true;
                    dirty = true;
                }
            }
        });
        stop.store(true, Ordering::Relaxed);
        result
    })
}
