//! The sync daemon on real kernels (6.1, 6.12), judged by ipvsadm 1.31. Two namespaces,
//! `sd-m` and `sd-b`, each with an interface `sync0` (the two ends of one veth pair, so
//! multicast works): every start and stop goes to `sd-m` through `lvstop apply` and to `sd-b`
//! through ipvsadm with the same line, and `ipvsadm -L --daemon` (and `--timeout`, for `--set`)
//! must then read the same in both. `Reader::daemons` prints what ipvsadm prints; undoing a stop
//! or a start through the journaling editor puts back what ipvsadm saw before; each bad input
//! is refused in words with `ipvsadm -L --daemon` unchanged; the kernel's refusal of a daemon
//! next to a mixed-family real server is said in words.
//!
//! The in-VM reader and editor is this test binary itself (`inside_vm`, run with
//! `LVSTOP_DAEMON_NS` set).

mod support;

use std::process::Command;
use std::sync::Arc;

use lvstop::backend::Reader;
use lvstop::clock::SystemClock;
use lvstop::edit::Editor;
use lvstop::kernel::Client;
use lvstop::model::{Change, Interface, SyncDaemon, SyncRole};
use support::vm::{kernels, vm_or_skip, VmOutput};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

/// A daemon as `ipvsadm -L --daemon` prints it (list_daemon in ipvsadm.c).
fn ipvsadm_line(d: &SyncDaemon) -> String {
    let mut s = format!(
        "{} sync daemon (mcast={}, syncid={}",
        d.role, d.interface, d.sync_id
    );
    if let Some(len) = d.max_len.filter(|l| *l != 0) {
        s.push_str(&format!(", maxlen={len}"));
    }
    if let Some(g) = d.group {
        s.push_str(&format!(", group={g}"));
    }
    if let Some(p) = d.port.filter(|p| *p != 0) {
        s.push_str(&format!(", port={p}"));
    }
    if let Some(t) = d.ttl.filter(|t| *t != 0) {
        s.push_str(&format!(", ttl={t}"));
    }
    s + ")"
}

fn ipvsadm_daemons(ns: &str) -> String {
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "ipvsadm", "-L", "--daemon"])
        .output()
        .expect("ipvsadm");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn print_prefixed(prefix: &str, text: &str) {
    for line in text.lines() {
        println!("{prefix} {line}");
    }
}

/// Inside the VM: `LVSTOP_DAEMON_NS=NS` prints `lvstop …` per daemon `Reader::daemons` reads
/// there; with `LVSTOP_DAEMON_CHANGE=JSON` it then applies that change through the journaling
/// editor, prints `change …` (ipvsadm's listing after it), undoes it, and prints `undo …`.
/// Outside the VM (the variable unset) it does nothing.
#[test]
fn inside_vm() {
    let Ok(ns) = std::env::var("LVSTOP_DAEMON_NS") else {
        return;
    };
    println!();
    let mut client = Client::open(Some(&ns)).expect("open the IPVS client");
    for d in client.daemons().expect("read the daemons") {
        println!("lvstop {}", ipvsadm_line(&d));
    }
    let Ok(json) = std::env::var("LVSTOP_DAEMON_CHANGE") else {
        return;
    };
    let change: Change = serde_json::from_str(&json).expect("a change");
    let mut editor = Editor::new(
        client,
        "/tmp/undo-journal.jsonl",
        Arc::new(SystemClock::new()),
        ns.clone(),
        lvstop::output::rule,
    );
    let applied = editor.apply(change).expect("the change applies");
    println!("applied {}", lvstop::output::command_line(&applied.change));
    print_prefixed("change", &ipvsadm_daemons(&ns));
    let undone = editor.undo().expect("the undo applies");
    for a in &undone.applied {
        println!("undid-with {}", lvstop::output::command_line(&a.change));
    }
    print_prefixed("undo", &ipvsadm_daemons(&ns));
}

/// The same line to both namespaces; ipvsadm then lists the same daemons and timeouts.
const GOOD: [&str; 3] = [
    "--start-daemon master --mcast-interface sync0 --syncid 7 --sync-maxlen 1400 \
     --mcast-group 239.1.1.1 --mcast-port 8849 --mcast-ttl 2",
    "--start-daemon backup --mcast-interface sync0 --syncid 9 --sync-maxlen 1200 \
     --mcast-group 239.1.1.2 --mcast-port 8850 --mcast-ttl 3",
    "--set 1000 130 310",
];

