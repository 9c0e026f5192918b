//! The one path every batch format takes: a [`Sink`] fed the table service by
//! service, in ipvsadm's order, writing into a byte buffer.
//!
//! ipvsadm's order needs the whole services list before the first line, but
//! each service's real servers only when it is written, so a format never
//! sees (and the reader never holds) more than one service's real servers.
//! A new format (connections, openmetrics, replay export) is one more `Sink`;
//! `stream` feeds it from the kernel, [`render`] from a snapshot already read.

use std::time::SystemTime;

use crate::model::{Dest, Info, Service, Snapshot};

use super::order;

/// One batch format, written a service at a time into `out` (the caller
/// flushes `out` to its writer between services).
pub trait Sink {
    /// Before the first service of one reading of the table, taken at `at`.
    fn begin(&mut self, out: &mut Vec<u8>, info: &Info, at: SystemTime);
    /// One service and its real servers, both in ipvsadm's order.
    fn service(&mut self, out: &mut Vec<u8>, service: &Service, dests: &[&Dest]);
    /// After the last service.
    fn end(&mut self, out: &mut Vec<u8>);
}

/// Services in ipvsadm's listing order (libipvs sorts the list it read).
pub fn services_in_order(services: &[Service]) -> Vec<&Service> {
    let mut sorted: Vec<&Service> = services.iter().collect();
    order::msort(&mut sorted, &|a, b| order::cmp_services(a, b));
    sorted
}

/// One service's real servers in ipvsadm's listing order.
pub fn dests_in_order(dests: &[Dest]) -> Vec<&Dest> {
    let mut sorted: Vec<&Dest> = dests.iter().collect();
    order::msort(&mut sorted, &|a, b| order::cmp_dests(a, b));
    sorted
}

/// Feeds a snapshot already read through `sink`, appending to `out`.
pub fn feed(sink: &mut dyn Sink, snapshot: &Snapshot, at: SystemTime, out: &mut Vec<u8>) {
    sink.begin(out, &snapshot.info, at);
    for (service, dests) in order::sorted(snapshot) {
        sink.service(out, service, &dests);
    }
    sink.end(out);
}

/// A snapshot through `sink`, as text.
pub fn render(sink: &mut dyn Sink, snapshot: &Snapshot, at: SystemTime) -> String {
    let mut out = Vec::new();
    feed(sink, snapshot, at, &mut out);
    String::from_utf8(out).expect("every sink writes UTF-8")
}
