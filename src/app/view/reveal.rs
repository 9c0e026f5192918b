//! Bringing a row on screen from elsewhere (the fleet's differences view):
//! its service expanded when it is a real server, the cursor on it.

use super::View;
use crate::app::store::Store;
use crate::app::table::RowKey;
use crate::model::{DestKey, ServiceKey};

impl View {
    /// Selects the service's row, or its real server's (expanding the
    /// service). False when no row shows it (gone, or hidden by the filter).
    pub fn reveal(
        &mut self,
        store: &mut Store,
        service: ServiceKey,
        dest: Option<DestKey>,
    ) -> bool {
        let target = match dest {
            Some(d) => {
                self.expanded.insert(service);
                RowKey::Dest(service, d)
            }
            None => RowKey::Service(service),
        };
        self.rebuild(store);
        let found = self.rows.iter().position(|r| store.row_key(r) == target);
        if let Some(k) = found {
            self.select(k, store);
        }
        found.is_some()
    }
}
