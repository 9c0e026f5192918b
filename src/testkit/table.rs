//! A scripted IPVS table for tests: a fixed set of services whose counters
//! the test advances by hand. Stands in for the demo director; wrap it in a
//! `FakeBackend` to share it, record calls or inject failures.

use std::net::{IpAddr, Ipv4Addr};

use crate::backend::{Error, ErrorKind, Reader, Writer};
use crate::model::{
    Change, ConnSource, ConnWalk, Connection, Dest, Family, Forward, Info, Protocol, Service,
    ServiceFlags, ServiceKey, Stats, SyncDaemon, Timeouts, VsSettings,
};

/// Per-second traffic of one real server.
#[derive(Debug, Clone, Copy, Default)]
pub struct Traffic {
    pub cps: u64,
    pub pps: u64,
    pub bps: u64,
}

#[derive(Debug, Clone)]
pub struct FakeTable {
    pub services: Vec<(Service, Vec<(Dest, Traffic)>)>,
    /// Advances so far; the traffic pattern repeats over them.
    pub step: usize,
    /// Whether traffic follows the wave (false: constant nominal traffic).
    pub wave: bool,
    /// What `info` answers.
    pub info: Info,
    /// What `timeouts` answers.
    pub timeouts: Timeouts,
    /// The connection table `connections` walks, in this order. The origin
    /// of each entry is shown only when read `WithOrigin` (as the kernel's
    /// `ip_vs_conn_sync`), the persistence data only when read `Plain`.
    pub connections: Vec<Connection>,
    /// The running sync daemons `daemons` answers, master before backup;
    /// started and stopped by `apply` (without the kernel's defaults).
    pub daemons: Vec<SyncDaemon>,
    /// What `settings` answers: the kernel's defaults unless a test says.
    pub settings: VsSettings,
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

pub fn tcp(addr: IpAddr, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr,
        port,
    }
}

fn dest(addr: IpAddr, port: u16, forward: Forward, weight: u32, active: u32, inact: u32) -> Dest {
    let mut d = Dest::new(addr, port);
    d.forward = forward;
    d.weight = weight;
    d.active_conns = active;
    d.inactive_conns = inact;
    d
}

fn t(cps: u64, pps: u64, bps: u64) -> Traffic {
    Traffic { cps, pps, bps }
}

impl FakeTable {
    /// No services; a 1.2.1 kernel with a 4096-entry connection table.
    pub fn empty() -> FakeTable {
        FakeTable {
            services: Vec::new(),
            step: 0,
            wave: true,
            info: Info {
                version: 0x010201,
                conn_tab_size: 4096,
            },
            timeouts: Timeouts {
                tcp: 900,
                tcp_fin: 120,
                udp: 300,
            },
            connections: Vec::new(),
            daemons: Vec::new(),
            settings: VsSettings::kernel_defaults(),
        }
    }

    /// The services and real servers of `snapshot`, with no traffic: each
    /// service's real servers served in the snapshot's order, as the kernel
    /// serves them (unsorted).
    pub fn of_snapshot(snapshot: &crate::model::Snapshot) -> FakeTable {
        FakeTable {
            services: snapshot
                .services
                .iter()
                .map(|e| {
                    let dests = e.dests.iter().map(|d| (d.clone(), Traffic::default()));
                    (e.service.clone(), dests.collect())
                })
                .collect(),
            info: snapshot.info,
            timeouts: Timeouts::default(),
            ..FakeTable::empty()
        }
    }

    /// A small director: web on 80 and 443, DNS, and a firewall mark.
    pub fn sample() -> FakeTable {
        let web = v4(192, 0, 2, 10);
        let mut http = Service::new(tcp(web, 80), "wlc");
        http.flags = ServiceFlags(ServiceFlags::HASHED);
        let mut https = Service::new(tcp(web, 443), "rr");
        https.flags = ServiceFlags(ServiceFlags::PERSISTENT | ServiceFlags::HASHED);
        https.timeout = 300;
        let dns = Service::new(
            ServiceKey::Addr {
                protocol: Protocol::Udp,
                addr: v4(192, 0, 2, 53),
                port: 53,
            },
            "rr",
        );
        let fwm = Service::new(
            ServiceKey::Fwmark {
                family: Family::V4,
                mark: 7,
            },
            "sh",
        );
        let mut full = dest(v4(10, 1, 0, 4), 80, Forward::Masq, 1, 50, 12);
        full.upper_threshold = 62;
        FakeTable {
            services: vec![
                (
                    http,
                    vec![
                        (
                            dest(v4(10, 1, 0, 1), 80, Forward::Masq, 3, 310, 1200),
                            t(120, 2400, 1_800_000),
                        ),
                        (
                            dest(v4(10, 1, 0, 2), 80, Forward::Masq, 1, 104, 415),
                            t(40, 800, 600_000),
                        ),
                        (
                            dest(v4(10, 1, 0, 3), 80, Forward::Masq, 1, 0, 0),
                            t(0, 0, 0),
                        ),
                        (
                            dest(v4(10, 1, 0, 5), 80, Forward::Masq, 0, 17, 40),
                            t(0, 30, 20_000),
                        ),
                        (full, t(2, 40, 30_000)),
                    ],
                ),
                (
                    https,
                    vec![
                        (
                            dest(v4(10, 1, 1, 1), 443, Forward::Route, 1, 88, 9000),
                            t(30, 600, 400_000),
                        ),
                        (
                            dest(v4(10, 1, 1, 2), 443, Forward::Route, 1, 91, 9100),
                            t(31, 610, 410_000),
                        ),
                    ],
                ),
                (
                    dns,
                    vec![
                        (
                            dest(v4(10, 1, 2, 1), 53, Forward::Tunnel, 1, 0, 3100),
                            t(1500, 3000, 240_000),
                        ),
                        (
                            dest(v4(10, 1, 2, 2), 53, Forward::Tunnel, 1, 0, 3050),
                            t(1490, 2980, 238_000),
                        ),
                    ],
                ),
                (
                    fwm,
                    vec![(
                        dest(v4(10, 1, 3, 1), 0, Forward::Route, 1, 5, 7),
                        t(1, 20, 15_000),
                    )],
                ),
            ],
            ..FakeTable::empty()
        }
    }

