//! What clients send to one virtual service: how many new connections per
//! second (with a compressed daily cycle and random bursts), how long they
//! last, and how many packets and bytes they carry.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::prng::Prng;
use crate::model::Family;

/// A compressed "day": the arrival rate swings once per this many seconds,
/// so the drift is visible within a demo.
pub const DAY_SECS: f64 = 900.0;

/// A service's traffic profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Traffic {
    /// Mean new connections per second at the day's average.
    pub base_cps: f64,
    /// Relative amplitude of the daily swing (0 = flat).
    pub daily_swing: f64,
    /// Where in the day this service peaks, as a fraction of a day.
    pub daily_phase: f64,
    /// Mean seconds a burst starts, 0 = no bursts.
    pub burst_every_secs: f64,
    /// Mean connection duration (exponentially distributed), seconds.
    pub mean_duration_secs: f64,
    /// Packets per second per open connection, client to server.
    pub in_pps: f64,
    /// Packets per second per open connection, server to client.
    pub out_pps: f64,
    pub in_bytes_per_pkt: u64,
    pub out_bytes_per_pkt: u64,
    /// Distinct client addresses (for sh and persistence).
    pub clients: u32,
    /// Connections are UDP-like: the kernel never marks them active.
    pub datagram: bool,
    /// Whether the recurring incident may pick this service.
    pub incidents: bool,
}

impl Traffic {
    /// A flat rate without drift or bursts, for tests and experiments.
    pub fn steady(cps: f64, mean_duration_secs: f64) -> Traffic {
        Traffic {
            base_cps: cps,
            daily_swing: 0.0,
            daily_phase: 0.0,
            burst_every_secs: 0.0,
            mean_duration_secs,
            in_pps: 10.0,
            out_pps: 12.0,
            in_bytes_per_pkt: 120,
            out_bytes_per_pkt: 900,
            clients: 4096,
            datagram: false,
            incidents: false,
        }
    }

    /// What a service added at run time gets: a modest web-like load.
    pub fn default_for(datagram: bool) -> Traffic {
        Traffic {
            base_cps: 25.0,
            daily_swing: 0.4,
            burst_every_secs: 240.0,
            datagram,
            mean_duration_secs: if datagram { 0.5 } else { 4.0 },
            ..Traffic::steady(25.0, 4.0)
        }
    }

    /// The rate multiplier of the day cycle at `t` seconds.
    pub fn daily_factor(&self, t: f64) -> f64 {
        let angle = std::f64::consts::TAU * (t / DAY_SECS + self.daily_phase);
        (1.0 + self.daily_swing * angle.sin()).max(0.0)
    }
}

/// A burst in progress: the rate is multiplied until `until` (seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Burst {
    pub factor: f64,
    pub until: f64,
}

/// Client address number `i` of a population, in a private or documentation
/// range of the service's family.
pub fn client_addr(family: Family, i: u32) -> IpAddr {
    match family {
        // 172.16.0.0/12: clients behind a provider's NAT, say.
        Family::V4 => IpAddr::V4(Ipv4Addr::from(0xAC10_0000u32 + (i & 0x000F_FFFF))),
        Family::V6 => IpAddr::V6(Ipv6Addr::new(
            0x2001,
            0x0db8,
            0xc1,
            (i >> 16) as u16,
            0,
            0,
            (i >> 8) as u16 & 0xff,
            i as u16,
        )),
    }
}

/// Picks a client: a skewed draw so that a few clients are heavy hitters.
pub fn pick_client(rng: &mut Prng, population: u32) -> u32 {
    let u = rng.unit();
    ((population.max(1) as f64) * u * u) as u32
}
