//! The kernel client: talks IPVS generic netlink over long-lived sockets
//! (one for requests and the services dump, one for real-server dumps).
//!
//! `transport` moves bytes and sequence numbers (`receive` takes the
//! datagrams of an answer several per system call), `netns` creates the socket
//! in the requested network namespace, `client` speaks IPVS and words every
//! failure for an operator. `conn_file` reads the connection table, which
//! the kernel shows only in /proc; `sysctl` the `net.ipv4.vs.*` settings.

mod client;
pub mod conn_file;
pub(crate) mod netns;
mod receive;
pub mod resilient;
pub mod sysctl;
mod transport;

pub use client::Client;
pub use conn_file::ConnFiles;
pub use netns::netns_path;
pub use resilient::ResilientReader;
pub use transport::{take_datagram, take_datagram_with, Failure, RECV_TIMEOUT};
