//! Dump replies decoded straight from the wire into the model.
//!
//! The typed attribute enums (`ServiceAttr`, `DestAttr`, `StatsAttr`) build a
//! tree of vectors per message, a dozen allocations for one real server,
//! which at scale costs more than the netlink round trips themselves. Here
//! the same messages are read in place, with no allocation but the model's
//! own strings. Same rules as `convert` (strict on
//! identity, zero for absent counters); the tests check that both paths
//! agree on every captured reply.
//!
//! - `fields`: each nest's fields described once (attribute, name, wire
//!   form) and a message's `Layout`, where each field lies;
//! - `walk`: one pass over a message by that description, then its reads;
//! - `learnt`: decoders that keep the layout of a walked message and read
//!   the next messages with the same `headers` from it.

mod attrs;
mod fields;
mod headers;
mod learnt;
mod walk;

pub use learnt::{DestDecoder, ServiceDecoder};
pub use walk::{dest_from_payload, service_from_payload};

#[cfg(test)]
mod tests;
