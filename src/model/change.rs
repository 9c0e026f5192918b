use serde::{Deserialize, Serialize};

use super::{Dest, DestKey, Service, ServiceKey, Timeouts};

/// One change to the IPVS table: what a form, a key press or a restore file
/// asks for. Each maps to exactly one IPVS netlink command, so a change is
/// applied whole or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    /// `ipvsadm -A`
    AddService(Service),
    /// `ipvsadm -E`: scheduler, flags, timeout, netmask and persistence engine.
    EditService(Service),
    /// `ipvsadm -D`
    DeleteService(ServiceKey),
    /// `ipvsadm -a`
    AddDest { service: ServiceKey, dest: Dest },
    /// `ipvsadm -e`: the full real server (forwarding, weight, thresholds, tunnel).
    EditDest { service: ServiceKey, dest: Dest },
    /// `ipvsadm -d`
    DeleteDest { service: ServiceKey, dest: DestKey },
    /// `ipvsadm -Z`, one service or (None) all.
    Zero(Option<ServiceKey>),
    /// `ipvsadm -C`
    Flush,
    /// `ipvsadm --set`
    SetTimeouts(Timeouts),
}
