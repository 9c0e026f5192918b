//! The streamed JSON against docs/json.md, field by field, on the golden
//! tables: every field the doc names is there with the doc's type, nothing
//! else is, and every value is what the doc says it means, computed here
//! from the snapshot on its own (a `serde_json::Value` built as the doc
//! reads), which also fixes the bytes (serde_json writes keys sorted).

use std::collections::BTreeSet;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use lvstop::model::{
    Dest, Family, Service, ServiceFlags, ServiceKey, Snapshot, Stats, TunnelFlags,
};

use super::table::{streamed, table_from_rules};
use lvstop::cli::stream::Stream;
use lvstop::output::json::JsonSink;
use lvstop::output::order;
use lvstop::output::sched_flag_words;
use lvstop::testkit::FakeTable;

const DOC: &str = include_str!("../../docs/json.md");

/// A documented field: name (dotted for nested), type, meaning.
pub(super) struct Field {
    pub(super) name: String,
    pub(super) ty: String,
    pub(super) meaning: String,
}

/// The rows of the first table after `heading` in docs/json.md.
pub(super) fn doc_table(heading: &str) -> Vec<Field> {
    let start = DOC.find(heading).unwrap_or_else(|| panic!("{heading}")) + heading.len();
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in DOC[start..].lines() {
        if !line.starts_with('|') {
            if in_table {
                break;
            }
            continue;
        }
        in_table = true;
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if let Some(name) = cells[1].strip_prefix('`').and_then(|n| n.strip_suffix('`')) {
            rows.push(Field {
                name: name.to_string(),
                ty: cells[2].to_string(),
                meaning: cells[3].to_string(),
            });
        }
    }
    assert!(!rows.is_empty(), "no table after {heading}");
    rows
}

fn has_type(v: &Value, ty: &str) -> bool {
    match ty {
        "integer" => v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "string or null" => v.is_string() || v.is_null(),
        "integer or null" => v.is_u64() || v.is_null(),
        "array of daemon" => v.is_array(),
        "object" | "counters" | "rates" => v.is_object(),
        "array of string" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        "array of service" | "array of real server" => v.is_array(),
        "boolean" => v.is_boolean(),
        "object or null" => v.is_object() || v.is_null(),
        "counts" => v.is_object(),
        "array of entry" | "array of service counts" | "array of real server counts" => {
            v.is_array()
        }
        other => panic!("docs/json.md has a type this test does not know: {other}"),
    }
}

/// `object`'s members, nested ones dotted (`tunnel.type`), each checked
/// against `fields` for its type; returns the names seen.
fn check_members(object: &Value, fields: &[Field], prefix: &str, what: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for (k, v) in object
        .as_object()
        .unwrap_or_else(|| panic!("{what}: not an object"))
    {
        let name = format!("{prefix}{k}");
        match fields.iter().find(|f| f.name == name) {
            Some(f) => {
                assert!(has_type(v, &f.ty), "{what}: {name} is not {}: {v}", f.ty);
                seen.insert(name);
            }
            None if v.is_object() => {
                seen.extend(check_members(v, fields, &format!("{name}."), what));
            }
            None => panic!("{what}: {name} is not in docs/json.md"),
        }
    }
    seen
}

pub(super) fn check_object(object: &Value, fields: &[Field], what: &str) {
    let seen = check_members(object, fields, "", what);
    let documented: BTreeSet<String> = fields.iter().map(|f| f.name.clone()).collect();
    assert_eq!(seen, documented, "{what}: fields against docs/json.md");
}

/// Counters and rates, checked against the doc's table of `stats.*` and `rates.*`.
fn check_stats(owner: &Value, counters: &[Field], what: &str) {
    for part in ["stats", "rates"] {
        let fields: Vec<Field> = counters
            .iter()
            .filter_map(|f| {
                let name = f.name.strip_prefix(&format!("{part}."))?;
                Some(Field {
                    name: name.to_string(),
                    ty: f.ty.clone(),
                    meaning: f.meaning.clone(),
                })
            })
            .collect();
        check_object(&owner[part], &fields, &format!("{what} {part}"));
    }
}

// What each field means, from docs/json.md, computed from the snapshot.

fn family_word(f: Family) -> &'static str {
    match f {
        Family::V4 => "inet",
        Family::V6 => "inet6",
    }
}

