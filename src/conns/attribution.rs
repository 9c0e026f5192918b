//! Which service and real server a connection-table entry belongs to.
//!
//! The kernel prints no service for an entry, so it is found the way the
//! kernel filled the entry in (net/netfilter/ipvs/ip_vs_core.c):
//! - an address service's entries carry its protocol, virtual address and
//!   the port the client asked for (a port-zero persistent service's entries
//!   carry the client's port, so `(protocol, vip, 0)` is looked up next);
//! - persistence templates (`ip_vs_sched_persist`) carry the service port when
//!   the client asked for it, and port 0 otherwise (FTP on 21: virtual and
//!   real port 0; port-zero services: virtual port 0);
//! - a firewall-mark service's connections carry the packet's own protocol,
//!   destination address and port, not the mark, so they are found by their
//!   real server among the fwmark services' real servers; its templates are
//!   protocol `IP` with the mark as virtual address (`htonl(mark)` in the
//!   address's first four bytes: `0.0.0.7`, or `0:7::` for IPv6).
//!
//! A real server with port 0 (fwmark and port-zero services) takes the
//! client's destination port, so it matches an entry on any port.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use crate::model::{
    Connection, DestKey, Family, Protocol, ServiceEntry, ServiceFlags, ServiceKey, Snapshot,
};

/// Where a real server stands in its service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    /// In the service with a weight above 0.
    Serving,
    /// In the service with weight 0: drained, its entries wind down.
    Drained,
    /// No longer in the service: its entries still route to it until they expire.
    Gone,
}

impl Standing {
    /// A real server still in its service: drained at weight 0.
    pub fn of_weight(weight: u32) -> Standing {
        if weight == 0 {
            Standing::Drained
        } else {
            Standing::Serving
        }
    }
}

/// The service and real server an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub service: ServiceKey,
    /// The real server as configured (port 0 kept); the entry's own real
    /// address when `Gone`.
    pub dest: DestKey,
    pub standing: Standing,
    /// The service's place in the snapshot, and the real server's (None when gone).
    pub(super) slot: (usize, Option<usize>),
}

/// What attribution needs of a service: its key, whether it is persistent,
/// its real servers and their weights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceShape {
    pub key: ServiceKey,
    pub persistent: bool,
    pub dests: Vec<(DestKey, u32)>,
}

impl ServiceShape {
    pub fn of(entry: &ServiceEntry) -> ServiceShape {
        ServiceShape {
            key: entry.service.key,
            persistent: entry.service.flags.has(ServiceFlags::PERSISTENT),
            dests: entry.dests.iter().map(|d| (d.key(), d.weight)).collect(),
        }
    }
}

/// Maps entries to services and real servers; built once per reading.
pub struct Attribution {
    services: Vec<ServiceShape>,
    /// Address services by protocol, virtual address and port.
    by_addr: HashMap<(Protocol, IpAddr, u16), usize>,
    /// Fwmark services by family and mark.
    by_mark: HashMap<(Family, u32), usize>,
    /// Each service's real servers by address and port.
    dests: HashMap<(usize, IpAddr, u16), usize>,
    /// Each service's first real server at an address (templates with real port 0).
    dest_at: HashMap<(usize, IpAddr), usize>,
    /// Real servers of fwmark services by address and port (first service wins).
    mark_dests: HashMap<(IpAddr, u16), (usize, usize)>,
}

impl Attribution {
    pub fn new(snapshot: &Snapshot) -> Attribution {
        Attribution::of_services(&snapshot.services)
    }

    pub fn of_services(entries: &[ServiceEntry]) -> Attribution {
        Attribution::of_shapes(entries.iter().map(ServiceShape::of))
    }

    /// From services as the monitor's owner thread keeps them, in order.
    pub fn of_shapes(shapes: impl IntoIterator<Item = ServiceShape>) -> Attribution {
        let mut a = Attribution {
            services: Vec::new(),
            by_addr: HashMap::new(),
            by_mark: HashMap::new(),
            dests: HashMap::new(),
            dest_at: HashMap::new(),
            mark_dests: HashMap::new(),
        };
        for (si, shape) in shapes.into_iter().enumerate() {
            let key = shape.key;
            match key {
                ServiceKey::Addr {
                    protocol,
                    addr,
                    port,
                } => {
                    a.by_addr.entry((protocol, addr, port)).or_insert(si);
                }
                ServiceKey::Fwmark { family, mark } => {
                    a.by_mark.entry((family, mark)).or_insert(si);
                }
            }
            for (di, (d, _)) in shape.dests.iter().enumerate() {
                a.dests.entry((si, d.addr, d.port)).or_insert(di);
                a.dest_at.entry((si, d.addr)).or_insert(di);
                if matches!(key, ServiceKey::Fwmark { .. }) {
                    a.mark_dests.entry((d.addr, d.port)).or_insert((si, di));
                }
            }
            a.services.push(shape);
        }
        a
    }

