//! Every metric lvstop exports: its name, type and help, in the order the
//! file lists them. One place, so the README's table and the file agree.

use crate::model::Stats;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Counter,
    Gauge,
}

impl Type {
    pub fn word(self) -> &'static str {
        match self {
            Type::Counter => "counter",
            Type::Gauge => "gauge",
        }
    }
}

/// One metric family: all its samples are written together, after its HELP
/// and TYPE lines (the text format wants them grouped).
#[derive(Debug, Clone, Copy)]
pub struct Family {
    pub name: &'static str,
    pub kind: Type,
    pub help: &'static str,
}

const fn gauge(name: &'static str, help: &'static str) -> Family {
    Family {
        name,
        kind: Type::Gauge,
        help,
    }
}

const fn counter(name: &'static str, help: &'static str) -> Family {
    Family {
        name,
        kind: Type::Counter,
        help,
    }
}

// Indices into FAMILIES, in file order.
pub const INFO: usize = 0;
pub const CONN_TAB_SIZE: usize = 1;
pub const SERVICES: usize = 2;
pub const SYNC_DAEMON_UP: usize = 3;
pub const SYNC_DAEMON_INFO: usize = 4;
pub const SERVICE_INFO: usize = 5;
pub const SERVICE_PERSISTENCE: usize = 6;
pub const SERVICE_REAL_SERVERS: usize = 7;
/// The first of the ten service traffic families, in STATS order.
pub const SERVICE_STATS: usize = 8;
pub const BACKEND_INFO: usize = 18;
pub const BACKEND_WEIGHT: usize = 19;
pub const BACKEND_ACTIVE: usize = 20;
pub const BACKEND_INACTIVE: usize = 21;
pub const BACKEND_PERSISTENT: usize = 22;
pub const BACKEND_UPPER: usize = 23;
pub const BACKEND_LOWER: usize = 24;
/// The first of the ten real-server traffic families, in STATS order.
pub const BACKEND_STATS: usize = 25;

/// Connection entries by state, when the connection table was walked (-c).
pub const BACKEND_BY_STATE: usize = 35;
/// The monitor's alerts, when judged over consecutive readings.
pub const ALERTS: usize = 36;
pub const BACKEND_ALERT: usize = 37;

