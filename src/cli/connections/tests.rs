use std::net::IpAddr;
use std::ops::ControlFlow;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::Value;

use super::*;
use crate::backend::{Error, ErrorKind};
use crate::model::{ConnWalk, Info, Origin, Service, ServiceKey, Timeouts};
use crate::testkit::{conn, CallKind, FakeReader, FakeTable};

/// FakeTable::sample()'s services with a few entries: two on TCP 192.0.2.10:80,
/// a template and a connection on 443, one on DNS, one no service claims.
fn table() -> FakeTable {
    let mut t = FakeTable::sample();
    t.connections = vec![
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
            "203.0.113.8:40002",
            "192.0.2.10:80",
            "10.1.0.2:80",
            "SYN_RECV",
            55,
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
            "TCP",
            "198.51.100.9:51000",
            "192.0.2.10:443",
            "10.1.1.1:443",
            "ESTABLISHED",
            900,
        ),
        conn(
            "UDP",
            "203.0.113.7:5353",
            "192.0.2.53:53",
            "10.1.2.2:53",
            "UDP",
            280,
        ),
        conn(
            "TCP",
            "203.0.113.7:40003",
            "192.0.2.99:80",
            "10.9.9.9:80",
            "TIME_WAIT",
            100,
        ),
    ];
    t.connections[3].origin = Some(Origin::Sync);
    t
}

fn listing(json: bool, persistent: bool, filter: Option<&str>) -> ConnBatch {
    ConnBatch {
        json,
        persistent,
        filter: filter.map(|f| (ConnFilter::parse(f).unwrap(), f.to_string())),
        writer: ConnJson::default(),
    }
}

/// One reading into a string, with the warnings it gave.
fn read(
    batch: &mut ConnBatch,
    reader: &mut dyn Reader,
) -> (Result<(), StreamError>, String, Vec<String>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let result = {
        let mut stream = Stream::new(&mut out);
        let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        batch.reading(&mut stream, reader, at, &mut |w| warnings.push(w))
    };
    (result, String::from_utf8(out).unwrap(), warnings)
}

#[test]
fn text_is_ipvsadm_lnc_with_every_entry_in_table_order() {
    let (r, out, warnings) = read(&mut listing(false, false, None), &mut table());
    r.unwrap();
    assert!(warnings.is_empty());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2 + 6);
    assert_eq!(lines[0], "IPVS connection entries");
    assert_eq!(
        lines[3],
        "TCP 00:55  SYN_RECV    203.0.113.8:40002  192.0.2.10:80      10.1.0.2:80"
    );
    assert_eq!(
        lines[7],
        "TCP 01:40  TIME_WAIT   203.0.113.7:40003  192.0.2.99:80      10.9.9.9:80"
    );
}

#[test]
fn text_filter_keeps_the_header_and_the_matching_lines() {
    let (r, out, _) = read(
        &mut listing(false, false, Some("client=203.0.113.7")),
        &mut table(),
    );
    r.unwrap();
    assert_eq!(out.lines().count(), 2 + 3, "{out}");
    assert!(
        out.lines().skip(2).all(|l| l.contains(" 203.0.113.7:")),
        "{out}"
    );
    let (_, out, _) = read(&mut listing(false, true, Some("10.250.0.1")), &mut table());
    assert_eq!(
        out,
        "IPVS connection entries\n\
         pro expire state       source             virtual            destination        pe name          pe_data\n"
    );
}

/// A table that hands out `good` entries, then fails or reports lines it
/// could not read.
struct Breaking {
    table: FakeTable,
    good: usize,
    error: Option<Error>,
    malformed: u64,
}

