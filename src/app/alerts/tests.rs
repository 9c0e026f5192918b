//! The detectors together on one service, read once a second: each alert
//! raised by its condition after the hold, on the right server only, and
//! cleared after the condition is gone.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use super::*;
use crate::conns::Count;
use crate::model::{Dest, Service, ServiceKey};

struct Bench {
    service: Service,
    rows: Vec<(Dest, DestAlerts, f64)>,
    t: u64,
    /// Each row's table-wide half-open count (empty: none read yet).
    half_open: Vec<Option<Count>>,
}

fn split(r: &mut (Dest, DestAlerts, f64)) -> (&Dest, &mut DestAlerts) {
    (&r.0, &mut r.1)
}

impl Bench {
    fn new(scheduler: &str, weights: &[u32]) -> Bench {
        let key = ServiceKey::Addr {
            protocol: crate::model::Protocol::Tcp,
            addr: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
            port: 80,
        };
        let rows = weights
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                let mut d = Dest::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1 + i as u8)), 80);
                d.weight = w;
                (d, DestAlerts::default(), 0.0)
            })
            .collect();
        Bench {
            service: Service::new(key, scheduler),
            rows,
            t: 0,
            half_open: Vec::new(),
        }
    }

    /// `secs` readings a second apart, each server getting `(new per
    /// second, active)`.
    fn run(&mut self, secs: u64, traffic: &[(f64, u32)]) -> Vec<Vec<Option<Kind>>> {
        let mut seen = Vec::new();
        for _ in 0..secs {
            self.t += 1;
            for (row, &(cps, active)) in self.rows.iter_mut().zip(traffic) {
                row.2 += cps;
                row.0.stats.conns = row.2 as u64;
                row.0.stats.cps = cps as u64;
                row.0.active_conns = active;
            }
            let rates = Rates {
                counters: true,
                kernel: true,
            };
            let at = Duration::from_secs(self.t);
            judge(
                &self.service,
                &mut self.rows,
                at,
                rates,
                &self.half_open,
                split,
            );
            seen.push(self.kinds());
        }
        seen
    }

    fn kinds(&self) -> Vec<Option<Kind>> {
        self.rows
            .iter()
            .map(|r| r.1.alert().map(|a| a.kind()))
            .collect()
    }
}

/// The first reading (1-based) at which server `j` shows `kind`.
fn first(seen: &[Vec<Option<Kind>>], j: usize, kind: Kind) -> Option<usize> {
    seen.iter().position(|k| k[j] == Some(kind)).map(|p| p + 1)
}

#[test]
fn a_slow_server_under_wlc_is_flagged_then_cleared() {
    let mut b = Bench::new("wlc", &[100, 100, 100, 100]);
    let healthy = [(255.0, 765); 4];
    assert!(b.run(60, &healthy).iter().flatten().all(Option::is_none));
    // One server slows down: wlc sends it 10 new connections a second, as
    // many active connections as its siblings; connections last 76 s.
    let mut slow = healthy;
    slow[2] = (10.0, 765);
    let seen = b.run(30, &slow);
    let at = first(&seen, 2, Kind::Slow).expect("flagged");
    assert!(at <= 25, "flagged after {at} s");
    assert!(seen
        .iter()
        .all(|k| k[0].is_none() && k[1].is_none() && k[3].is_none()));
    let Some(Alert::Slow { lasts, siblings }) = b.rows[2].1.alert().copied() else {
        panic!("{:?}", b.rows[2].1.alert())
    };
    assert!(
        lasts > 30.0 && (2.0..4.0).contains(&siblings),
        "{lasts} {siblings}"
    );
    // It recovers: cleared after the hold, not before.
    let seen = b.run(90, &healthy);
    let cleared = seen.iter().position(|k| k[2].is_none()).expect("cleared") + 1;
    assert!(
        cleared as f32 >= CLEAR_AFTER && cleared <= 75,
        "cleared after {cleared} s"
    );
}

#[test]
fn an_idle_server_is_flagged_and_a_drained_one_is_only_marked() {
    let mut b = Bench::new("wrr", &[1, 1, 0]);
    let seen = b.run(40, &[(50.0, 300), (0.0, 0), (0.0, 0)]);
    let at = first(&seen, 1, Kind::Idle).expect("idle flagged");
    assert!(at as f64 <= QUIET_SECS + RAISE_AFTER as f64 + 2.0, "{at}");
    assert!(seen.iter().all(|k| k[0].is_none() && k[2].is_none()));
    // Drained with connections going: a mark, not an alert.
    let mut b = Bench::new("wrr", &[1, 0]);
    b.rows[1].0.inactive_conns = 500;
    for t in 0..100u32 {
        b.rows[1].0.inactive_conns = 500 - 4 * t;
        b.run(1, &[(50.0, 300), (0.0, 0)]);
        assert!(b.rows[1].1.draining() && b.rows[1].1.alert().is_none());
    }
    // Its count stops falling: an alert once stalled for long.
    let seen = b.run(STALL_SECS as u64 + 20, &[(50.0, 300), (0.0, 0)]);
    let at = first(&seen, 1, Kind::DrainStalled).expect("stalled");
    assert!(at as f64 >= STALL_SECS, "{at}");
    assert_eq!(
        b.rows[1].1.alert().unwrap().severity(),
        Severity::Warning,
        "yellow: the operator drained it on purpose"
    );
}

