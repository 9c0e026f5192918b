//! The thread behind a remote director: start the agent, read its lines
//! under the protocol's caps, keep the latest table, reconnect with backoff
//! (1, 2, 4 ... 30 s) when the connection drops, stop for good when the
//! agent breaks the protocol.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::fleet::lines::{read_line, read_line_or_refuse, Line};
use crate::fleet::protocol::{
    decode_from_agent, encode, FromAgent, Hello, Staging, ToAgent, MAX_LINE, PROTOCOL_VERSION,
};
use crate::fleet::DirectorName;

use super::{DirectorState, Launch, RemoteOptions, Shared};

/// Between pings.
const PING_EVERY: Duration = Duration::from_secs(5);

/// From starting ssh to the agent's hello: key exchange under load (or
/// several at once) takes seconds; a hung login must still end.
const HELLO_WITHIN: Duration = Duration::from_secs(60);

/// What the keeper watches of a connection.
struct Watch {
    last_line: Instant,
    greeted: bool,
    /// Set when the keeper ended the connection, with why.
    ended: Option<String>,
}

/// How a connection ended.
enum End {
    /// Try again after a while.
    Dropped(String),
    /// Do not talk to this agent again.
    Bad(String),
    /// The director was dropped.
    Stopped,
}

pub(super) fn run(
    name: &DirectorName,
    shared: &Arc<Shared>,
    launch: &Launch,
    options: &RemoteOptions,
) {
    let mut backoff = Duration::from_secs(1);
    loop {
        let had_reading = {
            let inner = shared.lock();
            if inner.stop {
                return;
            }
            inner.last_reading
        };
        let end = connect_once(name, shared, launch, options);
        let mut inner = shared.lock();
        inner.stdin = None;
        inner.pid = None;
        inner.generation += 1;
        match end {
            End::Stopped => {
                shared.changed.notify_all();
                return;
            }
            End::Bad(reason) => {
                inner.state = DirectorState::Bad { reason };
                inner.retry_at = None;
                shared.changed.notify_all();
                return;
            }
            End::Dropped(reason) => {
                // A connection that brought readings starts the backoff over.
                if inner.last_reading != had_reading {
                    backoff = Duration::from_secs(1);
                }
                let since = match &inner.state {
                    DirectorState::Stale { since, .. } => *since,
                    _ => SystemTime::now(),
                };
                inner.state = DirectorState::Stale {
                    since,
                    reason,
                    retry_in: backoff,
                };
                inner.retry_at = Some(Instant::now() + backoff);
                shared.changed.notify_all();
            }
        }
        // Sleep the backoff, waking early only to stop.
        let until = Instant::now() + backoff;
        while !inner.stop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            inner = shared
                .changed
                .wait_timeout(inner, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        drop(inner);
        backoff = (backoff * 2).min(options.max_backoff);
    }
}

fn connect_once(
    name: &DirectorName,
    shared: &Arc<Shared>,
    launch: &Launch,
    options: &RemoteOptions,
) -> End {
    let mut command = launch();
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(c) => c,
        Err(e) => return End::Dropped(format!("cannot start ssh: {e}")),
    };
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr_tail = spawn_stderr_reader(child.stderr.take().expect("piped stderr"));
    let generation = {
        let mut inner = shared.lock();
        if inner.stop {
            end(child.id());
            let _ = child.wait();
            return End::Stopped;
        }
        inner.stdin = child.stdin.take();
        inner.pid = Some(child.id());
        inner.generation
    };
    let watch = Arc::new(Mutex::new(Watch {
        last_line: Instant::now(),
        greeted: false,
        ended: None,
    }));
    spawn_keeper(
        shared.clone(),
        generation,
        child.id(),
        watch.clone(),
        options.silence,
    );
    let end = read_agent(name, shared, BufReader::new(stdout), &watch);
    finish(&mut child, shared);
    let ended = watch.lock().unwrap_or_else(|e| e.into_inner()).ended.take();
    match end {
        End::Dropped(_) if ended.is_some() => End::Dropped(ended.unwrap_or_default()),
        End::Dropped(reason) => {
            // ssh's last words come on stderr, which may close a little after stdout.
            let (tail, done) = stderr_tail;
            let _ = done.recv_timeout(Duration::from_secs(1));
            let tail = tail.lock().unwrap_or_else(|e| e.into_inner()).clone();
            End::Dropped(if tail.is_empty() {
                reason
            } else {
                format!("{reason}: {tail}")
            })
        }
        other => other,
    }
}

