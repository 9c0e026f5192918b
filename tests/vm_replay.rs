//! Replay judged by ipvsadm on real kernels (6.1, 6.12). In the test VM, NAT-lab traffic flows
//! while a recorder (this test binary, `record_in_vm`: the kernel client's reading of the
//! director's namespace appended as a tick every 0.5 s through `record::Recorder`) records the
//! table; between bursts the table changes (a weight, a new real server) and, once the traffic
//! has settled, the script takes `ipvsadm -Ln --stats --exact` at a known instant. Afterwards
//! `lvstop -b --replay FILE --from @T --to @T --stats` must print, for each instant T, exactly
//! what ipvsadm printed then.
//!
//! Counters move with every packet and reach netlink when the kernel's estimator folds them in
//! (every 2 s), so each instant is taken when the lab is quiet: a burst done, 2 s passed, and T's
//! listing equal to one taken 2.2 s before it (an estimator run in between changed nothing), so
//! the tick at or before T holds the table ipvsadm saw at T. Each instant's table differs from the others (counters, a weight, a real server), so
//! a replay of the wrong tick cannot pass; `ipvsadm -Ln` (weights) is judged the same way.
mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use lvstop::backend::Reader;
use lvstop::kernel::Client;
use lvstop::record::{Entry, RecordOptions, Recorder, Tick};
use support::vm::{kernels, vm_or_skip};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

/// Instants taken during the recording.
const INSTANTS: usize = 4;

/// Inside the VM: `LVSTOP_REPLAY_RECORD=FILE` records the namespace `nat-dir` every 0.5 s into
/// FILE until /tmp/replay-stop exists, then prints `ticks N`. Outside the VM it does nothing.
#[test]
fn record_in_vm() {
    let Ok(path) = std::env::var("LVSTOP_REPLAY_RECORD") else {
        return;
    };
    let mut client = Client::open(Some("nat-dir")).expect("open the IPVS client in nat-dir");
    let mut rec = Recorder::create(path.as_ref(), RecordOptions::default()).expect("create");
    let every = Duration::from_millis(500);
    let start = Instant::now();
    let mut n: u32 = 0;
    println!("recording");
    while !std::path::Path::new("/tmp/replay-stop").exists() {
        let began = Instant::now();
        let wall = SystemTime::now();
        let snapshot = client.snapshot().expect("read the table");
        let tick = Tick {
            wall,
            took: began.elapsed(),
            interval: every,
            estimator: client.estimator_running(),
            snapshot,
        };
        rec.append(&Entry::Tick(tick)).expect("append");
        n += 1;
        if let Some(wait) = (start + every * n).checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    rec.close().expect("close");
    println!("ticks {n}");
}

const SCRIPT: &str = r#"
. vm/labs/nat.sh
nat_setup >/dev/null || exit 1
V=$NAT_VIP:80
rm -f /tmp/replay-stop
LVSTOP_REPLAY_RECORD=/tmp/r.rec "$EXE" --exact record_in_vm --nocapture --test-threads=1 >/tmp/rec.log 2>&1 &
REC=$!
for i in $(seq 100); do grep -q recording /tmp/rec.log 2>/dev/null && break; sleep 0.1; done
sleep 1
for i in $(seq $INSTANTS); do
    nat_traffic $((10 * i)) >/dev/null || exit 1
    case $i in
        2) ip netns exec nat-dir ipvsadm -e -t $V -r 192.0.2.11:80 -m -w 5 ;;
        3) ip netns exec nat-dir ipvsadm -A -t $NAT_VIP:8080 -s wlc &&
           ip netns exec nat-dir ipvsadm -a -t $NAT_VIP:8080 -r 192.0.2.140:8080 -m -w 2 ;;
    esac
    sleep 2
    # The kernel folds counters in every 2 s: T is an instant whose listing equals one taken
    # 2.2 s before it, so every tick between the two (one at least) holds that listing.
    ip netns exec nat-dir ipvsadm -Ln --stats --exact >/tmp/before$i
    for try in 1 2 3 4 5; do
        sleep 2.2
        date +%s.%N >/tmp/t$i
        ip netns exec nat-dir ipvsadm -Ln --stats --exact >/tmp/ipvsadm$i
        ip netns exec nat-dir ipvsadm -Ln >/tmp/plain$i
        cmp -s /tmp/before$i /tmp/ipvsadm$i && break
        cp /tmp/ipvsadm$i /tmp/before$i
    done
