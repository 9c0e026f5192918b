//! The simulated director: virtual services, real servers and their
//! connections, advanced in fixed 100 ms steps.
//!
//! Connections are simulated in aggregate: each real server keeps counts of
//! open and lingering (FIN_WAIT / UDP-idle) connections plus a ring of how
//! many close and expire at each future step, so a thousand new connections
//! per second cost a thousand scheduler calls and a few ring increments, not
//! a thousand objects. Scheduling, however, is per connection: that is what
//! makes weights, thresholds and the scheduler choice shape the traffic.

use std::collections::HashMap;
use std::net::IpAddr;

use super::estimator::StatBlock;
use super::prng::Prng;
use super::scheduler::{Candidate, ListChange, Scheduler};
use super::traffic::{client_addr, pick_client, Burst, Traffic};
use crate::model::{
    Dest, DestKey, Family, Forward, Service, ServiceFlags, ServiceKey, SyncDaemon, Timeouts,
};

/// Simulation step.
pub const STEP_SECS: f64 = 0.1;
pub const STEP_NANOS: u64 = 100_000_000;
/// The kernel estimator runs every 2 s.
pub const STEPS_PER_TICK: u64 = 20;
/// Future steps a connection's close/expiry can be booked at (819 s); longer
/// lifetimes (huge timeouts) are clamped to it.
const RING: usize = 8192;
/// IP_VS_DEST_TRASH_PERIOD: an unused deleted server is freed after this.
const TRASH_STEPS: u64 = 1200;

/// A real server in the simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct SimDest {
    pub id: u64,
    /// Configuration; its counters are filled in when read.
    pub cfg: Dest,
    /// Connections carrying traffic.
    pub open: u32,
    /// Connections closed but still in the table (FIN_WAIT, UDP idle).
    pub lingering: u32,
    /// Persistence templates pointing here.
    pub persist: u32,
    /// Connections ever booked here: numbers them for the connection table.
    pub opened: u64,
    pub overloaded: bool,
    /// UDP-like service: IPVS never marks these connections active.
    pub datagram: bool,
    pub stats: StatBlock,
    /// (closing, expiring) counts per future step, indexed by step % RING.
    ring: Vec<(u32, u32)>,
    carry: [f64; 2],
    /// Step since which a trashed server has had no connections.
    idle_since: Option<u64>,
}

impl Candidate for SimDest {
    fn weight(&self) -> i32 {
        self.cfg.weight as i32
    }
    fn overloaded(&self) -> bool {
        self.overloaded
    }
    fn active(&self) -> u32 {
        if self.datagram {
            0
        } else {
            self.open
        }
    }
    fn inactive(&self) -> u32 {
        if self.datagram {
            self.open + self.lingering
        } else {
            self.lingering
        }
    }
}

impl SimDest {
    fn new(id: u64, cfg: Dest, datagram: bool) -> SimDest {
        SimDest {
            id,
            cfg,
            open: 0,
            lingering: 0,
            persist: 0,
            opened: 0,
            overloaded: false,
            datagram,
            stats: StatBlock::default(),
            ring: vec![(0, 0); RING],
            carry: [0.0; 2],
            idle_since: None,
        }
    }

    fn total(&self) -> u64 {
        self.open as u64 + self.lingering as u64
    }

    /// ip_vs_bind_dest: set the overload flag at the upper threshold.
    fn after_bind(&mut self) {
        let u = self.cfg.upper_threshold as u64;
        if u != 0 && self.total() >= u {
            self.overloaded = true;
        }
    }

    /// ip_vs_unbind_dest: clear it below the lower threshold, or below 3/4 of
    /// the upper one when no lower threshold is set.
    fn after_unbind(&mut self) {
        if !self.overloaded {
            return;
        }
        let (l, u) = (
            self.cfg.lower_threshold as u64,
            self.cfg.upper_threshold as u64,
        );
        let total = self.total();
        if l != 0 {
            if total < l {
                self.overloaded = false;
            }
        } else if u != 0 {
            if total * 4 < u * 3 {
                self.overloaded = false;
            }
        } else {
            self.overloaded = false;
        }
    }

