//! The IPVS generic-netlink protocol: messages, attributes and their
//! conversion to and from `crate::model`. Pure: no I/O.
//!
//! Layout follows rust-netlink (netlink-packet-generic's `ctrl`): one Nla
//! enum per attribute group, each keeping unknown attributes as
//! `Other(DefaultNla)` so that a newer kernel never breaks parsing.
//! Reference: `linux/ip_vs.h` and `net/netfilter/ipvs/ip_vs_ctl.c`.

mod assemble;
mod command;
pub mod convert;
mod daemon;
mod dest;
pub mod direct;
mod frame;
mod info;
mod message;
mod nest;
mod service;
mod stats;
mod sync_daemon;

pub use command::IpvsCmd;
pub use daemon::*;
pub use dest::*;
pub use frame::{
    encode_dests_request, encode_request, encode_service_request, DUMP_FLAGS, REQUEST_FLAGS,
};
pub use info::*;
pub use message::*;
pub use service::*;
pub use stats::*;

#[cfg(test)]
mod tests;
