//! The connection table at scale (`tools/bench --connections`): what reading
//! it costs with the kernel's own tools, the yardsticks lvstop's reads are
//! judged against.

use std::io::Read;
use std::ops::ControlFlow;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use lvstop::backend::Reader;
use lvstop::conns::{
    Attribution, HalfOpenCounter, Limits, Made, ReadStamp, Sampling, Scope, Summarizer,
};
use lvstop::kernel::Client;
use lvstop::model::{ConnSource, Connection};

use crate::fail;
use crate::measure::{secs, time, vm_hwm_kib, Sample};

/// (a) `cat /proc/net/ip_vs_conn`, and with `sync` (a') the file that
/// holds each entry's origin, `ip_vs_conn_sync` (longer lines: fewer per
/// page, so more `read()`s, each walking the table from its start), one
/// run each, their lines and bytes counted here (so a short read is
/// caught, not timed).
pub fn cat(sync: bool) {
    let files: &[(&str, &str)] = if sync {
        &[
            ("conns_cat", "/proc/net/ip_vs_conn"),
            ("conns_cat_sync", "/proc/net/ip_vs_conn_sync"),
        ]
    } else {
        &[("conns_cat", "/proc/net/ip_vs_conn")]
    };
    for (name, file) in files {
        let (s, (lines, bytes)) = time(libc::RUSAGE_CHILDREN, || lines_of("cat", &[file]));
        print(name, s, lines.saturating_sub(1));
        println!("{name}_bytes={bytes}");
    }
}

/// (b) `ipvsadm -Lnc`, one run.
pub fn ipvsadm() {
    let (s, (lines, _)) = time(libc::RUSAGE_CHILDREN, || lines_of("ipvsadm", &["-Lnc"]));
    print("conns_ipvsadm", s, lines.saturating_sub(2));
}

fn print(name: &str, s: Sample, entries: u64) {
    println!(
        "{name}_wall_s={} {name}_cpu_s={} {name}_entries={entries}",
        secs(s.wall),
        secs(s.cpu)
    );
}

/// Runs `program args` and counts the lines and bytes it prints; exits the
/// bench if it fails.
fn lines_of(program: &str, args: &[&str]) -> (u64, u64) {
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| fail(&format!("{program}: {e}")));
    let mut out = child.stdout.take().unwrap_or_else(|| fail("no pipe"));
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut bytes) = (0u64, 0u64);
    loop {
        match out.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
                bytes += n as u64;
            }
            Err(e) => fail(&format!("{program}: {e}")),
        }
    }
    match child.wait() {
        Ok(st) if st.success() => (lines, bytes),
        other => fail(&format!("{program} {args:?}: {other:?}")),
    }
}

/// The file `source` names, as the bench's arguments spell it.
pub fn source(arg: &str) -> Option<ConnSource> {
    match arg {
        "plain" => Some(ConnSource::Plain),
        "origin" => Some(ConnSource::WithOrigin),
        _ => None,
    }
}

/// (c) lvstop's exact whole read, or (d) its sampled read (a prefix of
/// `limit` entries), of `source`'s file, fed as the monitor's owner thread
/// feeds a walk: each entry attributed once, into the open view's
/// `Summarizer` (scope: the table's one service) and the table-wide
/// half-open counts. Prints each real server's share of the entries and
/// each state's, for the sampled read to be judged against the exact one.
pub fn read(mut client: Client, name: &str, limit: Option<u64>, source: ConnSource) {
    let snapshot = client.snapshot().unwrap_or_else(|e| fail(&e.to_string()));
    let Some(service) = snapshot.services.first().map(|s| s.service.key) else {
        fail("no service to read the connections of");
    };
    let attribution = Arc::new(Attribution::new(&snapshot));
    let (s, (reading, walk)) = time(libc::RUSAGE_SELF, || {
        let mut summary = Summarizer::new(
            attribution.clone(),
            Scope::service(service),
            Limits::default(),
        );
        let mut half = HalfOpenCounter::new(attribution.clone());
        let mut seen = 0u64;
        let mut visit = |c: Connection| {
            let owner = attribution.owner(&c);
            half.add_owned(owner.as_ref(), &c);
            summary.add_owned(owner.as_ref(), c);
            seen += 1;
            match limit {
                Some(n) if seen >= n => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            }
        };
        // As the monitor reads: a sampled prefix on the owner thread, an
        // exact read through a walk of its own thread (open_connections),
        // the owner summarising what it hands over.
        let walk = match limit {
            Some(_) => client.connections(source, &mut visit),
            None => client
                .open_connections(source)
                .and_then(|mut cursor| cursor.resume(&mut visit)),
        }
        .unwrap_or_else(|e| fail(&format!("connections: {e}")));
        let _ = half.finish(Sampling::Exact, Duration::ZERO, SystemTime::now());
        let reading = summary.finish(ReadStamp {
            sampling: Sampling::Exact,
            made: Made::OneGo,
            at: Duration::ZERO,
            wall: SystemTime::now(),
            took: Duration::ZERO,
            read: walk.entries,
            malformed: walk.malformed,
        });
        (reading, walk)
    });
    print(&format!("conns_{name}"), s, walk.entries);
    println!(
        "conns_{name}_malformed={} conns_{name}_complete={} conns_{name}_source={}",
        walk.malformed,
        walk.complete,
        match source {
            ConnSource::Plain => "ip_vs_conn",
            ConnSource::WithOrigin => "ip_vs_conn_sync",
        }
    );
    let n = reading.total.entries().max(1) as f64;
    for d in &reading.dests {
        println!(
            "conns_{name}_share_rs_{}:{}={:.4}",
            d.dest.addr,
            d.dest.port,
            d.counts.entries() as f64 / n
        );
    }
    for (state, count) in reading.total.states.iter() {
        println!("conns_{name}_share_state_{state}={:.4}", count as f64 / n);
    }
    println!("conns_{name}_vmhwm_kib={}", vm_hwm_kib());
}
