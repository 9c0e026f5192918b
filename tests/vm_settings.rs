//! The `net.ipv4.vs.*` settings read through `Client::open(Some(netns))` on real kernels (6.1,
//! 6.12), judged by `sysctl -n` run inside the namespace: a director namespace with several
//! settings away from their defaults reads exactly what sysctl reads there, and the root
//! namespace (left at the defaults) reads its own, different values. The files are opened on a
//! helper thread that entered the namespace and read on the calling thread, so equal values
//! show that an opened /proc/sys/net file keeps the opener's namespace.
//!
//! The reader is this test binary itself, run inside the VM with `LVSTOP_SETTINGS_READ` set
//! (see `read_in_vm`).
mod support;

use std::collections::BTreeMap;

use lvstop::backend::Reader;
use lvstop::kernel::Client;
use lvstop::model::Setting;
use support::vm::{kernels, vm_or_skip, VmOutput};

/// Inside the VM: `LVSTOP_SETTINGS_READ=NETNS` (or `-` for the caller's namespace) prints
/// `setting NAME VALUE` (`-` for a setting this kernel lacks) per setting and
/// `estimator B` (the monitor's reading of run_estimation). Outside the VM it does nothing.
#[test]
fn read_in_vm() {
    let Ok(netns) = std::env::var("LVSTOP_SETTINGS_READ") else {
        return;
    };
    let netns = (netns != "-").then_some(netns);
    println!();
    let mut client = Client::open(netns.as_deref()).expect("open the IPVS client");
    let settings = client.settings().expect("read the settings");
    for &s in Setting::ALL {
        match settings.get(s) {
            Some(v) => println!("setting {} {v}", s.name()),
            None => println!("setting {} -", s.name()),
        }
    }
    println!("estimator {:?}", client.estimator_running());
}

/// Settings set away from their defaults in the director's namespace: each must read back.
const CHANGED: &[(&str, &str)] = &[
    ("conn_reuse_mode", "3"),
    ("expire_nodest_conn", "1"),
    ("expire_quiescent_template", "1"),
    ("sloppy_tcp", "1"),
    ("run_estimation", "0"),
    ("amemthresh", "2048"),
    ("sync_threshold", "5 100"),
    ("sync_retries", "2"),
    ("sync_persist_mode", "1"),
];

/// `sysctl -n` of every file in a namespace (`$1`: a command prefix), as `sysctl NAME VALUE`,
/// sync_threshold's two numbers split into sync_threshold and sync_period.
const SCRIPT: &str = r#"
ip netns add vs-dir
for kv in $CHANGED; do
    name=${kv%%=*}; value=$(echo "${kv#*=}" | tr , ' ')
    ip netns exec vs-dir sysctl -q -w "net.ipv4.vs.$name=$value" || exit 1
done
list() {
    $1 sh -c 'cd /proc/sys/net/ipv4/vs && for f in *; do echo "sysctl $f $(sysctl -n net.ipv4.vs.$f)"; done' \
        | awk '$2 == "sync_threshold" { print "sysctl sync_threshold " $3; print "sysctl sync_period " $4; next } { print }'
}
echo "== sysctl netns"
list "ip netns exec vs-dir"
echo "== lvstop netns"
LVSTOP_SETTINGS_READ=vs-dir "$EXE" --exact read_in_vm --nocapture --test-threads=1 || exit 2
echo "== sysctl root"
list ""
echo "== lvstop root"
LVSTOP_SETTINGS_READ=- "$EXE" --exact read_in_vm --nocapture --test-threads=1 || exit 3
echo "== end"
"#;

/// `PREFIX NAME VALUE` lines of the part of `out` that starts at `start`.
fn part(out: &VmOutput, start: &str, prefix: &str) -> BTreeMap<String, String> {
    let mut lines = out.stdout.lines();
    assert!(
        lines.any(|l| l == start),
        "kernel {}: no {start:?} in:\n{}\n{}",
        out.kernel,
        out.stdout,
        out.stderr
    );
    lines
        .take_while(|l| !l.starts_with("== "))
        .filter_map(|l| l.strip_prefix(prefix))
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect()
}

fn estimator(out: &VmOutput, start: &str) -> String {
    let mut lines = out.stdout.lines();
    assert!(lines.any(|l| l == start));
    let line = lines
        .find(|l| l.starts_with("estimator "))
        .unwrap_or_default();
    line.to_string()
}

/// What lvstop read for every setting against what sysctl read in the same namespace; a
/// setting sysctl has no file for must read as absent.
fn assert_same(
    kernel: &str,
    place: &str,
    lvstop: &BTreeMap<String, String>,
    sysctl: &BTreeMap<String, String>,
) {
    assert_eq!(
        lvstop.len(),
        Setting::ALL.len(),
        "kernel {kernel} {place}: {lvstop:?}"
    );
    for &s in Setting::ALL {
        let expected = sysctl.get(s.name()).map_or("-", String::as_str);
        assert_eq!(
            lvstop[s.name()],
            expected,
            "kernel {kernel} {place}: {}",
            s.name()
        );
    }
}

#[test]
fn the_netns_settings_are_what_sysctl_reads_there() {
    let Some(vm) = vm_or_skip("vm_settings::the_netns_settings_are_what_sysctl_reads_there") else {
        return;
    };
    let exe = std::env::current_exe().expect("this test binary");
    let changed: Vec<String> = CHANGED
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', ",")))
        .collect();
    for kernel in kernels() {
        let script = format!(
            "EXE={}\nCHANGED='{}'\n{SCRIPT}",
            exe.display(),
            changed.join(" ")
        );
        let out = vm.run(kernel, &script);
        out.assert_ok();
        let sysctl_ns = part(&out, "== sysctl netns", "sysctl ");
        let lvstop_ns = part(&out, "== lvstop netns", "setting ");
        let sysctl_root = part(&out, "== sysctl root", "sysctl ");
        let lvstop_root = part(&out, "== lvstop root", "setting ");

        assert_same(kernel, "netns", &lvstop_ns, &sysctl_ns);
        assert_same(kernel, "root", &lvstop_root, &sysctl_root);
        // Every setting lvstop knows exists on both kernels (run_estimation included).
        assert!(
            lvstop_ns.values().all(|v| v != "-"),
            "kernel {kernel}: {lvstop_ns:?}"
        );
        for (name, value) in CHANGED {
            let (name, value) = match *name {
                "sync_threshold" => ("sync_period", value.split(' ').nth(1).unwrap()),
                _ => (*name, *value),
            };
            assert_eq!(
                lvstop_ns[name], value,
                "kernel {kernel}: {name} in the netns"
            );
            assert_ne!(
                lvstop_root[name], value,
                "kernel {kernel}: {name} in the root namespace is the netns's"
            );
        }
        assert_eq!(lvstop_ns["sync_threshold"], "5", "kernel {kernel}");
        // The monitor's estimator notion reads the same file.
        assert_eq!(
            estimator(&out, "== lvstop netns"),
            "estimator Some(false)",
            "kernel {kernel}"
        );
        assert_eq!(
            estimator(&out, "== lvstop root"),
            "estimator Some(true)",
            "kernel {kernel}"
        );
    }
}
