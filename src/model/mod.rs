//! The IPVS table as lvstop understands it, independent of the wire format.
//!
//! Everything above the protocol layer (batch output, the monitor, the demo
//! director) speaks these types; only `protocol` knows about netlink.

pub mod addr;
mod change;
mod connection;
mod daemon;
mod dest;
mod service;
mod settings;
mod snapshot;
mod stats;

pub use change::{Change, NudgeWrite};
pub use connection::{ConnSource, ConnWalk, Connection, Origin, PeData, Token};
pub use daemon::{Interface, SyncDaemon, SyncRole, INTERFACE_MAX, MAX_LEN_MAX};
pub use dest::{Dest, DestKey, Forward, TunnelFlags, TunnelType, MAX_WEIGHT};
pub use service::{Family, Protocol, Service, ServiceFlags, ServiceKey};
pub use settings::{Setting, VsSettings};
pub use snapshot::{Info, ServiceEntry, Snapshot, Timeouts};
pub use stats::Stats;