fn counters(s: &Stats) -> Value {
    json!({"conns": s.conns, "inpkts": s.inpkts, "outpkts": s.outpkts,
           "inbytes": s.inbytes, "outbytes": s.outbytes})
}

fn rates(s: &Stats) -> Value {
    json!({"cps": s.cps, "inpps": s.inpps, "outpps": s.outpps, "inbps": s.inbps, "outbps": s.outbps})
}

fn key_value(key: &ServiceKey) -> Value {
    match key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => json!({
            "kind": "addr",
            "family": family_word(key.family()),
            "protocol": protocol.name().to_ascii_lowercase(),
            "addr": lvstop::output::addr(addr),
            "port": port,
        }),
        ServiceKey::Fwmark { family, mark } => {
            json!({"kind": "fwmark", "family": family_word(*family), "mark": mark})
        }
    }
}

fn service_value(s: &Service, dests: &[&Dest]) -> Value {
    let mut flags = Vec::new();
    for (bit, word) in [
        (ServiceFlags::PERSISTENT, "persistent"),
        (ServiceFlags::HASHED, "hashed"),
        (ServiceFlags::ONEPACKET, "ops"),
    ] {
        if s.flags.has(bit) {
            flags.push(word);
        }
    }
    flags.extend(sched_flag_words(s));
    let netmask = match s.key.family() {
        Family::V4 => std::net::Ipv4Addr::from(s.netmask).to_string(),
        Family::V6 => s.netmask.to_string(),
    };
    let mut m = Map::new();
    m.insert("name".into(), json!(s.key.to_string()));
    m.insert("key".into(), key_value(&s.key));
    m.insert("scheduler".into(), json!(s.scheduler));
    m.insert("flags".into(), json!(flags));
    m.insert("flags_raw".into(), json!(s.flags.0));
    m.insert("timeout".into(), json!(s.timeout));
    m.insert("netmask".into(), json!(netmask));
    m.insert("netmask_raw".into(), json!(s.netmask));
    m.insert("pe".into(), json!(s.pe_name));
    m.insert("stats".into(), counters(&s.stats));
    m.insert("rates".into(), rates(&s.stats));
    let dests: Vec<Value> = dests.iter().map(|d| dest_value(d)).collect();
    m.insert("dests".into(), Value::Array(dests));
    Value::Object(m)
}

fn dest_value(d: &Dest) -> Value {
    let mut tun_flags = Vec::new();
    if d.tun_flags.0 & TunnelFlags::CSUM != 0 {
        tun_flags.push("csum");
    }
    if d.tun_flags.0 & TunnelFlags::REMCSUM != 0 {
        tun_flags.push("remcsum");
    }
    if tun_flags.is_empty() {
        tun_flags.push("nocsum");
    }
    json!({
        "addr": lvstop::output::addr(&d.addr),
        "port": d.port,
        "family": family_word(Family::of(&d.addr)),
        "forward": d.forward.name().to_ascii_lowercase(),
        "forward_raw": d.forward.value(),
        "weight": d.weight,
        "upper_threshold": d.upper_threshold,
        "lower_threshold": d.lower_threshold,
        "tunnel": {
            "type": d.tun_type.name(),
            "type_raw": d.tun_type.value(),
            "port": d.tun_port,
            "flags": tun_flags,
            "flags_raw": d.tun_flags.0,
        },
        "active_conns": d.active_conns,
        "inactive_conns": d.inactive_conns,
        "persistent_conns": d.persistent_conns,
        "stats": counters(&d.stats),
        "rates": rates(&d.stats),
    })
}

fn snapshot_value(snapshot: &Snapshot, millis: u64) -> Value {
    let services: Vec<Value> = order::sorted(snapshot)
        .into_iter()
        .map(|(s, dests)| service_value(s, &dests))
        .collect();
    json!({
        "timestamp": millis as f64 / 1000.0,
        "time": lvstop::output::json::rfc3339_millis(millis),
        "ipvs_version": snapshot.info.version_string(),
        "ipvs_version_code": snapshot.info.version,
        "conn_tab_size": snapshot.info.conn_tab_size,
        "services": services,
    })
}

