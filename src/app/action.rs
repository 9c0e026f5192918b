//! What can happen to the monitor: operator actions (from keys and the
//! mouse) and backend events (from the poller).

use std::time::{Duration, SystemTime};

use crate::model::{Dest, Info, Service, ServiceKey};

/// An operator's intent, independent of which key produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    /// On a service: collapse. On a real server: select its service.
    Left,
    /// On a service: expand. On a real server: nothing.
    Right,
    /// Enter: expand or collapse a service.
    Toggle,
    FilterStart,
    FilterChar(char),
    FilterBackspace,
    /// Enter while typing a filter: keep it, stop typing.
    FilterAccept,
    /// Esc: close help, or stop typing and clear the filter.
    Escape,
    SortNext,
    SortReverse,
    Freeze,
    NextMetric,
    Help,
    /// Any key while the help overlay is open.
    CloseHelp,
    ToggleExact,
    /// Select the next real server with an alert raised, expanding its
    /// service.
    NextAlert,
    /// `c`: open the connections view on the selected service or real
    /// server; in the view, close it.
    Connections,
    /// Enter in the connections view: the entries of the real server under
    /// the cursor.
    ConnEntries,
    /// Ask for an exact read of the connection table, or cancel it.
    ConnExact,
    /// `T`: open or close the director panel (timeouts, sync daemons).
    DirectorPanel,
    /// `X`: open the drain view on the real servers watched, or close it.
    DrainView,
    /// `K`: open the kernel settings panel; in it, close it.
    Settings,
    /// Mouse wheel.
    ScrollUp,
    ScrollDown,
    /// Mouse click on a table row (index into the row list).
    Select(usize),
    /// The table's size changed: rows of data, width in columns.
    Resize {
        table_rows: usize,
        table_width: u16,
    },
    Quit,
    /// A replay's time cursor (`--replay`): pause, step, jump, speed, go to.
    Cursor(super::replay::CursorKey),
    /// A character typed into the replay's go-to form.
    GoToChar(char),
    GoToBackspace,
    /// Enter (true) or Esc in the go-to form.
    GoToDone(bool),
}

/// One poll's reading. Real servers are read for some services only (the
/// visible ones plus a background sweep slice), listed in `dests`.
#[derive(Debug, Clone)]
pub struct PollResult {
    /// Monotonic time of the reading.
    pub at: Duration,
    pub wall: SystemTime,
    /// How long the poll took.
    pub took: Duration,
    /// The interval actually in force: the configured delay, or longer when
    /// polls take longer than it.
    pub interval: Duration,
    pub info: Info,
    /// Whether `services` is the whole table (in ipvsadm's order), or only
    /// the services re-read one by one (the rows on screen) of a table too
    /// big to list whole every poll: the other rows keep their last reading.
    pub whole: bool,
    pub services: Vec<Service>,
    pub dests: Vec<(ServiceKey, Vec<Dest>)>,
    /// `net.ipv4.vs.run_estimation` as the backend read it (None: unknown).
    pub estimator: Option<bool>,
}

/// What the backend side reports.
#[derive(Debug, Clone)]
pub enum Event {
    Polled(PollResult),
    PollFailed {
        at: Duration,
        wall: SystemTime,
        error: String,
    },
}
