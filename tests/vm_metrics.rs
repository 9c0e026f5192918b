//! `--format openmetrics --output FILE` on real kernels (6.1 and 6.12) in the test VM, served
//! by a real node_exporter (Debian's prometheus-node-exporter, textfile collector only, on
//! 127.0.0.1 inside the VM) and judged by ipvsadm 1.31 and promtool.
//!
//! The table is tests/golden/table.rules with a little traffic through it (vm/labs/table.sh).
//! lvstop writes the file while ipvsadm's listings stay the same around it (counters settle
//! once the traffic ends; connection counts may still expire, hence the retry); promtool
//! checks the file; node_exporter's /metrics (fetched with wget) must hold exactly the file's
//! series, and their values must be ipvsadm's numbers: every service's and real server's five
//! counters (`--stats --exact`), forwarding, weight and connections (`-Ln`), thresholds
//! (`--thresholds`) and persistence templates (`--persistent-conn`). With `-c`, each real
//! server's entries by state must be `ipvsadm -Lnc`'s. Then a master sync daemon starts,
//! lvstop replaces the file, and the next scrape shows it running.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use support::vm::{kernels, vm_or_skip};

const LVSTOP: &str = env!("CARGO_BIN_EXE_lvstop");

fn script() -> String {
    format!(
        r#"set -u
L={LVSTOP}
must() {{ "$@" || {{ echo "FAILED: $*" >&2; exit 1; }}; }}
sect() {{ echo "== $1"; }}
. vm/labs/table.sh
table_net
must sh -c 'ipvsadm -R < tests/golden/table.rules'
table_traffic
mkdir -p /tmp/tf
prometheus-node-exporter --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory=/tmp/tf --web.listen-address=127.0.0.1:9100 >/tmp/ne.log 2>&1 &
ne=$!
# listings NAME: ipvsadm's four listings into /tmp/NAME
listings() {{
    {{ sect stats; ipvsadm -Ln --stats --exact; sect plain; ipvsadm -Ln
      sect thresholds; ipvsadm -Ln --thresholds; sect persistent; ipvsadm -Ln --persistent-conn; }} >/tmp/$1
}}
settled=0
for i in 1 2 3 4 5; do
    listings before
    must $L -b -n 1 --format openmetrics --output /tmp/tf/lvstop.prom
    listings after
    if cmp -s /tmp/before /tmp/after; then settled=1; break; fi
done
echo "SETTLED $settled"
cat /tmp/before
sect file; cat /tmp/tf/lvstop.prom
sect promtool; promtool check metrics </tmp/tf/lvstop.prom 2>&1; echo "promtool status $?"
# scrape NAME: node_exporter's /metrics into section NAME (it may still be starting)
scrape() {{
    local i
    for i in $(seq 100); do
        if wget -q -O /tmp/metrics http://127.0.0.1:9100/metrics 2>/dev/null; then
            sect "$1"; grep -E '^(lvstop_|node_textfile_scrape_error)' /tmp/metrics; return
        fi
        sleep 0.2
    done
    echo "FAILED: no answer from node_exporter" >&2; cat /tmp/ne.log >&2; exit 1
}}
scrape scraped
# -c: the entries by state, judged by ipvsadm -Lnc (without the expiry column, which moves).
entries() {{ ipvsadm -Lnc | awk 'NR > 2 {{ print $1, $3, $4, $5, $6 }}' | sort; }}
settled=0
for i in 1 2 3 4 5; do
    entries >/tmp/e1
    must $L -b -n 1 -c --format openmetrics --output /tmp/tf/lvstop.prom
    entries >/tmp/e2
    if cmp -s /tmp/e1 /tmp/e2; then settled=1; break; fi
done
echo "ENTRIES-SETTLED $settled"
sect entries; cat /tmp/e1
sect promtool-c; promtool check metrics </tmp/tf/lvstop.prom 2>&1; echo "promtool status $?"
scrape scraped-c
# A daemon next to the mixed-family real server is refused: it goes first.
must ipvsadm -d -t 192.0.2.7:80 -r [2001:db8:1::81]:80
must ipvsadm --start-daemon master --mcast-interface lo --syncid 7
must $L -b -n 2 -d 0.2 --format openmetrics --output /tmp/tf/lvstop.prom
scrape scraped-daemon
sect files; ls -A /tmp/tf
kill $ne
sect end
echo METRICS-DONE
"#
    )
}

/// Stdout's sections, by name.
fn sections(stdout: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut name = String::new();
    for line in stdout.lines() {
        if let Some(n) = line.strip_prefix("== ") {
            name = n.to_string();
            continue;
        }
        let s: &mut String = out.entry(name.clone()).or_default();
        s.push_str(line);
        s.push('\n');
    }
    out
}

type Labels = BTreeMap<String, String>;

