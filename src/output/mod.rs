//! Batch output: each format a `Sink` fed service by service, from the
//! kernel as it is read (`cli::stream`) or from a `Snapshot` (`sink::render`).
//!
//! `text` and `save` reproduce ipvsadm 1.31 byte for byte (always numeric,
//! as with `-n`); `json` is lvstop's own machine-readable format; `command`
//! writes any change as the ipvsadm command that makes it.

use crate::model::addr;
pub mod command;
pub mod connections;
pub mod director;
pub mod json;
mod number;
pub mod openmetrics;
pub mod order;
pub mod save;
mod service_key;
pub mod sink;
pub mod text;
mod words;

pub use addr::{addr, addr_port, ntop6, push_addr};
pub use command::{command_line, rule};
pub use connections::{conn_header, conn_line};
pub use number::{largenum, push_u64};
pub use sink::Sink;
pub use text::{render as render_text, ServiceTextSink, TextOptions, TextSink, TextView};
pub use words::{sched_flag_words, tun_info};
