//! `lvstop::output::json` on tables built from rules: one line with every
//! field, and the example in docs/json.md.

use std::time::{Duration, UNIX_EPOCH};

use lvstop::model::{ServiceFlags, Stats};
use lvstop::output::json::render;
use serde_json::Value;

use super::table::table_from_rules;

#[test]
fn one_line_every_field_exact_u64() {
    let mut snap = table_from_rules(
        "-A -t 10.0.0.1:80 -s sh -b sh-port -p 60 -M 255.255.255.0 --pe sip\n\
         -a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 6080 --tun-csum -x 9 -y 3\n\
         -A -f 5 -6 -s rr\n",
    );
    snap.services[1].service.stats.inbytes = u64::MAX;
    snap.services[1].dests[0].stats.outpkts = (1 << 53) + 1;
    let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
    let line = render(&snap, at);
    // One line: its newline at the end and nowhere else.
    assert_eq!(line.find('\n'), Some(line.len() - 1));
    let v: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["timestamp"].as_f64(), Some(1_700_000_000.123));
    assert_eq!(v["time"], "2023-11-14T22:13:20.123Z");
    assert_eq!(v["ipvs_version"], "1.2.1");
    assert_eq!(v["conn_tab_size"], 4096);
    // ipvsadm order: the address service first, the fwmark service after.
    let s = &v["services"][0];
    assert_eq!(s["name"], "TCP 10.0.0.1:80");
    assert_eq!(s["key"]["kind"], "addr");
    assert_eq!(s["key"]["protocol"], "tcp");
    assert_eq!(s["key"]["family"], "inet");
    assert_eq!(s["key"]["addr"], "10.0.0.1");
    assert_eq!(s["key"]["port"], 80);
    assert_eq!(s["flags"], serde_json::json!(["persistent", "sh-port"]));
    assert_eq!(s["flags_raw"], 0x11);
    assert_eq!(s["timeout"], 60);
    assert_eq!(s["netmask"], "255.255.255.0");
    assert_eq!(s["netmask_raw"], 0xffff_ff00u32);
    assert_eq!(s["pe"], "sip");
    assert_eq!(s["stats"]["inbytes"].as_u64(), Some(u64::MAX));
    assert!(line.contains("\"inbytes\":18446744073709551615"));
    let d = &s["dests"][0];
    assert_eq!(d["addr"], "10.0.0.2");
    assert_eq!(d["port"], 80);
    assert_eq!(d["forward"], "tunnel");
    assert_eq!(d["forward_raw"], 2);
    assert_eq!(d["weight"], 1);
    assert_eq!(d["upper_threshold"], 9);
    assert_eq!(d["lower_threshold"], 3);
    assert_eq!(d["tunnel"]["type"], "gue");
    assert_eq!(d["tunnel"]["port"], 6080);
    assert_eq!(d["tunnel"]["flags"], serde_json::json!(["csum"]));
    assert_eq!(d["stats"]["outpkts"].as_u64(), Some((1 << 53) + 1));
    let f = &v["services"][1];
    assert_eq!(f["name"], "FWM 5 IPv6");
    assert_eq!(
        f["key"],
        serde_json::json!({"kind": "fwmark", "family": "inet6", "mark": 5})
    );
    assert_eq!(f["netmask"], "128");
    assert_eq!(f["pe"], Value::Null);
    assert_eq!(f["dests"], serde_json::json!([]));
}

/// The example in docs/json.md is real output: same keys, same values.
#[test]
fn docs_example_is_current() {
    let doc = include_str!("../../docs/json.md");
    let start = doc.find("```json\n").unwrap() + 8;
    let end = start + doc[start..].find("```").unwrap();
    let example: Value = serde_json::from_str(&doc[start..end].replace('\n', "")).unwrap();

    let mut snap = table_from_rules("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2 -m\n");
    let e = &mut snap.services[0];
    e.service.flags.0 |= ServiceFlags::HASHED;
    e.service.stats = Stats {
        conns: 6,
        inpkts: 6,
        outpkts: 6,
        inbytes: 360,
        outbytes: 528,
        inbps: 8,
        outbps: 20,
        ..Stats::default()
    };
    let d = &mut e.dests[0];
    d.active_conns = 3;
    d.stats = Stats {
        conns: 3,
        inpkts: 3,
        outpkts: 3,
        inbytes: 180,
        outbytes: 264,
        inbps: 4,
        outbps: 12,
        ..Stats::default()
    };
    let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
    let streamed: Value = serde_json::from_str(&render(&snap, at)).unwrap();
    assert_eq!(streamed, example);
}