impl Reader for Breaking {
    fn info(&mut self) -> Result<Info, Error> {
        self.table.info()
    }
    fn services(&mut self) -> Result<Vec<Service>, Error> {
        self.table.services()
    }
    fn dests(&mut self, key: &ServiceKey) -> Result<Vec<crate::model::Dest>, Error> {
        self.table.dests(key)
    }
    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        self.table.timeouts()
    }
    fn connections(
        &mut self,
        source: ConnSource,
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        let mut n = 0;
        let mut walk = self.table.connections(source, &mut |c| {
            n += 1;
            if n > self.good {
                return ControlFlow::Break(());
            }
            visit(c)
        })?;
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        walk.entries = walk.entries.min(self.good as u64);
        walk.malformed = self.malformed;
        walk.complete = true;
        Ok(walk)
    }
}

#[test]
fn a_read_error_mid_way_keeps_what_was_printed() {
    for json in [false, true] {
        let mut r = Breaking {
            table: table(),
            good: 2,
            error: Some(Error::new(
                ErrorKind::Io,
                "reading /proc/net/ip_vs_conn failed",
            )),
            malformed: 0,
        };
        let (result, out, _) = read(&mut listing(json, false, None), &mut r);
        match result {
            Err(StreamError::Backend(e)) => assert_eq!(e.kind(), ErrorKind::Io),
            other => panic!("{other:?}"),
        }
        if json {
            // The line stays unterminated, as docs/json.md says.
            assert!(out.starts_with("{\"connections\":[{"), "{out}");
            assert!(!out.ends_with('\n'), "{out}");
            assert_eq!(out.matches("\"expires\"").count(), 2, "{out}");
        } else {
            assert_eq!(out.lines().count(), 2 + 2, "{out}");
        }
    }
}

#[test]
fn lines_that_could_not_be_read_are_reported_apart() {
    let mut r = Breaking {
        table: table(),
        good: 6,
        error: None,
        malformed: 3,
    };
    let (result, out, warnings) = read(&mut listing(false, false, None), &mut r);
    result.unwrap();
    assert_eq!(out.lines().count(), 2 + 6);
    assert_eq!(
        warnings,
        ["3 line(s) of the connection table could not be understood and were left out"]
    );
}

fn json(batch: &mut ConnBatch, reader: &mut dyn Reader) -> Value {
    let (r, out, _) = read(batch, reader);
    r.unwrap();
    assert_eq!(out.matches('\n').count(), 1, "one line: {out}");
    serde_json::from_str(&out).unwrap()
}

fn service<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {v}"))
}

fn dest<'a>(s: &'a Value, addr: &str) -> &'a Value {
    s["dests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["addr"] == addr)
        .unwrap_or_else(|| panic!("no {addr} in {s}"))
}

#[test]
fn json_has_every_entry_and_counts_per_service_and_real_server() {
    let v = json(&mut listing(true, false, None), &mut table());
    let entries = v["connections"].as_array().unwrap();
    assert_eq!(entries.len(), 6);
    assert_eq!(
        entries[0],
        serde_json::json!({
            "client": {"addr": "203.0.113.7", "port": 40001},
            "expires": 890,
            "origin": "local",
            "pe": null,
            "protocol": "tcp",
            "real": {"addr": "10.1.0.1", "port": 80},
            "state": "ESTABLISHED",
            "template": false,
            "virtual": {"addr": "192.0.2.10", "port": 80},
        })
    );
    assert_eq!(entries[2]["template"], true);
    assert_eq!(entries[3]["origin"], "sync");
    let http = service(&v, "TCP 192.0.2.10:80");
    assert_eq!(http["counts"]["entries"], 2);
    assert_eq!(
        http["counts"]["states"],
        serde_json::json!({"ESTABLISHED": 1, "SYN_RECV": 1})
    );
    assert_eq!(dest(http, "10.1.0.2")["counts"]["states"]["SYN_RECV"], 1);
    assert_eq!(dest(http, "10.1.0.3")["counts"]["entries"], 0);
    assert_eq!(dest(http, "10.1.0.5")["standing"], "drained");
    let https = service(&v, "TCP 192.0.2.10:443");
    assert_eq!(https["counts"]["templates"], 1);
    assert_eq!(https["counts"]["synced"], 1);
    assert_eq!(https["counts"]["local"], 1);
    assert_eq!(dest(https, "10.1.1.1")["counts"]["entries"], 2);
    assert_eq!(
        service(&v, "UDP 192.0.2.53:53")["counts"]["states"]["UDP"],
        1
    );
    assert_eq!(v["unattributed"]["entries"], 1);
    assert_eq!(v["unattributed"]["states"]["TIME_WAIT"], 1);
    assert_eq!(v["filter"], Value::Null);
    assert_eq!(v["malformed"], 0);
    assert_eq!(v["time"], "2023-11-14T22:13:20.123Z");
    assert_eq!(v["timestamp"], 1_700_000_000.123);
}

