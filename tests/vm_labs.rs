//! Real traffic through IPVS in the test VM: the NAT lab (rr) and the DR lab (wrr 1:2) from
//! vm/labs, on each kernel; counters and rates as ipvsadm reports them afterwards, and lvstop
//! (reading the director's namespace with --netns) reporting the same counters and live rates.
mod support;

use support::vm::{kernels, vm_or_skip, Vm, VmOutput};

const REQUESTS: u64 = 300;
const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

/// lvstop's counters are the kernel's: the same table, byte for byte, as
/// `ipvsadm -Ln --stats --exact` after the traffic stopped; and its rate view
/// shows the service's kernel rates moving.
fn assert_lvstop_agrees(out: &str, kernel: &str, vip: &str) {
    assert_eq!(
        section(out, "lvstop-stats"),
        section(out, "stats"),
        "lvstop --stats vs ipvsadm --stats --exact, kernel {kernel}"
    );
    let rate = row(out, "lvstop-rate", vip);
    assert!(
        rate[0] > 0 && rate[1] > 0,
        "lvstop rates, kernel {kernel}: {rate:?}"
    );
}

/// Runs one lab in the VM: setup, traffic, a wait of 5 s (the estimator runs every 2 s), then
/// the director's table with --stats and --rate.
fn run_lab(vm: &Vm, kernel: &str, lab: &str) -> VmOutput {
    let script = format!(
        ". vm/labs/{lab}.sh
         {lab}_setup
         echo '== traffic'
         {lab}_traffic {REQUESTS}
         sleep 5
         ns=${{{upper}_NS}}
         echo '== stats'
         ip netns exec $ns ipvsadm -Ln --stats --exact
         echo '== rate'
         ip netns exec $ns ipvsadm -Ln --rate --exact
         echo '== lvstop-stats'
         {LVSTOP} --netns $ns -b -n 1 --stats
         echo '== lvstop-rate'
         {LVSTOP} --netns $ns -b -n 1 --rate
         {lab}_teardown",
        upper = lab.to_uppercase(),
    );
    let out = vm.run(kernel, &script);
    out.assert_ok();
    println!("--- {lab} lab, kernel {kernel}:\n{}", out.stdout);
    out
}

/// The lines of section `name` ("== name" up to the next "== ").
fn section<'a>(out: &'a str, name: &str) -> Vec<&'a str> {
    let header = format!("== {name}");
    out.lines()
        .skip_while(|l| *l != header)
        .skip(1)
        .take_while(|l| !l.starts_with("== "))
        .collect()
}

/// "server1=X server2=Y" -> (X, Y).
fn split(out: &str) -> (u64, u64) {
    let line = section(out, "traffic")
        .into_iter()
        .find(|l| l.starts_with("server1="))
        .unwrap_or_else(|| panic!("no traffic line in:\n{out}"));
    let n: Vec<u64> = line
        .split_whitespace()
        .map(|kv| kv.split_once('=').unwrap().1.parse().unwrap())
        .collect();
    (n[0], n[1])
}

/// The five numbers of the table row whose address column is `addr` in a --stats/--rate section.
fn row(out: &str, sect: &str, addr: &str) -> [u64; 5] {
    let lines = section(out, sect);
    let line = lines
        .iter()
        // "TCP  vip:port ..." and "  -> rip:port ...": the address is the second field.
        .find(|l| l.split_whitespace().nth(1) == Some(addr))
        .unwrap_or_else(|| panic!("no row {addr} in {sect}:\n{}", lines.join("\n")));
    let nums: Vec<u64> = line
        .split_whitespace()
        .skip(2)
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("bad number in {line:?}"))
        })
        .collect();
    nums.try_into()
        .unwrap_or_else(|_| panic!("expected 5 numbers in {line:?}"))
}

/// The director's Conns counters against the answers the client counted: exact. Every request
/// is a new TCP connection, and the director schedules each as new even when its client port
/// comes round again while the old entry lingers: NAT's entry is in TIME_WAIT by then (which
/// the kernel's default conn_reuse_mode reschedules), DR's in FIN_WAIT (which `dr_setup` sets
/// conn_reuse_mode for). Without it a DR count came out 297 or 299 of 300 now and then.
fn assert_conns(kernel: &str, svc: u64, (rs1, rs2): (u64, u64), (s1, s2): (u64, u64)) {
    assert_eq!(
        svc,
        rs1 + rs2,
        "service Conns = sum of real servers', kernel {kernel}"
    );
    assert_eq!(svc, REQUESTS, "service Conns, kernel {kernel}");
    assert_eq!(
        (rs1, rs2),
        (s1, s2),
        "real server Conns vs answers, kernel {kernel}"
    );
}

#[test]
fn nat_lab_round_robin_splits_evenly() {
    let Some(vm) = vm_or_skip("vm_labs::nat_lab_round_robin_splits_evenly") else {
        return;
    };
    for kernel in kernels() {
        let out = run_lab(&vm, kernel, "nat");
        let (s1, s2) = split(&out.stdout);
        assert_eq!(s1 + s2, REQUESTS, "kernel {kernel}");
        assert!(
            s1.abs_diff(150) <= 1,
            "rr split {s1}/{s2} on kernel {kernel}"
        );
        let svc = row(&out.stdout, "stats", "198.51.100.10:80");
        let rs1 = row(&out.stdout, "stats", "192.0.2.11:80");
        let rs2 = row(&out.stdout, "stats", "192.0.2.140:80");
        assert_conns(kernel, svc[0], (rs1[0], rs2[0]), (s1, s2));
        // NAT: replies come back through the director, so it counts them.
        assert!(
            svc[1] > 0 && svc[2] > 0 && svc[3] > 0 && svc[4] > 0,
            "{svc:?}"
        );
        assert_lvstop_agrees(&out.stdout, kernel, "198.51.100.10:80");
        let rate = row(&out.stdout, "rate", "198.51.100.10:80");
        assert!(
            rate.iter().all(|&r| r > 0),
            "rates after traffic, kernel {kernel}: {rate:?}"
        );
    }
}

#[test]
fn dr_lab_weighted_round_robin_splits_one_to_two() {
    let Some(vm) = vm_or_skip("vm_labs::dr_lab_weighted_round_robin_splits_one_to_two") else {
        return;
    };
    for kernel in kernels() {
        let out = run_lab(&vm, kernel, "dr");
        let (s1, s2) = split(&out.stdout);
        assert_eq!(s1 + s2, REQUESTS, "kernel {kernel}");
        assert!(
            s1.abs_diff(100) <= 1 && s2.abs_diff(200) <= 1,
            "wrr 1:2 split {s1}/{s2} on kernel {kernel}"
        );
        let svc = row(&out.stdout, "stats", "203.0.113.100:80");
        let rs1 = row(&out.stdout, "stats", "203.0.113.11:80");
        let rs2 = row(&out.stdout, "stats", "203.0.113.12:80");
        assert_conns(kernel, svc[0], (rs1[0], rs2[0]), (s1, s2));
        // DR: real servers answer the client directly; the director sees only inbound.
        assert!(svc[1] > 0 && svc[3] > 0, "{svc:?}");
        assert_eq!(
            (svc[2], svc[4]),
            (0, 0),
            "DR director saw outbound packets: {svc:?}"
        );
        assert_lvstop_agrees(&out.stdout, kernel, "203.0.113.100:80");
        let rate = row(&out.stdout, "rate", "203.0.113.100:80");
        assert!(
            rate[0] > 0 && rate[1] > 0 && rate[3] > 0,
            "rates after traffic, kernel {kernel}: {rate:?}"
        );
    }
}