/// `name{k="v",...} value` lines (the values here need no unescaping: netns is "").
fn samples(text: &str) -> BTreeMap<(String, Labels), String> {
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("lvstop_")) {
        let (name, rest) = line.split_once('{').unwrap_or_else(|| panic!("{line}"));
        let (labels, value) = rest.rsplit_once("} ").unwrap_or_else(|| panic!("{line}"));
        let labels: Labels = labels
            .split("\",")
            .map(|kv| {
                let (k, v) = kv.split_once("=\"").unwrap_or_else(|| panic!("{line}"));
                (k.to_string(), v.trim_end_matches('"').to_string())
            })
            .collect();
        let old = out.insert((name.to_string(), labels), value.to_string());
        assert!(old.is_none(), "twice: {line}");
    }
    out
}

/// ipvsadm's words for a service from its labels: `TCP 192.0.2.1:80`, `FWM 2 IPv6`.
fn service_of(l: &Labels) -> String {
    if l["proto"] == "FWM" {
        let v6 = if l["family"] == "inet6" { " IPv6" } else { "" };
        return format!("FWM {}{v6}", l["local_mark"]);
    }
    format!(
        "{} {}",
        l["proto"],
        bracket(&l["local_address"], &l["local_port"])
    )
}

fn bracket(addr: &str, port: &str) -> String {
    if addr.contains(':') {
        format!("[{addr}]:{port}")
    } else {
        format!("{addr}:{port}")
    }
}

/// A listing's rows by (service, real server or "" for the service's own line): the columns
/// after the address.
fn rows(text: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut out = BTreeMap::new();
    let mut service = String::new();
    for line in text.lines().skip(3) {
        let t: Vec<&str> = line.split_whitespace().collect();
        if t[0] == "->" {
            let cols = t[2..].iter().map(|s| s.to_string()).collect();
            out.insert((service.clone(), t[1].to_string()), cols);
        } else {
            let v6 = t[0] == "FWM" && t.get(2) == Some(&"IPv6");
            service = format!("{} {}{}", t[0], t[1], if v6 { " IPv6" } else { "" });
            let skip = if v6 { 3 } else { 2 };
            let cols = t[skip..].iter().map(|s| s.to_string()).collect();
            out.insert((service.clone(), String::new()), cols);
        }
    }
    out
}

/// The sample of `name` for each (service, real server) key, as `rows` keys them.
fn by_row(
    s: &BTreeMap<(String, Labels), String>,
    name: &str,
) -> BTreeMap<(String, String), String> {
    s.iter()
        .filter(|((n, _), _)| n == name)
        .map(|((_, l), v)| {
            let dest = match l.get("remote_address") {
                Some(a) => bracket(a, &l["remote_port"]),
                None => String::new(),
            };
            ((service_of(l), dest), v.clone())
        })
        .collect()
}

const COUNTERS: [&str; 5] = [
    "connections_total",
    "incoming_packets_total",
    "outgoing_packets_total",
    "incoming_bytes_total",
    "outgoing_bytes_total",
];

