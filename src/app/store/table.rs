//! The table as last read, whole, for comparing directors (`fleet::diff`).

use super::Store;
use crate::model::{ServiceEntry, Snapshot};

impl Store {
    /// Every service with its real servers as last read, or `None` while
    /// some service's real servers have not been read yet: a table missing
    /// them would show false differences (so is a table never read).
    pub fn whole_table(&self) -> Option<Snapshot> {
        let info = self.info?;
        let mut services = Vec::with_capacity(self.services.len());
        for row in &self.services {
            row.dests_read_at()?;
            services.push(ServiceEntry {
                service: row.service().clone(),
                dests: row.dests().iter().map(|d| d.dest().clone()).collect(),
            });
        }
        Some(Snapshot { info, services })
    }
}
