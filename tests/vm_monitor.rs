//! The live monitor on real kernels (6.1 and 6.12): `lvstop` on the test VM's serial console,
//! driven and read through tmux (`support::console`), checked against `ipvsadm` run in the VM
//! at the same moments.
//!
//! The kernel's numbers move while the test looks (the estimator ticks every 2 s, connections
//! expire), so a background sampler in the VM records `ipvsadm -Ln --exact` and
//! `ipvsadm -Ln --rate --exact` with the VM's clock; each number on a screen must equal the
//! one ipvsadm printed for the same row within a few seconds of the screen's "polled HH:MM:SS".

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use support::console::Console;
use support::vm::{kernels, vm_or_skip};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

/// Boot plus set-up under TCG on a loaded machine can take minutes.
const BOOT: Duration = Duration::from_secs(300);
const SHORT: Duration = Duration::from_secs(90);

/// `sampler NS_PREFIX`: appends timestamped ipvsadm outputs to /run/vmjob/samples.part every
/// half second; `stop_sampler` publishes them as /run/vmjob/samples.
const SAMPLER: &str = r#"
sampler() {
    # One shell (inside the namespace, if any) for the whole loop: an `ip netns exec` per
    # sample would space samples out beyond one estimator tick under TCG.
    exec $1 bash -c 'while :; do
        { echo "@ $(date +%H:%M:%S.%N)"; ipvsadm -Ln --exact; echo "%"
          ipvsadm -Ln --rate --exact; } >>/run/vmjob/samples.part 2>&1
        sleep 0.05
    done'
}
stop_sampler() { kill "$@" 2>/dev/null || true; wait "$@" 2>/dev/null || true; mv /run/vmjob/samples.part /run/vmjob/samples; }
"#;

/// A row's identity: the service (protocol and address as ipvsadm prints them) and, for a
/// real server, its address.
type Key = (String, Option<String>);

/// What the monitor and ipvsadm both show for a row. Services have no weight.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Values {
    weight: Option<u64>,
    active: u64,
    inact: u64,
    /// CPS, InPPS, OutPPS, InBPS, OutBPS.
    rates: [u64; 5],
}

/// One sampler reading: seconds since midnight (VM clock) and every row.
#[derive(Debug)]
struct Sample {
    at: f64,
    rows: BTreeMap<Key, Values>,
}

fn secs_of_day(hms: &str) -> f64 {
    let mut parts = hms.split(':');
    let mut next = || parts.next().unwrap().parse::<f64>().unwrap();
    next() * 3600.0 + next() * 60.0 + next()
}

fn service_key(f: &[&str]) -> String {
    format!("{} {}", f[0], f[1])
}

/// Parses the sampler's file.
fn parse_samples(text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for chunk in text.split("@ ").skip(1) {
        let (stamp, body) = chunk.split_once('\n').unwrap();
        let Some((list, rate)) = body.split_once("%\n") else {
            continue; // cut off
        };
        let mut rows: BTreeMap<Key, Values> = BTreeMap::new();
        let mut service = String::new();
        for line in list.lines().skip(3) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.first() == Some(&"->") {
                let n = |i: usize| f[i].parse::<u64>().unwrap();
                let v = Values {
                    weight: Some(n(3)),
                    active: n(4),
                    inact: n(5),
                    rates: [0; 5],
                };
                let s = rows.entry((service.clone(), None)).or_insert(Values {
                    weight: None,
                    active: 0,
                    inact: 0,
                    rates: [0; 5],
                });
                s.active += v.active;
                s.inact += v.inact;
                rows.insert((service.clone(), Some(f[1].to_string())), v);
            } else if f.len() >= 2 {
                service = service_key(&f);
                rows.entry((service.clone(), None)).or_insert(Values {
                    weight: None,
                    active: 0,
                    inact: 0,
                    rates: [0; 5],
                });
            }
        }
        let mut complete = true;
        for line in rate.lines().skip(3) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 7 {
                complete = false;
                continue;
            }
            let key = if f[0] == "->" {
                (service.clone(), Some(f[1].to_string()))
            } else {
                service = service_key(&f);
                (service.clone(), None)
            };
            let r: Vec<u64> = f[f.len() - 5..]
                .iter()
                .map(|x| x.parse().unwrap())
                .collect();
            match rows.get_mut(&key) {
                Some(v) => v.rates.copy_from_slice(&r),
                None => complete = false, // table changed between the two commands
            }
        }
        if complete {
            out.push(Sample {
                at: secs_of_day(stamp.trim()),
                rows,
            });
        }
    }
    out
}

