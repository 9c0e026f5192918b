//! Faults against a real kernel (the test VM): a socket that breaks under
//! the reader, the table flushed while being read, a service deleted between
//! reading and editing, a scheduler the kernel cannot load, another writer
//! changing the same real servers, `kill -9` between a change and its
//! journal result, and IPVS not loaded at all.
//!
//! `faults_in_the_vm` boots kernel 6.12 once and runs this binary's
//! `#[ignore]`d `inside_*` tests there (one at a time), then the shell-level
//! checks, unloading IPVS last. The inside tests need root and IPVS.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use lvstop::backend::{ErrorKind, Reader, Writer};
use lvstop::clock::SystemClock;
use lvstop::edit::Editor;
use lvstop::journal::{Journal, Outcome};
use lvstop::kernel::{Client, ResilientReader};
use lvstop::model::{Change, Dest, DestKey, Forward, Protocol, Service, ServiceKey};

mod support;

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");
/// How many `inside_*` tests the driver must see pass.
const INSIDE_TESTS: usize = 7;

#[test]
fn faults_in_the_vm() {
    let Some(vm) = support::vm::vm_or_skip("vm_faults::faults_in_the_vm") else {
        return;
    };
    let exe = std::env::current_exe().unwrap();
    let script = format!(
        r#"set -u
{exe} --ignored --test-threads=1 --nocapture inside_ 2>&1
echo "INSIDE_STATUS=$?"
# IPVS not loaded: flush, unload every ip_vs module, then ask.
ipvsadm -C
for m in $(cut -d' ' -f1 /proc/modules | grep '^ip_vs_' ); do rmmod "$m" || echo "rmmod $m failed"; done
rmmod ip_vs || echo "rmmod ip_vs failed"
test -e /proc/net/ip_vs && echo "IPVS STILL LOADED"
{LVSTOP} -b -n 1 >/tmp/out 2>/tmp/err
echo "NOIPVS_STATUS=$?"
echo "NOIPVS_STDERR=$(cat /tmp/err)"
echo "NOIPVS_STDOUT_BYTES=$(wc -c </tmp/out)"
"#,
        exe = exe.display()
    );
    let out = vm.with_timeout(600).run("6.12", &script);
    out.assert_ok();
    let s = &out.stdout;
    let want = format!("test result: ok. {INSIDE_TESTS} passed; 0 failed");
    assert!(s.contains(&want), "expected {want:?} in:\n{s}");
    assert!(s.contains("INSIDE_STATUS=0"), "{s}");
    assert!(
        !s.contains("IPVS STILL LOADED") && !s.contains("failed\n"),
        "{s}"
    );
    assert!(s.contains("NOIPVS_STATUS=1"), "{s}");
    assert!(
        s.contains("NOIPVS_STDERR=lvstop: IPVS is not available: load it with `modprobe ip_vs`"),
        "{s}"
    );
    assert!(s.contains("NOIPVS_STDOUT_BYTES=0"), "{s}");
    assert!(
        !s.contains("panicked") && !s.contains("RUST_BACKTRACE"),
        "{s}"
    );
}

// ------------------------------------------------------------ helpers

fn ipvsadm(args: &[&str]) -> String {
    let out = Command::new("ipvsadm")
        .args(args)
        .output()
        .expect("ipvsadm");
    assert!(
        out.status.success(),
        "ipvsadm {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tcp(addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: addr.parse().unwrap(),
        port,
    }
}

fn dest_key(addr: &str, port: u16) -> DestKey {
    DestKey {
        addr: addr.parse().unwrap(),
        port,
    }
}

fn fresh() -> Client {
    let mut c = Client::open(None).expect("IPVS in the VM");
    c.apply(&Change::Flush).unwrap();
    c
}

fn journal_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lvstop-faults-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn editor(journal: &Path) -> Editor<Client> {
    Editor::new(
        Client::open(None).unwrap(),
        journal,
        Arc::new(SystemClock::new()),
        "host",
        lvstop::output::command_line,
    )
}

/// Open descriptors that are sockets (listing /proc/self/fd opens one
/// more, for the directory itself: not a socket, so not counted).
fn open_fds() -> HashSet<String> {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            let target = std::fs::read_link(e.path()).ok()?;
            target
                .to_string_lossy()
                .starts_with("socket:")
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect()
}

