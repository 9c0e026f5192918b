//! `--format openmetrics`: the table in the Prometheus text exposition
//! format (0.0.4, what node_exporter's textfile collector and `promtool
//! check metrics` read), ended by OpenMetrics' `# EOF`, which that format
//! reads as a comment. Labels as node_exporter's ipvs collector names them,
//! plus `netns`; metric names `lvstop_…`, so they never collide with that
//! collector's `node_ipvs_…` when both run in one node_exporter.
//!
//! The format wants each metric's samples together, so the sink keeps one
//! buffer per metric over a reading: memory grows with the table (about the
//! file's size), unlike the other sinks. No timestamps: the textfile
//! collector refuses files that carry them.

mod family;
mod label;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::time::SystemTime;

use crate::model::{Dest, DestKey, Info, Service, ServiceKey, SyncDaemon, SyncRole};

use super::addr::push_addr;
use super::json::family_word;
use super::number::push_u64;
use super::sink::Sink;
use family::{stats_values, FAMILIES};
use label::Labels;

pub use label::push_value as push_label_value;

/// What batch mode read besides the services, for one reading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extras {
    /// The running sync daemons, when they were read (`None`: no series).
    pub daemons: Option<Vec<SyncDaemon>>,
    /// Connection entries by state per real server, when the connection
    /// table was walked (`None`: no series). Templates are not counted.
    pub conn_states: Option<ConnStates>,
    /// The monitor's alerts raised on real servers, when judged (`None`: no series).
    pub alerts: Option<RaisedAlerts>,
}

/// The alert raised on a real server: its kind and severity, in words.
pub type RaisedAlerts = HashMap<(ServiceKey, DestKey), (&'static str, &'static str)>;

/// Entries by state (the kernel's word, its count) per service and real server.
pub type ConnStates = HashMap<(ServiceKey, DestKey), Vec<(String, u64)>>;

/// The exposition format as a [`Sink`]: a pure function of the reading
/// (info, services, real servers) and the [`Extras`] set before it.
pub struct OpenMetricsSink {
    netns: String,
    extras: Extras,
    /// One buffer of sample lines per entry of FAMILIES.
    samples: Vec<Vec<u8>>,
    service_labels: Vec<u8>,
    dest_labels: Vec<u8>,
    services: u64,
}

impl OpenMetricsSink {
    /// `netns` is the `netns` label of every series: the namespace read, ""
    /// for the host's own.
    pub fn new(netns: &str) -> OpenMetricsSink {
        OpenMetricsSink {
            netns: netns.to_string(),
            extras: Extras::default(),
            samples: vec![Vec::new(); FAMILIES.len()],
            service_labels: Vec::new(),
            dest_labels: Vec::new(),
            services: 0,
        }
    }

    /// The extras of the next reading (kept until set again).
    pub fn set_extras(&mut self, extras: Extras) {
        self.extras = extras;
    }

    fn netns_only(&self) -> Vec<u8> {
        let mut labels = Vec::new();
        Labels::on(&mut labels).text("netns", &self.netns);
        labels
    }
}

/// `name{labels} value` into `out`.
fn sample(out: &mut Vec<u8>, family: usize, labels: &[u8], value: u64) {
    out.extend_from_slice(FAMILIES[family].name.as_bytes());
    out.push(b'{');
    out.extend_from_slice(labels);
    out.extend_from_slice(b"} ");
    push_u64(out, value);
    out.push(b'\n');
}

/// node_exporter's service labels: `proto` (`FWM` for a mark, as /proc's
/// ip_vs and its collector say), `local_address`, `local_port`, `local_mark`;
/// and `family`, since a mark can name one IPv4 and one IPv6 service.
fn service_labels(out: &mut Vec<u8>, netns: &str, key: &ServiceKey) {
    out.clear();
    let mut l = Labels::on(out);
    l.text("netns", netns);
    let family = family_word(key.family()).as_bytes();
    match key {
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            l.with("proto", |o| o.extend_from_slice(protocol.name().as_bytes()))
                .with("local_address", |o| push_addr(o, addr))
                .with("local_port", |o| push_u64(o, u64::from(*port)))
                .with("local_mark", |_| {});
        }
        ServiceKey::Fwmark { mark, .. } => {
            l.with("proto", |o| o.extend_from_slice(b"FWM"))
                .with("local_address", |_| {})
                .with("local_port", |o| o.push(b'0'))
                .with("local_mark", |o| push_u64(o, u64::from(*mark)));
        }
    }
    l.with("family", |o| o.extend_from_slice(family));
}

impl Sink for OpenMetricsSink {
    fn begin(&mut self, _: &mut Vec<u8>, info: &Info, _: SystemTime) {
        for s in &mut self.samples {
            s.clear();
        }
        self.services = 0;
        let netns = self.netns_only();
        let mut labels = netns.clone();
        Labels::on(&mut labels).with("version", |o| {
            o.extend_from_slice(info.version_string().as_bytes())
        });
        sample(&mut self.samples[family::INFO], family::INFO, &labels, 1);
        let size = u64::from(info.conn_tab_size);
        sample(
            &mut self.samples[family::CONN_TAB_SIZE],
            family::CONN_TAB_SIZE,
            &netns,
            size,
        );
    }

