//! The live monitor over the scripted fake table, for trying the screen by
//! hand: `cargo run --example fake_monitor [delay-secs] [--no-estimator]`.

use std::time::{Duration, Instant};

use lvstop::poll::Access;
use lvstop::testkit::{CallKind, FakeReader, FakeTable};
use lvstop::tui::{run_monitor, MonitorOptions};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let delay = args
        .iter()
        .find_map(|a| a.parse::<f64>().ok())
        .unwrap_or(1.0);
    let estimator = !args.iter().any(|a| a == "--no-estimator");
    // Unrecorded: the monitor may run for hours.
    let reader = FakeReader::new(FakeTable::sample()).unrecorded();
    // The counters advance on a 2 s tick, as the kernel estimator does.
    let (start, mut ticks) = (Instant::now(), 0);
    reader.before(CallKind::Info, move |table, _| {
        let due = start.elapsed().as_secs() / 2;
        while ticks < due {
            table.advance(2, estimator);
            ticks += 1;
        }
    });
    run_monitor(
        Access::ReadOnly(Box::new(reader)),
        MonitorOptions {
            delay: Duration::from_secs_f64(delay),
            host: "fake".into(),
            badges: vec!["FAKE".into()],
            ..MonitorOptions::default()
        },
    )
}
