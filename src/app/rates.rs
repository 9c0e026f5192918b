//! Rates that never lie.
//!
//! The kernel's estimator (net/netfilter/ipvs/ip_vs_est.c) runs every 2 s:
//! it sums the per-CPU counters into the values a dump returns and updates a
//! smoothed rate (`new = old*3/4 + sample/4`). A poll therefore sees counters
//! that move in 2-second steps, whatever the poll interval. Dividing poll-to-
//! poll counter deltas by the poll interval would show a zero, then a double,
//! at a 1 s delay, and a ±33% wobble at 3 s.
//!
//! The rule lvstop follows:
//!
//! 1. **Estimator running** (the backend says so, `run_estimation=1`, or,
//!    when it cannot say, any kernel rate of any service is non-zero): show
//!    the kernel's own rates, zeros included: with the estimator running
//!    the counters only move when it sums them, and it then updates the
//!    rates too. They are exactly what
//!    `ipvsadm -Ln --rate` prints, and they are correct at any poll interval
//!    because the kernel computed them on its own 2 s cadence.
//! 2. **Every kernel rate zero** while the backend cannot say whether the
//!    estimator runs (no traffic, or a backend whose counters move without
//!    kernel rates; with real 6.1/6.12 kernels rule 3 applies when the
//!    estimator is off): derive rates from the counters, measuring
//!    time between the polls at which the counters *changed* (each such poll
//!    follows an estimator tick), never between consecutive polls:
//!    - rate = (C_new − C_old) / (t_new − t_old) over change observations at
//!      least 8 s apart (the kernel's own averaging span);
//!    - when polls are faster than the estimator tick and the counters move
//!      in steps, each change brackets one tick between two polls; the
//!      brackets, intersected modulo 2 s, give the estimator's phase, and
//!      t_new − t_old is measured between the tick times that phase implies:
//!      a whole number of ticks, exact at any poll interval under 2 s
//!      (unchanged readings settle which end when brackets meet at both);
//!    - at polls of 2 s and slower, before the phase is known, or when polls
//!      land right on ticks and the phase stays ambiguous, a tick can only be
//!      placed within one poll gap, so the span is stretched to at least 10
//!      poll gaps, keeping that uncertainty under 10% (exact when the delay
//!      is a whole number of ticks);
//!    - the first reading of a series is only an anchor: the tick behind it
//!      happened at an unknown time, so it never starts a rate (a rate needs
//!      two observed changes); until then the rate is unknown, not zero;
//!    - a series whose counters stop moving for longer than one tick plus
//!      one poll gap decays towards zero as (C_new − C_old)/(now − t_old)
//!      rather than dropping to zero or holding its last value;
//!    - any counter that goes backwards (service re-created, `ipvsadm -Z`)
//!      starts a new series: no negative or huge rate is ever produced.
//!
//! 3. **Estimator switched off** and the backend can tell
//!    (`net.ipv4.vs.run_estimation=0`, read by the kernel client): no rates
//!    at all. Measured on 6.1 and 6.12 in the test VM: with the estimator off
//!    the counters do not move under traffic (the estimator is what sums the
//!    per-CPU counters; switching it back on folds everything in at the next
//!    tick), and rates freeze at their last values, possibly non-zero. Rule 2
//!    would read those as zero traffic and rule 1 as steady traffic: both lie.

use std::collections::VecDeque;
use std::time::Duration;

use crate::model::Stats;

/// The kernel estimator's period.
pub const ESTIMATOR_TICK: Duration = Duration::from_secs(2);
/// Minimum span over which counter-derived rates are averaged.
pub const DERIVE_WINDOW: Duration = Duration::from_secs(8);

/// Per-second rates of one service, real server or the whole director.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rates {
    pub cps: f64,
    pub inpps: f64,
    pub outpps: f64,
    /// Bytes (not bits) per second, as the kernel reports.
    pub inbps: f64,
    pub outbps: f64,
}

impl Rates {
    /// The kernel's own estimates.
    pub fn from_kernel(s: &Stats) -> Rates {
        Rates {
            cps: s.cps as f64,
            inpps: s.inpps as f64,
            outpps: s.outpps as f64,
            inbps: s.inbps as f64,
            outbps: s.outbps as f64,
        }
    }

