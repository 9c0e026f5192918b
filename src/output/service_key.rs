//! A service's identity in an operator's words, for messages and the
//! monitor's filter. Here rather than in `model` so that its address is the
//! one glibc (and ipvsadm) prints, from `addr`, without `model` depending on
//! `output`.

use std::fmt;

use super::addr::addr_port;
use crate::model::{Family, ServiceKey};

impl fmt::Display for ServiceKey {
    /// `TCP 10.0.0.1:80`, `UDP [2001:db8::1]:53`, `FWM 42`, `FWM 42 IPv6`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServiceKey::Addr {
                protocol,
                addr,
                port,
            } => write!(f, "{} {}", protocol.name(), addr_port(addr, *port)),
            ServiceKey::Fwmark {
                family: Family::V4,
                mark,
            } => write!(f, "FWM {mark}"),
            ServiceKey::Fwmark {
                family: Family::V6,
                mark,
            } => write!(f, "FWM {mark} IPv6"),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Family, Protocol, ServiceKey};

    #[test]
    fn addresses_read_as_glibc_prints_them() {
        let key = |addr: &str| ServiceKey::Addr {
            protocol: Protocol::Udp,
            addr: addr.parse().unwrap(),
            port: 53,
        };
        assert_eq!(key("10.0.0.1").to_string(), "UDP 10.0.0.1:53");
        assert_eq!(key("2001:db8::1").to_string(), "UDP [2001:db8::1]:53");
        // Rust's own Display writes ::a00:1 here; glibc the dotted tail.
        assert_eq!(key("::10.0.0.1").to_string(), "UDP [::10.0.0.1]:53");
        let mark = ServiceKey::Fwmark {
            family: Family::V6,
            mark: 42,
        };
        assert_eq!(mark.to_string(), "FWM 42 IPv6");
    }
}