#[test]
fn node_exporter_serves_lvstops_file_and_its_values_are_ipvsadms() {
    let test = "vm_metrics::node_exporter_serves_lvstops_file_and_its_values_are_ipvsadms";
    let Some(vm) = vm_or_skip(test) else {
        return;
    };
    let vm = vm.with_timeout(300);
    let script = script();
    for kernel in kernels() {
        let out = vm.run(kernel, &script);
        assert!(
            out.stdout.contains("METRICS-DONE") && out.stdout.contains("SETTLED 1"),
            "kernel {kernel}: status {}\n{}\n{}",
            out.status,
            out.stdout,
            out.stderr
        );
        let s = sections(&out.stdout);
        assert!(
            s["promtool"].contains("promtool status 0"),
            "kernel {kernel}: {}",
            s["promtool"]
        );
        let file = samples(&s["file"]);
        let scraped = samples(&s["scraped"]);
        assert!(
            s["scraped"].contains("node_textfile_scrape_error 0"),
            "kernel {kernel}: {}",
            s["scraped"]
        );
        assert_eq!(
            file, scraped,
            "kernel {kernel}: node_exporter serves the file"
        );

        // Every row of every listing, and nothing more.
        let stats = rows(&s["stats"]);
        let plain = rows(&s["plain"]);
        let thresholds = rows(&s["thresholds"]);
        let persistent = rows(&s["persistent"]);
        let dest_keys: BTreeSet<_> = plain.keys().filter(|(_, d)| !d.is_empty()).collect();
        assert_eq!(
            dest_keys.len(),
            23,
            "kernel {kernel}: table.rules' real servers"
        );
        let infos = by_row(&scraped, "lvstop_backend_info");
        assert_eq!(
            infos.keys().collect::<BTreeSet<_>>(),
            dest_keys,
            "kernel {kernel}: the real servers"
        );
        for (i, counter) in COUNTERS.iter().enumerate() {
            for level in ["service", "backend"] {
                let got = by_row(&scraped, &format!("lvstop_{level}_{counter}"));
                for (key, v) in &got {
                    assert_eq!(
                        &stats[key][i], v,
                        "kernel {kernel}: {key:?} {level} {counter}"
                    );
                }
                let want = stats
                    .keys()
                    .filter(|(_, d)| d.is_empty() == (level == "service"));
                assert_eq!(
                    got.len(),
                    want.count(),
                    "kernel {kernel}: {level} {counter}"
                );
            }
        }
        let conns = by_row(&scraped, "lvstop_service_connections_total");
        assert!(
            conns.values().any(|v| v != "0"),
            "kernel {kernel}: the traffic was counted"
        );
        for (name, listing, column) in [
            ("lvstop_backend_weight", &plain, 1),
            ("lvstop_backend_connections_active", &plain, 2),
            ("lvstop_backend_connections_inactive", &plain, 3),
            ("lvstop_backend_upper_threshold", &thresholds, 0),
            ("lvstop_backend_lower_threshold", &thresholds, 1),
            ("lvstop_backend_connections_persistent", &persistent, 1),
        ] {
            let got = by_row(&scraped, name);
            assert_eq!(got.len(), 23, "kernel {kernel}: {name}");
            for (key, v) in got {
                assert_eq!(listing[&key][column], v, "kernel {kernel}: {key:?} {name}");
            }
        }
        for ((_, labels), _) in scraped
            .iter()
            .filter(|((n, _), _)| n == "lvstop_backend_info")
        {
            let key = (
                service_of(labels),
                bracket(&labels["remote_address"], &labels["remote_port"]),
            );
            assert_eq!(
                plain[&key][0].to_lowercase(),
                labels["forward"],
                "kernel {kernel}: {key:?} forward"
            );
        }
        assert_eq!(
            by_row(&scraped, "lvstop_backend_upper_threshold")
                [&("TCP 192.0.2.1:80".into(), "198.51.100.12:8080".into())],
            "100"
        );
        assert!(
            by_row(&scraped, "lvstop_backend_connections_persistent")
                .values()
                .any(|v| v != "0"),
            "kernel {kernel}: the traffic made persistence templates"
        );
        let services = by_row(&scraped, "lvstop_service_info").len();
        assert!(
            s["scraped"].contains(&format!("lvstop_services{{netns=\"\"}} {services}\n")),
            "kernel {kernel}: {services} services"
        );

        // -c: each real server's entries by state are ipvsadm -Lnc's, templates apart.
        assert!(
            out.stdout.contains("ENTRIES-SETTLED 1"),
            "kernel {kernel}: {}",
            out.stdout
        );
        assert!(
            s["promtool-c"].contains("promtool status 0"),
            "kernel {kernel}: {}",
            s["promtool-c"]
        );
        let mut want: BTreeMap<(String, String, String), String> = BTreeMap::new();
        for line in s["entries"].lines() {
            let [pro, state, client, virt, dest] = line.split(' ').collect::<Vec<_>>()[..] else {
                panic!("kernel {kernel}: {line}")
            };
            if client.ends_with(":0") {
                continue; // a persistence template
            }
            let key = (format!("{pro} {virt}"), dest.to_string(), state.to_string());
            let n: u64 = want.get(&key).map_or(0, |n| n.parse().unwrap());
            want.insert(key, (n + 1).to_string());
        }
        assert!(
            !want.is_empty(),
            "kernel {kernel}: the traffic left entries"
        );
        let got: BTreeMap<(String, String, String), String> = samples(&s["scraped-c"])
            .into_iter()
            .filter(|((n, _), _)| n == "lvstop_backend_connections_by_state")
            .map(|((_, l), v)| {
                let dest = bracket(&l["remote_address"], &l["remote_port"]);
                ((service_of(&l), dest, l["state"].clone()), v)
            })
            .collect();
        assert_eq!(got, want, "kernel {kernel}: entries by state");

        // The sync daemon, in the file lvstop replaced: served at the next scrape.
        let daemon = &s["scraped-daemon"];
        assert!(
            s["scraped"].contains("lvstop_sync_daemon_up{netns=\"\",role=\"master\"} 0"),
            "kernel {kernel}: {}",
            s["scraped"]
        );
        for want in [
            "lvstop_sync_daemon_up{netns=\"\",role=\"master\"} 1",
            "lvstop_sync_daemon_up{netns=\"\",role=\"backup\"} 0",
            "lvstop_sync_daemon_info{interface=\"lo\",netns=\"\",role=\"master\",sync_id=\"7\"} 1",
        ] {
            assert!(daemon.contains(want), "kernel {kernel}: {want}\n{daemon}");
        }
        assert_eq!(
            s["files"], "lvstop.prom\n",
            "kernel {kernel}: no temporary left"
        );
    }
}
