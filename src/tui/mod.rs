//! The live monitor on a real terminal: set-up and restore, the event loop,
//! and the thread that polls the backend.

pub mod config;
mod keys;
mod monitor;
mod poller;
pub mod signals;
mod terminal;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use crate::app::{App, AppConfig};
use crate::backend::Reader;
use crate::canvas::{Chrome, Palette, TimeZone};
use crate::clock::{Clock, SystemClock};

pub use config::Config;
pub use keys::action_for_key;
pub use monitor::Monitor;
pub use poller::{PollThread, Poller, SWEEP_NEW_MAX, SWEEP_PERIOD};
pub use terminal::{Crossterm, Guard, Screen};

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
        }
    }
}

/// Runs the live monitor on the process's terminal until the operator quits.
/// The terminal is restored on every way out, panics included.
pub fn run_monitor(reader: Box<dyn Reader>, options: MonitorOptions) -> std::io::Result<()> {
    run_monitor_with(reader, options, Arc::new(SystemClock::new()))
}

/// As `run_monitor`, with the clock injected (the demo director's simulated
/// time).
pub fn run_monitor_with(
    reader: Box<dyn Reader>,
    options: MonitorOptions,
    clock: Arc<dyn Clock>,
) -> std::io::Result<()> {
    let guard = Guard::enter(Arc::new(Crossterm))?;
    let _signals = signals::restore_on_signals(guard.restorer())?;
    let result = Terminal::new(CrosstermBackend::new(std::io::stdout())).and_then(|mut t| {
        t.clear()?;
        run_loop(&mut t, &mut CrosstermInput, reader, &options, clock)
    });
    guard.leave()?;
    result
}

/// Where terminal input comes from: crossterm, or a script in tests.
pub trait Input {
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

/// The event loop on any ratatui backend and input: polls on a thread of
/// its own, draws when something changed, until the operator quits. Does not
/// touch terminal modes (that is `Guard`'s job).
pub fn run_loop<B>(
    terminal: &mut Terminal<B>,
    input: &mut dyn Input,
    reader: Box<dyn Reader>,
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
    let mut monitor = Monitor::new(app, chrome);
    let poll = PollThread::spawn(reader, options.delay, clock, || {});
    let mut dirty = true;
    while !monitor.app.quit {
        loop {
            match poll.events.try_recv() {
                Ok(e) => monitor.apply(e),
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    // The polling thread panicked; the panic hook has
                    // already restored the terminal and printed why.
                    return Err(std::io::Error::other("the polling thread stopped"));
                }
            }
            dirty = true;
        }
        if dirty {
            monitor.render(terminal).map_err(std::io::Error::other)?;
            if let Ok(mut w) = poll.watched.lock() {
                *w = monitor.app.watched();
            }
            dirty = false;
        }
        // Short waits keep poll results flowing to the screen promptly
        // without a second thread for input.
        if let Some(event) = input.next(Duration::from_millis(50))? {
            monitor.input(&event);
            dirty = true;
        }
    }
    Ok(())
}