#[test]
fn json_counts_cover_only_what_the_filter_kept() {
    let v = json(
        &mut listing(true, false, Some("real=10.1.0.0/24")),
        &mut table(),
    );
    assert_eq!(v["connections"].as_array().unwrap().len(), 2);
    assert_eq!(v["filter"], "real=10.1.0.0/24");
    assert_eq!(service(&v, "TCP 192.0.2.10:80")["counts"]["entries"], 2);
    assert_eq!(service(&v, "TCP 192.0.2.10:443")["counts"]["entries"], 0);
    assert_eq!(v["unattributed"]["entries"], 0);
}

fn sip_table() -> FakeTable {
    let mut t = table();
    t.services[2].0.pe_name = Some("sip".into());
    let mut call = conn(
        "UDP",
        "203.0.113.50:5060",
        "192.0.2.53:53",
        "10.1.2.1:53",
        "UDP",
        170,
    );
    call.pe = Some(PeData {
        name: Token::new("sip").unwrap(),
        data: "a84b4c76e66710".into(),
    });
    t.connections.push(call);
    t
}

#[test]
fn json_joins_engine_data_only_when_a_service_has_an_engine() {
    let mut r = FakeReader::new(table());
    json(&mut listing(true, false, None), &mut r);
    assert_eq!(
        r.count(CallKind::Connections),
        1,
        "one read: no engine, no join"
    );

    let mut r = FakeReader::new(sip_table());
    let v = json(&mut listing(true, false, None), &mut r);
    assert_eq!(r.count(CallKind::Connections), 2);
    let entries = v["connections"].as_array().unwrap();
    let call = entries.last().unwrap();
    assert_eq!(
        call["pe"],
        serde_json::json!({"data": "a84b4c76e66710", "name": "sip"})
    );
    assert_eq!(call["origin"], "local");
    assert_eq!(v["pe_unjoined"], 0);
    assert!(entries[..entries.len() - 1]
        .iter()
        .all(|e| e["pe"].is_null()));
}

#[test]
fn text_persistent_conn_prints_engine_data() {
    let (r, out, _) = read(
        &mut listing(false, true, Some("udp 203.0.113.50")),
        &mut sip_table(),
    );
    r.unwrap();
    assert_eq!(
        out.lines().nth(2).unwrap(),
        "UDP 02:50  UDP         203.0.113.50:5060  192.0.2.53:53      10.1.2.1:53      sip                a84b4c76e66710"
    );
}

#[test]
fn ipv6_entries_in_json() {
    let mut t = table();
    t.connections = vec![conn(
        "TCP",
        "[2001:db8:c::7]:40001",
        "[2001:db8::10]:80",
        "[2001:db8:1::1]:80",
        "FIN_WAIT",
        60,
    )];
    let v = json(&mut listing(true, false, None), &mut t);
    let e = &v["connections"][0];
    assert_eq!(e["client"]["addr"], "2001:db8:c::7");
    assert_eq!(
        e["real"]["addr"]
            .as_str()
            .unwrap()
            .parse::<IpAddr>()
            .unwrap(),
        "2001:db8:1::1".parse::<IpAddr>().unwrap()
    );
    assert_eq!(v["unattributed"]["states"]["FIN_WAIT"], 1);
}