pub const FAMILIES: [Family; 38] = [
    gauge(
        "lvstop_ipvs_info",
        "IPVS is readable; the version label is the kernel's IPVS version. Always 1.",
    ),
    gauge(
        "lvstop_connection_table_size",
        "Buckets of the kernel's IPVS connection hash table.",
    ),
    gauge("lvstop_services", "Virtual services in the table."),
    gauge(
        "lvstop_sync_daemon_up",
        "1 when a connection-sync daemon of that role runs, else 0.",
    ),
    gauge(
        "lvstop_sync_daemon_info",
        "A running connection-sync daemon, its interface and sync id. Always 1.",
    ),
    gauge(
        "lvstop_service_info",
        "A virtual service and its scheduler. Always 1.",
    ),
    gauge(
        "lvstop_service_persistence_timeout_seconds",
        "Persistence timeout of the service, 0 when not persistent.",
    ),
    gauge(
        "lvstop_service_real_servers",
        "Real servers of the service.",
    ),
    counter(
        "lvstop_service_connections_total",
        "Connections the service scheduled.",
    ),
    counter(
        "lvstop_service_incoming_packets_total",
        "Packets from clients to the service.",
    ),
    counter(
        "lvstop_service_outgoing_packets_total",
        "Packets from the service to clients.",
    ),
    counter(
        "lvstop_service_incoming_bytes_total",
        "Bytes from clients to the service.",
    ),
    counter(
        "lvstop_service_outgoing_bytes_total",
        "Bytes from the service to clients.",
    ),
    gauge(
        "lvstop_service_connections_per_second",
        "The kernel's estimate of new connections per second.",
    ),
    gauge(
        "lvstop_service_incoming_packets_per_second",
        "The kernel's estimate of incoming packets per second.",
    ),
    gauge(
        "lvstop_service_outgoing_packets_per_second",
        "The kernel's estimate of outgoing packets per second.",
    ),
    gauge(
        "lvstop_service_incoming_bytes_per_second",
        "The kernel's estimate of incoming bytes per second.",
    ),
    gauge(
        "lvstop_service_outgoing_bytes_per_second",
        "The kernel's estimate of outgoing bytes per second.",
    ),
    gauge(
        "lvstop_backend_info",
        "A real server and its forwarding method. Always 1.",
    ),
    gauge(
        "lvstop_backend_weight",
        "Weight of the real server (0: no new connections).",
    ),
    gauge(
        "lvstop_backend_connections_active",
        "Active connections (ipvsadm's ActiveConn).",
    ),
    gauge(
        "lvstop_backend_connections_inactive",
        "Inactive connections (ipvsadm's InActConn).",
    ),
    gauge(
        "lvstop_backend_connections_persistent",
        "Persistence templates pointing to the real server (ipvsadm's PersistConn).",
    ),
    gauge(
        "lvstop_backend_upper_threshold",
        "Upper connection threshold (-x), 0 when none.",
    ),
    gauge(
        "lvstop_backend_lower_threshold",
        "Lower connection threshold (-y), 0 when none.",
    ),
    counter(
        "lvstop_backend_connections_total",
        "Connections scheduled to the real server.",
    ),
    counter(
        "lvstop_backend_incoming_packets_total",
        "Packets from clients to the real server.",
    ),
    counter(
        "lvstop_backend_outgoing_packets_total",
        "Packets from the real server to clients.",
    ),
    counter(
        "lvstop_backend_incoming_bytes_total",
        "Bytes from clients to the real server.",
    ),
    counter(
        "lvstop_backend_outgoing_bytes_total",
        "Bytes from the real server to clients.",
    ),
    gauge(
        "lvstop_backend_connections_per_second",
        "The kernel's estimate of new connections per second.",
    ),
    gauge(
        "lvstop_backend_incoming_packets_per_second",
        "The kernel's estimate of incoming packets per second.",
    ),
    gauge(
        "lvstop_backend_outgoing_packets_per_second",
        "The kernel's estimate of outgoing packets per second.",
    ),
    gauge(
        "lvstop_backend_incoming_bytes_per_second",
        "The kernel's estimate of incoming bytes per second.",
    ),
    gauge(
        "lvstop_backend_outgoing_bytes_per_second",
        "The kernel's estimate of outgoing bytes per second.",
    ),
    gauge(
        "lvstop_backend_connections_by_state",
        "Connection entries to the real server in that state, templates apart (states with entries only).",
    ),
    gauge(
        "lvstop_alerts",
        "Real servers with one of the monitor's alerts raised.",
    ),
    gauge(
        "lvstop_backend_alert",
        "The monitor's worst alert raised on the real server, its kind and severity. Always 1.",
    ),
];

/// The ten traffic values of a service or real server, in the order of the
/// families from SERVICE_STATS and BACKEND_STATS: five counters, five rates.
pub fn stats_values(s: &Stats) -> [u64; 10] {
    [
        s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes, s.cps, s.inpps, s.outpps, s.inbps,
        s.outbps,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_name_their_families() {
        assert_eq!(
            FAMILIES[SERVICE_STATS].name,
            "lvstop_service_connections_total"
        );
        assert_eq!(
            FAMILIES[SERVICE_STATS + 9].name,
            "lvstop_service_outgoing_bytes_per_second"
        );
        assert_eq!(FAMILIES[BACKEND_INFO].name, "lvstop_backend_info");
        assert_eq!(
            FAMILIES[BACKEND_LOWER].name,
            "lvstop_backend_lower_threshold"
        );
        assert_eq!(
            FAMILIES[BACKEND_STATS].name,
            "lvstop_backend_connections_total"
        );
        assert_eq!(
            FAMILIES[BACKEND_STATS + 9].name,
            "lvstop_backend_outgoing_bytes_per_second"
        );
        assert_eq!(FAMILIES[SYNC_DAEMON_INFO].name, "lvstop_sync_daemon_info");
        assert_eq!(
            FAMILIES[BACKEND_BY_STATE].name,
            "lvstop_backend_connections_by_state"
        );
    }

    #[test]
    fn counters_and_only_counters_end_in_total() {
        let mut names = std::collections::HashSet::new();
        for f in FAMILIES {
            assert_eq!(
                f.name.ends_with("_total"),
                f.kind == Type::Counter,
                "{}",
                f.name
            );
            assert!(f.name.starts_with("lvstop_"), "{}", f.name);
            assert!(names.insert(f.name), "{} twice", f.name);
            assert!(!f.help.contains(['\\', '\n']), "{}", f.name);
        }
    }
}
