//! The command line: parse arguments, open the backend, run batch mode, the
//! monitor or `apply`. `main.rs` only calls [`main`].

mod agent;
#[cfg(test)]
mod agent_tests;
mod apply;
mod args;
mod batch;
mod batch_alerts;
mod completions;
mod conn_filter;
pub mod conn_json;
mod connections;
mod demo_fleet;
mod fleet_batch;
mod fleet_monitor;
pub mod fleet_targets;
mod listing;
mod manual;
mod metrics;
mod output_file;
mod record;
mod replay;
pub mod stream;

pub use args::{Args, Command, Format};

use std::io::{self, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;

use crate::backend::{Backend, Error};
use crate::clock::{Clock, SystemClock};
use crate::demo::DemoDirector;
use crate::edit::Editor;
use crate::journal::Journal;
use crate::kernel::{Client, ResilientReader};
use crate::poll::Access;
use crate::tui::config::Config;
use crate::tui::MonitorOptions;
use std::path::PathBuf;

/// Exit status for a backend or kernel error (clap uses 2 for usage errors).
const EXIT_FAILURE: u8 = 1;

pub fn main() -> ExitCode {
    crate::heap::keep_freed_memory();
    let args = Args::parse();
    if let Some(done) = print_shell_files(&args) {
        return done;
    }
    let listing = match args.listing() {
        Ok(l) => l,
        // As clap refuses arguments: a usage error, exit status 2.
        Err(why) => <Args as clap::CommandFactory>::command()
            .error(clap::error::ErrorKind::ArgumentConflict, why)
            .exit(),
    };
    let several = !args.hosts.is_empty() || args.fleet.is_some();
    if args.diff && !(several && args.batch) {
        eprintln!("lvstop: --diff compares directors in batch mode: add -b and two or more --host (or --fleet)");
        return ExitCode::from(2);
    }
    if several && args.batch && args.command.is_none() {
        return fleet_batch::main(&args, listing);
    }
    match run(args, listing) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lvstop: {message}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// `completions` and `man` print text generated from the options: they read
/// no table and need no privilege, so they run before anything is opened.
fn print_shell_files(args: &Args) -> Option<ExitCode> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = match &args.command {
        Some(Command::Completions { shell }) => completions::write(*shell, &mut out)
            .map_err(|e| format!("writing to standard output failed: {e}")),
        Some(Command::Man { list: true, .. }) => {
            use std::io::Write;
            manual::page_names()
                .iter()
                .try_for_each(|n| writeln!(out, "{n}"))
                .map_err(|e| format!("writing to standard output failed: {e}"))
        }
        Some(Command::Man { command, .. }) => match manual::write(command.as_deref(), &mut out) {
            Ok(()) => Ok(()),
            // As clap refuses a bad value: a usage error, exit status 2.
            Err(e @ manual::Error::NoSuchCommand(_)) => <Args as clap::CommandFactory>::command()
                .error(clap::error::ErrorKind::InvalidValue, e)
                .exit(),
            Err(e) => Err(e.to_string()),
        },
        _ => return None,
    };
    Some(match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lvstop: {message}");
            ExitCode::from(EXIT_FAILURE)
        }
    })
}

