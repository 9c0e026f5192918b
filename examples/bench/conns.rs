//! The connection table at scale (`tools/bench --connections`): what reading
//! it costs with the kernel's own tools, the yardsticks lvstop's reads are
//! judged against.

use std::io::Read;
use std::process::{Command, Stdio};

use crate::fail;
use crate::measure::{secs, time, Sample};

/// (a) `cat /proc/net/ip_vs_conn` and (b) `ipvsadm -Lnc`, one run each,
/// their output counted here (so a short read is caught, not timed).
pub fn baseline() {
    let (s, lines) = time(libc::RUSAGE_CHILDREN, || {
        lines_of("cat", &["/proc/net/ip_vs_conn"])
    });
    print("conns_cat", s, lines.saturating_sub(1));
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
