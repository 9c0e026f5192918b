//! Every ipvsadm listing against lvstop's batch equivalent on real kernels (6.1 and 6.12) in
//! the test VM, ipvsadm 1.31 the judge.
//!
//! The table is tests/golden/table.rules (every feature ipvsadm can set) with a little traffic
//! through it and timeouts set away from the defaults. Then, as a real HA pair runs, sync
//! daemons: the kernel refuses one while a mixed-family real server exists, so that one is
//! deleted first; the root namespace runs a master (every option set) and a backup, namespace
//! lst-b over a veth pair the matching backup and master (one pair on an IPv4 group, one on an
//! IPv6 group). Each listing is compared byte for byte, and its JSON field by field.

mod support;

use std::collections::BTreeMap;

use serde_json::Value;
use support::vm::{kernels, vm_or_skip};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

/// Shell functions for the script. `same NAME IPVSADM LVSTOP` runs the two commands (strings,
/// `eval`ed) until their stdout agree (at most 6 tries: counters, rates and connection counts
/// move while the estimator and the timers run), then marks the run failed on a difference in
/// stdout or in exit status, and counts the comparison. `sect NAME` starts a section of stdout.
const FUNCTIONS: &str = r#"
failed=0
compared=0
sect() { echo "== $1"; }
must() { "$@" || { echo "FAILED: $*" >&2; exit 1; }; }
# no_tentative DEV [NS]: wait (at most 10 s) until DEV's IPv6 link-local address has passed
# duplicate address detection: a daemon on an IPv6 group binds to it (EADDRNOTAVAIL before).
no_tentative() {
    local i
    for i in $(seq 50); do
        if ip ${2:+-n $2} -6 addr show dev "$1" scope link | grep -q inet6 &&
            [ -z "$(ip ${2:+-n $2} -6 addr show dev "$1" tentative)" ]; then return 0; fi
        sleep 0.2
    done
    echo "FAILED: $1's link-local address is still tentative" >&2; exit 1
}
same() {
    local name=$1 try
    for try in 1 2 3 4 5 6; do
        eval "$2" >/tmp/a 2>/tmp/a.err; echo $? >/tmp/a.rc
        eval "$3" >/tmp/b 2>/tmp/b.err; echo $? >/tmp/b.rc
        cmp -s /tmp/a /tmp/b && break
    done
    compared=$((compared + 1))
    if ! diff -u /tmp/a /tmp/b >&2; then echo "DIFFERS: $name" >&2; failed=1; fi
    if ! cmp -s /tmp/a.rc /tmp/b.rc; then
        echo "DIFFERS: $name: status $(cat /tmp/a.rc) (ipvsadm) and $(cat /tmp/b.rc) (lvstop)" >&2
        failed=1
    fi
}
"#;

/// One service of table.rules per key option, as `ipvsadm -Ln` takes it.
const SERVICES: &[&str] = &[
    "-t 192.0.2.1:80",
    "-t 192.0.2.2:443",
    "-t 192.0.2.7:80",
    "-u 192.0.2.3:53",
    "-u 192.0.2.8:5060",
    "--sctp-service 192.0.2.4:3868",
    "-f 1",
    "-f 2 -6",
    "-t [2001:db8::1]:80",
];

/// lvstop's view options and ipvsadm's words for the same listing (lvstop is always exact).
const VIEWS: &[(&str, &str)] = &[
    ("", ""),
    ("--stats", "--stats --exact"),
    ("--rate", "--rate --exact"),
    ("--thresholds", "--thresholds"),
    ("--persistent-conn", "--persistent-conn"),
    ("--tun-info", "--tun-info"),
    // Several views: ipvsadm prints the first in print_title's order.
    ("--thresholds --stats", "--thresholds --stats --exact"),
    ("--tun-info --rate", "--tun-info --rate --exact"),
    (
        "--persistent-conn --thresholds",
        "--persistent-conn --thresholds",
    ),
    (
        "--tun-info --persistent-conn",
        "--tun-info --persistent-conn",
    ),
    ("--thresholds --tun-info", "--thresholds --tun-info"),
];

/// The script's comparisons of each view of the whole table and of each service.
fn table_views() -> String {
    let mut s = String::new();
    for (lv, ipv) in VIEWS {
        s += &format!("same 'ipvsadm -Ln {ipv}' 'ipvsadm -Ln {ipv}' '$L -b -n 1 {lv}'\n");
        for svc in SERVICES {
            s += &format!(
                "same 'ipvsadm -Ln {svc} {ipv}' 'ipvsadm -Ln {svc} {ipv}' '$L -b -n 1 {svc} {lv}'\n"
            );
        }
    }
    s
}

