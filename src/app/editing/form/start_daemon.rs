//! The start-daemon form (`ipvsadm --start-daemon`): every option, with
//! ipvsadm's defaults (interface eth0, sync id 0, the rest left to the
//! kernel: max length from the interface's MTU, group 224.0.0.81, port
//! 8848, TTL 1). Each field is checked in words before anything is sent.

use crate::model::{Interface, SyncDaemon, SyncRole, MAX_LEN_MAX};
use crate::rules::value;

use super::{Errors, Field, FieldId, Form};

const ROLES: &[&str] = &["master", "backup"];
/// ipvsadm's DEF_MCAST_IFN.
const DEFAULT_INTERFACE: &str = "eth0";

/// The fields; the role is the one not running yet (master first).
pub(super) fn fields(running: Option<&Vec<SyncDaemon>>) -> Vec<Field> {
    let master_runs = running.is_some_and(|d| d.iter().any(|d| d.role == SyncRole::Master));
    let role = if master_runs { "backup" } else { "master" };
    vec![
        Field::choice(FieldId::Role, ROLES, role),
        Field::text(FieldId::Interface, DEFAULT_INTERFACE),
        Field::text(FieldId::SyncId, "0"),
        Field::text(FieldId::MaxLen, ""),
        Field::text(FieldId::Group, ""),
        Field::text(FieldId::McastPort, ""),
        Field::text(FieldId::Ttl, ""),
    ]
}

pub(super) fn title() -> String {
    "Start a sync daemon (ipvsadm --start-daemon)".into()
}

fn role(f: &Form) -> SyncRole {
    SyncRole::parse(f.get(FieldId::Role)).unwrap_or(SyncRole::Master)
}

/// A whole number in `min..=max`, or the words saying so.
fn number(v: &str, min: u64, max: u64, what: &str) -> Result<u64, String> {
    value::number(v, min, max).ok_or_else(|| format!("{what} from {min} to {max}, not `{v}'"))
}

/// An optional field: empty leaves it to the kernel.
fn optional(v: &str, min: u64, max: u64, what: &str) -> Result<Option<u64>, String> {
    match v {
        "" => Ok(None),
        v => number(v, min, max, what).map(Some),
    }
}

fn interface(f: &Form) -> Result<Interface, String> {
    Interface::new(f.text(FieldId::Interface))
}

fn sync_id(f: &Form) -> Result<u8, String> {
    number(f.text(FieldId::SyncId), 0, 255, "a sync id").map(|n| n as u8)
}

fn max_len(f: &Form) -> Result<Option<u16>, String> {
    let max = u64::from(MAX_LEN_MAX);
    optional(f.text(FieldId::MaxLen), 1, max, "a length in bytes").map(|n| n.map(|n| n as u16))
}

fn group(f: &Form) -> Result<Option<std::net::IpAddr>, String> {
    match f.text(FieldId::Group) {
        "" => Ok(None),
        v => match value::address(v) {
            Some(a) if a.is_multicast() => Ok(Some(a)),
            Some(_) => Err(format!(
                "`{v}' is not a multicast address (IPv4 224.0.0.0/4, IPv6 ff00::/8)"
            )),
            None => Err(format!("not an IPv4 or IPv6 address: `{v}'")),
        },
    }
}

fn port(f: &Form) -> Result<Option<u16>, String> {
    optional(f.text(FieldId::McastPort), 1, 65535, "a port").map(|n| n.map(|n| n as u16))
}

fn ttl(f: &Form) -> Result<Option<u8>, String> {
    optional(f.text(FieldId::Ttl), 1, 255, "a TTL").map(|n| n.map(|n| n as u8))
}

pub(super) fn errors(f: &Form) -> Vec<(FieldId, String)> {
    let mut e = Errors::default();
    if f.text(FieldId::Interface).is_empty() {
        e.note(FieldId::Interface, "required (ipvsadm's default: eth0)");
    } else if let Err(m) = interface(f) {
        e.note(FieldId::Interface, m);
    }
    if let Err(m) = sync_id(f) {
        e.note(FieldId::SyncId, m);
    }
    if let Err(m) = max_len(f) {
        e.note(FieldId::MaxLen, m);
    }
    if let Err(m) = group(f) {
        e.note(FieldId::Group, m);
    }
    if let Err(m) = port(f) {
        e.note(FieldId::McastPort, m);
    }
    if let Err(m) = ttl(f) {
        e.note(FieldId::Ttl, m);
    }
    e.0
}

/// The daemon asked for, checked whole by the model as well.
pub(super) fn change(f: &Form) -> Option<crate::model::Change> {
    let daemon = SyncDaemon {
        role: role(f),
        interface: interface(f).ok()?,
        sync_id: sync_id(f).ok()?,
        max_len: max_len(f).ok()?,
        group: group(f).ok()?,
        port: port(f).ok()?,
        ttl: ttl(f).ok()?,
    };
    daemon.check().ok()?;
    Some(crate::model::Change::StartDaemon(daemon))
}