fn run(args: Args, listing: listing::Listing) -> Result<(), String> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    if args.replay.is_some() {
        replay::check(&args)?;
    }

    if let Some(Command::Apply { file }) = &args.command {
        if args.read_only {
            return Err("apply changes the table: it cannot run with --read-only".into());
        }
        let (name, changes) = apply::load(file.as_deref())?;
        let backend = open_backend(&args, clock.clone()).map_err(|e| e.to_string())?;
        let mut editor = editor(&args, backend, clock);
        if let Some(why) = editor.changes_disabled() {
            return Err(format!("{why}; nothing was applied"));
        }
        return apply::run(&mut editor, &name, &changes);
    }

    if let Some(Command::Agent) = &args.command {
        return run_agent(&args, clock);
    }

    let several = !args.hosts.is_empty() || args.fleet.is_some();
    if several {
        // Checked now, so a bad --host is refused whatever else is asked.
        fleet_targets::targets(&args)?;
        fleet_targets::ssh_options(&args)?;
    }

    if args.output.is_some() && (!args.batch || args.command.is_some()) {
        return Err("--output writes batch snapshots: add -b, as in `lvstop -b -d 15 --format openmetrics --output DIR/lvstop.prom`".into());
    }

    if args.replay.is_some() && args.batch {
        let stdout = io::stdout();
        return replay::export(&args, listing, &mut stdout.lock());
    }

    if args.batch && args.record.is_some() {
        let handle = start_recording(&args)?;
        let mut backend = open_backend(&args, clock.clone()).map_err(|e| e.to_string())?;
        let delay = Duration::from_secs_f64(args.delay.unwrap_or(1.0));
        return record::run(
            backend.as_mut(),
            clock.as_ref(),
            args.iterations,
            delay,
            handle,
        );
    }

    if args.batch {
        // Checked before the table is read: a bad path changes nothing.
        let mut file = args
            .output
            .as_deref()
            .map(output_file::OutputFile::open)
            .transpose()?;
        let mut backend = open_backend(&args, clock.clone()).map_err(|e| e.to_string())?;
        let mut stdout = io::stdout().lock();
        let out: &mut dyn io::Write = match file.as_mut() {
            Some(f) => f,
            None => &mut stdout,
        };
        return listing::print(listing, &args, backend.as_mut(), clock.as_ref(), out)
            .map_err(|e| batch_error(e, args.output.is_some()));
    }

    if !io::stdout().is_terminal() || std::env::var("TERM").is_ok_and(|t| t == "dumb") {
        return Err(
            "the monitor needs a terminal (stdout is not one, or TERM=dumb): use --batch for plain output"
                .to_string(),
        );
    }
    let mut options = monitor_options(&args)?;
    if several {
        return fleet_monitor::run(&args, options, clock);
    }
    if let Some(n) = args.demo_directors {
        return demo_fleet::run(&args, n, options, clock);
    }
    if let Some(path) = &args.replay {
        let recording = replay::open(path)?;
        let (first, _) = replay::bounds(&recording, path)?;
        if let Some(interval) = replay::pace(&recording, first) {
            // Within -d's own range: the file is not trusted.
            options.delay = interval.clamp(Duration::from_millis(100), Duration::from_secs(3600));
        }
        let start = Some(first);
        let access = Access::Replay(crate::poll::Replay {
            start: args.from.zip(start).map(|(m, first)| m.place(first)),
            recording,
            path: path.clone(),
            history: options.history,
        });
        let name = path.display().to_string();
        options.host = format!("replay of {}", name.escape_debug());
        return crate::tui::run_monitor_with(access, options, clock)
            .map_err(|e| format!("the terminal failed: {e}"));
    }
    let recording = args
        .record
        .is_some()
        .then(|| start_recording(&args))
        .transpose()?;
    if let Some(r) = &recording {
        options.record = r.sender();
        options.badges.push("REC".to_string());
        if let Some(s) = r.sender() {
            s.send(crate::record::Entry::Gap {
                wall: clock.wall(),
                reason: format!(
                    "recording started by the lvstop {} monitor",
                    env!("CARGO_PKG_VERSION")
                ),
            });
        }
    }
    let mut backend = open_backend(&args, clock.clone()).map_err(|e| e.to_string())?;
    if !args.demo {
        // The monitor outlives sockets: reopen after failures (kernel/resilient.rs).
        let netns = args.netns.clone();
        let open = move || Client::open(netns.as_deref()).map(|c| Box::new(c) as Box<dyn Backend>);
        backend = Box::new(ResilientReader::new(backend, open, clock.clone()));
    }
    let access = if args.read_only {
        options.badges.push("READ-ONLY".to_string());
        Access::ReadOnly(backend as Box<dyn crate::backend::Reader>)
    } else {
        // keepalived on this host puts its own configuration back; the demo
        // director is not the host's table.
        if !args.demo && crate::edit::keepalived_running() {
            options
                .banners
                .push(crate::app::editing::Banner::Keepalived);
        }
        Access::ReadWrite(editor(&args, backend, clock.clone()))
    };
    let result = crate::tui::run_monitor_with(access, options, clock.clone())
        .map_err(|e| format!("the terminal failed: {e}"));
    let wall = clock.wall();
    let finished = recording.map(|mut r| {
        let reason = "recording stopped (the monitor quit)".to_string();
        r.send(crate::record::Entry::Gap { wall, reason });
        r.finish()
    });
    match finished {
        Some(Err(why)) if result.is_ok() => Err(format!("recording stopped: {why}")),
        _ => result,
    }
}

