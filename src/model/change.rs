use serde::{Deserialize, Serialize};

use super::{Dest, DestKey, Service, ServiceKey, SyncDaemon, SyncRole, Timeouts};

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
    Zero(#[serde(with = "zero_target")] Option<ServiceKey>),
    /// `ipvsadm -C`
    Flush,
    /// `ipvsadm --set`
    SetTimeouts(Timeouts),
    /// `ipvsadm --start-daemon` with its options.
    StartDaemon(SyncDaemon),
    /// `ipvsadm --stop-daemon master|backup`.
    StopDaemon(#[serde(with = "stop_role")] SyncRole),
}

/// A relative weight change: add `delta` to a real server's weight as read
/// when the write is sent (clamped to 0..=[`super::MAX_WEIGHT`]). The
/// monitor's weight keys coalesce presses into these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NudgeWrite {
    pub service: ServiceKey,
    pub dest: DestKey,
    pub delta: i64,
}

/// `Zero`'s target as `{"op":"zero","service":KEY|null}`: an internally
/// tagged enum cannot hold a bare Option (serde refuses to serialize it).
mod zero_target {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::model::ServiceKey;

    #[derive(Serialize, Deserialize)]
    struct Target {
        service: Option<ServiceKey>,
    }

    pub fn serialize<S: Serializer>(v: &Option<ServiceKey>, s: S) -> Result<S::Ok, S::Error> {
        Target { service: *v }.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ServiceKey>, D::Error> {
        Ok(Target::deserialize(d)?.service)
    }
}

/// `StopDaemon`'s role as `{"op":"stop_daemon","role":"master"}`, for the
/// same reason as `zero_target`.
mod stop_role {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::model::SyncRole;

    #[derive(Serialize, Deserialize)]
    struct Target {
        role: SyncRole,
    }

    pub fn serialize<S: Serializer>(v: &SyncRole, s: S) -> Result<S::Ok, S::Error> {
        Target { role: *v }.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SyncRole, D::Error> {
        Ok(Target::deserialize(d)?.role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Interface, Protocol};

    #[test]
    fn every_change_round_trips_through_json() {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.1".parse().unwrap(),
            port: 80,
        };
        let dest = Dest::new("10.0.0.1".parse().unwrap(), 80);
        let all = [
            Change::AddService(Service::new(key, "wlc")),
            Change::EditService(Service::new(key, "rr")),
            Change::DeleteService(key),
            Change::AddDest {
                service: key,
                dest: dest.clone(),
            },
            Change::EditDest {
                service: key,
                dest: dest.clone(),
            },
            Change::DeleteDest {
                service: key,
                dest: dest.key(),
            },
            Change::Zero(Some(key)),
            Change::Zero(None),
            Change::Flush,
            Change::SetTimeouts(Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 300,
            }),
            Change::StartDaemon(SyncDaemon {
                sync_id: 3,
                group: Some("ff02::81".parse().unwrap()),
                port: Some(8849),
                ..SyncDaemon::new(SyncRole::Master, Interface::new("eth0").unwrap())
            }),
            Change::StopDaemon(SyncRole::Backup),
        ];
        for c in all {
            let text = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Change>(&text).unwrap(), c, "{text}");
        }
        assert_eq!(
            serde_json::to_string(&Change::Zero(None)).unwrap(),
            r#"{"op":"zero","service":null}"#
        );
        assert_eq!(
            serde_json::to_string(&Change::StopDaemon(SyncRole::Master)).unwrap(),
            r#"{"op":"stop_daemon","role":"master"}"#
        );
    }
}
