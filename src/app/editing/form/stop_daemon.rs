//! The stop-daemon form (`ipvsadm --stop-daemon master|backup`): which
//! role, the one running (as last read) chosen first.

use crate::model::{Change, SyncDaemon, SyncRole};

use super::{Field, FieldId, Form};

const ROLES: &[&str] = &["master", "backup"];

pub(super) fn fields(running: Option<&Vec<SyncDaemon>>) -> Vec<Field> {
    let first = running.and_then(|d| d.first()).map(|d| d.role);
    let role = first.unwrap_or(SyncRole::Master).name();
    vec![Field::choice(FieldId::Role, ROLES, role)]
}

pub(super) fn title() -> String {
    "Stop a sync daemon (ipvsadm --stop-daemon)".into()
}

pub(super) fn change(f: &Form) -> Option<Change> {
    SyncRole::parse(f.get(FieldId::Role)).map(Change::StopDaemon)
}