done
touch /tmp/replay-stop
wait $REC
echo "== recorder"; echo "status $?"; cat /tmp/rec.log
for i in $(seq $INSTANTS); do
    t=$(cat /tmp/t$i)
    echo "== ipvsadm $i"; cat /tmp/ipvsadm$i
    echo "== replay $i"; $LV -b --replay /tmp/r.rec --from @$t --to @$t --stats 2>&1; echo "status $?"
    echo "== plain $i"; cat /tmp/plain$i
    echo "== replay plain $i"; $LV -b --replay /tmp/r.rec --from @$t --to @$t 2>&1; echo "status $?"
    echo "== ticks before $i"; $LV -b --replay /tmp/r.rec --from @$(awk "BEGIN { printf \"%.3f\", $t - 3 }") --to @$t --format json | grep -o '"timestamp":[^,}]*'
done
echo "== readings"; $LV -b --replay /tmp/r.rec --format json | wc -l
echo "== end"
"#;

/// `== NAME` sections of stdout, each up to the next.
fn sections(stdout: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut name: Option<String> = None;
    for line in stdout.lines() {
        if let Some(n) = line.strip_prefix("== ") {
            name = Some(n.to_string());
            out.insert(n.to_string(), String::new());
        } else if let Some(n) = &name {
            let s = out.get_mut(n).unwrap();
            s.push_str(line);
            s.push('\n');
        }
    }
    out
}

#[test]
fn replay_prints_what_ipvsadm_printed_at_each_instant() {
    let Some(vm) = vm_or_skip("vm_replay::replay_prints_what_ipvsadm_printed_at_each_instant")
    else {
        return;
    };
    let exe = std::env::current_exe().expect("this test binary");
    for kernel in kernels() {
        let script = format!(
            "EXE={}\nLV={LVSTOP}\nINSTANTS={INSTANTS}\n{SCRIPT}",
            exe.display()
        );
        let out = vm.run(kernel, &script);
        out.assert_ok();
        let s = sections(&out.stdout);
        let ctx = || format!("kernel {kernel}:\n{}\n{}", out.stdout, out.stderr);
        assert!(s.contains_key("end"), "{}", ctx());
        assert!(s["recorder"].starts_with("status 0\n"), "{}", ctx());
        let mut seen = Vec::new();
        for i in 1..=INSTANTS {
            let ipvsadm = &s[&format!("ipvsadm {i}")];
            let replay = &s[&format!("replay {i}")];
            assert!(ipvsadm.contains("192.0.2.11:80"), "{}", ctx());
            assert_eq!(
                replay,
                &format!("{ipvsadm}status 0\n"),
                "instant {i}: {}",
                ctx()
            );
            let plain = &s[&format!("plain {i}")];
            assert_eq!(
                &s[&format!("replay plain {i}")],
                &format!("{plain}status 0\n"),
                "instant {i}, ipvsadm -Ln: {}",
                ctx()
            );
            assert!(!seen.contains(ipvsadm), "instant {i} equals an earlier one");
            seen.push(ipvsadm.clone());
        }
        assert!(s[&format!("ipvsadm {}", INSTANTS)].contains("198.51.100.10:8080"));
        assert!(s["plain 2"].contains("Masq    5"), "{}", ctx());
        assert!(s["plain 1"].contains("Masq    1"), "{}", ctx());
        // About 2.7 s an instant at 0.5 s: every recorded tick is a reading.
        let readings: usize = s["readings"].trim().parse().unwrap();
        assert!(readings >= 4 * INSTANTS, "{readings} readings: {}", ctx());
    }
}
