//! Changing the IPVS table safely from the monitor: every change read
//! before, journaled, applied as one kernel command, read back; weights
//! changed read-modify-write; undo from the state recorded before each
//! change.

mod editor;
mod error;
mod inverse;
mod keepalived;
mod state;
pub mod words;

#[cfg(test)]
mod daemon_tests;
#[cfg(test)]
pub(crate) mod tests;

pub use editor::{Applied, Editor, Undone};
pub use error::Error;
pub use inverse::{inverse, restorable_dest, restorable_service};
pub use keepalived::{keepalived_running, keepalived_running_in};
pub use state::capture;
