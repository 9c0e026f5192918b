//! Alerts per real server: conditions judged over a window of readings and
//! raised or cleared with hysteresis (`hysteresis.rs`), one detector per
//! file. The store judges a service's real servers once per reading of them
//! (`ServiceRow::judge_alerts`); the canvas only draws what is here.

mod drain;
mod half_open;
mod hysteresis;
mod idle;
mod limit;
mod share;
mod slow;
mod window;

#[cfg(test)]
mod tests;

use std::time::Duration;

use crate::conns::Count;
use crate::model::{Dest, Service, ServiceFlags};

pub use drain::{Draining, STALL_SECS};
pub use half_open::{MIN_HALF_OPEN, PILE_FACTOR};
pub use hysteresis::{CLEAR_AFTER, RAISE_AFTER};
pub use idle::QUIET_SECS;
pub use share::{expectation, Expect, FAR_FACTOR};
pub use slow::SLOW_FACTOR;
pub use window::{LONG_SECS, SHORT_SECS};

/// How bad an alert is; it decides the colour (red, yellow).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Critical,
}

/// The kinds of alert, worst first: the order a real server's alerts and
/// the header's choice of the worst one follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// First: a server the scheduler skips gets no new connections, which
    /// would also read as slow or idle.
    AtLimit,
    Slow,
    /// Before idle: half-open connections explain a server that gets SYNs
    /// but no connection through.
    HalfOpen,
    Idle,
    Share,
    DrainStalled,
}

const KINDS: [Kind; 6] = [
    Kind::AtLimit,
    Kind::Slow,
    Kind::HalfOpen,
    Kind::Idle,
    Kind::Share,
    Kind::DrainStalled,
];

/// A raised alert with the figures that raised it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Alert {
    /// Connections last `lasts` seconds, the siblings' median `siblings`.
    Slow { lasts: f32, siblings: f32 },
    /// Active + inactive connections at the upper threshold.
    AtLimit { conns: u32, upper: u32 },
    /// No new connection for `quiet` seconds while the siblings got
    /// `siblings` per second.
    Idle { quiet: f32, siblings: f32 },
    /// Its share of new connections against the expected share (fractions).
    Share { got: f32, expected: f32 },
    /// Drained, `conns` connections not falling for `secs` seconds.
    DrainStalled { conns: u32, secs: f32 },
    /// `count` half-open (`SYN_RECV`) entries, the siblings' median
    /// `siblings`; `sampled`: scaled from a sample of the table.
    HalfOpen {
        count: u64,
        siblings: u64,
        sampled: bool,
    },
}

impl Alert {
    pub fn kind(&self) -> Kind {
        match self {
            Alert::Slow { .. } => Kind::Slow,
            Alert::AtLimit { .. } => Kind::AtLimit,
            Alert::Idle { .. } => Kind::Idle,
            Alert::Share { .. } => Kind::Share,
            Alert::DrainStalled { .. } => Kind::DrainStalled,
            Alert::HalfOpen { .. } => Kind::HalfOpen,
        }
    }

    /// Red for a server that is not serving as it should (slow, full,
    /// idle); yellow for one that serves but not as configured.
    pub fn severity(&self) -> Severity {
        match self.kind() {
            Kind::Slow | Kind::AtLimit | Kind::Idle | Kind::HalfOpen => Severity::Critical,
            Kind::Share | Kind::DrainStalled => Severity::Warning,
        }
    }