// ------------------------------------------------------------ inside the VM

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn inside_a_broken_socket_is_reopened_with_backoff() {
    fresh();
    ipvsadm(&["-A", "-t", "10.7.0.1:80", "-s", "rr"]);
    let before = open_fds();
    let client = Client::open(None).unwrap();
    let mut new: Vec<i32> = open_fds()
        .difference(&before)
        .map(|fd| fd.parse().unwrap())
        .collect();
    new.sort();
    // One for requests and the services dump, one for real-server dumps,
    // opened in that order.
    assert_eq!(new.len(), 2, "the client holds two sockets: {new:?}");
    let fd = new[0];
    let mut r = ResilientReader::new(client, || Client::open(None), Arc::new(SystemClock::new()));
    assert_eq!(r.services().unwrap().len(), 1);

    // Fault injection: the socket's fd now points at /dev/null.
    let null = std::fs::File::open("/dev/null").unwrap();
    use std::os::fd::AsRawFd;
    // SAFETY: replaces our own client's fd; nothing else uses it.
    assert_eq!(unsafe { libc::dup2(null.as_raw_fd(), fd) }, fd);
    let e = r.services().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(!r.connected());

    // The next call reopens and sees the table again, including what
    // changed while the connection was down.
    ipvsadm(&["-A", "-t", "10.7.0.2:80", "-s", "rr"]);
    let services = r.services().expect("reopened");
    assert_eq!(services.len(), 2);
    assert_eq!(r.reconnects(), 1);
    // No socket leaks from the swap: the client's two sockets, as before
    // the fault.
    let after = open_fds();
    assert_eq!(after.len(), before.len() + 2, "{before:?} -> {after:?}");
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn inside_a_flush_while_batch_reads_shows_the_empty_table() {
    fresh();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let writer = thread::spawn(move || {
        // One ipvsadm -R fills the table, one -C empties it: about half the
        // time the table is empty, half full, whatever the VM's speed.
        let mut fill = String::new();
        for i in 1..=20 {
            fill += &format!("-A -t 10.8.0.{i}:80 -s rr\n-a -t 10.8.0.{i}:80 -r 10.8.1.1:80 -m\n");
        }
        let mut rounds = 0;
        while !flag.load(Ordering::SeqCst) {
            let mut restore = Command::new("ipvsadm")
                .arg("-R")
                .stdin(Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            restore
                .stdin
                .take()
                .unwrap()
                .write_all(fill.as_bytes())
                .unwrap();
            restore.wait().unwrap();
            thread::sleep(Duration::from_millis(300));
            let _ = Command::new("ipvsadm").arg("-C").output();
            thread::sleep(Duration::from_millis(300));
            rounds += 1;
        }
        rounds
    });
    let out = Command::new(LVSTOP)
        .args(["-b", "-d", "0.1", "-n", "60"])
        .output()
        .unwrap();
    stop.store(true, Ordering::SeqCst);
    let rounds = writer.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "status {:?}: {stderr}", out.status);
    assert!(stderr.is_empty(), "{stderr}");
    let tables: Vec<&str> = stdout.split("IP Virtual Server version").skip(1).collect();
    assert_eq!(tables.len(), 60, "{stdout}");
    let empty = tables.iter().filter(|t| t.lines().count() == 3).count();
    let full = tables.iter().filter(|t| t.contains("TCP  10.8.0.")).count();
    eprintln!("{rounds} flush rounds; {empty} empty and {full} non-empty tables");
    assert!(empty > 0, "never saw the flushed table:\n{stdout}");
    assert!(full > 0, "never saw services:\n{stdout}");
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn inside_a_service_deleted_before_editing_is_refused_in_words() {
    fresh();
    ipvsadm(&["-A", "-t", "10.9.0.1:80", "-s", "rr"]);
    ipvsadm(&[
        "-a",
        "-t",
        "10.9.0.1:80",
        "-r",
        "10.9.1.1:80",
        "-m",
        "-w",
        "5",
    ]);
    ipvsadm(&["-A", "-t", "10.9.0.2:80", "-s", "wlc"]);
    ipvsadm(&[
        "-a",
        "-t",
        "10.9.0.2:80",
        "-r",
        "10.9.1.2:80",
        "-m",
        "-w",
        "7",
    ]);
    let dir = journal_dir("deleted");
    let mut ed = editor(&dir.join("journal"));
    // What the operator was looking at.
    let snapshot = ed.backend_mut().snapshot().unwrap();
    assert_eq!(snapshot.services.len(), 2);
    let svc = tcp("10.9.0.1", 80);
    let dest = dest_key("10.9.1.1", 80);
    // Someone else deletes it.
    ipvsadm(&["-D", "-t", "10.9.0.1:80"]);
    let others = ipvsadm(&["-Ln"]);

    let e = ed
        .set_weight(&svc, &dest, |w| w + 1)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("10.9.0.1:80") && e.contains("does not exist"),
        "{e}"
    );
    let mut d = Dest::new(dest.addr, 80);
    d.forward = Forward::Masq;
    d.weight = 9;
    let e = ed
        .apply(Change::EditDest {
            service: svc,
            dest: d,
        })
        .unwrap_err()
        .to_string();
    assert!(e.contains("10.9.0.1:80"), "{e}");
    assert_eq!(ipvsadm(&["-Ln"]), others, "nothing else changed");
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn inside_a_scheduler_the_kernel_cannot_load_is_worded() {
    let mut c = fresh();
    let s = Service::new(tcp("10.10.0.1", 80), "nosuch");
    let e = c.apply(&Change::AddService(s)).unwrap_err();
    assert!(
        e.to_string()
            .contains("the kernel cannot load scheduler 'nosuch' (module ip_vs_nosuch)"),
        "{e}"
    );
    assert!(!e.to_string().contains("os error"), "{e}");
    assert!(c.services().unwrap().is_empty(), "nothing was added");
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn inside_another_writers_changes_survive_weight_tuning() {
    fresh();
    ipvsadm(&["-A", "-t", "10.11.0.1:80", "-s", "wrr"]);
    ipvsadm(&[
        "-a",
        "-t",
        "10.11.0.1:80",
        "-r",
        "10.11.1.1:80",
        "-m",
        "-w",
        "100",
    ]);
    ipvsadm(&[
        "-a",
        "-t",
        "10.11.0.1:80",
        "-r",
        "10.11.1.2:80",
        "-m",
        "-w",
        "1",
    ]);
    let svc = tcp("10.11.0.1", 80);
    let tuned = dest_key("10.11.1.1", 80);
    let dir = journal_dir("concurrent");
    let mut ed = editor(&dir.join("journal"));

    // The other writer: thresholds of the tuned server, weight of the other.
    // It never touches the tuned weight, so lvstop's read-modify-write must
    // keep whatever it set.
    let other = thread::spawn(|| {
        for i in 1..=60u32 {
            let (x, y) = (1000 + i, 500 + i);
            // ipvsadm -e needs the weight: read the tuned one right before.
            let _ = Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "w=$(ipvsadm -Ln -t 10.11.0.1:80 | awk '$2==\"10.11.1.1:80\"{{print $4}}'); \
                     ipvsadm -e -t 10.11.0.1:80 -r 10.11.1.1:80 -m -w $w -x {x} -y {y}; \
                     ipvsadm -e -t 10.11.0.1:80 -r 10.11.1.2:80 -m -w {i}"
                ))
                .output();
        }
    });
    let mut sent = 0;
    while !other.is_finished() {
        ed.set_weight(&svc, &tuned, |w| w + 1).unwrap();
        sent += 1;
    }
    other.join().unwrap();
    let dests = ed.backend_mut().dests(&svc).unwrap();
    let t = dests.iter().find(|d| d.key() == tuned).unwrap();
    let o = dests.iter().find(|d| d.key() != tuned).unwrap();
    eprintln!(
        "{sent} weight writes during the other writer's 60 rounds; thresholds then {}/{}",
        t.upper_threshold, t.lower_threshold
    );
    // The other server is never written by lvstop: its weight is the last set.
    assert_eq!(o.weight, 60, "the other writer's weight");
    assert_eq!(t.forward, Forward::Masq);
    // SET_DEST replaces the whole entry and the kernel has no compare-and-
    // swap: a change landing between lvstop's read and its write (a window
    // of one netlink round trip) is overwritten. So during the race the
    // thresholds are one of the other writer's recent values, never
    // lvstop's own or the initial zeros.
    let i = t.upper_threshold.wrapping_sub(1000);
    assert!(
        (50..=60).contains(&i) && t.lower_threshold == 500 + i,
        "thresholds {}/{}",
        t.upper_threshold,
        t.lower_threshold
    );
    // The sh loop re-sends the tuned weight it read; when it read between our
    // read and write it may undo one +1 of ours, never add: so at most `sent`.
    assert!(
        t.weight > 100 && t.weight <= 100 + sent as u32,
        "{} after {sent}",
        t.weight
    );
    // Outside the race, every change of the other writer survives the next
    // tuning: lvstop reads right before it writes.
    ipvsadm(&[
        "-e",
        "-t",
        "10.11.0.1:80",
        "-r",
        "10.11.1.1:80",
        "-m",
        "-w",
        &t.weight.to_string(),
        "-x",
        "2000",
        "-y",
        "1000",
    ]);
    ed.set_weight(&svc, &tuned, |w| w + 1).unwrap();
    let dests = ed.backend_mut().dests(&svc).unwrap();
    let t2 = dests.iter().find(|d| d.key() == tuned).unwrap();
    assert_eq!((t2.upper_threshold, t2.lower_threshold), (2000, 1000));
    assert_eq!(t2.weight, t.weight + 1);
}

/// Not a test on its own: the process `inside_kill_9...` starts and kills.
#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn inside_helper_apply_many() {
    let Some(journal) = std::env::var_os("LVSTOP_FAULT_JOURNAL") else {
        return; // run directly: nothing to do
    };
    let mut ed = editor(Path::new(&journal));
    for i in 0..5000u32 {
        let key = tcp(&format!("10.12.{}.{}", i / 250, i % 250 + 1), 80);
        ed.apply(Change::AddService(Service::new(key, "rr")))
            .unwrap();
    }
}

