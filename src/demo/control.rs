//! Table changes, accepted or refused the way net/netfilter/ipvs/ip_vs_ctl.c
//! does (ip_vs_genl_set_cmd, ip_vs_add_service, ip_vs_edit_service,
//! ip_vs_add_dest, ip_vs_edit_dest, ip_vs_del_dest, ip_vs_set_timeout; the
//! sync daemons in `sync_daemons`), in
//! the same order of checks so that the same errno comes back.

use std::net::IpAddr;

use super::scheduler::KNOWN;
use super::sim::{Sim, SimService};
use super::traffic::Traffic;
use crate::model::{Change, Dest, Family, Forward, Protocol, Service, ServiceKey, Timeouts};

/// The kernel's HZ for the timeout limit (INT_MAX / HZ); Debian's default.
const HZ: u32 = 250;
/// IP_VS_SCHEDNAME_MAXLEN / IP_VS_PENAME_MAXLEN include the NUL.
const NAME_MAX: usize = 16;

impl Sim {
    /// Applies `change`, or returns the positive errno the kernel would.
    pub fn apply(
        &mut self,
        change: &Change,
        traffic_for: impl Fn(&ServiceKey) -> Traffic,
    ) -> Result<(), i32> {
        match change {
            Change::Flush => {
                self.services.clear();
                Ok(())
            }
            Change::Zero(None) => {
                for s in &mut self.services {
                    s.zero();
                }
                self.totals.zero();
                Ok(())
            }
            Change::SetTimeouts(t) => self.set_timeouts(t),
            Change::StartDaemon(d) => self.start_daemon(d),
            Change::StopDaemon(role) => self.stop_daemon(*role),
            Change::Zero(Some(key)) => {
                let i = self.find(key).ok_or(libc::ESRCH)?;
                self.services[i].zero();
                Ok(())
            }
            Change::AddService(s) => {
                check_service_attrs(s)?;
                if self.find(&s.key).is_some() {
                    return Err(libc::EEXIST);
                }
                check_service(s)?;
                let mut cfg = s.clone();
                cfg.stats = Default::default();
                self.services
                    .push(SimService::new(cfg, traffic_for(&s.key)));
                Ok(())
            }
            Change::EditService(s) => {
                check_service_attrs(s)?;
                let i = self.find(&s.key).ok_or(libc::ESRCH)?;
                check_service(s)?;
                self.services[i].set_config(s.clone());
                Ok(())
            }
            Change::DeleteService(key) => {
                let i = self.find(key).ok_or(libc::ESRCH)?;
                self.services.remove(i);
                Ok(())
            }
            Change::AddDest { service, dest } => {
                let si = self.find(service).ok_or(libc::ESRCH)?;
                check_family(service, dest, !self.daemons.is_empty())?;
                check_dest(dest)?;
                let svc = &mut self.services[si];
                if svc.find(&dest.key()).is_some() {
                    return Err(libc::EEXIST);
                }
                let from_trash = svc.trash.iter().any(|d| d.cfg.key() == dest.key());
                if !from_trash {
                    check_unicast(dest.addr)?;
                }
                let id = self.next_dest_id;
                self.next_dest_id += 1;
                svc.add_dest(id, dest.clone());
                Ok(())
            }
            Change::EditDest { service, dest } => {
                let si = self.find(service).ok_or(libc::ESRCH)?;
                check_family(service, dest, !self.daemons.is_empty())?;
                check_dest(dest)?;
                let svc = &mut self.services[si];
                let di = svc.find(&dest.key()).ok_or(libc::ENOENT)?;
                svc.edit_dest(di, dest.clone());
                Ok(())
            }
            Change::DeleteDest { service, dest } => {
                let si = self.find(service).ok_or(libc::ESRCH)?;
                let svc = &mut self.services[si];
                let di = svc.find(dest).ok_or(libc::ENOENT)?;
                svc.delete_dest(di);
                Ok(())
            }
        }
    }

    /// ip_vs_set_timeout: each value must fit INT_MAX jiffies; 0 keeps the
    /// current one.
    fn set_timeouts(&mut self, t: &Timeouts) -> Result<(), i32> {
        let limit = i32::MAX as u32 / HZ;
        if t.tcp > limit || t.tcp_fin > limit || t.udp > limit {
            return Err(libc::EINVAL);
        }
        let cur = &mut self.timeouts;
        for (new, old) in [
            (t.tcp, &mut cur.tcp),
            (t.tcp_fin, &mut cur.tcp_fin),
            (t.udp, &mut cur.udp),
        ] {
            if new != 0 {
                *old = new;
            }
        }
        Ok(())
    }
}

/// Netlink policy checks (ip_vs_svc_policy): names must fit their buffers.
fn check_service_attrs(s: &Service) -> Result<(), i32> {
    if s.scheduler.len() >= NAME_MAX || s.pe_name.as_ref().is_some_and(|p| p.len() >= NAME_MAX) {
        return Err(libc::EINVAL);
    }
    Ok(())
}

/// ip_vs_add_service / ip_vs_edit_service: scheduler, persistence engine,
/// then the IPv6 prefix length.
fn check_service(s: &Service) -> Result<(), i32> {
    if s.scheduler != "none" && !KNOWN.contains(&s.scheduler.as_str()) {
        return Err(libc::ENOENT);
    }
    if let Some(pe) = s.pe_name.as_deref() {
        if !pe.is_empty() && pe != "sip" {
            return Err(libc::ENOENT);
        }
    }
    if s.key.family() == Family::V6 && !(1..=128).contains(&s.netmask) {
        return Err(libc::EINVAL);
    }
    Ok(())
}

/// ip_vs_genl_set_cmd: a real server of another family than its service
/// is refused while a sync daemon runs, and must use tunnel forwarding.
fn check_family(service: &ServiceKey, dest: &Dest, syncing: bool) -> Result<(), i32> {
    if Family::of(&dest.addr) != service.family() && (syncing || dest.forward != Forward::Tunnel) {
        return Err(libc::EINVAL);
    }
    Ok(())
}

/// ip_vs_add_dest / ip_vs_edit_dest argument checks, in kernel order.
fn check_dest(d: &Dest) -> Result<(), i32> {
    // udest->weight is an int: a u32 above INT_MAX arrives negative.
    if d.weight > i32::MAX as u32 {
        return Err(libc::ERANGE);
    }
    if d.lower_threshold > d.upper_threshold {
        return Err(libc::ERANGE);
    }
    if d.upper_threshold > i32::MAX as u32 {
        return Err(libc::EINVAL);
    }
    if d.tun_type == crate::model::TunnelType::Gue && d.tun_port == 0 {
        return Err(libc::EINVAL);
    }
    Ok(())
}

/// ip_vs_new_dest: only unicast (or local) addresses can be real servers.
fn check_unicast(addr: IpAddr) -> Result<(), i32> {
    let ok = match addr {
        // inet_addr_type: 0.0.0.0/8 and 255.255.255.255 are RTN_BROADCAST.
        IpAddr::V4(a) => !(a.octets()[0] == 0 || a.is_broadcast() || a.is_multicast()),
        // ipv6_addr_type: not unspecified, not multicast, not link-local.
        IpAddr::V6(a) => {
            !(a.is_unspecified() || a.is_multicast() || (a.segments()[0] & 0xffc0) == 0xfe80)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(libc::EINVAL)
    }
}

/// Whether connections of a service are UDP-like (no active state).
pub fn datagram_key(key: &ServiceKey) -> bool {
    matches!(
        key,
        ServiceKey::Addr {
            protocol: Protocol::Udp,
            ..
        }
    )
}
