//! The connection-synchronisation daemon (`ipvsadm --start-daemon`): what the
//! kernel reports for a running one (IPVS_CMD_GET_DAEMON) and what a start
//! asks for (IPVS_CMD_NEW_DAEMON), in one type.
//!
//! Every value is checked where it is made, with ipvsadm 1.31's ranges, so a
//! daemon that exists here can be sent and printed as it is.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// Master (sends the connection table) or backup (receives it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncRole {
    Master,
    Backup,
}

impl SyncRole {
    /// As ipvsadm spells it: `--start-daemon master`.
    pub fn name(self) -> &'static str {
        match self {
            SyncRole::Master => "master",
            SyncRole::Backup => "backup",
        }
    }

    /// `master` or `backup`, as ipvsadm accepts them (exactly, lower case).
    pub fn parse(s: &str) -> Option<SyncRole> {
        match s {
            "master" => Some(SyncRole::Master),
            "backup" => Some(SyncRole::Backup),
            _ => None,
        }
    }
}

impl fmt::Display for SyncRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kernel's interface-name buffer less its NUL (IFNAMSIZ - 1).
pub const INTERFACE_MAX: usize = 15;
/// ipvsadm's largest `--sync-maxlen`: 65535 less the IPv4 and UDP headers.
pub const MAX_LEN_MAX: u16 = 65535 - 20 - 8;

/// A network interface name, as the kernel's `dev_valid_name` accepts it:
/// 1 to 15 bytes, not `.` or `..`, no `/`, `:`, white space or control
/// character (so one never reaches the terminal from here).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Interface(String);

