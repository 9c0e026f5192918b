//! Expected lines are written by hand from ipvsadm 1.31's printf formats,
//! not produced by the code under test; each says how it was counted.

use super::*;
use crate::model::{PeData, Token};

/// An entry from its printed parts (testkit::conn's shape; `output` stays
/// below `testkit` in the layers).
fn conn(
    protocol: &str,
    client: &str,
    virtual_addr: &str,
    real: &str,
    state: &str,
    expires: u32,
) -> Connection {
    Connection {
        protocol: Token::new(protocol).unwrap(),
        client: client.parse().unwrap(),
        virtual_addr: virtual_addr.parse().unwrap(),
        real: real.parse().unwrap(),
        state: Token::new(state).unwrap(),
        expires,
        origin: None,
        pe: None,
    }
}

fn line(c: &Connection, persistent: bool) -> String {
    let mut out = Vec::new();
    conn_line(&mut out, c, persistent);
    String::from_utf8(out).unwrap()
}

fn sip(c: Connection, data: &str) -> Connection {
    Connection {
        pe: Some(PeData {
            name: Token::new("sip").unwrap(),
            data: data.into(),
        }),
        ..c
    }
}

#[test]
fn headers() {
    let mut out = Vec::new();
    conn_header(&mut out, false);
    // "pro expire %-11s %-18s %-18s %s\n": state + 6 blanks, source + 12,
    // virtual + 11, destination unpadded.
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "IPVS connection entries\n\
         pro expire state       source             virtual            destination\n"
    );
    let mut out = Vec::new();
    conn_header(&mut out, true);
    // "pro expire %-11s %-18s %-18s %-18s %-16s %s\n": destination + 7
    // blanks (18), pe name + 9 (16), then pe_data.
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "IPVS connection entries\n\
         pro expire state       source             virtual            destination        pe name          pe_data\n"
    );
}

#[test]
fn tcp_line() {
    let c = conn(
        "TCP",
        "203.0.113.7:40001",
        "192.0.2.10:80",
        "10.1.0.1:80",
        "ESTABLISHED",
        890,
    );
    // "%-3s %-6s %-11s %-18s %-18s %s": TCP, 890 s = 14:50 + 1 blank,
    // ESTABLISHED fills 11, 17-character client + 1, 13-character virtual + 5.
    assert_eq!(
        line(&c, false),
        "TCP 14:50  ESTABLISHED 203.0.113.7:40001  192.0.2.10:80      10.1.0.1:80\n"
    );
}

#[test]
fn udp_and_short_expiry() {
    let c = conn(
        "UDP",
        "198.51.100.2:53000",
        "192.0.2.53:53",
        "10.1.0.5:53",
        "UDP",
        7,
    );
    // 7 s = "00:07" (%02d:%02d) + 1 blank; UDP + 8 blanks; client is 18 wide.
    assert_eq!(
        line(&c, false),
        "UDP 00:07  UDP         198.51.100.2:53000 192.0.2.53:53      10.1.0.5:53\n"
    );
}

#[test]
fn long_expiry_and_sctp_widen_their_columns() {
    // 7200 s = "120:00", exactly 6; 100000 s = "1666:40", wider than %-6s.
    let c = conn(
        "SCTP",
        "10.9.0.1:5000",
        "192.0.2.9:3868",
        "10.1.0.9:3868",
        "ESTABLISHED",
        7200,
    );
    assert_eq!(
        line(&c, false),
        "SCTP 120:00 ESTABLISHED 10.9.0.1:5000      192.0.2.9:3868     10.1.0.9:3868\n"
    );
    let c = conn(
        "TCP",
        "10.9.0.1:5000",
        "192.0.2.9:80",
        "10.1.0.9:80",
        "NONE",
        100_000,
    );
    assert_eq!(
        line(&c, false),
        "TCP 1666:40 NONE        10.9.0.1:5000      192.0.2.9:80       10.1.0.9:80\n"
    );
}

#[test]
fn persistence_template() {
    // Client port 0, state NONE, as kube-keepalived-vip#117 shows them.
    let c = conn(
        "TCP",
        "10.249.238.166:0",
        "192.0.2.10:443",
        "172.30.215.81:443",
        "NONE",
        1765,
    );
    assert_eq!(
        line(&c, false),
        "TCP 29:25  NONE        10.249.238.166:0   192.0.2.10:443     172.30.215.81:443\n"
    );
}

