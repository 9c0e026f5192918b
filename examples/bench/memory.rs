//! The table `build` makes, served from memory (no kernel, no VM): for
//! profiling the monitor's UI thread on the host (`bench tui-memory`),
//! where the kernel's share of the polling thread is absent.

use lvstop::model::{Dest, Info, Protocol, Service, ServiceKey};
use lvstop::testkit::{conn, FakeTable, Traffic, UniformTable};

use super::build::{dest, service_key};

/// `services` wlc services, each with the same `dests` real servers.
pub fn table(services: u32, dests: u32) -> UniformTable {
    let services = (0..services)
        .map(|i| Service::new(service_key(i), "wlc"))
        .collect();
    // In the kernel's order: each new real server goes first.
    UniformTable::new(services, (0..dests).rev().map(dest).collect())
}

/// `tools/bench --connections`' table, `entries` UDP entries from random
/// clients to 198.51.100.10:53 spread 1:2:3 over its real servers, served
/// from memory (`bench tui-conns-memory`): what the monitor's frames with
/// the connections view cost on the host, without the kernel's walk.
pub fn conn_table(entries: u32) -> FakeTable {
    let key = ServiceKey::Addr {
        protocol: Protocol::Udp,
        addr: "198.51.100.10".parse().unwrap(),
        port: 53,
    };
    let traffic = Traffic {
        cps: 0,
        pps: 0,
        bps: 0,
    };
    let dests = (1..=3u8)
        .map(|w| {
            let mut d = Dest::new(format!("192.0.2.1{w}").parse().unwrap(), 53);
            d.weight = u32::from(w);
            (d, traffic)
        })
        .collect();
    let mut x: u32 = 0x2545_F491;
    let connections = (0..entries)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let client = format!(
                "10.{}.{}.{}:{}",
                (x >> 16) & 63,
                (x >> 8) & 255,
                x & 255,
                1024 + (x >> 22)
            );
            let real = format!("192.0.2.1{}:53", [1, 2, 2, 3, 3, 3][i as usize % 6]);
            conn(
                "UDP",
                &client,
                "198.51.100.10:53",
                &real,
                "UDP",
                3000 + i % 600,
            )
        })
        .collect();
    FakeTable {
        services: vec![(Service::new(key, "wrr"), dests)],
        info: Info {
            version: 0x010201,
            conn_tab_size: 4096,
        },
        connections,
        wave: false,
        ..FakeTable::empty()
    }
}
