//! One recorded tick as a [`Reader`]: what the batch listings (and their
//! ipvsadm-identical printing) read from, as they read the kernel. What the
//! recording does not hold (timeouts, sync daemons, settings, connections)
//! is `NotAvailable` in words, never an empty answer a caller would trust.

use std::ops::ControlFlow;

use crate::backend::{Error, ErrorKind, Reader};
use crate::model::{
    ConnSource, ConnWalk, Connection, Dest, Info, Service, ServiceKey, Snapshot, SyncDaemon,
    Timeouts, VsSettings,
};

/// The table as one tick of a recording holds it.
#[derive(Debug, Clone, Default)]
pub struct RecordedTable {
    snapshot: Snapshot,
    estimator: Option<bool>,
}

fn not_recorded(what: &str) -> Error {
    Error::new(
        ErrorKind::NotAvailable,
        format!("a recording holds the services and real servers, not {what}"),
    )
}

impl RecordedTable {
    pub fn new(snapshot: Snapshot, estimator: Option<bool>) -> RecordedTable {
        RecordedTable {
            snapshot,
            estimator,
        }
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }
}

impl Reader for RecordedTable {
    fn info(&mut self) -> Result<Info, Error> {
        Ok(self.snapshot.info)
    }

    fn services(&mut self) -> Result<Vec<Service>, Error> {
        Ok(self
            .snapshot
            .services
            .iter()
            .map(|e| e.service.clone())
            .collect())
    }

    fn service(&mut self, key: &ServiceKey) -> Result<Service, Error> {
        self.snapshot
            .services
            .iter()
            .find(|e| e.service.key == *key)
            .map(|e| e.service.clone())
            .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("{key}: not in the recording")))
    }

    fn dests(&mut self, key: &ServiceKey) -> Result<Vec<Dest>, Error> {
        self.snapshot
            .services
            .iter()
            .find(|e| e.service.key == *key)
            .map(|e| e.dests.clone())
            .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("{key}: not in the recording")))
    }

    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        Err(not_recorded("the timeouts"))
    }

    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        Err(not_recorded("the sync daemons"))
    }

    fn estimator_running(&mut self) -> Option<bool> {
        self.estimator
    }

    fn settings(&mut self) -> Result<VsSettings, Error> {
        Err(not_recorded("the kernel settings"))
    }

    fn connections(
        &mut self,
        _: ConnSource,
        _: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        Err(not_recorded("the connection table"))
    }

    fn snapshot(&mut self) -> Result<Snapshot, Error> {
        Ok(self.snapshot.clone())
    }
}