    /// A word or two for the real server's row.
    pub fn label(&self) -> &'static str {
        match self {
            Alert::Slow { .. } => "slow",
            Alert::AtLimit { .. } => "at limit",
            Alert::Idle { .. } => "idle",
            Alert::Share { .. } => "share",
            Alert::DrainStalled { .. } => "stalled",
            Alert::HalfOpen { .. } => "half-open",
        }
    }

    /// The alert in words, for the header line after the address.
    pub fn describe(&self) -> String {
        match *self {
            Alert::Slow { lasts, siblings } => format!(
                "slow: connections last {} s, siblings {} s",
                secs(lasts),
                secs(siblings)
            ),
            Alert::AtLimit { conns, upper } => {
                format!("at limit: {conns} connections, upper threshold {upper}")
            }
            Alert::Idle { quiet, siblings } => format!(
                "idle: no new connection for {:.0} s, siblings {:.0}/s",
                quiet, siblings
            ),
            Alert::Share { got, expected } => format!(
                "share: {:.0}% of new connections, weight says {:.0}%",
                got * 100.0,
                expected * 100.0
            ),
            Alert::DrainStalled { conns, secs } => format!(
                "drain stalled: {conns} connections, none fewer for {:.0} s",
                secs
            ),
            Alert::HalfOpen {
                count,
                siblings,
                sampled,
            } => format!(
                "half-open piling up: {}{count} SYN_RECV entries, siblings {siblings}",
                if sampled { "~" } else { "" }
            ),
        }
    }
}

/// Seconds with one decimal below 100, whole above.
fn secs(s: f32) -> String {
    if s < 99.95 {
        format!("{s:.1}")
    } else {
        format!("{s:.0}")
    }
}

/// One real server's alert state: its windows, its drain, one hysteresis
/// per kind, and what is shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DestAlerts {
    window: window::Window,
    drain: drain::Drain,
    overload: limit::Overload,
    held: [hysteresis::Hysteresis; 6],
    /// Seconds since the previous reading (set by the first pass).
    dt: f32,
    draining: bool,
    alert: Option<Alert>,
}

impl DestAlerts {
    /// The worst alert raised on it.
    #[inline]
    pub fn alert(&self) -> Option<&Alert> {
        self.alert.as_ref()
    }

    /// Drained (weight 0) with its connections still going: a neutral mark.
    #[inline]
    pub fn draining(&self) -> bool {
        self.draining
    }
}

/// What the rate source allows the detectors to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rates {
    /// The connection counters move: new connections can be judged.
    pub counters: bool,
    /// The readings carry the kernel's own rate estimates, which seed the
    /// windows at the first reading.
    pub kernel: bool,
}