#[test]
#[ignore = "needs IPVS: runs in the test VM"]
fn inside_kill_9_between_change_and_result_reads_back_as_may_have_been_applied() {
    let exe = std::env::current_exe().unwrap();
    let dir = journal_dir("kill9");
    for attempt in 1..=40 {
        fresh();
        let journal = dir.join(format!("journal-{attempt}"));
        let mut child = Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "inside_helper_apply_many",
                "--nocapture",
            ])
            .env("LVSTOP_FAULT_JOURNAL", &journal)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Let it get going, then kill it at a moment that varies per attempt.
        let start = Instant::now();
        while std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0) < 4000 {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "helper never wrote"
            );
            thread::sleep(Duration::from_millis(2));
        }
        thread::sleep(Duration::from_micros(137 * attempt));
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();

        let back = Journal::read_all(&journal).unwrap();
        let last = back.entries.last().expect("entries");
        // Every entry but the last is complete: intent and result.
        for e in &back.entries[..back.entries.len() - 1] {
            assert_eq!(e.outcome(), Outcome::Applied, "{e:?}");
        }
        // Whatever the journal says was applied is in the kernel.
        let table = ipvsadm(&["-Ln"]);
        let applied = back
            .entries
            .iter()
            .filter(|e| e.outcome() == Outcome::Applied)
            .count();
        let in_kernel = table.lines().filter(|l| l.starts_with("TCP")).count();
        assert!(
            in_kernel == applied || in_kernel == applied + 1,
            "journal says {applied} applied, kernel has {in_kernel}"
        );
        if last.result.is_none() {
            assert!(last.intent.is_some());
            assert_eq!(last.outcome(), Outcome::MayHaveBeenApplied);
            assert!(last
                .outcome()
                .to_string()
                .starts_with("may have been applied"));
            eprintln!(
                "attempt {attempt}: killed after {applied} applied; the last change reads back as: {}",
                last.outcome()
            );
            return;
        }
    }
    panic!("in 40 attempts, kill -9 never landed between an intent and its result");
}
