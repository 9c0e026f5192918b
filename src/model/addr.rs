//! Addresses as ipvsadm prints them with `-n` (addrport_to_anyname, FMT_NUMERIC).
//!
//! lvstop never resolves names: its output always matches `ipvsadm -n`.
//! Here in the model, not in `output`, because error wording below output
//! (`backend::wording`) names addresses the same way.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
    let mut out = Vec::with_capacity(40);
    push_ntop6(&mut out, a);
    String::from_utf8(out).expect("hex digits, colons and dots are ASCII")
}

/// [`addr_port`] appended to `out` without an allocation (batch output
/// writes one per service and real server).
pub fn push_addr_port(out: &mut Vec<u8>, addr: &IpAddr, port: u16) {
    match addr {
        IpAddr::V4(a) => push_ipv4(out, a),
        IpAddr::V6(a) => {
            out.push(b'[');
            push_ntop6(out, a);
            out.push(b']');
        }
    }
    out.push(b':');
    push_port(out, port);
}

/// The port's decimal digits, without an allocation.
fn push_port(out: &mut Vec<u8>, port: u16) {
    let mut digits = [0u8; 5];
    let mut n = port;
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// [`addr`] appended to `out`.
pub fn push_addr(out: &mut Vec<u8>, addr: &IpAddr) {
    match addr {
        IpAddr::V4(a) => push_ipv4(out, a),
        IpAddr::V6(a) => push_ntop6(out, a),
    }
}

/// `a.b.c.d`.
pub fn push_ipv4(out: &mut Vec<u8>, a: &Ipv4Addr) {
    out.extend_from_slice(Ipv4Text::of(a).as_bytes());
}

/// `a.b.c.d` formatted on the stack: written whole, with no formatter and
/// no allocation (batch output writes one or two per line).
pub struct Ipv4Text {
    buf: [u8; 15],
    len: usize,
}

impl Ipv4Text {
    pub fn of(a: &Ipv4Addr) -> Ipv4Text {
        let mut buf = [0u8; 15];
        let mut len = 0;
        for (i, o) in a.octets().into_iter().enumerate() {
            if i != 0 {
                buf[len] = b'.';
                len += 1;
            }
            if o >= 100 {
                buf[len] = b'0' + o / 100;
                len += 1;
            }
            if o >= 10 {
                buf[len] = b'0' + o / 10 % 10;
                len += 1;
            }
            buf[len] = b'0' + o % 10;
            len += 1;
        }
        Ipv4Text { buf, len }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).expect("digits and dots are ASCII")
    }
}

/// [`ntop6`] appended to `out`: glibc's inet_ntop for IPv6.
pub fn push_ntop6(out: &mut Vec<u8>, a: &Ipv6Addr) {
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
    let mut i = 0;
    while i < 8 {
        if i == best_base {
            out.push(b':');
            i += best_len;
            continue;
        }
        if i != 0 {
            out.push(b':');
        }
        // Embedded IPv4: ::a.b.c.d (compatible) or ::ffff:a.b.c.d (mapped).
        if i == 6 && best_base == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
            let o = a.octets();
            push_ipv4(out, &Ipv4Addr::new(o[12], o[13], o[14], o[15]));
            return;
        }
        push_hex(out, w[i]);
        i += 1;
    }
    if best_base != usize::MAX && best_base + best_len == 8 {
        out.push(b':');
    }
}

/// `{:x}` of one 16-bit word.
fn push_hex(out: &mut Vec<u8>, word: u16) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut started = false;
    for shift in [12, 8, 4, 0] {
        let nibble = (word >> shift) & 0xf;
        if nibble != 0 || started || shift == 0 {
            out.push(HEX[nibble as usize]);
            started = true;
        }
    }
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
            let mut pushed = b"x".to_vec();
            push_addr(&mut pushed, &IpAddr::V6(v6(input)));
            assert_eq!(pushed, format!("x{want}").as_bytes(), "{input}");
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

    #[test]
    fn pushed_addresses_equal_the_strings() {
        for (addr, port) in [
            ("0.0.0.0", 0),
            ("10.0.0.1", 80),
            ("255.255.255.255", 65535),
            ("192.0.2.3", 53),
            ("2001:db8::1", 443),
            ("::", 1),
            ("fe80::ab:c:def0", 8080),
        ] {
            let a: IpAddr = addr.parse().unwrap();
            let mut out = Vec::new();
            push_addr_port(&mut out, &a, port);
            assert_eq!(out, addr_port(&a, port).as_bytes());
            out.clear();
            push_addr(&mut out, &a);
            assert_eq!(out, super::addr(&a).as_bytes());
        }
    }

    #[test]
    fn every_octet_is_written_as_the_standard_library_writes_it() {
        for o in 0..=255u8 {
            let a = Ipv4Addr::new(o, 255 - o, o / 2, o.wrapping_mul(7));
            assert_eq!(Ipv4Text::of(&a).as_str(), a.to_string());
        }
    }
}
