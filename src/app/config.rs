//! The monitor's settings and the limits that keep its memory and its key
//! latency bounded whatever the table's size.

use std::time::Duration;

/// Settings the state needs.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub delay: Duration,
    pub history: Duration,
}

/// Samples kept over all services together (6 bytes each: 36 MB): 10,000
/// services keep 10 minutes at 1 s; 100,000 keep 60 samples instead of
/// exhausting memory. Real servers' series are capped apart
/// (`DEST_SERIES_MAX`).
pub const HISTORY_BUDGET: usize = 6_000_000;
/// Real servers that keep a series (history, counter track) at most: those
/// of the services watched most recently (see `App::watched`).
pub const DEST_SERIES_MAX: usize = 1024;
/// `ServiceRow::dest_series` of a watched service not read yet.
pub const UNREAD_WATCHED: usize = usize::MAX;
/// Rows one `App::apply_step` brings up to date by default, a service's and
/// the real servers read with it each counting one: the event loop handles
/// keys between steps, so this bounds how long a key waits.
pub const APPLY_STEP_ROWS: usize = 2048;
/// Fewest samples a series keeps whatever the table size.
pub const HISTORY_FLOOR: usize = 16;

impl AppConfig {
    /// Samples kept per series for the configured history.
    pub fn history_samples(&self) -> usize {
        let d = self.delay.as_secs_f64().max(0.05);
        ((self.history.as_secs_f64() / d).ceil() as usize).max(2)
    }

    /// Samples per series when `series` services share the budget.
    pub fn samples_for(&self, series: usize) -> usize {
        let share = HISTORY_BUDGET / series.max(1);
        self.history_samples().min(share.max(HISTORY_FLOOR))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_budget() {
        let config = AppConfig {
            delay: Duration::from_secs(1),
            history: Duration::from_secs(300),
        };
        assert_eq!(config.samples_for(10), 300);
        assert_eq!(config.samples_for(10_000), 300);
        assert_eq!(config.samples_for(200_000), 30);
        assert_eq!(config.samples_for(10_000_000), HISTORY_FLOOR);
    }
}