/// The rows of a monitor screen (exact numbers, `#`) and its "polled" time.
fn parse_screen(screen: &str) -> (f64, BTreeMap<Key, Values>) {
    let polled = screen
        .split("polled ")
        .nth(1)
        .and_then(|s| s.get(..8))
        .unwrap_or_else(|| panic!("no 'polled' time on the screen:\n{screen}"));
    let mut rows = BTreeMap::new();
    let mut service = String::new();
    let mut in_table = false;
    // The half-open column (wide screens) sits between InActConn and CPS; it is
    // not one of ipvsadm's, so its characters are blanked before the numbers
    // are read (it may be blank or `~`-marked, so it cannot be skipped by count).
    let mut half_open: Option<std::ops::Range<usize>> = None;
    for line in screen.lines() {
        if line.starts_with("Prot ") {
            in_table = true;
            half_open = line.find(" SYN_RECV").map(|at| {
                let start = line[..at].chars().count() + 1;
                start..start + "SYN_RECV".len()
            });
            continue;
        }
        if !in_table {
            continue;
        }
        let line: String = match &half_open {
            Some(cols) => line
                .chars()
                .enumerate()
                .map(|(i, c)| if cols.contains(&i) { ' ' } else { c })
                .collect(),
            None => line.to_string(),
        };
        let line = line.as_str();
        let f: Vec<&str> = line
            .split_whitespace()
            .filter(|t| !matches!(*t, "▸" | "▾"))
            .collect();
        let ints = |from: usize| -> Vec<u64> {
            f[from..]
                .iter()
                .take_while(|t| !t.ends_with('%'))
                .filter_map(|t| t.parse::<u64>().ok())
                .collect()
        };
        match f.first() {
            Some(&"→") => {
                let n = ints(2);
                assert!(n.len() >= 8, "real-server row without 8 numbers: {line:?}");
                rows.insert(
                    (service.clone(), Some(f[1].to_string())),
                    Values {
                        weight: Some(n[0]),
                        active: n[1],
                        inact: n[2],
                        rates: [n[3], n[4], n[5], n[6], n[7]],
                    },
                );
            }
            Some(p) if ["TCP", "UDP", "SCTP", "FWM"].contains(p) => {
                service = service_key(&f);
                let n = ints(2);
                assert!(n.len() >= 7, "service row without 7 numbers: {line:?}");
                let n = &n[n.len() - 7..];
                rows.insert(
                    (service.clone(), None),
                    Values {
                        weight: None,
                        active: n[0],
                        inact: n[1],
                        rates: [n[2], n[3], n[4], n[5], n[6]],
                    },
                );
            }
            _ => {}
        }
    }
    (secs_of_day(polled), rows)
}

/// Whether a row read at some moment between samples `a` and `b` (adjacent, or the same) can
/// show `v`. The connection counts and the rates change apart (a connection comes or expires at
/// any time; the rates at the estimator's tick), so a reading between two samples can hold the
/// counts of one and the rates of the other (CI, 6.1: a connection came between two samples and
/// the screen showed it with the rates of the tick before). Each part must be one sample's.
fn between(v: &Values, a: Option<&Values>, b: Option<&Values>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return false;
    };
    let counts = |x: &Values| (x.weight, x.active, x.inact);
    (counts(v) == counts(a) || counts(v) == counts(b)) && (v.rates == a.rates || v.rates == b.rates)
}