/// Reads the agent until the connection ends or the agent breaks the protocol.
fn read_agent(
    name: &DirectorName,
    shared: &Arc<Shared>,
    mut input: impl BufRead,
    watch: &Mutex<Watch>,
) -> End {
    let mut buf = Vec::new();
    let mut hello: Option<Hello> = None;
    let mut staging = Staging::new();
    loop {
        match read_line_or_refuse(&mut input, &mut buf, MAX_LINE) {
            Ok(Line::Read) => {}
            Ok(Line::TooLong(n)) => {
                return End::Bad(format!(
                    "the agent sent a line of at least {n} bytes, over the limit of {MAX_LINE}"
                ))
            }
            Ok(Line::End) => {
                return if shared.lock().stop {
                    End::Stopped
                } else if hello.is_none() {
                    End::Dropped("the connection ended before the agent's hello".into())
                } else {
                    End::Dropped("the connection ended".into())
                }
            }
            Err(e) => return End::Dropped(format!("reading from ssh failed: {}", e.kind())),
        }
        watch.lock().unwrap_or_else(|e| e.into_inner()).last_line = Instant::now();
        let message = match decode_from_agent(&buf) {
            Ok(m) => m,
            Err(e) => return End::Bad(format!("the agent sent {e}")),
        };
        match (message, &hello) {
            (FromAgent::Hello(h), None) => {
                if h.protocol != PROTOCOL_VERSION {
                    return End::Bad(format!(
                        "{name} speaks agent protocol {} (lvstop {}); this lvstop speaks protocol {PROTOCOL_VERSION} (lvstop {}): install the same lvstop on both",
                        h.protocol,
                        h.lvstop,
                        env!("CARGO_PKG_VERSION")
                    ));
                }
                hello = Some(h);
                watch.lock().unwrap_or_else(|e| e.into_inner()).greeted = true;
            }
            (FromAgent::Hello(_), Some(_)) => {
                return End::Bad("the agent sent a second hello".into())
            }
            (_, None) => return End::Bad("the agent spoke before its hello".into()),
            (FromAgent::Reading(r), Some(h)) => match staging.take(&r) {
                Ok(Some(table)) => {
                    let table = Arc::new(table.clone());
                    let mut inner = shared.lock();
                    inner.table = Some(table);
                    inner.readings += 1;
                    inner.last_reading = Some(SystemTime::now());
                    inner.state = DirectorState::Live { hello: h.clone() };
                    inner.retry_at = None;
                    shared.changed.notify_all();
                }
                Ok(None) => {}
                Err(e) => return End::Bad(format!("the agent sent {e}")),
            },
            (FromAgent::Failed(f), Some(_)) => {
                let mut inner = shared.lock();
                let since = match &inner.state {
                    DirectorState::Stale { since, .. } => *since,
                    _ => SystemTime::now(),
                };
                inner.state = DirectorState::Stale {
                    since,
                    reason: format!("the agent cannot read its table: {}", f.reason),
                    retry_in: Duration::ZERO,
                };
                shared.changed.notify_all();
            }
            (FromAgent::Result(outcome), Some(_)) => {
                let mut inner = shared.lock();
                if inner.answers.len() < 1_000 {
                    inner.answers.insert(outcome.id, outcome);
                }
                shared.changed.notify_all();
            }
            (FromAgent::Pong(p), Some(_)) => {
                let now = millis(SystemTime::now());
                shared.lock().lag = Some(Duration::from_millis(now.saturating_sub(p.sent_ms)));
            }
        }
    }
}

/// Ends the agent's ssh and reaps it.
fn finish(child: &mut Child, shared: &Shared) {
    {
        let mut inner = shared.lock();
        inner.stdin = None;
        inner.pid = None;
    }
    end(child.id());
    let _ = child.wait();
}

/// Asks a process of ours to end (SIGTERM): the ssh client we started.
pub(super) fn end(pid: u32) {
    // SAFETY: kill has no memory effects; pid is our own child, not yet reaped
    // (the pid is cleared under the lock before the wait that reaps it).
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGTERM);
    }
}

/// Pings every few seconds and ends a connection silent for `silence`: a
/// director whose network went away shows stale instead of frozen.
fn spawn_keeper(
    shared: Arc<Shared>,
    generation: u64,
    pid: u32,
    watch: Arc<Mutex<Watch>>,
    silence: Duration,
) {
    thread::spawn(move || {
        let mut next_ping = Instant::now() + PING_EVERY;
        loop {
            let mut inner = shared.lock();
            if inner.stop || inner.generation != generation || inner.pid != Some(pid) {
                return;
            }
            {
                let mut w = watch.lock().unwrap_or_else(|e| e.into_inner());
                let limit = if w.greeted { silence } else { HELLO_WITHIN };
                if w.last_line.elapsed() > limit {
                    w.ended = Some(if w.greeted {
                        format!("no word from the agent in {} s", limit.as_secs())
                    } else {
                        format!(
                            "no hello from the agent within {} s of starting ssh",
                            limit.as_secs()
                        )
                    });
                    end(pid);
                    return;
                }
            }
            if Instant::now() >= next_ping {
                next_ping = Instant::now() + PING_EVERY;
                let id = inner.next_id;
                inner.next_id += 1;
                let mut line = encode(&ToAgent::Ping {
                    id,
                    sent_ms: millis(SystemTime::now()),
                });
                line.push('\n');
                if let Some(stdin) = inner.stdin.as_mut() {
                    let _ = stdin.write_all(line.as_bytes()).and_then(|_| stdin.flush());
                }
            }
            let _ = shared
                .changed
                .wait_timeout(inner, Duration::from_millis(500));
        }
    });
}

/// Keeps the last line ssh wrote on stderr (`Connection refused`,
/// `Permission denied (publickey)`), cleaned of control characters and
/// capped: it goes into the stale reason.
fn spawn_stderr_reader(
    stderr: impl Read + Send + 'static,
) -> (Arc<Mutex<String>>, mpsc::Receiver<()>) {
    let tail = Arc::new(Mutex::new(String::new()));
    let t = tail.clone();
    let (done, ended) = mpsc::channel();
    thread::spawn(move || {
        let mut r = BufReader::new(stderr);
        let mut buf = Vec::new();
        while let Ok(Line::Read | Line::TooLong(_)) = read_line(&mut r, &mut buf, 4096) {
            let text: String = String::from_utf8_lossy(&buf)
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .take(300)
                .collect();
            let text = text.trim();
            if !text.is_empty() {
                *t.lock().unwrap_or_else(|e| e.into_inner()) = text.to_string();
            }
        }
        let _ = done.send(());
    });
    (tail, ended)
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}
