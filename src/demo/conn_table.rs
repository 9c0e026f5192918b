//! `DemoDirector::connections`: the demo's connection table, generated entry
//! by entry from what the simulation keeps, so that it agrees with the
//! counters read at the same instant.
//!
//! A real server's live connections are the newest `open + lingering` of the
//! ones it ever opened, numbered by `seq`: the newest `open` carry traffic,
//! the older ones are closing and take the ring's expiry times, soonest
//! first. A number keeps its client and port while it lives, and its state
//! only moves on (ESTABLISHED, then TIME_WAIT, then gone). Templates are the
//! simulation's own. States and timeouts are the kernel's (ip_vs_proto_tcp.c,
//! ip_vs_proto_sctp.c, ip_vs_conn.c); see `state_of` for which count as active.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::ops::ControlFlow;

use super::conn_hash::{bucket_of_seq, first_seq_in, mix, TableKey, BUCKETS, PORT_SLOTS};
use super::pinned_clients::PinnedClients;
use super::sim::{masked, Sim, SimDest, SimService, STEP_NANOS};
use super::traffic::client_addr;
use crate::model::{
    ConnSource, ConnWalk, Connection, Family, Forward, Origin, PeData, Protocol, ServiceFlags,
    ServiceKey, Timeouts, Token,
};

const STEPS_PER_SEC: u64 = 1_000_000_000 / STEP_NANOS;
/// Timeouts of states `ipvsadm --set` does not change (tcp_timeouts, sctp_timeouts).
const SYN_RECV_SECS: u32 = 60;
const CLOSE_WAIT_SECS: u32 = 60;
const CLOSE_SECS: u32 = 10;
const SCTP_ESTABLISHED_SECS: u32 = 900;
const SCTP_CLOSED_SECS: u32 = 10;
/// Percent of the slow server's connections opened during an incident that
/// hang half-open (the server is too slow to answer their SYN) until it ends.
const HALF_OPEN_PCT: u64 = 35;
/// Draws to find a client whose persistence template pins it to the
/// connection's real server, before settling for any client.
const TEMPLATE_TRIES: u64 = 8;
/// IANA protocol numbers, as the kernel hashes them; `IP` for fwmark templates.
const TCP: u8 = 6;
const UDP: u8 = 17;
const SCTP: u8 = 132;
const IP: u8 = 0;

/// The names the table prints, made once per walk.
struct Names {
    tcp: Token,
    udp: Token,
    sctp: Token,
    ip: Token,
    established: Token,
    syn_recv: Token,
    fin_wait: Token,
    time_wait: Token,
    close_wait: Token,
    close: Token,
    closed: Token,
    assured: Token,
}

impl Names {
    fn new() -> Names {
        let t = |s: &str| Token::new(s).expect("a fixed name is a token");
        Names {
            tcp: t("TCP"),
            udp: t("UDP"),
            sctp: t("SCTP"),
            ip: t("IP"),
            established: t("ESTABLISHED"),
            syn_recv: t("SYN_RECV"),
            fin_wait: t("FIN_WAIT"),
            time_wait: t("TIME_WAIT"),
            close_wait: t("CLOSE_WAIT"),
            close: t("CLOSE"),
            closed: t("CLOSED"),
            assured: t("ASSURED"),
        }
    }

    fn protocol(&self, number: u8) -> Token {
        match number {
            TCP => self.tcp,
            UDP => self.udp,
            SCTP => self.sctp,
            _ => self.ip,
        }
    }
}

/// How a real server's connections move through states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// NAT sees both directions: closing connections wait in TIME_WAIT.
    /// Other methods see only the client's packets: they wait in FIN_WAIT.
    Tcp {
        nat: bool,
    },
    /// Every entry is `UDP`, and inactive.
    Udp,
    Sctp,
}

/// What one walk needs besides the simulation.
struct Walk<'a> {
    key: TableKey,
    names: Names,
    now: u64,
    timeouts: Timeouts,
    source: ConnSource,
    visit: &'a mut dyn FnMut(Connection) -> ControlFlow<()>,
    seen: ConnWalk,
}

impl Walk<'_> {
    fn emit(&mut self, c: Connection) -> ControlFlow<()> {
        self.seen.entries += 1;
        (self.visit)(c)
    }

    fn origin(&self) -> Option<Origin> {
        // The demo has no sync daemon: every entry is its own.
        (self.source == ConnSource::WithOrigin).then_some(Origin::Local)
    }
}

