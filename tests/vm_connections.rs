//! The connection table on real kernels (6.1 and 6.12), judged by ipvsadm 1.31 in the test VM.
//!
//! vm/labs/conns.sh fills the NAT lab's director with entries in known states (TIME_WAIT,
//! ESTABLISHED, SYN_RECV, UDP, persistence templates, SIP persistence-engine data, IPv6) and
//! copies them to a backup director with the sync daemon. The tests check first that ipvsadm
//! shows those states (the lab does what it says), then that lvstop reads the same table.
//!
//! Entries expire second by second, so every comparison takes ipvsadm, lvstop, ipvsadm in a
//! row and retries (a bounded number of times) until both ipvsadm outputs are equal.
mod support;

use std::collections::BTreeMap;

use support::conn_lines::{self, count_by, ConnLine, COLUMNS_PE, HEADER};
use support::vm::{kernels, vm_or_skip, VmOutput};

/// Shell functions for the scripts: `sect NAME` starts a section of stdout; `agree NAME
/// IPVSADM LVSTOP` runs the two commands (strings, `eval`ed) as ipvsadm, lvstop, ipvsadm until
/// the two ipvsadm outputs and lvstop's are byte-identical (at most 8 tries), then prints
/// `== agree NAME tries=N same=yes|no` and the three outputs and lvstop's stderr and status.
const FUNCTIONS: &str = r#"
sect() { echo "== $1"; }
agree() {
    local name=$1 ipv=$2 lv=$3 try same=no
    for try in 1 2 3 4 5 6 7 8; do
        eval "$ipv" >/tmp/agree.a 2>&1
        eval "$lv" >/tmp/agree.b 2>/tmp/agree.err
        echo $? >/tmp/agree.rc
        eval "$ipv" >/tmp/agree.c 2>&1
        if cmp -s /tmp/agree.a /tmp/agree.c && cmp -s /tmp/agree.a /tmp/agree.b; then
            same=yes
            break
        fi
    done
    sect "agree $name tries=$try same=$same"
    sect "$name.ipvsadm"; cat /tmp/agree.a
    sect "$name.lvstop"; cat /tmp/agree.b
    sect "$name.ipvsadm2"; cat /tmp/agree.c
    sect "$name.stderr"; cat /tmp/agree.err
    sect "$name.status"; cat /tmp/agree.rc
}
"#;

/// The lines of section `name` ("== name" up to the next "== ").
fn section<'a>(out: &'a VmOutput, name: &str) -> Vec<&'a str> {
    let header = format!("== {name}");
    let mut lines = out.stdout.lines().skip_while(|l| *l != header).peekable();
    assert!(
        lines.peek().is_some(),
        "kernel {}: no section {name:?} in stdout:\n{}\n--- stderr:\n{}",
        out.kernel,
        out.stdout,
        out.stderr
    );
    lines
        .skip(1)
        .take_while(|l| !l.starts_with("== "))
        .collect()
}

fn text(out: &VmOutput, name: &str) -> String {
    section(out, name)
        .iter()
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The entries of a service in ipvsadm's lines.
fn of<'a>(lines: &'a [ConnLine], service: &str) -> Vec<&'a ConnLine> {
    lines.iter().filter(|l| l.service() == service).collect()
}

fn states(lines: &[&ConnLine]) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for l in lines {
        *out.entry(l.state.clone()).or_default() += 1;
    }
    out
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(s, n)| (s.to_string(), *n)).collect()
}

const CLIENTS: [&str; 4] = [
    "198.51.100.2",
    "198.51.100.3",
    "198.51.100.4",
    "198.51.100.5",
];

