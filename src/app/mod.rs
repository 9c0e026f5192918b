//! The monitor's state: everything here is pure and unit-tested; the view
//! only reads it and the event loop only feeds it.

mod action;
pub mod editing;
#[cfg(any(test, feature = "fake"))]
pub mod fake;
pub mod hints;
pub mod history;
mod keyhash;
pub mod metric;
pub mod rates;
pub mod series;
mod state;
pub mod table;
pub mod units;

pub use action::{Action, Event, PollResult};
pub use metric::Metric;
pub use state::{
    App, AppConfig, Changed, DestRow, PollStatus, ServiceRow, APPLY_STEP_ROWS, DEST_SERIES_MAX,
};
