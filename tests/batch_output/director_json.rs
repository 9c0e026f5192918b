//! The director's listings as JSON (`--timeout`) against docs/json.md: every
//! documented field with its type and nothing else, the values as the doc
//! says, the bytes as serde_json writes the doc's object (keys sorted).

use std::time::{Duration, UNIX_EPOCH};

use serde_json::{json, Value};

use lvstop::model::Timeouts;
use lvstop::output::director::timeouts_json;
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

#[test]
fn the_doc_example_is_what_lvstop_writes() {
    let doc = include_str!("../../docs/json.md");
    let start = doc.find("### Timeouts object").unwrap();
    let example = doc[start..]
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .unwrap();
    let mut out = Vec::new();
    let t = Timeouts {
        tcp: 900,
        tcp_fin: 120,
        udp: 300,
    };
    timeouts_json(
        &mut out,
        &t,
        UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
    );
    assert_eq!(String::from_utf8(out).unwrap(), format!("{example}\n"));
}
