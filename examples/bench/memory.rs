//! The table `build` makes, served from memory (no kernel, no VM): for
//! profiling the monitor's UI thread on the host (`bench tui-memory`),
//! where the kernel's share of the polling thread is absent.

use lvstop::model::Service;
use lvstop::testkit::UniformTable;

use super::build::{dest, service_key};

/// `services` wlc services, each with the same `dests` real servers.
pub fn table(services: u32, dests: u32) -> UniformTable {
    let services = (0..services)
        .map(|i| Service::new(service_key(i), "wlc"))
        .collect();
    // In the kernel's order: each new real server goes first.
    UniformTable::new(services, (0..dests).rev().map(dest).collect())
}
