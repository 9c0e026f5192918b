use serde::{Deserialize, Serialize};

/// Counters and the kernel's own rate estimates for a service, a real server
/// or the whole director.
///
/// Everything is 64-bit: the kernel's STATS64 group is preferred, and the
/// 32-bit STATS group is widened when a kernel lacks it. Counters move in
/// 2-second steps (the kernel estimator's cadence); the rates are the kernel's
/// smoothed averages, bytes (not bits) per second for `inbps`/`outbps`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stats {
    /// Connections scheduled (counter).
    pub conns: u64,
    pub inpkts: u64,
    pub outpkts: u64,
    pub inbytes: u64,
    pub outbytes: u64,
    /// Kernel-estimated connections per second.
    pub cps: u64,
    pub inpps: u64,
    pub outpps: u64,
    /// Kernel-estimated incoming bytes per second.
    pub inbps: u64,
    pub outbps: u64,
}

impl Stats {
    /// The ten fields in declaration order: the recording and the agent
    /// protocol send them field by field and must agree on one order.
    pub fn fields(&self) -> [u64; 10] {
        [
            self.conns,
            self.inpkts,
            self.outpkts,
            self.inbytes,
            self.outbytes,
            self.cps,
            self.inpps,
            self.outpps,
            self.inbps,
            self.outbps,
        ]
    }

    /// The same fields, to be written in the same order.
    pub fn fields_mut(&mut self) -> [&mut u64; 10] {
        [
            &mut self.conns,
            &mut self.inpkts,
            &mut self.outpkts,
            &mut self.inbytes,
            &mut self.outbytes,
            &mut self.cps,
            &mut self.inpps,
            &mut self.outpps,
            &mut self.inbps,
            &mut self.outbps,
        ]
    }
}
