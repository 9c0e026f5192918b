//! `bench conns-parse N` (host or VM, no IPVS needed): what lvstop's own
//! work costs per entry line of each file, without the kernel's walk. N
//! UDP entries as the kernel prints them (pktgen's table: random clients,
//! one service, three real servers), as `ip_vs_conn` and as
//! `ip_vs_conn_sync` text, each walked (`walk_text`) into the view's
//! summary and the half-open counts, as the owner thread feeds a walk.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use lvstop::conns::{
    Attribution, HalfOpenCounter, Limits, Made, ReadStamp, Sampling, Scope, ServiceShape,
    Summarizer,
};
use lvstop::kernel::conn_file::walk_text;
use lvstop::model::{ConnSource, DestKey, Protocol, ServiceKey};

const VIP: u32 = 0xC633_640A; // 198.51.100.10
const REPS: usize = 5;

/// The file's text for `n` entries, header first.
fn text(n: u64, source: ConnSource) -> Vec<u8> {
    let mut out = Vec::with_capacity(n as usize * 80);
    out.extend_from_slice(lvstop::kernel::conn_file::header(source));
    out.push(b'\n');
    // A fixed-seed generator: the same clients every run.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let client = 0x0A00_0000 | (x as u32 & 0x003F_FFFF);
        let port = 1024 + (x >> 32) as u32 % 64_512;
        let real = 0xC000_020B + (i % 3) as u32;
        let expires = 3000 + (i % 600) as u32;
        let head = format!(
            "UDP {client:08X} {port:04X} {VIP:08X} 0035 {real:08X} 0035 {:<11}",
            "UDP"
        );
        let line = match source {
            ConnSource::Plain => format!("{head} {expires:>7}\n"),
            ConnSource::WithOrigin => format!("{head} {:<6} {expires:>7}\n", "LOCAL"),
        };
        out.extend_from_slice(line.as_bytes());
    }
    out
}

fn attribution() -> (Arc<Attribution>, ServiceKey) {
    let service = ServiceKey::Addr {
        protocol: Protocol::Udp,
        addr: "198.51.100.10".parse().unwrap(),
        port: 53,
    };
    let dests = (1..=3u32)
        .map(|w| {
            let addr = format!("192.0.2.1{w}").parse().unwrap();
            (DestKey { addr, port: 53 }, w)
        })
        .collect();
    let shape = ServiceShape {
        key: service,
        persistent: false,
        dests,
    };
    (Arc::new(Attribution::of_shapes([shape])), service)
}

/// One walk of `text`, each entry parsed and dropped: its time.
#[inline(never)]
fn parse_only(text: &[u8], source: ConnSource, buf: &mut Vec<u8>) -> (Duration, u64) {
    let t = Instant::now();
    let w = walk_text(text, source, buf, &mut |_| ControlFlow::Continue(()))
        .unwrap_or_else(|e| crate::fail(&format!("{e:?}")));
    (t.elapsed(), w.entries)
}

/// One walk of `text` into the summary and half-open counts: its time.
#[inline(never)]
fn walk(text: &[u8], source: ConnSource, buf: &mut Vec<u8>) -> (Duration, u64) {
    let (attribution, service) = attribution();
    let t = Instant::now();
    let mut summary = Summarizer::new(
        attribution.clone(),
        Scope::service(service),
        Limits::default(),
    );
    let mut half = HalfOpenCounter::new(attribution.clone());
    let w = walk_text(text, source, buf, &mut |c| {
        let owner = attribution.owner(&c);
        half.add_owned(owner.as_ref(), &c);
        summary.add_owned(owner.as_ref(), c);
        ControlFlow::Continue(())
    })
    .unwrap_or_else(|e| crate::fail(&format!("{e:?}")));
    let stamp = ReadStamp {
        sampling: Sampling::Exact,
        made: Made::OneGo,
        at: Duration::ZERO,
        wall: SystemTime::now(),
        took: Duration::ZERO,
        read: w.entries,
        malformed: w.malformed,
    };
    let reading = summary.finish(stamp);
    let _ = half.finish(Sampling::Exact, Duration::ZERO, SystemTime::now());
    (t.elapsed(), reading.total.entries())
}

/// A walk of the text by one of the two ways: its time and entries.
type Walker = fn(&[u8], ConnSource, &mut Vec<u8>) -> (Duration, u64);

/// The median time per line of `REPS` walks by `how`, after an untimed one.
fn per_line(how: Walker, text: &[u8], source: ConnSource, n: u64) -> f64 {
    let mut buf = Vec::new();
    how(text, source, &mut buf);
    let mut ns: Vec<f64> = (0..REPS)
        .map(|_| {
            let (took, entries) = how(text, source, &mut buf);
            if entries != n {
                crate::fail(&format!("{entries} of {n} entries"));
            }
            took.as_nanos() as f64 / n as f64
        })
        .collect();
    ns.sort_by(f64::total_cmp);
    ns[ns.len() / 2]
}

/// Both files, or only the one `only` names (for an instruction count of
/// one under callgrind).
pub fn run(n: u64, only: Option<ConnSource>) {
    for (name, source) in [
        ("plain", ConnSource::Plain),
        ("origin", ConnSource::WithOrigin),
    ] {
        if only.is_some_and(|o| o != source) {
            continue;
        }
        let text = text(n, source);
        let lines = text.iter().filter(|&&b| b == b'\n').count() as u64;
        println!(
            "conns_parse_{name}_bytes={} conns_parse_{name}_line_bytes={:.1} conns_parse_{name}_ns_per_line={:.1} conns_parse_{name}_summarised_ns_per_line={:.1}",
            text.len(),
            (text.len() as f64) / lines as f64,
            per_line(parse_only, &text, source, n),
            per_line(walk, &text, source, n),
        );
    }
}