#[test]
fn a_table_that_cannot_be_read_prints_nothing() {
    for json in [false, true] {
        let mut r = FakeReader::new(table());
        r.fail(
            CallKind::Connections,
            crate::testkit::Calls::Nth(1),
            Error::new(
                ErrorKind::PermissionDenied,
                "cannot open /proc/net/ip_vs_conn",
            ),
        );
        let (result, out, _) = read(&mut listing(json, false, None), &mut r);
        assert!(matches!(result, Err(StreamError::Backend(_))), "{result:?}");
        assert_eq!(out, "", "json {json}");
    }
}

#[test]
fn an_empty_table_has_its_header_and_an_empty_list() {
    let mut t = table();
    t.connections.clear();
    let (r, out, _) = read(&mut listing(false, false, None), &mut t);
    r.unwrap();
    assert_eq!(out.lines().count(), 2);
    let v = json(&mut listing(true, false, None), &mut t);
    assert_eq!(v["connections"], serde_json::json!([]));
    assert_eq!(service(&v, "TCP 192.0.2.10:80")["counts"]["entries"], 0);
}

#[test]
fn fwm_keeps_the_entries_of_that_firewall_mark_service() {
    // Service FWM 7's real servers (FakeTable::sample): its connections carry
    // the packet's own virtual address, its templates the mark.
    let t = table();
    let fwm = t
        .services
        .iter()
        .find(|(s, _)| matches!(s.key, ServiceKey::Fwmark { mark: 7, .. }))
        .expect("sample has FWM 7");
    let real = fwm.1[0].0.addr;
    let mut t = t.clone();
    t.connections = vec![
        conn(
            "TCP",
            "203.0.113.7:40001",
            "192.0.2.77:8080",
            &format!("{real}:8080"),
            "ESTABLISHED",
            800,
        ),
        conn(
            "IP",
            "203.0.113.7:0",
            "0.0.0.7:0",
            &format!("{real}:0"),
            "NONE",
            300,
        ),
        conn(
            "TCP",
            "203.0.113.7:40002",
            "192.0.2.10:80",
            "10.1.0.1:80",
            "ESTABLISHED",
            800,
        ),
    ];
    let (r, out, _) = read(&mut listing(false, false, Some("fwm 7")), &mut t.clone());
    r.unwrap();
    assert_eq!(out.lines().count(), 2 + 2, "{out}");
    assert!(!out.contains("10.1.0.1:80"), "{out}");
    let v = json(&mut listing(true, false, Some("fwm=7")), &mut t);
    assert_eq!(v["connections"].as_array().unwrap().len(), 2);
    assert_eq!(service(&v, "FWM 7")["counts"]["entries"], 2);
    assert_eq!(service(&v, "FWM 7")["counts"]["templates"], 1);
}

#[test]
fn engine_data_is_joined_under_an_fwm_filter_too() {
    let mut t = sip_table();
    let fwm = t
        .services
        .iter()
        .position(|(s, _)| matches!(s.key, ServiceKey::Fwmark { mark: 7, .. }))
        .unwrap();
    t.services[fwm].0.pe_name = Some("sip".into());
    let real = t.services[fwm].1[0].0.addr;
    let mut call = conn(
        "UDP",
        "203.0.113.51:5060",
        "192.0.2.77:5060",
        &format!("{real}:5060"),
        "UDP",
        170,
    );
    call.pe = Some(PeData {
        name: Token::new("sip").unwrap(),
        data: "call-2".into(),
    });
    t.connections.push(call);
    let v = json(
        &mut listing(true, false, Some("fwm 7")),
        &mut FakeReader::new(t),
    );
    let entries = v["connections"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{v}");
    assert_eq!(entries[0]["pe"]["data"], "call-2");
}