/// The recording `--record` asks for, its writer started.
fn start_recording(args: &Args) -> Result<crate::record::RecordHandle, String> {
    let path = args.record.as_deref().expect("--record given");
    let mut options = crate::record::RecordOptions::default();
    if let Some(max) = args.record_max {
        options.max_bytes = max;
    }
    let recorder =
        crate::record::Recorder::create(path, options).map_err(|e| format!("--record: {e}"))?;
    Ok(crate::record::RecordThread::spawn(recorder))
}

/// `lvstop agent`: the table of this director (or --netns, or --demo), read
/// every -d seconds, over stdin and stdout.
fn run_agent(args: &Args, clock: Arc<dyn Clock>) -> Result<(), String> {
    let mut backend = open_backend(args, clock.clone()).map_err(|e| e.to_string())?;
    if !args.demo {
        // An agent outlives sockets as the monitor does.
        let netns = args.netns.clone();
        let open = move || Client::open(netns.as_deref()).map(|c| Box::new(c) as Box<dyn Backend>);
        backend = Box::new(ResilientReader::new(backend, open, clock.clone()));
    }
    let access = if args.read_only {
        agent::AgentAccess::ReadOnly(backend as Box<dyn crate::backend::Reader>)
    } else {
        agent::AgentAccess::ReadWrite(Box::new(editor(args, backend, clock.clone())))
    };
    let identity = agent::Identity {
        host: host_name(),
        netns: namespace(args),
    };
    let delay = Duration::from_secs_f64(args.delay.unwrap_or(1.0));
    agent::run(access, identity, delay, clock)
}

/// The output's errors name --output themselves; stdout's are said here.
fn batch_error(e: batch::BatchError, to_file: bool) -> String {
    match e {
        batch::BatchError::Backend(e) => e.to_string(),
        batch::BatchError::Output(e) if to_file => e.to_string(),
        batch::BatchError::Output(e) => format!("writing to standard output failed: {e}"),
    }
}

/// The namespace journal records name: `host`, the --netns value, `demo`.
fn namespace(args: &Args) -> String {
    if args.demo {
        "demo".into()
    } else {
        args.netns.clone().unwrap_or_else(|| "host".into())
    }
}

/// The journaling editor over `backend`. Without a journal path (no
/// --journal, $XDG_STATE_HOME or $HOME) changes are refused with that
/// reason while monitoring goes on.
fn editor(
    args: &Args,
    backend: Box<dyn Backend>,
    clock: Arc<dyn Clock>,
) -> Editor<Box<dyn Backend>> {
    Editor::new(
        backend,
        journal_path(args),
        clock,
        namespace(args),
        crate::output::rule,
    )
}

/// --journal, or the default under $XDG_STATE_HOME or $HOME; a path that
/// names why there is none otherwise (changes are refused with it).
fn journal_path(args: &Args) -> PathBuf {
    args.journal
        .clone()
        .or_else(Journal::default_path)
        .unwrap_or_else(|| PathBuf::from("(no --journal, $XDG_STATE_HOME or $HOME)"))
}

/// Defaults, then the configuration file, then the command line.
fn monitor_options(args: &Args) -> Result<MonitorOptions, String> {
    let mut options = MonitorOptions::default();
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => Config::default_path(),
    };
    if let Some(path) = path {
        if args.config.is_some() && !path.exists() {
            return Err(format!(
                "configuration file {} does not exist",
                path.display()
            ));
        }
        Config::load(&path)?.apply(&mut options);
    }
    if let Some(d) = args.delay {
        options.delay = Duration::from_secs_f64(d);
    }
    if let Some(h) = args.history {
        options.history = Duration::from_secs(h);
    }
    if args.demo {
        options.host = "demo director".to_string();
        options.badges.push("DEMO".to_string());
    } else {
        options.host = host_name();
        if let Some(ns) = &args.netns {
            options.host = format!("{} netns {ns}", options.host);
        }
    }
    Ok(options)
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".to_string())
}

fn open_backend(args: &Args, clock: Arc<dyn Clock>) -> Result<Box<dyn Backend>, Error> {
    if args.demo {
        let seed = args.demo_seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(1)
        });
        // Two simulated minutes in, so the first screen is a director in service.
        return Ok(Box::new(
            DemoDirector::new(seed, clock).with_head_start(Duration::from_secs(120)),
        ));
    }
    Ok(Box::new(Client::open(args.netns.as_deref())?))
}