    /// Connections due to close or expire at step `k`.
    fn drain(&mut self, k: u64) {
        let slot = &mut self.ring[(k % RING as u64) as usize];
        let (closing, expiring) = std::mem::take(slot);
        if closing == 0 && expiring == 0 {
            return;
        }
        self.open -= closing;
        self.lingering = self.lingering + closing - expiring;
        if expiring > 0 {
            self.after_unbind();
        }
    }

    /// How many connections leave the table at each step from `from` on
    /// (the ring's expiry counts, soonest first; every live one is booked).
    pub fn expiring_from(&self, from: u64) -> impl Iterator<Item = u32> + '_ {
        (from..from + RING as u64).map(|k| self.ring[(k % RING as u64) as usize].1)
    }

    fn book(&mut self, k: u64, open_steps: u64, linger_steps: u64) {
        let open_steps = open_steps.clamp(1, RING as u64 - 1);
        let gone = (open_steps + linger_steps).min(RING as u64 - 1);
        self.ring[((k + open_steps) % RING as u64) as usize].0 += 1;
        self.ring[((k + gone) % RING as u64) as usize].1 += 1;
    }

    /// Packets and bytes the open connections move during one step.
    fn flow(&mut self, t: &Traffic, rng: &mut Prng) -> [u64; 4] {
        if self.open == 0 {
            return [0; 4];
        }
        let noise = rng.range(0.85, 1.15);
        let open = self.open as f64 * STEP_SECS * noise;
        self.carry[0] += open * t.in_pps;
        let inpkts = self.carry[0] as u64;
        self.carry[0] -= inpkts as f64;
        // Only NAT returns replies through the director (ip_vs_out); DR and
        // tunnel replies go straight to the client, so outpkts stay 0.
        let outpkts = if self.cfg.forward == Forward::Masq {
            self.carry[1] += open * t.out_pps;
            let o = self.carry[1] as u64;
            self.carry[1] -= o as f64;
            o
        } else {
            0
        };
        [
            inpkts,
            outpkts,
            inpkts * t.in_bytes_per_pkt,
            outpkts * t.out_bytes_per_pkt,
        ]
    }
}

/// A persistence template (IP_VS_CONN_F_TEMPLATE): client network -> server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Template {
    dest_id: u64,
    expires: u64,
}

/// A virtual service in the simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct SimService {
    /// Configuration; its counters are filled in when read.
    pub cfg: Service,
    /// Real servers in the kernel's list order (newest first).
    pub dests: Vec<SimDest>,
    /// Deleted servers still referenced by connections (the kernel's
    /// dest_trash): re-adding one brings back its connections and counters.
    pub trash: Vec<SimDest>,
    pub sched: Scheduler,
    pub stats: StatBlock,
    pub traffic: Traffic,
    burst: Option<Burst>,
    templates: HashMap<IpAddr, Template>,
}

impl SimService {
    pub fn new(cfg: Service, traffic: Traffic) -> SimService {
        let sched = Scheduler::new::<SimDest>(&cfg.scheduler, cfg.flags.0, &[]);
        SimService {
            cfg,
            dests: Vec::new(),
            trash: Vec::new(),
            sched,
            stats: StatBlock::default(),
            traffic,
            burst: None,
            templates: HashMap::new(),
        }
    }

    pub fn find(&self, key: &DestKey) -> Option<usize> {
        self.dests.iter().position(|d| d.cfg.key() == *key)
    }

    /// The real server a client network's template pins it to.
    pub fn template_dest(&self, net: IpAddr) -> Option<u64> {
        self.templates.get(&net).map(|t| t.dest_id)
    }