    /// `n` services with one real server each, for scale tests.
    pub fn many(n: usize) -> FakeTable {
        let services = (0..n)
            .map(|i| {
                let addr = IpAddr::V4(Ipv4Addr::from(0x0a00_0000u32 + i as u32));
                let s = Service::new(tcp(addr, 80), "rr");
                let d = dest(v4(10, 200, 0, 1), 80, Forward::Masq, 1, 1, 1);
                (s, vec![(d, t(1, 10, 1000))])
            })
            .collect();
        FakeTable {
            services,
            ..FakeTable::empty()
        }
    }

    /// Advances every counter by `secs` seconds of traffic and sets the
    /// kernel rates as a settled estimator would (`estimator` false: rates 0,
    /// counters still moving: a backend without kernel rates; real 6.1/6.12
    /// kernels with run_estimation=0 freeze the counters too).
    pub fn advance(&mut self, secs: u64, estimator: bool) {
        // A fixed wave (percent of nominal traffic) so sparklines have shape.
        const WAVE: [u64; 8] = [100, 120, 140, 110, 80, 60, 90, 100];
        let pct = if self.wave {
            WAVE[self.step % WAVE.len()]
        } else {
            100
        };
        self.step += 1;
        for (svc, dests) in &mut self.services {
            let mut sum = Stats::default();
            for (d, tr) in dests.iter_mut() {
                let tr = Traffic {
                    cps: tr.cps * pct / 100,
                    pps: tr.pps * pct / 100,
                    bps: tr.bps * pct / 100,
                };
                let s = &mut d.stats;
                s.conns += tr.cps * secs;
                s.inpkts += tr.pps * secs;
                s.outpkts += tr.pps * secs * 9 / 10;
                s.inbytes += tr.bps * secs;
                s.outbytes += tr.bps * secs * 4;
                if estimator {
                    s.cps = tr.cps;
                    s.inpps = tr.pps;
                    s.outpps = tr.pps * 9 / 10;
                    s.inbps = tr.bps;
                    s.outbps = tr.bps * 4;
                } else {
                    s.cps = 0;
                    s.inpps = 0;
                    s.outpps = 0;
                    s.inbps = 0;
                    s.outbps = 0;
                }
                for (a, b) in [
                    (&mut sum.conns, s.conns),
                    (&mut sum.inpkts, s.inpkts),
                    (&mut sum.outpkts, s.outpkts),
                    (&mut sum.inbytes, s.inbytes),
                    (&mut sum.outbytes, s.outbytes),
                    (&mut sum.cps, s.cps),
                    (&mut sum.inpps, s.inpps),
                    (&mut sum.outpps, s.outpps),
                    (&mut sum.inbps, s.inbps),
                    (&mut sum.outbps, s.outbps),
                ] {
                    *a += b;
                }
            }
            svc.stats = sum;
        }
    }
}

impl Reader for FakeTable {
    fn info(&mut self) -> Result<Info, Error> {
        Ok(self.info)
    }

    fn services(&mut self) -> Result<Vec<Service>, Error> {
        Ok(self.services.iter().map(|(s, _)| s.clone()).collect())
    }