/// Sent to `sd-m` while only its master runs: each refused, in these words.
const BAD: [(&str, &str); 13] = [
    (
        "--start-daemon backup --mcast-interface sync0 --syncid 256",
        "illegal syncid specified",
    ),
    (
        "--start-daemon backup --mcast-interface sync0 --sync-maxlen 0",
        "illegal sync-maxlen specified",
    ),
    (
        "--start-daemon backup --mcast-interface sync0 --sync-maxlen 65508",
        "illegal sync-maxlen specified",
    ),
    (
        "--start-daemon backup --mcast-interface sync0 --mcast-ttl 0",
        "illegal mcast-ttl specified",
    ),
    (
        "--start-daemon backup --mcast-interface sync0 --mcast-ttl 256",
        "illegal mcast-ttl specified",
    ),
    (
        "--start-daemon backup --mcast-interface sync0 --mcast-port 0",
        "illegal mcast-port specified",
    ),
    (
        "--start-daemon backup --mcast-interface sync0 --mcast-port 65536",
        "illegal mcast-port specified",
    ),
    (
        "--start-daemon backup --mcast-interface sync0 --mcast-group 192.0.2.1",
        "invalid mcast-group",
    ),
    (
        "--start-daemon backup --mcast-interface sync0123456789ab",
        "16 bytes long; the kernel takes at most 15",
    ),
    (
        // An escape character in the name (written by printf in the script).
        "--start-daemon backup --mcast-interface ab\\033[2Jc",
        "contains",
    ),
    (
        "--start-daemon backup --mcast-interface nosuch0",
        "no interface nosuch0 in the table's network namespace",
    ),
    (
        "--start-daemon master --mcast-interface sync0",
        "a master sync daemon is already running",
    ),
    ("--stop-daemon backup", "no backup sync daemon is running"),
];

/// How many BAD lines the parser refuses (nothing opened, nothing journaled); the rest reach
/// the kernel and are journaled as refused.
const PARSE_REFUSED: usize = 10;