    fn service(&mut self, _: &mut Vec<u8>, service: &Service, dests: &[&Dest]) {
        self.services += 1;
        let s = &mut self.samples;
        let labels = &mut self.service_labels;
        service_labels(labels, &self.netns, &service.key);

        let mut info = labels.clone();
        Labels::on(&mut info).text("scheduler", &service.scheduler);
        sample(&mut s[family::SERVICE_INFO], family::SERVICE_INFO, &info, 1);
        let persistence = if service.flags.has(crate::model::ServiceFlags::PERSISTENT) {
            u64::from(service.timeout)
        } else {
            0
        };
        let f = family::SERVICE_PERSISTENCE;
        sample(&mut s[f], f, labels, persistence);
        let f = family::SERVICE_REAL_SERVERS;
        sample(&mut s[f], f, labels, dests.len() as u64);
        for (i, v) in stats_values(&service.stats).into_iter().enumerate() {
            let f = family::SERVICE_STATS + i;
            sample(&mut s[f], f, labels, v);
        }

        for d in dests {
            let dl = &mut self.dest_labels;
            dl.clear();
            dl.extend_from_slice(labels);
            Labels::on(dl)
                .with("remote_address", |o| push_addr(o, &d.addr))
                .with("remote_port", |o| push_u64(o, u64::from(d.port)));
            let mut info = dl.clone();
            Labels::on(&mut info).with("forward", |o| {
                o.extend(d.forward.name().bytes().map(|b| b.to_ascii_lowercase()))
            });
            sample(&mut s[family::BACKEND_INFO], family::BACKEND_INFO, &info, 1);
            for (f, v) in [
                (family::BACKEND_WEIGHT, d.weight),
                (family::BACKEND_ACTIVE, d.active_conns),
                (family::BACKEND_INACTIVE, d.inactive_conns),
                (family::BACKEND_PERSISTENT, d.persistent_conns),
                (family::BACKEND_UPPER, d.upper_threshold),
                (family::BACKEND_LOWER, d.lower_threshold),
            ] {
                sample(&mut s[f], f, dl, u64::from(v));
            }
            for (i, v) in stats_values(&d.stats).into_iter().enumerate() {
                let f = family::BACKEND_STATS + i;
                sample(&mut s[f], f, dl, v);
            }
            let raised = self.extras.alerts.as_ref();
            if let Some((kind, severity)) = raised.and_then(|m| m.get(&(service.key, d.key()))) {
                let mut labels = dl.clone();
                Labels::on(&mut labels)
                    .with("kind", |o| o.extend_from_slice(kind.as_bytes()))
                    .with("severity", |o| o.extend_from_slice(severity.as_bytes()));
                let f = family::BACKEND_ALERT;
                sample(&mut s[f], f, &labels, 1);
            }
            let states = self.extras.conn_states.as_ref();
            for (state, n) in states
                .and_then(|m| m.get(&(service.key, d.key())))
                .into_iter()
                .flatten()
            {
                let mut labels = dl.clone();
                Labels::on(&mut labels).text("state", state);
                let f = family::BACKEND_BY_STATE;
                sample(&mut s[f], f, &labels, *n);
            }
        }
    }

    fn end(&mut self, out: &mut Vec<u8>) {
        let netns = self.netns_only();
        sample(
            &mut self.samples[family::SERVICES],
            family::SERVICES,
            &netns,
            self.services,
        );
        if let Some(raised) = &self.extras.alerts {
            let f = family::ALERTS;
            sample(&mut self.samples[f], f, &netns, raised.len() as u64);
        }
        if let Some(daemons) = &self.extras.daemons {
            for role in [SyncRole::Master, SyncRole::Backup] {
                let mut labels = netns.clone();
                Labels::on(&mut labels)
                    .with("role", |o| o.extend_from_slice(role.name().as_bytes()));
                let up = daemons.iter().any(|d| d.role == role);
                let f = family::SYNC_DAEMON_UP;
                sample(&mut self.samples[f], f, &labels, u64::from(up));
            }
            for d in daemons {
                let mut labels = netns.clone();
                Labels::on(&mut labels)
                    .with("role", |o| o.extend_from_slice(d.role.name().as_bytes()))
                    .text("interface", d.interface.as_str())
                    .with("sync_id", |o| push_u64(o, u64::from(d.sync_id)));
                let f = family::SYNC_DAEMON_INFO;
                sample(&mut self.samples[f], f, &labels, 1);
            }
        }
        for (f, samples) in FAMILIES.iter().zip(&self.samples) {
            if samples.is_empty() {
                continue;
            }
            for line in [
                ["# HELP ", f.name, " ", f.help],
                ["# TYPE ", f.name, " ", f.kind.word()],
            ] {
                for part in line {
                    out.extend_from_slice(part.as_bytes());
                }
                out.push(b'\n');
            }
            out.extend_from_slice(samples);
        }
        out.extend_from_slice(b"# EOF\n");
    }
}