    pub fn add(&mut self, o: &Rates) {
        self.cps += o.cps;
        self.inpps += o.inpps;
        self.outpps += o.outpps;
        self.inbps += o.inbps;
        self.outbps += o.outbps;
    }

    fn between(new: &Counters, old: &Counters, secs: f64) -> Rates {
        let d = |i: usize| new.0[i].saturating_sub(old.0[i]) as f64 / secs;
        Rates {
            cps: d(0),
            inpps: d(1),
            outpps: d(2),
            inbps: d(3),
            outbps: d(4),
        }
    }
}

/// The five counters a rate is derived from (conns, inpkts, outpkts,
/// inbytes, outbytes): what a track keeps of each reading, 40 bytes instead
/// of the 80 of a whole `Stats`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counters([u64; 5]);

impl Counters {
    fn of(s: &Stats) -> Counters {
        Counters([s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes])
    }

    fn went_backwards(&self, old: &Counters) -> bool {
        self.0.iter().zip(&old.0).any(|(n, o)| n < o)
    }
}

/// Where the displayed rates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateSource {
    Kernel,
    Counters,
    /// The backend says the estimator is off (`run_estimation=0`). Measured
    /// on 6.1 and 6.12: the kernel then freezes the counters (its estimator
    /// does the per-CPU summing) and the rates at their last values, so
    /// neither can give a rate: rates are unknown, never a false zero.
    Off,
}

impl RateSource {
    /// The estimator is taken as running if any service shows a non-zero
    /// kernel rate. With every kernel rate zero, traffic is either absent (the
    /// counters do not move and derived rates are zero too) or the estimator
    /// is stopped, so deriving is right in both cases.
    pub fn detect<'a>(stats: impl IntoIterator<Item = &'a Stats>) -> RateSource {
        let running = stats
            .into_iter()
            .any(|s| s.cps | s.inpps | s.outpps | s.inbps | s.outbps != 0);
        if running {
            RateSource::Kernel
        } else {
            RateSource::Counters
        }
    }
}

/// What one observation did to a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observed {
    First,
    Same,
    Changed,
    /// A counter went backwards: a new series started.
    Reset,
}

/// A change seen at `at` whose tick happened after the previous reading.
/// Times in nanoseconds (56 bytes, not 72: a track keeps a dozen).
#[derive(Debug, Clone, Copy)]
struct Change {
    prev: u64,
    at: u64,
    stats: Counters,
}

/// A monotonic time as kept in a track, nanoseconds (584 years).
fn nanos(d: Duration) -> u64 {
    d.as_nanos() as u64
}

impl Change {
    fn prev(&self) -> Duration {
        Duration::from_nanos(self.prev)
    }

    fn at(&self) -> Duration {
        Duration::from_nanos(self.at)
    }
}

/// The estimator's phase: ticks happen at times congruent to a point of
/// this arc, modulo the tick (seconds; `start` in [0, tick)).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Arc {
    start: f64,
    len: f64,
}

/// Allowance for estimator jitter when bracketing a tick between polls.
const JITTER: f64 = 0.02;

impl Arc {
    fn new(lo: f64, hi: f64) -> Arc {
        let tick = ESTIMATOR_TICK.as_secs_f64();
        Arc {
            start: (lo - JITTER).rem_euclid(tick),
            len: (hi - lo + 2.0 * JITTER).min(tick),
        }
    }

    /// The common parts of two arcs: none, one, or two pieces (when each
    /// arc reaches round to the other's far end).
    fn intersect(&self, o: &Arc) -> Vec<Arc> {
        let tick = ESTIMATOR_TICK.as_secs_f64();
        let r = (o.start - self.start).rem_euclid(tick);
        let mut out = Vec::new();
        for shift in [r, r - tick] {
            let lo = shift.max(0.0);
            let hi = (shift + o.len).min(self.len);
            if hi >= lo {
                out.push(Arc {
                    start: (self.start + lo).rem_euclid(tick),
                    len: hi - lo,
                });
            }
        }
        out
    }