#[test]
fn shares_are_judged_where_weight_predicts_them() {
    // wrr 1:1 split 9:1, connections lasting the same: a share alert on
    // the starved one after the hold (the kernel's rates seed the window).
    let mut b = Bench::new("wrr", &[1, 1]);
    let seen = b.run(90, &[(90.0, 270), (10.0, 30)]);
    let at = first(&seen, 1, Kind::Share).expect("share flagged");
    assert!(at as f32 >= RAISE_AFTER && at <= 12, "{at}");
    assert!(seen.iter().all(|k| k[0].is_none()), "2× its share is 90%");
    // lc with weights 1 and 5 splitting evenly: lc is blind to the values.
    let mut b = Bench::new("lc", &[1, 5]);
    let seen = b.run(120, &[(50.0, 150), (50.0, 150)]);
    assert!(seen.iter().flatten().all(Option::is_none));
    // sh hashes clients: a 9:1 split is the clients', not an alert.
    let mut b = Bench::new("sh", &[1, 1]);
    let seen = b.run(120, &[(90.0, 270), (10.0, 30)]);
    assert!(seen.iter().flatten().all(Option::is_none));
}

#[test]
fn at_the_upper_threshold_and_the_band_below_it() {
    let mut b = Bench::new("lc", &[1, 1]);
    b.rows[1].0.upper_threshold = 1400;
    b.rows[1].0.lower_threshold = 1100;
    // In the band between the thresholds and getting nothing: IPVS may
    // be holding it overloaded, so not idle; nor is its sibling, taking
    // everything meanwhile, judged by share.
    b.rows[1].0.inactive_conns = 1200;
    let seen = b.run(60, &[(20.0, 600), (0.0, 0)]);
    assert!(seen.iter().flatten().all(Option::is_none), "{seen:?}");
    // Held at the upper threshold: an alert.
    b.rows[1].0.inactive_conns = 1400;
    let seen = b.run(20, &[(20.0, 600), (0.0, 0)]);
    assert!(first(&seen, 1, Kind::AtLimit).is_some());
    assert!(seen.iter().all(|k| k[0].is_none()));
}

#[test]
fn words_for_the_header() {
    let slow = Alert::Slow {
        lasts: 9.8,
        siblings: 0.4,
    };
    assert_eq!(
        slow.describe(),
        "slow: connections last 9.8 s, siblings 0.4 s"
    );
    assert_eq!(slow.severity(), Severity::Critical);
    let share = Alert::Share {
        got: 0.04,
        expected: 0.286,
    };
    assert_eq!(
        share.describe(),
        "share: 4% of new connections, weight says 29%"
    );
}

/// One real server of three holding half-open connections while its
/// siblings hold few: raised after the hold with the numbers named, not
/// on the siblings, and cleared after the hold once they drain. A drained
/// sibling holding none is no reference.
#[test]
fn half_open_piling_on_one_real_server_is_flagged_then_cleared() {
    let mut b = Bench::new("wlc", &[100, 100, 100, 0]);
    let traffic = [(50.0, 150); 4];
    let exact = |v| Some(Count::Exact { value: v });
    b.half_open = vec![exact(2), exact(3), exact(1), exact(0)];
    assert!(b.run(20, &traffic).iter().flatten().all(Option::is_none));
    b.half_open = vec![exact(2), exact(140), exact(1), exact(0)];
    let seen = b.run(20, &traffic);
    let at = first(&seen, 1, Kind::HalfOpen).expect("flagged");
    assert!(at as f32 >= RAISE_AFTER && at <= 10, "{at}");
    assert!(seen.iter().all(|k| k[0].is_none() && k[2].is_none()));
    let alert = b.rows[1].1.alert().copied().unwrap();
    assert_eq!(
        alert.describe(),
        "half-open piling up: 140 SYN_RECV entries, siblings 1"
    );
    assert_eq!(alert.label(), "half-open");
    assert_eq!(alert.severity(), Severity::Critical);
    b.half_open = vec![exact(2), exact(3), exact(1), exact(0)];
    let seen = b.run(40, &traffic);
    let cleared = seen.iter().position(|k| k[1].is_none()).expect("cleared") + 1;
    assert!(cleared as f32 >= CLEAR_AFTER, "{cleared}");
    // Sampled: the estimate carries `~` in its words.
    let sampled = Alert::HalfOpen {
        count: 1200,
        siblings: 10,
        sampled: true,
    };
    assert_eq!(
        sampled.describe(),
        "half-open piling up: ~1200 SYN_RECV entries, siblings 10"
    );
}
