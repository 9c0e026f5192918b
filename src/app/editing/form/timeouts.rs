//! The timeouts form (`ipvsadm --set tcp tcpfin udp`): three numbers of
//! seconds, 0 leaving that one as it is, as ipvsadm means it. It opens
//! holding the timeouts as last read.

use crate::model::{Change, Timeouts};
use crate::rules::value;

use super::{Errors, Field, FieldId, Form};

const FIELDS: [FieldId; 3] = [
    FieldId::TcpTimeout,
    FieldId::TcpFinTimeout,
    FieldId::UdpTimeout,
];

/// The fields, holding `read` (the timeouts as last read) or 0 (leave as
/// it is) when they are not known yet.
pub(super) fn fields(read: Option<&Timeouts>) -> Vec<Field> {
    let t = read.copied().unwrap_or_default();
    vec![
        Field::text(FieldId::TcpTimeout, t.tcp.to_string()),
        Field::text(FieldId::TcpFinTimeout, t.tcp_fin.to_string()),
        Field::text(FieldId::UdpTimeout, t.udp.to_string()),
    ]
}

pub(super) fn title() -> String {
    "Connection timeouts (ipvsadm --set)".into()
}

/// Each field read by the grammar's own reader (`--set`'s range); three
/// zeros would change nothing, which is said rather than sent.
pub(super) fn errors(f: &Form) -> Vec<(FieldId, String)> {
    let mut e = Errors::default();
    for id in FIELDS {
        let v = f.text(id);
        if v.is_empty() {
            e.note(id, "required (0 leaves it as it is)");
        } else if let Err(m) = value::timeout(v, 0) {
            e.note(id, m);
        }
    }
    if e.0.is_empty() && timeouts(f).is_some_and(|t| t == Timeouts::default()) {
        e.note(FieldId::TcpTimeout, "all three are 0: nothing would change");
    }
    e.0
}

fn timeouts(f: &Form) -> Option<Timeouts> {
    let read = |id| value::timeout(f.text(id), 0).ok();
    Some(Timeouts {
        tcp: read(FieldId::TcpTimeout)?,
        tcp_fin: read(FieldId::TcpFinTimeout)?,
        udp: read(FieldId::UdpTimeout)?,
    })
}

pub(super) fn change(f: &Form) -> Option<Change> {
    timeouts(f).map(Change::SetTimeouts)
}
