//! Bringing one service's row up to date with a reading: its counters and
//! history, its real servers, the marks of what changed and their alerts.

use std::collections::HashMap;
use std::time::Duration;

use crate::model::{Dest, Service};

use super::super::super::config::UNREAD_WATCHED;
use super::super::super::rates::RateSource;
use super::super::super::series::Series;
use super::super::{Changed, Connections, DestRow, ServiceRow};
use crate::conns::Count;
use crate::output::order::by_dest;

/// Brings one service's row up to date with this poll: its counters when
/// the service was re-read, and its real servers when they were read.
/// `(samples, gap)`: the history length, and the polls since the row's last
/// sample: a row re-read after polls that skipped it records its reading for
/// each of them (the kernel's rates are averages over the last seconds, the
/// best value for the gap), so every series keeps one sample per poll.
/// Whether real servers came or went, and the row's active connections
/// before and after.
pub(super) fn update_row(
    row: &mut ServiceRow,
    (service, read): (Option<Service>, Option<Vec<Dest>>),
    at: Duration,
    source: RateSource,
    (samples, gap): (usize, u64),
    spare: &mut usize,
    conns: &Connections,
) -> (bool, [u64; 2]) {
    if row.series.history.capacity() != samples {
        row.series.history.set_capacity(samples);
        for s in row.dests.iter_mut().filter_map(|d| d.series.as_mut()) {
            s.history.set_capacity(samples);
        }
    }
    // Weight, active and inactive over the real servers, before and after
    // this poll's reading: one pass each (they were eight per row).
    let before = (row.series.rates, sums(&row.dests));
    let mut moved = false;
    let after = if let Some(mut dests) = read {
        put_in_order(&mut dests);
        if row.dest_series == UNREAD_WATCHED {
            row.dest_series = dests.len().min(*spare);
            *spare -= row.dest_series;
        }
        let series = (samples, row.dest_series);
        let reusable = std::mem::take(&mut row.reusable);
        if !merge_dests(&mut row.dests, reusable, dests, at, source, series) {
            row.search = None;
            moved = true;
        }
        row.dests_read_at = Some(at);
        // Every reading: the alerts' windows and hysteresis run on time.
        let half_open = half_open_counts(row, conns);
        row.judge_alerts(at, source, &half_open);
        sums(&row.dests)
    } else {
        row.reusable = Vec::new();
        for d in &mut row.dests {
            d.changed = Changed::default();
        }
        before.1
    };
    if let Some(service) = service {
        let polls = gap.min(samples as u64) as usize;
        row.series
            .observe_over(at, &service.stats, after.1 as u32, source, polls);
        if row.service.scheduler != service.scheduler {
            row.search = None;
        }
        row.service = service;
    }
    row.changed = Changed::between(
        (before.0.as_ref(), before.1 .0, before.1 .1, before.1 .2),
        (row.series.rates.as_ref(), after.0, after.1, after.2),
    );
    (moved, [before.1 .1, after.1])
}

/// A service's real servers in ipvsadm's order. The kernel lists them
/// newest first, so real servers added in ipvsadm's order come back in
/// reverse: turned round in one pass, not sorted (sorting every reading
/// moves each real server a few times, on the UI thread).
fn put_in_order(dests: &mut [Dest]) {
    if dests.is_sorted_by(|a, b| by_dest(a, b).is_le()) {
        return;
    }
    if dests.is_sorted_by(|a, b| by_dest(b, a).is_le()) {
        dests.reverse();
    } else {
        dests.sort_by(by_dest);
    }
}

/// Weight, active and inactive connections summed over real servers.
fn sums(dests: &[DestRow]) -> (u64, u64, u64) {
    dests.iter().fold((0, 0, 0), |(w, a, i), d| {
        (
            w + d.dest.weight as u64,
            a + d.dest.active_conns as u64,
            i + d.dest.inactive_conns as u64,
        )
    })
}

