//! `lvstop agent`: the remote side, run by lvstop over ssh. Reads the local
//! table every `-d` seconds and speaks the agent protocol
//! (docs/agent-protocol.md) on stdin and stdout: a hello, readings as changes
//! against the previous one, answers to change requests (applied through the
//! journaling editor, as a local change is) and pings.

use std::io::{self, BufReader, Write};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::backend::{Backend, Reader};
use crate::clock::Clock;
use crate::edit::Editor;
use crate::fleet::lines::{read_line, Line};
use crate::fleet::protocol::{
    decode_to_agent, encode, readings, FromAgent, Hello, Outcome, Pong, ReadingFailed, ToAgent,
    MAX_LINE, PROTOCOL_VERSION,
};
use crate::model::Snapshot;
use crate::output::json::millis;

/// The table, read-only or through the journaling editor.
pub enum AgentAccess {
    ReadOnly(Box<dyn Reader>),
    ReadWrite(Box<Editor<Box<dyn Backend>>>),
}

impl AgentAccess {
    fn reader(&mut self) -> &mut dyn Reader {
        match self {
            AgentAccess::ReadOnly(r) => r.as_mut(),
            AgentAccess::ReadWrite(e) => e.backend_mut(),
        }
    }
}

/// What the agent says of itself in its hello.
pub struct Identity {
    pub host: String,
    pub netns: String,
}

/// Serves the protocol until stdin ends. A failed write (lvstop went away)
/// ends it quietly too.
pub fn run(
    mut access: AgentAccess,
    identity: Identity,
    delay: Duration,
    clock: Arc<dyn Clock>,
) -> Result<(), String> {
    let requests = spawn_stdin_reader();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    serve(
        &mut access,
        &identity,
        delay,
        clock.as_ref(),
        &requests,
        &mut out,
    )
}

/// The loop, over any output and request source (tests drive it directly).
pub fn serve(
    access: &mut AgentAccess,
    identity: &Identity,
    delay: Duration,
    clock: &dyn Clock,
    requests: &Receiver<Result<ToAgent, String>>,
    out: &mut dyn Write,
) -> Result<(), String> {
    let read_only = matches!(access, AgentAccess::ReadOnly(_));
    let ipvs = access
        .reader()
        .info()
        .map(|i| i.version_string())
        .unwrap_or_default();
    let mut capabilities = vec!["read", "ping", "resync"];
    if !read_only {
        capabilities.insert(1, "apply");
    }
    let hello = FromAgent::Hello(Hello {
        protocol: PROTOCOL_VERSION,
        lvstop: env!("CARGO_PKG_VERSION").to_string(),
        host: clean(&identity.host),
        ipvs,
        capabilities: capabilities.into_iter().map(String::from).collect(),
        read_only,
        netns: clean(&identity.netns),
        interval_ms: delay.as_millis() as u64,
    });
    if send(out, &[hello]).is_err() {
        return Ok(());
    }
    let mut prev: Option<Snapshot> = None;
    let mut seq = 0u64;
    let mut next = Instant::now();
    loop {
        let wait = next.saturating_duration_since(Instant::now());
        match requests.recv_timeout(wait) {
            Ok(Ok(request)) => {
                let answer = match request {
                    ToAgent::Ping { id, sent_ms } => FromAgent::Pong(Pong {
                        id,
                        sent_ms,
                        at_ms: millis(clock.wall()),
                    }),
                    ToAgent::Resync => {
                        prev = None;
                        next = Instant::now();
                        continue;
                    }
                    ToAgent::Apply { id, change, user } => {
                        // The table changed: show it at once.
                        next = Instant::now();
                        FromAgent::Result(apply(access, id, change, user))
                    }
                };
                if send(out, &[answer]).is_err() {
                    return Ok(());
                }
                continue;
            }
            Ok(Err(why)) => {
                // lvstop's own lines are trusted no more than an agent's.
                return Err(format!("agent: a bad request from lvstop: {why}"));
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
            Err(RecvTimeoutError::Timeout) => {}
        }
        next += delay;
        if next < Instant::now() {
            next = Instant::now() + delay;
        }
        let started = Instant::now();
        let at_ms = millis(clock.wall());
        let lines: Vec<FromAgent> = match access.reader().snapshot() {
            Ok(table) => {
                seq += 1;
                let took = started.elapsed().as_micros() as u64;
                let lines = readings(prev.as_ref(), &table, seq, at_ms, took);
                prev = Some(table);
                lines.into_iter().map(FromAgent::Reading).collect()
            }
            Err(e) => {
                // The next reading that works goes out whole.
                prev = None;
                vec![FromAgent::Failed(ReadingFailed {
                    at_ms,
                    reason: clean(&e.to_string()),
                })]
            }
        };
        if send(out, &lines).is_err() {
            return Ok(());
        }
    }
}

fn apply(access: &mut AgentAccess, id: u64, change: crate::model::Change, user: String) -> Outcome {
    let editor = match access {
        AgentAccess::ReadOnly(_) => {
            return Outcome {
                id,
                ok: false,
                message: "this director's agent runs --read-only: nothing was changed".into(),
                journal_id: None,
            }
        }
        AgentAccess::ReadWrite(e) => e,
    };
    editor.set_requested_by(Some(user));
    let result = editor.apply(change);
    editor.set_requested_by(None);
    match result {
        Ok(applied) => Outcome {
            id,
            ok: true,
            message: clean(&crate::edit::words::done(
                &applied.change,
                &applied.before,
                applied.after.as_ref(),
            )),
            journal_id: Some(applied.id),
        },
        Err(e) => Outcome {
            id,
            ok: false,
            message: clean(&e.to_string()),
            journal_id: None,
        },
    }
}

fn send(out: &mut dyn Write, messages: &[FromAgent]) -> io::Result<()> {
    for m in messages {
        let mut line = encode(m);
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

/// Control characters out of what the agent says (a host name, a kernel
/// message): lvstop would refuse the whole message for one.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Requests from stdin on a thread of their own, so the reading cadence
/// never waits on lvstop. The channel closes when stdin ends.
fn spawn_stdin_reader() -> Receiver<Result<ToAgent, String>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut input = BufReader::new(io::stdin().lock());
        let mut buf = Vec::new();
        loop {
            let message = match read_line(&mut input, &mut buf, MAX_LINE) {
                // An empty line asks nothing (a person typing at the agent).
                Ok(Line::Read) if buf.trim_ascii().is_empty() => continue,
                Ok(Line::Read) => decode_to_agent(&buf).map_err(|e| e.to_string()),
                Ok(Line::TooLong(n)) => Err(format!("a line of {n} bytes, over {MAX_LINE}")),
                Ok(Line::End) | Err(_) => return,
            };
            if tx.send(message).is_err() {
                return;
            }
        }
    });
    rx
}
