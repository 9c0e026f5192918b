//! `ipvsadm -Sn`, lossless: ipvsadm's save lines (print_service_entry under
//! FMT_RULE), in ipvsadm's order, byte for byte, except where ipvsadm loses
//! something that `ipvsadm -R` could restore:
//! - `-x`/`-y` thresholds (ipvsadm -S drops them), appended to the `-a` line;
//! - `-M` of a service without persistence (ipvsadm -S writes it only with `-p`);
//! - scheduler flag bits the scheduler has no word for (ipvsadm writes a bare
//!   `-b ` that it cannot read back; lvstop writes `flag-N`);
//! - fwmarks of 2^31 and above (ipvsadm writes `%d`, a negative number it
//!   cannot read back; lvstop writes them unsigned).
//!
//! Tunnel options are saved as ipvsadm 1.31 saves them (`--tun-type ipip` for
//! every tunnel server). Checked against real ipvsadm in the test VM
//! (tests/golden/): `-R` accepts every line written here.

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
