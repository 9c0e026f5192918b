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

use std::time::{SystemTime, UNIX_EPOCH};

use crate::model::{Change, Dest, Info, Service, Snapshot};

use super::command::rule;
use super::sink::{self, Sink};

/// The save format as a [`Sink`]: each service's rules written as it is read.
pub struct SaveSink;

impl Sink for SaveSink {
    fn begin(&mut self, _: &mut Vec<u8>, _: &Info, _: SystemTime) {}

    fn service(&mut self, out: &mut Vec<u8>, service: &Service, dests: &[&Dest]) {
        out.extend_from_slice(rule(&Change::AddService(service.clone())).as_bytes());
        out.push(b'\n');
        for d in dests {
            let add = Change::AddDest {
                service: service.key,
                dest: (*d).clone(),
            };
            out.extend_from_slice(rule(&add).as_bytes());
            out.push(b'\n');
        }
    }

    fn end(&mut self, _: &mut Vec<u8>) {}
}

/// The whole table as restorable rules, one per line, in ipvsadm's order.
pub fn render(snapshot: &Snapshot) -> String {
    sink::render(&mut SaveSink, snapshot, UNIX_EPOCH)
}
