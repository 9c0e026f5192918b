//! One JSON object per snapshot, one line each (see docs/json.md for the
//! schema), written as the table is read: no tree of values, no string per
//! field. Keys come in alphabetical order within each object, as the
//! `serde_json::Value` this replaced wrote them.
//!
//! Counters are u64 and stay exact (written as integers, not floats).

use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::model::{
    Dest, Family, Info, Service, ServiceFlags, ServiceKey, Snapshot, Stats, TunnelFlags,
};

use super::addr::{push_addr, push_ipv4};
use super::number::push_u64;
use super::sink::{self, Sink};
use super::words::each_sched_flag_word;

/// JSON Lines as a [`Sink`]: the snapshot's own fields, its services as they
/// are read, its time after them (alphabetical order puts it last).
#[derive(Default)]
pub struct JsonSink {
    millis: u64,
    first: bool,
}

impl Sink for JsonSink {
    fn begin(&mut self, out: &mut Vec<u8>, info: &Info, at: SystemTime) {
        self.millis = millis(at);
        self.first = true;
        let mut o = Object::open(out);
        o.u64("conn_tab_size", u64::from(info.conn_tab_size));
        o.word("ipvs_version", &info.version_string());
        o.u64("ipvs_version_code", u64::from(info.version));
        o.key("services").push(b'[');
    }

    fn service(&mut self, out: &mut Vec<u8>, service: &Service, dests: &[&Dest]) {
        if !self.first {
            out.push(b',');
        }
        self.first = false;
        service_object(out, service, dests);
    }

    fn end(&mut self, out: &mut Vec<u8>) {
        out.push(b']');
        let mut o = Object { out, first: false };
        time_members(&mut o, self.millis);
        o.close();
        out.push(b'\n');
    }
}

/// Milliseconds since the epoch of `at` (0 before it).
pub fn millis(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64
}

/// `"time"` and `"timestamp"` together, the instant of a reading, for an
/// object with no key between them.
pub fn time_members(o: &mut Object, millis: u64) {
    o.word("time", &rfc3339_millis(millis));
    timestamp_member(o, millis);
}

/// `"timestamp"`: Unix time in seconds with a millisecond fraction.
pub fn timestamp_member(o: &mut Object, millis: u64) {
    let seconds = millis as f64 / 1000.0;
    serde_json::to_writer(&mut *o.key("timestamp"), &seconds).expect("a finite number into a Vec");
}

/// The snapshot taken at `at`, as one line of JSON with its newline.
/// Services and real servers come in ipvsadm's listing order.
pub fn render(snapshot: &Snapshot, at: SystemTime) -> String {
    sink::render(&mut JsonSink::default(), snapshot, at)
}

/// Writes one object's members; the caller gives the keys in alphabetical
/// order. Public for the other JSON writers (`cli::conn_json`).
pub struct Object<'a> {
    pub out: &'a mut Vec<u8>,
    pub first: bool,
}

impl<'a> Object<'a> {
    pub fn open(out: &'a mut Vec<u8>) -> Object<'a> {
        out.push(b'{');
        Object { out, first: true }
    }

    /// `"key":`, after a comma unless first; the value goes into the result.
    pub fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    pub fn u64(&mut self, key: &str, v: u64) {
        push_u64(self.key(key), v);
    }

    /// A string lvstop itself makes (words, addresses, times): nothing to escape.
    pub fn word(&mut self, key: &str, v: &str) {
        let out = self.key(key);
        out.push(b'"');
        out.extend_from_slice(v.as_bytes());
        out.push(b'"');
    }

    /// A string written by `value` (digits, addresses, words): nothing to escape.
    pub fn quoted(&mut self, key: &str, value: impl FnOnce(&mut Vec<u8>)) {
        let out = self.key(key);
        out.push(b'"');
        value(out);
        out.push(b'"');
    }

    /// A string from the kernel (scheduler, engine names), escaped as JSON.
    pub fn text(&mut self, key: &str, v: &str) {
        serde_json::to_writer(&mut *self.key(key), v).expect("a string into a Vec");
    }

    pub fn words(&mut self, key: &str, words: impl FnOnce(&mut dyn FnMut(&str))) {
        let out = self.key(key);
        out.push(b'[');
        let mut first = true;
        words(&mut |w: &str| {
            if !first {
                out.push(b',');
            }
            first = false;
            out.push(b'"');
            out.extend_from_slice(w.as_bytes());
            out.push(b'"');
        });
        out.push(b']');
    }

    pub fn close(self) {
        self.out.push(b'}');
    }
}

pub fn family_word(f: Family) -> &'static str {
    match f {
        Family::V4 => "inet",
        Family::V6 => "inet6",
    }
}

