//! Which services' real servers a poll reads. Real servers cost one dump per
//! service, so per poll only these are read:
//! - the services the operator can see (their rows, and the selected one),
//!   always;
//! - a background sweep slice sized so every service is read at least once
//!   per `SWEEP_PERIOD`, and services never read before (new ones).
//!
//! New services and the sweep share a time budget per poll (`SWEEP_BUDGET`
//! of the delay): when a table is too big for the sweep to keep up, the
//! sweep falls behind, not the rows on screen. A slice that grew with the
//! stretched interval would stretch the interval further.

use std::collections::HashMap;
use std::time::Duration;

use crate::backend::{Error, ErrorKind, Reader};
use crate::clock::Clock;
use crate::model::{Dest, Service, ServiceKey};
use crate::output::order::by_service_key;

/// Share of the delay new services and the sweep may take per poll.
pub const SWEEP_BUDGET: f64 = 0.7;
/// Upper bound on never-read services picked up in one poll, so a table of
/// 100,000 new services fills in over a few polls instead of one long one.
pub const SWEEP_NEW_MAX: usize = 2000;

/// The services last listed, in the kernel's dump order and in ipvsadm's,
/// and where the sweep goes on; kept between polls.
#[derive(Debug, Default)]
pub(super) struct Sweep {
    /// Where the sweep goes on: a position in the kernel's dump order (found
    /// again by key when services come or go, so the sweep neither skips
    /// nor repeats the ones near it). The kernel finds a service by walking
    /// its hash bucket; in dump order consecutive requests walk the same
    /// bucket, so each real-server dump costs less than in ipvsadm's order.
    cursor: usize,
    /// The last services dump's keys in the kernel's dump order, and the
    /// positions that put them in ipvsadm's order: while the table does not
    /// change, each poll reuses the order instead of sorting (sorting 10,000
    /// services took more than decoding them).
    dumped: Vec<ServiceKey>,
    order: Vec<u32>,
    /// The inverse of `order`: each dumped service's position in ipvsadm's
    /// order.
    rank: Vec<u32>,
    /// The same keys in ipvsadm's order: where watched services are looked
    /// up, and what `read_once` is indexed by.
    keys: Vec<ServiceKey>,
    /// Per service in ipvsadm's order: whether its real servers were ever
    /// read (positions, not a set of keys: no hashing per poll).
    read_once: Vec<bool>,
}

impl Sweep {
    /// How many services the last listing held.
    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether `key` was in the last listing.
    pub(super) fn contains(&self, key: &ServiceKey) -> bool {
        self.keys
            .binary_search_by(|s| by_service_key(s, key))
            .is_ok()
    }

    /// The services of a dump in ipvsadm's order (`by_service_key`), keeping
    /// what was read and where the sweep goes on aligned with them.
    pub(super) fn in_order(&mut self, services: Vec<Service>) -> Vec<Service> {
        let same = services.len() == self.dumped.len()
            && services.iter().zip(&self.dumped).all(|(s, k)| s.key == *k);
        if !same {
            // Each service's place in the new dump, by key.
            let at: HashMap<ServiceKey, usize> = services
                .iter()
                .enumerate()
                .map(|(d, s)| (s.key, d))
                .collect();
            let mut order: Vec<u32> = (0..services.len() as u32).collect();
            // Keys are unique: an unstable sort gives the one order.
            order.sort_unstable_by(|&a, &b| {
                by_service_key(&services[a as usize].key, &services[b as usize].key)
            });
            let mut rank = vec![0; order.len()];
            for (p, &d) in order.iter().enumerate() {
                rank[d as usize] = p as u32;
            }
            // A service read before stays read, wherever it is now.
            let mut read_once = vec![false; order.len()];
            for (key, &p) in self.dumped.iter().zip(&self.rank) {
                if let (true, Some(&d)) = (self.read_once[p as usize], at.get(key)) {
                    read_once[rank[d] as usize] = true;
                }
            }
            self.read_once = read_once;
            // The sweep goes on at the first service from the cursor on, in
            // the last dump's order, that is still there.
            let m = self.dumped.len();
            self.cursor = (0..m)
                .find_map(|j| at.get(&self.dumped[(self.cursor + j) % m]))
                .map_or(0, |&d| d);
            self.rank = rank;
            self.dumped = services.iter().map(|s| s.key).collect();
            self.order = order;
        }
        let mut slots: Vec<Option<Service>> = services.into_iter().map(Some).collect();
        if !same {
            self.keys = self
                .order
                .iter()
                .map(|&i| slots[i as usize].as_ref().expect("a permutation").key)
                .collect();
        }
        self.order
            .iter()
            .map(|&i| slots[i as usize].take().expect("a permutation"))
            .collect()
    }

    /// One poll's real-server reads: the `watched` services first, then the
    /// sweep's slice of a `round` of polls and never-read services while
    /// `budget` lasts.
    pub(super) fn read(
        &mut self,
        reader: &mut dyn Reader,
        watched: &[ServiceKey],
        round: usize,
        budget: Duration,
        clock: &dyn Clock,
    ) -> Result<Vec<(ServiceKey, Vec<Dest>)>, Error> {
        let rank = &self.rank;
        let keys = &self.keys;
        let n = keys.len();
        let mut pass = Pass {
            keys,
            read_once: &mut self.read_once,
            picked: vec![false; n],
            dests: Vec::new(),
        };
        for k in watched {
            if let Ok(i) = keys.binary_search_by(|s| by_service_key(s, k)) {
                pass.read(i, reader)?;
            }
        }
        let sweep_start = clock.now();
        let spent = || clock.now().saturating_sub(sweep_start) >= budget;
        // The sweep walks the services in dump order from where it stopped:
        // its slice, and on past it while the services ahead were never read
        // (at start-up, all of them), so every service's reads are one round
        // apart. Services the walk has not reached that were never read (new
        // ones) are read after it.
        let slice = n.div_ceil(round);
        let mut step = 0;
        while step < n && !spent() {
            let i = rank[(self.cursor + step) % n] as usize;
            if step >= slice && pass.read_once[i] {
                break;
            }
            pass.read(i, reader)?;
            step += 1;
        }
        if n > 0 {
            self.cursor = (self.cursor + step) % n;
        }
        let mut new_count = 0;
        for i in 0..n {
            if new_count == SWEEP_NEW_MAX || spent() {
                break;
            }
            if !pass.read_once[i] && !pass.picked[i] {
                pass.read(i, reader)?;
                new_count += 1;
            }
        }
        Ok(pass.dests)
    }
}

/// The real-server reads of one poll, by position in ipvsadm's order.
struct Pass<'a> {
    keys: &'a [ServiceKey],
    read_once: &'a mut Vec<bool>,
    /// Read by this poll already.
    picked: Vec<bool>,
    dests: Vec<(ServiceKey, Vec<Dest>)>,
}

impl Pass<'_> {
    /// Reads service `i`'s real servers, unless this poll did.
    fn read(&mut self, i: usize, reader: &mut dyn Reader) -> Result<(), Error> {
        if std::mem::replace(&mut self.picked[i], true) {
            return Ok(());
        }
        let key = self.keys[i];
        match reader.dests(&key) {
            Ok(d) => {
                self.dests.push((key, d));
                self.read_once[i] = true;
                Ok(())
            }
            // Deleted between the two dumps: the next poll drops it.
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
}