/// Every row of `screen` is ipvsadm's at a moment within `slack` seconds of the screen's poll
/// (which happened in the second the header names): equal to one sample's, or made of two
/// adjacent samples' connection counts and rates (see `between`). Returns the rows.
#[track_caller]
fn assert_screen_matches(
    kernel: &str,
    screen: &str,
    samples: &[Sample],
    slack: f64,
) -> BTreeMap<Key, Values> {
    let (polled, rows) = parse_screen(screen);
    let near: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.at >= polled - slack && s.at <= polled + 1.0 + slack)
        .collect();
    assert!(
        !near.is_empty(),
        "kernel {kernel}: no ipvsadm sample near the screen's poll at {polled} (samples at {:?})",
        samples.iter().map(|s| s.at).collect::<Vec<_>>()
    );
    let mut bad = Vec::new();
    for (key, v) in &rows {
        let one = near.iter().any(|s| s.rows.get(key) == Some(v));
        let two = near
            .windows(2)
            .any(|w| between(v, w[0].rows.get(key), w[1].rows.get(key)));
        if !one && two {
            eprintln!("kernel {kernel}: {key:?} {v:?} read between two ipvsadm samples");
        }
        if !one && !two {
            let seen: Vec<_> = near.iter().map(|s| (s.at, s.rows.get(key))).collect();
            bad.push(format!("{key:?}: screen {v:?}\n    ipvsadm: {seen:?}"));
        }
    }
    assert!(
        bad.is_empty(),
        "kernel {kernel}: screen differs from ipvsadm:\n{}\n--- screen:\n{screen}",
        bad.join("\n")
    );
    rows
}

/// Selects the last row, then expands every service from the bottom up. Single-byte keys
/// only: an arrow key's escape sequence can reach the program split over the serial line.
fn expand_all(c: &Console, services: usize) {
    c.send_keys(&["G"]);
    for _ in 0..services {
        c.send_keys(&["Enter", "k"]);
    }
}

/// Freezes the display (`f`), waits until the whole frame has come through the serial line
/// (about 11 KB/s under TCG: a 200x60 frame takes seconds, and a capture in between shows a
/// new header over old rows), returns it and thaws the display.
fn frozen_screen(c: &Console) -> String {
    c.send_keys(&["f"]);
    let mut last = String::new();
    for _ in 0..40 {
        std::thread::sleep(Duration::from_millis(1500));
        let now = c.wait_for("a frozen frame", |s| s.contains("FROZEN"), SHORT);
        if now.contains('\u{fffd}') {
            // qemu's serial port drops bytes when the host side reads too slowly (it gives
            // up after a few retries): this frame is damaged, take the next one.
            c.send_keys(&["f"]);
            std::thread::sleep(Duration::from_secs(2));
            c.send_keys(&["f"]);
            last.clear();
            continue;
        }
        if now == last {
            c.send_keys(&["f"]);
            return now;
        }
        last = now;
    }
    panic!(
        "kernel {}: the frozen screen kept changing:\n{last}",
        c.kernel()
    );
}

/// Real-server rows on a screen.
/// The table's row of real server `addr`, not a line of the sparkline pane (which starts
/// with the pane's border).
fn table_row<'a>(screen: &'a str, addr: &str) -> Option<&'a str> {
    let wanted = format!("→ {addr}");
    screen.lines().find(|l| l.trim_start().starts_with(&wanted))
}

fn dest_rows(screen: &str) -> usize {
    screen
        .lines()
        .filter(|l| l.trim_start().starts_with('→'))
        .count()
}

fn count_rows(screen: &str) -> (usize, usize) {
    let (_, rows) = parse_screen(screen);
    let dests = rows.keys().filter(|k| k.1.is_some()).count();
    (rows.len() - dests, dests)
}

