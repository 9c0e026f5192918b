//! Reading the part of the table a change touches, before and after it.

use crate::backend::{Error, ErrorKind, Reader};
use crate::journal::State;
use crate::model::{Change, DestKey, ServiceKey};

/// The state `change` touches: a service with its real servers, one real
/// server, the whole table (flush, zero all), the timeouts or the sync
/// daemons.
///
/// A service or real server that does not exist is `State::Absent`, not an
/// error: the change is still sent so that the kernel's own refusal is
/// what the operator sees and what the journal keeps.
pub fn capture<R: Reader + ?Sized>(reader: &mut R, change: &Change) -> Result<State, Error> {
    match change {
        Change::AddService(s) | Change::EditService(s) => service(reader, &s.key),
        Change::DeleteService(k) | Change::Zero(Some(k)) => service(reader, k),
        Change::AddDest { service, dest } | Change::EditDest { service, dest } => {
            dest_state(reader, service, &dest.key())
        }
        Change::DeleteDest { service, dest } => dest_state(reader, service, dest),
        Change::Flush | Change::Zero(None) => Ok(State::Table {
            services: reader.snapshot()?.services,
        }),
        Change::SetTimeouts(_) => Ok(State::Timeouts {
            timeouts: reader.timeouts()?,
        }),
        Change::StartDaemon(_) | Change::StopDaemon(_) => Ok(State::Daemons {
            daemons: reader.daemons()?,
        }),
    }
}

fn service<R: Reader + ?Sized>(reader: &mut R, key: &ServiceKey) -> Result<State, Error> {
    let Some(service) = reader.services()?.into_iter().find(|s| s.key == *key) else {
        return Ok(State::Absent);
    };
    match reader.dests(key) {
        Ok(dests) => Ok(State::Service { service, dests }),
        // Deleted between the two dumps.
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(State::Absent),
        Err(e) => Err(e),
    }
}

fn dest_state<R: Reader + ?Sized>(
    reader: &mut R,
    service: &ServiceKey,
    key: &DestKey,
) -> Result<State, Error> {
    let dests = match reader.dests(service) {
        Ok(d) => d,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(State::Absent),
        Err(e) => return Err(e),
    };
    Ok(dests
        .into_iter()
        .find(|d| d.key() == *key)
        .map_or(State::Absent, |dest| State::Dest {
            service: *service,
            dest,
        }))
}
