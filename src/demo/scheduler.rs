//! The IPVS schedulers, ported from net/netfilter/ipvs/ip_vs_*.c so that the
//! demo's weights and thresholds move traffic the way the kernel's do.
//!
//! Real servers are kept in the kernel's list order (a new one is added at
//! the head, `list_add_rcu`), and every scheduler walks that list in the same
//! order and breaks ties the same way as its C original.

use std::net::IpAddr;

use super::prng::Prng;
use crate::model::ServiceFlags;

/// What a scheduler may look at on a real server.
pub trait Candidate {
    fn weight(&self) -> i32;
    /// IP_VS_DEST_F_OVERLOAD
    fn overloaded(&self) -> bool;
    fn active(&self) -> u32;
    fn inactive(&self) -> u32;
}

/// ip_vs_dest_conn_overhead (include/net/ip_vs.h): active connections cost
/// 256 times an inactive one.
fn conn_overhead<C: Candidate>(d: &C) -> i64 {
    ((d.active() as i64) << 8) + d.inactive() as i64
}

/// IP_VS_SH_TAB_BITS / IP_VS_DH_TAB_BITS default.
const TAB_BITS: u32 = 8;
const TAB_SIZE: usize = 1 << TAB_BITS;

/// Names the kernel ships (plus "none", accepted by ip_vs_add_service).
pub const KNOWN: &[&str] = &[
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos",
];

/// How the real-server list changed, for the schedulers' add/del/upd hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListChange {
    /// A server was added at the head of the list.
    InsertedAtHead,
    /// The server at this index was removed.
    Removed(usize),
    /// A server's weight, thresholds or forwarding changed.
    Updated,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    None,
    /// ip_vs_rr.c: the last chosen server (None = list head).
    Rr {
        cursor: Option<usize>,
    },
    /// ip_vs_wrr.c `struct ip_vs_wrr_mark`.
    Wrr {
        cl: Option<usize>,
        cw: i32,
        mw: i32,
        di: i32,
    },
    Lc,
    Wlc,
    Sed,
    Nq,
    Fo,
    Ovf,
    Twos,
    /// ip_vs_sh.c buckets (also used for mh, see `new`).
    Sh {
        buckets: Vec<Option<usize>>,
        fallback: bool,
        port: bool,
    },
    /// ip_vs_dh.c buckets.
    Dh {
        buckets: Vec<Option<usize>>,
    },
    /// ip_vs_lblc.c / ip_vs_lblcr.c for the one destination address a
    /// virtual service has: the server currently bound to it.
    Lblc {
        bound: Option<usize>,
    },
}

/// A service's scheduler and its private state (`svc->sched_data`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduler {
    kind: Kind,
}

fn gcd(a: i32, b: i32) -> i32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

impl Scheduler {
    /// Binds scheduler `name` (ip_vs_bind_scheduler + init_service). `name`
    /// must be in `KNOWN` or be "none".
    pub fn new<C: Candidate>(name: &str, flags: u32, dests: &[C]) -> Scheduler {
        let f = ServiceFlags(flags);
        let kind = match name {
            "rr" => Kind::Rr { cursor: None },
            "wrr" => Kind::Wrr {
                cl: None,
                cw: 0,
                mw: 0,
                di: 1,
            },
            "lc" => Kind::Lc,
            "wlc" => Kind::Wlc,
            "sed" => Kind::Sed,
            "nq" => Kind::Nq,
            "fo" => Kind::Fo,
            "ovf" => Kind::Ovf,
            "twos" => Kind::Twos,
            // mh (Maglev) is simulated as weighted source hashing with the same
            // mh-fallback / mh-port flag bits: same stickiness, simpler table.
            "sh" | "mh" => Kind::Sh {
                buckets: Vec::new(),
                fallback: f.has(ServiceFlags::SCHED1),
                port: f.has(ServiceFlags::SCHED2),
            },
            "dh" => Kind::Dh {
                buckets: Vec::new(),
            },
            "lblc" | "lblcr" => Kind::Lblc { bound: None },
            _ => Kind::None,
        };
        let mut s = Scheduler { kind };
        s.reinit(dests);
        s
    }

    /// The service flags changed (ip_vs_edit_service): sh reads them per
    /// packet in the kernel, so only its flag copy needs updating.
    pub fn set_flags(&mut self, flags: u32) {
        if let Kind::Sh { fallback, port, .. } = &mut self.kind {
            let f = ServiceFlags(flags);
            *fallback = f.has(ServiceFlags::SCHED1);
            *port = f.has(ServiceFlags::SCHED2);
        }
    }

