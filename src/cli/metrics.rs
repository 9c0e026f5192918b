//! What `--format openmetrics` reads besides the services: the sync daemons
//! (one request, every reading) and, with `-c`, the connection entries of
//! each real server by state (one walk of the connection table, counted in
//! bounded memory by `conns::Tally`, never held).

use std::collections::HashMap;
use std::ops::ControlFlow;

use crate::backend::{Error, Reader};
use crate::conns::{Attribution, Tally};
use crate::model::{ConnSource, Snapshot};
use crate::output::openmetrics::Extras;

/// The sync daemons; a backend that cannot list them leaves their series out.
pub fn extras(reader: &mut dyn Reader) -> Extras {
    Extras {
        daemons: reader.daemons().ok(),
        conn_states: None,
        alerts: None,
    }
}

/// With the connection table walked once: entries by state per configured
/// real server of `snapshot` (states past `StateCounts::MAX_STATES` as
/// `other`), and how many lines of the kernel's file were not understood.
pub fn extras_with_connections(
    reader: &mut dyn Reader,
    snapshot: &Snapshot,
) -> Result<(Extras, u64), Error> {
    let attribution = Attribution::new(snapshot);
    let mut tally = Tally::new(&attribution);
    let walk = reader.connections(ConnSource::Plain, &mut |c| {
        tally.add(&attribution, &c);
        ControlFlow::Continue(())
    })?;
    let mut states = HashMap::new();
    for service in tally.services() {
        for d in &service.dests {
            let counts = &d.counts.states;
            let mut by_state: Vec<(String, u64)> = counts
                .iter()
                .map(|(state, n)| (state.as_str().to_string(), n))
                .collect();
            if counts.other() > 0 {
                by_state.push(("other".to_string(), counts.other()));
            }
            states.insert((service.service, d.dest), by_state);
        }
    }
    let mut extras = extras(reader);
    extras.conn_states = Some(states);
    Ok((extras, walk.malformed))
}