    /// The services, in the snapshot's order.
    pub fn services(&self) -> impl Iterator<Item = ServiceKey> + '_ {
        self.services.iter().map(|s| s.key)
    }

    /// A service's real servers (as configured) and weights, in the snapshot's order.
    pub fn dests(&self, service: usize) -> &[(DestKey, u32)] {
        self.services.get(service).map_or(&[], |s| &s.dests)
    }

    pub fn service_index(&self, key: &ServiceKey) -> Option<usize> {
        self.services.iter().position(|s| s.key == *key)
    }

    /// The service and real server of `c`, or None when no service claims it.
    pub fn owner(&self, c: &Connection) -> Option<Owner> {
        if c.protocol.as_str() == "IP" {
            return self.fwmark_template(c);
        }
        let address_service = self.address_service(c);
        if let Some(si) = address_service {
            if let Some(di) = self.dest_in(si, c.real, c.is_template()) {
                return Some(self.owner_at(si, Some(di), c.real));
            }
        }
        if let Some(&(si, di)) = self
            .mark_dests
            .get(&(c.real.ip(), c.real.port()))
            .or_else(|| self.mark_dests.get(&(c.real.ip(), 0)))
        {
            if self.services[si].key.family() == Family::of(&c.client.ip()) {
                return Some(self.owner_at(si, Some(di), c.real));
            }
        }
        address_service.map(|si| self.owner_at(si, None, c.real))
    }

    fn fwmark_template(&self, c: &Connection) -> Option<Owner> {
        let mark = match c.virtual_addr.ip() {
            IpAddr::V4(a) => u32::from(a),
            IpAddr::V6(a) => (u128::from(a) >> 96) as u32,
        };
        let family = Family::of(&c.client.ip());
        let si = *self.by_mark.get(&(family, mark))?;
        let di = self.dest_in(si, c.real, true);
        Some(self.owner_at(si, di, c.real))
    }

    fn address_service(&self, c: &Connection) -> Option<usize> {
        let protocol = match c.protocol.as_str() {
            "TCP" => Protocol::Tcp,
            "UDP" => Protocol::Udp,
            "SCTP" => Protocol::Sctp,
            _ => return None,
        };
        let vip = c.virtual_addr.ip();
        let vport = c.virtual_addr.port();
        if let Some(&si) = self
            .by_addr
            .get(&(protocol, vip, vport))
            .or_else(|| self.by_addr.get(&(protocol, vip, 0)))
        {
            return Some(si);
        }
        if !(c.is_template() && vport == 0) {
            return None;
        }
        // A template on port 0 of a persistent service on a port (FTP's):
        // the service at that address whose real server it names, else the
        // only persistent one there.
        let persistent_here = |s: &&ServiceShape| match s.key {
            ServiceKey::Addr {
                protocol: p, addr, ..
            } => s.persistent && p == protocol && addr == vip,
            ServiceKey::Fwmark { .. } => false,
        };
        let candidates: Vec<usize> = self
            .services
            .iter()
            .enumerate()
            .filter(|(_, s)| persistent_here(s))
            .map(|(i, _)| i)
            .collect();
        candidates
            .iter()
            .copied()
            .find(|&si| self.dest_in(si, c.real, true).is_some())
            .or(match candidates.as_slice() {
                [only] => Some(*only),
                _ => None,
            })
    }

    fn dest_in(&self, si: usize, real: SocketAddr, template: bool) -> Option<usize> {
        let ip = real.ip();
        self.dests
            .get(&(si, ip, real.port()))
            .or_else(|| self.dests.get(&(si, ip, 0)))
            .or_else(|| {
                (template && real.port() == 0)
                    .then(|| self.dest_at.get(&(si, ip)))
                    .flatten()
            })
            .copied()
    }

    fn owner_at(&self, si: usize, di: Option<usize>, real: SocketAddr) -> Owner {
        let service = &self.services[si];
        let (dest, standing) = match di {
            Some(di) => {
                let (key, weight) = service.dests[di];
                (key, Standing::of_weight(weight))
            }
            None => (
                DestKey {
                    addr: real.ip(),
                    port: real.port(),
                },
                Standing::Gone,
            ),
        };
        Owner {
            service: service.key,
            dest,
            standing,
            slot: (si, di),
        }
    }
}