fn script() -> String {
    let views = table_views();
    format!(
        r#"set -u
L={LVSTOP}
{FUNCTIONS}
. vm/labs/table.sh
table_net
must sh -c 'ipvsadm -R < tests/golden/table.rules'
table_traffic
must ipvsadm --set 1000 110 310

# 1. The full table, no sync daemon.
{views}
# -n repeats each listing
same '-n 3 --tun-info' 'for i in 1 2 3; do ipvsadm -Ln --tun-info; done' '$L -b -n 3 -d 0.2 --tun-info'
same '-n 2 -f 2 -6 --thresholds' 'for i in 1 2; do ipvsadm -Ln -f 2 -6 --thresholds; done' '$L -b -n 2 -d 0.2 -f 2 -6 --thresholds'
same '-n 2 --timeout' 'for i in 1 2; do ipvsadm -L --timeout; done' '$L -b -n 2 -d 0.2 --timeout'
same '--timeout' 'ipvsadm -L --timeout' '$L -b -n 1 --timeout'
same '--daemon, none' 'ipvsadm -L --daemon' '$L -b -n 1 --daemon'
same '-n 2 --daemon, none' 'ipvsadm -L --daemon' '$L -b -n 2 -d 0.2 --daemon'
# services that do not exist: nothing on stdout from either, status 1 from both
for svc in '-t 192.0.2.99:80' '-u 192.0.2.1:80' '-f 9' '-f 1 -6' '-t [2001:db8::1]:81'; do
    same "missing $svc" "ipvsadm -Ln $svc" "\$L -b -n 1 $svc"
    sect "missing $svc"; cat /tmp/a.err /tmp/b.err
done
sect json-thresholds; ipvsadm -Ln --thresholds
sect json-persistent-conn; ipvsadm -Ln --persistent-conn
sect json-tun-info; ipvsadm -Ln --tun-info
sect json; $L -b -n 1 --format json
sect json-one-stats; ipvsadm -Ln -t [2001:db8::1]:80 --stats --exact
sect json-one; $L -b -n 1 --format json -t [2001:db8::1]:80
sect json-timeout; ipvsadm -L --timeout
sect json-timeouts; $L -b -n 1 --format json --timeout

# 2. Sync daemons running: a master with every option and a backup here, the matching backup
# and master in lst-b, over a veth pair (the kernel refuses them beside a mixed-family server).
must ipvsadm -d -t 192.0.2.7:80 -r [2001:db8:1::81]:80
must ip netns add lst-b
must ip -n lst-b link set lo up
must ip link add sy0 type veth peer name sy1 netns lst-b
must ip addr add 203.0.113.1/24 dev sy0
must ip -n lst-b addr add 203.0.113.2/24 dev sy1
must ip link set sy0 up
must ip -n lst-b link set sy1 up
no_tentative sy0
no_tentative sy1 lst-b
B="ip netns exec lst-b"
must ipvsadm --start-daemon master --mcast-interface sy0 --syncid 7 --sync-maxlen 1200 --mcast-group 239.1.2.3 --mcast-port 8850 --mcast-ttl 2
must ipvsadm --start-daemon backup --mcast-interface sy0 --syncid 9 --mcast-group ff02::1:3 --mcast-port 8851
must $B ipvsadm --start-daemon backup --mcast-interface sy1 --syncid 7 --mcast-group 239.1.2.3 --mcast-port 8850
must $B ipvsadm --start-daemon master --mcast-interface sy1 --syncid 9 --mcast-group ff02::1:3 --mcast-port 8851
same '--daemon' 'ipvsadm -L --daemon' '$L -b -n 1 --daemon'
same '-n 2 --daemon' 'for i in 1 2; do ipvsadm -L --daemon; done' '$L -b -n 2 -d 0.2 --daemon'
same 'lst-b --daemon' '$B ipvsadm -L --daemon' '$L --netns lst-b -b -n 1 --daemon'
same 'lst-b --timeout' '$B ipvsadm -L --timeout' '$L --netns lst-b -b -n 1 --timeout'
{views}
sect json-daemon; ipvsadm -L --daemon
sect json-daemons; $L -b -n 1 --format json --daemon
sect json-daemon-b; $B ipvsadm -L --daemon
sect json-daemons-b; $L --netns lst-b -b -n 1 --format json --daemon
sect end
echo "COMPARED $compared"
[ $failed -eq 0 ] && echo LISTINGS-OK
exit $failed
"#
    )
}

/// Stdout's sections, by name.
fn sections(stdout: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut name = String::new();
    for line in stdout.lines() {
        if let Some(n) = line.strip_prefix("== ") {
            name = n.to_string();
            map.insert(name.clone(), String::new());
        } else if let Some(text) = map.get_mut(&name) {
            text.push_str(line);
            text.push('\n');
        }
    }
    map
}

