//! lvstop: `top` for IPVS.
//!
//! Data flows one way: the kernel client (`kernel`, over the pure `protocol`
//! layer) or the demo director (`demo`) produces immutable snapshots
//! (`model`), the app state (`app`) derives history and rates from them, and
//! the view (`canvas`) draws that state; `poll` reads the table on a thread
//! that owns the backend, `tui` runs the terminal and the event loop,
//! dispatching input through the one key table (`keys`);
//! `output` prints batch formats, `rules` speaks ipvsadm's command grammar
//! and `cli` ties them together; `heap` keeps freed memory for the next
//! poll; `conns` counts the connection table's entries. `testkit` holds the
//! fakes every test, example and bench shares; `fleet` compares several
//! directors.

pub mod app;
pub mod backend;
pub mod canvas;
pub mod cli;
pub mod clock;
pub mod conns;
pub mod demo;
pub mod edit;
pub mod fleet;
pub mod heap;
pub mod journal;
pub mod kernel;
pub mod keys;
pub mod model;
pub mod output;
pub mod poll;
pub mod protocol;
pub mod record;
pub mod replay;
pub mod rules;
#[doc(hidden)]
pub mod testkit;
pub mod tui;
