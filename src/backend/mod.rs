//! The one interface the rest of lvstop talks to: the kernel client and the
//! demo director both implement it, so the monitor never knows which it has.
//!
//! Reading and writing are separate traits so that read-only mode can hold a
//! reader only: the write path is then unreachable by type, not just hidden.

mod conn_cursor;
mod error;
pub mod wording;

pub use conn_cursor::{ConnCursor, VecCursor, WalkThread};
pub use error::{Error, ErrorKind};

use std::ops::ControlFlow;

use crate::model::{
    Change, ConnSource, ConnWalk, Connection, Dest, Info, Service, ServiceEntry, ServiceKey,
    Snapshot, SyncDaemon, Timeouts, VsSettings,
};

/// Reads the IPVS table.
pub trait Reader: Send {
    /// Version and connection-table size.
    fn info(&mut self) -> Result<Info, Error>;

    /// Every virtual service, with its stats (one dump).
    fn services(&mut self) -> Result<Vec<Service>, Error>;

    /// One service, by its identity (one request, not a dump): what the
    /// monitor re-reads for the rows on screen when the table is too big to
    /// list whole every poll. `ErrorKind::NotFound` once it is gone.
    ///
    /// The default finds it in a full `services` listing: right for the
    /// simulated backends, whose listing costs nothing; the kernel client
    /// asks the kernel for just that service.
    fn service(&mut self, key: &ServiceKey) -> Result<Service, Error> {
        self.services()?
            .into_iter()
            .find(|s| s.key == *key)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("{key}: no longer exists")))
    }

    /// The real servers of one service (one dump: the kernel has no dump of all).
    fn dests(&mut self, service: &ServiceKey) -> Result<Vec<Dest>, Error>;

    /// TCP, TCP FIN and UDP timeouts.
    fn timeouts(&mut self) -> Result<Timeouts, Error>;

    /// The running connection-synchronisation daemons, master before
    /// backup (IPVS_CMD_GET_DAEMON); empty when none runs.
    ///
    /// The default says the backend cannot tell: never "none runs", which
    /// a caller would act on (the connection table's source depends on it).
    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        Err(Error::new(
            ErrorKind::NotAvailable,
            "this backend cannot list sync daemons",
        ))
    }

    /// Whether the kernel's rate estimator runs (`net.ipv4.vs.run_estimation`),
    /// if the backend can tell. Measured on 6.1 and 6.12: with it off the
    /// kernel freezes the counters *and* the rates a dump returns.
    fn estimator_running(&mut self) -> Option<bool> {
        None
    }

    /// The kernel's `net.ipv4.vs.*` settings in the table's namespace
    /// (`None` each for a setting this kernel lacks).
    ///
    /// The default says the backend has none.
    fn settings(&mut self) -> Result<VsSettings, Error> {
        Err(Error::new(
            ErrorKind::NotAvailable,
            "this backend has no kernel settings",
        ))
    }

    /// Walks the connection table in the kernel's order, handing each entry
    /// to `visit` until it answers `Break` or the table ends. Streaming, so a
    /// million entries never sit in memory at once; the caller budgets the
    /// walk (the kernel's file costs quadratic time to read whole).
    ///
    /// The default says the backend has none.
    fn connections(
        &mut self,
        source: ConnSource,
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        let _ = (source, visit);
        Err(Error::new(
            ErrorKind::NotAvailable,
            "this backend has no connection table",
        ))
    }

    /// Opens a walk over the connection table kept open between calls, for
    /// an exact read spread over refreshes (see `ConnCursor`).
    ///
    /// The default says the backend cannot.
    fn open_connections(&mut self, source: ConnSource) -> Result<Box<dyn ConnCursor>, Error> {
        let _ = source;
        Err(Error::new(
            ErrorKind::NotAvailable,
            "this backend cannot keep the connection table open between refreshes",
        ))
    }

    /// The whole table: services, then each service's real servers.
    ///
    /// A service deleted between the two dumps is dropped rather than failing
    /// the whole reading.
    fn snapshot(&mut self) -> Result<Snapshot, Error> {
        let info = self.info()?;
        let services = self.services()?;
        let mut entries = Vec::with_capacity(services.len());
        for service in services {
            match self.dests(&service.key) {
                Ok(dests) => entries.push(ServiceEntry { service, dests }),
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(Snapshot {
            info,
            services: entries,
        })
    }
}

/// Changes the IPVS table. Each call is one kernel command, applied whole or
/// refused whole.
pub trait Writer: Send {
    fn apply(&mut self, change: &Change) -> Result<(), Error>;
}

/// A backend that can both read and write.
pub trait Backend: Reader + Writer {}

impl<T: Reader + Writer> Backend for T {}

// A boxed backend chosen at run time (kernel or demo) is a backend too, so
// generic users such as `edit::Editor<Box<dyn Backend>>` can hold one.
impl<T: Reader + ?Sized> Reader for Box<T> {
    fn info(&mut self) -> Result<Info, Error> {
        (**self).info()
    }
    fn services(&mut self) -> Result<Vec<Service>, Error> {
        (**self).services()
    }
    fn service(&mut self, key: &ServiceKey) -> Result<Service, Error> {
        (**self).service(key)
    }
    fn dests(&mut self, service: &ServiceKey) -> Result<Vec<Dest>, Error> {
        (**self).dests(service)
    }
    fn timeouts(&mut self) -> Result<Timeouts, Error> {
        (**self).timeouts()
    }
    fn snapshot(&mut self) -> Result<Snapshot, Error> {
        (**self).snapshot()
    }
    fn daemons(&mut self) -> Result<Vec<SyncDaemon>, Error> {
        (**self).daemons()
    }
    fn estimator_running(&mut self) -> Option<bool> {
        (**self).estimator_running()
    }
    fn settings(&mut self) -> Result<VsSettings, Error> {
        (**self).settings()
    }
    fn connections(
        &mut self,
        source: ConnSource,
        visit: &mut dyn FnMut(Connection) -> ControlFlow<()>,
    ) -> Result<ConnWalk, Error> {
        (**self).connections(source, visit)
    }
    fn open_connections(&mut self, source: ConnSource) -> Result<Box<dyn ConnCursor>, Error> {
        (**self).open_connections(source)
    }
}

impl<T: Writer + ?Sized> Writer for Box<T> {
    fn apply(&mut self, change: &Change) -> Result<(), Error> {
        (**self).apply(change)
    }
}