fn bracket(addr: &str, port: u64) -> String {
    if addr.contains(':') {
        format!("[{addr}]:{port}")
    } else {
        format!("{addr}:{port}")
    }
}

/// The service name as ipvsadm's lines start (`TCP 192.0.2.1:80`, `FWM 2 IPv6`).
fn service_name(s: &Value) -> String {
    let key = &s["key"];
    match key["kind"].as_str().unwrap() {
        "fwmark" if key["family"] == "inet6" => format!("FWM {} IPv6", key["mark"]),
        "fwmark" => format!("FWM {}", key["mark"]),
        _ => format!(
            "{} {}",
            key["protocol"].as_str().unwrap().to_uppercase(),
            bracket(key["addr"].as_str().unwrap(), key["port"].as_u64().unwrap())
        ),
    }
}

/// ipvsadm's real-server lines: (service, real server) -> the words after the address.
fn dest_rows(text: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut rows = BTreeMap::new();
    let mut service = String::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.first() {
            Some(&"->") if f[1] != "RemoteAddress:Port" => {
                let words = f[2..].iter().map(|w| w.to_string()).collect();
                rows.insert((service.clone(), f[1].to_string()), words);
            }
            Some(&"TCP" | &"UDP" | &"SCTP") => service = format!("{} {}", f[0], f[1]),
            Some(&"FWM") if f.get(2) == Some(&"IPv6") => service = format!("FWM {} IPv6", f[1]),
            Some(&"FWM") => service = format!("FWM {}", f[1]),
            _ => {}
        }
    }
    rows
}

/// JSON's real servers: (service, real server) -> the real-server object.
fn json_dests(v: &Value) -> BTreeMap<(String, String), Value> {
    let mut map = BTreeMap::new();
    for s in v["services"].as_array().unwrap() {
        for d in s["dests"].as_array().unwrap() {
            let rs = bracket(d["addr"].as_str().unwrap(), d["port"].as_u64().unwrap());
            map.insert((service_name(s), rs), d.clone());
        }
    }
    map
}

fn n(v: &Value) -> String {
    v.as_u64().unwrap().to_string()
}

/// ipvsadm's TunnelInfo column from the JSON's tunnel object.
fn tun_info(d: &Value) -> String {
    let t = &d["tunnel"];
    if d["forward"] != "tunnel" {
        return "n/a".into();
    }
    let flags = match t["flags_raw"].as_u64().unwrap() {
        0 => "-c",
        1 => "+c",
        _ => "r+c",
    };
    match t["type"].as_str().unwrap() {
        "ipip" => "ipip".into(),
        "gue" => format!("gue:{}:{flags}", t["port"]),
        other => format!("{other}:{flags}"),
    }
}

/// `master sync daemon (mcast=…)` lines from the daemons JSON, in ipvsadm's words.
fn daemon_lines(v: &Value) -> String {
    let mut out = String::new();
    for d in v["daemons"].as_array().unwrap() {
        out += &format!(
            "{} sync daemon (mcast={}, syncid={}",
            d["role"].as_str().unwrap(),
            d["interface"].as_str().unwrap(),
            d["sync_id"]
        );
        for (key, word) in [
            ("max_len", "maxlen"),
            ("group", "group"),
            ("port", "port"),
            ("ttl", "ttl"),
        ] {
            match &d[key] {
                Value::Null => {}
                Value::String(s) => out += &format!(", {word}={s}"),
                other => out += &format!(", {word}={other}"),
            }
        }
        out += ")\n";
    }
    out
}

fn json_line(text: &str) -> Value {
    assert_eq!(text.lines().count(), 1, "one JSON line: {text}");
    serde_json::from_str(text.trim()).expect("a JSON object")
}

