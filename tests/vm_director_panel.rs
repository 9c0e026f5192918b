//! The director panel (`T`) on real kernels (6.1 and 6.12): lvstop on the test VM's serial
//! console, driven through tmux (`support::console`), with `ipvsadm -L --timeout` and
//! `ipvsadm -L --daemon` in the VM as the judges. Three sessions in one boot:
//! - the root namespace: the timeouts set from the panel's form (a 0 leaving one as it is,
//!   as the kernel means it), undone with `u`; a value out of range refused in words with
//!   nothing sent; a change by another tool shown at the next read;
//! - the conns lab's backup director (vm/labs/conns.sh): its backup daemon in the panel, and
//!   over the connections view the synced entries, as many as ipvsadm lists there;
//! - the lab's director: its master daemon stopped by ipvsadm shows at the next read; a
//!   daemon started from the form (a missing interface refused by the kernel in words, a
//!   sync id over 255 by the form, nothing sent), judged by `--daemon`, and undone.

mod support;

use std::time::Duration;

use support::console::Console;
use support::console_jobs::{judge_function, Jobs};
use support::vm::{kernels, vm_or_skip};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");
const BOOT: Duration = Duration::from_secs(300);
const SHORT: Duration = Duration::from_secs(60);

/// What the judge answers with: ipvsadm's timeouts and sync daemons, in the namespace named
/// in /run/vmjob/ns if any.
const LISTING: &str = r#"x=""; ns=$(cat /run/vmjob/ns 2>/dev/null || true)
            [ -n "$ns" ] && x="ip netns exec $ns"
            $x ipvsadm -L --timeout; echo "%"; $x ipvsadm -L --daemon"#;

type Run<'a> = Jobs<'a>;

/// Escape alone, then a pause: ESC followed at once by a key reads as Alt+key.
fn escape(r: &Run) {
    r.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(700));
}

/// Clears the focused field of the form (timeouts are at most 7 digits).
fn clear_field(r: &Run) {
    r.keys(&["BSpace"; 8]);
}

fn timeouts(tcp: u32, fin: u32, udp: u32) -> impl Fn(&str) -> bool {
    move |j: &str| j.contains(&format!("Timeout (tcp tcpfin udp): {tcp} {fin} {udp}\n"))
}

/// The panel's line for one timeout: `  tcp         900 s`.
fn panel_shows(name: &'static str, secs: u32) -> impl Fn(&str) -> bool {
    move |s: &str| {
        s.lines()
            .any(|l| l.contains(&format!("  {name:<7}{secs:>8} s  ")))
    }
}

fn timeouts_session(c: &Console) {
    let mut r = Jobs::new(c, 0, SHORT);
    c.wait_for("the monitor", |s| s.contains("polled"), BOOT);
    r.judge_until("the kernel's defaults", timeouts(900, 120, 300));
    r.keys(&["T"]);
    r.wait("the panel with the defaults", |s| {
        s.contains("Director: timeouts") && panel_shows("tcp", 900)(s) && panel_shows("udp", 300)(s)
    });

    // Out of range: refused in words, nothing sent.
    r.keys(&["t"]);
    r.wait("the timeouts form", |s| {
        s.contains("Connection timeouts (ipvsadm --set)") && s.contains("ipvsadm --set 900 120 300")
    });
    clear_field(&r);
    c.type_text("2678401");
    r.keys(&["Enter"]);
    r.wait("the refusal in words", |s| {
        s.contains("invalid timeout value `2678401' specified (0 to 2678400)")
            && s.contains("nothing was sent")
    });
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        timeouts(900, 120, 300)(&r.judge()),
        "a refused form sent something"
    );

    // 600 0 60: the 0 leaves tcpfin as it is, as the kernel means it.
    clear_field(&r);
    c.type_text("600");
    r.keys(&["Tab"]);
    clear_field(&r);
    c.type_text("0");
    r.keys(&["Tab"]);
    clear_field(&r);
    c.type_text("60");
    r.wait("its ipvsadm line", |s| s.contains("ipvsadm --set 600 0 60"));
    r.keys(&["Enter"]);
    r.judge_until("the timeouts set", timeouts(600, 120, 60));
    r.wait("the panel read again after the change", |s| {
        panel_shows("tcp", 600)(s) && panel_shows("tcpfin", 120)(s) && panel_shows("udp", 60)(s)
    });

    // `u` in the panel takes the change back.
    r.keys(&["u"]);
    r.judge_until("the timeouts restored", timeouts(900, 120, 300));
    r.wait("the undo said and shown", |s| {
        s.contains("undone:") && panel_shows("tcp", 900)(s)
    });

    // Another tool: shown at the next read (every 5 s).
    r.other_tool("ipvsadm --set 7200 30 15");
    r.wait("the outside change in the panel", |s| {
        panel_shows("tcp", 7200)(s) && panel_shows("tcpfin", 30)(s) && panel_shows("udp", 15)(s)
    });
    r.other_tool("ipvsadm --set 900 120 300");
    escape(&r);
    r.keys(&["q"]);
}

