//! `lvstop --demo`: an in-process simulated IPVS director.
//!
//! It implements the same `Reader` and `Writer` as the kernel client, so the
//! monitor cannot tell the difference, and needs neither root nor IPVS.
//! The simulation is honest where it shows: connections are scheduled one by
//! one by ports of the kernel's schedulers, counters and rates come out of a
//! port of the kernel's 2-second estimator, and changes are refused with the
//! errno the kernel would give. Time comes from the injected clock; the
//! simulation catches up lazily, in fixed steps, whenever it is read.

mod conn_hash;
mod conn_table;
mod control;
mod estimator;
mod pinned_clients;
mod prng;
mod scenario;
mod scheduler;
mod sim;
mod sync_daemons;
mod traffic;

#[cfg(test)]
mod conn_table_tests;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Arc;

pub use sim::IncidentPlan;
pub use traffic::Traffic;

use crate::backend::{wording, ConnCursor, Error, Reader, WalkThread, Writer};
use crate::clock::Clock;
use crate::model::{
    Change, ConnSource, ConnWalk, Connection, Dest, DestKey, Info, Service, ServiceFlags,
    ServiceKey, Stats, SyncDaemon, Timeouts, VsSettings,
};
use sim::Sim;

/// IPVS 1.2.1, as every current kernel reports.
const VERSION: u32 = 0x01_02_01;
/// The default connection table size (CONFIG_IP_VS_TAB_BITS = 12).
const CONN_TAB_SIZE: u32 = 4096;

/// The simulated director.
pub struct DemoDirector {
    clock: Arc<dyn Clock>,
    sim: Sim,
    /// Traffic profiles by service key, kept across delete and re-add.
    profiles: HashMap<ServiceKey, Traffic>,
    /// Simulated time already run when the clock reads zero.
    head_start: u64,
    /// Orders the connection table, as the kernel's hash key does.
    table_key: conn_hash::TableKey,
    pinned_clients: pinned_clients::PinnedClients,
}

impl DemoDirector {
    /// The demo table (a dozen services) driven by `seed`: the same seed,
    /// clock readings and changes give the same snapshots.
    pub fn new(seed: u64, clock: Arc<dyn Clock>) -> DemoDirector {
        let mut d = DemoDirector::empty(seed, clock);
        for e in scenario::entries() {
            d.profiles.insert(e.service.key, e.traffic);
            d.apply_now(&Change::AddService(e.service.clone()))
                .expect("scenario service is valid");
            for dest in e.dests {
                d.apply_now(&Change::AddDest {
                    service: e.service.key,
                    dest,
                })
                .expect("scenario real server is valid");
            }
        }
        // Set directly: the kernel would refuse to start it next to the
        // scenario's mixed-family real server (as the demo then refuses a
        // restart), but the demo shows both features at once.
        d.sim.daemons = sync_daemons::initial();
        d
    }

    /// A director with an empty table (for tests and experiments); services
    /// added to it get `Traffic::default_for` unless `set_traffic` says otherwise.
    pub fn empty(seed: u64, clock: Arc<dyn Clock>) -> DemoDirector {
        DemoDirector {
            clock,
            sim: Sim::new(seed),
            profiles: HashMap::new(),
            head_start: 0,
            table_key: conn_hash::TableKey::new(seed),
            pinned_clients: Default::default(),
        }
    }

    /// Runs the simulation `by` ahead of the clock, so that the first reading
    /// already shows a director in service (connections open, counters and
    /// rates moving) instead of one that has just booted.
    pub fn with_head_start(mut self, by: std::time::Duration) -> DemoDirector {
        self.head_start = by.as_nanos() as u64;
        self.catch_up();
        self
    }

    /// Sets the traffic a service receives from now on (and after a re-add).
    pub fn set_traffic(&mut self, key: &ServiceKey, traffic: Traffic) {
        self.catch_up();
        self.profiles.insert(*key, traffic.clone());
        if let Some(i) = self.sim.find(key) {
            self.sim.services[i].set_traffic(traffic);
        }
    }