    fn reinit<C: Candidate>(&mut self, dests: &[C]) {
        match &mut self.kind {
            Kind::Wrr { cl, cw, mw, di } => {
                *cl = None;
                *di = wrr_gcd(dests);
                *mw = wrr_max(dests) - (*di - 1);
                *cw = *mw;
            }
            Kind::Sh { buckets, .. } => *buckets = sh_reassign(dests),
            Kind::Dh { buckets } => *buckets = dh_reassign(dests.len()),
            _ => {}
        }
    }

    /// The add_dest / del_dest / upd_dest hooks.
    pub fn dests_changed<C: Candidate>(&mut self, change: ListChange, dests: &[C]) {
        match &mut self.kind {
            Kind::Rr { cursor } => match change {
                ListChange::InsertedAtHead => {
                    *cursor = cursor.map(|i| i + 1);
                }
                // ip_vs_rr_del_dest: a cursor on the removed server moves to
                // its predecessor.
                ListChange::Removed(r) => {
                    *cursor = match *cursor {
                        Some(i) if i == r => r.checked_sub(1),
                        Some(i) if i > r => Some(i - 1),
                        other => other,
                    }
                }
                ListChange::Updated => {}
            },
            // ip_vs_wrr_dest_changed
            Kind::Wrr { cl, cw, mw, di } => {
                *cl = None;
                *di = wrr_gcd(dests);
                *mw = wrr_max(dests) - (*di - 1);
                if *cw > *mw || *cw == 0 {
                    *cw = *mw;
                } else if *di > 1 {
                    *cw = (*cw / *di) * *di + 1;
                }
            }
            Kind::Sh { buckets, .. } => *buckets = sh_reassign(dests),
            Kind::Dh { buckets } => *buckets = dh_reassign(dests.len()),
            Kind::Lblc { bound } => match change {
                ListChange::InsertedAtHead => *bound = bound.map(|i| i + 1),
                ListChange::Removed(r) => {
                    *bound = match *bound {
                        Some(i) if i == r => None,
                        Some(i) if i > r => Some(i - 1),
                        other => other,
                    }
                }
                ListChange::Updated => {}
            },
            _ => {}
        }
    }

    /// Picks a real server for a new connection from `client` (source
    /// address and port) to `vip`, or None when none is available.
    pub fn schedule<C: Candidate>(
        &mut self,
        dests: &[C],
        client: IpAddr,
        client_port: u16,
        vip: IpAddr,
        rng: &mut Prng,
    ) -> Option<usize> {
        match &mut self.kind {
            Kind::None => None,
            Kind::Rr { cursor } => rr(dests, cursor),
            Kind::Wrr { cl, cw, mw, di } => wrr(dests, cl, cw, *mw, *di),
            Kind::Lc => lc(dests),
            Kind::Wlc => weighted_least(dests, conn_overhead),
            Kind::Sed => weighted_least(dests, |d| d.active() as i64 + 1),
            Kind::Nq => nq(dests),
            Kind::Fo => fo(dests),
            Kind::Ovf => ovf(dests),
            Kind::Twos => twos(dests, rng),
            Kind::Sh {
                buckets,
                fallback,
                port,
            } => {
                let p = if *port { client_port } else { 0 };
                sh(dests, buckets, client, p, *fallback)
            }
            Kind::Dh { buckets } => {
                let i = buckets[(fold(vip).wrapping_mul(2_654_435_761) as usize) & (TAB_SIZE - 1)]?;
                let d = &dests[i];
                (d.weight() > 0 && !d.overloaded()).then_some(i)
            }
            Kind::Lblc { bound } => lblc(dests, bound),
        }
    }
}

fn eligible<C: Candidate>(d: &C) -> bool {
    !d.overloaded() && d.weight() > 0
}

/// ip_vs_rr_schedule: the next available server after the last one chosen.
fn rr<C: Candidate>(dests: &[C], cursor: &mut Option<usize>) -> Option<usize> {
    let n = dests.len();
    let start = cursor.map_or(0, |i| i + 1);
    let found = (start..n)
        .chain(0..cursor.map_or(0, |i| (i + 1).min(n)))
        .find(|&i| eligible(&dests[i]));
    if let Some(i) = found {
        *cursor = Some(i);
    }
    found
}

fn wrr_gcd<C: Candidate>(dests: &[C]) -> i32 {
    let g = dests
        .iter()
        .map(|d| d.weight())
        .filter(|&w| w > 0)
        .fold(0, |g, w| if g > 0 { gcd(w, g) } else { w });
    if g > 0 {
        g
    } else {
        1
    }
}

