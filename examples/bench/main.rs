//! The in-VM half of `tools/bench`: builds synthetic IPVS tables and
//! measures reading them. Prints `name=value` lines for the script.
//!
//!   bench build SERVICES DESTS      flush, then build the table
//!   bench read REPS                 floor, full read, services dump, ipvsadm
//!   bench tui SECONDS [QUIET] [FILE]
//!                                   the monitor headless, 1 s refresh: keys
//!                                   for SECONDS, then none for QUIET (30);
//!                                   with FILE, recording into it (--record)
//!   bench before | after            the median CPU of three full reads
//!                                   (after an untimed one), run just
//!                                   before and after tui
//!   bench history S D SECONDS       app memory after that many 1 s polls
//!                                   of a synthetic S x D table (no kernel)
//!   bench batch REPS LVSTOP         whole processes: lvstop -b -n 1 in
//!                                   every format, the floor, ipvsadm
//!   bench floor                     one floor read (a process of its own)
//!   bench startup REPS LVSTOP       what starting a process costs: an
//!                                   empty one, version flags, the floor,
//!                                   --stats and ipvsadm, interleaved
//!   bench batch-soak SECONDS LVSTOP [ARGS]
//!                                   lvstop -b -d 1 [ARGS]: RSS over time
//!   bench tui-memory S D SECONDS [QUIET]
//!                                   as tui, on build's table served from
//!                                   memory (no kernel: the UI's own cost)
//!   bench tui-conns-memory N SECONDS QUIET view|noview
//!                                   as tui-conns, on N entries served from
//!                                   memory (no kernel: the frames' cost)
//!   bench conns-parse N [plain|origin]
//!                                   lvstop's own cost per line of each
//!                                   file (N entries in memory, no kernel)
//!   bench record-read FILE          a recording's ticks and problems, the
//!                                   time to open it and to jump to its
//!                                   middle minute
//!   bench conns-cat [sync]          the connection table read by cat
//!                                   (ip_vs_conn; with sync, then
//!                                   ip_vs_conn_sync too)
//!   bench conns-ipvsadm             and by ipvsadm -Lnc
//!   bench conns-exact plain|origin  lvstop's whole read of ip_vs_conn
//!                                   (plain) or ip_vs_conn_sync (origin)
//!                                   into the view's summary
//!   bench conns-sampled N plain|origin
//!                                   its read of the first N entries
//!   bench fleet-tui-memory N S D SECONDS QUIET [differences]
//!                                   the fleet monitor over N S x D tables
//!                                   served from memory (no kernel)
//!   bench fleet-diff N S D REPS [differ]
//!                                   the differences view's comparison of N
//!                                   S x D tables on the UI thread: each
//!                                   director's fingerprint, then the tables
//!                                   compared (no kernel)
//!   bench fleet-ssh-tui N SSH_CONFIG REMOTE_LVSTOP SECONDS QUIET STREAM_DIR SETTLE_SECS
//!                                   the fleet monitor over d1 … dN of
//!                                   vm/labs/fleet.sh through ssh and agents
//!   bench fleet-tui N PREFIX SECONDS QUIET [differences]
//!                                   the fleet monitor over the tables of
//!                                   namespaces PREFIX1 … PREFIXn
//!                                   (differences: F opened first)
//!   bench replay-make FILE S D SECONDS [BLOCK_KIB]
//!                                   a recording of a synthetic S x D
//!                                   table, a tick a second (no kernel);
//!                                   blocks closed at BLOCK_KIB raw
//!   bench replay FILE JUMPS         open it and show the first frame,
//!                                   then jump to random minutes
//!   bench agent-stream S D TICKS    the agent's readings of a synthetic
//!                                   S x D table whose every counter moves
//!                                   each tick: diff and encoding time,
//!                                   bytes (no kernel)
//!   bench tui-conns SECONDS QUIET view|noview
//!                                   as tui, the connections view opened
//!                                   by its key first (view) or not

mod agent_stream;
mod batch;
mod build;
mod conn_parse;
mod conns;
mod fleet;
mod fleet_diff;
mod fleet_ssh;
mod floor;
mod frame_times;
mod measure;
mod memory;
mod record;
mod replay;
mod trace;
mod tui;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use lvstop::app::{App, AppConfig, Event, PollResult};
use lvstop::backend::Reader;
use lvstop::kernel::Client;

use measure::{median, median_ratio, secs, time, vm_hwm_kib, Sample};