    fn dests(&mut self, service: &ServiceKey) -> Result<Vec<Dest>, Error> {
        self.services
            .iter()
            .find(|(s, _)| s.key == *service)
            .map(|(_, ds)| ds.iter().map(|(d, _)| d.clone()).collect())
            .ok_or_else(|| Error::new(ErrorKind::NotFound, "no such service"))
    }

    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        Ok(self.timeouts)
    }

    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        Ok(self.daemons.clone())
    }

    fn settings(&mut self) -> Result<VsSettings, Error> {
        Ok(self.settings)
    }

    fn connections(
        &mut self,
        source: ConnSource,
        visit: &mut dyn FnMut(Connection) -> std::ops::ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        let mut walk = ConnWalk::default();
        for c in &self.connections {
            let c = as_read(c, source);
            walk.entries += 1;
            if visit(c).is_break() {
                return Ok(walk);
            }
        }
        walk.complete = true;
        Ok(walk)
    }

    /// The table as it is now: later changes do not reach an open walk.
    fn open_connections(
        &mut self,
        source: ConnSource,
    ) -> Result<Box<dyn crate::backend::ConnCursor>, Error> {
        let entries = self.connections.iter().map(|c| as_read(c, source));
        Ok(Box::new(crate::backend::VecCursor::new(entries.collect())))
    }
}

/// An entry as `source` shows it: the origin only with `WithOrigin`, the
/// persistence data only `Plain`.
fn as_read(c: &Connection, source: ConnSource) -> Connection {
    let mut c = c.clone();
    match source {
        ConnSource::Plain => c.origin = None,
        ConnSource::WithOrigin => {
            c.origin.get_or_insert(crate::model::Origin::Local);
            c.pe = None;
        }
    }
    c
}

fn missing() -> Error {
    Error::new(ErrorKind::NotFound, "no such service")
}

/// Changes land as the kernel would apply them, without its checks beyond
/// "exists" and "not found"; new entries go first, as the kernel's do.
impl Writer for FakeTable {
    fn apply(&mut self, change: &Change) -> Result<(), Error> {
        let find = |t: &mut FakeTable, key: &ServiceKey| {
            t.services.iter().position(|(s, _)| s.key == *key)
        };
        match change {
            Change::AddService(s) => {
                if find(self, &s.key).is_some() {
                    return Err(Error::new(ErrorKind::Exists, "service exists"));
                }
                self.services.insert(0, (s.clone(), Vec::new()));
            }
            Change::EditService(s) => {
                let i = find(self, &s.key).ok_or_else(missing)?;
                self.services[i].0 = s.clone();
            }
            Change::DeleteService(key) => {
                let i = find(self, key).ok_or_else(missing)?;
                self.services.remove(i);
            }
            Change::AddDest { service, dest } => {
                let i = find(self, service).ok_or_else(missing)?;
                let dests = &mut self.services[i].1;
                if dests.iter().any(|(d, _)| d.key() == dest.key()) {
                    return Err(Error::new(ErrorKind::Exists, "real server exists"));
                }
                dests.insert(0, (dest.clone(), Traffic::default()));
            }
            Change::EditDest { service, dest } => {
                let i = find(self, service).ok_or_else(missing)?;
                let (d, _) = self.services[i]
                    .1
                    .iter_mut()
                    .find(|(d, _)| d.key() == dest.key())
                    .ok_or_else(missing)?;
                *d = dest.clone();
            }
            Change::DeleteDest { service, dest } => {
                let i = find(self, service).ok_or_else(missing)?;
                let dests = &mut self.services[i].1;
                let j = dests
                    .iter()
                    .position(|(d, _)| d.key() == *dest)
                    .ok_or_else(missing)?;
                dests.remove(j);
            }
            Change::Zero(which) => {
                for (s, dests) in &mut self.services {
                    if which.is_none_or(|k| k == s.key) {
                        s.stats = Stats::default();
                        dests
                            .iter_mut()
                            .for_each(|(d, _)| d.stats = Stats::default());
                    }
                }
            }
            Change::Flush => self.services.clear(),
            Change::SetTimeouts(t) => self.timeouts = *t,
            Change::StartDaemon(d) => {
                if self.daemons.iter().any(|r| r.role == d.role) {
                    return Err(Error::new(ErrorKind::Exists, "sync daemon running"));
                }
                self.daemons.push(d.clone());
                self.daemons.sort_by_key(|r| r.role);
            }
            Change::StopDaemon(role) => {
                let i = self
                    .daemons
                    .iter()
                    .position(|r| r.role == *role)
                    .ok_or_else(|| Error::new(ErrorKind::NotFound, "no sync daemon"))?;
                self.daemons.remove(i);
            }
        }
        Ok(())
    }
}

/// A connection-table entry from its printed parts, as tests write them:
/// `conn("TCP", "203.0.113.7:40001", "192.0.2.10:80", "10.1.0.1:80", "ESTABLISHED", 890)`.
pub fn conn(
    protocol: &str,
    client: &str,
    virtual_addr: &str,
    real: &str,
    state: &str,
    expires: u32,
) -> Connection {
    use crate::model::Token;
    Connection {
        protocol: Token::new(protocol).expect("protocol token"),
        client: client.parse().expect("client address"),
        virtual_addr: virtual_addr.parse().expect("virtual address"),
        real: real.parse().expect("real address"),
        state: Token::new(state).expect("state token"),
        expires,
        origin: None,
        pe: None,
    }
}