    fn mid(&self) -> f64 {
        (self.start + self.len / 2.0).rem_euclid(ESTIMATOR_TICK.as_secs_f64())
    }
}

/// The time of the tick behind change `c` if `phase` places one in its
/// bracket.
fn tick_time(phase: Arc, c: &Change) -> Option<f64> {
    if c.at() - c.prev() >= ESTIMATOR_TICK {
        return None;
    }
    let tick = ESTIMATOR_TICK.as_secs_f64();
    let at = c.at().as_secs_f64();
    let t = at + JITTER - (at + JITTER - phase.mid()).rem_euclid(tick);
    (t >= c.prev().as_secs_f64() - JITTER).then_some(t)
}

/// Unchanged readings kept as phase evidence.
const QUIET_KEPT: usize = 16;

/// Counter history of one series, for deriving rates when the estimator is
/// stopped.
#[derive(Debug, Clone, Default)]
pub struct CounterTrack {
    /// Readings at which the counters had changed since the previous one.
    changes: VecDeque<Change>,
    /// The latest reading and when it was taken.
    last: Option<(Duration, Counters)>,
    /// When the current series started (first reading or reset), and its
    /// counters then.
    started: Duration,
    anchor: Counters,
    /// The gap between the two latest readings.
    poll_gap: Duration,
    /// Consecutive readings that each saw a change. Stepped counters at a
    /// poll faster than the tick must show an unchanged reading every few
    /// polls; a longer run means the counters are live (summed on each dump)
    /// and must not be treated as ticks.
    change_run: u32,
    /// What the changes seen so far say about the tick phase.
    phase: Option<Arc>,
    /// Recent unchanged readings (previous reading time, this one): no tick
    /// with traffic happened between them. Tells apart two phase candidates.
    quiet: VecDeque<(u64, u64)>,
}

impl CounterTrack {
    pub fn new() -> CounterTrack {
        CounterTrack::default()
    }

    pub fn observe(&mut self, at: Duration, stats: &Stats) -> Observed {
        let stats = &Counters::of(stats);
        let Some((last_at, last)) = self.last else {
            self.restart(at, stats);
            return Observed::First;
        };
        if at <= last_at {
            // Out-of-order or duplicate reading: ignore it.
            return Observed::Same;
        }
        self.poll_gap = at - last_at;
        if stats.went_backwards(&last) {
            self.restart(at, stats);
            return Observed::Reset;
        }
        self.last = Some((at, *stats));
        if *stats == last {
            self.change_run = 0;
            if self.quiet.len() == QUIET_KEPT {
                self.quiet.pop_front();
            }
            self.quiet.push_back((nanos(last_at), nanos(at)));
            return Observed::Same;
        }
        self.change_run = self.change_run.saturating_add(1);
        self.changes.push_back(Change {
            prev: nanos(last_at),
            at: nanos(at),
            stats: *stats,
        });
        if self.poll_gap < ESTIMATOR_TICK {
            // Exactly one tick happened in (last_at, at].
            let arc = Arc::new(last_at.as_secs_f64(), at.as_secs_f64());
            self.phase = Some(match self.phase.map(|p| p.intersect(&arc)) {
                Some(pieces) if pieces.len() == 1 => pieces[0],
                // The brackets meet at both ends. The wrong end contradicts
                // recent readings; keep the other, or stay as we were if
                // neither does.
                Some(pieces) if pieces.len() == 2 => {
                    let (b0, b1) = (self.collisions(&pieces[0]), self.collisions(&pieces[1]));
                    if b0 < b1 {
                        pieces[0]
                    } else if b1 < b0 {
                        pieces[1]
                    } else {
                        self.phase.unwrap_or(arc)
                    }
                }
                // No overlap: the phase drifted (or the counters are live);
                // start over from this bracket.
                _ => arc,
            });
        }
        self.trim();
        Observed::Changed
    }

    fn restart(&mut self, at: Duration, stats: &Counters) {
        self.changes.clear();
        self.last = Some((at, *stats));
        self.started = at;
        self.anchor = *stats;
        self.change_run = 0;
        self.phase = None;
        self.quiet.clear();
    }

