//! Polling the IPVS table, beside the kernel client: the poller (what each
//! poll reads, `poller.rs`, with its listing cadence and real-server sweep)
//! and the thread that owns the backend (`owner.rs`), which polls and
//! carries out the editing UI's requests. The UI talks to that thread only
//! through [`Owner`]: typed messages both ways (what to watch, what to
//! change; polls, replies and the journal back as [`Report`]s).

mod cadence;
mod carry_out;
mod conn_reads;
#[cfg(test)]
mod conn_reads_tests;
mod director_reads;
mod drain_watch;
mod journal_pane;
mod known_table;
mod messages;
#[cfg(test)]
mod nudge_tests;
mod owner;
mod owner_loop;
mod poller;
#[cfg(test)]
mod poller_tests;
mod record_tap;
mod replay_loop;
mod settings_reads;
mod sweep;

pub use cadence::{LIST_EVERY_POLL_MAX, SWEEP_PERIOD};
pub use carry_out::{carry_out, undo_next};
pub use conn_reads::{EXACT_ONE_GO_MAX, HALF_OPEN_EVERY};
pub use director_reads::{DirectorReads, DIRECTOR_EVERY};
pub use journal_pane::{journal_lines, pane_lines, JOURNAL_PANE_ENTRIES};
pub use messages::Report;
pub use owner::{Access, Owner, Replay};
pub use poller::Poller;
pub use record_tap::RecordTap;
pub use sweep::{SWEEP_BUDGET, SWEEP_NEW_MAX};
