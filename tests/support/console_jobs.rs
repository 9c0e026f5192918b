//! Asking the VM from the host while a program runs on its console: ipvsadm as the judge, or
//! a command run beside the program as another tool would run it.
//!
//! The console script defines [`judge_function`]'s bash function and starts it with
//! `judge &`; [`Jobs`] then talks to it through files in /run/vmjob.

use std::time::Duration;

use super::console::Console;

/// A bash function `judge`: on `/run/vmjob/req` (holding a name) it writes what the shell
/// commands `listing` print to /run/vmjob/NAME; on `/run/vmjob/cmd` (a name, then a command
/// line) it runs the command and writes its output to /run/vmjob/NAME. Each answer appears
/// whole (written aside, then renamed).
pub fn judge_function(listing: &str) -> String {
    format!(
        r#"
judge() {{
    set +e
    while :; do
        if [ -e /run/vmjob/cmd ]; then
            n=$(head -n 1 /run/vmjob/cmd); c=$(tail -n +2 /run/vmjob/cmd); rm -f /run/vmjob/cmd
            sh -c "$c" >/run/vmjob/.$n 2>&1
            mv /run/vmjob/.$n /run/vmjob/$n
        fi
        if [ -e /run/vmjob/req ]; then
            n=$(cat /run/vmjob/req); rm -f /run/vmjob/req
            {{ {listing}; }} >/run/vmjob/.$n 2>&1
            mv /run/vmjob/.$n /run/vmjob/$n
        fi
        sleep 0.1
    done
}}
"#
    )
}

/// The host's side of `judge`, over one console VM. Each answer gets its own file name,
/// counted from `first` (so phases of one VM can keep apart).
pub struct Jobs<'a> {
    pub c: &'a Console,
    n: usize,
    timeout: Duration,
}

impl<'a> Jobs<'a> {
    /// Answers are waited for at most `timeout` each.
    pub fn new(c: &'a Console, first: usize, timeout: Duration) -> Jobs<'a> {
        Jobs {
            c,
            n: first,
            timeout,
        }
    }

    /// What the judge's listing prints right now.
    pub fn judge(&mut self) -> String {
        self.n += 1;
        let name = format!("judge{}", self.n);
        self.c.job_write("req", &name);
        self.c.wait_file(&name, self.timeout)
    }

    /// Runs `command` in the VM beside the program, as another tool would, and waits for it.
    pub fn other_tool(&mut self, command: &str) -> String {
        self.n += 1;
        let name = format!("cmd{}", self.n);
        self.c.job_write("cmd", &format!("{name}\n{command}\n"));
        self.c.wait_file(&name, self.timeout)
    }

    pub fn keys(&self, keys: &[&str]) {
        self.c.send_keys(keys);
    }

    #[track_caller]
    pub fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.c.wait_for(what, ok, self.timeout)
    }

    /// Waits until the judge's listing satisfies `ok` (a change is applied by then: lvstop
    /// says so only after the kernel answered, but the screen may show it a poll later).
    #[track_caller]
    pub fn judge_until(&mut self, what: &str, ok: impl Fn(&str) -> bool) -> String {
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
}