    /// Every template: (client network, real server id, expiry step).
    pub fn templates(&self) -> impl Iterator<Item = (IpAddr, u64, u64)> + '_ {
        self.templates
            .iter()
            .map(|(net, t)| (*net, t.dest_id, t.expires))
    }

    /// A real server by id, live or in the trash.
    pub fn dest_with_id(&self, id: u64) -> Option<&SimDest> {
        self.dests
            .iter()
            .chain(self.trash.iter())
            .find(|d| d.id == id)
    }

    /// Adds (or brings back from the trash) a server at the list head.
    pub fn add_dest(&mut self, id: u64, cfg: Dest) {
        let mut d = match self.trash.iter().position(|d| d.cfg.key() == cfg.key()) {
            Some(i) => self.trash.remove(i),
            None => SimDest::new(id, cfg.clone(), self.traffic.datagram),
        };
        d.idle_since = None;
        update_dest_cfg(&mut d, cfg);
        self.dests.insert(0, d);
        self.sched
            .dests_changed(ListChange::InsertedAtHead, &self.dests);
    }

    pub fn edit_dest(&mut self, i: usize, cfg: Dest) {
        update_dest_cfg(&mut self.dests[i], cfg);
        self.sched.dests_changed(ListChange::Updated, &self.dests);
    }

    pub fn delete_dest(&mut self, i: usize) {
        let d = self.dests.remove(i);
        self.sched
            .dests_changed(ListChange::Removed(i), &self.dests);
        self.trash.push(d);
    }

    /// ip_vs_edit_service: a new scheduler starts from fresh state; the same
    /// one keeps its state and just sees the new flags.
    pub fn set_config(&mut self, cfg: Service) {
        if cfg.scheduler != self.cfg.scheduler {
            self.sched = Scheduler::new(&cfg.scheduler, cfg.flags.0, &self.dests);
        } else {
            self.sched.set_flags(cfg.flags.0);
        }
        let stats = self.cfg.stats;
        self.cfg = cfg;
        self.cfg.stats = stats;
    }

    /// New traffic; the kind of connection (datagram or not) follows it.
    pub fn set_traffic(&mut self, traffic: Traffic) {
        for d in self.dests.iter_mut().chain(self.trash.iter_mut()) {
            d.datagram = traffic.datagram;
        }
        self.traffic = traffic;
    }

    pub fn zero(&mut self) {
        self.stats.zero();
        for d in &mut self.dests {
            d.stats.zero();
        }
    }

    fn dest_by_id(&mut self, id: u64) -> Option<&mut SimDest> {
        self.dests
            .iter_mut()
            .chain(self.trash.iter_mut())
            .find(|d| d.id == id)
    }
}

/// __ip_vs_update_dest: new settings; an overload flag survives only if
/// the upper threshold stays set and does not grow.
fn update_dest_cfg(d: &mut SimDest, cfg: Dest) {
    if cfg.upper_threshold == 0 || cfg.upper_threshold > d.cfg.upper_threshold {
        d.overloaded = false;
    }
    d.cfg = Dest {
        active_conns: 0,
        inactive_conns: 0,
        persistent_conns: 0,
        stats: Default::default(),
        ..cfg
    };
}

/// The recurring incident: one real server of a busy service gets slow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncidentPlan {
    pub first_at_secs: u64,
    pub every_secs: u64,
    pub lasts_secs: u64,
    /// Connections to the slow server last this many times longer.
    pub slowdown: f64,
}