#[test]
fn shows_the_table_ipvsadm_built() {
    let Some(vm) = vm_or_skip("vm_monitor::shows_the_table_ipvsadm_built") else {
        return;
    };
    let script = format!(
        r#"set -euo pipefail
{SAMPLER}
. vm/labs/table.sh
table_net
ipvsadm -R < tests/golden/table.rules
table_traffic
# A trickle of connections keeps kernel rates above zero until the test says "calm" (then
# connections stop changing and rates only decay, once per estimator tick). A round of the
# trickle takes over 3 s, so it says "calmed" once its last connection is done. UDP has only
# table_traffic's three connections (inactive for 5 min); with a UDP send in the trickle too,
# one run in nine here failed its screen check (the cause not kept), so it is left out.
( set +e; while [ ! -e /run/vmjob/calm ]; do timeout 1 busybox nc 192.0.2.1 80 </dev/null; timeout 1 busybox nc 2001:db8::1 80 </dev/null
    sleep 0.3; done; touch /run/vmjob/calmed ) >/dev/null 2>&1 &
trickle=$!
sampler "" &
s=$!
rc=0; {LVSTOP} || rc=$?
echo $rc >/run/vmjob/lvstop.status
kill $trickle 2>/dev/null || true
stop_sampler $s
"#
    );
    for kernel in kernels() {
        let c = Console::start(&vm, kernel, 200, 60, &script);
        c.wait_for(
            "the table with the IPv6 service",
            |s| s.contains("[2001:db8::1]:80") && s.contains("FWM"),
            BOOT,
        );
        c.send_keys(&["#"]);
        expand_all(&c, 15);
        c.wait_for(
            "every real server expanded, exact numbers",
            |s| dest_rows(s) == 23,
            SHORT,
        );
        // Live numbers on screen before the check, then a calm table so that the samples
        // catch every value the screen shows. A fixed 3 s after "calm" was not enough: a
        // round of the trickle begun just before it made one more connection (CI, 6.1: the
        // screen showed the new connection with the rates of the estimator tick before it,
        // a state that lasted less than the sampler's period).
        c.job_write("calm", "");
        c.wait_file("calmed", SHORT);
        std::thread::sleep(Duration::from_secs(3));
        let screen = frozen_screen(&c);
        std::thread::sleep(Duration::from_secs(3));
        let later = frozen_screen(&c);
        c.send_keys(&["q"]);
        let exit = c.finish(SHORT);
        exit.assert_ok();
        assert_eq!(
            exit.file("lvstop.status").trim(),
            "0",
            "lvstop's exit status"
        );
        let samples = parse_samples(exit.file("samples"));
        let rows = assert_screen_matches(kernel, &screen, &samples, 2.5);
        assert_screen_matches(kernel, &later, &samples, 2.5);
        // Every service and real server of the table is on the screen.
        let last = samples.last().unwrap();
        let want: Vec<&Key> = last.rows.keys().collect();
        let got: Vec<&Key> = rows.keys().collect();
        assert_eq!(got, want, "kernel {kernel}: rows on screen vs ipvsadm");
        assert_eq!(count_rows(&screen), (15, 23));
        for addr in [
            "TCP [2001:db8::1]:80",
            "FWM 1",
            "FWM 2",
            "SCTP 192.0.2.4:3868",
        ] {
            assert!(
                rows.contains_key(&(addr.to_string(), None)),
                "kernel {kernel}: {addr}"
            );
        }
        // Weights as the rules set them, and some traffic is visible as rates.
        let w = |svc: &str, rs: &str| rows[&(svc.to_string(), Some(rs.to_string()))].weight;
        assert_eq!(w("TCP 192.0.2.1:80", "198.51.100.12:8080"), Some(3));
        assert_eq!(w("UDP 192.0.2.3:53", "198.51.100.31:53"), Some(5));
        assert_eq!(w("TCP 192.0.2.7:80", "198.51.100.83:80"), Some(3));
        assert_eq!(w("TCP [2001:db8::1]:80", "[2001:db8:1::11]:80"), Some(2));
        // The estimator runs (run_estimation=1 by default): kernel rates, no note.
        assert!(
            !screen.contains("estimator off"),
            "kernel {kernel}:\n{screen}"
        );
        assert!(
            !screen.contains("rates from counters"),
            "kernel {kernel}:\n{screen}"
        );
        let tcp80 = &rows[&("TCP 192.0.2.1:80".to_string(), None)];
        assert!(
            tcp80.rates.iter().sum::<u64>() > 0,
            "kernel {kernel}: no rate on 192.0.2.1:80: {tcp80:?}\n{screen}"
        );
        // table_traffic's UDP reaches the table too (IPVS counts a UDP connection as inactive).
        let udp53 = &rows[&("UDP 192.0.2.3:53".to_string(), None)];
        assert!(
            udp53.inact > 0,
            "kernel {kernel}: no UDP connection on 192.0.2.3:53: {udp53:?}\n{screen}"
        );
        eprintln!(
            "kernel {kernel}: table shown as ipvsadm sees it ({:.0} s)",
            exit.secs
        );
    }
}

