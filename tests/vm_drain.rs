//! The drain assistant on real kernels (6.1 and 6.12): lvstop on the test VM's serial console,
//! driven through tmux, in the NAT lab's director namespace, with `ipvsadm` there as the judge.
//! Connections held open to an echo service; `x` drains one of its real servers while new
//! connections arrive (none reaches it); its counts fall on screen as ipvsadm reports them;
//! "remove when drained" deletes it only once its last connection is gone (`ipvsadm -Ln` and
//! `-Lnc` read before and after). Then a persistent service with expire_quiescent_template=0
//! (the kernel's default): a client whose template points to the drained server lands there
//! again, as `ipvsadm -Lnc` shows, and the view says templates pin it. The journal keeps the
//! watch's start and its end.

mod support;

use std::time::{Duration, Instant};

use support::console::Console;
use support::console_jobs::{judge_function, Jobs};
use support::vm::{kernels, vm_or_skip};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");
const BOOT: Duration = Duration::from_secs(300);
const SHORT: Duration = Duration::from_secs(90);

/// The lab: the NAT lab plus an echo service on VIP:7 (connections held as long as the
/// client holds them) and a persistent one on VIP:443. `hold` keeps 4 connections to VIP:7
/// (rr: 2 per real server) until /run/vmjob/release appears, then resets them (RST: the
/// director's entries go to CLOSE, 10 s). The judge answers /run/vmjob/req with ipvsadm's
/// listing and connection table in the director's namespace; /run/vmjob/cmd runs a command.
fn script() -> String {
    let judge = judge_function(r#"$D ipvsadm -Ln; echo "%"; $D ipvsadm -Lnc"#);
    format!(
        r#"set -uo pipefail
. vm/labs/nat.sh
nat_setup >/dev/null || exit 1
D="ip netns exec $NAT_NS"
ip -n nat-client addr add 198.51.100.3/24 dev nc0
for rs in nat-web1 nat-web2; do
    ip netns exec $rs busybox nc -ll -p 7 -e cat </dev/null >/dev/null 2>&1 &
done
$D ipvsadm -A -t $NAT_VIP:7 -s rr
$D ipvsadm -a -t $NAT_VIP:7 -r 192.0.2.11:7 -m
$D ipvsadm -a -t $NAT_VIP:7 -r 192.0.2.140:7 -m
$D ipvsadm -A -t $NAT_VIP:443 -s rr -p 300
$D ipvsadm -a -t $NAT_VIP:443 -r 192.0.2.11:80 -m
$D ipvsadm -a -t $NAT_VIP:443 -r 192.0.2.140:80 -m
$D sysctl -qw net.ipv4.vs.expire_quiescent_template=0
ip netns exec nat-client perl -MIO::Socket::INET -MSocket -e '
    my @held;
    for (1 .. 4) {{
        my $s = IO::Socket::INET->new(PeerAddr => "198.51.100.10", PeerPort => 7,
            Timeout => 10) or die "connect: $!\n";
        print $s "hello\n"; <$s>; push @held, $s;
    }}
    open my $f, ">", "/run/vmjob/.held" or die; close $f; rename "/run/vmjob/.held", "/run/vmjob/held";
    sleep 0.2 until -e "/run/vmjob/release";
    for my $s (@held) {{ setsockopt($s, SOL_SOCKET, SO_LINGER, pack("ii", 1, 0)); close $s; }}
    sleep 3600;' </dev/null >/dev/null 2>&1 &
{judge}
judge &
j=$!
rc=0; {LVSTOP} --netns $NAT_NS -d 0.5 --journal /tmp/journal.jsonl || rc=$?
echo $rc >/run/vmjob/lvstop.status
cp /tmp/journal.jsonl /run/vmjob/journal
kill $j 2>/dev/null
nat_teardown
"#
    )
}

/// One connection from a client address to VIP:PORT, as another tool would make it: a line
/// echoed back (port 7), or an HTTP request read to its end (the web services).
fn request(port: u16, from: &str) -> String {
    let talk = match port {
        7 => r#"print $s "hello\n"; my $r = <$s>; print $r"#,
        _ => r#"print $s "GET / HTTP/1.0\r\n\r\n"; print join "", <$s>"#,
    };
    format!(
        r#"ip netns exec nat-client perl -MIO::Socket::INET -e '
my $s = IO::Socket::INET->new(PeerAddr => "198.51.100.10", PeerPort => {port},
    LocalAddr => "{from}", Timeout => 5) or die "connect: $!\n";
{talk}'"#
    )
}

struct Run<'a> {
    jobs: Jobs<'a>,
}

/// ipvsadm's view at one moment: `-Ln`, and `-Lnc`.
struct Judged {
    listing: String,
    conns: String,
}

