//! A random 60-service table restored into a real kernel with `ipvsadm -R`
//! and listed by ipvsadm 1.31 (tests/golden/random-6.12/README.md).
//!
//! Covers what a hand-made table does not: ipvsadm's non-transitive sort
//! (addresses 2^31 apart, fwmarks above 2^31 printed negative), sparse IPv6
//! addresses, every scheduler flag combination.

use std::time::UNIX_EPOCH;

use lvstop::model::Snapshot;

use super::table::{streamed, table_from_rules};
use lvstop::output::addr_port;
use lvstop::output::save;
use lvstop::output::text::{render, service_name, TextOptions, TextSink, TextView};

const DIR: &str = "tests/golden/random-6.12";

macro_rules! file {
    ($name:literal) => {
        include_str!(concat!("../../tests/golden/random-6.12/", $name))
    };
}

/// The rules' table, services and real servers in the kernel's dump order
/// (as `ipvsadm -Ln --nosort` shows it).
fn in_dump_order() -> Snapshot {
    let all = table_from_rules(file!("table.rules"));
    let mut snap = all.clone();
    snap.services.clear();
    for line in file!("nosort.out").lines().skip(3) {
        if let Some(rest) = line.strip_prefix("  -> ") {
            let name = rest.split_whitespace().next().unwrap();
            let entry = snap.services.last_mut().unwrap();
            let orig = all
                .services
                .iter()
                .find(|e| e.service.key == entry.service.key)
                .unwrap();
            let d = orig
                .dests
                .iter()
                .find(|d| addr_port(&d.addr, d.port) == name)
                .unwrap_or_else(|| panic!("{name}"));
            entry.dests.push(d.clone());
        } else {
            let mut e = all
                .services
                .iter()
                .find(|e| line.starts_with(&format!("{} ", service_name(&e.service.key))))
                .unwrap_or_else(|| panic!("{line}"))
                .clone();
            e.dests.clear();
            snap.services.push(e);
        }
    }
    assert_eq!(snap.services.len(), all.services.len());
    snap
}

#[test]
fn listings_match_ipvsadm() {
    let snap = in_dump_order();
    for (view, want, name) in [
        (TextView::Plain, file!("plain.out"), "plain"),
        (TextView::Thresholds, file!("thr.out"), "thr"),
        (TextView::TunInfo, file!("tun.out"), "tun"),
    ] {
        let options = TextOptions { view, exact: false };
        let got = render(&snap, options);
        assert_eq!(got, want, "{DIR}/{name}.out");
        let got = streamed(&snap, &mut TextSink { options }, UNIX_EPOCH);
        assert_eq!(got, want, "{DIR}/{name}.out streamed");
    }
    // The save lines read and written a service at a time, as batch mode does.
    let saved = streamed(&snap, &mut save::SaveSink, UNIX_EPOCH);
    assert_eq!(saved, save::render(&snap), "{DIR} save streamed");
}

/// ipvsadm -Sn, but with what lvstop keeps on purpose put back the ipvsadm
/// way: thresholds dropped, marks printed with %d, no -M without -p, and
/// `-b ` with no words when a scheduler has no name for its flag bits.
#[test]
fn save_differs_from_ipvsadm_only_where_lossless() {
    let snap = in_dump_order();
    let mut ipvsadm_way = String::new();
    for line in save::render(&snap).lines() {
        let words: Vec<&str> = line.split(' ').collect();
        let mut out: Vec<String> = Vec::new();
        let persistent = words.contains(&"-p");
        let mut i = 0;
        while i < words.len() {
            match words[i] {
                "-x" | "-y" => i += 2,
                "-M" if !persistent => i += 2,
                "-f" => {
                    out.push("-f".into());
                    out.push((words[i + 1].parse::<u32>().unwrap() as i32).to_string());
                    i += 2;
                }
                "-b" => {
                    let sched = words[words.iter().position(|w| *w == "-s").unwrap() + 1];
                    let named: Vec<&str> = words[i + 1]
                        .split(',')
                        .filter(|f| match sched {
                            "sh" => f.starts_with("sh-"),
                            "mh" => f.starts_with("mh-"),
                            _ => true,
                        })
                        .collect();
                    out.push(format!("-b {}", named.join(",")));
                    i += 2;
                }
                w => {
                    out.push(w.to_string());
                    i += 1;
                }
            }
        }
        ipvsadm_way.push_str(&out.join(" "));
        ipvsadm_way.push('\n');
    }
    assert_eq!(ipvsadm_way, file!("save.out"));
}