/// Distinct numbers in every counter, rate and connection count, some
/// above 2^53 (where a float would round) and one at u64::MAX.
fn with_numbers(mut snap: Snapshot) -> Snapshot {
    let mut n: u64 = 1;
    let mut next = || {
        n += 1;
        if n.is_multiple_of(97) {
            u64::MAX
        } else {
            n.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (n % 40)
        }
    };
    let mut fill = |s: &mut Stats| {
        for f in [
            &mut s.conns,
            &mut s.inpkts,
            &mut s.outpkts,
            &mut s.inbytes,
            &mut s.outbytes,
            &mut s.cps,
            &mut s.inpps,
            &mut s.outpps,
            &mut s.inbps,
            &mut s.outbps,
        ] {
            *f = next();
        }
    };
    for e in &mut snap.services {
        fill(&mut e.service.stats);
        e.service.flags.0 |= ServiceFlags::HASHED;
        for d in &mut e.dests {
            fill(&mut d.stats);
        }
    }
    let mut k: u32 = 7;
    for d in snap.services.iter_mut().flat_map(|e| e.dests.iter_mut()) {
        k = k.wrapping_mul(2_654_435_761).wrapping_add(1);
        (d.active_conns, d.inactive_conns, d.persistent_conns) = (k, k >> 3, k >> 17);
    }
    snap
}

#[test]
fn streamed_json_is_the_documented_schema_on_the_golden_tables() {
    let snapshot_fields = doc_table("### Snapshot object");
    let service_fields = doc_table("### Service object");
    let key_fields = doc_table("`key` is one of:");
    let dest_fields = doc_table("### Real server object");
    let counter_fields = doc_table("### Counters (`stats`) and rates (`rates`)");
    let key_for = |kind: &str| -> Vec<Field> {
        let other = if kind == "addr" {
            "`fwmark` only"
        } else {
            "`addr` only"
        };
        key_fields
            .iter()
            .filter(|f| !f.meaning.starts_with(other))
            .map(|f| Field {
                name: f.name.clone(),
                ty: f.ty.clone(),
                meaning: f.meaning.clone(),
            })
            .collect()
    };
    let tables = [
        (
            "tests/golden/table.rules",
            include_str!("../../tests/golden/table.rules"),
        ),
        (
            "tests/expected/table.rules",
            include_str!("../../tests/expected/table.rules"),
        ),
        (
            "tests/golden/random-6.12/table.rules",
            include_str!("../../tests/golden/random-6.12/table.rules"),
        ),
    ];
    for (name, rules) in tables {
        let snap = with_numbers(table_from_rules(rules));
        for millis in [1_700_000_000_123, 1_700_000_000_000, 4_102_444_799_999] {
            let at = UNIX_EPOCH + Duration::from_millis(millis);
            let line = streamed(&snap, &mut JsonSink::default(), at);
            let want = snapshot_value(&snap, millis);
            assert_eq!(line, format!("{want}\n"), "{name}: bytes");
            let v: Value = serde_json::from_str(&line).unwrap();
            assert_eq!(v, want, "{name}: values");

            check_object(&v, &snapshot_fields, name);
            let services = v["services"].as_array().unwrap();
            assert_eq!(services.len(), snap.services.len(), "{name}");
            let mut dests_seen = 0;
            for s in services {
                let what = format!("{name} {}", s["name"]);
                check_object(s, &service_fields, &what);
                let kind = s["key"]["kind"].as_str().unwrap();
                check_object(&s["key"], &key_for(kind), &what);
                check_stats(s, &counter_fields, &what);
                for d in s["dests"].as_array().unwrap() {
                    check_object(d, &dest_fields, &what);
                    check_stats(d, &counter_fields, &what);
                    dests_seen += 1;
                }
            }
            let dests: usize = snap.services.iter().map(|e| e.dests.len()).sum();
            assert_eq!(dests_seen, dests, "{name}");
        }
    }
}

#[test]
fn one_service_json_is_the_snapshot_object_with_that_service_alone() {
    let snap = with_numbers(table_from_rules(include_str!(
        "../../tests/golden/table.rules"
    )));
    let millis = 1_700_000_000_123;
    let at = UNIX_EPOCH + Duration::from_millis(millis);
    for entry in &snap.services {
        let key = &entry.service.key;
        let mut out = Vec::new();
        Stream::new(&mut out)
            .service_reading(
                &mut FakeTable::of_snapshot(&snap),
                key,
                &mut JsonSink::default(),
                at,
            )
            .unwrap();
        let alone = Snapshot {
            info: snap.info,
            services: vec![entry.clone()],
        };
        let want = snapshot_value(&alone, millis);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("{want}\n"),
            "{key}"
        );
    }
}
