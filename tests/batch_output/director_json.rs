//! The director's listings as JSON (`--timeout`, `--daemon`) against docs/json.md: every
//! documented field with its type and nothing else, the values as the doc
//! says, the bytes as serde_json writes the doc's object (keys sorted).

use std::time::{Duration, UNIX_EPOCH};

use serde_json::{json, Value};

use lvstop::model::{Interface, SyncDaemon, SyncRole, Timeouts};
use lvstop::output::director::{daemons_json, timeouts_json};
use lvstop::output::json::rfc3339_millis;

use super::json_schema::{check_object, doc_table};

#[test]
fn timeouts_json_is_the_documented_object() {
    let fields = doc_table("### Timeouts object");
    for (t, millis) in [
        (
            Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 300,
            },
            1_700_000_000_123,
        ),
        (
            Timeouts {
                tcp: 0,
                tcp_fin: 1,
                udp: u32::MAX,
            },
            4_102_444_799_999,
        ),
    ] {
        let mut out = Vec::new();
        timeouts_json(&mut out, &t, UNIX_EPOCH + Duration::from_millis(millis));
        let line = String::from_utf8(out).unwrap();
        let want = json!({
            "time": rfc3339_millis(millis),
            "timeouts": {"tcp": t.tcp, "tcp_fin": t.tcp_fin, "udp": t.udp},
            "timestamp": millis as f64 / 1000.0,
        });
        assert_eq!(line, format!("{want}\n"));
        let v: Value = serde_json::from_str(&line).unwrap();
        check_object(&v, &fields, "timeouts");
    }
}

fn daemon_value(d: &SyncDaemon) -> Value {
    json!({
        "role": d.role.name(),
        "interface": d.interface.as_str(),
        "sync_id": d.sync_id,
        "max_len": d.max_len,
        "group": d.group.map(|g| lvstop::output::addr(&g)),
        "port": d.port,
        "ttl": d.ttl,
    })
}

#[test]
fn daemons_json_is_the_documented_object() {
    let list_fields = doc_table("### Daemons object");
    let daemon_fields = doc_table("### Daemon object");
    let mut master = SyncDaemon::new(SyncRole::Master, Interface::new("eth0").unwrap());
    (master.sync_id, master.max_len, master.port, master.ttl) =
        (255, Some(65507), Some(65535), Some(255));
    master.group = Some("ff05::1:3".parse().unwrap());
    // Names come from the kernel: escaped as JSON strings.
    let backup = SyncDaemon::new(SyncRole::Backup, Interface::new("e\"\\é").unwrap());
    for daemons in [vec![], vec![master.clone()], vec![master, backup]] {
        let millis = 1_700_000_000_123;
        let mut out = Vec::new();
        daemons_json(
            &mut out,
            &daemons,
            UNIX_EPOCH + Duration::from_millis(millis),
        );
        let line = String::from_utf8(out).unwrap();
        let want = json!({
            "daemons": daemons.iter().map(daemon_value).collect::<Vec<_>>(),
            "time": rfc3339_millis(millis),
            "timestamp": millis as f64 / 1000.0,
        });
        assert_eq!(line, format!("{want}\n"));
        let v: Value = serde_json::from_str(&line).unwrap();
        check_object(&v, &list_fields, "daemons");
        for d in v["daemons"].as_array().unwrap() {
            check_object(d, &daemon_fields, "daemon");
        }
    }
}

/// The JSON example after `heading` in docs/json.md.
fn doc_example(heading: &str) -> &'static str {
    let doc = include_str!("../../docs/json.md");
    let start = doc.find(heading).unwrap();
    doc[start..]
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .unwrap()
}

#[test]
fn the_doc_examples_are_what_lvstop_writes() {
    let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
    let mut out = Vec::new();
    let t = Timeouts {
        tcp: 900,
        tcp_fin: 120,
        udp: 300,
    };
    timeouts_json(&mut out, &t, at);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!("{}\n", doc_example("### Timeouts object"))
    );
    let mut d = SyncDaemon::new(SyncRole::Master, Interface::new("eth0").unwrap());
    (d.sync_id, d.max_len, d.port, d.ttl) = (1, Some(1472), Some(8848), Some(1));
    d.group = Some("224.0.0.81".parse().unwrap());
    let mut out = Vec::new();
    daemons_json(&mut out, &[d], at);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!("{}\n", doc_example("### Daemon object"))
    );
}
