//! Batch mode over several directors (`-b --host A --host B`, `--fleet`):
//! each director's listing under a line naming it (text), or one JSON
//! object per director per reading with a `director` field; `--diff`
//! prints where their tables differ instead, for scripts and monitoring.

use std::io::{self, Write};
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use crate::fleet::remote::{DirectorState, DirectorStatus, RemoteDirector};
use crate::fleet::{differences, DirectorName};
use crate::model::{Dest, Info, Service};
use crate::output::json::JsonSink;
use crate::output::{Sink, TextOptions, TextSink, TextView};

use super::args::{Args, Format};
use super::fleet_targets::{connect, ssh_options, targets};
use super::listing::Listing;
use super::stream::{Stream, StreamError};

/// How long the first readings may take: ssh's own ConnectTimeout is 10 s,
/// then key exchange, the agent's start and a whole table.
const FIRST_READING: Duration = Duration::from_secs(60);

/// `--diff`: 1 when the tables differ, 0 when not, 2 on error. Listings:
/// 0, or 1 on error.
pub fn main(args: &Args, listing: Listing) -> ExitCode {
    match run(args, listing) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("lvstop: {message}");
            ExitCode::from(if args.diff { 2 } else { 1 })
        }
    }
}

fn run(args: &Args, listing: Listing) -> Result<ExitCode, String> {
    let view = match listing {
        Listing::Services { view, only: None } => view,
        _ => {
            return Err("--host/--fleet list each director's services: -c, one service (-t/-u/-f), --timeout and --daemon read one director at a time".into())
        }
    };
    if args.format == Format::OpenMetrics {
        return Err("--format openmetrics writes one director's metrics: run it on each director (node_exporter's textfile there)".into());
    }
    if args.output.is_some() {
        return Err("--output writes one director's snapshots: with --host/--fleet, redirect standard output".into());
    }
    let targets = targets(args)?;
    if args.diff && targets.len() < 2 {
        return Err("--diff compares directors: name two or more with --host or --fleet".into());
    }
    if args.format == Format::Save && targets.len() > 1 {
        return Err("--format save writes one director's rules: use it with one --host".into());
    }
    let ssh = ssh_options(args)?;
    let mut directors = connect(&targets, &ssh);
    let deadline = Instant::now() + FIRST_READING;
    let mut unreachable = Vec::new();
    for d in &directors {
        let s = d.wait_settled(deadline.saturating_duration_since(Instant::now()));
        if d.table().is_none() {
            unreachable.push(format!(
                "{}: {}{}",
                s.name,
                s.state.word(),
                s.state
                    .reason()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ));
        }
    }
    if !unreachable.is_empty() {
        return Err(format!("no table from {}", unreachable.join("; ")));
    }
    let delay = Duration::from_secs_f64(args.delay.unwrap_or(1.0));
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let start = Instant::now();
    let mut n = 0u64;
    let mut differ = false;
    loop {
        let at = SystemTime::now();
        let written = if args.diff {
            diff_once(&directors, args.format == Format::Json, at, &mut out).map(|d| differ = d)
        } else {
            list_once(&mut directors, args.format, view, at, &mut out)
        };
        match written {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => break,
            Err(e) => return Err(format!("writing to standard output failed: {e}")),
        }
        n += 1;
        if args.iterations.is_some_and(|max| n >= max) {
            break;
        }
        let next = start + delay.mul_f64(n as f64);
        thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    Ok(if args.diff && differ {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Each director's listing, in the order named.
fn list_once(
    directors: &mut [RemoteDirector],
    format: Format,
    view: TextView,
    at: SystemTime,
    out: &mut dyn Write,
) -> io::Result<()> {
    for d in directors.iter_mut() {
        let status = d.status();
        let mut stream = Stream::new(out);
        let result = match format {
            Format::Json => {
                let mut sink = DirectorJson {
                    inner: JsonSink::default(),
                    status: &status,
                };
                stream.reading(d, &mut sink, at)
            }
            Format::Save => stream.reading(d, &mut crate::output::save::SaveSink, at),
            // Refused before any director is reached.
            Format::OpenMetrics => Ok(()),
            Format::Text => {
                stream
                    .buffer()
                    .extend_from_slice(header(&status).as_bytes());
                let mut sink = TextSink {
                    options: TextOptions { view, exact: true },
                };
                stream.reading(d, &mut sink, at)
            }
        };
        match result {
            Ok(()) => {}
            Err(StreamError::Output(e)) => return Err(e),
            // The director's table is in memory: only a missing one fails,
            // and the first reading was awaited.
            Err(StreamError::Backend(e)) => {
                stream
                    .buffer()
                    .extend_from_slice(format!("{e}\n").as_bytes());
                stream.finish().map_err(|e| match e {
                    StreamError::Output(e) => e,
                    StreamError::Backend(_) => io::Error::other("backend"),
                })?;
            }
        }
    }
    Ok(())
}

/// `==> lb1 <==`, with the state when the table shown is not live.
fn header(status: &DirectorStatus) -> String {
    match &status.state {
        DirectorState::Live { .. } => format!("==> {} <==\n", status.name),
        state => format!(
            "==> {} ({}{}; its last table) <==\n",
            status.name,
            state.word(),
            state.reason().map(|r| format!(": {r}")).unwrap_or_default()
        ),
    }
}

/// The differences between the directors' latest tables, one per line
/// (text) or one JSON object per reading. True when there are any.
fn diff_once(
    directors: &[RemoteDirector],
    json: bool,
    at: SystemTime,
    out: &mut dyn Write,
) -> io::Result<bool> {
    let tables: Vec<(DirectorName, std::sync::Arc<crate::model::Snapshot>)> = directors
        .iter()
        .filter_map(|d| d.table().map(|t| (d.name().clone(), t)))
        .collect();
    let borrowed: Vec<(DirectorName, &crate::model::Snapshot)> = tables
        .iter()
        .map(|(n, t)| (n.clone(), t.as_ref()))
        .collect();
    let found = differences(&borrowed);
    let mut text = String::new();
    if json {
        let line = serde_json::json!({
            "directors": directors.iter().map(|d| d.name().as_str()).collect::<Vec<_>>(),
            "differences": found.iter().map(|d| serde_json::json!({
                "what": d.to_string(),
                "detail": d,
            })).collect::<Vec<_>>(),
            "time": crate::output::json::millis(at),
        });
        text.push_str(&line.to_string());
        text.push('\n');
    } else {
        for d in &found {
            text.push_str(&format!("{d}\n"));
        }
    }
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(!found.is_empty())
}

/// The JSON sink with the director's name and state first in each object.
struct DirectorJson<'a> {
    inner: JsonSink,
    status: &'a DirectorStatus,
}

impl Sink for DirectorJson<'_> {
    fn begin(&mut self, out: &mut Vec<u8>, info: &Info, at: SystemTime) {
        let start = out.len();
        self.inner.begin(out, info, at);
        let mut fields = format!(
            "\"director\":{},\"director_state\":\"{}\",",
            serde_json::to_string(self.status.name.as_str()).expect("a string"),
            self.status.state.word()
        );
        if let Some(r) = self.status.state.reason() {
            fields.push_str(&format!(
                "\"director_reason\":{},",
                serde_json::to_string(r).expect("a string")
            ));
        }
        // The sink opened the object with `{`: the fields go right after it.
        let at = start + 1;
        out.splice(at..at, fields.into_bytes());
    }

    fn service(&mut self, out: &mut Vec<u8>, service: &Service, dests: &[&Dest]) {
        self.inner.service(out, service, dests);
    }

    fn end(&mut self, out: &mut Vec<u8>) {
        self.inner.end(out);
    }
}