#[test]
fn fwmark_template() {
    // Protocol IP ("%-3s" fills 3), the mark as the virtual address, port 0.
    let c = conn(
        "IP",
        "203.0.113.7:0",
        "0.0.0.1:0",
        "10.1.0.1:0",
        "NONE",
        360,
    );
    assert_eq!(
        line(&c, false),
        "IP  06:00  NONE        203.0.113.7:0      0.0.0.1:0          10.1.0.1:0\n"
    );
    // On IPv6 the kernel prints the mark in the first 32 bits: inet_ntop
    // compresses the zeros that follow.
    let c = conn(
        "IP",
        "[2001:db8::7]:0",
        "[0:1::]:0",
        "[2001:db8:1::1]:0",
        "NONE",
        360,
    );
    assert_eq!(
        line(&c, false),
        "IP  06:00  NONE        [2001:db8::7]:0    [0:1::]:0          [2001:db8:1::1]:0\n"
    );
}

#[test]
fn ipv6_is_bracketed_and_compressed() {
    // inet_ntop compresses the longest zero run; wider than 18, no padding.
    let c = conn(
        "TCP",
        "[2001:db8:0:0:1:0:0:7]:51000",
        "[2001:db8::10]:80",
        "[2001:db8:1::1]:8080",
        "SYN_RECV",
        55,
    );
    assert_eq!(
        line(&c, false),
        "TCP 00:55  SYN_RECV    [2001:db8::1:0:0:7]:51000 [2001:db8::10]:80  [2001:db8:1::1]:8080\n"
    );
}

#[test]
fn mixed_families() {
    // A v4 service with a v6 real server (tunnel forwarding).
    let c = conn(
        "TCP",
        "203.0.113.7:40001",
        "192.0.2.10:80",
        "[2001:db8:1::1]:80",
        "TIME_WAIT",
        61,
    );
    assert_eq!(
        line(&c, false),
        "TCP 01:01  TIME_WAIT   203.0.113.7:40001  192.0.2.10:80      [2001:db8:1::1]:80\n"
    );
}

#[test]
fn persistent_conn_with_pe_data() {
    let c = sip(
        conn(
            "UDP",
            "198.51.100.2:5060",
            "192.0.2.20:5060",
            "10.1.0.2:5060",
            "UDP",
            180,
        ),
        "a84b4c76e66710",
    );
    // "%-3s %-6s %-11s %-18s %-18s %-16s %-18s %s": the real server in 16
    // (13 + 3 blanks), pe name in 18 (3 + 15), then the data.
    assert_eq!(
        line(&c, true),
        "UDP 03:00  UDP         198.51.100.2:5060  192.0.2.20:5060    10.1.0.2:5060    sip                a84b4c76e66710\n"
    );
    // Without --persistent-conn the pe data is not printed.
    assert_eq!(
        line(&c, false),
        "UDP 03:00  UDP         198.51.100.2:5060  192.0.2.20:5060    10.1.0.2:5060\n"
    );
}

#[test]
fn persistent_conn_without_pe_data_is_the_plain_line() {
    let c = conn(
        "TCP",
        "203.0.113.7:40001",
        "192.0.2.10:80",
        "10.1.0.1:80",
        "ESTABLISHED",
        890,
    );
    assert_eq!(
        line(&c, true),
        "TCP 14:50  ESTABLISHED 203.0.113.7:40001  192.0.2.10:80      10.1.0.1:80\n"
    );
    // A name with blank data: sscanf matches 10 fields, not 11.
    let c = sip(c, " ");
    assert_eq!(
        line(&c, true),
        "TCP 14:50  ESTABLISHED 203.0.113.7:40001  192.0.2.10:80      10.1.0.1:80\n"
    );
}

#[test]
fn pe_data_is_one_word() {
    // sscanf's last %s stops at the first blank (and skips leading ones).
    let c = sip(
        conn(
            "UDP",
            "198.51.100.2:5060",
            "192.0.2.20:5060",
            "10.1.0.2:5060",
            "UDP",
            180,
        ),
        " call-1 more",
    );
    assert_eq!(
        line(&c, true),
        "UDP 03:00  UDP         198.51.100.2:5060  192.0.2.20:5060    10.1.0.2:5060    sip                call-1\n"
    );
}
