//! Several directors at once: where their tables differ (`diff`), pure and
//! I/O-free so the monitor's differences view and batch `--diff` share it.

pub mod diff;

pub use diff::{differences, Difference, DirectorName, Kind, Setting};
