//! Host-side benchmarks (no VM, no kernel): `cargo bench --bench host`.
//!
//! 1. Decoding throughput of captured kernel replies (tests/golden/6.12:
//!    the services dump and a real-server dump of `ipvsadm -Ln`), each message
//!    replicated to 100,000 and packed into 32 KiB datagrams as the kernel
//!    packs dumps. Timed through `kernel::take_datagram` and the model
//!    conversion (`take_datagram_with` + `protocol::direct`), exactly the
//!    client's path; beside it the typed attribute tree it replaced, and a
//!    framing-only pass (message lengths read, nothing decoded).
//! 2. One frame of the monitor at 200x60 with 100,000 services in the model,
//!    against the same frame with 10 (target: within 1.5x).
//! 3. Applying one poll to the monitor's model (`App::apply`) at 10,000 and
//!    100 services with 10 real servers each: every service read, and the
//!    real servers of a tenth of them (the poller's sweep). Median of 20
//!    polls after 10 warm-up polls. Then the pieces a whole listing of
//!    50,000 services is applied in between keys (`App::begin`, each
//!    `apply_step`, the frame after): a key waits at most one of them.

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use lvstop::app::editing::Mode;
use lvstop::app::{App, AppConfig, Event, PollResult};
use lvstop::canvas::Chrome;
use lvstop::kernel::{take_datagram, take_datagram_with};
use lvstop::model::{Dest, Family, Info, Protocol, Service, ServiceKey};
use lvstop::protocol::convert::{dest_from_message, service_from_message};
use lvstop::protocol::direct::{DestDecoder, ServiceDecoder};
use lvstop::protocol::IpvsMessage;
use lvstop::testkit::UniformTable;
use lvstop::tui::Monitor;

const COPIES: usize = 100_000;

thread_local! {
    static DECODER: std::cell::RefCell<DestDecoder> = std::cell::RefCell::new(DestDecoder::new());
    static SERVICES: std::cell::RefCell<ServiceDecoder> =
        std::cell::RefCell::new(ServiceDecoder::new());
}
const DATAGRAM: usize = 32 * 1024;
const NLMSG_DONE: u16 = 3;

fn main() {
    // Profiling one part: `HOST_BENCH=apply-some valgrind --tool=callgrind ...`;
    // also `batch-text|stats|save|json` (one batch reading of 1,000x250
    // from memory), `frame-N` (frames of N services), `decode-services` and
    // `decode-dests` (one pass of the client's decoding), `poller` (40 polls
    // of an in-memory 10,000x10 table, the poller's own work) and `cycle`
    // (the monitor's cycle of a listing and eight polls between listings at
    // 10,000x10; the binary also runs in the test VM, which sees the host's
    // files).
    if std::env::var("HOST_BENCH").as_deref() == Ok("apply-some") {
        println!("{:?}", apply_some_time(10_000, 10));
        return;
    }
    if std::env::var("HOST_BENCH").as_deref() == Ok("steps") {
        println!("{:?}", listing_steps(50_000, 2, false));
        println!("{:?}", listing_steps(50_000, 2, true));
        return;
    }
    if std::env::var("HOST_BENCH").as_deref() == Ok("cycle") {
        let [listing, some] = cycle_times(10_000, 10);
        println!("listing {listing:?} some {some:?}");
        return;
    }
    if std::env::var("HOST_BENCH").as_deref() == Ok("poller") {
        return poller_profile();
    }
    if let Some(format) = std::env::var("HOST_BENCH")
        .ok()
        .and_then(|v| v.strip_prefix("batch-").map(str::to_owned))
    {
        println!("{:?}", batch_time(&format, 1_000, 250));
        return;
    }
    if let Some(n) = std::env::var("HOST_BENCH")
        .ok()
        .and_then(|v| v.strip_prefix("frame-")?.parse().ok())
    {
        println!("{:?}", frame_times(n, n).0);
        return;
    }
    if let Some(which) = std::env::var("HOST_BENCH")
        .ok()
        .and_then(|v| v.strip_prefix("decode-").map(str::to_owned))
    {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/6.12");
        let (services, dests) = captured_messages(&dir);
        let n = match which.as_str() {
            "services" => decode_once(&datagrams(&services), &mut |p| {
                SERVICES.with(|d| d.borrow_mut().decode(p).map(|_| ()))
            }),
            "dests" => decode_once(&datagrams(&dests), &mut |p| {
                DECODER.with(|d| d.borrow_mut().decode(p, Family::V4).map(|_| ()))
            }),
            other => panic!("HOST_BENCH=decode-{other}: services or dests"),
        };
        println!("{n} messages decoded");
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/6.12");
    let (services, dests) = captured_messages(&dir);
    println!(
        "decoding {COPIES} messages from captured replies ({} service, {} real-server templates)",
        services.len(),
        dests.len()
    );
    decode(
        "services dump",
        &services,
        |m| service_from_message(m).map(|_| ()),
        // As the client: one decoder for the dump, reusing the learnt layout.
        |p| SERVICES.with(|d| d.borrow_mut().decode(p).map(|_| ())),
    );
    decode(
        "real-server dump",
        &dests,
        |m| dest_from_message(m, Family::V4).map(|_| ()),
        // As the client: one decoder for the dump, reusing the learnt layout.
        |p| DECODER.with(|d| d.borrow_mut().decode(p, Family::V4).map(|_| ())),
    );
    render();
    apply();
}

/// Every IPVS message (cmd NEW_SERVICE / NEW_DEST) in the `ipvsadm -Ln`
/// capture's replies, as whole netlink frames.
fn captured_messages(dir: &Path) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let (mut services, mut dests) = (Vec::new(), Vec::new());
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/golden/6.12")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("list.") && n.ends_with(".resp.bin")
        })
        .collect();
    files.sort();
    for f in files {
        let b = std::fs::read(&f).unwrap();
        let mut off = 0;
        while off + 20 <= b.len() {
            let len = u32::from_ne_bytes(b[off..off + 4].try_into().unwrap()) as usize;
            let kind = u16::from_ne_bytes(b[off + 4..off + 6].try_into().unwrap());
            if len < 16 || off + len > b.len() {
                break;
            }
            if kind > NLMSG_DONE + 13 {
                match b[off + 16] {
                    1 => services.push(b[off..off + len].to_vec()),
                    5 => dests.push(b[off..off + len].to_vec()),
                    _ => {}
                }
            }
            off += (len + 3) & !3;
        }
    }
    assert!(
        !services.is_empty() && !dests.is_empty(),
        "no dump replies in {}",
        dir.display()
    );
    (services, dests)
}

