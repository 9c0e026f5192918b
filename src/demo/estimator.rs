//! The kernel's statistics bookkeeping for one service, real server or the
//! whole director, as net/netfilter/ipvs/ip_vs_est.c and ip_vs_ctl.c do it.
//!
//! Traffic increments the live counters (the kernel's per-CPU `cpustats`).
//! Every 2 seconds the estimator copies them into `kstats` and updates the
//! smoothed rates (ip_vs_chain_estimation); readers only ever see `kstats`
//! minus the zero point `kstats0` (ip_vs_copy_stats), which is why dumped
//! counters move in 2-second steps.

use crate::model::Stats;

/// The five counters IPVS keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub conns: u64,
    pub inpkts: u64,
    pub outpkts: u64,
    pub inbytes: u64,
    pub outbytes: u64,
}

impl Counters {
    fn minus(&self, o: &Counters) -> Counters {
        Counters {
            conns: self.conns.wrapping_sub(o.conns),
            inpkts: self.inpkts.wrapping_sub(o.inpkts),
            outpkts: self.outpkts.wrapping_sub(o.outpkts),
            inbytes: self.inbytes.wrapping_sub(o.inbytes),
            outbytes: self.outbytes.wrapping_sub(o.outbytes),
        }
    }
}

/// `struct ip_vs_stats` with its `struct ip_vs_estimator`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatBlock {
    /// What traffic has added so far (cpustats summed).
    pub live: Counters,
    /// The estimator's last copy of `live`.
    kstats: Counters,
    /// Zero point set by IPVS_CMD_ZERO.
    kstats0: Counters,
    last: Counters,
    // Scaled rates: cps/pps by 2^10, bps by 2^5, exactly as the kernel keeps them.
    cps: u64,
    inpps: u64,
    outpps: u64,
    inbps: u64,
    outbps: u64,
}

/// One EWMA step with weight 1/4 on a 2-second sample already scaled.
fn ewma(avg: &mut u64, sample_scaled: u64) {
    let delta = (sample_scaled as i64).wrapping_sub(*avg as i64) >> 2;
    *avg = (*avg as i64).wrapping_add(delta) as u64;
}

impl StatBlock {
    pub fn add(&mut self, conns: u64, inpkts: u64, outpkts: u64, inbytes: u64, outbytes: u64) {
        self.live.conns += conns;
        self.live.inpkts += inpkts;
        self.live.outpkts += outpkts;
        self.live.inbytes += inbytes;
        self.live.outbytes += outbytes;
    }

    /// ip_vs_chain_estimation for this block: runs every 2 seconds.
    pub fn estimate(&mut self) {
        self.kstats = self.live;
        let k = self.kstats;
        // "scaled by 2^10, but divided 2 seconds": << 9
        ewma(&mut self.cps, k.conns.wrapping_sub(self.last.conns) << 9);
        ewma(
            &mut self.inpps,
            k.inpkts.wrapping_sub(self.last.inpkts) << 9,
        );
        ewma(
            &mut self.outpps,
            k.outpkts.wrapping_sub(self.last.outpkts) << 9,
        );
        // "scaled by 2^5, but divided 2 seconds": << 4
        ewma(
            &mut self.inbps,
            k.inbytes.wrapping_sub(self.last.inbytes) << 4,
        );
        ewma(
            &mut self.outbps,
            k.outbytes.wrapping_sub(self.last.outbytes) << 4,
        );
        self.last = k;
    }

    /// ip_vs_zero_stats + ip_vs_zero_estimator: the current estimate becomes
    /// the zero point and the rates restart from 0.
    pub fn zero(&mut self) {
        self.kstats0 = self.kstats;
        self.last = self.kstats;
        self.cps = 0;
        self.inpps = 0;
        self.outpps = 0;
        self.inbps = 0;
        self.outbps = 0;
    }

    /// ip_vs_copy_stats + ip_vs_read_estimator: what a dump reports.
    pub fn read(&self) -> Stats {
        let c = self.kstats.minus(&self.kstats0);
        Stats {
            conns: c.conns,
            inpkts: c.inpkts,
            outpkts: c.outpkts,
            inbytes: c.inbytes,
            outbytes: c.outbytes,
            cps: (self.cps + 0x1FF) >> 10,
            inpps: (self.inpps + 0x1FF) >> 10,
            outpps: (self.outpps + 0x1FF) >> 10,
            inbps: (self.inbps + 0xF) >> 5,
            outbps: (self.outbps + 0xF) >> 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_show_only_after_estimation() {
        let mut s = StatBlock::default();
        s.add(10, 20, 15, 2000, 1500);
        assert_eq!(s.read().conns, 0);
        s.estimate();
        let r = s.read();
        assert_eq!((r.conns, r.inpkts, r.outbytes), (10, 20, 1500));
    }

    #[test]
    fn rate_converges_like_the_kernel_ewma() {
        let mut s = StatBlock::default();
        // 100 conns per 2 s = 50 cps; after n ticks the average is 50*(1-(3/4)^n).
        for _ in 0..15 {
            s.add(100, 0, 0, 0, 0);
            s.estimate();
        }
        let cps = s.read().cps;
        let expected = 50.0 * (1.0 - 0.75f64.powi(15));
        assert!((cps as f64 - expected).abs() <= 1.0, "{cps} vs {expected}");
    }

    #[test]
    fn zero_resets_counters_and_rates_but_not_live() {
        let mut s = StatBlock::default();
        s.add(100, 100, 100, 100, 100);
        s.estimate();
        s.add(10, 0, 0, 0, 0);
        s.zero();
        assert_eq!(s.read(), Stats::default());
        s.estimate();
        // What arrived after the last estimate but before the zero shows up,
        // as in the kernel where zeroing takes the estimator's copy as zero point.
        assert_eq!(s.read().conns, 10);
    }
}
