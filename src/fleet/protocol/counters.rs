//! A service or real server whose configuration did not change but whose
//! counters moved is sent as the counters' differences, not whole: on a
//! director with traffic every counter moves every second, and a reading of
//! whole real servers would be nearly a whole table each time.
//!
//! Differences are exact (wrapping, signed) and safe because readings are
//! applied in order or not at all: `Staging` refuses a skipped `seq` or a
//! lost continuation line, and the director is then read whole again.

use crate::model::{Dest, Service, Stats};

use super::delta::DeltaError;
use super::messages::{DestMoves, StatsMoves};

/// Everything of a service but its counters, compared field by field (a
/// destructuring, so a new field cannot be forgotten here).
pub fn same_service_config(a: &Service, b: &Service) -> bool {
    let Service {
        key,
        scheduler,
        flags,
        timeout,
        netmask,
        pe_name,
        stats: _,
    } = a;
    *key == b.key
        && *scheduler == b.scheduler
        && *flags == b.flags
        && *timeout == b.timeout
        && *netmask == b.netmask
        && *pe_name == b.pe_name
}

/// Everything of a real server but its connection counts and stats.
pub fn same_dest_config(a: &Dest, b: &Dest) -> bool {
    let Dest {
        addr,
        port,
        forward,
        weight,
        upper_threshold,
        lower_threshold,
        tun_type,
        tun_port,
        tun_flags,
        active_conns: _,
        inactive_conns: _,
        persistent_conns: _,
        stats: _,
    } = a;
    *addr == b.addr
        && *port == b.port
        && *forward == b.forward
        && *weight == b.weight
        && *upper_threshold == b.upper_threshold
        && *lower_threshold == b.lower_threshold
        && *tun_type == b.tun_type
        && *tun_port == b.tun_port
        && *tun_flags == b.tun_flags
}

fn moved(old: &Stats, new: &Stats) -> [i64; 10] {
    let (old, new) = (old.fields(), new.fields());
    std::array::from_fn(|i| new[i].wrapping_sub(old[i]) as i64)
}

fn add(s: &mut Stats, by: &[i64]) {
    for (field, d) in s.fields_mut().into_iter().zip(by) {
        *field = field.wrapping_add(*d as u64);
    }
}

/// The service's counters' moves, or None when they stood still.
pub fn stats_moves(old: &Stats, new: &Stats) -> Option<StatsMoves> {
    (old != new).then(|| StatsMoves(moved(old, new)))
}

/// The real server's counters' moves, or None when they stood still.
pub fn dest_moves(old: &Dest, new: &Dest) -> Option<DestMoves> {
    if old.stats == new.stats
        && old.active_conns == new.active_conns
        && old.inactive_conns == new.inactive_conns
        && old.persistent_conns == new.persistent_conns
    {
        return None;
    }
    let mut by = [0i64; 13];
    by[0] = i64::from(new.active_conns) - i64::from(old.active_conns);
    by[1] = i64::from(new.inactive_conns) - i64::from(old.inactive_conns);
    by[2] = i64::from(new.persistent_conns) - i64::from(old.persistent_conns);
    by[3..].copy_from_slice(&moved(&old.stats, &new.stats));
    Some(DestMoves(new.addr, new.port, by))
}

pub fn apply_stats(stats: &mut Stats, moves: &StatsMoves) {
    add(stats, &moves.0);
}

/// Moves a real server's counters; a connection count taken below zero or
/// past `u32::MAX` is refused (no agent sends one).
pub fn apply_dest(dest: &mut Dest, moves: &DestMoves) -> Result<(), DeltaError> {
    let by = &moves.2;
    let count = |n: u32, d: i64| {
        let n = i64::from(n).checked_add(d).unwrap_or(-1);
        u32::try_from(n).map_err(|_| {
            DeltaError(format!(
                "a reading moves a connection count of real server {} out of range",
                crate::model::addr::addr_port(&moves.0, moves.1)
            ))
        })
    };
    let active = count(dest.active_conns, by[0])?;
    let inactive = count(dest.inactive_conns, by[1])?;
    let persistent = count(dest.persistent_conns, by[2])?;
    dest.active_conns = active;
    dest.inactive_conns = inactive;
    dest.persistent_conns = persistent;
    add(&mut dest.stats, &by[3..]);
    Ok(())
}