/// `COPIES` messages cycling through `templates`, packed into datagrams
/// (sequence number 1), NLMSG_DONE at the end.
fn datagrams(templates: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut out = vec![Vec::with_capacity(DATAGRAM)];
    for i in 0..COPIES {
        let m = &templates[i % templates.len()];
        if out.last().unwrap().len() + m.len() > DATAGRAM {
            out.push(Vec::with_capacity(DATAGRAM));
        }
        let d = out.last_mut().unwrap();
        let at = d.len();
        d.extend_from_slice(m);
        d[at + 8..at + 12].copy_from_slice(&1u32.to_ne_bytes());
        d.resize((d.len() + 3) & !3, 0);
    }
    let mut done = vec![0u8; 20];
    done[0..4].copy_from_slice(&20u32.to_ne_bytes());
    done[4..6].copy_from_slice(&NLMSG_DONE.to_ne_bytes());
    done[8..12].copy_from_slice(&1u32.to_ne_bytes());
    out.last_mut().unwrap().extend_from_slice(&done);
    out
}

/// Framing only: what the floor reader does with a reply.
fn count(datagrams: &[Vec<u8>]) -> usize {
    let mut n = 0;
    for d in datagrams {
        let mut off = 0;
        while off + 16 <= d.len() {
            let len = u32::from_ne_bytes(d[off..off + 4].try_into().unwrap()) as usize;
            n += 1;
            off += (len.max(16) + 3) & !3;
        }
    }
    n
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .min()
        .unwrap()
}

type Converted = Result<(), netlink_packet_core::DecodeError>;

/// One pass of the client's path over `grams`, on its own for callgrind:
/// its inclusive cost over `COPIES` is the instructions per message.
#[inline(never)]
fn decode_once(grams: &[Vec<u8>], direct: &mut dyn FnMut(&[u8]) -> Converted) -> usize {
    let mut n = 0;
    for g in grams {
        let mut each = |p: &[u8]| {
            n += 1;
            direct(p)
        };
        take_datagram_with(g, 1, &mut each).expect("captured replies decode");
    }
    n
}

