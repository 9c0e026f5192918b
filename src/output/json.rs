//! One JSON object per snapshot, one line each (see docs/json.md for the schema).
//!
//! Counters are u64 and stay exact (serde_json writes integers, not floats).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use crate::model::{Dest, Family, Service, ServiceFlags, ServiceKey, Snapshot, Stats, TunnelFlags};

use super::addr::addr;
use super::order;
use super::words::sched_flag_words;

/// The snapshot taken at `at`, as one line of JSON (no trailing newline).
/// Services and real servers come in ipvsadm's listing order.
pub fn snapshot_line(snapshot: &Snapshot, at: SystemTime) -> String {
    snapshot_value(snapshot, at).to_string()
}

/// The same, as a `serde_json::Value`.
pub fn snapshot_value(snapshot: &Snapshot, at: SystemTime) -> Value {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let millis = since.as_millis() as u64;
    let services: Vec<Value> = order::sorted(snapshot)
        .into_iter()
        .map(|(s, dests)| service_value(s, &dests))
        .collect();
    json!({
        "timestamp": millis as f64 / 1000.0,
        "time": rfc3339_millis(millis),
        "ipvs_version": snapshot.info.version_string(),
        "ipvs_version_code": snapshot.info.version,
        "conn_tab_size": snapshot.info.conn_tab_size,
        "services": services,
    })
}

fn family_word(f: Family) -> &'static str {
    match f {
        Family::V4 => "inet",
        Family::V6 => "inet6",
    }
}

fn key_value(key: &ServiceKey) -> Value {
    match key {
        ServiceKey::Addr {
            protocol,
            addr: a,
            port,
        } => json!({
            "kind": "addr",
            "family": family_word(key.family()),
            "protocol": protocol.name().to_ascii_lowercase(),
            "addr": addr(a),
            "port": port,
        }),
        ServiceKey::Fwmark { family, mark } => json!({
            "kind": "fwmark",
            "family": family_word(*family),
            "mark": mark,
        }),
    }
}

fn counters(s: &Stats) -> Value {
    json!({
        "conns": s.conns,
        "inpkts": s.inpkts,
        "outpkts": s.outpkts,
        "inbytes": s.inbytes,
        "outbytes": s.outbytes,
    })
}

fn rates(s: &Stats) -> Value {
    json!({
        "cps": s.cps,
        "inpps": s.inpps,
        "outpps": s.outpps,
        "inbps": s.inbps,
        "outbps": s.outbps,
    })
}

fn service_flag_words(s: &Service) -> Vec<&'static str> {
    let mut words = Vec::new();
    if s.flags.has(ServiceFlags::PERSISTENT) {
        words.push("persistent");
    }
    if s.flags.has(ServiceFlags::HASHED) {
        words.push("hashed");
    }
    if s.flags.has(ServiceFlags::ONEPACKET) {
        words.push("ops");
    }
    words.extend(sched_flag_words(s));
    words
}

fn netmask_text(s: &Service) -> String {
    match s.key.family() {
        Family::V4 => std::net::Ipv4Addr::from(s.netmask).to_string(),
        Family::V6 => s.netmask.to_string(),
    }
}

fn service_value(s: &Service, dests: &[&Dest]) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(s.key.to_string()));
    m.insert("key".into(), key_value(&s.key));
    m.insert("scheduler".into(), json!(s.scheduler));
    m.insert("flags".into(), json!(service_flag_words(s)));
    m.insert("flags_raw".into(), json!(s.flags.0));
    m.insert("timeout".into(), json!(s.timeout));
    m.insert("netmask".into(), json!(netmask_text(s)));
    m.insert("netmask_raw".into(), json!(s.netmask));
    m.insert("pe".into(), json!(s.pe_name));
    m.insert("stats".into(), counters(&s.stats));
    m.insert("rates".into(), rates(&s.stats));
    m.insert(
        "dests".into(),
        Value::Array(dests.iter().map(|d| dest_value(d)).collect()),
    );
    Value::Object(m)
}

fn tun_flag_words(f: TunnelFlags) -> Vec<&'static str> {
    let mut words = Vec::new();
    if f.0 & TunnelFlags::CSUM != 0 {
        words.push("csum");
    }
    if f.0 & TunnelFlags::REMCSUM != 0 {
        words.push("remcsum");
    }
    if words.is_empty() {
        words.push("nocsum");
    }
    words
}

fn dest_value(d: &Dest) -> Value {
    json!({
        "addr": addr(&d.addr),
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
            "flags": tun_flag_words(d.tun_flags),
            "flags_raw": d.tun_flags.0,
        },
        "active_conns": d.active_conns,
        "inactive_conns": d.inactive_conns,
        "persistent_conns": d.persistent_conns,
        "stats": counters(&d.stats),
        "rates": rates(&d.stats),
    })
}

/// `2023-11-14T22:13:20.123Z` for milliseconds since the epoch (UTC).
pub fn rfc3339_millis(millis: u64) -> String {
    let secs = millis / 1000;
    let ms = millis % 1000;
    let days = (secs / 86400) as i64;
    let sod = secs % 86400;
    let (y, mo, d) = civil_from_days(days);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// civil_from_days).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        // `date -u -d @1700000000` = Tue Nov 14 22:13:20 UTC 2023
        assert_eq!(
            rfc3339_millis(1_700_000_000_123),
            "2023-11-14T22:13:20.123Z"
        );
        // Leap day: `date -u -d @1709210096` = Thu Feb 29 12:34:56 UTC 2024
        assert_eq!(
            rfc3339_millis(1_709_210_096_000),
            "2024-02-29T12:34:56.000Z"
        );
        // `date -u -d @4102444799` = Thu Dec 31 23:59:59 UTC 2099
        assert_eq!(
            rfc3339_millis(4_102_444_799_999),
            "2099-12-31T23:59:59.999Z"
        );
    }
}

#[cfg(test)]
mod snapshot_tests {
    use std::time::Duration;

    use serde_json::Value;

    use super::*;
    use crate::output::tests::table_from_rules;

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
        let line = snapshot_line(&snap, at);
        assert!(!line.contains('\n'));
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
}

#[cfg(test)]
mod doc_tests {
    use std::time::Duration;

    use serde_json::Value;

    use super::*;
    use crate::model::ServiceFlags;
    use crate::output::tests::table_from_rules;

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
        assert_eq!(snapshot_value(&snap, at), example);
    }
}