fn wrr_max<C: Candidate>(dests: &[C]) -> i32 {
    dests.iter().map(|d| d.weight()).fold(0, i32::max)
}

/// ip_vs_wrr_schedule, line for line: passes with a current weight `cw`
/// that drops by the weights' gcd, each pass taking servers with weight >= cw.
fn wrr<C: Candidate>(
    dests: &[C],
    cl: &mut Option<usize>,
    cw: &mut i32,
    mw: i32,
    di: i32,
) -> Option<usize> {
    if mw == 0 {
        return None;
    }
    let last = *cl;
    let mut pos = *cl;
    let mut stop: Option<usize> = None;
    let (mut last_pass, mut restarted) = (false, false);
    loop {
        for (i, d) in dests.iter().enumerate().skip(pos.map_or(0, |p| p + 1)) {
            if !d.overloaded() && d.weight() >= *cw {
                *cl = Some(i);
                return Some(i);
            }
            if stop == Some(i) {
                *cl = Some(i);
                return None;
            }
        }
        pos = None;
        *cw -= di;
        if *cw <= 0 {
            *cw = mw;
            if last_pass || last.is_none() {
                *cl = None;
                return None;
            }
            restarted = true;
        }
        last_pass = *cw <= di;
        if last_pass && restarted && last.is_some() {
            stop = last;
        }
    }
}

/// ip_vs_lc_schedule: least overhead, first wins ties.
fn lc<C: Candidate>(dests: &[C]) -> Option<usize> {
    let mut least: Option<(usize, i64)> = None;
    for (i, d) in dests.iter().enumerate() {
        if d.overloaded() || d.weight() == 0 {
            continue;
        }
        let doh = conn_overhead(d);
        if least.is_none_or(|(_, loh)| doh < loh) {
            least = Some((i, doh));
        }
    }
    least.map(|(i, _)| i)
}

/// ip_vs_wlc_schedule / ip_vs_sed_schedule: least overhead per weight,
/// compared as loh * w(d) > doh * w(least) to stay in integers.
fn weighted_least<C: Candidate>(dests: &[C], overhead: impl Fn(&C) -> i64) -> Option<usize> {
    let first = dests.iter().position(eligible)?;
    let (mut least, mut loh) = (first, overhead(&dests[first]));
    for (i, d) in dests.iter().enumerate().skip(first + 1) {
        if d.overloaded() {
            continue;
        }
        let doh = overhead(d);
        if loh * d.weight() as i64 > doh * dests[least].weight() as i64 {
            least = i;
            loh = doh;
        }
    }
    Some(least)
}

/// ip_vs_nq_schedule: an idle server at once, else shortest expected delay.
fn nq<C: Candidate>(dests: &[C]) -> Option<usize> {
    let mut least: Option<(usize, i64)> = None;
    for (i, d) in dests.iter().enumerate() {
        if !eligible(d) {
            continue;
        }
        let doh = d.active() as i64 + 1;
        if d.active() == 0 {
            return Some(i);
        }
        if least.is_none_or(|(l, loh)| loh * d.weight() as i64 > doh * dests[l].weight() as i64) {
            least = Some((i, doh));
        }
    }
    least.map(|(i, _)| i)
}

/// ip_vs_fo_schedule: the available server with the highest weight.
fn fo<C: Candidate>(dests: &[C]) -> Option<usize> {
    let mut best: Option<(usize, i32)> = None;
    for (i, d) in dests.iter().enumerate() {
        if !d.overloaded() && d.weight() > best.map_or(0, |(_, w)| w) {
            best = Some((i, d.weight()));
        }
    }
    best.map(|(i, _)| i)
}

/// ip_vs_ovf_schedule: highest weight among servers with active < weight.
fn ovf<C: Candidate>(dests: &[C]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, d) in dests.iter().enumerate() {
        let w = d.weight();
        if d.overloaded() || d.active() as i64 > w as i64 || w == 0 {
            continue;
        }
        if best.is_none_or(|b| w > dests[b].weight()) {
            best = Some(i);
        }
    }
    best
}

