//! The director panel (`T`) on real kernels (6.1 and 6.12): lvstop on the test VM's serial
//! console, driven through tmux (`support::console`), with `ipvsadm -L --timeout` in the VM
//! as the judge. The timeouts set from the panel's form (a 0 leaving one as it is, as the
//! kernel means it), undone with `u`; a value out of range refused in words with nothing
//! sent; a change by another tool shown at the next read.

mod support;

use std::time::Duration;

use support::console::Console;
use support::vm::{kernels, vm_or_skip};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");
const BOOT: Duration = Duration::from_secs(300);
const SHORT: Duration = Duration::from_secs(60);

/// On request (`/run/vmjob/req` holding a name) writes what ipvsadm says of the timeouts
/// and the sync daemons to /run/vmjob/NAME; on `/run/vmjob/cmd` (a name, then a command
/// line) runs the command as another tool would and writes its output to /run/vmjob/NAME.
const JUDGE: &str = r#"
judge() {
    set +e
    while :; do
        if [ -e /run/vmjob/cmd ]; then
            n=$(head -n 1 /run/vmjob/cmd); c=$(tail -n +2 /run/vmjob/cmd); rm -f /run/vmjob/cmd
            sh -c "$c" >/run/vmjob/.$n 2>&1
            mv /run/vmjob/.$n /run/vmjob/$n
        fi
        if [ -e /run/vmjob/req ]; then
            n=$(cat /run/vmjob/req); rm -f /run/vmjob/req
            { ipvsadm -L --timeout; echo "%"; ipvsadm -L --daemon; } >/run/vmjob/.$n 2>&1
            mv /run/vmjob/.$n /run/vmjob/$n
        fi
        sleep 0.1
    done
}
"#;

struct Run<'a> {
    c: &'a Console,
    n: usize,
}

impl Run<'_> {
    /// ipvsadm's view right now.
    fn judge(&mut self) -> String {
        self.n += 1;
        let name = format!("judge{}", self.n);
        self.c.job_write("req", &name);
        self.c.wait_file(&name, SHORT)
    }

    /// Runs `command` in the VM beside lvstop, as another tool would, and waits for it.
    fn other_tool(&mut self, command: &str) -> String {
        self.n += 1;
        let name = format!("cmd{}", self.n);
        self.c.job_write("cmd", &format!("{name}\n{command}\n"));
        self.c.wait_file(&name, SHORT)
    }

    fn keys(&self, keys: &[&str]) {
        self.c.send_keys(keys);
    }

    #[track_caller]
    fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.c.wait_for(what, ok, SHORT)
    }

    /// Waits until ipvsadm's view satisfies `ok`.
    #[track_caller]
    fn judge_until(&mut self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        for _ in 0..50 {
            let j = self.judge();
            if ok(&j) {
                return j;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "kernel {}: ipvsadm never showed {what}\n{}\n--- screen:\n{}",
            self.c.kernel(),
            self.judge(),
            self.c.screen()
        );
    }

    /// Escape alone, then a pause: ESC followed at once by a key reads as Alt+key.
    fn escape(&self) {
        self.keys(&["Escape"]);
        std::thread::sleep(Duration::from_millis(700));
    }

    /// Clears the focused field of the form (timeouts are at most 7 digits).
    fn clear_field(&self) {
        self.keys(&["BSpace"; 8]);
    }
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
    let mut r = Run { c, n: 0 };
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
    r.clear_field();
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
    r.clear_field();
    c.type_text("600");
    r.keys(&["Tab"]);
    r.clear_field();
    c.type_text("0");
    r.keys(&["Tab"]);
    r.clear_field();
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
    r.escape();
    r.keys(&["q"]);
}

#[test]
fn timeouts_set_from_the_panel_reach_the_kernel_and_undo_restores_them() {
    let Some(vm) = vm_or_skip("vm_director_panel::timeouts") else {
        return;
    };
    let script = format!(
        r#"set -euo pipefail
{JUDGE}
judge &
j=$!
rc=0; {LVSTOP} -d 0.5 --journal /tmp/journal.jsonl || rc=$?
echo $rc >/run/vmjob/edit.status
cp /tmp/journal.jsonl /run/vmjob/journal
kill $j 2>/dev/null || true
"#
    );
    std::thread::scope(|s| {
        for kernel in kernels() {
            let (vm, script) = (&vm, &script);
            s.spawn(move || {
                let c = Console::start(vm, kernel, 120, 40, script);
                timeouts_session(&c);
                let exit = c.finish(SHORT);
                exit.assert_ok();
                assert_eq!(exit.file("edit.status").trim(), "0", "kernel {kernel}");
                // The change and its undo journaled: intent and result lines each.
                let journal = exit.file("journal");
                assert_eq!(journal.lines().count(), 4, "kernel {kernel}: {journal}");
                assert!(journal.contains("--set 600 0 60"), "{journal}");
            });
        }
    });
}
