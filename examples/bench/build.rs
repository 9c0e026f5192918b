//! Builds a synthetic table through lvstop's own kernel client: one ADD per
//! service and per real server, each acknowledged (faster than `ipvsadm -R`,
//! which resolves the family and opens a socket per line).

use std::net::{IpAddr, Ipv4Addr};

use lvstop::backend::{Error, Writer};
use lvstop::kernel::Client;
use lvstop::model::{Change, Dest, Protocol, Service, ServiceKey};

/// Service `i`: TCP 198.18.0.0/15 (the benchmarking range) + i, port 80.
pub fn service_key(i: u32) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: IpAddr::V4(Ipv4Addr::from(u32::from(Ipv4Addr::new(198, 18, 0, 0)) + i)),
        port: 80,
    }
}

/// Real server `j` of any service: 172.16.0.0/12 + j, port 8080. Services
/// share real servers, as in a director that fronts one pool many times.
pub fn dest(j: u32) -> Dest {
    let mut d = Dest::new(
        IpAddr::V4(Ipv4Addr::from(u32::from(Ipv4Addr::new(172, 16, 0, 1)) + j)),
        8080,
    );
    d.weight = 1 + j % 5;
    d
}

/// Flush, then add `services` services with `dests` real servers each.
pub fn build(client: &mut Client, services: u32, dests: u32) -> Result<(), Error> {
    client.apply(&Change::Flush)?;
    for i in 0..services {
        let key = service_key(i);
        client.apply(&Change::AddService(Service::new(key, "wlc")))?;
        for j in 0..dests {
            client.apply(&Change::AddDest {
                service: key,
                dest: dest(j),
            })?;
        }
    }
    Ok(())
}