impl Default for IncidentPlan {
    fn default() -> Self {
        IncidentPlan {
            first_at_secs: 60,
            every_secs: 300,
            lasts_secs: 90,
            slowdown: 8.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Incident {
    pub service: ServiceKey,
    pub dest_id: u64,
    pub until_step: u64,
    /// The slow server's `opened` when the incident began: its connections
    /// from there on are the ones that may hang half-open.
    pub first_conn: u64,
}

/// The whole simulated director.
#[derive(Debug, Clone, PartialEq)]
pub struct Sim {
    pub services: Vec<SimService>,
    pub timeouts: Timeouts,
    pub totals: StatBlock,
    /// Steps simulated so far.
    pub step: u64,
    pub rng: Prng,
    pub next_dest_id: u64,
    pub incidents: Option<IncidentPlan>,
    pub incident: Option<Incident>,
    /// Running sync daemons, master before backup (see `sync_daemons`).
    pub daemons: Vec<SyncDaemon>,
}

impl Sim {
    pub fn new(seed: u64) -> Sim {
        Sim {
            services: Vec::new(),
            timeouts: Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 300,
            },
            totals: StatBlock::default(),
            step: 0,
            rng: Prng::new(seed),
            next_dest_id: 1,
            incidents: Some(IncidentPlan::default()),
            incident: None,
            daemons: Vec::new(),
        }
    }

    pub fn find(&self, key: &ServiceKey) -> Option<usize> {
        self.services.iter().position(|s| s.cfg.key == *key)
    }

    /// Simulates every step that ends at or before `now_nanos`.
    pub fn advance_to(&mut self, now_nanos: u64) {
        let target = now_nanos / STEP_NANOS;
        while self.step < target {
            self.run_step();
        }
    }

    fn run_step(&mut self) {
        let k = self.step;
        let t = k as f64 * STEP_SECS;
        self.update_incident(k);
        let secs_to_steps = |s: u32| (s as f64 / STEP_SECS) as u64;
        let linger_tcp = secs_to_steps(self.timeouts.tcp_fin);
        let linger_udp = secs_to_steps(self.timeouts.udp);
        let Sim {
            services,
            totals,
            rng,
            incident,
            incidents,
            ..
        } = self;
        let slowdown = incidents.map_or(1.0, |p| p.slowdown);
        for svc in services.iter_mut() {
            // 1. connections closing and expiring now
            for d in svc.dests.iter_mut().chain(svc.trash.iter_mut()) {
                d.drain(k);
            }
            // 2. new connections (before the traffic step, so that even a
            // connection shorter than a step carries its packets)
            let tr = &svc.traffic;
            if tr.burst_every_secs > 0.0 && svc.burst.is_none_or(|b| b.until <= t) {
                svc.burst = None;
                if rng.unit() < STEP_SECS / tr.burst_every_secs {
                    svc.burst = Some(Burst {
                        factor: rng.range(1.8, 3.5),
                        until: t + rng.range(8.0, 30.0),
                    });
                }
            }
            let burst = svc.burst.map_or(1.0, |b| b.factor);
            let rate = tr.base_cps * tr.daily_factor(t) * burst;
            let arrivals = rng.poisson(rate * STEP_SECS);
            let linger = if tr.datagram { linger_udp } else { linger_tcp };
            let slow = incident
                .filter(|i| i.service == svc.cfg.key)
                .map(|i| i.dest_id);
            for _ in 0..arrivals {
                new_connection(svc, k, linger, slow, slowdown, rng, totals);
            }
            // 3. traffic of open connections
            for d in svc.dests.iter_mut().chain(svc.trash.iter_mut()) {
                let [ip, op, ib, ob] = d.flow(&svc.traffic, rng);
                if ip + op > 0 {
                    d.stats.add(0, ip, op, ib, ob);
                    svc.stats.add(0, ip, op, ib, ob);
                    totals.add(0, ip, op, ib, ob);
                }
            }
            // 4. persistence templates that timed out
            if k.is_multiple_of(10) && !svc.templates.is_empty() {
                let mut expired = Vec::new();
                svc.templates.retain(|_, tpl| {
                    let keep = tpl.expires > k;
                    if !keep {
                        expired.push(tpl.dest_id);
                    }
                    keep
                });
                for id in expired {
                    if let Some(d) = svc.dest_by_id(id) {
                        d.persist -= 1;
                    }
                }
            }
            // 5. deleted servers nobody uses any more
            svc.trash.retain_mut(|d| {
                if d.total() + d.persist as u64 > 0 {
                    d.idle_since = None;
                    return true;
                }
                let since = *d.idle_since.get_or_insert(k);
                k - since < TRASH_STEPS
            });
        }
        self.step += 1;
        if self.step.is_multiple_of(STEPS_PER_TICK) {
            self.estimate();
        }
    }

    /// One run of the kernel estimator over every live estimator.
    fn estimate(&mut self) {
        for svc in &mut self.services {
            svc.stats.estimate();
            for d in &mut svc.dests {
                d.stats.estimate();
            }
        }
        self.totals.estimate();
    }

    fn update_incident(&mut self, k: u64) {
        if self.incident.is_some_and(|i| i.until_step <= k) {
            self.incident = None;
        }
        let Some(plan) = self.incidents else {
            self.incident = None;
            return;
        };
        let to_steps = |s: u64| s * (1_000_000_000 / STEP_NANOS);
        let (first, every) = (
            to_steps(plan.first_at_secs),
            to_steps(plan.every_secs).max(1),
        );
        if k < first || !(k - first).is_multiple_of(every) {
            return;
        }
        let eligible: Vec<usize> = self
            .services
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.traffic.incidents && s.dests.iter().filter(|d| d.cfg.weight > 0).count() >= 2
            })
            .map(|(i, _)| i)
            .collect();
        if eligible.is_empty() {
            return;
        }
        let svc = &self.services[eligible[self.rng.below(eligible.len() as u64) as usize]];
        let up: Vec<u64> = svc
            .dests
            .iter()
            .filter(|d| d.cfg.weight > 0)
            .map(|d| d.id)
            .collect();
        let dest_id = up[self.rng.below(up.len() as u64) as usize];
        let first_conn = svc.dest_with_id(dest_id).map_or(0, |d| d.opened);
        self.incident = Some(Incident {
            service: svc.cfg.key,
            dest_id,
            until_step: k + to_steps(plan.lasts_secs),
            first_conn,
        });
    }
}