/// The `ipvsadm -L --daemon` part of a judgement.
fn daemons(j: &str) -> &str {
    j.split('%').nth(1).unwrap_or("")
}

/// Each session waits for its own header (`netns NAME`): the screen of the one before may
/// still show the same services while it quits.
fn backup_session(c: &Console) {
    let mut r = Jobs::new(c, 100, SHORT);
    c.wait_for(
        "the backup's monitor",
        |s| s.contains("netns conns-bk") && s.contains("polled") && s.contains("198.51.100.10:7 "),
        BOOT,
    );
    r.keys(&["T"]);
    r.wait("its backup daemon in the panel", |s| {
        s.contains("  backup  sy1 ")
            && s.contains("synced by the backup: press T in the connections view (c)")
    });
    r.keys(&["T"]);
    // The held connections' service: ESTABLISHED entries, synced, lasting 15 min.
    r.keys(&["/"]);
    c.type_text("198.51.100.10:7 ");
    r.wait("the filter typed", |s| s.contains("/198.51.100.10:7"));
    r.keys(&["Enter"]);
    r.wait("the filter kept", |s| !s.contains("198.51.100.10:80"));
    r.keys(&["g", "c"]);
    r.wait("the connections view with synced entries", |s| {
        s.contains("from the sync daemon")
    });
    let listed = r.other_tool("ip netns exec conns-bk ipvsadm -Lnc | grep -c ' 198.51.100.10:7 '");
    let n: u64 = listed
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{listed:?}"));
    assert!(
        n > 0,
        "kernel {}: no entry synced to the backup",
        c.kernel()
    );
    r.keys(&["T"]);
    let want = format!("synced by the backup: {n} of {n} entries of TCP 198.51.100.10:7 ");
    r.wait("the synced count over the view", |s| s.contains(&want));
    r.keys(&["T"]);
    r.keys(&["c", "q"]);
}

fn master_session(c: &Console) {
    let mut r = Jobs::new(c, 200, SHORT);
    c.wait_for(
        "the director's monitor",
        |s| s.contains("netns nat-dir") && s.contains("polled") && s.contains("198.51.100.10:7 "),
        BOOT,
    );
    r.keys(&["T"]);
    r.wait("its master daemon in the panel", |s| {
        s.contains("  master  sy0 ")
    });
    // Stopped by another tool: shown at the next read.
    r.other_tool("ip netns exec nat-dir ipvsadm --stop-daemon master");
    r.judge_until("no daemon", |j| daemons(j).trim().is_empty());
    r.wait("the panel says none runs", |s| {
        s.contains("none running") && !s.contains("  master  sy0 ")
    });

    // A missing interface: the kernel refuses, in words, in the form.
    r.keys(&["s"]);
    r.wait("the start form", |s| {
        s.contains("Start a sync daemon (ipvsadm --start-daemon)")
            && s.contains("ipvsadm --start-daemon master --mcast-interface eth0 --syncid 0")
    });
    r.keys(&["Tab"]);
    clear_field(&r);
    c.type_text("nosuch0");
    r.keys(&["Enter"]);
    r.wait("the kernel's refusal", |s| {
        s.contains("no interface nosuch0 in the table's network namespace")
    });
    assert!(
        daemons(&r.judge()).trim().is_empty(),
        "a refused start left a daemon"
    );
    // A sync id over 255: refused by the form, nothing sent.
    clear_field(&r);
    c.type_text("sy0");
    r.keys(&["Tab"]);
    clear_field(&r);
    c.type_text("256");
    r.keys(&["Enter"]);
    r.wait("the form's refusal", |s| {
        s.contains("a sync id from 0 to 255, not `256'") && s.contains("nothing was sent")
    });
    clear_field(&r);
    c.type_text("9");
    r.keys(&["Tab"]);
    c.type_text("1400");
    r.wait("its ipvsadm line", |s| {
        s.contains("--start-daemon master --mcast-interface sy0 --syncid 9 --sync-maxlen 1400")
    });
    r.keys(&["Enter"]);
    let j = r.judge_until("the daemon started", |j| {
        daemons(j).contains("master sync daemon (mcast=sy0, syncid=9")
    });
    assert!(
        daemons(&j).contains("maxlen=1400"),
        "kernel {}: {j}",
        c.kernel()
    );
    r.wait("it in the panel", |s| {
        s.lines()
            .any(|l| l.contains("  master  sy0 ") && l.contains(" 9 ") && l.contains(" 1400 "))
    });
    // Undoing the start stops it, asked first.
    r.keys(&["u"]);
    r.wait("the undo's confirmation", |s| {
        s.contains("stop the master sync daemon")
    });
    r.keys(&["y"]);
    r.judge_until("the daemon stopped by undo", |j| {
        daemons(j).trim().is_empty()
    });
    r.wait("none again", |s| s.contains("none running"));
    escape(&r);
    r.keys(&["q"]);
}

