//! `lvstop --demo --demo-directors N`: the fleet monitor over N simulated
//! directors, `demo-1` … `demo-N`, each its own seed (its own traffic), the
//! last with a table that differs (one weight, one real server fewer), so
//! the differences view has something to show without any host.

use std::sync::Arc;
use std::time::Duration;

use crate::backend::{Reader, Writer};
use crate::clock::Clock;
use crate::demo::DemoDirector;
use crate::fleet::DirectorName;
use crate::model::Change;
use crate::tui::{FleetDirector, MonitorOptions};

use super::fleet_monitor::{director_access, run_directors};
use super::Args;

/// The demo directors' names and backends, the last one changed.
pub fn directors(seed: u64, n: usize, clock: Arc<dyn Clock>) -> Vec<(DirectorName, DemoDirector)> {
    let mut out: Vec<(DirectorName, DemoDirector)> = (1..=n)
        .map(|i| {
            let d = DemoDirector::new(seed.wrapping_add(i as u64), clock.clone())
                .with_head_start(Duration::from_secs(120));
            (DirectorName(format!("demo-{i}")), d)
        })
        .collect();
    if let Some((_, last)) = out.last_mut() {
        make_differ(last);
    }
    out
}

/// One weight up by 5 and one real server removed: a pair out of step.
fn make_differ(director: &mut DemoDirector) {
    let Ok(table) = director.snapshot() else {
        return;
    };
    if let Some(entry) = table.services.iter().find(|e| !e.dests.is_empty()) {
        let mut dest = entry.dests[0].clone();
        dest.weight += 5;
        let _ = director.apply(&Change::EditDest {
            service: entry.service.key,
            dest,
        });
    }
    if let Some(entry) = table.services.iter().rev().find(|e| e.dests.len() >= 2) {
        let _ = director.apply(&Change::DeleteDest {
            service: entry.service.key,
            dest: entry.dests[entry.dests.len() - 1].key(),
        });
    }
}

pub fn run(
    args: &Args,
    n: usize,
    mut options: MonitorOptions,
    clock: Arc<dyn Clock>,
) -> Result<(), String> {
    let seed = args.demo_seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(1)
    });
    if args.read_only {
        options.badges.push("READ-ONLY".to_string());
    }
    let directors = directors(seed, n, clock.clone())
        .into_iter()
        .map(|(name, backend)| {
            let access = director_access(args, backend, format!("demo {name}"), &clock);
            // No connection to ask: their health comes from their polls.
            FleetDirector {
                name,
                access,
                status: None,
            }
        })
        .collect();
    run_directors(args, directors, options, clock)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::differences;
    use crate::testkit::ManualClock;

    #[test]
    fn the_last_demo_director_differs_from_the_others() {
        let clock = Arc::new(ManualClock::new(std::time::UNIX_EPOCH));
        let mut ds = directors(7, 3, clock);
        let tables: Vec<_> = ds.iter_mut().map(|(_, d)| d.snapshot().unwrap()).collect();
        let named: Vec<_> = ds
            .iter()
            .map(|(n, _)| n.clone())
            .zip(tables.iter())
            .collect();
        let found: Vec<String> = differences(&named).iter().map(|d| d.to_string()).collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found[0].contains("only on demo-1, demo-2 (missing on demo-3)")
                || found[1].contains("only on demo-1, demo-2 (missing on demo-3)"),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|d| d.contains(": weight ") && d.ends_with("on demo-3")),
            "{found:#?}"
        );
    }
}
