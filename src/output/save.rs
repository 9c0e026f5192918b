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

use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::model::{Dest, Info, Service, Snapshot};

use super::command::{DestRule, ServiceRule};
use super::sink::{self, Sink};

/// The save format as a [`Sink`]: each service's rules written as it is read.
pub struct SaveSink;

impl Sink for SaveSink {
    fn begin(&mut self, _: &mut Vec<u8>, _: &Info, _: SystemTime) {}

    fn service(&mut self, out: &mut Vec<u8>, service: &Service, dests: &[&Dest]) {
        // The lines `rule` gives for AddService and AddDest, written in place.
        let edit = false;
        let _ = writeln!(out, "{}", ServiceRule { edit, service });
        for dest in dests {
            let key = &service.key;
            let _ = writeln!(
                out,
                "{}",
                DestRule {
                    edit,
                    service: key,
                    dest
                }
            );
        }
    }

    fn end(&mut self, _: &mut Vec<u8>) {}
}

/// The whole table as restorable rules, one per line, in ipvsadm's order.
pub fn render(snapshot: &Snapshot) -> String {
    sink::render(&mut SaveSink, snapshot, UNIX_EPOCH)
}
