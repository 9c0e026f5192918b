//! The service form (`ipvsadm -A`/`-E`): its fields, which of them apply,
//! each field's check in dependency order, and the service it makes.

use crate::model::{Change, Family, Protocol, Service, ServiceKey};
use crate::output::command::{ServiceWords, Word};
use crate::rules::build::{self, ServiceOptions};
use crate::rules::{value, PERSISTENCE_ENGINES, SCHEDULERS};

use super::{not_an_address, own_check, Errors, Field, FieldId, Form, Kind};

const PROTOCOLS: &[&str] = &["tcp", "udp", "sctp", "fwmark"];
const FAMILIES: &[&str] = &["ipv4", "ipv6"];
const YES_NO: &[&str] = &["no", "yes"];

pub(super) fn fields() -> Vec<Field> {
    let mut engines = vec!["none"];
    engines.extend_from_slice(PERSISTENCE_ENGINES);
    vec![
        Field::choice(FieldId::Protocol, PROTOCOLS, "tcp"),
        Field::choice(FieldId::Family, FAMILIES, "ipv4"),
        Field::text(FieldId::Address, ""),
        Field::text(FieldId::Port, ""),
        Field::text(FieldId::Mark, ""),
        Field::choice(FieldId::Scheduler, SCHEDULERS, "wlc"),
        Field::text(FieldId::SchedFlags, ""),
        Field::text(FieldId::Persistence, ""),
        Field::text(FieldId::Netmask, ""),
        Field::choice(FieldId::OnePacket, YES_NO, "no"),
        Field::choice(FieldId::Engine, &engines, "none"),
    ]
}

pub(super) fn title(kind: &Kind) -> String {
    match kind {
        Kind::EditService(k) => format!("Edit service {k} (ipvsadm -E)"),
        _ => "Add virtual service (ipvsadm -A)".into(),
    }
}

/// An edit form's fields from the service as it is, its identity locked.
pub(super) fn read_back(f: &mut Form, service: &Service) {
    match service.key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            f.set(FieldId::Protocol, protocol.name().to_ascii_lowercase());
            f.set(FieldId::Address, crate::output::addr(&addr));
            f.set(FieldId::Port, port.to_string());
        }
        ServiceKey::Fwmark { family, mark } => {
            f.set(FieldId::Protocol, "fwmark");
            f.set(FieldId::Family, family_name(family));
            f.set(FieldId::Mark, mark.to_string());
        }
    }
    // The rest as ipvsadm words it, so the form and `ipvsadm -S` agree.
    let words = ServiceWords::of(service);
    let text = |word: Option<Word>| word.map(|w| w.to_string()).unwrap_or_default();
    f.set(FieldId::Scheduler, words.scheduler.to_string());
    f.set(FieldId::Persistence, text(words.persistent));
    f.set(FieldId::Netmask, text(words.netmask));
    f.set(
        FieldId::Engine,
        words.pe.map_or("none".to_string(), |w| w.to_string()),
    );
    f.set(FieldId::OnePacket, if words.ops { "yes" } else { "no" });
    f.set(FieldId::SchedFlags, text(words.sched_flags));
    f.lock(&[
        FieldId::Protocol,
        FieldId::Family,
        FieldId::Address,
        FieldId::Port,
        FieldId::Mark,
    ]);
}

fn family_name(family: Family) -> &'static str {
    match family {
        Family::V4 => "ipv4",
        Family::V6 => "ipv6",
    }
}

/// A mark or an address and port.
pub(super) fn applies(f: &Form, id: FieldId) -> bool {
    let fwmark = is_fwmark(f);
    match id {
        FieldId::Family | FieldId::Mark => fwmark,
        FieldId::Address | FieldId::Port => !fwmark,
        _ => true,
    }
}

fn is_fwmark(f: &Form) -> bool {
    f.get(FieldId::Protocol) == "fwmark"
}

/// The protocol chosen; `None` for a firewall mark.
fn protocol(f: &Form) -> Option<Protocol> {
    match f.get(FieldId::Protocol) {
        "udp" => Some(Protocol::Udp),
        "sctp" => Some(Protocol::Sctp),
        "fwmark" => None,
        _ => Some(Protocol::Tcp),
    }
}