fn decode(
    what: &str,
    templates: &[Vec<u8>],
    typed: impl Fn(&IpvsMessage) -> Converted,
    direct: impl Fn(&[u8]) -> Converted,
) {
    let grams = datagrams(templates);
    let bytes: usize = grams.iter().map(Vec::len).sum();
    let floor = best_of(5, || count(&grams));
    // The client's path: messages decoded in place into the model.
    let fast = best_of(5, || {
        let mut n = 0;
        let mut each = |p: &[u8]| {
            n += 1;
            direct(p)
        };
        for g in &grams {
            take_datagram_with(g, 1, &mut each).expect("captured replies decode");
        }
        assert_eq!(n, COPIES);
    });
    // The typed attribute tree, then the model (the path it replaced).
    let tree = best_of(5, || {
        let mut replies: Vec<IpvsMessage> = Vec::new();
        for g in &grams {
            take_datagram(g, 1, &mut replies).expect("captured replies decode");
        }
        assert_eq!(replies.len(), COPIES);
        for m in &replies {
            typed(m).expect("captured replies convert");
        }
    });
    let ns = |d: Duration| d.as_secs_f64() / COPIES as f64 * 1e9;
    println!(
        "  {what}: {:.0} ns/message, {:.0} MB/s ({:.2} M messages/s); typed tree {:.0} ns/message ({:.1}x slower); framing only {:.0} ns/message",
        ns(fast),
        bytes as f64 / fast.as_secs_f64() / 1e6,
        COPIES as f64 / fast.as_secs_f64() / 1e6,
        ns(tree),
        tree.as_secs_f64() / fast.as_secs_f64(),
        ns(floor),
    );
}

/// A model of `n` services (two real servers each for the first 1,000),
/// after two polls so rates and sparklines are drawn.
fn monitor(n: u32) -> Monitor {
    let mut app = App::new(AppConfig {
        delay: Duration::from_secs(1),
        history: Duration::from_secs(300),
    });
    let key = |i: u32| ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: IpAddr::V4(Ipv4Addr::from(u32::from(Ipv4Addr::new(198, 18, 0, 0)) + i)),
        port: 80,
    };
    for poll in 1..=2u64 {
        let services: Vec<Service> = (0..n)
            .map(|i| {
                let mut s = Service::new(key(i), "wlc");
                s.stats.conns = poll * u64::from(i % 13);
                s.stats.inbytes = poll * 1000 * u64::from(i % 7);
                s
            })
            .collect();
        let dests = (0..n.min(1000))
            .map(|i| {
                let d = (1..=2)
                    .map(|j| Dest::new(IpAddr::V4(Ipv4Addr::new(172, 16, 0, j)), 8080))
                    .collect();
                (key(i), d)
            })
            .collect();
        app.apply(Event::Polled(PollResult {
            whole: true,
            at: Duration::from_secs(poll),
            wall: SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + poll),
            took: Duration::from_millis(5),
            interval: Duration::from_secs(1),
            info: Info {
                version: 0x010201,
                conn_tab_size: 4096,
            },
            services,
            dests,
            estimator: Some(true),
        }));
    }
    Monitor::new(app, Chrome::default(), Mode::ReadOnly)
}

/// Medians of 50 frames of each monitor, drawn in turn (one of `a`, one of
/// `b`, ...) so that drift in the host's speed hits both alike.
fn frame_times(a: u32, b: u32) -> (Duration, Duration) {
    let mut ma = monitor(a);
    let mut mb = monitor(b);
    let mut ta = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut tb = Terminal::new(TestBackend::new(200, 60)).unwrap();
    ma.render(&mut ta).unwrap();
    mb.render(&mut tb).unwrap();
    let time = |m: &mut Monitor, t: &mut Terminal<TestBackend>| {
        // Each frame redraws the whole table area.
        let s = Instant::now();
        m.render(t).unwrap();
        s.elapsed()
    };
    let (mut xa, mut xb) = (Vec::new(), Vec::new());
    for _ in 0..50 {
        xa.push(time(&mut ma, &mut ta));
        xb.push(time(&mut mb, &mut tb));
    }
    xa.sort();
    xb.sort();
    (xa[xa.len() / 2], xb[xb.len() / 2])
}

fn render() {
    let (small, big) = frame_times(10, 100_000);
    let ratio = big.as_secs_f64() / small.as_secs_f64();
    println!(
        "frame 200x60: 10 services {:.0} us, 100,000 services {:.0} us, ratio {ratio:.2} (target <= 1.5: {})",
        small.as_secs_f64() * 1e6,
        big.as_secs_f64() * 1e6,
        if ratio <= 1.5 { "met" } else { "MISSED" }
    );
}