    /// Changes (or with None stops) the recurring slow-server incident.
    pub fn set_incidents(&mut self, plan: Option<IncidentPlan>) {
        self.catch_up();
        self.sim.incidents = plan;
    }

    /// The incident in progress: which real server of which service is slow.
    pub fn incident(&mut self) -> Option<(ServiceKey, DestKey)> {
        self.catch_up();
        let inc = self.sim.incident?;
        let svc = &self.sim.services[self.sim.find(&inc.service)?];
        let d = svc.dests.iter().find(|d| d.id == inc.dest_id)?;
        Some((inc.service, d.cfg.key()))
    }

    /// The director-wide counters and rates: the kernel's `tot_stats`, which
    /// it shows in /proc/net/ip_vs_stats rather than over netlink.
    pub fn totals(&mut self) -> Stats {
        self.catch_up();
        self.sim.totals.read()
    }

    fn catch_up(&mut self) {
        let now = self.clock.now().as_nanos() as u64 + self.head_start;
        self.sim.advance_to(now);
    }

    fn apply_now(&mut self, change: &Change) -> Result<(), Error> {
        let profiles = &self.profiles;
        self.sim
            .apply(change, |key| {
                profiles
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| Traffic::default_for(control::datagram_key(key)))
            })
            .map_err(|errno| wording::change_error(errno, change))
    }
}

impl Reader for DemoDirector {
    fn info(&mut self) -> Result<Info, Error> {
        Ok(Info {
            version: VERSION,
            conn_tab_size: CONN_TAB_SIZE,
        })
    }

    fn services(&mut self) -> Result<Vec<Service>, Error> {
        self.catch_up();
        Ok(self
            .sim
            .services
            .iter()
            .map(|s| Service {
                // The kernel reports the service as hashed once it is in the table.
                flags: ServiceFlags(s.cfg.flags.0 | ServiceFlags::HASHED),
                stats: s.stats.read(),
                ..s.cfg.clone()
            })
            .collect())
    }

    fn dests(&mut self, service: &ServiceKey) -> Result<Vec<Dest>, Error> {
        self.catch_up();
        let i = self.sim.find(service).ok_or_else(|| {
            wording::read_error(
                libc::ESRCH,
                &format!("the real servers of virtual service {service}"),
            )
        })?;
        Ok(self.sim.services[i]
            .dests
            .iter()
            .map(|d| {
                use scheduler::Candidate;
                Dest {
                    active_conns: d.active(),
                    inactive_conns: d.inactive(),
                    persistent_conns: d.persist,
                    stats: d.stats.read(),
                    ..d.cfg.clone()
                }
            })
            .collect())
    }

    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        Ok(self.sim.timeouts)
    }

    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        Ok(self.sim.daemons.clone())
    }

    /// The kernel's defaults: expire_quiescent_template=0 among them, so a
    /// drain of the demo's persistent service shows its warning.
    fn settings(&mut self) -> Result<VsSettings, Error> {
        Ok(VsSettings::kernel_defaults())
    }

    /// A table consistent with the counters `dests` reports at the same
    /// instant, generated as it is walked (see `conn_table`).
    fn connections(
        &mut self,
        source: ConnSource,
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        self.catch_up();
        Ok(conn_table::walk(
            &self.sim,
            self.table_key,
            &mut self.pinned_clients,
            source,
            visit,
        ))
    }

    /// An exact read spread over refreshes walks a copy of this instant's
    /// simulation on a thread of its own: it sees the table as it was when it
    /// began, as a kernel read would, while the polls go on.
    fn open_connections(&mut self, source: ConnSource) -> Result<Box<dyn ConnCursor>, Error> {
        self.catch_up();
        let sim = self.sim.clone();
        let key = self.table_key;
        let mut pinned = self.pinned_clients.clone();
        let walk = WalkThread::spawn(move |visit| {
            Ok(conn_table::walk(&sim, key, &mut pinned, source, visit))
        })?;
        Ok(Box::new(walk))
    }
}

impl Writer for DemoDirector {
    fn apply(&mut self, change: &Change) -> Result<(), Error> {
        // Changes land on a step boundary, so they replay identically.
        self.catch_up();
        self.apply_now(change)
    }
}
