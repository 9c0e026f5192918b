//! A replay's jump (the app's rewind, then the recorded polls up to the
//! cursor) must leave the store as a fresh replay to that instant does,
//! though the rewind keeps the old rows' memory for the new ones.

use crate::app::test_polls::{app, poll};
use crate::app::{App, Event};
use crate::model::Dest;
use crate::testkit::FakeTable;

/// Polls at seconds 1..=n of a table that moves: traffic with the kernel's
/// rates and without, a real server drained, a service gone and back, a
/// real server added, a weight changed.
fn moving_polls(mut table: FakeTable, n: u64) -> Vec<Event> {
    let gone = table.services.len() - 1;
    let mut removed = None;
    let mut polls = Vec::new();
    for at in 1..=n {
        table.advance(1, at % 5 != 0);
        match at {
            4 => table.services[0].1[0].0.weight = 0,
            6 => removed = Some(table.services.remove(gone)),
            8 => {
                let (mut d, traffic) = table.services[1].1[0].clone();
                d.port += 1000;
                table.services[1].1.push((d, traffic));
            }
            9 => table.services[1].1[0].0.weight += 3,
            10 => table.services.push(removed.take().expect("removed at 6")),
            _ => {}
        }
        polls.push(poll(&table, at));
    }
    polls
}

/// What the monitor shows of the store, and the rows it lists.
fn seen(a: &App) -> String {
    let s = a.store();
    format!(
        "{:?}\n{:?}\n{:?} {:?} {:?}\n{:?}",
        s.services(),
        s.totals(),
        s.totals_active(),
        s.rate_source(),
        s.worst_alert(),
        a.view().rows(),
    )
}

/// From several instants, backward and forward, a jump replays the last
/// `history` polls before the target as the replay thread does.
fn check_jumps(table: FakeTable) {
    let polls = moving_polls(table, 12);
    let history = 2;
    for (from, to) in [(12, 3), (3, 12), (5, 7), (7, 5), (11, 9), (2, 11), (9, 6)] {
        let replayed = &polls[to - history..to];
        let mut jumped = app();
        for p in &polls[..from] {
            jumped.apply(p.clone());
        }
        jumped.rewind();
        let mut fresh = app();
        for p in replayed {
            jumped.apply(p.clone());
            fresh.apply(p.clone());
        }
        assert_eq!(seen(&jumped), seen(&fresh), "jump from {from} s to {to} s");
        // And it goes on alike.
        for p in &polls[to..] {
            jumped.apply(p.clone());
            fresh.apply(p.clone());
        }
        assert_eq!(seen(&jumped), seen(&fresh), "after {from} s to {to} s");
    }
}

#[test]
fn a_jump_leaves_what_a_fresh_replay_leaves() {
    check_jumps(FakeTable::sample());
}

/// Past `APPLY_STEP_ROWS` services the first poll makes rows as its steps
/// reach them: the reused rows go that way too.
#[test]
fn a_jump_in_a_big_table_leaves_what_a_fresh_replay_leaves() {
    let mut table = FakeTable::many(crate::app::APPLY_STEP_ROWS + 100);
    let extra: Dest = table.services[0].1[0].0.clone();
    for (i, (_, dests)) in table.services.iter_mut().enumerate().take(50) {
        let mut d = extra.clone();
        d.port = 81 + i as u16;
        dests.push((d, dests[0].1));
    }
    check_jumps(table);
}
