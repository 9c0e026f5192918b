//! Addresses as ipvsadm prints them with `-n` (addrport_to_anyname, FMT_NUMERIC).
//!
//! lvstop never resolves names: its output always matches `ipvsadm -n`.

use std::fmt::Write;
use std::net::{IpAddr, Ipv6Addr};

/// `a.b.c.d:port` or `[v6]:port`, as addrport_to_anyname prints them.
pub fn addr_port(addr: &IpAddr, port: u16) -> String {
    match addr {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{}]:{port}", ntop6(a)),
    }
}

/// The address alone, v6 without brackets.
pub fn addr(addr: &IpAddr) -> String {
    match addr {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => ntop6(a),
    }
}

/// glibc's inet_ntop for IPv6 (resolv/inet_ntop.c).
///
/// Rust's Display agrees except for IPv4-compatible addresses (`::a.b.c.d`),
/// which glibc prints with a dotted tail and Rust does not.
pub fn ntop6(a: &Ipv6Addr) -> String {
    let w = a.segments();
    // Longest run of zero words (first one wins a tie); runs of one are not compressed.
    let (mut best_base, mut best_len) = (usize::MAX, 0usize);
    let mut i = 0;
    while i < 8 {
        if w[i] == 0 {
            let start = i;
            while i < 8 && w[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best_base = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best_base = usize::MAX;
    }
    let mut out = String::with_capacity(40);
    let mut i = 0;
    while i < 8 {
        if i == best_base {
            out.push(':');
            i += best_len;
            continue;
        }
        if i != 0 {
            out.push(':');
        }
        // Embedded IPv4: ::a.b.c.d (compatible) or ::ffff:a.b.c.d (mapped).
        if i == 6 && best_base == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
            let o = a.octets();
            let _ = write!(out, "{}.{}.{}.{}", o[12], o[13], o[14], o[15]);
            return out;
        }
        let _ = write!(out, "{:x}", w[i]);
        i += 1;
    }
    if best_base != usize::MAX && best_base + best_len == 8 {
        out.push(':');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    #[test]
    fn ntop6_matches_glibc() {
        // Expected strings are what glibc inet_ntop prints for these addresses.
        for (input, want) in [
            ("::", "::"),
            ("::1", "::1"),
            ("2001:db8::1", "2001:db8::1"),
            ("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("2001:db8:1:2:3:4:5:0", "2001:db8:1:2:3:4:5:0"),
            ("2001:0:0:1::", "2001:0:0:1::"),
            ("fe80::", "fe80::"),
            ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
            ("::10.0.0.1", "::10.0.0.1"),
            ("1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"),
        ] {
            assert_eq!(ntop6(&v6(input)), want, "{input}");
        }
    }

    #[test]
    fn brackets_for_v6_only() {
        assert_eq!(addr_port(&"10.0.0.1".parse().unwrap(), 80), "10.0.0.1:80");
        assert_eq!(
            addr_port(&"2001:db8::1".parse().unwrap(), 443),
            "[2001:db8::1]:443"
        );
    }
}