#[test]
fn timeouts_and_sync_daemons_from_the_panel_reach_the_kernel_and_undo_restores_them() {
    let Some(vm) = vm_or_skip("vm_director_panel::timeouts_and_sync_daemons") else {
        return;
    };
    let judge = judge_function(LISTING);
    let script = format!(
        r#"set -euo pipefail
{judge}
judge &
j=$!
rc=0; {LVSTOP} -d 0.5 --journal /tmp/journal.jsonl || rc=$?
echo $rc >/run/vmjob/edit.status
cp /tmp/journal.jsonl /run/vmjob/journal
. vm/labs/conns.sh
conns_setup >/dev/null 2>&1 || {{ echo "conns_setup failed" >&2; exit 1; }}
set +e
conns_traffic >/dev/null 2>&1 || {{ echo "conns_traffic failed" >&2; exit 1; }}
# The master sends what it buffered every 2 s.
sleep 3
echo conns-bk >/run/vmjob/ns
rc=0; {LVSTOP} --netns conns-bk -d 0.5 --journal /tmp/journal-bk.jsonl || rc=$?
echo $rc >/run/vmjob/backup.status
echo nat-dir >/run/vmjob/ns
rc=0; {LVSTOP} --netns nat-dir -d 0.5 --journal /tmp/journal-dir.jsonl || rc=$?
echo $rc >/run/vmjob/master.status
cp /tmp/journal-dir.jsonl /run/vmjob/journal.dir
kill $j 2>/dev/null || true
conns_teardown >/dev/null 2>&1 || true
"#
    );
    std::thread::scope(|s| {
        for kernel in kernels() {
            let (vm, script) = (&vm, &script);
            s.spawn(move || {
                let c = Console::start(vm, kernel, 120, 40, script);
                timeouts_session(&c);
                backup_session(&c);
                master_session(&c);
                let exit = c.finish(SHORT);
                exit.assert_ok();
                assert_eq!(exit.file("edit.status").trim(), "0", "kernel {kernel}");
                // The change and its undo journaled: intent and result lines each.
                let journal = exit.file("journal");
                assert_eq!(journal.lines().count(), 4, "kernel {kernel}: {journal}");
                assert!(journal.contains("--set 600 0 60"), "{journal}");
                for status in ["backup.status", "master.status"] {
                    assert_eq!(exit.file(status).trim(), "0", "kernel {kernel}: {status}");
                }
                // The refused start, the start and its undo, each intent and result.
                let journal = exit.file("journal.dir");
                assert_eq!(journal.lines().count(), 6, "kernel {kernel}: {journal}");
                assert!(
                    journal.contains(
                        "--start-daemon master --mcast-interface sy0 --syncid 9 --sync-maxlen 1400"
                    ),
                    "{journal}"
                );
                assert!(journal.contains("--stop-daemon master"), "{journal}");
            });
        }
    });
}
