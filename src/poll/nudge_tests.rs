//! Weight presses coalesced by the UI's nudger and carried out through the
//! editor, as the owner thread does with each `Request::Nudge`: the writes
//! in flight, their sums and the weights they leave, against the demo
//! director.

use crate::app::editing::{NudgeStatus, WeightNudger};
use crate::backend::Writer;
use crate::edit::tests::{bench, rs, vip};
use crate::model::{Change, Dest, NudgeWrite, MAX_WEIGHT};

#[test]
fn two_hundred_presses_while_in_flight_make_two_writes_and_add_200() {
    let mut b = bench();
    let mut n = WeightNudger::new();
    let first = n.press(vip(), rs(1), 1).expect("idle row sends at once");
    for _ in 1..200 {
        assert_eq!(n.press(vip(), rs(1), 1), None);
    }
    assert_eq!(n.status(&vip(), &rs(1)), Some(&NudgeStatus::Pending));
    assert_eq!(n.unapplied(&vip(), &rs(1)), 200);
    b.ed.nudge(&first).unwrap();
    let second = n
        .completed(&first, Ok(()))
        .expect("the presses made meanwhile");
    assert_eq!(second.delta, 199);
    b.ed.nudge(&second).unwrap();
    assert_eq!(n.completed(&second, Ok(())), None);
    assert_eq!(n.status(&vip(), &rs(1)), Some(&NudgeStatus::Applied));
    assert_eq!(b.weight(1), 210);
    assert_eq!(b.lines_at_apply().len(), 2);

    // At the top the sum is capped.
    b.ed.set_weight(&vip(), &rs(2), |_| 65_500).unwrap();
    let mut pending = Vec::new();
    for _ in 0..200 {
        pending.extend(n.press(vip(), rs(2), 1));
    }
    while let Some(w) = pending.pop() {
        b.ed.nudge(&w).unwrap();
        pending.extend(n.completed(&w, Ok(())));
    }
    assert_eq!(b.weight(2), MAX_WEIGHT);
}

/// xorshift64*: enough randomness for press sequences, reproducible by seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn random_press_sequences_end_at_the_exact_sum() {
    const START: u32 = 30_000;
    for seed in 1..=40u64 {
        let mut b = bench();
        for n in 1..=3 {
            b.ed.set_weight(&vip(), &rs(n), |_| START).unwrap();
        }
        let mut nudger = WeightNudger::new();
        let mut sums = [0i64; 3];
        let mut in_flight: Vec<NudgeWrite> = Vec::new();
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let issue = |w: Option<NudgeWrite>, in_flight: &mut Vec<NudgeWrite>| {
            if let Some(w) = w {
                assert!(
                    in_flight.iter().all(|f| f.dest != w.dest),
                    "seed {seed}: two writes in flight for one real server"
                );
                in_flight.push(w);
            }
        };
        for _ in 0..300 {
            if in_flight.is_empty() || rng.below(3) > 0 {
                let n = rng.below(3) as usize;
                let delta = [1, -1, 10, -10][rng.below(4) as usize];
                sums[n] += delta;
                let w = nudger.press(vip(), rs(n as u8 + 1), delta);
                issue(w, &mut in_flight);
            } else {
                let w = in_flight.swap_remove(rng.below(in_flight.len() as u64) as usize);
                let result = if rng.below(8) == 0 {
                    // A write that never reached the kernel (timeout).
                    Err("timed out".to_string())
                } else {
                    b.ed.nudge(&w).map(|_| ()).map_err(|e| e.to_string())
                };
                let next = nudger.completed(&w, result);
                issue(next, &mut in_flight);
            }
        }
        // Let everything land, retrying rows whose last write failed.
        loop {
            while let Some(w) = in_flight.pop() {
                b.ed.nudge(&w).unwrap();
                let next = nudger.completed(&w, Ok(()));
                issue(next, &mut in_flight);
            }
            for n in 1..=3 {
                let w = nudger.retry(vip(), rs(n));
                issue(w, &mut in_flight);
            }
            if in_flight.is_empty() {
                break;
            }
        }
        for n in 1..=3u8 {
            let expected = (i64::from(START) + sums[n as usize - 1]) as u32;
            assert_eq!(b.weight(n), expected, "seed {seed}, real server {n}");
            assert_eq!(nudger.unapplied(&vip(), &rs(n)), 0);
        }
    }
}

#[test]
fn presses_during_a_failed_write_are_kept_and_reported() {
    let mut b = bench();
    let mut n = WeightNudger::new();
    let w = n.press(vip(), rs(1), 1).unwrap();
    assert_eq!(n.press(vip(), rs(1), 10), None);
    assert_eq!(n.press(vip(), rs(1), 10), None);
    // Another tool deletes the real server before the write lands.
    b.ed.backend()
        .inner()
        .apply(&Change::DeleteDest {
            service: vip(),
            dest: rs(1),
        })
        .unwrap();
    let e = b.ed.nudge(&w).unwrap_err();
    assert_eq!(n.completed(&w, Err(e.to_string())), None);
    assert_eq!(
        n.status(&vip(), &rs(1)),
        Some(&NudgeStatus::Failed {
            message: "nothing was sent: real server 10.0.0.1:80 of TCP 192.0.2.1:80 does not exist"
                .into(),
            unsent: 21,
        })
    );
    // It comes back (weight 5); the next press sends all 22 presses.
    let mut d = Dest::new(rs(1).addr, 80);
    d.weight = 5;
    b.ed.backend()
        .inner()
        .apply(&Change::AddDest {
            service: vip(),
            dest: d,
        })
        .unwrap();
    let w = n.press(vip(), rs(1), 1).unwrap();
    assert_eq!(w.delta, 22);
    b.ed.nudge(&w).unwrap();
    assert_eq!(n.completed(&w, Ok(())), None);
    assert_eq!(b.weight(1), 27);
    assert_eq!(n.status(&vip(), &rs(1)), Some(&NudgeStatus::Applied));
    // Discarding drops kept presses without sending.
    let w = n.press(vip(), rs(2), -1).unwrap();
    assert_eq!(n.completed(&w, Err("timed out".into())), None);
    assert_eq!(n.discard(vip(), rs(2)), -1);
    assert_eq!(n.retry(vip(), rs(2)), None);
    assert_eq!(n.status(&vip(), &rs(2)), Some(&NudgeStatus::Applied));
}
