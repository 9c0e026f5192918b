//! Several directors at once: where their tables differ (`diff`), pure and
//! I/O-free so the monitor's differences view and batch `--diff` share it;
//! the agent protocol (`protocol`, pure), reading a peer's lines under a cap
//! (`lines`), the ssh transport (`ssh`), and a remote director as a backend
//! (`remote`).

pub mod diff;
pub mod lines;
pub mod protocol;
pub mod remote;
pub mod ssh;

pub use diff::{differences, Difference, DirectorName, Kind, Setting};
