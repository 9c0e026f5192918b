//! lvstop's `-c --format json` reading (docs/json.md, "Connections") against ipvsadm's lines of
//! the same moment: the same entries, and counts by state that ipvsadm's lines add up to.

use std::collections::BTreeMap;

use serde_json::Value;

use super::conn_lines::ConnLine;

/// An entry as ipvsadm names it, without the expiry: (protocol, client, virtual, real, state, pe).
pub type EntryKey = (
    String,
    String,
    String,
    String,
    String,
    Option<(String, String)>,
);

/// `addr` and `port` of a JSON endpoint as ipvsadm prints them (`[v6]:port`).
fn endpoint(v: &Value) -> String {
    let addr = v["addr"].as_str().expect("addr is a string");
    let port = v["port"].as_u64().expect("port is a number");
    if addr.contains(':') {
        format!("[{addr}]:{port}")
    } else {
        format!("{addr}:{port}")
    }
}

pub fn line_key(l: &ConnLine) -> EntryKey {
    (
        l.proto.clone(),
        l.client.clone(),
        l.virt.clone(),
        l.real.clone(),
        l.state.clone(),
        l.pe.clone(),
    )
}

/// An entry of lvstop's JSON in ipvsadm's words, its expiry and its origin.
pub fn entry_key(e: &Value) -> (EntryKey, u64, String) {
    let pe = match &e["pe"] {
        Value::Null => None,
        pe => Some((
            pe["name"].as_str().expect("pe.name").to_string(),
            pe["data"].as_str().expect("pe.data").to_string(),
        )),
    };
    let key = (
        e["protocol"]
            .as_str()
            .expect("protocol")
            .to_ascii_uppercase(),
        endpoint(&e["client"]),
        endpoint(&e["virtual"]),
        endpoint(&e["real"]),
        e["state"].as_str().expect("state").to_string(),
        pe,
    );
    let origin = e["origin"].as_str().unwrap_or("null").to_string();
    (key, e["expires"].as_u64().expect("expires"), origin)
}

/// Counts as docs/json.md's counts object holds them: entries, templates, and the
/// connections' (not templates') states.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub entries: u64,
    pub templates: u64,
    pub states: BTreeMap<String, u64>,
}

impl Counts {
    fn add(&mut self, l: &ConnLine) {
        self.entries += 1;
        if l.is_template() {
            self.templates += 1;
        } else {
            *self.states.entry(l.state.clone()).or_default() += 1;
        }
    }

    fn of_json(v: &Value) -> Counts {
        Counts {
            entries: v["entries"].as_u64().expect("entries"),
            templates: v["templates"].as_u64().expect("templates"),
            states: v["states"]
                .as_object()
                .expect("states")
                .iter()
                .map(|(k, n)| (k.clone(), n.as_u64().expect("a count")))
                .collect(),
        }
    }
}

/// Counts per service (`TCP 198.51.100.10:80`) and per (service, real server) from ipvsadm's
/// lines; services and real servers without entries are absent.
pub fn tally(lines: &[ConnLine]) -> BTreeMap<(String, Option<String>), Counts> {
    let mut out: BTreeMap<(String, Option<String>), Counts> = BTreeMap::new();
    for l in lines {
        out.entry((l.service(), None)).or_default().add(l);
        out.entry((l.service(), Some(l.real.clone())))
            .or_default()
            .add(l);
    }
    out
}

/// The same from lvstop's JSON, leaving out services and real servers with no entries.
pub fn json_tally(reading: &Value) -> BTreeMap<(String, Option<String>), Counts> {
    let mut out = BTreeMap::new();
    for s in reading["services"].as_array().expect("services") {
        let name = s["name"].as_str().expect("name").to_string();
        let c = Counts::of_json(&s["counts"]);
        if c.entries > 0 {
            out.insert((name.clone(), None), c);
        }
        for d in s["dests"].as_array().expect("dests") {
            let c = Counts::of_json(&d["counts"]);
            if c.entries > 0 {
                out.insert((name.clone(), Some(endpoint(d))), c);
            }
        }
    }
    out
}

/// Per service, how many entries each origin has (`local`, `synced`) in lvstop's JSON.
pub fn json_origins(reading: &Value) -> BTreeMap<String, (u64, u64)> {
    reading["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|s| {
            let c = &s["counts"];
            (
                s["name"].as_str().expect("name").to_string(),
                (
                    c["local"].as_u64().expect("local"),
                    c["synced"].as_u64().expect("synced"),
                ),
            )
        })
        .collect()
}
