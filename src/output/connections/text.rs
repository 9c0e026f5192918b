//! `ipvsadm -Lnc` and `ipvsadm -Lnc --persistent-conn`, byte for byte
//! (ipvsadm.c list_conn and print_conn, ipvsadm 1.31, always numeric).
//!
//! ipvsadm re-reads each kernel line with sscanf and prints it again; the
//! odd cases that follow from that are kept:
//! - the persistent header pads `destination` to 18 and `pe name` to 16,
//!   the lines pad them the other way round (16 and 18);
//! - with `--persistent-conn`, a line shows pe name and data only when the
//!   kernel printed both (`n == 11`); otherwise the plain line;
//! - pe data is one `%s` word: it stops at the first blank;
//! - the real server's family can differ from the client's (1.29's
//!   "different address family" listing): a v4 service lists `[v6]` real
//!   servers (ipvsadm gives client and virtual the client's family, which
//!   the kernel never makes differ);
//! - a fwmark template has protocol `IP` and the mark as its virtual address
//!   (`0.0.0.1:0` for mark 1 on IPv4, `[0:1::]:0` on IPv6), printed as any
//!   other address;
//! - fields wider than their column (IPv6, `SCTP`, expiry of 100 minutes
//!   and more) push the rest of the line right, as printf does.
//!
//! One case is not reproduced: ipvsadm reads lines into 256 bytes, so a
//! kernel line longer than 255 (long pe data) is split and its tail printed
//! from uninitialised variables. lvstop prints the entry whole.

use std::net::SocketAddr;

use crate::model::Connection;

use crate::output::addr::push_addr_port;
use crate::output::number::{push_left, push_u64};

/// ipvsadm's two header lines.
pub fn conn_header(out: &mut Vec<u8>, persistent: bool) {
    out.extend_from_slice(b"IPVS connection entries\n");
    out.extend_from_slice(b"pro expire ");
    push_left(out, b"state", 11);
    out.push(b' ');
    push_left(out, b"source", 18);
    out.push(b' ');
    push_left(out, b"virtual", 18);
    out.push(b' ');
    if persistent {
        push_left(out, b"destination", 18);
        out.push(b' ');
        push_left(out, b"pe name", 16);
        out.extend_from_slice(b" pe_data\n");
    } else {
        out.extend_from_slice(b"destination\n");
    }
}

/// One entry as print_conn prints it:
/// `%-3s %-6s %-11s %-18s %-18s %s`, or with `--persistent-conn` and pe data
/// `%-3s %-6s %-11s %-18s %-18s %-16s %-18s %s`.
pub fn conn_line(out: &mut Vec<u8>, c: &Connection, persistent: bool) {
    push_left(out, c.protocol.as_str().as_bytes(), 3);
    out.push(b' ');
    push_expire(out, c.expires);
    out.push(b' ');
    push_left(out, c.state.as_str().as_bytes(), 11);
    out.push(b' ');
    push_addr_column(out, &c.client, 18);
    out.push(b' ');
    push_addr_column(out, &c.virtual_addr, 18);
    out.push(b' ');
    let pe =
        c.pe.as_ref()
            .filter(|_| persistent)
            .and_then(|pe| first_word(&pe.data).map(|data| (pe.name, data)));
    match pe {
        Some((name, data)) => {
            push_addr_column(out, &c.real, 16);
            out.push(b' ');
            push_left(out, name.as_str().as_bytes(), 18);
            out.push(b' ');
            out.extend_from_slice(data);
        }
        None => push_addr_column(out, &c.real, 0),
    }
    out.push(b'\n');
}

/// `%-6s` of `"%02d:%02d"`, minutes uncapped.
fn push_expire(out: &mut Vec<u8>, expires: u32) {
    let start = out.len();
    let (minutes, seconds) = (expires / 60, expires % 60);
    if minutes < 10 {
        out.push(b'0');
    }
    push_u64(out, u64::from(minutes));
    out.push(b':');
    if seconds < 10 {
        out.push(b'0');
    }
    push_u64(out, u64::from(seconds));
    let written = out.len() - start;
    out.resize(start + written.max(6), b' ');
}

/// `%-Ns` of addrport_to_anyname's `-n` form.
fn push_addr_column(out: &mut Vec<u8>, a: &SocketAddr, width: usize) {
    let start = out.len();
    push_addr_port(out, &a.ip(), a.port());
    let written = out.len() - start;
    out.resize(start + written.max(width), b' ');
}

/// What sscanf's `%s` takes from pe data: the first blank-delimited word,
/// none when the data is empty or blank (the kernel line then has ten fields).
fn first_word(data: &str) -> Option<&[u8]> {
    data.as_bytes()
        .split(|b| b.is_ascii_whitespace())
        .find(|w| !w.is_empty())
}

#[cfg(test)]
mod tests;
