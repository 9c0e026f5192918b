//! The agent protocol (docs/agent-protocol.md): JSON lines between lvstop and
//! `lvstop agent` over ssh. Pure and I/O-free: the messages, their decoding
//! under caps (`codec`), and readings as changes against the previous one
//! (`delta`), so the fuzz target and the tests reach all of it.

mod codec;
mod counters;
mod delta;
mod messages;
#[cfg(test)]
mod tests;

pub use codec::{decode_from_agent, decode_to_agent, encode, DecodeError};
pub use delta::{apply, readings, DeltaError, Staging};
pub use messages::{
    DestMoves, FromAgent, Hello, Outcome, Pong, Reading, ReadingFailed, ServiceChange, StatsMoves,
    ToAgent,
};

/// The version this lvstop speaks; a hello with another is refused, naming both.
/// 2: counters that moved come as differences (`stats`, `dest_stats`), lines
/// of a reading are numbered (`part`).
pub const PROTOCOL_VERSION: u32 = 2;

/// The longest line either side accepts, newline excluded.
pub const MAX_LINE: usize = 1 << 20;

/// The most services a director's table may hold as read over the protocol.
pub const MAX_SERVICES: usize = 100_000;

/// The most real servers a director's table may hold, all services together.
pub const MAX_DESTS: usize = 1_000_000;

/// How many services and real servers one reading line carries at most
/// (each at most about 400 bytes as JSON): well under [`MAX_LINE`].
pub const ITEMS_PER_LINE: usize = 1_000;

/// The longest string field (host name, scheduler, a result's message).
pub const MAX_TEXT: usize = 4_096;