fn main() {
    // The allocator policy lvstop's own main sets: every figure here is the
    // program's.
    lvstop::heap::keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| -> u64 {
        args.get(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| usage())
    };
    if args.first().map(String::as_str) == Some("history") {
        return history(num(1) as u32, num(2) as u32, num(3));
    }
    // The fleet monitor over N tables served from memory (the UI's own
    // cost), or over the kernel tables of namespaces PREFIX1 … PREFIXn.
    if args.first().map(String::as_str) == Some("fleet-tui-memory") {
        let (n, s, d) = (num(1) as usize, num(2) as u32, num(3) as u32);
        let directors = (1..=n)
            .map(|i| {
                let name = lvstop::fleet::DirectorName(format!("lb{i}"));
                let table = Box::new(memory::table(s, d)) as Box<dyn Reader>;
                (name, lvstop::poll::Access::ReadOnly(table))
            })
            .collect();
        let differences = args.get(6).map(String::as_str) == Some("differences");
        return fleet::run(directors, num(4), num(5), differences);
    }
    if args.first().map(String::as_str) == Some("fleet-diff") {
        let differ = args.get(5).map(String::as_str) == Some("differ");
        return fleet_diff::run(
            num(1) as usize,
            num(2) as u32,
            num(3) as u32,
            num(4) as usize,
            differ,
        );
    }
    if args.first().map(String::as_str) == Some("fleet-tui") {
        let (n, prefix) = (
            num(1) as usize,
            args.get(2).cloned().unwrap_or_else(|| usage()),
        );
        let directors = (1..=n)
            .map(|i| {
                let ns = format!("{prefix}{i}");
                let client = Client::open(Some(&ns)).unwrap_or_else(|e| fail(&e.to_string()));
                let name = lvstop::fleet::DirectorName(ns);
                (
                    name,
                    lvstop::poll::Access::ReadOnly(Box::new(client) as Box<dyn Reader>),
                )
            })
            .collect();
        let differences = args.get(5).map(String::as_str) == Some("differences");
        return fleet::run(directors, num(3), num(4), differences);
    }
    // The fleet monitor over d1 … dN of vm/labs/fleet.sh, through ssh and agents.
    if args.first().map(String::as_str) == Some("fleet-ssh-tui") {
        let arg = |i: usize| args.get(i).cloned().unwrap_or_else(|| usage());
        return fleet_ssh::run(
            num(1) as usize,
            arg(2).into(),
            arg(3),
            num(4),
            num(5),
            arg(6).into(),
            Duration::from_secs(num(7)),
        );
    }
    if args.first().map(String::as_str) == Some("agent-stream") {
        return agent_stream::run(num(1) as u32, num(2) as u32, num(3));
    }
    if args.first().map(String::as_str) == Some("replay-make") {
        let path = std::path::PathBuf::from(args.get(1).unwrap_or_else(|| usage()));
        let block_kib = (args.len() > 5).then(|| num(5) as usize);
        return replay::make(&path, num(2) as u32, num(3) as u32, num(4), block_kib);
    }
    if args.first().map(String::as_str) == Some("replay") {
        let path = std::path::PathBuf::from(args.get(1).unwrap_or_else(|| usage()));
        return replay::run(&path, num(2) as u32);
    }
    if args.first().map(String::as_str) == Some("tui-memory") {
        let quiet = if args.len() > 4 { num(4) } else { 30 };
        let table = memory::table(num(1) as u32, num(2) as u32);
        return tui::run(table, num(3), quiet, Duration::from_secs(1), None);
    }
    let arg = |i: usize| -> &str { args.get(i).map(String::as_str).unwrap_or_else(|| usage()) };
    if args.first().map(String::as_str) == Some("tui-conns-memory") {
        let first = match arg(4) {
            "view" => Some(crossterm::event::KeyCode::Char('c')),
            "noview" => None,
            _ => usage(),
        };
        let table = memory::conn_table(num(1) as u32);
        return tui::run(table, num(2), num(3), Duration::from_secs(1), first);
    }
    if args.first().map(String::as_str) == Some("batch") {
        let me = std::env::current_exe().unwrap_or_else(|e| fail(&e.to_string()));
        return batch::compare(num(1) as usize, &me.to_string_lossy(), arg(2));
    }
    if args.first().map(String::as_str) == Some("startup") {
        let me = std::env::current_exe().unwrap_or_else(|e| fail(&e.to_string()));
        return batch::startup(num(1) as usize, &me.to_string_lossy(), arg(2));
    }
    if args.first().map(String::as_str) == Some("batch-soak") {
        let rest: Vec<&str> = args[3..].iter().map(String::as_str).collect();
        return batch::soak(num(1), arg(2), &rest);
    }
    if args.first().map(String::as_str) == Some("conns-parse") {
        let only = args
            .get(2)
            .map(|a| conns::source(a).unwrap_or_else(|| usage()));
        return conn_parse::run(num(1), only);
    }
    if args.first().map(String::as_str) == Some("record-read") {
        return record::read(arg(1));
    }
    if args.first().map(String::as_str) == Some("conns-cat") {
        return conns::cat(args.get(1).map(String::as_str) == Some("sync"));
    }
    if args.first().map(String::as_str) == Some("conns-ipvsadm") {
        return conns::ipvsadm();
    }
    let mut client = Client::open(None).unwrap_or_else(|e| fail(&e.to_string()));
    match args.first().map(String::as_str) {
        Some("build") => {
            let t = Instant::now();
            build::build(&mut client, num(1) as u32, num(2) as u32)
                .unwrap_or_else(|e| fail(&e.to_string()));
            println!("build_s={}", secs(t.elapsed()));
        }
        Some("read") => read(client, num(1) as usize),
        Some("floor") => {
            let mut floor =
                floor::Floor::open(client.family_id()).unwrap_or_else(|e| fail(&e.to_string()));
            floor
                .read()
                .unwrap_or_else(|e| fail(&format!("floor: {e}")));
        }
        Some("conns-exact") => {
            let source = conns::source(arg(1)).unwrap_or_else(|| usage());
            conns::read(client, "exact", None, source)
        }
        Some("conns-sampled") => {
            let source = conns::source(arg(2)).unwrap_or_else(|| usage());
            conns::read(client, "sampled", Some(num(1)), source)
        }
        Some("tui") => {
            let quiet = if args.len() > 2 { num(2) } else { 30 };
            let record = args.get(3).map(std::path::Path::new);
            tui::run_with(client, num(1), quiet, Duration::from_secs(1), None, record)
        }
        // The monitor as `tui`, on the connection table's one service, with
        // the connections view opened by its key first (`view`) or not.
        Some("tui-conns") => {
            let first = match arg(3) {
                "view" => Some(crossterm::event::KeyCode::Char('c')),
                "noview" => None,
                _ => usage(),
            };
            tui::run(client, num(1), num(2), Duration::from_secs(1), first)
        }
        // Full reads just before the monitor and just after it, each in a
        // process of its own: the monitor's CPU is judged against reads at
        // the host's speed of the same minute, the median of three each
        // since one read alone varies far more than the monitor's average.
        Some(when @ ("before" | "after")) => {
            // Untimed first: the shapes the kernel writes are learnt, as
            // the monitor's client has learnt them.
            client.snapshot().unwrap_or_else(|e| fail(&e.to_string()));
            let mut cpu: Vec<f64> = (0..3)
                .map(|_| {
                    let (s, r) = time(libc::RUSAGE_SELF, || client.snapshot());
                    r.unwrap_or_else(|e| fail(&e.to_string()));
                    s.cpu.as_secs_f64()
                })
                .collect();
            let all: Vec<String> = cpu.iter().map(|c| format!("{c:.4}")).collect();
            println!("tui_read_{when}_cpu_all={}", all.join(","));
            cpu.sort_by(f64::total_cmp);
            println!("tui_read_{when}_cpu_s={:.4}", cpu[1]);
        }
        _ => usage(),
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: bench build S D | read REPS | batch REPS LVSTOP | startup REPS LVSTOP | floor | batch-soak SECONDS LVSTOP [ARGS] | tui SECONDS [QUIET] [FILE] | before | after | history S D SECONDS | tui-memory S D SECONDS [QUIET] | conns-parse N [plain|origin] | record-read FILE | conns-cat [sync] | conns-ipvsadm | conns-exact plain|origin | conns-sampled N plain|origin | tui-conns SECONDS QUIET view|noview | fleet-tui-memory N S D SECONDS QUIET [differences] | fleet-diff N S D REPS [differ] | fleet-tui N NETNS_PREFIX SECONDS QUIET [differences] | fleet-ssh-tui N SSH_CONFIG REMOTE_LVSTOP SECONDS QUIET STREAM_DIR SETTLE_SECS | replay-make FILE S D SECONDS [BLOCK_KIB] | replay FILE JUMPS | agent-stream S D TICKS"
    );
    std::process::exit(2)
}