fn script(exe: &str, undo_start: &str) -> String {
    let good: String = GOOD
        .iter()
        .enumerate()
        .map(|(i, l)| format!("both {i} '{l}'\n"))
        .collect();
    let bad: String = BAD
        .iter()
        .enumerate()
        .map(|(i, (l, _))| format!("bad {i} '{l}'\n"))
        .collect();
    format!(
        r#"set -uo pipefail
L={LVSTOP}
EXE={exe}
M="ip netns exec sd-m"
B="ip netns exec sd-b"
ip netns add sd-m
ip netns add sd-b
ip -n sd-m link set lo up
ip -n sd-b link set lo up
ip link add sync0 netns sd-m type veth peer name sync0 netns sd-b || exit 2
ip -n sd-m addr add 203.0.113.1/24 dev sync0
ip -n sd-b addr add 203.0.113.2/24 dev sync0
ip -n sd-m link set sync0 up
ip -n sd-b link set sync0 up
J=/tmp/journal.jsonl
judge() {{ $1 ipvsadm -L --daemon; $1 ipvsadm -L --timeout; }}
both() {{
    printf '%s\n' "$2" | $L --netns sd-m --journal $J apply 2>/tmp/err || echo "LVSTOP-REFUSED $1: $(cat /tmp/err)"
    $B ipvsadm $2 || echo "IPVSADM-REFUSED $1"
    judge "$M" > /tmp/a; judge "$B" > /tmp/b
    if diff -u /tmp/b /tmp/a; then echo "SAME $1"; else echo "DIFFERS $1"; fi
}}
{good}
echo "== listed"
$M ipvsadm -L --daemon | sed 's/^/ipvsadm /'
LVSTOP_DAEMON_NS=sd-m "$EXE" --exact inside_vm --nocapture --test-threads=1 || exit 3
echo "== undo-stop"
$M ipvsadm -L --daemon | sed 's/^/before /'
LVSTOP_DAEMON_NS=sd-m LVSTOP_DAEMON_CHANGE='{{"op":"stop_daemon","role":"master"}}' \
    "$EXE" --exact inside_vm --nocapture --test-threads=1 || exit 4
echo "== stop"
both stop '--stop-daemon backup'
echo "== undo-start"
$M ipvsadm -L --daemon | sed 's/^/before /'
LVSTOP_DAEMON_NS=sd-m LVSTOP_DAEMON_CHANGE='{undo_start}' \
    "$EXE" --exact inside_vm --nocapture --test-threads=1 || exit 5
echo "== bad"
bad() {{
    judge "$M" > /tmp/before
    lines=$(wc -l < $J)
    printf -- "$2\n" | $L --netns sd-m --journal $J apply 2>/tmp/err
    status=$?
    raw=$(grep -q $'\033' /tmp/err && echo RAW-ESCAPE)
    echo "BAD $1 status=$status $raw $(tr '\n' ' ' < /tmp/err | tr -d '\033')"
    judge "$M" > /tmp/after
    if diff -u /tmp/before /tmp/after; then echo "UNCHANGED $1"; else echo "CHANGED $1"; fi
    echo "JOURNAL $1 $(( $(wc -l < $J) - lines ))"
}}
{bad}
echo "== unreachable"
$M ipvsadm --stop-daemon master
$M sysctl -qw net.ipv6.conf.sync0.disable_ipv6=1
printf '%s\n' '--start-daemon master --mcast-interface sync0 --mcast-group ff02::1:3' | $L --netns sd-m --journal $J apply 2>/tmp/err
echo "UNREACHABLE status=$? $(tr '\n' ' ' < /tmp/err)"
$M ipvsadm -L --daemon | sed 's/^/after-unreachable /'
echo "== mixed"
$M ipvsadm -A -t 192.0.2.1:80 -s rr
$M ipvsadm -a -t 192.0.2.1:80 -r [2001:db8::2]:80 -i
$M ipvsadm --start-daemon master --mcast-interface sync0 2>/dev/null; echo "IPVSADM-MIXED status=$?"
printf '%s\n' '--start-daemon master --mcast-interface sync0' | $L --netns sd-m --journal $J apply 2>/tmp/err
echo "MIXED status=$? $(tr '\n' ' ' < /tmp/err)"
$M ipvsadm -L --daemon | sed 's/^/after-mixed /'
echo "== end"
"#
    )
}

/// Lines of `out` between `start` and the next `== …` line.
fn part<'a>(out: &'a VmOutput, start: &str) -> Vec<&'a str> {
    let mut lines = out.stdout.lines();
    assert!(
        lines.any(|l| l == start),
        "kernel {}: no {start:?} in:\n{}\n{}",
        out.kernel,
        out.stdout,
        out.stderr
    );
    lines.take_while(|l| !l.starts_with("== ")).collect()
}

fn prefixed<'a>(lines: &[&'a str], prefix: &str) -> Vec<&'a str> {
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(prefix))
        .collect()
}

#[test]
fn daemons_started_stopped_undone_and_refused_as_ipvsadm_sees_them() {
    let Some(vm) =
        vm_or_skip("vm_daemon::daemons_started_stopped_undone_and_refused_as_ipvsadm_sees_them")
    else {
        return;
    };
    let exe = std::env::current_exe().expect("this test binary");
    let backup = SyncDaemon {
        sync_id: 42,
        max_len: Some(2000),
        group: Some("239.9.9.9".parse().unwrap()),
        port: Some(9999),
        ttl: Some(4),
        ..SyncDaemon::new(SyncRole::Backup, Interface::new("sync0").unwrap())
    };
    let undo_start = serde_json::to_string(&Change::StartDaemon(backup)).unwrap();
    let script = script(&exe.display().to_string(), &undo_start);
    std::thread::scope(|scope| {
        for k in kernels() {
            let (vm, script) = (&vm, &script);
            scope.spawn(move || check(vm.run(k, script)));
        }
    });
}