/// `series`: the history length of real servers' series, and how many of
/// them (the first) keep one. True when the reading holds the same real
/// servers as before, in the same order. `reusable`: rows from before a
/// replay's jump, written over as new rows when they are the same real
/// servers (`rows` is then empty).
fn merge_dests(
    rows: &mut Vec<DestRow>,
    mut reusable: Vec<DestRow>,
    new: Vec<Dest>,
    at: Duration,
    source: RateSource,
    (samples, kept): (usize, usize),
) -> bool {
    if rows.is_empty()
        && !new.is_empty()
        && reusable.len() == new.len()
        && reusable
            .iter()
            .zip(&new)
            .all(|(r, d)| r.dest.key() == d.key())
    {
        // Exactly what the new rows below would be, in the old memory.
        for (j, (row, dest)) in reusable.iter_mut().zip(new).enumerate() {
            *row = DestRow::fresh(dest.clone());
            update_dest(row, dest, at, source, (j < kept).then_some(samples));
        }
        *rows = reusable;
        return false;
    }
    let same_keys =
        rows.len() == new.len() && rows.iter().zip(&new).all(|(r, d)| r.dest.key() == d.key());
    if same_keys {
        // The usual read: the same real servers; update them in place.
        for (j, (row, dest)) in rows.iter_mut().zip(new).enumerate() {
            let samples = (j < kept).then_some(samples);
            update_dest(row, dest, at, source, samples);
        }
        return true;
    }
    let mut old: HashMap<_, DestRow> = std::mem::take(rows)
        .into_iter()
        .map(|d| (d.dest.key(), d))
        .collect();
    *rows = new
        .into_iter()
        .enumerate()
        .map(|(j, dest)| {
            let mut row = old
                .remove(&dest.key())
                .unwrap_or_else(|| DestRow::fresh(dest.clone()));
            update_dest(&mut row, dest, at, source, (j < kept).then_some(samples));
            row
        })
        .collect();
    false
}

/// Inlined: it runs for every real server read, and most take the short
/// path below.
#[inline(always)]
fn update_dest(
    row: &mut DestRow,
    dest: Dest,
    at: Duration,
    source: RateSource,
    samples: Option<usize>,
) {
    if source == RateSource::Kernel && samples.is_none() {
        // Most real servers of a big table (those off screen): no series,
        // and the kernel's rates are integers, so the marks come from
        // comparing them (what `Changed::between` finds through floats,
        // which the test VM emulates, at a cost).
        row.series = None;
        row.changed = Changed::of_kernel(&row.dest, &dest);
        row.dest = dest;
        return;
    }
    update_sampled_dest(row, dest, at, source, samples)
}

/// `update_dest` for a real server with a series or rates from counters.
#[inline(never)]
fn update_sampled_dest(
    row: &mut DestRow,
    dest: Dest,
    at: Duration,
    source: RateSource,
    samples: Option<usize>,
) {
    let before = (
        row.rates(source),
        row.dest.weight as u64,
        row.dest.active_conns as u64,
        row.dest.inactive_conns as u64,
    );
    match samples {
        Some(n) => row
            .series
            .get_or_insert_with(|| Box::new(Series::new(n)))
            .observe(at, &dest.stats, dest.active_conns, source),
        None => row.series = None,
    }
    row.dest = dest;
    row.changed = Changed::between(
        (before.0.as_ref(), before.1, before.2, before.3),
        (
            row.rates(source).as_ref(),
            row.dest.weight as u64,
            row.dest.active_conns as u64,
            row.dest.inactive_conns as u64,
        ),
    );
}

/// Each real server's half-open count, table-wide, in row order; none
/// before the first half-open reading.
fn half_open_counts(row: &ServiceRow, conns: &Connections) -> Vec<Option<Count>> {
    if conns.half_open_reading().is_none() {
        return Vec::new();
    }
    let key = row.service.key;
    row.dests
        .iter()
        .map(|d| conns.half_open(&key, &d.dest.key()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real servers come in ipvsadm's order however the kernel lists them:
    /// as it does (newest first), in order, or mixed.
    #[test]
    fn real_servers_are_put_in_ipvsadm_order() {
        use std::net::Ipv4Addr;
        let d = |last: u8, port: u16| Dest::new(Ipv4Addr::new(10, 0, 0, last).into(), port);
        let sorted = vec![d(1, 80), d(1, 81), d(2, 80), d(3, 80), d(10, 80)];
        let keys = |v: &[Dest]| v.iter().map(Dest::key).collect::<Vec<_>>();
        let mut newest_first = sorted.clone();
        newest_first.reverse();
        let mut mixed = sorted.clone();
        mixed.swap(0, 3);
        mixed.swap(1, 4);
        for mut v in [sorted.clone(), newest_first, mixed] {
            put_in_order(&mut v);
            assert_eq!(keys(&v), keys(&sorted));
        }
    }
}
