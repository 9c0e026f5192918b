//! The connection table at scale (`tools/bench --connections`): what reading
//! it costs with the kernel's own tools, the yardsticks lvstop's reads are
//! judged against.

use std::io::Read;
use std::ops::ControlFlow;
use std::process::{Command, Stdio};

use lvstop::backend::Reader;
use lvstop::conns::{Attribution, Tally};
use lvstop::kernel::Client;
use lvstop::model::ConnSource;

use crate::fail;
use crate::measure::{secs, time, vm_hwm_kib, Sample};

/// (a) `cat /proc/net/ip_vs_conn`, and the file lvstop reads,
/// `ip_vs_conn_sync` (longer lines: fewer per page, so more `read()`s, each
/// walking the table from its start), one run each, their lines counted
/// here (so a short read is caught, not timed).
pub fn cat() {
    for (name, file) in [
        ("conns_cat", "/proc/net/ip_vs_conn"),
        ("conns_cat_sync", "/proc/net/ip_vs_conn_sync"),
    ] {
        let (s, lines) = time(libc::RUSAGE_CHILDREN, || lines_of("cat", &[file]));
        print(name, s, lines.saturating_sub(1));
    }
}

/// (b) `ipvsadm -Lnc`, one run.
pub fn ipvsadm() {
    let (s, lines) = time(libc::RUSAGE_CHILDREN, || lines_of("ipvsadm", &["-Lnc"]));
    print("conns_ipvsadm", s, lines.saturating_sub(2));
}

fn print(name: &str, s: Sample, entries: u64) {
    println!(
        "{name}_wall_s={} {name}_cpu_s={} {name}_entries={entries}",
        secs(s.wall),
        secs(s.cpu)
    );
}

/// Runs `program args` and counts the lines it prints; exits the bench if it
/// fails.
fn lines_of(program: &str, args: &[&str]) -> u64 {
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| fail(&format!("{program}: {e}")));
    let mut out = child.stdout.take().unwrap_or_else(|| fail("no pipe"));
    let mut buf = vec![0u8; 1 << 16];
    let mut lines = 0u64;
    loop {
        match out.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64,
            Err(e) => fail(&format!("{program}: {e}")),
        }
    }
    match child.wait() {
        Ok(st) if st.success() => lines,
        other => fail(&format!("{program} {args:?}: {other:?}")),
    }
}

/// (c) lvstop's exact whole read, or (d) its sampled read (a prefix of
/// `limit` entries), of the table into its counts per service and real
/// server, as the monitor reads it (`ip_vs_conn_sync`, with origins). Prints
/// each real server's share of the entries and each state's, for the
/// sampled read to be judged against the exact one.
pub fn read(mut client: Client, name: &str, limit: Option<u64>) {
    let snapshot = client.snapshot().unwrap_or_else(|e| fail(&e.to_string()));
    let (s, (tally, walk)) = time(libc::RUSAGE_SELF, || {
        let attribution = Attribution::new(&snapshot);
        let mut tally = Tally::new(&attribution);
        let mut seen = 0u64;
        let walk = client
            .connections(ConnSource::WithOrigin, &mut |c| {
                tally.add(&attribution, &c);
                seen += 1;
                match limit {
                    Some(n) if seen >= n => ControlFlow::Break(()),
                    _ => ControlFlow::Continue(()),
                }
            })
            .unwrap_or_else(|e| fail(&format!("connections: {e}")));
        (tally, walk)
    });
    print(&format!("conns_{name}"), s, walk.entries);
    println!(
        "conns_{name}_malformed={} conns_{name}_complete={}",
        walk.malformed, walk.complete
    );
    let total = tally.total();
    let n = total.entries().max(1) as f64;
    for svc in tally.services() {
        for d in &svc.dests {
            println!(
                "conns_{name}_share_rs_{}:{}={:.4}",
                d.dest.addr,
                d.dest.port,
                d.counts.entries() as f64 / n
            );
        }
    }
    for (state, count) in total.states.iter() {
        println!("conns_{name}_share_state_{state}={:.4}", count as f64 / n);
    }
    println!("conns_{name}_vmhwm_kib={}", vm_hwm_kib());
}
