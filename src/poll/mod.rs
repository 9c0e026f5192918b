//! Polling the IPVS table, beside the kernel client: the poller decides
//! what each poll reads (`poller.rs`), with its listing cadence
//! (`cadence.rs`) and its real-server sweep (`sweep.rs`).

mod cadence;
mod poller;
#[cfg(test)]
mod poller_tests;
mod sweep;

pub use cadence::{LIST_EVERY_POLL_MAX, SWEEP_PERIOD};
pub use poller::Poller;
pub use sweep::{SWEEP_BUDGET, SWEEP_NEW_MAX};