/// ip_vs_twos_schedule: two servers drawn by weight, the less loaded wins.
/// A draw of exactly the total picks nothing, leaving choice 1 at the last
/// available server with weight -1 and overhead 0, as in the C code.
fn twos<C: Candidate>(dests: &[C], rng: &mut Prng) -> Option<usize> {
    let total: i64 = dests
        .iter()
        .filter(|d| eligible(*d))
        .map(|d| d.weight() as i64)
        .sum();
    let mut c1 = dests.iter().rposition(eligible)?;
    let mut r1 = rng.below(total as u64 + 1) as i64;
    let mut r2 = rng.below(total as u64 + 1) as i64;
    let (mut w1, mut oh1) = (-1i64, 0i64);
    let mut c2: Option<(usize, i64, i64)> = None;
    for (i, d) in dests.iter().enumerate() {
        if !eligible(d) {
            continue;
        }
        r1 -= d.weight() as i64;
        r2 -= d.weight() as i64;
        if r1 <= 0 && w1 == -1 {
            c1 = i;
            w1 = d.weight() as i64;
            oh1 = conn_overhead(d);
        }
        if r2 <= 0 && c2.is_none() {
            c2 = Some((i, d.weight() as i64, conn_overhead(d)));
        }
        if w1 != -1 && c2.is_some() {
            break;
        }
    }
    match c2 {
        Some((i, w2, oh2)) if w2 * oh1 > w1 * oh2 => Some(i),
        _ => Some(c1),
    }
}

/// ip_vs_lblc_schedule for a single destination address: keep the bound
/// server unless it is gone, drained or overloaded in lblc's sense.
fn lblc<C: Candidate>(dests: &[C], bound: &mut Option<usize>) -> Option<usize> {
    if let Some(i) = *bound {
        let d = &dests[i];
        if d.weight() > 0 && !lblc_overloaded(d, dests) {
            return Some(i);
        }
    }
    // __ip_vs_lblc_schedule: weighted least-connection.
    let first = dests.iter().position(eligible)?;
    let (mut least, mut loh) = (first, conn_overhead(&dests[first]));
    for (i, d) in dests.iter().enumerate().skip(first + 1) {
        if d.overloaded() {
            continue;
        }
        let doh = conn_overhead(d);
        if loh * d.weight() as i64 > doh * dests[least].weight() as i64 {
            least = i;
            loh = doh;
        }
    }
    *bound = Some(least);
    Some(least)
}

/// lblc's is_overloaded: busier than its weight while another server is
/// under half its weight.
fn lblc_overloaded<C: Candidate>(d: &C, dests: &[C]) -> bool {
    d.active() as i64 > d.weight() as i64
        && dests
            .iter()
            .any(|o| (o.active() as i64) * 2 < o.weight() as i64)
}

/// Address folded to 32 bits, host order, as ip_vs_sh_hashkey does.
fn fold(addr: IpAddr) -> u32 {
    match addr {
        IpAddr::V4(a) => u32::from(a),
        IpAddr::V6(a) => {
            let o = a.octets();
            (0..4)
                .map(|i| u32::from_be_bytes([o[4 * i], o[4 * i + 1], o[4 * i + 2], o[4 * i + 3]]))
                .fold(0, |x, w| x ^ w)
        }
    }
}

/// ip_vs_sh_hashkey: hash_32(port + addr, 8) plus the fallback offset.
fn sh_hashkey(addr: IpAddr, port: u16, offset: usize) -> usize {
    let h = (port as u32)
        .wrapping_add(fold(addr))
        .wrapping_mul(0x61C8_8647)
        >> (32 - TAB_BITS);
    (offset + h as usize) & (TAB_SIZE - 1)
}

/// ip_vs_sh_reassign: buckets dealt round the list, `weight` buckets per
/// server before moving on (a weight-0 server still gets one).
fn sh_reassign<C: Candidate>(dests: &[C]) -> Vec<Option<usize>> {
    if dests.is_empty() {
        return vec![None; TAB_SIZE];
    }
    let mut out = Vec::with_capacity(TAB_SIZE);
    let (mut p, mut count) = (0usize, 0i32);
    for _ in 0..TAB_SIZE {
        out.push(Some(p));
        count += 1;
        if count >= dests[p].weight() {
            p = (p + 1) % dests.len();
            count = 0;
        }
    }
    out
}

/// ip_vs_dh_reassign: one bucket per server in turn, weights ignored.
fn dh_reassign(n: usize) -> Vec<Option<usize>> {
    (0..TAB_SIZE)
        .map(|i| if n == 0 { None } else { Some(i % n) })
        .collect()
}