/// Walks the table in bucket order, handing each entry to `visit` until it
/// answers `Break`.
pub fn walk(
    sim: &Sim,
    key: TableKey,
    memo: &mut PinnedClients,
    source: ConnSource,
    visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
) -> ConnWalk {
    let templates = templates_in_order(sim, key);
    let mut pinned: HashMap<u64, Vec<IpAddr>> = HashMap::new();
    for t in &templates {
        pinned.entry(t.dest_id).or_default().push(t.net);
    }
    let views = dest_views(sim, key, &pinned);
    memo.forget_gone(|| {
        views
            .iter()
            .filter(|v| v.pinned.is_some())
            .map(|v| (v.dest.id, v.lo))
            .collect()
    });
    let mut w = Walk {
        key,
        names: Names::new(),
        now: sim.step,
        timeouts: sim.timeouts,
        source,
        visit,
        seen: ConnWalk::default(),
    };
    let mut next_template = templates.iter().peekable();
    for bucket in 0..BUCKETS {
        for v in &views {
            let mut seq = first_seq_in(bucket, v.offset, v.lo);
            while seq < v.hi {
                let c = v.entry(seq, &w, memo);
                if w.emit(c).is_break() {
                    return w.seen;
                }
                seq += BUCKETS;
            }
        }
        while let Some(t) = next_template.next_if(|t| t.bucket == bucket) {
            if let Some(c) = t.entry(sim, &w) {
                if w.emit(c).is_break() {
                    return w.seen;
                }
            }
        }
    }
    w.seen.complete = true;
    w.seen
}

/// One real server's live connections, as one walk sees them.
struct DestView<'a> {
    svc: &'a SimService,
    dest: &'a SimDest,
    kind: Kind,
    proto: u8,
    vip: IpAddr,
    /// The virtual port, or two for a firewall-mark service (its marked ports).
    vports: [u16; 2],
    /// For a persistent service, the client networks pinned to this server.
    pinned: Option<&'a [IpAddr]>,
    /// Live numbers: closing in `lo..split`, carrying traffic in `split..hi`.
    lo: u64,
    split: u64,
    hi: u64,
    /// Where this server's numbers start in the bucket permutation.
    offset: u64,
    /// Closing connections leaving the table by each step from now, summed.
    expiry: Vec<u32>,
    /// During an incident on this server: its first connection since it began.
    half_open_from: Option<u64>,
}

fn dest_views<'a>(
    sim: &'a Sim,
    key: TableKey,
    pinned: &'a HashMap<u64, Vec<IpAddr>>,
) -> Vec<DestView<'a>> {
    let mut views = Vec::new();
    for svc in &sim.services {
        let (vip, vports) = virtual_of(&svc.cfg.key);
        for dest in svc.dests.iter().chain(svc.trash.iter()) {
            let (open, lingering) = (dest.open as u64, dest.lingering as u64);
            if open + lingering == 0 {
                continue;
            }
            let kind = if dest.datagram {
                Kind::Udp
            } else if protocol_of(&svc.cfg.key) == Some(Protocol::Sctp) {
                Kind::Sctp
            } else {
                Kind::Tcp {
                    nat: dest.cfg.forward == Forward::Masq,
                }
            };
            let proto = match kind {
                Kind::Tcp { .. } => TCP,
                Kind::Udp => UDP,
                Kind::Sctp => SCTP,
            };
            let half_open_from = sim
                .incident
                .filter(|i| i.service == svc.cfg.key && i.dest_id == dest.id)
                .map(|i| i.first_conn);
            views.push(DestView {
                svc,
                dest,
                kind,
                proto,
                vip,
                vports,
                pinned: svc
                    .cfg
                    .flags
                    .has(ServiceFlags::PERSISTENT)
                    .then(|| pinned.get(&dest.id).map_or(&[][..], Vec::as_slice)),
                lo: dest.opened.saturating_sub(open + lingering),
                split: dest.opened.saturating_sub(open),
                hi: dest.opened,
                offset: key.of(&[dest.id]) % BUCKETS,
                expiry: cumulative_expiry(dest, sim.step, lingering),
                half_open_from,
            });
        }
    }
    views
}

/// Running totals of the ring's expiries from `now`, far enough to place
/// the `lingering` connections that leave first.
fn cumulative_expiry(dest: &SimDest, now: u64, lingering: u64) -> Vec<u32> {
    let mut sums = Vec::new();
    let mut total = 0u64;
    if lingering == 0 {
        return sums;
    }
    for n in dest.expiring_from(now) {
        total += n as u64;
        sums.push(total.min(u32::MAX as u64) as u32);
        if total >= lingering {
            break;
        }
    }
    sums
}