fn fail(msg: &str) -> ! {
    eprintln!("bench: {msg}");
    std::process::exit(1)
}

fn print(name: &str, s: Sample) {
    println!("{name}_wall_s={}", secs(s.wall));
    println!("{name}_cpu_s={}", secs(s.cpu));
}

/// Interleaved repetitions so that drift under a loaded host hits every
/// reader alike; the median of each is reported.
fn read(mut client: Client, reps: usize) {
    let mut floor = floor::Floor::open(client.family_id()).unwrap_or_else(|e| fail(&e.to_string()));
    let (mut f, mut full, mut svc, mut ipvsadm) = (vec![], vec![], vec![], vec![]);
    let mut counts = floor::Counts::default();
    let mut entries = (0, 0);
    // One untimed read first, as a monitor's client has read the table
    // before: it learns the shapes the kernel writes and which services are
    // wide (`kernel::Client`). Its time is printed as the cold read.
    let (cold, _) = time(libc::RUSAGE_SELF, || client.snapshot());
    for _ in 0..reps {
        let (s, c) = time(libc::RUSAGE_SELF, || floor.read());
        counts = c.unwrap_or_else(|e| fail(&format!("floor: {e}")));
        f.push(s);
        let (s, snap) = time(libc::RUSAGE_SELF, || client.snapshot());
        let snap = snap.unwrap_or_else(|e| fail(&e.to_string()));
        entries = (
            snap.services.len(),
            snap.services.iter().map(|e| e.dests.len()).sum::<usize>(),
        );
        drop(snap);
        full.push(s);
        let (s, r) = time(libc::RUSAGE_SELF, || client.services());
        r.unwrap_or_else(|e| fail(&e.to_string()));
        svc.push(s);
        let (s, status) = time(libc::RUSAGE_CHILDREN, || {
            Command::new("ipvsadm")
                .args(["-Ln", "--stats", "--exact"])
                .stdout(Stdio::null())
                .status()
        });
        match status {
            Ok(st) if st.success() => ipvsadm.push(s),
            other => fail(&format!("ipvsadm: {other:?}")),
        }
    }
    println!(
        "floor_services={} floor_dests={} floor_datagrams={}",
        counts.services, counts.dests, counts.datagrams
    );
    println!("read_services={} read_dests={}", entries.0, entries.1);
    if (counts.services, counts.dests) != entries {
        fail("the floor and the full read saw different tables");
    }
    let read_over_floor = median_ratio(&full, &f);
    let ipvsadm_over_read = median_ratio(&ipvsadm, &full);
    let (f, full, svc, ipvsadm) = (median(f), median(full), median(svc), median(ipvsadm));
    print("floor", f);
    print("read_cold", cold);
    print("read", full);
    print("services", svc);
    print("ipvsadm", ipvsadm);
    println!("read_over_floor={read_over_floor:.3}");
    println!("ipvsadm_over_read={ipvsadm_over_read:.2}");
    println!("read_vmhwm_kib={}", vm_hwm_kib());
}