/// What vm/labs/conns.sh says it makes, as ipvsadm shows it right after `conns_traffic`.
fn assert_lab_states(kernel: &str, lab: &[ConnLine], lab_pe: &[ConnLine]) {
    let ctx = |what: &str| format!("kernel {kernel}: {what} in:\n{lab:#?}");
    // Completed HTTP requests through the NAT lab: TIME_WAIT, split by rr.
    let web = of(lab, "TCP 198.51.100.10:80");
    assert_eq!(
        states(&web),
        counts(&[("TIME_WAIT", 6)]),
        "{}",
        ctx("VIP:80")
    );
    // Connections held open from each client address.
    let held = of(lab, "TCP 198.51.100.10:7");
    assert_eq!(
        states(&held),
        counts(&[("ESTABLISHED", 4)]),
        "{}",
        ctx("VIP:7")
    );
    let mut from: Vec<&str> = held.iter().map(|l| l.client_addr()).collect();
    from.sort();
    assert_eq!(from, CLIENTS, "{}", ctx("VIP:7 clients"));
    // SYNs to a direct-routing real server that drops them.
    let syn = of(lab, "TCP 198.51.100.10:81");
    assert_eq!(
        states(&syn),
        counts(&[("SYN_RECV", 3)]),
        "{}",
        ctx("VIP:81")
    );
    assert!(syn.iter().all(|l| l.real == "192.0.2.11:81"));
    // UDP datagrams.
    let udp = of(lab, "UDP 198.51.100.10:53");
    assert_eq!(states(&udp), counts(&[("UDP", 4)]), "{}", ctx("UDP VIP:53"));
    // A persistent service: a template per client (port 0), and each client's connection goes
    // to the real server its template pins. The kernel shows a TCP template ASSURED once a
    // connection through it was.
    let pers = of(lab, "TCP 198.51.100.10:443");
    let (templates, conns): (Vec<&ConnLine>, Vec<&ConnLine>) =
        pers.iter().partition(|l| l.is_template());
    assert_eq!(
        states(&templates),
        counts(&[("ASSURED", 4)]),
        "{}",
        ctx("templates")
    );
    assert_eq!(
        states(&conns),
        counts(&[("TIME_WAIT", 4)]),
        "{}",
        ctx("VIP:443")
    );
    for c in &conns {
        let t = templates
            .iter()
            .find(|t| t.client_addr() == c.client_addr())
            .unwrap_or_else(|| panic!("{}", ctx(&format!("no template for {c:?}"))));
        assert_eq!(t.real, c.real, "{}", ctx("template pins the real server"));
    }
    // SIP: templates with the Call-ID as persistence-engine data (only with --persistent-conn).
    let sip = of(lab_pe, "UDP 198.51.100.10:5060");
    let mut calls: Vec<(&str, &str, &str)> = sip
        .iter()
        .filter_map(|l| {
            let (name, data) = l.pe.as_ref()?;
            Some((name.as_str(), data.as_str(), l.state.as_str()))
        })
        .collect();
    calls.sort();
    assert_eq!(
        calls,
        [
            ("sip", "lvstop-call-1", "NONE"),
            ("sip", "lvstop-call-2", "NONE")
        ],
        "kernel {kernel}: SIP templates in:\n{lab_pe:#?}"
    );
    assert!(sip
        .iter()
        .filter(|l| l.pe.is_some())
        .all(|l| l.is_template()));
    assert_eq!(states(&of(lab_pe, "UDP 198.51.100.10:5060"))["UDP"], 2);
    assert!(
        lab.iter().all(|l| l.pe.is_none()),
        "pe columns without --persistent-conn"
    );
    // IPv6.
    let v6 = of(lab, "TCP [2001:db8:c::10]:80");
    assert_eq!(
        states(&v6),
        counts(&[("TIME_WAIT", 4)]),
        "{}",
        ctx("IPv6 VIP")
    );
    assert!(v6.iter().all(|l| l.client.starts_with("[2001:db8:c::2]:")));
}

/// `/proc/net/ip_vs_conn_sync` rows as (state, origin).
fn sync_origins(text: &str) -> Vec<(String, String)> {
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 10, "ip_vs_conn_sync row {l:?}");
            (f[7].to_string(), f[8].to_string())
        })
        .collect()
}

/// The sync daemon pair: the backup's entries are copies of the master's, marked SYNC; the
/// master's own are LOCAL.
fn assert_sync(
    kernel: &str,
    lab: &[ConnLine],
    backup: &[ConnLine],
    master_sync: &str,
    backup_sync: &str,
) {
    let key = |l: &ConnLine| {
        (
            l.proto.clone(),
            l.client.clone(),
            l.virt.clone(),
            l.real.clone(),
            l.state.clone(),
        )
    };
    let master: Vec<_> = lab.iter().map(key).collect();
    for b in backup {
        assert!(
            master.contains(&key(b)),
            "kernel {kernel}: backup entry {b:?} not on the master:\n{lab:#?}"
        );
    }
    // What the master syncs at once: held connections, closed ones and templates.
    let by_state = count_by(backup, |l| l.service());
    for (svc, state) in [
        ("TCP 198.51.100.10:7", "ESTABLISHED"),
        ("TCP 198.51.100.10:80", "TIME_WAIT"),
        ("TCP 198.51.100.10:443", "ASSURED"),
    ] {
        assert!(
            by_state.get(svc).and_then(|s| s.get(state)).is_some(),
            "kernel {kernel}: no {state} of {svc} on the backup:\n{backup:#?}"
        );
    }
    let origins = sync_origins(backup_sync);
    assert_eq!(
        origins.len(),
        backup.len(),
        "kernel {kernel}: {backup_sync}"
    );
    assert!(
        origins.iter().all(|(_, o)| o == "SYNC"),
        "kernel {kernel}: {backup_sync}"
    );
    let origins = sync_origins(master_sync);
    assert!(
        origins.iter().all(|(_, o)| o == "LOCAL"),
        "kernel {kernel}: {master_sync}"
    );
}

