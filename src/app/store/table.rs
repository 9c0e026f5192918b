//! The table as last read, whole, borrowed for comparing directors (`fleet::diff`),
//! and a fingerprint of its settings, to compare again only when they moved.

use std::hash::{Hash, Hasher};

use super::super::keyhash::KeyHasher;
use super::Store;
use crate::fleet::diff::{ServiceView, TableView};

impl Store {
    /// Every service with its real servers as last read, borrowed, or
    /// `None` while some service's real servers have not been read yet: a
    /// table missing them would show false differences (so is a table never
    /// read).
    pub fn table_view(&self) -> Option<TableView<'_>> {
        self.info?;
        let mut services = Vec::with_capacity(self.services.len());
        for row in &self.services {
            row.dests_read_at()?;
            services.push(ServiceView {
                service: row.service(),
                dests: row.dests().iter().map(|d| d.dest()).collect(),
            });
        }
        Some(services)
    }

    /// A hash of every setting `table_view` carries (services, real
    /// servers and their configuration; no counters, rates or connection
    /// counts), or `None` when `table_view` is: equal fingerprints, equal
    /// differences. Cheaper than a whole table: nothing is cloned. It runs
    /// each second while the differences view is open, so not with SipHash;
    /// the multiply-rotate hasher's steps are each a bijection of its state,
    /// so one setting changed always changes the result.
    pub fn settings_fingerprint(&self) -> Option<u64> {
        self.info?;
        let mut h = KeyHasher::default();
        self.services.len().hash(&mut h);
        for row in &self.services {
            row.dests_read_at()?;
            let s = row.service();
            (
                s.key,
                &s.scheduler,
                s.flags,
                s.timeout,
                s.netmask,
                &s.pe_name,
            )
                .hash(&mut h);
            row.dests().len().hash(&mut h);
            for d in row.dests() {
                let d = d.dest();
                (d.addr, d.port, d.forward, d.weight).hash(&mut h);
                (d.upper_threshold, d.lower_threshold).hash(&mut h);
                (d.tun_type, d.tun_port, d.tun_flags).hash(&mut h);
            }
        }
        Some(h.finish())
    }
}
