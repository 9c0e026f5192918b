//! Between the daemon nest (IPVS_CMD_ATTR_DAEMON) and `model::SyncDaemon`:
//! the GET_DAEMON dump's entries, and the NEW/DEL_DAEMON requests as
//! ipvsadm 1.31 (libipvs `ipvs_start_daemon` / `ipvs_stop_daemon`) sends them.

use std::net::IpAddr;

use netlink_packet_core::DecodeError;

use super::command::IpvsCmd;
use super::daemon::{DaemonAttr, IP_VS_STATE_BACKUP, IP_VS_STATE_MASTER};
use super::message::{IpvsAttr, IpvsMessage};
use crate::model::{Interface, SyncDaemon, SyncRole};

fn state(role: SyncRole) -> u32 {
    match role {
        SyncRole::Master => IP_VS_STATE_MASTER,
        SyncRole::Backup => IP_VS_STATE_BACKUP,
    }
}

/// A running sync daemon, from a GET_DAEMON dump entry. The kernel sends
/// one entry per running daemon, each with one state; a state, sync id or
/// interface name lvstop cannot represent is an error naming it.
pub fn daemon_from_message(msg: &IpvsMessage) -> Result<SyncDaemon, DecodeError> {
    let attrs = msg
        .nlas
        .iter()
        .find_map(|a| match a {
            IpvsAttr::Daemon(d) => Some(d),
            _ => None,
        })
        .ok_or_else(|| DecodeError::from("message without IPVS_CMD_ATTR_DAEMON"))?;
    let (mut role, mut interface, mut sync_id) = (None, None, 0u32);
    let (mut max_len, mut group, mut port, mut ttl) = (None, None, None, None);
    for a in attrs {
        match a {
            DaemonAttr::State(IP_VS_STATE_MASTER) => role = Some(SyncRole::Master),
            DaemonAttr::State(IP_VS_STATE_BACKUP) => role = Some(SyncRole::Backup),
            DaemonAttr::State(v) => {
                return Err(DecodeError::from(format!(
                    "unknown sync daemon state {v} in IPVS_DAEMON_ATTR_STATE"
                )))
            }
            DaemonAttr::McastIfn(s) => {
                interface = Some(Interface::new(s).map_err(|e| {
                    DecodeError::from(format!("invalid IPVS_DAEMON_ATTR_MCAST_IFN: {e}"))
                })?)
            }
            DaemonAttr::SyncId(v) => sync_id = *v,
            DaemonAttr::SyncMaxlen(v) => max_len = Some(*v),
            DaemonAttr::McastGroup(a) => group = Some(IpAddr::V4(*a)),
            DaemonAttr::McastGroup6(a) => group = Some(IpAddr::V6(*a)),
            DaemonAttr::McastPort(v) => port = Some(*v),
            DaemonAttr::McastTtl(v) => ttl = Some(*v),
            DaemonAttr::Other(_) => {}
        }
    }
    let role = role.ok_or_else(|| DecodeError::from("sync daemon without a state"))?;
    let interface =
        interface.ok_or_else(|| DecodeError::from("sync daemon without an interface"))?;
    let sync_id = u8::try_from(sync_id).map_err(|_| {
        DecodeError::from(format!(
            "sync daemon id {sync_id} in IPVS_DAEMON_ATTR_SYNC_ID is above 255"
        ))
    })?;
    Ok(SyncDaemon {
        role,
        interface,
        sync_id,
        max_len,
        group,
        port,
        ttl,
    })
}

/// NEW_DAEMON: state, interface and sync id always; each option only when
/// set (the kernel then uses its default), in libipvs's order.
pub fn start_daemon_request(d: &SyncDaemon) -> IpvsMessage {
    let mut attrs = vec![
        DaemonAttr::State(state(d.role)),
        DaemonAttr::McastIfn(d.interface.as_str().to_string()),
        DaemonAttr::SyncId(d.sync_id.into()),
    ];
    attrs.extend(d.max_len.map(DaemonAttr::SyncMaxlen));
    attrs.extend(d.port.map(DaemonAttr::McastPort));
    attrs.extend(d.ttl.map(DaemonAttr::McastTtl));
    attrs.extend(d.group.map(|g| match g {
        IpAddr::V4(a) => DaemonAttr::McastGroup(a),
        IpAddr::V6(a) => DaemonAttr::McastGroup6(a),
    }));
    IpvsMessage::new(IpvsCmd::NewDaemon, vec![IpvsAttr::Daemon(attrs)])
}

/// DEL_DAEMON: the kernel reads only the state; ipvsadm also sends an empty
/// interface and sync id 0, and so do we, byte for byte.
pub fn stop_daemon_request(role: SyncRole) -> IpvsMessage {
    IpvsMessage::new(
        IpvsCmd::DelDaemon,
        vec![IpvsAttr::Daemon(vec![
            DaemonAttr::State(state(role)),
            DaemonAttr::McastIfn(String::new()),
            DaemonAttr::SyncId(0),
        ])],
    )
}
