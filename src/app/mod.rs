//! The monitor's state: everything here is pure and unit-tested; the view
//! only reads it and the event loop only feeds it.

mod action;
pub mod alerts;
pub mod columns;
mod config;
pub mod drain;
pub mod editing;
#[cfg(test)]
mod filter_tests;
pub mod fleet_across;
pub mod fleet_change;
pub mod fleet_health;
pub mod history;
mod keyhash;
pub mod metric;
pub mod rates;
pub mod replay;
pub mod series;
mod state;
pub mod status_line;
pub mod store;
pub mod table;
#[cfg(test)]
mod test_polls;
pub mod units;
pub mod view;
pub mod warnings;

pub use action::{Action, Event, PollResult};
pub use config::{AppConfig, APPLY_STEP_ROWS, DEST_SERIES_MAX, HISTORY_BUDGET, HISTORY_FLOOR};
pub use metric::Metric;
pub use state::App;
pub use status_line::StatusLine;
pub use store::{Changed, DestRow, DirectorReading, PollStatus, ServiceRow, Store, WorstAlert};
pub use view::View;
