//! What the fleet's differences view costs on the UI thread when it
//! compares again (`FleetMonitor::refresh_differences`): each director's
//! settings fingerprint, then the comparison of the borrowed tables. N
//! directors of S x D, applied as the monitor applies a first listing; the
//! tables agree, or (`differ`) the last director's first service has
//! another scheduler and one real server another weight. Medians of REPS.

use std::time::{Duration, Instant, SystemTime};

use lvstop::app::{App, AppConfig, Event, PollResult};
use lvstop::fleet::diff::differences_between;
use lvstop::fleet::DirectorName;
use lvstop::model::{Info, Service};

use super::build;

fn director(services: u32, dests: u32, differ: bool) -> App {
    let mut app = App::new(AppConfig {
        delay: Duration::from_secs(1),
        history: Duration::from_secs(60),
    });
    let mut all: Vec<Service> = (0..services)
        .map(|i| Service::new(build::service_key(i), "wlc"))
        .collect();
    let pool: Vec<_> = (0..dests).rev().map(build::dest).collect();
    let mut read: Vec<_> = all.iter().map(|s| (s.key, pool.clone())).collect();
    if differ {
        all[0].scheduler = "rr".into();
        if let Some(d) = read[0].1.first_mut() {
            d.weight += 1;
        }
    }
    app.apply(Event::Polled(PollResult {
        whole: true,
        at: Duration::from_secs(1),
        wall: SystemTime::now(),
        took: Duration::ZERO,
        interval: Duration::from_secs(1),
        info: Info {
            version: 0x010201,
            conn_tab_size: 4096,
        },
        services: all,
        dests: read,
        estimator: Some(true),
    }));
    app
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

pub fn run(n: usize, services: u32, dests: u32, reps: usize, differ: bool) {
    let apps: Vec<App> = (0..n)
        .map(|i| director(services, dests, differ && i + 1 == n))
        .collect();
    let (mut prints, mut compares) = (Vec::new(), Vec::new());
    let mut found = 0;
    for _ in 0..reps {
        let t = Instant::now();
        let p: Vec<Option<u64>> = apps
            .iter()
            .map(|a| a.store().settings_fingerprint())
            .collect();
        prints.push(t.elapsed());
        assert!(p.iter().all(Option::is_some), "every table read whole");
        let t = Instant::now();
        let tables: Vec<_> = apps
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                Some((
                    DirectorName(format!("lb{}", i + 1)),
                    a.store().table_view()?,
                ))
            })
            .collect();
        found = differences_between(&tables).len();
        compares.push(t.elapsed());
    }
    println!("fleet_diff_directors={n} size={services}x{dests} differ={differ}");
    println!("fleet_diff_differences={found}");
    println!("fleet_diff_fingerprints_ms={:.2}", median(prints));
    println!("fleet_diff_compare_ms={:.2}", median(compares));
}
