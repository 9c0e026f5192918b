//! The director's own settings as batch listings: the connection timeouts
//! (`--timeout`; their text is `text::render_timeouts`) and the sync daemons
//! (`--daemon`), as ipvsadm 1.31 prints them and as JSON.

use std::time::SystemTime;

use crate::model::{SyncDaemon, Timeouts};

use super::addr::push_addr;
use super::json::{millis, rfc3339_millis, timestamp_member, Object};
use super::number::push_u64;

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

/// One line per daemon, as ipvsadm's list_daemon prints it:
/// `master sync daemon (mcast=eth0, syncid=1, maxlen=1472, group=224.0.0.81,
/// port=8848, ttl=1)`; each option only when the kernel reports it (maxlen,
/// port and ttl also only when not 0, as ipvsadm tests them). Nothing when
/// none runs.
pub fn daemons_text(out: &mut Vec<u8>, daemons: &[SyncDaemon]) {
    for d in daemons {
        out.extend_from_slice(d.role.name().as_bytes());
        out.extend_from_slice(b" sync daemon (mcast=");
        // The model's interface names hold no control character.
        out.extend_from_slice(d.interface.as_str().as_bytes());
        out.extend_from_slice(b", syncid=");
        push_u64(out, u64::from(d.sync_id));
        if let Some(n) = d.max_len.filter(|&n| n != 0) {
            out.extend_from_slice(b", maxlen=");
            push_u64(out, u64::from(n));
        }
        if let Some(group) = &d.group {
            out.extend_from_slice(b", group=");
            push_addr(out, group);
        }
        if let Some(n) = d.port.filter(|&n| n != 0) {
            out.extend_from_slice(b", port=");
            push_u64(out, u64::from(n));
        }
        if let Some(n) = d.ttl.filter(|&n| n != 0) {
            out.extend_from_slice(b", ttl=");
            push_u64(out, u64::from(n));
        }
        out.extend_from_slice(b")\n");
    }
}

/// `{"daemons":[…],"time":…,"timestamp":…}` and its newline: one reading of
/// the running sync daemons, taken at `at` (an empty list when none runs).
pub fn daemons_json(out: &mut Vec<u8>, daemons: &[SyncDaemon], at: SystemTime) {
    let millis = millis(at);
    let mut o = Object::open(out);
    let list = o.key("daemons");
    list.push(b'[');
    for (i, d) in daemons.iter().enumerate() {
        if i > 0 {
            list.push(b',');
        }
        daemon_object(list, d);
    }
    list.push(b']');
    o.word("time", &rfc3339_millis(millis));
    timestamp_member(&mut o, millis);
    o.close();
    out.push(b'\n');
}

fn daemon_object(out: &mut Vec<u8>, d: &SyncDaemon) {
    let null = |o: &mut Object, key: &str| o.key(key).extend_from_slice(b"null");
    let mut o = Object::open(out);
    match &d.group {
        Some(g) => o.quoted("group", |out| push_addr(out, g)),
        None => null(&mut o, "group"),
    }
    o.text("interface", d.interface.as_str());
    match d.max_len {
        Some(n) => o.u64("max_len", u64::from(n)),
        None => null(&mut o, "max_len"),
    }
    match d.port {
        Some(n) => o.u64("port", u64::from(n)),
        None => null(&mut o, "port"),
    }
    o.word("role", d.role.name());
    o.u64("sync_id", u64::from(d.sync_id));
    match d.ttl {
        Some(n) => o.u64("ttl", u64::from(n)),
        None => null(&mut o, "ttl"),
    }
    o.close();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Interface, SyncRole};

    fn daemon(role: SyncRole, interface: &str) -> SyncDaemon {
        SyncDaemon::new(role, Interface::new(interface).unwrap())
    }

    fn text(daemons: &[SyncDaemon]) -> String {
        let mut out = Vec::new();
        daemons_text(&mut out, daemons);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn daemons_as_list_daemon_prints_them() {
        assert_eq!(text(&[]), "");
        // tests/golden/*/list_daemon.out: the kernel's defaults reported.
        let mut master = daemon(SyncRole::Master, "lo");
        (master.max_len, master.group, master.port, master.ttl) = (
            Some(1472),
            Some("224.0.0.81".parse().unwrap()),
            Some(8848),
            Some(1),
        );
        assert_eq!(
            text(std::slice::from_ref(&master)),
            include_str!("../../tests/golden/6.12/list_daemon.out")
        );
        // A kernel before 4.7 reports no option; zeros are not printed.
        let mut backup = daemon(SyncRole::Backup, "eth1");
        backup.sync_id = 255;
        (backup.max_len, backup.port, backup.ttl) = (Some(0), Some(0), Some(0));
        let mut v6 = daemon(SyncRole::Backup, "sy1");
        v6.group = Some("ff02::0:1:3".parse().unwrap());
        assert_eq!(
            text(&[master, backup, v6]),
            "master sync daemon (mcast=lo, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n\
             backup sync daemon (mcast=eth1, syncid=255)\n\
             backup sync daemon (mcast=sy1, syncid=0, group=ff02::1:3)\n"
        );
    }
}