impl DestView<'_> {
    fn entry(&self, seq: u64, w: &Walk, memo: &mut PinnedClients) -> Connection {
        let h = w.key.of(&[self.dest.id, seq]);
        let client = match self.pinned {
            Some(_) => memo.get_or(self.dest.id, seq, || self.client(h, w.key)),
            None => self.client(h, w.key),
        };
        let bucket = bucket_of_seq(seq, self.offset);
        // Numbers sharing a bucket are BUCKETS apart: stepping the slot with
        // them keeps one server's live entries on distinct ports.
        let slot = seq / BUCKETS + part(self.offset ^ bucket, 1) % PORT_SLOTS;
        let port = w.key.port_in(bucket, self.proto, client, slot);
        let vport = self.vports[part(h, 2) as usize & 1];
        let real_port = match self.dest.cfg.port {
            // A real server without a port gets the packet's (ip_vs_schedule).
            0 => vport,
            p => p,
        };
        let (state, expires) = self.state_of(seq, h, w);
        Connection {
            protocol: w.names.protocol(self.proto),
            client: SocketAddr::new(client, port),
            virtual_addr: SocketAddr::new(self.vip, vport),
            real: SocketAddr::new(self.dest.cfg.addr, real_port),
            state,
            expires,
            origin: w.origin(),
            pe: None,
        }
    }

    /// A client drawn as the simulation draws them (a few heavy ones, a long
    /// tail); for a persistent service, one its templates pin to this server:
    /// drawn the same way while one fits, else in a pinned network.
    fn client(&self, h: u64, key: TableKey) -> IpAddr {
        let family = self.svc.cfg.key.family();
        let draw = |x: u64| client_addr(family, skewed(x, self.svc.traffic.clients));
        let Some(pinned) = self.pinned.filter(|p| !p.is_empty()) else {
            return draw(h);
        };
        let netmask = self.svc.cfg.netmask;
        for k in 0..TEMPLATE_TRIES {
            let a = draw(key.of(&[h, k]));
            if self.svc.template_dest(masked(a, netmask)) == Some(self.dest.id) {
                return a;
            }
        }
        let net = pinned[(part(h, 7) % pinned.len() as u64) as usize];
        within(net, netmask, part(h, 8))
    }

    /// The kernel counts as active the TCP states ESTABLISHED, SYN_SENT,
    /// SYN_RECV and SYNACK (tcp_state_active_table), SCTP's ESTABLISHED, and
    /// never a UDP entry: so the open connections take those states.
    fn state_of(&self, seq: u64, h: u64, w: &Walk) -> (Token, u32) {
        let n = &w.names;
        // Packets keep re-arming an open entry's timer: a second or two off.
        let second = w.now / STEPS_PER_SEC;
        let idle = (mix(part(h, 5) ^ second) % 2) as u32;
        if seq >= self.split {
            return match self.kind {
                Kind::Tcp { .. } if self.half_open(seq, h) => {
                    // The client's SYN retries re-arm it.
                    let since_retry = (mix(part(h, 6) ^ second) % 16) as u32;
                    (n.syn_recv, SYN_RECV_SECS - since_retry)
                }
                Kind::Tcp { .. } => (n.established, w.timeouts.tcp.saturating_sub(idle)),
                Kind::Udp => (n.udp, w.timeouts.udp.saturating_sub(idle)),
                Kind::Sctp => (n.established, SCTP_ESTABLISHED_SECS - idle),
            };
        }
        let left = self.expires_at_rank(seq - self.lo);
        let class = part(h, 3) % 100;
        match self.kind {
            // Both directions seen: the server's FIN without the client's
            // (FIN_WAIT), the client's without the server's (CLOSE_WAIT, kept
            // alive by the server's data), a reset (CLOSE), or both FINs.
            Kind::Tcp { nat: true } => match class {
                0..=2 => (n.fin_wait, left),
                3..=4 => (n.close_wait, left.min(CLOSE_WAIT_SECS)),
                5..=6 if left <= CLOSE_SECS => (n.close, left),
                _ => (n.time_wait, left),
            },
            // Client packets only: its FIN leads to FIN_WAIT, a reset to CLOSE.
            Kind::Tcp { nat: false } => match class {
                0..=3 if left <= CLOSE_SECS => (n.close, left),
                _ => (n.fin_wait, left),
            },
            Kind::Udp => (n.udp, left),
            Kind::Sctp => (n.closed, left.min(SCTP_CLOSED_SECS)),
        }
    }

    fn half_open(&self, seq: u64, h: u64) -> bool {
        self.half_open_from.is_some_and(|from| seq >= from) && part(h, 4) % 100 < HALF_OPEN_PCT
    }

    /// Seconds until the closing connection of this rank (0 = leaves first)
    /// leaves the table.
    fn expires_at_rank(&self, rank: u64) -> u32 {
        let step = self.expiry.partition_point(|&sum| sum as u64 <= rank);
        (step as u64 / STEPS_PER_SEC) as u32
    }
}

/// An address in the persistence network `net` (an IPv4 mask, or an IPv6
/// prefix length as the simulation keeps it), host part from `h`.
fn within(net: IpAddr, netmask: u32, h: u64) -> IpAddr {
    match net {
        IpAddr::V4(a) => IpAddr::V4((u32::from(a) | (h as u32 & !netmask)).into()),
        IpAddr::V6(a) => {
            let plen = netmask.min(128);
            let host = if plen == 128 { 0 } else { u128::MAX >> plen };
            IpAddr::V6((u128::from(a) | (h as u128 & host)).into())
        }
    }
}

