//! The test tables: built from ipvsadm rules files, and served to the
//! streaming path as the kernel serves them (the kit's `FakeTable`: each
//! service's real servers in the snapshot's order, unsorted).

use std::time::SystemTime;

use lvstop::cli::stream::Stream;
use lvstop::model::{Change, Info, ServiceEntry, Snapshot};
use lvstop::output::Sink;
use lvstop::rules::parse_rules;
use lvstop::testkit::FakeTable;

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

/// `snapshot` read through the streaming path (`Stream`) into `sink`.
pub fn streamed(snapshot: &Snapshot, sink: &mut dyn Sink, at: SystemTime) -> String {
    let mut out = Vec::new();
    Stream::new(&mut out)
        .reading(&mut FakeTable::of_snapshot(snapshot), sink, at)
        .expect("a table in memory reads and writes");
    String::from_utf8(out).expect("every sink writes UTF-8")
}