fn check(out: VmOutput) {
    let k = out.kernel.clone();
    let all = || format!("kernel {k}:\n{}\n{}", out.stdout, out.stderr);
    out.assert_ok();
    for i in 0..GOOD.len() {
        assert!(out.stdout.contains(&format!("SAME {i}\n")), "{}", all());
    }
    assert!(!out.stdout.contains("REFUSED"), "{}", all());

    // Reader::daemons reads what ipvsadm lists, both daemons with every option.
    let listed = part(&out, "== listed");
    let ipvsadm = prefixed(&listed, "ipvsadm ");
    assert_eq!(ipvsadm.len(), 2, "{}", all());
    assert_eq!(ipvsadm, prefixed(&listed, "lvstop "), "{}", all());
    assert_eq!(
        ipvsadm[0],
        "master sync daemon (mcast=sync0, syncid=7, maxlen=1400, group=239.1.1.1, port=8849, ttl=2)"
    );

    // Undoing a stop restarts the daemon as it was; undoing a start stops it.
    let undo = part(&out, "== undo-stop");
    let before = prefixed(&undo, "before ");
    assert_eq!(before.len(), 2, "{}", all());
    assert!(
        undo.contains(&"applied ipvsadm --stop-daemon master"),
        "{}",
        all()
    );
    assert_eq!(prefixed(&undo, "change "), &before[1..], "{}", all());
    assert_eq!(prefixed(&undo, "undo "), before, "{}", all());
    assert!(out.stdout.contains("SAME stop\n"), "{}", all());
    let undo = part(&out, "== undo-start");
    let before = prefixed(&undo, "before ");
    assert_eq!(before.len(), 1, "{}", all());
    let change = prefixed(&undo, "change ");
    assert_eq!(change.len(), 2, "{}", all());
    assert_eq!(
        change[1],
        "backup sync daemon (mcast=sync0, syncid=42, maxlen=2000, group=239.9.9.9, port=9999, ttl=4)"
    );
    assert!(
        undo.contains(&"undid-with ipvsadm --stop-daemon backup"),
        "{}",
        all()
    );
    assert_eq!(prefixed(&undo, "undo "), before, "{}", all());

    // Each bad input refused in words, nothing changed; parse refusals journal nothing.
    let bad = part(&out, "== bad");
    for (i, (line, words)) in BAD.iter().enumerate() {
        let said = bad
            .iter()
            .find(|l| l.starts_with(&format!("BAD {i} ")))
            .unwrap_or_else(|| panic!("case {i}: {}", all()));
        assert!(!said.contains("status=0"), "{line}: {said}");
        assert!(said.contains(words), "{line}: {said}\n{}", all());
        assert!(!said.contains("RAW-ESCAPE"), "{line}: {said}");
        assert!(!said.contains("os error"), "{line}: {said}");
        assert!(
            bad.contains(&format!("UNCHANGED {i}").as_str()),
            "{line}: {}",
            all()
        );
        let journaled = if i < PARSE_REFUSED { 0 } else { 2 };
        assert!(
            bad.contains(&format!("JOURNAL {i} {journaled}").as_str()),
            "{line}: {}",
            all()
        );
    }

    // A master whose group's family the interface lacks (IPv6 disabled): ENETUNREACH, said.
    let unreachable = part(&out, "== unreachable");
    let said = unreachable
        .iter()
        .find(|l| l.starts_with("UNREACHABLE "))
        .unwrap_or_else(|| panic!("{}", all()));
    assert!(!said.contains("status=0"), "{said}");
    assert!(
        said.contains("group ff02::1:3 is unreachable through sync0"),
        "{said}"
    );
    assert!(
        prefixed(&unreachable, "after-unreachable ").is_empty(),
        "{}",
        all()
    );

    // The kernel refuses a daemon next to a mixed-family real server; lvstop says why.
    let mixed = part(&out, "== mixed");
    assert!(
        mixed
            .iter()
            .any(|l| l.starts_with("IPVSADM-MIXED status=") && !l.ends_with("=0")),
        "{}",
        all()
    );
    let said = mixed
        .iter()
        .find(|l| l.starts_with("MIXED "))
        .unwrap_or_else(|| panic!("{}", all()));
    assert!(!said.contains("status=0"), "{said}");
    assert!(
        said.contains("a real server of another address family than its service exists"),
        "{said}"
    );
    assert!(prefixed(&mixed, "after-mixed ").is_empty(), "{}", all());
}
