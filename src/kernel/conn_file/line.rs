//! One line of `/proc/net/ip_vs_conn` or `ip_vs_conn_sync`, exactly as the
//! kernel's `ip_vs_conn_seq_show` and `ip_vs_conn_sync_seq_show`
//! (net/netfilter/ipvs/ip_vs_conn.c, the same in 6.1 and 6.12) print it:
//!
//! ```text
//! ip_vs_conn:      "%-3s %08X %04X %08X %04X %s %04X %-11s %7u%s\n"   (%s last: " PEName PEData" or "")
//! ip_vs_conn_sync: "%-3s %08X %04X %08X %04X %s %04X %-11s %-6s %7u\n" (%-6s: LOCAL or SYNC)
//! ```
//!
//! An IPv6 entry prints the client and virtual addresses with `%pI6` (8
//! groups of 4 lowercase hex digits, never compressed); the real server's
//! address (`%s` of `dbuf`) is in its own family, which may differ.
//! Anything else is refused, never guessed at.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::model::{ConnSource, Connection, Origin, PeData, Token};

/// `ip_vs_conn`'s first line (`seq_puts` on SEQ_START_TOKEN).
pub const PLAIN_HEADER: &[u8] =
    b"Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData";
/// `ip_vs_conn_sync`'s first line.
pub const SYNC_HEADER: &[u8] =
    b"Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Origin Expires";

/// The kernel's `IP_VS_PEDATA_MAXLEN`: longer data never comes from it.
pub const PE_DATA_MAX: usize = 255;

/// The header line `source` starts with (without its newline).
pub fn header(source: ConnSource) -> &'static [u8] {
    match source {
        ConnSource::Plain => PLAIN_HEADER,
        ConnSource::WithOrigin => SYNC_HEADER,
    }
}

/// One entry line (without its newline), or None if it is not one the
/// kernel could have printed. Allocates only for persistence-engine data.
pub fn parse_line(line: &[u8], source: ConnSource) -> Option<Connection> {
    let mut f = Fields { rest: line };
    let protocol = token(f.next()?)?;
    let client_ip = address(f.next()?)?;
    let client_port = port(f.next()?)?;
    let virtual_ip = address(f.next()?)?;
    // Client and virtual address share the entry's family (`cp->af`).
    if client_ip.is_ipv4() != virtual_ip.is_ipv4() {
        return None;
    }
    let virtual_port = port(f.next()?)?;
    let real_ip = address(f.next()?)?;
    let real_port = port(f.next()?)?;
    let state = token(f.next()?)?;
    let (origin, expires, pe) = match source {
        ConnSource::WithOrigin => {
            let origin = match f.next()? {
                b"LOCAL" => Origin::Local,
                b"SYNC" => Origin::Sync,
                _ => return None,
            };
            let expires = seconds(f.next()?)?;
            if !f.rest.is_empty() {
                return None;
            }
            (Some(origin), expires, None)
        }
        ConnSource::Plain => {
            let expires = seconds(f.next()?)?;
            (None, expires, pe_data(f.rest)?)
        }
    };
    Some(Connection {
        protocol,
        client: SocketAddr::new(client_ip, client_port),
        virtual_addr: SocketAddr::new(virtual_ip, virtual_port),
        real: SocketAddr::new(real_ip, real_port),
        state,
        expires,
        origin,
        pe,
    })
}

/// The space-separated fields of a line (`%-3s` and `%-11s` pad with
/// spaces, `%7u` right-aligns with them).
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    fn next(&mut self) -> Option<&'a [u8]> {
        let start = self.rest.iter().position(|&b| b != b' ')?;
        let rest = &self.rest[start..];
        let len = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
        self.rest = &rest[len..];
        Some(&rest[..len])
    }
}

/// What follows the expiry in `ip_vs_conn`: nothing, or ` NAME DATA`
/// (`pe->show_pe_data` copies raw bytes: the SIP engine's Call-ID, taken
/// from a client's packet). Outer None: not a line the kernel prints;
/// inner None: no data, or data that is not printable ASCII up to
/// `PE_DATA_MAX` bytes, which is dropped rather than shown (the entry
/// itself is still real).
fn pe_data(rest: &[u8]) -> Option<Option<PeData>> {
    if rest.is_empty() {
        return Some(None);
    }
    let after = rest.strip_prefix(b" ")?;
    let name_len = after.iter().position(|&b| b == b' ').unwrap_or(after.len());
    let name = token(&after[..name_len])?;
    // The kernel writes one space after the name, then the data.
    let data = after[name_len..].strip_prefix(b" ").unwrap_or(b"");
    if data.len() > PE_DATA_MAX || !data.iter().all(|b| (b' '..=b'~').contains(b)) {
        return Some(None);
    }
    // Printable ASCII was just checked, so this is valid UTF-8.
    let data = std::str::from_utf8(data).ok()?;
    Some(Some(PeData {
        name,
        data: data.into(),
    }))
}

fn token(b: &[u8]) -> Option<Token> {
    Token::from_bytes(b)
}

/// `%08X` of a host-order IPv4 address, or `%pI6`.
fn address(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        8 => Some(IpAddr::V4(Ipv4Addr::from(hex(b)?))),
        39 => {
            let mut groups = [0u16; 8];
            for (i, g) in groups.iter_mut().enumerate() {
                let at = i * 5;
                if i > 0 && b[at - 1] != b':' {
                    return None;
                }
                *g = hex(&b[at..at + 4])? as u16;
            }
            Some(IpAddr::V6(Ipv6Addr::from(groups)))
        }
        _ => None,
    }
}

/// `%04X` of a port.
fn port(b: &[u8]) -> Option<u16> {
    if b.len() != 4 {
        return None;
    }
    Some(hex(b)? as u16)
}

/// `%7u`: a decimal u32.
fn seconds(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 10 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    u32::try_from(v).ok()
}

/// Up to 8 hex digits (the kernel prints upper case; either is taken).
fn hex(b: &[u8]) -> Option<u32> {
    let mut v: u32 = 0;
    let mut bad = 0;
    for &c in b {
        let d = HEX[c as usize];
        bad |= d;
        v = (v << 4) | u32::from(d & 0x0f);
    }
    // One test for the whole field: a table hit costs less than a branch per digit.
    (bad & NOT_HEX == 0).then_some(v)
}

const NOT_HEX: u8 = 0x10;

/// Each byte's hex value, or NOT_HEX.
const HEX: [u8; 256] = {
    let mut t = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'A' as usize + i] = 10 + i as u8;
        t[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};
