//! An address prefix (`203.0.113.0/24`, `2001:db8::/64`): the client filter
//! the operator types, and the groups top clients are counted in.

use std::fmt;
use std::net::IpAddr;

use serde::Serialize;

/// An address with its low bits cleared past `len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Prefix {
    addr: IpAddr,
    len: u8,
}

/// The longest text `Prefix::parse` looks at: an IPv6 address in full and `/128`.
const MAX_TEXT: usize = 45 + 4;

impl Prefix {
    /// `addr` cut to `len` bits (a longer `len` is the address's full width).
    pub fn new(addr: IpAddr, len: u8) -> Prefix {
        let len = len.min(Self::width(&addr));
        let addr = match addr {
            IpAddr::V4(a) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
                IpAddr::V4((u32::from(a) & mask).into())
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
                IpAddr::V6((u128::from(a) & mask).into())
            }
        };
        Prefix { addr, len }
    }

    /// The group top clients are counted in: /24 for IPv4, /64 for IPv6.
    pub fn client_group(addr: IpAddr) -> Prefix {
        match addr {
            IpAddr::V4(_) => Prefix::new(addr, 24),
            IpAddr::V6(_) => Prefix::new(addr, 64),
        }
    }

    fn width(addr: &IpAddr) -> u8 {
        match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        }
    }

    /// `ADDR` or `ADDR/LEN`, as an operator types it; a refusal in words.
    pub fn parse(text: &str) -> Result<Prefix, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an address or prefix, e.g. 203.0.113.0/24 or 2001:db8::/64".into());
        }
        if text.len() > MAX_TEXT || !text.chars().all(|c| c.is_ascii_graphic()) {
            return Err("not an address or prefix: too long or odd characters".into());
        }
        let (addr, len) = match text.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (text, None),
        };
        let addr: IpAddr = addr
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| format!("{addr} is not an IPv4 or IPv6 address"))?;
        let width = Self::width(&addr);
        let len = match len {
            None => width,
            Some(l) => match l.parse::<u8>() {
                Ok(n) if n <= width => n,
                _ => return Err(format!("the prefix length must be 0 to {width}, not {l}")),
            },
        };
        Ok(Prefix::new(addr, len))
    }

    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    pub fn bits(&self) -> u8 {
        self.len
    }

    /// Whether `addr` is inside (never across families).
    pub fn contains(&self, addr: IpAddr) -> bool {
        std::mem::discriminant(&addr) == std::mem::discriminant(&self.addr)
            && Prefix::new(addr, self.len).addr == self.addr
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{}/{}", self.addr, self.len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses_and_prefixes_in_operator_words() {
        let p = Prefix::parse("203.0.113.77/24").unwrap();
        assert_eq!(p.to_string(), "203.0.113.0/24");
        assert!(p.contains("203.0.113.5".parse().unwrap()));
        assert!(!p.contains("203.0.114.5".parse().unwrap()));
        assert!(!p.contains("::ffff:203.0.113.5".parse().unwrap()));
        assert_eq!(
            Prefix::parse("10.0.0.1").unwrap().to_string(),
            "10.0.0.1/32"
        );
        let v6 = Prefix::parse("[2001:db8:1:2:3::4]/64").unwrap();
        assert_eq!(v6.to_string(), "2001:db8:1:2::/64");
        assert!(Prefix::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
    }

    #[test]
    fn bad_input_is_refused_in_words() {
        for (bad, says) in [
            ("", "an address or prefix"),
            ("10.0.0.1/33", "0 to 32"),
            ("10.0.0.1/-1", "0 to 32"),
            ("2001:db8::/129", "0 to 128"),
            ("example.com", "not an IPv4 or IPv6 address"),
            ("10.0.0.1\u{1b}[2J", "odd characters"),
            (&"1".repeat(100), "too long"),
        ] {
            let e = Prefix::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad:?}: {e}");
            assert!(e.chars().all(|c| !c.is_control()), "{e:?}");
        }
    }

    #[test]
    fn client_groups_are_24_and_64() {
        let g = Prefix::client_group("198.51.100.200".parse().unwrap());
        assert_eq!(g.to_string(), "198.51.100.0/24");
        let g = Prefix::client_group("2001:db8:a:b:c:d:e:f".parse().unwrap());
        assert_eq!(g.to_string(), "2001:db8:a:b::/64");
    }
}