impl Interface {
    pub fn new(name: &str) -> Result<Interface, String> {
        if name.is_empty() {
            return Err("an interface name cannot be empty".into());
        }
        if name.len() > INTERFACE_MAX {
            return Err(format!(
                "interface name {:?} is {} bytes long; the kernel takes at most {INTERFACE_MAX}",
                name.escape_debug().collect::<String>(),
                name.len()
            ));
        }
        if let Some(c) = name
            .chars()
            .find(|c| c.is_control() || c.is_whitespace() || *c == '/' || *c == ':')
        {
            return Err(format!(
                "interface name {:?} contains {:?}, which no interface name can",
                name.escape_debug().collect::<String>(),
                c
            ));
        }
        if name == "." || name == ".." {
            return Err(format!("{name:?} is not an interface name"));
        }
        Ok(Interface(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Interface {
    type Error = String;
    fn try_from(s: String) -> Result<Interface, String> {
        Interface::new(&s)
    }
}

impl From<Interface> for String {
    fn from(i: Interface) -> String {
        i.0
    }
}

impl fmt::Display for Interface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One sync daemon: read from the kernel, or asked for by a start.
///
/// The optional fields are `None` in a start that leaves them to the
/// kernel's defaults (and from kernels before 4.7, which report none).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SyncDaemon {
    /// `--start-daemon master|backup`; listed as `master sync daemon`.
    pub role: SyncRole,
    /// `--mcast-interface`; listed as `mcast=`.
    pub interface: Interface,
    /// `--syncid` (0..=255); listed as `syncid=`. A backup keeps only the
    /// messages of its id (0: all).
    pub sync_id: u8,
    /// `--sync-maxlen`: the largest sync message payload; listed as
    /// `maxlen=`. The kernel clamps what it is sent and reports the result.
    pub max_len: Option<u16>,
    /// `--mcast-group` (v4 or v6 multicast; kernel default 224.0.0.81);
    /// listed as `group=`.
    pub group: Option<IpAddr>,
    /// `--mcast-port` (1..=65535; kernel default 8848); listed as `port=`.
    pub port: Option<u16>,
    /// `--mcast-ttl` (1..=255; kernel default 1); listed as `ttl=`.
    pub ttl: Option<u8>,
}

impl SyncDaemon {
    /// A daemon with every option left to the kernel and sync id 0, as
    /// `ipvsadm --start-daemon ROLE --mcast-interface IFACE` asks.
    pub fn new(role: SyncRole, interface: Interface) -> SyncDaemon {
        SyncDaemon {
            role,
            interface,
            sync_id: 0,
            max_len: None,
            group: None,
            port: None,
            ttl: None,
        }
    }

    /// Whether every option is one ipvsadm would send: a group that is
    /// multicast, a max length, port and TTL in ipvsadm's ranges. The
    /// interface and sync id are valid by type. Said in words.
    pub fn check(&self) -> Result<(), String> {
        if let Some(group) = self.group {
            if !group.is_multicast() {
                return Err(format!(
                    "multicast group {group} is not a multicast address (IPv4 224.0.0.0/4, IPv6 ff00::/8)"
                ));
            }
        }
        if let Some(len) = self.max_len {
            if !(1..=MAX_LEN_MAX).contains(&len) {
                return Err(format!(
                    "sync max length {len} is out of range: 1 to {MAX_LEN_MAX} bytes"
                ));
            }
        }
        if self.port == Some(0) {
            return Err("multicast port 0 is out of range: 1 to 65535".into());
        }
        if self.ttl == Some(0) {
            return Err("multicast TTL 0 is out of range: 1 to 255".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eth0() -> Interface {
        Interface::new("eth0").unwrap()
    }

    #[test]
    fn interface_names_are_checked_as_the_kernel_does() {
        assert_eq!(eth0().as_str(), "eth0");
        assert!(Interface::new("a234567890abcde").is_ok(), "15 bytes");
        let long = Interface::new("a234567890abcdef").unwrap_err();
        assert!(long.contains("16 bytes long"), "{long}");
        for bad in [
            "",
            "eth\u{1b}[2J",
            "eth 0",
            "a/b",
            "a:b",
            ".",
            "..",
            "eth0\n",
        ] {
            let e = Interface::new(bad).unwrap_err();
            assert!(!e.chars().any(char::is_control), "{e:?}");
        }
    }

    #[test]
    fn a_bad_interface_in_json_is_refused() {
        let ok: Interface = serde_json::from_str(r#""lo""#).unwrap();
        assert_eq!(ok.as_str(), "lo");
        assert!(serde_json::from_str::<Interface>(r#""a234567890abcdefg""#).is_err());
        assert!(serde_json::from_str::<Interface>(r#""x\u001b""#).is_err());
    }

    #[test]
    fn options_out_of_ipvsadm_ranges_are_said() {
        let mut d = SyncDaemon::new(SyncRole::Master, eth0());
        assert_eq!(d.check(), Ok(()));
        d.group = Some("192.0.2.1".parse().unwrap());
        assert!(d.check().unwrap_err().contains("not a multicast"));
        d.group = Some("2001:db8::1".parse().unwrap());
        assert!(d.check().unwrap_err().contains("not a multicast"));
        d.group = Some("ff02::81".parse().unwrap());
        assert_eq!(d.check(), Ok(()));
        d.max_len = Some(0);
        assert!(d.check().unwrap_err().contains("1 to 65507"));
        d.max_len = Some(65508);
        assert!(d.check().is_err());
        d.max_len = Some(65507);
        assert_eq!(d.check(), Ok(()));
        d.port = Some(0);
        assert!(d.check().unwrap_err().contains("port 0"));
        d.port = Some(8848);
        d.ttl = Some(0);
        assert!(d.check().unwrap_err().contains("TTL 0"));
        d.ttl = Some(255);
        assert_eq!(d.check(), Ok(()));
    }

    #[test]
    fn a_daemon_round_trips_through_json() {
        let d = SyncDaemon {
            role: SyncRole::Backup,
            interface: eth0(),
            sync_id: 255,
            max_len: Some(1472),
            group: Some("224.0.0.81".parse().unwrap()),
            port: Some(8848),
            ttl: Some(1),
        };
        let text = serde_json::to_string(&d).unwrap();
        assert!(text.contains(r#""role":"backup""#), "{text}");
        assert_eq!(serde_json::from_str::<SyncDaemon>(&text).unwrap(), d);
        assert_eq!(SyncRole::parse("master"), Some(SyncRole::Master));
        assert_eq!(SyncRole::parse("Master"), None);
    }
}