/// The family the service is in: the one chosen for a mark, else the
/// address's (an address still being typed counts as IPv6 once it has a
/// colon, as the netmask it takes then is a prefix length).
fn family(f: &Form) -> Family {
    if is_fwmark(f) {
        return match f.get(FieldId::Family) {
            "ipv6" => Family::V6,
            _ => Family::V4,
        };
    }
    let typed = f.text(FieldId::Address);
    match value::address(typed) {
        Some(a) => Family::of(&a),
        None if typed.contains(':') => Family::V6,
        None => Family::V4,
    }
}

/// The netmask as `-M` takes it: `/64` is the prefix 64.
fn netmask(f: &Form) -> Option<&str> {
    let m = f.text(FieldId::Netmask);
    (!m.is_empty()).then(|| m.trim_start_matches('/'))
}

fn optional(f: &Form, id: FieldId) -> Option<&str> {
    Some(f.text(id)).filter(|v| !v.is_empty())
}

/// Each visible field checked after the fields its check needs: the
/// persistence before the port (port 0 needs it), the family before the
/// netmask, the scheduler before its flags.
pub(super) fn errors(f: &Form) -> Vec<(FieldId, String)> {
    let mut e = Errors::default();
    for id in [FieldId::Mark, FieldId::Address, FieldId::Port] {
        if let Some(m) = applies(f, id).then(|| own_check(id, f.text(id))).flatten() {
            e.note(id, m);
        }
    }
    if is_fwmark(f) && !e.has(FieldId::Mark) {
        if let Err(m) = value::fwmark(f.text(FieldId::Mark)) {
            e.note(FieldId::Mark, m);
        }
    }
    let typed = f.text(FieldId::Address);
    if !is_fwmark(f) && !e.has(FieldId::Address) && value::address(typed).is_none() {
        e.note(FieldId::Address, not_an_address(typed));
    }
    let persistent = match optional(f, FieldId::Persistence).map(|t| value::timeout(t, 1)) {
        Some(Err(m)) => {
            e.note(FieldId::Persistence, m);
            false
        }
        Some(Ok(_)) => true,
        None => false,
    };
    if !is_fwmark(f) && !e.has(FieldId::Port) {
        let port = f.text(FieldId::Port).parse().expect("checked");
        if let Err(m) = build::check_port(port, persistent) {
            e.note(FieldId::Port, m);
        }
    }
    if let Some(Err(m)) = netmask(f).map(|m| value::netmask(family(f), m)) {
        e.note(FieldId::Netmask, m);
    }
    let scheduler = f.get(FieldId::Scheduler);
    if let Some(Err(m)) = optional(f, FieldId::SchedFlags).map(|l| value::sched_flags(scheduler, l))
    {
        e.note(FieldId::SchedFlags, m);
    }
    if f.get(FieldId::OnePacket) == "yes" {
        if let Err(m) = build::check_one_packet(protocol(f)) {
            e.note(FieldId::OnePacket, m);
        }
    }
    e.0
}

/// The service, built by the grammar's builder from the fields.
pub(super) fn change(f: &Form) -> Option<Change> {
    let key = match protocol(f) {
        Some(protocol) => ServiceKey::Addr {
            protocol,
            addr: value::address(f.text(FieldId::Address))?,
            port: f.text(FieldId::Port).parse().ok()?,
        },
        None => ServiceKey::Fwmark {
            family: family(f),
            mark: value::fwmark(f.text(FieldId::Mark)).ok()?,
        },
    };
    let engine = f.get(FieldId::Engine);
    let options = ServiceOptions {
        scheduler: Some(value::scheduler(f.get(FieldId::Scheduler)).ok()?),
        persistent: match optional(f, FieldId::Persistence) {
            Some(t) => Some(value::timeout(t, 1).ok()?),
            None => None,
        },
        netmask: netmask(f).map(String::from),
        ops: f.get(FieldId::OnePacket) == "yes",
        pe: match engine {
            "none" => None,
            pe => Some(value::engine(pe).ok()?),
        },
        sched_flags: optional(f, FieldId::SchedFlags).map(String::from),
    };
    let service = build::service(key, &options).ok()?;
    Some(match f.kind {
        Kind::EditService(_) => Change::EditService(service),
        _ => Change::AddService(service),
    })
}