/// The rates on the VIP's service row, if the row is there with numbers.
fn vip_rates(screen: &str, vip: &str) -> Option<[u64; 5]> {
    let line = screen
        .lines()
        .find(|l| l.starts_with("TCP") && l.contains(vip))?;
    let mut f: Vec<&str> = line.split_whitespace().collect();
    // The trend sparkline (and an alert count) follow the numbers when the
    // screen has room for them.
    while f.last().is_some_and(|t| t.parse::<u64>().is_err()) {
        f.pop();
    }
    let n: Vec<u64> = f[f.len().checked_sub(5)?..]
        .iter()
        .map(|t| t.parse().ok())
        .collect::<Option<_>>()?;
    Some([n[0], n[1], n[2], n[3], n[4]])
}

/// `ipvsadm -Ln --stats --exact` counters of the service line for `vip`.
fn service_conns(stats: &str, vip: &str) -> u64 {
    let line = stats
        .lines()
        .find(|l| l.starts_with("TCP") && l.contains(vip))
        .unwrap_or_else(|| panic!("no {vip} in:\n{stats}"));
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

/// The NAT lab with `lvstop --netns` on the console; the traffic starts when the test writes
/// /run/vmjob/go. `before` runs ahead of the monitor (e.g. a sysctl).
fn nat_script(requests: u32, before: &str) -> String {
    format!(
        r#"set -euo pipefail
{SAMPLER}
. vm/labs/nat.sh
nat_setup
N="ip netns exec $NAT_NS"
{before}
( set +e; while [ ! -e /run/vmjob/go ]; do sleep 0.2; done
  nat_traffic {requests} >/run/vmjob/traffic.part 2>&1; mv /run/vmjob/traffic.part /run/vmjob/traffic ) &
t=$!
sampler "$N" &
s=$!
rc=0; {LVSTOP} --netns "$NAT_NS" || rc=$?
echo $rc >/run/vmjob/lvstop.status
wait $t || true
$N ipvsadm -Ln --stats --exact >/run/vmjob/stats
$N sysctl -n net.ipv4.vs.run_estimation >/run/vmjob/run_estimation
stop_sampler $s
"#
    )
}

const VIP: &str = "198.51.100.10:80";

#[test]
fn follows_live_traffic_through_the_nat_lab() {
    let Some(vm) = vm_or_skip("vm_monitor::follows_live_traffic_through_the_nat_lab") else {
        return;
    };
    let requests = 60;
    for kernel in kernels() {
        let c = Console::start(&vm, kernel, 200, 60, &nat_script(requests, ""));
        c.wait_for("the NAT lab's VIP", |s| s.contains(VIP), BOOT);
        c.send_keys(&["#", "Enter"]);
        c.wait_for("its real servers", |s| dest_rows(s) == 2, SHORT);
        let idle = c.wait_for("idle rates", |s| vip_rates(s, VIP).is_some(), SHORT);
        assert_eq!(
            vip_rates(&idle, VIP),
            Some([0; 5]),
            "before traffic:\n{idle}"
        );
        c.job_write("go", "");
        // Rates become non-zero, then move (new estimator ticks) while traffic flows.
        let busy = c.wait_for(
            "CPS and InPPS above zero",
            |s| vip_rates(s, VIP).is_some_and(|r| r[0] > 0 && r[1] > 0),
            SHORT,
        );
        let first = vip_rates(&busy, VIP).unwrap();
        c.wait_for(
            "the rates to move",
            |s| vip_rates(s, VIP).is_some_and(|r| r != first && r[1] > 0),
            SHORT,
        );
        let traffic = c.wait_file("traffic", BOOT);
        // Two estimator ticks after the last request, then the screen against ipvsadm.
        std::thread::sleep(Duration::from_secs(5));
        let after = frozen_screen(&c);
        c.send_keys(&["q"]);
        let exit = c.finish(SHORT);
        exit.assert_ok();
        assert_eq!(exit.file("lvstop.status").trim(), "0");
        let half = requests / 2;
        assert_eq!(
            traffic.trim(),
            format!("server1={half} server2={half}"),
            "kernel {kernel}"
        );
        let samples = parse_samples(exit.file("samples"));
        let rows = assert_screen_matches(kernel, &after, &samples, 2.5);
        assert_eq!(rows.len(), 3, "kernel {kernel}: VIP and two real servers");
        // The counters behind those rates: every request was one connection.
        assert_eq!(
            service_conns(exit.file("stats"), VIP),
            requests as u64,
            "kernel {kernel}"
        );
        eprintln!(
            "kernel {kernel}: live traffic followed, first busy rates {first:?} ({:.0} s)",
            exit.secs
        );
    }
}

/// The NAT lab with its first real server slowed by `tc netem` inside its namespace (every
/// packet it sends waits 3 s) and clients opening connections from three loops at once: its
/// connections last seconds, its sibling's a fraction of one. `sch_netem` is not among the
/// modules the VM's init loads, so the script takes it from the cached kernel package.
fn slow_server_script() -> String {
    format!(
        r#"set -euo pipefail
. vm/labs/nat.sh
nat_setup
rel=$(uname -r)
deb=
for d in vm/cache/*/; do [ "$(cat "$d/kernel-release")" = "$rel" ] && deb=$d/pkg.deb; done
mkdir -p /tmp/netem
dpkg-deb --fsys-tarfile "$deb" | tar -x -C /tmp/netem --wildcards "./lib/modules/$rel/kernel/net/sched/sch_netem.ko*"
ko=$(ls /tmp/netem/lib/modules/$rel/kernel/net/sched/sch_netem.ko*)
case $ko in *.xz) xz -d "$ko"; ko=${{ko%.xz}} ;; esac
insmod "$ko"
ip netns exec nat-web1 tc qdisc add dev ws0 root netem delay 3000ms
( set +e; while [ ! -e /run/vmjob/go ]; do sleep 0.2; done
  ip netns exec nat-client sh -c '
    for loop in 1 2 3; do
      ( i=0; while [ $i -lt 400 ] && [ ! -e /run/vmjob/stop ]; do i=$((i + 1))
          ( printf "GET / HTTP/1.0\r\n\r\n" | busybox nc -w 20 {VIP_ADDR} 80 >/dev/null 2>&1 ) &
          sleep 0.1
        done; wait ) &
    done; wait' ) &
t=$!
rc=0; {LVSTOP} --netns "$NAT_NS" || rc=$?
echo $rc >/run/vmjob/lvstop.status
touch /run/vmjob/stop
wait $t || true
"#,
        VIP_ADDR = "198.51.100.10"
    )
}

/// Issue 15 §2 on a real kernel: a real server slowed with `tc netem`, under real traffic, is
/// flagged on screen (the header names it, its row shows `⚠ slow`) and its fast sibling is not.
#[test]
fn a_real_server_slowed_by_netem_is_flagged() {
    let Some(vm) = vm_or_skip("vm_monitor::a_real_server_slowed_by_netem_is_flagged") else {
        return;
    };
    // One kernel: the detectors read what every kernel reports alike.
    let kernel = kernels()[0];
    let c = Console::start(&vm, kernel, 120, 40, &slow_server_script());
    c.wait_for("the NAT lab's VIP", |s| s.contains(VIP), BOOT);
    c.send_keys(&["Enter"]);
    c.wait_for("its real servers", |s| dest_rows(s) == 2, SHORT);
    c.job_write("go", "");
    // The header's alert line comes through the serial line before the rows under it (a
    // capture in between showed it over the old rows, one of them missing): wait for the
    // rows too.
    let flagged = c.wait_for(
        "the slowed real server flagged",
        |s| {
            s.contains("⚠ 192.0.2.11:80 slow: connections last")
                && table_row(s, "192.0.2.11:80").is_some_and(|l| l.contains("⚠ slow"))
                && table_row(s, "192.0.2.140:80").is_some()
        },
        BOOT,
    );
    let fast = table_row(&flagged, "192.0.2.140:80").unwrap_or_default();
    assert!(!fast.contains('⚠'), "{flagged}");
    c.send_keys(&["q"]);
    let exit = c.finish(SHORT);
    exit.assert_ok();
    assert_eq!(exit.file("lvstop.status").trim(), "0");
    eprintln!(
        "kernel {kernel}: slowed server flagged ({:.0} s)\n{flagged}",
        exit.secs
    );
}

/// Measured on 6.1 and 6.12: with net.ipv4.vs.run_estimation=0 the kernel's counters do not
/// move under traffic and its rates stay 0, so the monitor shows no rates and says why.
#[test]
fn estimator_off_shows_no_rates_and_the_kernel_counts_nothing() {
    let Some(vm) =
        vm_or_skip("vm_monitor::estimator_off_shows_no_rates_and_the_kernel_counts_nothing")
    else {
        return;
    };
    let requests = 30;
    let script = nat_script(requests, r#"$N sysctl -qw net.ipv4.vs.run_estimation=0"#);
    for kernel in kernels() {
        let c = Console::start(&vm, kernel, 200, 60, &script);
        c.wait_for("the NAT lab's VIP", |s| s.contains(VIP), BOOT);
        c.send_keys(&["#", "Enter"]);
        c.job_write("go", "");
        c.wait_file("traffic", BOOT);
        std::thread::sleep(Duration::from_secs(5));
        let screen = frozen_screen(&c);
        c.send_keys(&["q"]);
        let exit = c.finish(SHORT);
        exit.assert_ok();
        assert_eq!(exit.file("run_estimation").trim(), "0");
        // The kernel: traffic went through (both real servers answered), nothing counted.
        let half = requests / 2;
        assert_eq!(
            exit.file("traffic").trim(),
            format!("server1={half} server2={half}")
        );
        assert_eq!(
            service_conns(exit.file("stats"), VIP),
            0,
            "kernel {kernel}: counters moved with the estimator off:\n{}",
            exit.file("stats")
        );
        // The monitor: no false zeros, and the reason in the header.
        assert!(
            screen.contains("estimator off (run_estimation=0)"),
            "kernel {kernel}:\n{screen}"
        );
        let vip = screen
            .lines()
            .find(|l| l.starts_with("TCP") && l.contains(VIP))
            .unwrap();
        let f: Vec<&str> = vip.split_whitespace().collect();
        assert_eq!(f[f.len() - 5..], ["-"; 5], "kernel {kernel}: {vip}");
        assert_eq!(dest_rows(&screen), 2);
        for l in screen.lines().filter(|l| l.trim_start().starts_with('→')) {
            assert!(l.contains(" - "), "kernel {kernel}: {l}");
        }
        eprintln!("kernel {kernel}: estimator off shown ({:.0} s)", exit.secs);
    }
}

/// The check's own rule, on the readings of the CI failure that led to it (no VM needed).
#[test]
fn a_reading_between_two_samples_holds_each_part_of_one() {
    let v = |active, rates| Values {
        weight: Some(1),
        active,
        inact: 0,
        rates,
    };
    let before = v(6, [0, 0, 0, 13, 31]);
    let after = v(7, [0, 0, 0, 20, 23]);
    let read = |x: &Values| between(x, Some(&before), Some(&after));
    // The new connection with the rates of the tick before: what the screen showed.
    assert!(read(&v(7, [0, 0, 0, 13, 31])));
    assert!(read(&v(6, [0, 0, 0, 20, 23])));
    // A count or a rate that neither sample had, or rates mixed within the group: wrong.
    assert!(!read(&v(8, [0, 0, 0, 13, 31])));
    assert!(!read(&v(7, [0, 0, 0, 13, 23])));
    assert!(!read(&Values {
        weight: Some(2),
        ..before.clone()
    }));
    // A row one of the samples does not have.
    assert!(!between(&before, Some(&before), None));
}
