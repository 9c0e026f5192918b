//! Replay of a recording (`--replay FILE`): the time cursor (`cursor.rs`,
//! pure), a recorded tick read as a table (`recorded_table.rs`, what the
//! batch export prints through the ipvsadm listings) and the times an
//! operator types (`moment.rs`). The thread that plays a recording to the
//! monitor is `poll::replay_loop`; the batch export is `cli::replay`.

pub mod cursor;
pub mod moment;
pub mod recorded_table;

pub use cursor::{Cursor, Goes, SPEEDS};
pub use moment::Moment;
pub use recorded_table::RecordedTable;
