//! One entry of the kernel's connection table, as `/proc/net/ip_vs_conn`
//! (and `ip_vs_conn_sync`) print it. The kernel has no netlink command for
//! connections, so this comes from text, and that text is hostile input:
//! names are kept as short printable tokens, never as free strings.

use std::fmt;
use std::net::SocketAddr;

use serde::{Serialize, Serializer};

/// A short name the kernel prints (a protocol such as `TCP`, a state such as
/// `SYN_RECV`, a persistence engine such as `sip`): 1 to 23 printable ASCII
/// characters, no spaces, so it can reach the terminal as it is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Token {
    len: u8,
    bytes: [u8; Token::MAX],
}

impl Token {
    pub const MAX: usize = 23;

    /// None for an empty or longer name, or one with anything but graphic ASCII.
    pub fn new(s: &str) -> Option<Token> {
        Token::from_bytes(s.as_bytes())
    }

    /// As `new`, from raw bytes (a field of the kernel's /proc text).
    pub fn from_bytes(b: &[u8]) -> Option<Token> {
        if b.is_empty() || b.len() > Token::MAX || !b.iter().all(u8::is_ascii_graphic) {
            return None;
        }
        let mut bytes = [0; Token::MAX];
        bytes[..b.len()].copy_from_slice(b);
        Some(Token {
            len: b.len() as u8,
            bytes,
        })
    }

    pub fn as_str(&self) -> &str {
        // Only graphic ASCII gets in (see `new`).
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("?")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Padding (`{:<11}`) as ipvsadm's printf does.
        f.pad(self.as_str())
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl Serialize for Token {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Where an entry came from (`ip_vs_conn_sync`'s `Origin` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Made by this director's own traffic.
    Local,
    /// Received from a master's sync daemon.
    Sync,
}

/// A persistence engine's name and data (`ip_vs_conn`'s last two columns,
/// present only for services with `--pe`, e.g. `sip` and a Call-ID).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PeData {
    pub name: Token,
    /// Printable ASCII only (the parser refuses anything else), at most 255 bytes.
    pub data: Box<str>,
}

/// One connection-table entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Connection {
    /// `TCP`, `UDP`, `SCTP`; `IP` for the templates of firewall-mark services.
    pub protocol: Token,
    /// Client address and port; port 0 on a persistence template.
    pub client: SocketAddr,
    /// Virtual address and port; a fwmark template carries the mark as an
    /// IPv4 address (`0.0.0.1` for mark 1) and port 0.
    pub virtual_addr: SocketAddr,
    /// Real server address and port (may be another family than the client's).
    pub real: SocketAddr,
    /// `ESTABLISHED`, `SYN_RECV`, …; `UDP` for UDP; `NONE` for templates.
    pub state: Token,
    /// Seconds until the entry expires.
    pub expires: u32,
    /// Only when read from `ip_vs_conn_sync`.
    pub origin: Option<Origin>,
    /// Only when read from `ip_vs_conn` and the service has a persistence engine.
    pub pe: Option<PeData>,
}

impl Connection {
    /// Persistence templates are the entries with client port 0: they pin a
    /// client (or a netmask of clients) to a real server, carrying no traffic.
    pub fn is_template(&self) -> bool {
        self.client.port() == 0
    }
}

/// Which of the kernel's two files to read: they list the same entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnSource {
    /// `ip_vs_conn`: persistence-engine data, no origin (what `ipvsadm -Lnc` reads).
    Plain,
    /// `ip_vs_conn_sync`: the origin of each entry, no persistence-engine data.
    WithOrigin,
}

/// What one walk over the connection table saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnWalk {
    /// Entries handed to the visitor.
    pub entries: u64,
    /// Lines that could not be understood (skipped, never guessed at).
    pub malformed: u64,
    /// Whether the walk reached the end of the table (false: the visitor stopped it).
    pub complete: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_keeps_graphic_ascii_only() {
        assert_eq!(Token::new("SYN_RECV").unwrap().as_str(), "SYN_RECV");
        assert_eq!(
            format!("{:<11}|", Token::new("UDP").unwrap()),
            "UDP        |"
        );
        for bad in ["", "a b", "x\u{1b}[2J", "é", "\t", &"x".repeat(24)] {
            assert!(Token::new(bad).is_none(), "{bad:?}");
        }
        assert!(Token::new(&"x".repeat(23)).is_some());
    }

    #[test]
    fn templates_have_client_port_zero() {
        let c = Connection {
            protocol: Token::new("TCP").unwrap(),
            client: "10.0.0.1:0".parse().unwrap(),
            virtual_addr: "192.0.2.1:80".parse().unwrap(),
            real: "10.1.0.1:80".parse().unwrap(),
            state: Token::new("NONE").unwrap(),
            expires: 300,
            origin: None,
            pe: None,
        };
        assert!(c.is_template());
        let mut d = c.clone();
        d.client.set_port(40000);
        assert!(!d.is_template());
    }
}
