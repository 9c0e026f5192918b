//! The live monitor over the scripted fake table, for trying the screen by
//! hand: `cargo run --example fake_monitor --features fake [delay-secs] [--no-estimator]`.

use std::time::{Duration, Instant};

use lvstop::app::fake::{FakeReader, FakeTable};
use lvstop::backend::{Error, Reader};
use lvstop::model::{Dest, Info, Service, ServiceKey, Timeouts};
use lvstop::tui::{run_monitor, MonitorOptions};

/// Advances the fake's counters on a 2 s tick, as the kernel estimator does.
struct Ticking {
    inner: FakeReader,
    start: Instant,
    ticks: u64,
    estimator: bool,
}

impl Ticking {
    fn catch_up(&mut self) {
        let due = self.start.elapsed().as_secs() / 2;
        while self.ticks < due {
            self.inner.0.lock().unwrap().advance(2, self.estimator);
            self.ticks += 1;
        }
    }
}

impl Reader for Ticking {
    fn info(&mut self) -> Result<Info, Error> {
        self.catch_up();
        self.inner.info()
    }
    fn services(&mut self) -> Result<Vec<Service>, Error> {
        self.inner.services()
    }
    fn dests(&mut self, service: &ServiceKey) -> Result<Vec<Dest>, Error> {
        self.inner.dests(service)
    }
    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        self.inner.timeouts()
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let delay = args
        .iter()
        .find_map(|a| a.parse::<f64>().ok())
        .unwrap_or(1.0);
    let estimator = !args.iter().any(|a| a == "--no-estimator");
    let reader = Ticking {
        inner: FakeReader::new(FakeTable::sample()),
        start: Instant::now(),
        ticks: 0,
        estimator,
    };
    run_monitor(
        Box::new(reader),
        MonitorOptions {
            delay: Duration::from_secs_f64(delay),
            host: "fake".into(),
            badges: vec!["FAKE".into()],
            ..MonitorOptions::default()
        },
    )
}
