//! lvstop against ipvsadm, the reference peer, on real kernels (6.1 and 6.12) in the test VM.
//!
//! The table is tests/golden/table.rules: every feature of the protocol (TCP, UDP, SCTP, fwmark
//! v4/v6, IPv6, persistence with masks, one-packet, sh/mh flags, the sip engine, all forwarding
//! methods, thresholds, GUE/GRE tunnels with checksum modes, a mixed-family real server), with
//! a little traffic through it so counters and rates are not zero.

mod support;

use std::collections::BTreeMap;

use serde_json::Value;
use support::vm::{kernels, vm_or_skip};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

/// Runs `body` in each kernel after building the table with `ipvsadm -R` and pushing traffic.
/// `diff_or_fail A B NAME` prints a unified diff and marks the run failed instead of stopping,
/// so one run reports every difference.
fn in_each_kernel(test: &str, body: &str) -> Vec<(String, String)> {
    let Some(vm) = vm_or_skip(test) else {
        return vec![];
    };
    let script = format!(
        r#"set -euo pipefail
L={LVSTOP}
. vm/labs/table.sh
table_net
ipvsadm -R < tests/golden/table.rules
table_traffic
failed=0
diff_or_fail() {{ if ! diff -u "$1" "$2" >&2; then echo "DIFFERS: $3" >&2; failed=1; fi; }}
# rates move every 2 s: compare within one estimator period, retrying a few times
same_rate_view() {{
    for _ in 1 2 3 4 5 6; do
        ipvsadm -Ln --rate --exact > /tmp/ipvsadm.rate; $L -b -n1 --rate > /tmp/lvstop.rate
        cmp -s /tmp/ipvsadm.rate /tmp/lvstop.rate && return 0
    done
    diff_or_fail /tmp/ipvsadm.rate /tmp/lvstop.rate "--rate"
}}
{body}
exit $failed
"#
    );
    kernels()
        .iter()
        .map(|k| {
            let out = vm.run(k, &script);
            out.assert_ok();
            (k.to_string(), out.stdout.clone())
        })
        .collect()
}

#[test]
fn text_views_are_byte_identical_to_ipvsadm() {
    for (kernel, stdout) in in_each_kernel(
        "vm_crosscheck::text_views_are_byte_identical_to_ipvsadm",
        r#"
ipvsadm -Ln > /tmp/a; $L -b -n1 > /tmp/b; diff_or_fail /tmp/a /tmp/b "-Ln"
ipvsadm -Ln --stats --exact > /tmp/a; $L -b -n1 --stats > /tmp/b; diff_or_fail /tmp/a /tmp/b "--stats"
same_rate_view
# the views really carry numbers: some counter and some rate are not zero
grep -E '^TCP +192\.0\.2\.1:80 +[1-9]' /tmp/b
grep -E '^UDP +192\.0\.2\.3:53 +[1-9]' /tmp/b
awk '$1 == "TCP" && $2 == "192.0.2.1:80" && $3 + $4 + $5 + $6 + $7 > 0 {found=1} END {exit !found}' /tmp/lvstop.rate
echo VIEWS-OK
"#,
    ) {
        assert!(stdout.contains("VIEWS-OK"), "kernel {kernel}: {stdout}");
    }
}

