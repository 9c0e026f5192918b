//! The agent's steady state on the host (`bench agent-stream S D TICKS`): an
//! S x D table in memory whose every counter moves each tick, as on a busy
//! director. Per tick: the time to make the reading's lines (`readings`, the
//! diff against the previous table) and to encode them, and their bytes,
//! beside one whole reading. No kernel: the agent's own cost.

use std::time::{Duration, Instant};

use lvstop::fleet::protocol::{encode, readings, FromAgent};
use lvstop::model::{Info, Service, ServiceEntry, Snapshot};

use super::build::{dest, service_key};

fn table(services: u32, dests: u32) -> Snapshot {
    Snapshot {
        info: Info {
            version: 0x010201,
            conn_tab_size: 4096,
        },
        services: (0..services)
            .map(|i| ServiceEntry {
                service: Service::new(service_key(i), "wlc"),
                dests: (0..dests).rev().map(dest).collect(),
            })
            .collect(),
    }
}

/// A second of traffic: every counter and rate moves, by amounts that vary.
fn traffic(t: &mut Snapshot, tick: u64) {
    for (i, e) in t.services.iter_mut().enumerate() {
        let mut sum = 0;
        for (j, d) in e.dests.iter_mut().enumerate() {
            let n = 1 + (tick * 7 + i as u64 * 3 + j as u64) % 50;
            d.active_conns = (n * 3) as u32;
            d.inactive_conns = (n * 40) as u32;
            d.stats.conns += n;
            d.stats.inpkts += n * 9;
            d.stats.outpkts += n * 8;
            d.stats.inbytes += n * 900;
            d.stats.outbytes += n * 12_000;
            d.stats.cps = n;
            d.stats.inpps = n * 9;
            d.stats.outpps = n * 8;
            d.stats.inbps = n * 900;
            d.stats.outbps = n * 12_000;
            sum += n;
        }
        e.service.stats.conns += sum;
        e.service.stats.inbytes += sum * 900;
        e.service.stats.cps = sum;
    }
}

fn encoded_bytes(lines: Vec<lvstop::fleet::protocol::Reading>) -> usize {
    lines
        .into_iter()
        .map(|l| encode(&FromAgent::Reading(l)).len() + 1)
        .sum()
}

fn median_ms(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1e3
}

pub fn run(services: u32, dests: u32, ticks: u64) {
    let mut prev = table(services, dests);
    traffic(&mut prev, 0);
    let t = Instant::now();
    let whole = encoded_bytes(readings(None, &prev, 1, 0, 0));
    println!("agent_whole_reading_bytes={whole}");
    println!(
        "agent_whole_reading_ms={:.1}",
        t.elapsed().as_secs_f64() * 1e3
    );
    let (mut diff, mut enc, mut bytes) = (Vec::new(), Vec::new(), Vec::new());
    for tick in 1..=ticks {
        // The read: a fresh table each tick, as the kernel client returns.
        let mut next = prev.clone();
        traffic(&mut next, tick);
        let t = Instant::now();
        let lines = readings(Some(&prev), &next, tick + 1, 0, 0);
        diff.push(t.elapsed());
        let t = Instant::now();
        bytes.push(encoded_bytes(lines));
        enc.push(t.elapsed());
        prev = next;
    }
    bytes.sort();
    println!("agent_busy_reading_bytes={}", bytes[bytes.len() / 2]);
    println!("agent_busy_diff_ms={:.1}", median_ms(diff));
    println!("agent_busy_encode_ms={:.1}", median_ms(enc));
}