    /// Span for averaging when tick times are not known exactly: long enough
    /// that one tick of uncertainty at either end stays within 10%.
    fn long_window(&self) -> Duration {
        DERIVE_WINDOW.max(self.poll_gap * 10)
    }

    /// Keep one change observation older than the long window, no more.
    fn trim(&mut self) {
        let Some(newest) = self.changes.back().map(|c| c.at()) else {
            return;
        };
        let window = self.long_window();
        while self.changes.len() > 2 && newest - self.changes[1].at() >= window {
            self.changes.pop_front();
        }
    }

    /// Whether the counters look stepped by the estimator tick.
    fn stepped(&self) -> bool {
        let gap = self.poll_gap.as_secs_f64();
        let tick = ESTIMATOR_TICK.as_secs_f64();
        if gap >= tick {
            return false;
        }
        // Longest run of changed readings stepped counters can produce,
        // allowing for polls that land right on a tick.
        let longest = (tick / (tick - gap)).floor() as u32 + 2;
        self.change_run <= longest
    }

    /// When the tick behind a change happened, in seconds: the one point of
    /// its bracket congruent to the phase estimate. The estimate lies in
    /// every bracket it was narrowed by, so spans between two such times are
    /// exact whole ticks even while the phase itself is known only roughly.
    fn tick_time(&self, c: &Change) -> Option<f64> {
        tick_time(self.phase?, c)
    }

    /// How many recent readings contradict a phase estimate: changes it
    /// cannot place or places on the tick of the change before, and
    /// unchanged readings it would put a tick inside of.
    fn collisions(&self, phase: &Arc) -> usize {
        let tick = ESTIMATOR_TICK.as_secs_f64();
        let mut bad = self
            .quiet
            .iter()
            .filter(|&&(prev, at)| {
                let (prev, at) = (
                    Duration::from_nanos(prev).as_secs_f64(),
                    Duration::from_nanos(at).as_secs_f64(),
                );
                let t = at - (at - phase.mid()).rem_euclid(tick);
                t > prev + JITTER && t < at - JITTER
            })
            .count();
        let mut prev: Option<f64> = None;
        for c in &self.changes {
            match tick_time(*phase, c) {
                None => bad += 1,
                Some(t) => {
                    if prev.is_some_and(|p| t - p < tick / 2.0) {
                        bad += 1;
                    }
                    prev = Some(t);
                }
            }
        }
        bad
    }

