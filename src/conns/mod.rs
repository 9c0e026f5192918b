//! What lvstop makes of the connection table: which service and real server
//! each entry belongs to, and counts over them. Pure: entries come in one at
//! a time from a walk (`backend::Reader::connections`), so nothing here
//! holds the table.

mod attribution;
mod budget;
mod exchange;
mod half_open;
mod prefix;
mod sampling;
mod state_counts;
mod summary;
#[cfg(test)]
mod summary_tests;
mod tally;
#[cfg(test)]
mod tests;
mod top_counter;

pub use attribution::{Attribution, Owner, ServiceShape, Standing};
pub use budget::{steps, Budget, CostModel, Plan, PAGE_ENTRIES};
pub use exchange::{ConnEvent, ConnRequest, ExactProgress, ReadOf};
pub use half_open::{HalfOpen, HalfOpenCounter, HALF_OPEN};
pub use prefix::Prefix;
pub use sampling::{Count, Sampling};
pub use state_counts::StateCounts;
pub use summary::{ConnReading, DestConns, Limits, Made, Pin, ReadStamp, Scope, Summarizer};
pub use tally::{Counts, DestTally, ServiceTally, Tally};
pub use top_counter::{Top, TopCounter};
