//! `bench record-read FILE`: what `tools/bench --record` reports of a
//! recording: its ticks, span and problems, how long opening it took, and
//! how long reading the whole table at a minute in the middle took (the
//! jump replay makes).

use std::path::Path;
use std::time::{Duration, Instant};

use lvstop::record::{Entry, Recording};

pub fn read(path: &str) {
    let t = Instant::now();
    let rec = Recording::open(Path::new(path)).unwrap_or_else(|e| super::fail(&e.to_string()));
    println!("record_open_ms={:.1}", t.elapsed().as_secs_f64() * 1000.0);
    println!("record_ticks={}", rec.ticks().len());
    println!("record_problems={}", rec.problems().len());
    for p in rec.problems() {
        println!("record_problem: {p}");
    }
    let Some((from, to)) = rec.span() else {
        return;
    };
    println!(
        "record_span_s={:.1}",
        to.duration_since(from).unwrap_or_default().as_secs_f64()
    );
    let middle = from + to.duration_since(from).unwrap_or_default() / 2;
    let t = Instant::now();
    let first = rec
        .entries(middle, middle + Duration::from_secs(60))
        .find_map(|e| match e {
            Entry::Tick(t) => Some(t),
            _ => None,
        });
    println!("record_jump_ms={:.1}", t.elapsed().as_secs_f64() * 1000.0);
    if let Some(tick) = first {
        let dests: usize = tick.snapshot.services.iter().map(|s| s.dests.len()).sum();
        println!(
            "record_jump_table={}x{}",
            tick.snapshot.services.len(),
            dests / tick.snapshot.services.len().max(1)
        );
    }
}