#[test]
fn every_listing_is_byte_identical_to_ipvsadm_and_json_says_the_same() {
    let test = "vm_listings::every_listing_is_byte_identical_to_ipvsadm_and_json_says_the_same";
    let Some(vm) = vm_or_skip(test) else {
        return;
    };
    let vm = vm.with_timeout(900);
    let script = script();
    for kernel in kernels() {
        let out = vm.run(kernel, &script);
        let s = sections(&out.stdout);
        assert!(
            out.stdout.contains("LISTINGS-OK"),
            "kernel {kernel}: status {}\n{}",
            out.status,
            out.stderr
        );
        // Views and services of both phases, the -n runs, the director's listings, the missing.
        let want = 2 * VIEWS.len() * (1 + SERVICES.len()) + 6 + 5 + 4;
        assert!(
            out.stdout.contains(&format!("COMPARED {want}\n")),
            "kernel {kernel}: {}",
            out.stdout
        );
        // The missing services: ipvsadm's words, and lvstop's naming the service.
        let missing = &s["missing -t 192.0.2.99:80"];
        assert!(missing.contains("No such service\n"), "{missing}");
        assert!(
            missing.contains("lvstop: no such service: TCP 192.0.2.99:80\n"),
            "{missing}"
        );
        let missing = &s["missing -f 1 -6"];
        assert!(
            missing.contains("lvstop: no such service: FWM 1 IPv6\n"),
            "{missing}"
        );

        // JSON: the real servers' thresholds, persistence templates, tunnels and weights are
        // ipvsadm's numbers (its views' columns, in order after the address).
        let json = json_dests(&json_line(&s["json"]));
        let thresholds = dest_rows(&s["json-thresholds"]);
        let persist = dest_rows(&s["json-persistent-conn"]);
        let tun = dest_rows(&s["json-tun-info"]);
        assert_eq!(
            json.len(),
            thresholds.len(),
            "kernel {kernel}: real servers"
        );
        assert_eq!(json.len(), 23, "kernel {kernel}: table.rules' real servers");
        for (key, d) in &json {
            assert_eq!(
                thresholds[key][..2],
                [n(&d["upper_threshold"]), n(&d["lower_threshold"])],
                "kernel {kernel}: {key:?} thresholds"
            );
            assert_eq!(
                persist[key][..2],
                [n(&d["weight"]), n(&d["persistent_conns"])],
                "kernel {kernel}: {key:?} weight, PersistConn"
            );
            let forward = match d["forward"].as_str().unwrap() {
                "masq" => "Masq",
                "local" => "Local",
                "tunnel" => "Tunnel",
                "route" => "Route",
                other => panic!("forward {other}"),
            };
            assert_eq!(
                tun[key][..3],
                [forward.to_string(), tun_info(d), n(&d["weight"])],
                "kernel {kernel}: {key:?} forward, tunnel, weight"
            );
        }
        assert_eq!(
            json[&("TCP 192.0.2.1:80".into(), "198.51.100.12:8080".into())]["upper_threshold"],
            100
        );
        assert!(
            json.values()
                .any(|d| d["persistent_conns"].as_u64() > Some(0)),
            "kernel {kernel}: the traffic made persistence templates"
        );

        // One service's JSON: the counters ipvsadm's one-service stats show.
        let one = json_line(&s["json-one"]);
        assert_eq!(one["services"].as_array().unwrap().len(), 1);
        let svc = &one["services"][0];
        assert_eq!(service_name(svc), "TCP [2001:db8::1]:80");
        let stats: Vec<Vec<String>> = s["json-one-stats"]
            .lines()
            .skip(2)
            .map(|l| l.split_whitespace().map(String::from).collect())
            .collect();
        let counters = |v: &Value| -> Vec<String> {
            ["conns", "inpkts", "outpkts", "inbytes", "outbytes"]
                .iter()
                .map(|k| n(&v["stats"][k]))
                .collect()
        };
        assert_eq!(
            stats[0][2..],
            counters(svc)[..],
            "kernel {kernel}: service counters"
        );
        assert!(
            svc["stats"]["conns"].as_u64() > Some(0),
            "kernel {kernel}: traffic counted"
        );
        for (i, d) in svc["dests"].as_array().unwrap().iter().enumerate() {
            assert_eq!(
                stats[i + 1][1],
                bracket(d["addr"].as_str().unwrap(), d["port"].as_u64().unwrap())
            );
            assert_eq!(
                stats[i + 1][2..],
                counters(d)[..],
                "kernel {kernel}: real server counters"
            );
        }

        // Timeouts and daemons: the same numbers and words.
        let t = json_line(&s["json-timeouts"])["timeouts"].clone();
        assert_eq!(
            s["json-timeout"],
            format!(
                "Timeout (tcp tcpfin udp): {} {} {}\n",
                t["tcp"], t["tcp_fin"], t["udp"]
            )
        );
        assert_eq!(
            s["json-timeout"],
            "Timeout (tcp tcpfin udp): 1000 110 310\n"
        );
        for (text, json) in [
            ("json-daemon", "json-daemons"),
            ("json-daemon-b", "json-daemons-b"),
        ] {
            let v = json_line(&s[json]);
            assert_eq!(
                v["daemons"].as_array().unwrap().len(),
                2,
                "kernel {kernel}: {json}"
            );
            assert_eq!(daemon_lines(&v), s[text], "kernel {kernel}: {json}");
        }
        assert!(s["json-daemon"].starts_with(
            "master sync daemon (mcast=sy0, syncid=7, maxlen=1200, group=239.1.2.3, port=8850, ttl=2)\n"
        ));
    }
}