/// An independent hash of entry hash `h` for attribute `n`.
fn part(h: u64, n: u64) -> u64 {
    mix(h.wrapping_add(n.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
}

/// As `traffic::pick_client`, from a hash instead of the simulation's stream.
fn skewed(h: u64, population: u32) -> u32 {
    let u = (h >> 11) as f64 / (1u64 << 53) as f64;
    ((population.max(1) as f64) * u * u) as u32
}

fn protocol_of(key: &ServiceKey) -> Option<Protocol> {
    match key {
        ServiceKey::Addr { protocol, .. } => Some(*protocol),
        ServiceKey::Fwmark { .. } => None,
    }
}

/// Where a service's clients connect to. A firewall-mark service has no
/// address of its own: its entries show 192.0.2.<mark> (IPv6:
/// 2001:db8::<mark>), ports 80 and 443, as the demo's shop marks both.
fn virtual_of(key: &ServiceKey) -> (IpAddr, [u16; 2]) {
    match *key {
        ServiceKey::Addr { addr, port, .. } => (addr, [port, port]),
        ServiceKey::Fwmark {
            family: Family::V4,
            mark,
        } => (IpAddr::V4(Ipv4Addr::new(192, 0, 2, mark as u8)), [80, 443]),
        ServiceKey::Fwmark { mark, .. } => (
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, mark as u16)),
            [80, 443],
        ),
    }
}

/// A persistence template in the walk's order.
struct TemplateRef {
    bucket: u64,
    service: usize,
    net: IpAddr,
    dest_id: u64,
    expires: u64,
}

/// Templates are the simulation's own (a few hundred, already in memory):
/// put in bucket order once per walk.
fn templates_in_order(sim: &Sim, key: TableKey) -> Vec<TemplateRef> {
    let mut out = Vec::new();
    for (service, svc) in sim.services.iter().enumerate() {
        let proto = template_protocol(&svc.cfg.key);
        for (net, dest_id, expires) in svc.templates() {
            out.push(TemplateRef {
                bucket: key.bucket(proto, net, 0),
                service,
                net,
                dest_id,
                expires,
            });
        }
    }
    out.sort_unstable_by_key(|t| (t.bucket, t.service, t.net));
    out
}

/// ip_vs_sched_persist: a fwmark service's templates are protocol IP.
fn template_protocol(key: &ServiceKey) -> u8 {
    match protocol_of(key) {
        None => IP,
        Some(Protocol::Tcp) => TCP,
        Some(Protocol::Udp) => UDP,
        Some(Protocol::Sctp) => SCTP,
    }
}

impl TemplateRef {
    fn entry(&self, sim: &Sim, w: &Walk) -> Option<Connection> {
        let svc = &sim.services[self.service];
        let dest = svc.dest_with_id(self.dest_id)?;
        // <protocol, client net, 0, vaddr, vport> or, for a firewall mark,
        // <IP, client net, 0, mark as an address, 0> (ip_vs_sched_persist).
        let virtual_addr = match svc.cfg.key {
            ServiceKey::Addr { addr, port, .. } => SocketAddr::new(addr, port),
            ServiceKey::Fwmark {
                family: Family::V4,
                mark,
            } => SocketAddr::new(IpAddr::V4(Ipv4Addr::from(mark)), 0),
            ServiceKey::Fwmark { mark, .. } => {
                SocketAddr::new(IpAddr::V6(Ipv6Addr::from((mark as u128) << 96)), 0)
            }
        };
        let pe = match (w.source, svc.cfg.pe_name.as_deref()) {
            (ConnSource::Plain, Some(name)) => Token::new(name).map(|name| PeData {
                name,
                data: self.call_id(w.key).into(),
            }),
            _ => None,
        };
        Some(Connection {
            protocol: w.names.protocol(template_protocol(&svc.cfg.key)),
            client: SocketAddr::new(self.net, 0),
            virtual_addr,
            real: SocketAddr::new(dest.cfg.addr, dest.cfg.port),
            // Its first connection was answered (ip_vs_control_assure_ct).
            state: w.names.assured,
            expires: (self.expires.saturating_sub(w.now) / STEPS_PER_SEC) as u32,
            origin: w.origin(),
            pe,
        })
    }

    /// The SIP Call-ID the persistence engine keys the template by.
    fn call_id(&self, key: TableKey) -> String {
        let bits = match self.net {
            IpAddr::V4(a) => u32::from(a) as u64,
            IpAddr::V6(a) => u128::from(a) as u64,
        };
        format!("{:016x}@{}", key.of(&[bits, self.dest_id]), self.net)
    }
}