/// Judges a service's real servers after a reading of them at `at`
/// (monotonic); `split` reaches a row's reading and its alert state;
/// `half_open` holds each row's half-open count, table-wide (empty before
/// the first reading of them). Returns how many have an alert raised.
pub fn judge<D>(
    service: &Service,
    rows: &mut [D],
    at: Duration,
    rates: Rates,
    half_open: &[Option<Count>],
    split: fn(&mut D) -> (&Dest, &mut DestAlerts),
) -> u16 {
    let at = at.as_secs_f64();
    let expect = expectation(
        &service.scheduler,
        service.flags.has(ServiceFlags::PERSISTENT),
    );
    let mut pool = share::Pool::default();
    let mut short_sum = 0.0;
    let mut lifetimes: Vec<f64> = Vec::new();
    // A server held overloaded skews its siblings' shares on purpose, and
    // under the least-connection schedulers one back from it takes every
    // new connection until it catches up, so its siblings go quiet: with
    // any server in its threshold band within the long window, neither
    // shares nor quiet spells are judged (a server held at its limit is
    // flagged as such).
    let mut thresholds_at_work = false;
    for r in rows.iter_mut() {
        let (d, a) = split(r);
        let seed = rates.kernel.then_some(d.stats.cps as f64);
        let reading = (d.stats.conns, d.active_conns);
        a.dt = a.window.observe(at, reading, seed) as f32;
        let conns = d.active_conns as u64 + d.inactive_conns as u64;
        let thresholds = (d.lower_threshold, d.upper_threshold);
        a.overload.observe(conns, thresholds, at);
        thresholds_at_work |= a.overload.within(LONG_SECS, at);
        if d.weight > 0 {
            pool.up += 1;
            pool.weights += d.weight as u64;
        }
        pool.cps += a.window.long();
        short_sum += a.window.short();
        if let Some(l) = lifetime(d, a, rates) {
            if slow::reference(d.active_conns, a.window.closing()) {
                lifetimes.push(l);
            }
        }
    }
    lifetimes.sort_by(f64::total_cmp);
    // Drained real servers take no new connection: neither judged nor a
    // sibling.
    let half_open: Vec<Option<Count>> = if half_open.len() == rows.len() {
        rows.iter_mut()
            .zip(half_open)
            .map(|(r, c)| c.filter(|_| split(r).0.weight > 0))
            .collect()
    } else {
        Vec::new()
    };
    let mut alerted = 0;
    for (i, r) in rows.iter_mut().enumerate() {
        let (d, a) = split(r);
        let conns = d.active_conns as u64 + d.inactive_conns as u64;
        let drain = a.drain.observe(d.weight, conns, at);
        a.draining = drain == Draining::Falling;
        let own = lifetime(d, a, rates).filter(|_| d.active_conns >= slow::MIN_ACTIVE);
        let mut found: [Option<(Alert, bool)>; 6] = [None; 6];
        found[1] = own.and_then(|l| {
            let siblings = slow::median_without(&lifetimes, Some(l))?;
            Some((
                Alert::Slow {
                    lasts: l as f32,
                    siblings: siblings as f32,
                },
                slow::slow(l, siblings),
            ))
        });
        found[0] = Some((
            Alert::AtLimit {
                conns: conns.min(u32::MAX as u64) as u32,
                upper: d.upper_threshold,
            },
            limit::at_limit(d.active_conns, d.inactive_conns, d.upper_threshold),
        ));
        if rates.counters && a.window.full(SHORT_SECS) && !thresholds_at_work {
            let siblings = short_sum - a.window.short();
            found[3] = Some((
                Alert::Idle {
                    quiet: a.window.quiet() as f32,
                    siblings: siblings as f32,
                },
                idle::idle(d.weight, a.window.quiet(), siblings, pool.up),
            ));
        }
        let judged = rates.counters && a.window.full(LONG_SECS) && !thresholds_at_work;
        if let (Some(expect), true) = (expect, judged) {
            found[4] = share::shares(expect, &pool, d.weight, a.window.long()).map(|s| {
                let alert = Alert::Share {
                    got: s.0 as f32,
                    expected: s.1 as f32,
                };
                (alert, share::far(s))
            });
        }
        if let Draining::Stalled(secs) = drain {
            let conns = conns.min(u32::MAX as u64) as u32;
            let secs = secs as f32;
            found[5] = Some((Alert::DrainStalled { conns, secs }, true));
        }
        found[2] = half_open::judge(&half_open, i).map(|j| {
            let alert = Alert::HalfOpen {
                count: j.own,
                siblings: j.siblings,
                sampled: j.sampled,
            };
            (alert, j.piling)
        });
        a.alert = raise(a, &found);
        alerted += u16::from(a.alert.is_some());
    }
    alerted
}

/// How long a connection to `d` lasts, where it can be judged: not on a
/// drained server, whose connections are the drain's business.
fn lifetime(d: &Dest, a: &DestAlerts, rates: Rates) -> Option<f64> {
    if d.weight == 0 || !rates.counters || !a.window.full(SHORT_SECS) {
        return None;
    }
    Some(slow::lasts(d.active_conns, a.window.closing()))
}

/// Steps every kind's hysteresis with this reading's findings (a kind
/// without a finding does not hold) and picks the worst raised alert: with
/// this reading's figures while its condition holds, else the figures it
/// was shown with (a clearing alert keeps the figures that raised it).
fn raise(a: &mut DestAlerts, found: &[Option<(Alert, bool)>; 6]) -> Option<Alert> {
    let mut shown = None;
    for (i, kind) in KINDS.iter().enumerate() {
        let holds = found[i].is_some_and(|f| f.1);
        if !a.held[i].step(holds, a.dt) || shown.is_some() {
            continue;
        }
        shown = match (found[i], a.alert) {
            (Some((alert, true)), _) => Some(alert),
            (_, Some(old)) if old.kind() == *kind => Some(old),
            (found, _) => found.map(|f| f.0),
        };
    }
    shown
}
