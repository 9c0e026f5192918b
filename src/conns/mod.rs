//! What lvstop makes of the connection table: which service and real server
//! each entry belongs to, and counts over them. Pure: entries come in one at
//! a time from a walk (`backend::Reader::connections`), so nothing here
//! holds the table.

mod attribution;
mod state_counts;
mod tally;
#[cfg(test)]
mod tests;

pub use attribution::{Attribution, Owner, Standing};
pub use state_counts::StateCounts;
pub use tally::{Counts, DestTally, ServiceTally, Tally};