pub fn key_object(out: &mut Vec<u8>, key: &ServiceKey) {
    let mut o = Object::open(out);
    match key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            o.quoted("addr", |out| push_addr(out, addr));
            o.word("family", family_word(key.family()));
            o.word("kind", "addr");
            o.u64("port", u64::from(*port));
            o.quoted("protocol", |out| lowercase(out, protocol.name()));
        }
        ServiceKey::Fwmark { family, mark } => {
            o.word("family", family_word(*family));
            o.word("kind", "fwmark");
            o.u64("mark", u64::from(*mark));
        }
    }
    o.close();
}

pub fn lowercase(out: &mut Vec<u8>, word: &str) {
    out.extend(word.bytes().map(|b| b.to_ascii_lowercase()));
}

fn counters_object(out: &mut Vec<u8>, s: &Stats) {
    let mut o = Object::open(out);
    o.u64("conns", s.conns);
    o.u64("inbytes", s.inbytes);
    o.u64("inpkts", s.inpkts);
    o.u64("outbytes", s.outbytes);
    o.u64("outpkts", s.outpkts);
    o.close();
}

fn rates_object(out: &mut Vec<u8>, s: &Stats) {
    let mut o = Object::open(out);
    o.u64("cps", s.cps);
    o.u64("inbps", s.inbps);
    o.u64("inpps", s.inpps);
    o.u64("outbps", s.outbps);
    o.u64("outpps", s.outpps);
    o.close();
}

fn service_object(out: &mut Vec<u8>, s: &Service, dests: &[&Dest]) {
    let mut o = Object::open(out);
    let list = o.key("dests");
    list.push(b'[');
    for (i, d) in dests.iter().enumerate() {
        if i > 0 {
            list.push(b',');
        }
        dest_object(list, d);
    }
    list.push(b']');
    o.words("flags", |word| {
        if s.flags.has(ServiceFlags::PERSISTENT) {
            word("persistent");
        }
        if s.flags.has(ServiceFlags::HASHED) {
            word("hashed");
        }
        if s.flags.has(ServiceFlags::ONEPACKET) {
            word("ops");
        }
        each_sched_flag_word(s, word);
    });
    o.u64("flags_raw", u64::from(s.flags.0));
    key_object(o.key("key"), &s.key);
    // The key's Display (the model's wording), as before: it differs from
    // ipvsadm's in IPv6 (Rust's, not glibc's) and in marks (unsigned).
    o.quoted("name", |out| {
        let _ = write!(out, "{}", s.key);
    });
    o.quoted("netmask", |out| match s.key.family() {
        Family::V4 => push_ipv4(out, &std::net::Ipv4Addr::from(s.netmask)),
        Family::V6 => push_u64(out, u64::from(s.netmask)),
    });
    o.u64("netmask_raw", u64::from(s.netmask));
    match &s.pe_name {
        Some(pe) => o.text("pe", pe),
        None => o.key("pe").extend_from_slice(b"null"),
    }
    rates_object(o.key("rates"), &s.stats);
    o.text("scheduler", &s.scheduler);
    counters_object(o.key("stats"), &s.stats);
    o.u64("timeout", u64::from(s.timeout));
    o.close();
}

fn dest_object(out: &mut Vec<u8>, d: &Dest) {
    let mut o = Object::open(out);
    o.u64("active_conns", u64::from(d.active_conns));
    o.quoted("addr", |out| push_addr(out, &d.addr));
    o.word("family", family_word(Family::of(&d.addr)));
    o.quoted("forward", |out| lowercase(out, d.forward.name()));
    o.u64("forward_raw", u64::from(d.forward.value()));
    o.u64("inactive_conns", u64::from(d.inactive_conns));
    o.u64("lower_threshold", u64::from(d.lower_threshold));
    o.u64("persistent_conns", u64::from(d.persistent_conns));
    o.u64("port", u64::from(d.port));
    rates_object(o.key("rates"), &d.stats);
    counters_object(o.key("stats"), &d.stats);
    let mut t = Object::open(o.key("tunnel"));
    let flags = d.tun_flags.0;
    t.words("flags", |word| {
        if flags & TunnelFlags::CSUM != 0 {
            word("csum");
        }
        if flags & TunnelFlags::REMCSUM != 0 {
            word("remcsum");
        }
        if flags & (TunnelFlags::CSUM | TunnelFlags::REMCSUM) == 0 {
            word("nocsum");
        }
    });
    t.u64("flags_raw", u64::from(flags));
    t.u64("port", u64::from(d.tun_port));
    t.word("type", d.tun_type.name());
    t.u64("type_raw", u64::from(d.tun_type.value()));
    t.close();
    o.u64("upper_threshold", u64::from(d.upper_threshold));
    o.u64("weight", u64::from(d.weight));
    o.close();
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
/// civil_from_days). The one copy: the journal and the replay header use it too.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
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