/// Poll `at` of a synthetic `services` x `dests` table, shaped like
/// `examples/bench`'s `history`: moving counters, so every sample is a rate.
fn synthetic_poll(services: u32, dests: u32, at: u64) -> PollResult {
    let key = |i: u32| ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: IpAddr::V4(Ipv4Addr::from(u32::from(Ipv4Addr::new(198, 18, 0, 0)) + i)),
        port: 80,
    };
    let svc = (0..services)
        .map(|i| {
            let mut s = Service::new(key(i), "wlc");
            s.stats.conns = at * u64::from(i % 7);
            s.stats.inpkts = at * 10;
            s
        })
        .collect();
    let read = (0..services)
        .filter(|i| at == 1 || u64::from(*i) % 10 == at % 10)
        .map(|i| {
            let ds = (0..dests)
                .map(|j| {
                    let mut d = Dest::new(IpAddr::V4(Ipv4Addr::from(0xac10_0000 + j)), 8080);
                    d.stats.conns = at * u64::from(j % 3);
                    d
                })
                .collect();
            (key(i), ds)
        })
        .collect();
    PollResult {
        whole: true,
        at: Duration::from_secs(at),
        wall: SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + at),
        took: Duration::from_millis(5),
        interval: Duration::from_secs(1),
        info: Info {
            version: 0x010201,
            conn_tab_size: 4096,
        },
        services: svc,
        dests: read,
        estimator: Some(true),
    }
}

