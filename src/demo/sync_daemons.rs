//! The demo's sync daemons, started and stopped as net/netfilter/ipvs does
//! (ip_vs_genl_new_daemon, start_sync_thread, stop_sync_thread): the same
//! checks in the same order, the same defaults filled in.

use std::net::{IpAddr, Ipv4Addr};

use super::sim::Sim;
use crate::model::{Family, Interface, SyncDaemon, SyncRole};

/// The demo director's interfaces and their MTUs.
const INTERFACES: [(&str, u32); 3] = [("lo", 65536), ("eth0", 1500), ("eth1", 1500)];

/// IP_VS_SYNC_GROUP, IP_VS_SYNC_PORT.
const GROUP: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 81);
const PORT: u16 = 8848;

/// The master daemon the demo director starts with, on its second NIC.
pub fn initial() -> Vec<SyncDaemon> {
    let eth1 = Interface::new("eth1").expect("a valid name");
    let asked = SyncDaemon {
        sync_id: 7,
        ..SyncDaemon::new(SyncRole::Master, eth1)
    };
    vec![with_defaults(asked, 1500)]
}

impl Sim {
    /// ip_vs_genl_new_daemon, then start_sync_thread.
    pub fn start_daemon(&mut self, d: &SyncDaemon) -> Result<(), i32> {
        if d.group.is_some_and(|g| !g.is_multicast()) {
            return Err(libc::EINVAL);
        }
        // "The synchronization protocol is incompatible with mixed family
        // services."
        if self.mixed_family_dests() {
            return Err(libc::EINVAL);
        }
        let (_, mtu) = INTERFACES
            .iter()
            .find(|(name, _)| *name == d.interface.as_str())
            .ok_or(libc::ENODEV)?;
        if self.daemons.iter().any(|r| r.role == d.role) {
            return Err(libc::EEXIST);
        }
        self.daemons.push(with_defaults(d.clone(), *mtu));
        self.daemons.sort_by_key(|r| r.role);
        Ok(())
    }

    /// stop_sync_thread: ESRCH when that role is not running.
    pub fn stop_daemon(&mut self, role: SyncRole) -> Result<(), i32> {
        let i = self
            .daemons
            .iter()
            .position(|r| r.role == role)
            .ok_or(libc::ESRCH)?;
        self.daemons.remove(i);
        Ok(())
    }

    /// The kernel's `mixed_address_family_dests > 0`.
    fn mixed_family_dests(&self) -> bool {
        self.services.iter().any(|s| {
            let family = s.cfg.key.family();
            s.dests.iter().any(|d| Family::of(&d.cfg.addr) != family)
        })
    }
}

/// What start_sync_thread stores: group, port and TTL defaulted, the
/// message length clamped (or taken from the MTU) less the headers.
fn with_defaults(mut d: SyncDaemon, mtu: u32) -> SyncDaemon {
    let group = *d.group.get_or_insert(IpAddr::V4(GROUP));
    d.port = Some(d.port.unwrap_or(PORT));
    d.ttl = Some(d.ttl.unwrap_or(1));
    let headers: u32 = match group {
        IpAddr::V4(_) => 20 + 8,
        IpAddr::V6(_) => 40 + 8,
    };
    let (mtu, min) = match d.role {
        SyncRole::Backup => (mtu.clamp(1500, 65535), 1024),
        SyncRole::Master => (1500, 1),
    };
    let len = match d.max_len {
        Some(len) => u32::from(len).clamp(min, 65535 - headers),
        None => mtu - headers,
    };
    d.max_len = Some(len as u16);
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Change, Dest, Forward, Protocol, Service, ServiceKey};

    fn sim() -> Sim {
        Sim::new(1)
    }

    fn daemon(role: SyncRole, interface: &str) -> SyncDaemon {
        SyncDaemon::new(role, Interface::new(interface).unwrap())
    }

    fn apply(sim: &mut Sim, change: &Change) -> Result<(), i32> {
        sim.apply(change, |_| {
            super::super::traffic::Traffic::default_for(false)
        })
    }

    #[test]
    fn the_kernel_defaults_are_filled_in() {
        let mut sim = sim();
        sim.start_daemon(&daemon(SyncRole::Master, "eth0")).unwrap();
        sim.start_daemon(&daemon(SyncRole::Backup, "lo")).unwrap();
        let [m, b] = &sim.daemons[..] else {
            panic!("{:?}", sim.daemons)
        };
        assert_eq!(m.max_len, Some(1472));
        assert_eq!(b.max_len, Some(65507));
        assert_eq!(m.group, Some(IpAddr::V4(GROUP)));
        assert_eq!((m.port, m.ttl), (Some(8848), Some(1)));
        let mut v6 = daemon(SyncRole::Master, "eth1");
        v6.group = Some("ff02::81".parse().unwrap());
        v6.max_len = Some(65535 - 20 - 8);
        let mut sim = self::sim();
        sim.start_daemon(&v6).unwrap();
        assert_eq!(sim.daemons[0].max_len, Some(65535 - 48));
    }

    #[test]
    fn refusals_come_in_the_kernels_order() {
        let mut sim = sim();
        let mut bad = daemon(SyncRole::Master, "nosuch0");
        bad.group = Some("192.0.2.1".parse().unwrap());
        assert_eq!(sim.start_daemon(&bad), Err(libc::EINVAL));
        bad.group = None;
        assert_eq!(sim.start_daemon(&bad), Err(libc::ENODEV));
        sim.start_daemon(&daemon(SyncRole::Master, "eth0")).unwrap();
        assert_eq!(
            sim.start_daemon(&daemon(SyncRole::Master, "eth1")),
            Err(libc::EEXIST)
        );
        assert_eq!(sim.stop_daemon(SyncRole::Backup), Err(libc::ESRCH));
        sim.stop_daemon(SyncRole::Master).unwrap();
        assert!(sim.daemons.is_empty());
    }

    #[test]
    fn a_mixed_family_real_server_and_a_daemon_exclude_each_other() {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.30".parse().unwrap(),
            port: 80,
        };
        let mut v6 = Dest::new("2001:db8::33".parse().unwrap(), 80);
        v6.forward = Forward::Tunnel;
        let mut sim = sim();
        apply(&mut sim, &Change::AddService(Service::new(key, "rr"))).unwrap();
        let master = Change::StartDaemon(daemon(SyncRole::Master, "eth0"));
        apply(&mut sim, &master).unwrap();
        let add = Change::AddDest {
            service: key,
            dest: v6.clone(),
        };
        assert_eq!(apply(&mut sim, &add), Err(libc::EINVAL));
        apply(&mut sim, &Change::StopDaemon(SyncRole::Master)).unwrap();
        apply(&mut sim, &add).unwrap();
        assert_eq!(apply(&mut sim, &master), Err(libc::EINVAL));
    }
}
