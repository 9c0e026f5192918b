//! `ipvsadm -Sn`, lossless: ipvsadm's save lines (print_service_entry under
//! FMT_RULE), plus what ipvsadm -S drops but `-R` reads: `-x`/`-y`
//! thresholds, and a netmask set without persistence. A table without those
//! saves byte for byte as `ipvsadm -Sn` does (tunnel options included:
//! ipvsadm 1.31 saves them itself).

use crate::model::{Change, Snapshot};
use crate::rules::rule;

use super::order;

/// The whole table as restorable rules, one per line, in ipvsadm's order.
pub fn render(snapshot: &Snapshot) -> String {
    let mut out = String::new();
    for (service, dests) in order::sorted(snapshot) {
        out.push_str(&rule(&Change::AddService(service.clone())));
        out.push('\n');
        for d in dests {
            out.push_str(&rule(&Change::AddDest {
                service: service.key,
                dest: d.clone(),
            }));
            out.push('\n');
        }
    }
    out
}