impl Judged {
    /// A real server's line of a service in `-Ln`: weight, ActiveConn, InActConn.
    fn dest(&self, service: &str, real: &str) -> Option<(u32, u32, u32)> {
        let mut lines = self.listing.lines().skip_while(|l| !l.starts_with(service));
        lines.next()?;
        let line = lines
            .take_while(|l| l.starts_with("  ->"))
            .find(|l| l.split_whitespace().nth(1) == Some(real))?;
        let f: Vec<u32> = line
            .split_whitespace()
            .skip(3)
            .map(|t| t.parse().unwrap())
            .collect();
        Some((f[0], f[1], f[2]))
    }

    /// `-Lnc` lines going to `real` through VIP:`port` (templates included).
    fn entries_to(&self, vip_port: &str, real: &str) -> Vec<&str> {
        self.conns
            .lines()
            .filter(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                f.len() >= 6 && f[4] == vip_port && f[5] == real
            })
            .collect()
    }
}

impl Run<'_> {
    fn judge(&mut self) -> Judged {
        let text = self.jobs.judge();
        let (listing, conns) = text.split_once("%\n").unwrap_or((&text, ""));
        Judged {
            listing: listing.to_string(),
            conns: conns.to_string(),
        }
    }

    fn other_tool(&mut self, command: &str) -> String {
        self.jobs.other_tool(command)
    }

    #[track_caller]
    fn judge_until(&mut self, what: &str, ok: impl Fn(&Judged) -> bool) -> Judged {
        let start = Instant::now();
        while start.elapsed() < SHORT {
            let j = self.judge();
            if ok(&j) {
                return j;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let j = self.judge();
        panic!(
            "kernel {}: ipvsadm never showed {what}\n{}\n{}\n--- screen:\n{}",
            self.jobs.c.kernel(),
            j.listing,
            j.conns,
            self.jobs.c.screen()
        );
    }

    #[track_caller]
    fn wait(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.jobs.c.wait_for(what, ok, SHORT)
    }

    /// Shows only `service` (a filter typed), expanded, and selects `real`.
    fn select(&self, service: &str, real: &str) {
        self.jobs.c.send_keys(&["/"]);
        self.jobs.c.type_text(service);
        self.jobs.c.send_keys(&["Enter"]);
        self.wait("the filter kept", |s| {
            s.contains(&format!("filter {service}"))
        });
        self.jobs.c.send_keys(&["g", "Enter"]);
        let screen = self.wait("its real servers", |s| s.contains(&format!("  → {real}")));
        let rows: Vec<&str> = screen.lines().filter(|l| l.contains("  → ")).collect();
        let i = rows
            .iter()
            .position(|l| l.contains(&format!("  → {real}")))
            .unwrap();
        self.jobs.c.send_keys(&["g"]);
        for _ in 0..=i {
            self.jobs.c.send_keys(&["j"]);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

const ECHO: &str = "TCP  198.51.100.10:7";
const WEB: &str = "TCP  198.51.100.10:443";

fn drain_session(c: &Console) {
    let mut r = Run {
        jobs: Jobs::new(c, 0, SHORT),
    };
    c.wait_file("held", BOOT);
    c.wait_for("the table", |s| s.contains("198.51.100.10:7"), BOOT);
    let j = r.judge_until("the held connections", |j| {
        j.dest(ECHO, "192.0.2.11:7").map(|d| d.1) == Some(2)
    });
    assert_eq!(j.dest(ECHO, "192.0.2.140:7").map(|d| d.1), Some(2));

    // x: drained, watched.
    r.select("198.51.100.10:7", "192.0.2.11:7");
    c.send_keys(&["x"]);
    r.judge_until("weight 0", |j| {
        j.dest(ECHO, "192.0.2.11:7") == Some((0, 2, 0))
    });
    r.wait("the drain view with ipvsadm's counts", |s| {
        s.contains("drain 1 real server watched") && s.contains("2 active  0 inactive")
    });
    c.send_keys(&["R"]);
    r.wait("remove when drained", |s| {
        s.contains("remove when drained (nothing")
    });
    // New connections go elsewhere; held ones keep it: not removed.
    for _ in 0..3 {
        r.other_tool(&request(7, "198.51.100.2"));
    }
    std::thread::sleep(Duration::from_secs(3));
    let before = r.judge();
    assert_eq!(
        before.dest(ECHO, "192.0.2.11:7"),
        Some((0, 2, 0)),
        "kernel {}: new connections reached the drained server, or it went early\n{}",
        c.kernel(),
        before.listing
    );

    // The client resets its connections: ActiveConn 0, the entries in CLOSE for 10 s.
    c.job_write("release", "1");
    r.judge_until("the connections closed", |j| {
        j.dest(ECHO, "192.0.2.11:7").is_some_and(|d| d.1 == 0)
    });
    let screen = r.wait("the counts falling on screen", |s| s.contains("0 active"));
    assert!(
        screen.contains("192.0.2.11:7"),
        "kernel {}: the view shows the drained server\n{screen}",
        c.kernel()
    );
    // Until it goes, it stays while anything points to it; once gone, nothing did.
    let start = Instant::now();
    let mut seen_empty = false;
    let gone = loop {
        let j = r.judge();
        match j.dest(ECHO, "192.0.2.11:7") {
            Some((_, active, inactive)) => {
                if active == 0
                    && inactive == 0
                    && j.entries_to("198.51.100.10:7", "192.0.2.11:7").is_empty()
                {
                    seen_empty = true;
                }
            }
            None => break j,
        }
        assert!(
            start.elapsed() < SHORT,
            "kernel {}: never removed\n{}\n{}",
            c.kernel(),
            j.listing,
            c.screen()
        );
        std::thread::sleep(Duration::from_millis(150));
    };
    assert!(
        gone.entries_to("198.51.100.10:7", "192.0.2.11:7")
            .is_empty(),
        "kernel {}: removed with entries left:\n{}",
        c.kernel(),
        gone.conns
    );
    assert!(
        seen_empty || start.elapsed() > Duration::from_secs(5),
        "kernel {}: removed before ipvsadm saw it drained",
        c.kernel()
    );
    r.wait("the removal said", |s| s.contains("nothing pointed to it"));

    // A persistent service: client .3's template points to one real server; drained, the
    // client still lands there (expire_quiescent_template=0).
    c.send_keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(700));
    r.other_tool(&request(443, "198.51.100.3"));
    let j = r.judge_until("the template", |j| {
        j.conns
            .lines()
            .any(|l| l.contains("198.51.100.3:0") && l.contains("198.51.100.10:443"))
    });
    let pinned = j
        .conns
        .lines()
        .find(|l| l.contains("198.51.100.3:0") && l.contains("198.51.100.10:443"))
        .and_then(|l| l.split_whitespace().nth(5))
        .unwrap()
        .to_string();
    r.select("198.51.100.10:443", &pinned);
    c.send_keys(&["x"]);
    r.judge_until("the pinned server drained", |j| {
        j.dest(WEB, &pinned).is_some_and(|d| d.0 == 0)
    });
    r.other_tool(&request(443, "198.51.100.3"));
    let j = r.judge();
    let back: Vec<&str> = j
        .entries_to("198.51.100.10:443", &pinned)
        .into_iter()
        .filter(|l| l.contains("198.51.100.3:") && !l.contains("198.51.100.3:0"))
        .collect();
    assert_eq!(
        back.len(),
        2,
        "kernel {}: the returning client's connections to the drained {pinned}:\n{}",
        c.kernel(),
        j.conns
    );
    r.wait("templates pinning it, a new connection at weight 0", |s| {
        s.contains("persistence templates pin 1 clients to it: 198.51.100.3")
            && s.contains("(1 since watched)")
    });
    // The kernel setting that sent it back, said in the view (read in the director's namespace).
    r.wait("the expire_quiescent_template=0 warning", |s| {
        s.contains("⚠ Persistence templates keep sending returning clients")
    });
    c.send_keys(&["S"]);
    std::thread::sleep(Duration::from_millis(700));
    c.send_keys(&["q"]);
}

#[test]
fn remove_when_drained_waits_for_the_last_connection() {
    let Some(vm) = vm_or_skip("vm_drain::remove_when_drained_waits_for_the_last_connection") else {
        return;
    };
    let script = script();
    std::thread::scope(|s| {
        for kernel in kernels() {
            let (vm, script) = (&vm, &script);
            s.spawn(move || {
                let c = Console::start(vm, kernel, 120, 40, script);
                drain_session(&c);
                let exit = c.finish(SHORT);
                exit.assert_ok();
                assert_eq!(exit.file("lvstop.status").trim(), "0", "kernel {kernel}");
                let journal = exit.file("journal");
                let drains: Vec<&str> = journal
                    .lines()
                    .filter(|l| l.contains(r#""record":"drain""#))
                    .collect();
                assert!(
                    drains.iter().any(|l| l.contains(r#""event":"start""#)
                        && l.contains("192.0.2.11")
                        && l.contains(r#""previous_weight":1"#)),
                    "kernel {kernel}: {journal}"
                );
                assert!(
                    drains.iter().any(|l| l.contains(r#""how":"removed""#)),
                    "kernel {kernel}: {journal}"
                );
                eprintln!(
                    "kernel {kernel}: drained and removed as ipvsadm saw ({:.0} s)",
                    exit.secs
                );
            });
        }
    });
}
