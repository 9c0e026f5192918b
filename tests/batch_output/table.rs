//! The test tables: built from ipvsadm rules files, and served to the
//! streaming path as the kernel serves them.

use std::time::SystemTime;

use lvstop::backend::{Error, Reader};
use lvstop::cli::stream::Stream;
use lvstop::model::{Change, Dest, Info, Service, ServiceEntry, ServiceKey, Snapshot, Timeouts};
use lvstop::output::Sink;
use lvstop::rules::parse_rules;

/// Apply add-changes to a snapshot as the kernel would list them: services
/// and real servers newest first (list_add_rcu), so the listing must sort.
pub fn table_from_rules(rules: &str) -> Snapshot {
    let mut snap = Snapshot {
        info: Info {
            version: 0x010201,
            conn_tab_size: 4096,
        },
        services: Vec::new(),
    };
    for change in parse_rules(rules).expect("rules parse") {
        match change {
            Change::AddService(service) => snap.services.insert(
                0,
                ServiceEntry {
                    service,
                    dests: Vec::new(),
                },
            ),
            Change::AddDest { service, dest } => snap
                .services
                .iter_mut()
                .find(|e| e.service.key == service)
                .expect("service exists")
                .dests
                .insert(0, dest),
            other => panic!("unexpected change {other:?}"),
        }
    }
    snap
}

/// The table served as the kernel serves it: a services list, then one
/// service's real servers per request (in the snapshot's order: unsorted).
pub struct SnapshotReader(pub Snapshot);

impl Reader for SnapshotReader {
    fn info(&mut self) -> Result<Info, Error> {
        Ok(self.0.info)
    }
    fn services(&mut self) -> Result<Vec<Service>, Error> {
        Ok(self.0.services.iter().map(|e| e.service.clone()).collect())
    }
    fn dests(&mut self, key: &ServiceKey) -> Result<Vec<Dest>, Error> {
        Ok(self
            .0
            .services
            .iter()
            .find(|e| e.service.key == *key)
            .map(|e| e.dests.clone())
            .unwrap_or_default())
    }
    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        Ok(Timeouts::default())
    }
}

/// `snapshot` read through the streaming path (`Stream`) into `sink`.
pub fn streamed(snapshot: &Snapshot, sink: &mut dyn Sink, at: SystemTime) -> String {
    let mut out = Vec::new();
    Stream::new(&mut out)
        .reading(&mut SnapshotReader(snapshot.clone()), sink, at)
        .expect("a table in memory reads and writes");
    String::from_utf8(out).expect("every sink writes UTF-8")
}
