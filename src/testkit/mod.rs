//! The one kit every test, example and bench shares: a scriptable IPVS
//! table, a backend that records calls and injects failures and latency,
//! key presses from text, the screen as text and a manual clock. It names only `backend`, `model`
//! and `clock`, so the tests of every other module can use it.
//!
//! Always compiled, hidden from the docs: integration tests, examples and
//! benches cannot see `#[cfg(test)]` items, and a cargo feature would have
//! to be named on every `cargo test` (a package cannot turn on its own
//! feature through a dev-dependency on itself). The binary links none of it.

mod backend;
mod clock;
mod frames;
mod keys;
pub mod screen;
mod table;
mod uniform;

pub use backend::{Call, CallKind, Calls, FakeBackend, Recorded};
pub use clock::ManualClock;
pub use frames::FrameObserved;
pub use keys::key_events;
pub use table::{conn, tcp, FakeTable, Traffic};
pub use uniform::UniformTable;

/// A `FakeTable` behind a shared, recording handle: what the monitor's
/// tests poll.
pub type FakeReader = FakeBackend<FakeTable>;

#[cfg(test)]
mod tests;
