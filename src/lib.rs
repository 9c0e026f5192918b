//! lvstop: `top` for IPVS.
//!
//! Data flows one way: the kernel client (or the demo director) produces
//! immutable snapshots, the app state derives history and rates from them,
//! and the view draws that state.

pub mod backend;
pub mod clock;
pub mod demo;
pub mod edit;
pub mod journal;
pub mod model;