/// ip_vs_sh_schedule with ip_vs_sh_get / ip_vs_sh_get_fallback.
fn sh<C: Candidate>(
    dests: &[C],
    buckets: &[Option<usize>],
    client: IpAddr,
    port: u16,
    fallback: bool,
) -> Option<usize> {
    let ihash = sh_hashkey(client, port, 0);
    let first = buckets[ihash]?;
    if eligible(&dests[first]) {
        return Some(first);
    }
    if !fallback {
        return None;
    }
    for offset in 0..TAB_SIZE {
        let roffset = (offset + ihash) % TAB_SIZE;
        let i = buckets[sh_hashkey(client, port, roffset)]?;
        if eligible(&dests[i]) {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Default)]
    struct D {
        w: i32,
        over: bool,
        act: u32,
        inact: u32,
    }

    impl Candidate for D {
        fn weight(&self) -> i32 {
            self.w
        }
        fn overloaded(&self) -> bool {
            self.over
        }
        fn active(&self) -> u32 {
            self.act
        }
        fn inactive(&self) -> u32 {
            self.inact
        }
    }

    fn w(ws: &[i32]) -> Vec<D> {
        ws.iter()
            .map(|&w| D {
                w,
                ..Default::default()
            })
            .collect()
    }

    fn run(name: &str, dests: &[D], n: usize) -> Vec<usize> {
        let mut s = Scheduler::new(name, 0, dests);
        let mut rng = Prng::new(1);
        let vip: IpAddr = "192.0.2.1".parse().unwrap();
        let mut counts = vec![0; dests.len()];
        for _ in 0..n {
            if let Some(i) = s.schedule(dests, vip, 0, vip, &mut rng) {
                counts[i] += 1;
            }
        }
        counts
    }

    #[test]
    fn wrr_follows_the_kernel_sequence() {
        // Weights 4,3,2 (gcd 1): the kernel's documented sequence is
        // A A B A B C A B C for one cycle of 9.
        let dests = w(&[4, 3, 2]);
        let mut s = Scheduler::new("wrr", 0, &dests);
        let mut rng = Prng::new(1);
        let vip: IpAddr = "192.0.2.1".parse().unwrap();
        let seq: Vec<usize> = (0..9)
            .map(|_| s.schedule(&dests, vip, 0, vip, &mut rng).unwrap())
            .collect();
        assert_eq!(seq, vec![0, 0, 1, 0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn wrr_skips_weight_zero_and_handles_gcd() {
        assert_eq!(run("wrr", &w(&[2, 0, 4]), 600), vec![200, 0, 400]);
    }

    #[test]
    fn rr_even_and_skips_drained() {
        assert_eq!(run("rr", &w(&[1, 5, 0, 1]), 300), vec![100, 100, 0, 100]);
    }

    #[test]
    fn wlc_prefers_lower_overhead_per_weight() {
        let mut dests = w(&[1, 2]);
        dests[0].act = 10; // overhead 2560 per weight 1
        dests[1].act = 15; // overhead 3840 per weight 2 = 1920
        let mut s = Scheduler::new("wlc", 0, &dests);
        let mut rng = Prng::new(1);
        let vip: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(s.schedule(&dests, vip, 0, vip, &mut rng), Some(1));
        dests[1].act = 25;
        assert_eq!(s.schedule(&dests, vip, 0, vip, &mut rng), Some(0));
    }

    #[test]
    fn overloaded_servers_are_skipped() {
        let mut dests = w(&[1, 1]);
        dests[0].over = true;
        for name in ["rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "twos"] {
            let c = run(name, &dests, 10);
            assert_eq!(c, vec![0, 10], "{name}");
        }
    }

    #[test]
    fn sh_is_sticky_and_fallback_moves_only_the_unavailable() {
        let mut dests = w(&[1, 1, 1]);
        let mut s = Scheduler::new("sh", ServiceFlags::SCHED1, &dests);
        let mut rng = Prng::new(1);
        let vip: IpAddr = "192.0.2.1".parse().unwrap();
        let clients: Vec<IpAddr> = (0..200u32)
            .map(|i| IpAddr::V4((0xAC10_0000 + i).into()))
            .collect();
        let first: Vec<_> = clients
            .iter()
            .map(|c| s.schedule(&dests, *c, 0, vip, &mut rng))
            .collect();
        let again: Vec<_> = clients
            .iter()
            .map(|c| s.schedule(&dests, *c, 0, vip, &mut rng))
            .collect();
        assert_eq!(first, again);
        assert!((0..3).all(|i| first.contains(&Some(i))));
        dests[1].over = true;
        for (c, f) in clients.iter().zip(&first) {
            let now = s.schedule(&dests, *c, 0, vip, &mut rng);
            if *f == Some(1) {
                assert!(now.is_some() && now != Some(1));
            } else {
                assert_eq!(now, *f);
            }
        }
    }
}
