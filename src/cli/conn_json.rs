//! `lvstop -b -c --format json`: one JSON object per reading of the
//! connection table, one line each (schema in docs/json.md). Entries are
//! written as they are read; only the counts are kept, and they follow the
//! entries (keys in alphabetical order, as lvstop's other JSON).

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::conns::{Counts, Standing, Tally};
use crate::model::{Connection, Origin};
use crate::output::json::{key_object, lowercase, rfc3339_millis, Object};
use crate::output::{push_addr, push_u64};

/// What a reading says besides its entries and counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadingNotes<'a> {
    /// The `--filter` selector, when entries were filtered.
    pub filter: Option<&'a str>,
    /// Lines of the kernel's file that could not be understood (left out).
    pub malformed: u64,
    /// Entries whose persistence-engine data was not joined (past the cap).
    pub pe_unjoined: u64,
}

/// One reading, written in three steps: [`begin`](ConnJson::begin), an
/// [`entry`](ConnJson::entry) per entry kept, [`end`](ConnJson::end).
#[derive(Debug, Default)]
pub struct ConnJson {
    first: bool,
    millis: u64,
}

impl ConnJson {
    pub fn begin(&mut self, out: &mut Vec<u8>, at: SystemTime) {
        self.millis = at
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64;
        self.first = true;
        out.extend_from_slice(b"{\"connections\":[");
    }

    pub fn entry(&mut self, out: &mut Vec<u8>, c: &Connection) {
        if !self.first {
            out.push(b',');
        }
        self.first = false;
        entry_object(out, c);
    }

    /// The counts after the entries, then the reading's time; ends the line.
    pub fn end(&mut self, out: &mut Vec<u8>, tally: &Tally, notes: ReadingNotes) {
        out.push(b']');
        let mut o = Object { out, first: false };
        match notes.filter {
            // The selector came from the command line: escaped as JSON.
            Some(f) => o.text("filter", f),
            None => o.key("filter").extend_from_slice(b"null"),
        }
        o.u64("malformed", notes.malformed);
        o.u64("pe_unjoined", notes.pe_unjoined);
        let list = o.key("services");
        list.push(b'[');
        for (i, s) in tally.services().iter().enumerate() {
            if i > 0 {
                list.push(b',');
            }
            let mut so = Object::open(list);
            counts_object(so.key("counts"), &s.counts);
            let dests = so.key("dests");
            dests.push(b'[');
            for (j, d) in s.dests.iter().enumerate() {
                if j > 0 {
                    dests.push(b',');
                }
                let mut d_o = Object::open(dests);
                d_o.quoted("addr", |out| push_addr(out, &d.dest.addr));
                counts_object(d_o.key("counts"), &d.counts);
                d_o.u64("port", u64::from(d.dest.port));
                d_o.word("standing", standing_word(d.standing));
                d_o.close();
            }
            dests.push(b']');
            counts_object(so.key("gone_other"), &s.gone_other);
            key_object(so.key("key"), &s.service);
            so.quoted("name", |out| {
                let _ = write!(out, "{}", s.service);
            });
            so.close();
        }
        list.push(b']');
        o.word("time", &rfc3339_millis(self.millis));
        let seconds = self.millis as f64 / 1000.0;
        serde_json::to_writer(&mut *o.key("timestamp"), &seconds)
            .expect("a finite number into a Vec");
        counts_object(o.key("unattributed"), tally.unattributed());
        o.close();
        out.push(b'\n');
    }
}

fn standing_word(s: Standing) -> &'static str {
    match s {
        Standing::Serving => "serving",
        Standing::Drained => "drained",
        Standing::Gone => "gone",
    }
}

fn entry_object(out: &mut Vec<u8>, c: &Connection) {
    let mut o = Object::open(out);
    endpoint(o.key("client"), &c.client);
    o.u64("expires", u64::from(c.expires));
    match c.origin {
        Some(Origin::Local) => o.word("origin", "local"),
        Some(Origin::Sync) => o.word("origin", "sync"),
        None => o.key("origin").extend_from_slice(b"null"),
    }
    match &c.pe {
        Some(pe) => {
            let mut p = Object::open(o.key("pe"));
            // Printable ASCII from the kernel's text, escaped as JSON all the same.
            p.text("data", &pe.data);
            token(p.key("name"), pe.name.as_str(), false);
            p.close();
        }
        None => o.key("pe").extend_from_slice(b"null"),
    }
    token(o.key("protocol"), c.protocol.as_str(), true);
    endpoint(o.key("real"), &c.real);
    token(o.key("state"), c.state.as_str(), false);
    o.key("template")
        .extend_from_slice(if c.is_template() { b"true" } else { b"false" });
    endpoint(o.key("virtual"), &c.virtual_addr);
    o.close();
}

/// `{"addr":"…","port":…}`, the address as inet_ntop prints it.
fn endpoint(out: &mut Vec<u8>, a: &SocketAddr) {
    let mut o = Object::open(out);
    o.quoted("addr", |out| push_addr(out, &a.ip()));
    o.u64("port", u64::from(a.port()));
    o.close();
}

/// `{"entries":…,"local":…,"states":{…},"synced":…,"templates":…}`, states
/// by name so that two readings of one table print the same line.
fn counts_object(out: &mut Vec<u8>, c: &Counts) {
    let mut o = Object::open(out);
    o.u64("entries", c.entries());
    o.u64("local", c.local);
    let states = o.key("states");
    let mut named: Vec<_> = c.states.iter().collect();
    named.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    states.push(b'{');
    for (i, (state, n)) in named.into_iter().enumerate() {
        if i > 0 {
            states.push(b',');
        }
        token(states, state.as_str(), false);
        states.push(b':');
        push_u64(states, n);
    }
    if c.states.other() > 0 {
        if c.states.iter().next().is_some() {
            states.push(b',');
        }
        states.extend_from_slice(b"\"other\":");
        push_u64(states, c.states.other());
    }
    states.push(b'}');
    o.u64("synced", c.synced);
    o.u64("templates", c.templates);
    o.close();
}

/// A kernel token as a JSON string, lowercased if asked. Tokens are graphic
/// ASCII (model::Token), so only a quote or a backslash needs escaping.
fn token(out: &mut Vec<u8>, s: &str, lower: bool) {
    if s.bytes().any(|b| b == b'"' || b == b'\\') {
        let s = if lower {
            s.to_ascii_lowercase()
        } else {
            s.to_string()
        };
        serde_json::to_writer(&mut *out, &s).expect("a string into a Vec");
        return;
    }
    out.push(b'"');
    if lower {
        lowercase(out, s);
    } else {
        out.extend_from_slice(s.as_bytes());
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests;
