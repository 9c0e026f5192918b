//! Undo: the changes that put back what a change altered, computed from the
//! state read right before it.

use crate::journal::State;
use crate::model::{Change, Dest, Service, ServiceEntry, ServiceFlags, Stats};

/// The changes, in order, that undo `change` given the state `before` it.
///
/// Every inverse restores the *whole* recorded configuration, not just the
/// fields the change touched: undoing a weight change also puts back the
/// thresholds and forwarding as they were before it, even if another tool
/// changed them since. That is the honest inverse of "the real server was
/// like this"; merging with later changes would be a guess.
///
/// Zeroing cannot be undone: counters cannot come back.
pub fn inverse(change: &Change, before: &State) -> Result<Vec<Change>, String> {
    match (change, before) {
        (Change::AddService(s), _) => Ok(vec![Change::DeleteService(s.key)]),
        (Change::EditService(_), State::Service { service, .. }) => {
            Ok(vec![Change::EditService(restorable_service(service))])
        }
        (Change::DeleteService(_), State::Service { service, dests }) => {
            Ok(recreate(service, dests))
        }
        (Change::AddDest { service, dest }, _) => Ok(vec![Change::DeleteDest {
            service: *service,
            dest: dest.key(),
        }]),
        (Change::EditDest { .. }, State::Dest { service, dest }) => Ok(vec![Change::EditDest {
            service: *service,
            dest: restorable_dest(dest),
        }]),
        (Change::DeleteDest { .. }, State::Dest { service, dest }) => Ok(vec![Change::AddDest {
            service: *service,
            dest: restorable_dest(dest),
        }]),
        (Change::Flush, State::Table { services }) => Ok(services
            .iter()
            .flat_map(|ServiceEntry { service, dests }| recreate(service, dests))
            .collect()),
        (Change::SetTimeouts(_), State::Timeouts { timeouts }) => {
            Ok(vec![Change::SetTimeouts(*timeouts)])
        }
        (Change::StartDaemon(d), _) => Ok(vec![Change::StopDaemon(d.role)]),
        // The configuration the kernel reported (its defaults filled in),
        // so the restarted daemon is the one that was stopped.
        (Change::StopDaemon(role), State::Daemons { daemons }) => {
            match daemons.iter().find(|d| d.role == *role) {
                Some(d) => Ok(vec![Change::StartDaemon(d.clone())]),
                None => Err(format!("no {role} sync daemon was running to restart")),
            }
        }
        (Change::Zero(_), _) => {
            Err("zeroing counters cannot be undone: counters cannot come back".into())
        }
        _ => Err("the state before this change was not recorded".into()),
    }
}

/// A service and then each of its real servers. The kernel lists real
/// servers newest first (ip_vs_add_dest prepends), so they are added in
/// reverse to come back in the same order, which rr and wrr walk.
fn recreate(service: &Service, dests: &[Dest]) -> Vec<Change> {
    let mut changes = vec![Change::AddService(restorable_service(service))];
    changes.extend(dests.iter().rev().map(|d| Change::AddDest {
        service: service.key,
        dest: restorable_dest(d),
    }));
    changes
}

/// The configuration as it can be sent back. The kernel reports HASHED on
/// every listed service, but a new service sent with it is never hashed
/// into the table (ip_vs_svc_hash refuses "already hashed"), so it goes.
pub fn restorable_service(s: &Service) -> Service {
    Service {
        flags: ServiceFlags(s.flags.0 & !ServiceFlags::HASHED),
        stats: Stats::default(),
        ..s.clone()
    }
}

/// Configuration only: connection counts and counters are not sent.
pub fn restorable_dest(d: &Dest) -> Dest {
    Dest {
        active_conns: 0,
        inactive_conns: 0,
        persistent_conns: 0,
        stats: Stats::default(),
        ..d.clone()
    }
}
