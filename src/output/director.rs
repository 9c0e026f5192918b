//! The director's own settings as batch listings: the connection timeouts
//! (`--timeout`) as JSON; their text is `text::render_timeouts`.

use std::time::SystemTime;

use crate::model::Timeouts;

use super::json::{millis, rfc3339_millis, timestamp_member, Object};

/// `{"time":…,"timeouts":{"tcp":900,"tcp_fin":120,"udp":300},"timestamp":…}`
/// and its newline: one reading of the timeouts, taken at `at`.
pub fn timeouts_json(out: &mut Vec<u8>, t: &Timeouts, at: SystemTime) {
    let millis = millis(at);
    let mut o = Object::open(out);
    o.word("time", &rfc3339_millis(millis));
    let mut v = Object::open(o.key("timeouts"));
    v.u64("tcp", u64::from(t.tcp));
    v.u64("tcp_fin", u64::from(t.tcp_fin));
    v.u64("udp", u64::from(t.udp));
    v.close();
    timestamp_member(&mut o, millis);
    o.close();
    out.push(b'\n');
}