    /// Rates derived from the counters as of `now`; `None` while unknown.
    pub fn derived(&self, now: Duration) -> Option<Rates> {
        self.last?;
        // Longest a moving counter can stay unchanged: one tick, one poll gap,
        // and some slack for estimator jitter.
        let quiet_limit = ESTIMATOR_TICK + self.poll_gap + Duration::from_millis(500);
        let Some(new) = self.changes.back().copied() else {
            // No change since the series started: zero once a tick must have
            // passed, unknown before.
            return (now.saturating_sub(self.started) >= quiet_limit).then(Rates::default);
        };
        let quiet = now.saturating_sub(new.at()) >= quiet_limit;
        if self.changes.len() == 1 {
            // One change only: the span before it is unknown.
            return quiet.then(|| {
                // Counters moved once and stopped: average since the anchor.
                let span = now - self.started;
                Rates::between(&new.stats, &self.anchor, span.as_secs_f64())
            });
        }
        let older = |window: Duration| {
            self.changes
                .iter()
                .rev()
                .find(|c| new.at() - c.at() >= window)
                .or(self.changes.front())
                .copied()
        };
        if self.stepped() {
            let old = older(DERIVE_WINDOW)?;
            if let (Some(t_new), Some(t_old)) = (self.tick_time(&new), self.tick_time(&old)) {
                let tick = ESTIMATOR_TICK.as_secs_f64();
                let span = if quiet {
                    now.as_secs_f64() - t_old
                } else {
                    ((t_new - t_old) / tick).round().max(1.0) * tick
                };
                return Some(Rates::between(&new.stats, &old.stats, span));
            }
        }
        let old = older(self.long_window())?;
        let span = if quiet {
            now - old.at()
        } else {
            new.at() - old.at()
        };
        Some(Rates::between(&new.stats, &old.stats, span.as_secs_f64()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kernel whose estimator ticks every 2 s at `phase`, with constant
    /// traffic; counters are what the last tick summed (`stepped`) or the live
    /// per-CPU sum (kernels that sum on dump).
    struct SimKernel {
        phase: f64,
        cps: f64,
        pps: f64,
        bps: f64,
        stepped: bool,
    }

    impl SimKernel {
        fn counters_at(&self, t: f64) -> Stats {
            let at = if self.stepped {
                if t < self.phase {
                    0.0
                } else {
                    self.phase + ((t - self.phase) / 2.0).floor() * 2.0
                }
            } else {
                t
            };
            Stats {
                conns: (self.cps * at) as u64,
                inpkts: (self.pps * at) as u64,
                outpkts: (self.pps * at * 0.8) as u64,
                inbytes: (self.bps * at) as u64,
                outbytes: (self.bps * at * 3.0) as u64,
                ..Stats::default()
            }
        }
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    /// Polls `k` every `delay` s from `start` to `end`, returning the derived
    /// CPS and InBPS after `warmup` s.
    fn run(k: &SimKernel, delay: f64, start: f64, end: f64, warmup: f64) -> Vec<(f64, Rates)> {
        let mut track = CounterTrack::new();
        let mut out = Vec::new();
        let mut t = start;
        while t < end {
            track.observe(secs(t), &k.counters_at(t));
            if t >= start + warmup {
                let r = track.derived(secs(t)).expect("rate known after warm-up");
                out.push((t, r));
            }
            t += delay;
        }
        out
    }

    fn assert_close(samples: &[(f64, Rates)], k: &SimKernel, tolerance: f64, what: &str) {
        assert!(!samples.is_empty());
        for (t, r) in samples {
            for (got, want, name) in [
                (r.cps, k.cps, "cps"),
                (r.inpps, k.pps, "inpps"),
                (r.outpps, k.pps * 0.8, "outpps"),
                (r.inbps, k.bps, "inbps"),
                (r.outbps, k.bps * 3.0, "outbps"),
            ] {
                let err = (got - want).abs() / want;
                assert!(
                    err <= tolerance,
                    "{what}: {name} at t={t:.1}: got {got:.2}, want {want:.2} (error {:.1}%)",
                    err * 100.0
                );
            }
        }
    }

    fn steady(phase: f64) -> SimKernel {
        SimKernel {
            phase,
            cps: 100.0,
            pps: 1500.0,
            bps: 1_000_000.0,
            stepped: true,
        }
    }

    #[test]
    fn stepped_counters_at_fast_polls_are_exact() {
        for delay in [0.2, 0.5, 0.9, 1.0, 1.5, 1.9] {
            for phase in [0.05, 0.45, 0.7, 1.25, 1.95] {
                let k = steady(phase);
                let samples = run(&k, delay, 0.3, 120.0, 12.0);
                // The phase-placed ticks give the exact span; what is left
                // is the integer truncation of the simulated counters.
                assert_close(&samples, &k, 0.002, &format!("delay {delay} phase {phase}"));
            }
        }
    }

    #[test]
    fn stepped_counters_at_slow_polls_stay_within_one_tick_over_the_window() {
        for (delay, tolerance) in [(3.0, 0.07), (5.0, 0.05), (4.0, 0.002), (10.0, 0.002)] {
            for phase in [0.05, 0.7, 1.3, 1.95] {
                let k = steady(phase);
                let samples = run(&k, delay, 0.3, 400.0, 12.0 * delay.max(2.0));
                assert_close(
                    &samples,
                    &k,
                    tolerance,
                    &format!("delay {delay} phase {phase}"),
                );
            }
        }
    }

    #[test]
    fn polls_landing_on_ticks_stay_within_ten_percent() {
        // Polls at 0.3 + n·delay, ticks at 0.3 + 2k or 1.3 + 2k: every tick
        // sits on a poll, floating-point noise decides which side, and the
        // brackets cannot tell the phase apart; the long-window fallback
        // bounds the error.
        for delay in [1.0, 0.5] {
            for phase in [0.3, 1.3] {
                let k = steady(phase);
                let samples = run(&k, delay, 0.3, 120.0, 12.0);
                assert_close(&samples, &k, 0.1, &format!("delay {delay} phase {phase}"));
            }
        }
    }

    #[test]
    fn naive_poll_deltas_would_lie_and_ours_do_not() {
        // The failure this module exists to avoid: at a 1 s poll, plain
        // deltas alternate between 0 and double.
        let k = steady(0.5);
        let (a, b, c) = (
            k.counters_at(10.2),
            k.counters_at(11.2),
            k.counters_at(12.2),
        );
        let naive1 = (b.conns - a.conns) as f64;
        let naive2 = (c.conns - b.conns) as f64;
        assert!(naive1 == 0.0 || naive2 == 0.0);
        assert!(naive1 == 200.0 || naive2 == 200.0);
        let samples = run(&k, 1.0, 0.2, 30.0, 8.0);
        assert!(samples.iter().all(|(_, r)| r.cps > 99.0 && r.cps < 101.0));
    }

    #[test]
    fn live_counters_are_not_rounded_to_ticks() {
        for delay in [0.5, 1.0, 3.0] {
            let mut k = steady(0.0);
            k.stepped = false;
            let samples = run(&k, delay, 0.1, 60.0, 10.0);
            assert_close(&samples, &k, 0.01, &format!("live, delay {delay}"));
        }
    }

    #[test]
    fn first_reading_never_starts_a_rate() {
        let k = steady(0.9);
        let mut track = CounterTrack::new();
        // Poll just after a tick, then once more a second later: the anchor's
        // tick time is unknown, so no rate from one change.
        assert_eq!(
            track.observe(secs(1.0), &k.counters_at(1.0)),
            Observed::First
        );
        assert_eq!(track.derived(secs(1.0)), None);
        assert_eq!(
            track.observe(secs(3.0), &k.counters_at(3.0)),
            Observed::Changed
        );
        assert_eq!(track.derived(secs(3.0)), None);
        assert_eq!(
            track.observe(secs(5.0), &k.counters_at(5.0)),
            Observed::Changed
        );
        let r = track.derived(secs(5.0)).unwrap();
        assert!((r.cps - 100.0).abs() < 0.5, "{r:?}");
    }

    #[test]
    fn idle_series_reads_zero_once_a_tick_must_have_passed() {
        let mut track = CounterTrack::new();
        let s = Stats {
            conns: 7,
            ..Stats::default()
        };
        track.observe(secs(0.0), &s);
        track.observe(secs(1.0), &s);
        assert_eq!(track.derived(secs(1.0)), None, "too early to tell");
        track.observe(secs(2.0), &s);
        track.observe(secs(3.0), &s);
        track.observe(secs(4.0), &s);
        assert_eq!(track.derived(secs(4.0)), Some(Rates::default()));
    }

    #[test]
    fn counter_going_backwards_starts_a_new_series() {
        let k = steady(0.3);
        let mut track = CounterTrack::new();
        let mut t = 0.5;
        while t < 20.0 {
            track.observe(secs(t), &k.counters_at(t));
            t += 1.0;
        }
        assert!(track.derived(secs(19.5)).unwrap().cps > 99.0);
        // Service deleted and re-added: counters restart small.
        let restarted = Stats {
            conns: 5,
            inpkts: 50,
            outpkts: 40,
            inbytes: 9_000,
            outbytes: 27_000,
            ..Stats::default()
        };
        assert_eq!(track.observe(secs(20.5), &restarted), Observed::Reset);
        assert_eq!(track.derived(secs(20.5)), None, "no rate across a reset");
        // It then builds up again from the new counters only.
        let mut t = 21.5;
        let mut seen = Vec::new();
        while t < 40.0 {
            let mut s = k.counters_at(t - 20.3);
            s.conns += 5;
            s.inpkts += 50;
            s.outpkts += 40;
            s.inbytes += 9_000;
            s.outbytes += 27_000;
            track.observe(secs(t), &s);
            if let Some(r) = track.derived(secs(t)) {
                seen.push(r.cps);
            }
            t += 1.0;
        }
        assert!(!seen.is_empty());
        assert!(seen.iter().all(|c| (99.0..=101.0).contains(c)), "{seen:?}");
    }

    #[test]
    fn zeroing_counters_never_gives_negative_or_huge_rates() {
        let k = steady(1.1);
        let mut track = CounterTrack::new();
        let mut t = 0.0;
        let mut zeroed_at = None;
        while t < 60.0 {
            let s = match zeroed_at {
                // `ipvsadm -Z` at t = 30: counters restart from zero.
                Some(z) => {
                    let base = k.counters_at(z);
                    let now = k.counters_at(t);
                    Stats {
                        conns: now.conns - base.conns,
                        inpkts: now.inpkts - base.inpkts,
                        outpkts: now.outpkts - base.outpkts,
                        inbytes: now.inbytes - base.inbytes,
                        outbytes: now.outbytes - base.outbytes,
                        ..Stats::default()
                    }
                }
                None if t >= 30.0 => {
                    zeroed_at = Some(t);
                    Stats::default()
                }
                None => k.counters_at(t),
            };
            track.observe(secs(t), &s);
            if let Some(r) = track.derived(secs(t)) {
                for v in [r.cps, r.inpps, r.outpps, r.inbps, r.outbps] {
                    assert!(v >= 0.0 && v.is_finite());
                }
                assert!(r.cps <= 101.0, "spike {} at {t}", r.cps);
                if t > 45.0 {
                    assert!(r.cps >= 99.0, "false low {} at {t}", r.cps);
                }
            }
            t += 0.5;
        }
    }

    #[test]
    fn stopped_traffic_decays_without_spikes() {
        let k = steady(0.4);
        let mut track = CounterTrack::new();
        let mut t: f64 = 0.0;
        let mut last = f64::MAX;
        while t < 60.0 {
            let s = k.counters_at(t.min(30.0));
            track.observe(secs(t), &s);
            if t > 34.0 {
                let r = track.derived(secs(t)).unwrap();
                assert!(r.cps <= last, "rate rose after traffic stopped at {t}");
                assert!(r.cps < 100.0);
                last = r.cps;
            }
            t += 1.0;
        }
        assert!(last < 40.0, "decays: {last}");
    }

    /// The kernel estimator, fixed point as in ip_vs_est.c, to check that the
    /// kernel's rates are the ones shown when it runs.
    fn kernel_rate_after_ticks(per_tick: u64, ticks: usize) -> u64 {
        let mut e: i64 = 0;
        for _ in 0..ticks {
            let rate = ((per_tick) << 9) as i64;
            e += (rate - e) >> 2;
        }
        ((e as u64) + 0x1FF) >> 10
    }

    #[test]
    fn running_estimator_means_kernel_rates() {
        // 200 connections per 2 s tick: the kernel converges on 100 cps.
        assert_eq!(kernel_rate_after_ticks(200, 40), 100);
        let with_rates = Stats {
            conns: 1000,
            cps: kernel_rate_after_ticks(200, 1),
            ..Stats::default()
        };
        assert!(with_rates.cps > 0);
        let idle = Stats::default();
        assert_eq!(RateSource::detect([&idle, &with_rates]), RateSource::Kernel);
        let r = Rates::from_kernel(&with_rates);
        assert_eq!(r.cps, with_rates.cps as f64);
    }

    #[test]
    fn estimator_stopped_means_counters() {
        // Counters advance while every kernel rate stays 0 (a backend that
        // cannot say whether the estimator runs).
        let a = Stats {
            conns: 1000,
            inbytes: 1 << 30,
            ..Stats::default()
        };
        assert_eq!(
            RateSource::detect([&a, &Stats::default()]),
            RateSource::Counters
        );
        assert_eq!(RateSource::detect(std::iter::empty()), RateSource::Counters);
    }
}