/// Parses `ipvsadm -Ln --stats --exact` into (service line, real server) -> counters.
fn ipvsadm_stats(text: &str) -> BTreeMap<(String, String), [u64; 5]> {
    let mut map = BTreeMap::new();
    let mut service = String::new();
    for line in text.lines().skip(3) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (key, nums) = if f[0] == "->" {
            ((service.clone(), f[1].to_string()), &f[2..])
        } else if f[0] == "FWM" && f[2] == "IPv6" {
            service = format!("FWM {} IPv6", f[1]);
            ((service.clone(), String::new()), &f[3..])
        } else if f[0] == "FWM" {
            service = format!("FWM {}", f[1]);
            ((service.clone(), String::new()), &f[2..])
        } else {
            service = format!("{} {}", f[0], f[1]);
            ((service.clone(), String::new()), &f[2..])
        };
        let n: Vec<u64> = nums.iter().map(|s| s.parse().unwrap()).collect();
        map.insert(key, [n[0], n[1], n[2], n[3], n[4]]);
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

fn counters(stats: &Value) -> [u64; 5] {
    ["conns", "inpkts", "outpkts", "inbytes", "outbytes"].map(|k| stats[k].as_u64().unwrap())
}

#[test]
fn json_agrees_with_ipvsadm_field_by_field() {
    for (kernel, stdout) in in_each_kernel(
        "vm_crosscheck::json_agrees_with_ipvsadm_field_by_field",
        r#"
ipvsadm -Ln --stats --exact
echo ===JSON===
$L -b -n1 --format json
echo ===LIST===
ipvsadm -Ln
"#,
    ) {
        let (stats, rest) = stdout.split_once("===JSON===\n").unwrap();
        let (json, list) = rest.split_once("===LIST===\n").unwrap();
        let want = ipvsadm_stats(stats);
        let v: Value = serde_json::from_str(json.trim()).expect("one JSON object per line");
        let mut got = BTreeMap::new();
        let mut weights = Vec::new();
        for s in v["services"].as_array().unwrap() {
            let key = &s["key"];
            let name = match key["kind"].as_str().unwrap() {
                "fwmark" if key["family"] == "inet6" => format!("FWM {} IPv6", key["mark"]),
                "fwmark" => format!("FWM {}", key["mark"]),
                _ => format!(
                    "{} {}",
                    key["protocol"].as_str().unwrap().to_uppercase(),
                    bracket(key["addr"].as_str().unwrap(), key["port"].as_u64().unwrap())
                ),
            };
            got.insert((name.clone(), String::new()), counters(&s["stats"]));
            for d in s["dests"].as_array().unwrap() {
                let rs = bracket(d["addr"].as_str().unwrap(), d["port"].as_u64().unwrap());
                got.insert((name.clone(), rs.clone()), counters(&d["stats"]));
                weights.push((rs, d["weight"].as_u64().unwrap()));
            }
        }
        assert_eq!(
            got, want,
            "kernel {kernel}: JSON counters differ from ipvsadm"
        );
        assert!(
            got.values().any(|c| c[0] > 0),
            "kernel {kernel}: no traffic was counted"
        );
        // Weights as ipvsadm -Ln prints them (column 4 of `->` lines).
        for (rs, w) in weights {
            let line = list
                .lines()
                .find(|l| l.split_whitespace().nth(1) == Some(rs.as_str()))
                .unwrap_or_else(|| panic!("{rs} not in ipvsadm -Ln"));
            assert_eq!(
                line.split_whitespace().nth(3),
                Some(w.to_string().as_str()),
                "{line}"
            );
        }
    }
}

#[test]
fn save_format_restores_losslessly_with_ipvsadm() {
    for (kernel, stdout) in in_each_kernel(
        "vm_crosscheck::save_format_restores_losslessly_with_ipvsadm",
        r#"
$L -b -n1 --format save > /tmp/save1
for v in "" --thresholds --tun-info --persistent-conn; do ipvsadm -Ln $v > /tmp/before$v; done
ipvsadm -C
ipvsadm -R < /tmp/save1
for v in "" --thresholds --tun-info --persistent-conn; do ipvsadm -Ln $v > /tmp/after$v; diff_or_fail /tmp/before$v /tmp/after$v "ipvsadm -Ln $v after restore"; done
$L -b -n1 --format save > /tmp/save2
diff_or_fail /tmp/save1 /tmp/save2 "save after restore"
# lossless where ipvsadm -S is not: thresholds and tunnel options are in our save, not in theirs
grep -q -- '-x 100 -y 10' /tmp/save1
grep -q -- '--tun-type gue --tun-port 6080 --tun-csum' /tmp/save1
if ipvsadm -Sn | grep -q -- '-x 100'; then echo "ipvsadm -S keeps thresholds now?" >&2; fi
echo SAVE-OK
"#,
    ) {
        assert!(stdout.contains("SAVE-OK"), "kernel {kernel}: {stdout}");
    }
}

#[test]
fn table_built_by_lvstop_apply_is_what_ipvsadm_builds() {
    for (kernel, stdout) in in_each_kernel(
        "vm_crosscheck::table_built_by_lvstop_apply_is_what_ipvsadm_builds",
        r#"
for v in -Sn "-Ln --thresholds" "-Ln --tun-info" "-Ln --persistent-conn"; do ipvsadm $v > "/tmp/ref$v"; done
ipvsadm -C
$L --journal /tmp/journal.jsonl apply tests/golden/table.rules
test "$(wc -l < /tmp/journal.jsonl)" -eq 76 || { echo "journal: $(wc -l < /tmp/journal.jsonl) lines for 38 changes" >&2; failed=1; }
for v in -Sn "-Ln --thresholds" "-Ln --tun-info" "-Ln --persistent-conn"; do ipvsadm $v > "/tmp/got$v"; diff_or_fail "/tmp/ref$v" "/tmp/got$v" "ipvsadm $v of the applied table"; done
# a bad file changes nothing: parse errors are reported before anything is sent
printf -- '-A -t 192.0.2.200:80 -s rr\n-a -t 192.0.2.200:80 -r 10.0.0.1:99999 -w 1\n' > /tmp/bad.rules
if $L --journal /tmp/journal.jsonl apply /tmp/bad.rules 2> /tmp/err; then echo "bad rules were accepted" >&2; failed=1; fi
cat /tmp/err
test "$(wc -l < /tmp/journal.jsonl)" -eq 76 || { echo "a refused file wrote to the journal" >&2; failed=1; }
ipvsadm -Sn > /tmp/after-bad
diff_or_fail "/tmp/ref-Sn" /tmp/after-bad "table after a refused file"
echo APPLY-OK
"#,
    ) {
        assert!(stdout.contains("APPLY-OK"), "kernel {kernel}: {stdout}");
        assert!(
            stdout.contains("line 2"),
            "kernel {kernel}: the error names the line: {stdout}"
        );
        assert!(
            stdout.contains("nothing was applied"),
            "kernel {kernel}: {stdout}"
        );
    }
}
