//! The connection table in batch output: `ipvsadm -Lnc` lines (`text`,
//! also the monitor's drill-down) and lvstop's JSON (`json`).

pub mod json;
mod text;

pub use text::{conn_header, conn_line};