/// The app model fed `seconds` one-second polls of a synthetic table shaped
/// like the one `build` makes, each poll reading what the poller reads: every
/// service, and the real servers of a tenth of them (the 10 s sweep). Then
/// its peak RSS: history for every service and real server is full.
fn history(services: u32, dests: u32, seconds: u64) {
    use lvstop::model::{Info, Service};
    let before = vm_hwm_kib();
    let mut app = App::new(AppConfig {
        delay: Duration::from_secs(1),
        history: Duration::from_secs(seconds),
    });
    let all: Vec<Service> = (0..services)
        .map(|i| Service::new(build::service_key(i), "wlc"))
        .collect();
    let pool: Vec<_> = (0..dests).map(build::dest).collect();
    let info = Info {
        version: 0x010201,
        conn_tab_size: 4096,
    };
    let t = Instant::now();
    for i in 0..seconds {
        let mut svc = all.clone();
        for (n, s) in svc.iter_mut().enumerate() {
            // Moving counters, so every sample is a real rate.
            s.stats.conns = i * (n as u64 % 7);
            s.stats.inpkts = i * 10;
        }
        let read = all
            .iter()
            .enumerate()
            .filter(|(n, _)| i == 0 || *n as u64 % 10 == i % 10)
            .map(|(_, s)| (s.key, pool.clone()))
            .collect();
        app.apply(Event::Polled(PollResult {
            whole: true,
            at: Duration::from_secs(i + 1),
            wall: SystemTime::now(),
            took: Duration::ZERO,
            interval: Duration::from_secs(1),
            info,
            services: svc,
            dests: read,
            estimator: Some(true),
        }));
    }
    println!("history_polls={seconds}");
    println!(
        "history_apply_ms_per_poll={:.1}",
        t.elapsed().as_secs_f64() * 1000.0 / seconds as f64
    );
    println!("history_vmhwm_before_kib={before}");
    println!("history_vmhwm_kib={}", vm_hwm_kib());
}