/// Median time of `App::apply` for one poll (polls built beforehand).
fn apply_time(services: u32, dests: u32) -> Duration {
    let mut app = App::new(AppConfig {
        delay: Duration::from_secs(1),
        history: Duration::from_secs(300),
    });
    for at in 1..=10 {
        app.apply(Event::Polled(synthetic_poll(services, dests, at)));
    }
    let polls: Vec<PollResult> = (11..=30)
        .map(|at| synthetic_poll(services, dests, at))
        .collect();
    let mut times: Vec<Duration> = polls
        .into_iter()
        .map(|p| {
            let s = Instant::now();
            app.apply(Event::Polled(p));
            s.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// The monitor's cycle at a big table, as the poller hands it over: a whole
/// listing with a ninth of the real servers, then eight polls of the 43
/// services on screen and another ninth each. Median time of `App::apply`
/// for the listings and for the polls between them, over 5 cycles after 2.
fn cycle_times(services: u32, dests: u32) -> [Duration; 2] {
    let mut app = App::new(AppConfig {
        delay: Duration::from_secs(1),
        history: Duration::from_secs(600),
    });
    let full = synthetic_poll(services, dests, 1);
    let all = full.dests.clone();
    app.apply(Event::Polled(full));
    let ninth = services.div_ceil(9) as usize;
    let (mut listings, mut some) = (Vec::new(), Vec::new());
    for at in 2..=64u64 {
        let mut p = synthetic_poll(services, dests, at);
        let first = (at as usize % 9) * ninth;
        let mut read: Vec<_> = all.iter().skip(first).take(ninth).cloned().collect();
        let listing = at % 9 == 1;
        if !listing {
            p.whole = false;
            p.services.truncate(43);
            read.extend(all.iter().take(43).cloned());
        }
        p.dests = read;
        let s = Instant::now();
        app.apply(Event::Polled(p));
        let took = s.elapsed();
        if at > 18 {
            if listing {
                listings.push(took)
            } else {
                some.push(took)
            }
        }
    }
    listings.sort();
    some.sort();
    [listings[listings.len() / 2], some[some.len() / 2]]
}

/// Median time of `App::apply` for a poll between whole listings of a big
/// table, as the poller hands it over: the 43 services on a 200x60 screen
/// re-read, their real servers and a ninth of the others' read.
fn apply_some_time(services: u32, dests: u32) -> Duration {
    let mut app = App::new(AppConfig {
        delay: Duration::from_secs(1),
        history: Duration::from_secs(300),
    });
    let warm = if std::env::var_os("HOST_BENCH").is_some() {
        1
    } else {
        10
    };
    for at in 1..=warm {
        app.apply(Event::Polled(synthetic_poll(services, dests, at)));
    }
    let polls: Vec<PollResult> = (warm + 1..=warm + 40)
        .map(|at| {
            let mut p = synthetic_poll(services, dests, at);
            p.whole = false;
            p.services.truncate(43);
            let ninth = services.div_ceil(9) as usize;
            let first = (at as usize % 9) * ninth;
            let mut read: Vec<_> = p.dests.drain(..).collect();
            read.retain(|(k, _)| {
                let i = p.services.iter().position(|s| s.key == *k);
                i.is_some()
            });
            let full = synthetic_poll(services, dests, 1).dests;
            read.extend(full.into_iter().skip(first).take(ninth));
            p.dests = read;
            p
        })
        .collect();
    let mut times: Vec<Duration> = polls
        .into_iter()
        .map(|p| {
            let s = Instant::now();
            app.apply(Event::Polled(p));
            s.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn apply() {
    for (s, d) in [(10_000, 10), (100, 10)] {
        println!(
            "apply one poll, {s} services x {d} real servers: {:.0} us",
            apply_time(s, d).as_secs_f64() * 1e6
        );
    }
    println!(
        "apply one poll between whole listings, 10000 services x 10 real servers (43 services re-read, a ninth of the real servers): {:.0} us",
        apply_some_time(10_000, 10).as_secs_f64() * 1e6
    );
    // What a key can wait for on the UI thread while a poll is applied.
    let us = |d: Duration| format!("{:.0}", d.as_secs_f64() * 1e6);
    for (churn, what) in [(false, "the same services"), (true, "a service gone")] {
        let [begin, longest, last, frame] = listing_steps(50_000, 2, churn);
        println!(
            "whole listing of 50000x2, {what}, applied between keys: begin {} us, longest slice {} us, last {} us, frame {} us",
            us(begin),
            us(longest),
            us(last),
            us(frame)
        );
    }
}

/// One `lvstop -b -n 1` reading of a synthetic table served from memory,
/// streamed through a format's sink to nowhere: batch output's own work.
fn batch_time(format: &str, services: u32, dests: u32) -> Duration {
    use lvstop::output::{json::JsonSink, save::SaveSink, TextOptions, TextSink, TextView};
    let p = synthetic_poll(services, dests, 1);
    let mut table = UniformTable::new(p.services, p.dests[0].1.clone());
    let text = |view| TextSink {
        options: TextOptions { view, exact: false },
    };
    let mut sink: Box<dyn lvstop::output::Sink> = match format {
        "text" => Box::new(text(TextView::Plain)),
        "stats" => Box::new(text(TextView::Stats)),
        "save" => Box::new(SaveSink),
        "json" => Box::new(JsonSink::default()),
        other => panic!("HOST_BENCH=batch-{other}: text, stats, save or json"),
    };
    let mut out = std::io::sink();
    let mut stream = lvstop::cli::stream::Stream::new(&mut out);
    let t = Instant::now();
    if stream
        .reading(&mut table, sink.as_mut(), SystemTime::now())
        .is_err()
    {
        panic!("a reading from memory failed");
    }
    t.elapsed()
}

fn poller_profile() {
    let p = synthetic_poll(10_000, 10, 1);
    // Served from memory as the kernel client would: a fresh list per call.
    let watched: Vec<ServiceKey> = p.services[..43].iter().map(|s| s.key).collect();
    let mut table = UniformTable::new(p.services, p.dests[0].1.clone());
    let clock = lvstop::clock::SystemClock::new();
    let mut poller = lvstop::poll::Poller::new();
    let mut n = 0;
    for _ in 0..40 {
        if let Event::Polled(p) = poller.poll(&mut table, &watched, Duration::from_secs(1), &clock)
        {
            n += p.dests.len();
        }
    }
    println!("{n}");
}

/// The UI thread's longest uninterrupted piece of work while a whole
/// listing of `services` x `dests` is applied between keys (`App::begin`,
/// each `apply_step`, the frame after it): a key waits at most that long.
/// Median over 5 listings after 3 warm-up polls; returns (begin, longest
/// step, last step, frame).
fn listing_steps(services: u32, dests: u32, churn: bool) -> [Duration; 4] {
    let mut app = App::new(AppConfig {
        delay: Duration::from_secs(1),
        history: Duration::from_secs(300),
    });
    for at in 1..=3 {
        app.apply(Event::Polled(synthetic_poll(services, dests, at)));
    }
    let mut m = Monitor::new(app, Chrome::default(), Mode::ReadOnly);
    let mut t = Terminal::new(TestBackend::new(200, 60)).unwrap();
    m.render(&mut t).unwrap();
    let mut runs: Vec<[Duration; 4]> = (4..=8)
        .map(|at| {
            let mut p = synthetic_poll(services, dests, at);
            if churn {
                // A service gone since the last listing: rows are matched
                // by key.
                p.services.remove(at as usize);
            }
            let s = Instant::now();
            m.app.begin(Event::Polled(p));
            let begin = s.elapsed();
            let mut longest = Duration::ZERO;
            let last = loop {
                let s = Instant::now();
                let done = m.app.apply_step(lvstop::app::APPLY_STEP_ROWS);
                let step = s.elapsed();
                longest = longest.max(step);
                if done {
                    break step;
                }
            };
            let s = Instant::now();
            m.render(&mut t).unwrap();
            [begin, longest, last, s.elapsed()]
        })
        .collect();
    runs.sort_by_key(|r| r.iter().max().copied());
    runs[runs.len() / 2]
}