/// Sets up the lab and fills the table; `then` runs after, with the lab's table in sections
/// `lab`, `lab-pe`, `lab-sync`, `backup`, `backup-sync`.
fn lab_script(then: &str) -> String {
    format!(
        r#"set -uo pipefail
{FUNCTIONS}
. vm/labs/conns.sh
conns_setup >/dev/null || {{ echo "conns_setup failed" >&2; exit 1; }}
conns_traffic || {{ echo "conns_traffic failed" >&2; exit 1; }}
D="ip netns exec $CONNS_NS"
B="ip netns exec $CONNS_BACKUP"
# The master sends what it buffered every 2 s: then the backup holds the last states too.
sleep 3
sect lab; $D ipvsadm -Lnc
sect lab-pe; $D ipvsadm -Lnc --persistent-conn
sect lab-sync; $D cat /proc/net/ip_vs_conn_sync
sect backup; $B ipvsadm -Lnc
sect backup-sync; $B cat /proc/net/ip_vs_conn_sync
{then}
sect end
conns_teardown
"#
    )
}

#[test]
fn the_lab_makes_the_states_it_says() {
    let Some(vm) = vm_or_skip("vm_connections::the_lab_makes_the_states_it_says") else {
        return;
    };
    for kernel in kernels() {
        let started = std::time::Instant::now();
        let out = vm.run(kernel, &lab_script(""));
        out.assert_ok();
        let lab = conn_lines::parse(&text(&out, "lab"), false);
        let lab_pe = conn_lines::parse(&text(&out, "lab-pe"), true);
        assert_lab_states(kernel, &lab, &lab_pe);
        let backup = conn_lines::parse(&text(&out, "backup"), false);
        assert_sync(
            kernel,
            &lab,
            &backup,
            &text(&out, "lab-sync"),
            &text(&out, "backup-sync"),
        );
        eprintln!(
            "kernel {kernel}: {} entries on the director, {} on the backup ({:.0} s)",
            lab.len(),
            backup.len(),
            started.elapsed().as_secs_f64()
        );
    }
}

/// The parser the checks rely on (no VM needed).
#[test]
fn ipvsadm_lines_are_read_and_others_refused() {
    let text = format!(
        "{HEADER}\n{COLUMNS_PE}\n\
         TCP 14:55  ESTABLISHED 198.51.100.4:51501 198.51.100.10:7    192.0.2.140:7\n\
         UDP 00:59  NONE        198.51.100.2:0     198.51.100.10:5060 192.0.2.11:5060  sip                lvstop-call-2\n\
         TCP 01:58  TIME_WAIT   [2001:db8:c::2]:34812 [2001:db8:c::10]:80 [2001:db8:2::11]:80\n"
    );
    let l = conn_lines::parse(&text, true);
    assert_eq!(l.len(), 3);
    assert_eq!(l[0].expires, 14 * 60 + 55);
    assert_eq!(l[1].pe, Some(("sip".into(), "lvstop-call-2".into())));
    assert!(l[1].is_template());
    assert_eq!(l[2].client_addr(), "2001:db8:c::2");
    assert_eq!(l[2].service(), "TCP [2001:db8:c::10]:80");
    for bad in [
        "TCP 14:55 ESTABLISHED 198.51.100.4:51501 198.51.100.10:7",
        "TCP 1:55 ESTABLISHED 198.51.100.4:1 198.51.100.10:7 192.0.2.140:7",
        "TCP 01:75 ESTABLISHED 198.51.100.4:1 198.51.100.10:7 192.0.2.140:7",
        "TCP 01:05 ESTAB\u{1b}LISHED 198.51.100.4:1 198.51.100.10:7 192.0.2.140:7",
        "TCP 01:05 ESTABLISHED 198.51.100.400:1 198.51.100.10:7 192.0.2.140:7",
        "TCP 01:05 ESTABLISHED [2001:db8::zz]:1 198.51.100.10:7 192.0.2.140:7",
    ] {
        assert!(conn_lines::parse_line(bad).is_err(), "{bad}");
    }
}
