//! `-c --format json` against docs/json.md's connections tables: every
//! field the doc names is there with the doc's type and nothing else is,
//! on entries of every kind (IPv4, IPv6, template, fwmark template, synced,
//! with engine data) and on every service's and real server's counts.

use std::time::{Duration, UNIX_EPOCH};

use serde_json::Value;

use lvstop::backend::Reader;
use lvstop::cli::conn_json::{ConnJson, ReadingNotes};
use lvstop::conns::{Attribution, Tally};
use lvstop::model::{Origin, PeData, Token};
use lvstop::testkit::{conn, FakeTable};

use super::json_schema::{check_object, doc_table};

#[test]
fn connections_json_is_the_documented_schema() {
    let snapshot = FakeTable::sample().snapshot().unwrap();
    let attribution = Attribution::new(&snapshot);
    let mut tally = Tally::new(&attribution);
    let mut entries = vec![
        conn(
            "TCP",
            "203.0.113.7:40001",
            "192.0.2.10:80",
            "10.1.0.1:80",
            "ESTABLISHED",
            890,
        ),
        conn(
            "TCP",
            "198.51.100.9:0",
            "192.0.2.10:443",
            "10.1.1.1:443",
            "NONE",
            290,
        ),
        conn(
            "IP",
            "198.51.100.9:0",
            "0.0.0.7:0",
            "10.1.3.1:0",
            "NONE",
            290,
        ),
        conn(
            "UDP",
            "[2001:db8::7]:5353",
            "[2001:db8::53]:53",
            "[2001:db8:1::2]:53",
            "UDP",
            280,
        ),
        conn(
            "TCP",
            "203.0.113.7:40003",
            "192.0.2.10:80",
            "10.1.0.99:80",
            "TIME_WAIT",
            100,
        ),
        conn(
            "TCP",
            "203.0.113.7:40004",
            "192.0.2.99:80",
            "10.9.9.9:80",
            "FIN_WAIT",
            100,
        ),
    ];
    entries[0].origin = Some(Origin::Local);
    entries[1].origin = Some(Origin::Sync);
    entries[3].pe = Some(PeData {
        name: Token::new("sip").unwrap(),
        data: "call-1".into(),
    });
    let mut out = Vec::new();
    let mut writer = ConnJson::default();
    writer.begin(
        &mut out,
        UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
    );
    for c in &entries {
        writer.entry(&mut out, c);
        tally.add(&attribution, c);
    }
    let notes = ReadingNotes {
        filter: Some("tcp"),
        malformed: 1,
        pe_unjoined: 0,
    };
    writer.end(&mut out, &tally, notes);
    let line = String::from_utf8(out).unwrap();
    assert!(
        line.ends_with("}\n") && line.matches('\n').count() == 1,
        "{line}"
    );
    let v: Value = serde_json::from_str(&line).unwrap();

    let counts_fields = doc_table("### Counts object");
    check_object(&v, &doc_table("### Connections reading object"), "reading");
    check_object(&v["unattributed"], &counts_fields, "unattributed");
    let entry_fields = doc_table("### Entry object");
    let listed = v["connections"].as_array().unwrap();
    assert_eq!(listed.len(), entries.len());
    for e in listed {
        check_object(e, &entry_fields, &format!("entry {e}"));
    }
    let service_fields = doc_table("### Service counts object");
    let dest_fields = doc_table("### Real server counts object");
    let services = v["services"].as_array().unwrap();
    assert_eq!(services.len(), snapshot.services.len());
    let mut standings = Vec::new();
    for s in services {
        let what = format!("service {}", s["name"]);
        check_object(s, &service_fields, &what);
        check_object(&s["counts"], &counts_fields, &what);
        check_object(&s["gone_other"], &counts_fields, &what);
        for d in s["dests"].as_array().unwrap() {
            check_object(d, &dest_fields, &what);
            check_object(&d["counts"], &counts_fields, &what);
            standings.push(d["standing"].as_str().unwrap().to_string());
        }
    }
    // The documented words, each seen.
    for word in ["serving", "drained", "gone"] {
        assert!(standings.iter().any(|s| s == word), "{word}: {standings:?}");
    }
    let states = &v["unattributed"]["states"];
    assert_eq!(states["FIN_WAIT"], 1, "{v}");
    assert_eq!(listed[2]["protocol"], "ip");
    assert_eq!(listed[2]["virtual"]["addr"], "0.0.0.7");
    assert_eq!(listed[1]["template"], true);
    assert_eq!(listed[3]["pe"]["name"], "sip");
}
