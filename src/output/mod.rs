//! Batch output: pure functions from a `Snapshot` to text.
//!
//! `text` and `save` reproduce ipvsadm 1.31 byte for byte (always numeric,
//! as with `-n`); `json` is lvstop's own machine-readable format.

mod addr;
pub mod json;
mod number;
pub mod order;
pub mod save;
pub mod text;
mod words;

#[cfg(test)]
pub(crate) mod tests;

#[cfg(test)]
mod golden_tests;
#[cfg(test)]
mod random_golden_tests;

pub use addr::{addr_port, ntop6};
pub use number::largenum;
pub use text::{render as render_text, TextOptions, TextView};
pub use words::{sched_flag_words, tun_info};