/// The persistence netmask applied to a client address (ip_vs_sched_persist).
pub fn masked(client: IpAddr, netmask: u32) -> IpAddr {
    match client {
        IpAddr::V4(a) => IpAddr::V4((u32::from(a) & netmask).into()),
        IpAddr::V6(a) => {
            let plen = netmask.min(128);
            let mask = if plen == 0 {
                0
            } else {
                u128::MAX << (128 - plen)
            };
            IpAddr::V6((u128::from(a) & mask).into())
        }
    }
}

fn new_connection(
    svc: &mut SimService,
    k: u64,
    linger_steps: u64,
    slow: Option<u64>,
    slowdown: f64,
    rng: &mut Prng,
    totals: &mut StatBlock,
) {
    let family = svc.cfg.key.family();
    let client = client_addr(family, pick_client(rng, svc.traffic.clients));
    let client_port = 1024 + rng.below(64_000) as u16;
    let vip = match svc.cfg.key {
        ServiceKey::Addr { addr, .. } => addr,
        ServiceKey::Fwmark {
            family: Family::V4, ..
        } => IpAddr::V4(0.into()),
        ServiceKey::Fwmark { .. } => IpAddr::V6(0.into()),
    };
    let persistent = svc.cfg.flags.has(ServiceFlags::PERSISTENT);
    let idx = if persistent {
        let net = masked(client, svc.cfg.netmask);
        let timeout = (svc.cfg.timeout as f64 / STEP_SECS) as u64;
        let existing = svc
            .templates
            .get(&net)
            .and_then(|t| svc.dests.iter().position(|d| d.id == t.dest_id));
        match existing {
            Some(i) => {
                if let Some(t) = svc.templates.get_mut(&net) {
                    t.expires = k + timeout;
                }
                Some(i)
            }
            None => {
                let chosen = svc
                    .sched
                    .schedule(&svc.dests, client, client_port, vip, rng);
                if let Some(i) = chosen {
                    let id = svc.dests[i].id;
                    if let Some(old) = svc.templates.insert(
                        net,
                        Template {
                            dest_id: id,
                            expires: k + timeout,
                        },
                    ) {
                        if let Some(d) = svc.dest_by_id(old.dest_id) {
                            d.persist -= 1;
                        }
                    }
                    svc.dests[i].persist += 1;
                }
                chosen
            }
        }
    } else {
        svc.sched
            .schedule(&svc.dests, client, client_port, vip, rng)
    };
    let Some(i) = idx else {
        return; // no server available: the packet is dropped
    };
    let tr = &svc.traffic;
    let d = &mut svc.dests[i];
    if tr.datagram && svc.cfg.flags.has(ServiceFlags::ONEPACKET) {
        // One-packet scheduling (ipvsadm -o): the connection is released
        // with its only datagram and never shows in the table.
        d.stats.add(1, 1, 0, 60, 0);
        svc.stats.add(1, 1, 0, 60, 0);
        totals.add(1, 1, 0, 60, 0);
        return;
    }
    let mut secs = rng.exponential(tr.mean_duration_secs);
    if slow == Some(d.id) {
        secs *= slowdown;
    }
    d.open += 1;
    d.opened += 1;
    d.after_bind();
    d.book(k, (secs / STEP_SECS).round() as u64, linger_steps);
    // The opening packets: SYN + ACK in (one datagram for UDP), SYN-ACK out via NAT.
    let (ip, op) = if tr.datagram { (1, 0) } else { (2, 1) };
    let op = if d.cfg.forward == Forward::Masq {
        op
    } else {
        0
    };
    let (ib, ob) = (ip * 60, op * 60);
    d.stats.add(1, ip, op, ib, ob);
    svc.stats.add(1, ip, op, ib, ob);
    totals.add(1, ip, op, ib, ob);
}
