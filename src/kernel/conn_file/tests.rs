//! Golden lines (as the kernels in the test VM print them), hostile text,
//! and the kernel's format round-tripped.

use std::io::{self, Read};
use std::net::{IpAddr, SocketAddr};
use std::ops::ControlFlow;
use std::path::PathBuf;

use proptest::prelude::*;

use super::*;
use crate::model::{Origin, PeData, Token};
use crate::testkit::conn;

const PLAIN_HEAD: &str =
    "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n";
const SYNC_HEAD: &str =
    "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Origin Expires\n";

/// Every entry of `text` read as `source`, and the walk.
fn read_all(text: &[u8], source: ConnSource) -> Result<(Vec<Connection>, ConnWalk), Fault> {
    let mut got = Vec::new();
    let mut buf = Vec::new();
    let walk = walk_text(text, source, &mut buf, &mut |c| {
        got.push(c);
        ControlFlow::Continue(())
    })?;
    Ok((got, walk))
}

/// The one entry of a file made of `head` and `line`.
fn one(head: &str, line: &str, source: ConnSource) -> Connection {
    let text = format!("{head}{line}\n");
    let (got, walk) = read_all(text.as_bytes(), source).expect("reads");
    assert_eq!(walk.malformed, 0, "{line:?}");
    assert_eq!(got.len(), 1, "{line:?}");
    got.into_iter().next().unwrap()
}

fn plain(line: &str) -> Connection {
    one(PLAIN_HEAD, line, ConnSource::Plain)
}

fn synced(line: &str) -> Connection {
    one(SYNC_HEAD, line, ConnSource::WithOrigin)
}

fn with_origin(mut c: Connection, origin: Origin) -> Connection {
    c.origin = Some(origin);
    c
}

// Golden lines: each from `cat /proc/net/ip_vs_conn[_sync]` in the test VM.

#[test]
fn ipv4_tcp() {
    assert_eq!(
        plain("TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED     898"),
        conn(
            "TCP",
            "198.51.100.2:57298",
            "198.51.100.10:80",
            "192.0.2.11:80",
            "ESTABLISHED",
            898
        )
    );
    assert_eq!(
        plain("TCP C6336402 DFAC C633640A 0050 C000028C 0050 TIME_WAIT       117"),
        conn(
            "TCP",
            "198.51.100.2:57260",
            "198.51.100.10:80",
            "192.0.2.140:80",
            "TIME_WAIT",
            117
        )
    );
}

#[test]
fn ipv4_udp() {
    assert_eq!(
        plain("UDP C6336402 84A8 C633640A 0035 C000020B 0035 UDP             298"),
        conn(
            "UDP",
            "198.51.100.2:33960",
            "198.51.100.10:53",
            "192.0.2.11:53",
            "UDP",
            298
        )
    );
}

#[test]
fn persistence_template_has_client_port_zero() {
    let c = plain("TCP C6336402 0000 C633640A 0050 C000020B 0050 ASSURED         298");
    assert_eq!(
        c,
        conn(
            "TCP",
            "198.51.100.2:0",
            "198.51.100.10:80",
            "192.0.2.11:80",
            "ASSURED",
            298
        )
    );
    assert!(c.is_template());
}

#[test]
fn fwmark_template_is_protocol_ip() {
    // From the format strings (the test VM has no nft to mark packets): a
    // fwmark template's protocol is IPPROTO_IP and its virtual address the
    // mark; `%-3s` pads "IP" to three, so two spaces follow it.
    let c = plain("IP  C6336402 0000 00000001 0000 C000020B 0000 NONE            119");
    assert_eq!(
        c,
        conn(
            "IP",
            "198.51.100.2:0",
            "0.0.0.1:0",
            "192.0.2.11:0",
            "NONE",
            119
        )
    );
}

#[test]
fn other_protocols_print_their_number() {
    let c = plain("IP_4 C6336402 0000 C633640A 0000 C000020B 0000 ERR!              9");
    assert_eq!(c.protocol.as_str(), "IP_4");
    assert_eq!(c.state.as_str(), "ERR!");
    let s = plain("SCTP C6336402 9C41 C633640A 0B59 C000020B 0B59 ESTABLISHED     900");
    assert_eq!(s.protocol.as_str(), "SCTP");
}

#[test]
fn ipv6_groups_are_full_and_may_be_zero() {
    let c = plain(
        "TCP 2001:0db8:0000:0000:0000:0000:0000:0002 BE6A 2001:0db8:0000:0000:0000:0000:0000:0010 0050 \
         2001:0db8:0001:0000:0000:0000:0000:0011 0050 SYN_RECV         59",
    );
    assert_eq!(
        c,
        conn(
            "TCP",
            "[2001:db8::2]:48746",
            "[2001:db8::10]:80",
            "[2001:db8:1::11]:80",
            "SYN_RECV",
            59
        )
    );
    let full = plain(
        "TCP fe80:1234:5678:9abc:def0:ffff:0001:abcd 0001 2001:0db8:ffff:ffff:ffff:ffff:ffff:ffff FFFF \
         0000:0000:0000:0000:0000:0000:0000:0001 0000 CLOSE_WAIT       59",
    );
    assert_eq!(
        full.client,
        "[fe80:1234:5678:9abc:def0:ffff:1:abcd]:1"
            .parse::<SocketAddr>()
            .unwrap()
    );
    assert_eq!(full.real, "[::1]:0".parse::<SocketAddr>().unwrap());
}

#[test]
fn real_server_of_the_other_family() {
    // An IPv4 service tunnelling to an IPv6 real server (`dbuf`).
    let c = plain(
        "TCP C6336402 8870 C633640A 1F90 2001:0db8:0001:0000:0000:0000:0000:0012 1F90 SYN_RECV         58",
    );
    assert_eq!(
        c,
        conn(
            "TCP",
            "198.51.100.2:34928",
            "198.51.100.10:8080",
            "[2001:db8:1::12]:8080",
            "SYN_RECV",
            58
        )
    );
    let v6 = plain(
        "TCP 2001:0db8:0000:0000:0000:0000:0000:0002 A1B2 2001:0db8:0000:0000:0000:0000:0000:0010 0050 \
         C000020B 0050 SYN_RECV         59",
    );
    assert_eq!(v6.real, "192.0.2.11:80".parse::<SocketAddr>().unwrap());
}

#[test]
fn persistence_engine_name_and_data() {
    // A SIP template: the Call-ID of the client's request is the data.
    let c = plain(
        "UDP C6336402 0000 C633640A 13C4 C000028C 13C4 NONE            292 sip lvstop-call-1",
    );
    let mut want = conn(
        "UDP",
        "198.51.100.2:0",
        "198.51.100.10:5060",
        "192.0.2.140:5060",
        "NONE",
        292,
    );
    want.pe = Some(PeData {
        name: Token::new("sip").unwrap(),
        data: "lvstop-call-1".into(),
    });
    assert_eq!(c, want);
    assert!(c.is_template());
}

#[test]
fn persistence_data_that_is_not_printable_is_dropped_not_the_entry() {
    let long = "x".repeat(PE_DATA_MAX + 1);
    for data in ["call\u{1b}[2Jid", "caf\u{e9}", &long] {
        let line =
            format!("UDP C6336402 13C4 C633640A 13C4 C000020B 13C4 UDP             299 sip {data}");
        let c = plain(&line);
        assert_eq!(c.pe, None, "{data:?}");
        assert_eq!(c.state.as_str(), "UDP");
    }
    let most = "y".repeat(PE_DATA_MAX);
    let line =
        format!("UDP C6336402 13C4 C633640A 13C4 C000020B 13C4 UDP             299 sip {most}");
    assert_eq!(plain(&line).pe.unwrap().data.len(), PE_DATA_MAX);
}

#[test]
fn both_origins() {
    let local = synced("TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED LOCAL      898");
    assert_eq!(
        local,
        with_origin(
            conn(
                "TCP",
                "198.51.100.2:57298",
                "198.51.100.10:80",
                "192.0.2.11:80",
                "ESTABLISHED",
                898
            ),
            Origin::Local
        )
    );
    // As a backup's table shows what the master's sync daemon sent.
    let sync = synced("TCP C6336402 D6D6 C633640A 0050 C000028C 0050 TIME_WAIT   SYNC        85");
    assert_eq!(
        sync,
        with_origin(
            conn(
                "TCP",
                "198.51.100.2:54998",
                "198.51.100.10:80",
                "192.0.2.140:80",
                "TIME_WAIT",
                85
            ),
            Origin::Sync
        )
    );
}

/// `tests/golden/conn_file`: both files of a director and of its sync
/// backup, captured on each kernel (see the README there).
#[test]
fn whole_captures_from_both_kernels() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/conn_file");
    for kernel in ["6.1", "6.12"] {
        for (host, origin) in [("dir", Origin::Local), ("bk", Origin::Sync)] {
            let read = |file: &str, source| {
                let text = std::fs::read(dir.join(format!("{kernel}-{host}-{file}.txt"))).unwrap();
                let lines = text.iter().filter(|&&b| b == b'\n').count() as u64;
                let (got, walk) = read_all(&text, source).unwrap();
                assert_eq!(walk.malformed, 0, "{kernel} {host} {file}");
                assert_eq!(walk.entries, lines - 1, "{kernel} {host} {file}");
                got
            };
            let plain = read("ip_vs_conn", ConnSource::Plain);
            let synced = read("ip_vs_conn_sync", ConnSource::WithOrigin);
            assert!(
                synced.iter().all(|c| c.origin == Some(origin)),
                "{kernel} {host}"
            );
            // The two files list the same entries (read a moment apart).
            let key = |c: &Connection| (c.protocol, c.client, c.virtual_addr, c.real, c.state);
            let mut a: Vec<_> = plain.iter().map(key).collect();
            let mut b: Vec<_> = synced.iter().map(key).collect();
            a.sort();
            b.sort();
            assert_eq!(a, b, "{kernel} {host}");
            let shapes = |f: &dyn Fn(&Connection) -> bool| plain.iter().filter(|c| f(c)).count();
            assert!(shapes(&|c| c.is_template()) > 0, "{kernel} {host}");
            assert!(shapes(&|c| c.client.is_ipv6()) > 0, "{kernel} {host}");
            assert!(shapes(&|c| c.pe.is_some()) > 0, "{kernel} {host}");
            // The sync daemon sent no one-datagram UDP entries to the backup.
            let udp = shapes(&|c| c.state.as_str() == "UDP");
            assert_eq!(udp > 0, host == "dir", "{kernel} {host}");
        }
    }
}

#[test]
fn a_real_capture_reads_whole() {
    let text = "\
Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
TCP C6336402 DFAC C633640A 0050 C000028C 0050 TIME_WAIT       117
TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED     898
UDP C6336402 84A8 C633640A 0035 C000020B 0035 UDP             298
TCP C6336402 0000 C633640A 0050 C000020B 0050 ASSURED         298
TCP C6336402 DFC4 C633640A 0050 C000020B 0050 TIME_WAIT       117
";
    let (got, walk) = read_all(text.as_bytes(), ConnSource::Plain).unwrap();
    assert_eq!(
        walk,
        ConnWalk {
            entries: 5,
            malformed: 0,
            complete: true
        }
    );
    assert_eq!(got.iter().filter(|c| c.is_template()).count(), 1);
}

#[test]
fn a_header_only_table_is_empty_and_complete() {
    for (head, source) in [
        (PLAIN_HEAD, ConnSource::Plain),
        (SYNC_HEAD, ConnSource::WithOrigin),
    ] {
        let (got, walk) = read_all(head.as_bytes(), source).unwrap();
        assert!(got.is_empty());
        assert_eq!(
            walk,
            ConnWalk {
                entries: 0,
                malformed: 0,
                complete: true
            }
        );
    }
}

#[test]
fn a_missing_or_wrong_header_is_refused() {
    assert!(matches!(
        read_all(b"", ConnSource::Plain),
        Err(Fault::Empty)
    ));
    let line = "TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED     898\n";
    assert!(matches!(
        read_all(line.as_bytes(), ConnSource::Plain),
        Err(Fault::Header)
    ));
    // Each file's header is its own: the other one is refused.
    assert!(matches!(
        read_all(SYNC_HEAD.as_bytes(), ConnSource::Plain),
        Err(Fault::Header)
    ));
    assert!(matches!(
        read_all(PLAIN_HEAD.as_bytes(), ConnSource::WithOrigin),
        Err(Fault::Header)
    ));
    let overlong = "P".repeat(10_000);
    assert!(matches!(
        read_all(overlong.as_bytes(), ConnSource::Plain),
        Err(Fault::Header)
    ));
}

const GOOD: &str = "TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED     898";

/// `bad` between two good lines: both good ones come through, `bad` is
/// counted malformed.
fn refused(bad: &str, source: ConnSource) {
    let (head, good) = match source {
        ConnSource::Plain => (PLAIN_HEAD, GOOD.to_string()),
        ConnSource::WithOrigin => (
            SYNC_HEAD,
            "TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED LOCAL      898".to_string(),
        ),
    };
    let text = format!("{head}{good}\n{bad}\n{good}\n");
    let (got, walk) = read_all(text.as_bytes(), source).unwrap();
    assert_eq!(got.len(), 2, "{bad:?}");
    assert_eq!(walk.malformed, 1, "{bad:?}");
    assert!(walk.complete);
}

#[test]
fn garbage_lines_are_counted_and_skipped() {
    for bad in [
        "",
        "garbage",
        "TCP",
        "TCP C6336402 DFD2 C633640A 0050 C000020B 0050",
        // not hex, wrong widths
        "TCP C633640G DFD2 C633640A 0050 C000020B 0050 ESTABLISHED     898",
        "TCP C633640 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED     898",
        "TCP C6336402 DFD C633640A 0050 C000020B 0050 ESTABLISHED     898",
        "TCP C6336402 DFD2 C633640A 00500 C000020B 0050 ESTABLISHED     898",
        // compressed IPv6 is not what %pI6 prints
        "TCP 2001:db8::2 DFD2 2001:db8::10 0050 C000020B 0050 ESTABLISHED     898",
        "TCP 2001-0db8-0000-0000-0000-0000-0000-0002 A1B2 2001:0db8:0000:0000:0000:0000:0000:0010 0050 C000020B 0050 SYN_RECV 5",
        // client and virtual address of different families
        "TCP C6336402 A1B2 2001:0db8:0000:0000:0000:0000:0000:0010 0050 C000020B 0050 SYN_RECV 5",
        // expiry: not a number, above u32, negative
        "TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED     8x8",
        "TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED 4294967296",
        "TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED     -1",
        // a protocol or state name that is too long, or not graphic ASCII
        "TCPTCPTCPTCPTCPTCPTCPTCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED 898",
        "TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTAB\u{1b}[2J     898",
        "TCP C6336402 DFD2 C633640A 0050 C000020B 0050 \u{e9}tat     898",
        "TCP\tC6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED     898",
        "TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED     898\r",
        // a persistence engine name that is no token, or no space before it
        "UDP C6336402 13C4 C633640A 13C4 C000020B 13C4 UDP 299 s\u{7}p data",
        "UDP C6336402 13C4 C633640A 13C4 C000020B 13C4 UDP 299  sip data",
    ] {
        refused(bad, ConnSource::Plain);
    }
    for bad in [
        // no origin, an unknown one, something after the expiry
        "TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED     898",
        "TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED REMOTE     898",
        "TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED LOCAL      898 sip x",
    ] {
        refused(bad, ConnSource::WithOrigin);
    }
}

#[test]
fn control_characters_never_come_through() {
    let mut text = PLAIN_HEAD.as_bytes().to_vec();
    for b in (0u8..32).chain([127, 0x9b, 0xff]) {
        if b == b'\n' {
            continue;
        }
        let mut line = GOOD.as_bytes().to_vec();
        line[48] = b; // inside the state name
        text.extend_from_slice(&line);
        text.push(b'\n');
    }
    let (got, walk) = read_all(&text, ConnSource::Plain).unwrap();
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(walk.malformed, 34);
}

#[test]
fn an_overlong_line_is_consumed_and_counted() {
    for len in [MAX_LINE + 1, 4_000, READ_SIZE + 3 * MAX_LINE, 3 * READ_SIZE] {
        let long = format!("{GOOD} sip {}", "z".repeat(len - GOOD.len() - 5));
        assert_eq!(long.len(), len);
        refused(&long, ConnSource::Plain);
    }
    // Exactly at the cap is a line like any other (data too long is dropped).
    let at_cap = format!("{GOOD} sip {}", "z".repeat(MAX_LINE - GOOD.len() - 5));
    assert_eq!(plain(&at_cap).expires, 898);
}

#[test]
fn a_truncated_last_line_is_taken_if_whole() {
    let whole = format!("{PLAIN_HEAD}{GOOD}\n{GOOD}");
    let (got, walk) = read_all(whole.as_bytes(), ConnSource::Plain).unwrap();
    assert_eq!((got.len(), walk.malformed, walk.complete), (2, 0, true));

    let cut = format!("{PLAIN_HEAD}{GOOD}\n{}", &GOOD[..30]);
    let (got, walk) = read_all(cut.as_bytes(), ConnSource::Plain).unwrap();
    assert_eq!((got.len(), walk.malformed, walk.complete), (1, 1, true));

    let overlong_cut = format!("{PLAIN_HEAD}{GOOD}\n{}", "z".repeat(MAX_LINE * 3));
    let (got, walk) = read_all(overlong_cut.as_bytes(), ConnSource::Plain).unwrap();
    assert_eq!((got.len(), walk.malformed), (1, 1));
}

/// Hands out its text a few bytes per `read()`, counting the calls, as the
/// kernel hands out a page at a time.
struct Trickle<'a> {
    text: &'a [u8],
    step: usize,
    reads: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        self.reads += 1;
        let n = self.step.min(into.len()).min(self.text.len());
        into[..n].copy_from_slice(&self.text[..n]);
        self.text = &self.text[n..];
        Ok(n)
    }
}

fn table(lines: usize) -> String {
    let mut text = PLAIN_HEAD.to_string();
    for i in 0..lines {
        text.push_str(&format!(
            "TCP C6336402 {:04X} C633640A 0050 C000020B 0050 ESTABLISHED     898\n",
            i + 1
        ));
    }
    text
}

#[test]
fn lines_split_across_reads_come_whole() {
    let text = table(300);
    let (want, _) = read_all(text.as_bytes(), ConnSource::Plain).unwrap();
    for step in [1, 7, 64, 4096] {
        let mut got = Vec::new();
        let mut buf = Vec::new();
        let trickle = Trickle {
            text: text.as_bytes(),
            step,
            reads: 0,
        };
        let walk = walk_text(trickle, ConnSource::Plain, &mut buf, &mut |c| {
            got.push(c);
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(got, want, "step {step}");
        assert_eq!((walk.entries, walk.malformed), (300, 0));
    }
}

#[test]
fn break_stops_reading_at_once() {
    let text = table(1_000);
    let mut trickle = Trickle {
        text: text.as_bytes(),
        step: 4096,
        reads: 0,
    };
    let mut seen = 0;
    let mut buf = Vec::new();
    let walk = walk_text(&mut trickle, ConnSource::Plain, &mut buf, &mut |_| {
        seen += 1;
        if seen == 10 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!((seen, walk.entries, walk.complete), (10, 10, false));
    assert_eq!(
        trickle.reads, 1,
        "the first page held the first ten entries"
    );
}

/// The table as a kernel's walk over a changing table shows it: each
/// `read()` starts from a position that entries added or removed in
/// between shift, so a line may come cut at a page edge, twice, or not at
/// all.
struct Changing {
    pages: Vec<Vec<u8>>,
}

impl Read for Changing {
    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        if self.pages.is_empty() {
            return Ok(0);
        }
        let page = self.pages.remove(0);
        into[..page.len()].copy_from_slice(&page);
        Ok(page.len())
    }
}

#[test]
fn a_table_that_changes_while_read_never_crashes() {
    let text = table(200);
    let lines: Vec<&str> = text.lines().collect();
    // seq_file hands out whole lines per page; pages of a changed table
    // repeat or skip lines at their seams.
    let mut pages = vec![format!("{}\n", lines[..20].join("\n")).into_bytes()];
    pages.push(format!("{}\n", lines[18..90].join("\n")).into_bytes());
    pages.push(format!("{}\n", lines[120..].join("\n")).into_bytes());
    let (mut got, mut buf) = (Vec::new(), Vec::new());
    let walk = walk_text(Changing { pages }, ConnSource::Plain, &mut buf, &mut |c| {
        got.push(c);
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(walk.entries, 19 + 72 + 81);
    assert_eq!(walk.malformed, 0);
    assert!(walk.complete);
}

#[test]
fn the_buffer_is_kept_between_walks() {
    let text = table(5);
    let mut buf = Vec::new();
    walk_text(text.as_bytes(), ConnSource::Plain, &mut buf, &mut |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    let (ptr, len) = (buf.as_ptr(), buf.len());
    walk_text(text.as_bytes(), ConnSource::Plain, &mut buf, &mut |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!((buf.as_ptr(), buf.len()), (ptr, len));
}

// The files themselves: opened afresh per walk, errors in words.

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lvstop-conn-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn files_are_read_afresh_each_walk() {
    let (plain_path, sync_path) = (temp("fresh-conn"), temp("fresh-sync"));
    std::fs::write(&plain_path, table(3)).unwrap();
    std::fs::write(
        &sync_path,
        format!(
            "{SYNC_HEAD}TCP C6336402 DFD2 C633640A 0050 C000020B 0050 ESTABLISHED SYNC       898\n"
        ),
    )
    .unwrap();
    let mut files = ConnFiles::at(&plain_path, &sync_path);
    let count = |files: &mut ConnFiles, source| {
        let mut origins = Vec::new();
        let walk = files
            .walk(source, &mut |c| {
                origins.push(c.origin);
                ControlFlow::Continue(())
            })
            .unwrap();
        (walk.entries, origins)
    };
    assert_eq!(count(&mut files, ConnSource::Plain).0, 3);
    assert_eq!(
        count(&mut files, ConnSource::Plain).0,
        3,
        "from the start again"
    );
    std::fs::write(&plain_path, table(7)).unwrap();
    assert_eq!(count(&mut files, ConnSource::Plain).0, 7);
    assert_eq!(
        count(&mut files, ConnSource::WithOrigin),
        (1, vec![Some(Origin::Sync)])
    );
}

#[test]
fn an_absent_file_means_no_ipvs() {
    let missing = temp("no-such-file");
    let mut files = ConnFiles::at(&missing, &missing);
    let e = files
        .walk(ConnSource::Plain, &mut |_| ControlFlow::Continue(()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotAvailable);
    assert_eq!(e.errno(), Some(libc::ENOENT));
    assert!(e.to_string().contains("is the ip_vs module loaded?"), "{e}");
    assert!(e.to_string().contains("no-such-file"), "{e}");
}

#[test]
fn an_unreadable_file_is_worded() {
    // A directory opens but cannot be read: EISDIR, an Io error.
    let dir = temp("a-directory");
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = ConnFiles::at(&dir, &dir);
    let e = files
        .walk(ConnSource::Plain, &mut |_| ControlFlow::Continue(()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(
        e.to_string()
            .starts_with("reading the IPVS connection table"),
        "{e}"
    );
    assert!(e.to_string().contains("directory"), "{e}");

    // Without read permission (root reads anyway: then only the wording is checked).
    let locked = temp("locked");
    std::fs::write(&locked, table(1)).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut files = ConnFiles::at(&locked, &locked);
    match files.walk(ConnSource::Plain, &mut |_| ControlFlow::Continue(())) {
        Ok(walk) => assert_eq!(walk.entries, 1, "read as root"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
            assert!(e.to_string().contains("permission denied"), "{e}");
        }
    }
    let e = open_error(
        &io::Error::from_raw_os_error(libc::EACCES),
        &locked,
        Some("nat-dir"),
    );
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    assert!(
        e.to_string().contains("in network namespace nat-dir"),
        "{e}"
    );
}

#[test]
fn a_file_that_is_not_the_table_is_a_protocol_error() {
    let (empty, other) = (temp("empty"), temp("other"));
    std::fs::write(&empty, "").unwrap();
    std::fs::write(&other, "Inter-|   Receive\n face |bytes\n").unwrap();
    for (path, words) in [
        (&empty, "is empty"),
        (&other, "does not start with the header"),
    ] {
        let mut files = ConnFiles::at(path, path);
        let e = files
            .walk(ConnSource::Plain, &mut |_| ControlFlow::Continue(()))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        assert!(e.to_string().contains(words), "{e}");
    }
}

#[test]
fn a_namespace_that_cannot_be_entered_is_worded() {
    let mut files = ConnFiles::kernel(Some("lvstop-no-such-namespace"));
    let e = files
        .walk(ConnSource::Plain, &mut |_| ControlFlow::Continue(()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Namespace);
    assert!(e.to_string().contains("does not exist"), "{e}");
}

// The kernel's format, from the format strings, round-tripped.

/// A line as `ip_vs_conn_seq_show` / `ip_vs_conn_sync_seq_show` print `c`.
fn kernel_line(c: &Connection, source: ConnSource) -> String {
    fn ip(a: IpAddr) -> String {
        match a {
            IpAddr::V4(v4) => format!("{:08X}", u32::from(v4)),
            IpAddr::V6(v6) => v6
                .segments()
                .iter()
                .map(|g| format!("{g:04x}"))
                .collect::<Vec<_>>()
                .join(":"),
        }
    }
    let head = format!(
        "{:<3} {} {:04X} {} {:04X} {} {:04X} {:<11}",
        c.protocol.as_str(),
        ip(c.client.ip()),
        c.client.port(),
        ip(c.virtual_addr.ip()),
        c.virtual_addr.port(),
        ip(c.real.ip()),
        c.real.port(),
        c.state.as_str(),
    );
    match source {
        ConnSource::Plain => {
            let pe =
                c.pe.as_ref()
                    .map(|p| format!(" {} {}", p.name, p.data))
                    .unwrap_or_default();
            format!("{head} {:7}{pe}", c.expires)
        }
        ConnSource::WithOrigin => {
            let origin = match c.origin {
                Some(Origin::Sync) => "SYNC",
                _ => "LOCAL",
            };
            format!("{head} {origin:<6} {:7}", c.expires)
        }
    }
}

fn any_ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<u32>().prop_map(|a| IpAddr::V4(a.into())),
        // Mostly-zero groups, as real IPv6 addresses are.
        prop::array::uniform8(prop_oneof![Just(0u16), any::<u16>()])
            .prop_map(|g| IpAddr::V6(g.into())),
    ]
}

fn any_token() -> impl Strategy<Value = Token> {
    "[!-~]{1,23}".prop_map(|s| Token::new(&s).unwrap())
}

fn any_connection(source: ConnSource) -> impl Strategy<Value = Connection> {
    (
        any_token(),
        any_ip(),
        any::<(u16, u16, u16)>(),
        any_ip(),
        any_token(),
        any::<u32>(),
        any::<bool>(),
        (any_token(), "[ -~]{0,255}"),
        any::<bool>(),
    )
        .prop_map(
            move |(protocol, client, ports, real, state, expires, sync, (name, data), with_pe)| {
                // The virtual address is in the client's family (`cp->af`).
                let virtual_ip = match client {
                    IpAddr::V4(_) => IpAddr::V4((expires ^ 0x5a5a_5a5a).into()),
                    IpAddr::V6(v6) => IpAddr::V6((!u128::from(v6)).into()),
                };
                let (origin, pe) = match source {
                    ConnSource::WithOrigin => {
                        (Some(if sync { Origin::Sync } else { Origin::Local }), None)
                    }
                    ConnSource::Plain => (
                        None,
                        with_pe.then(|| PeData {
                            name,
                            data: data.into(),
                        }),
                    ),
                };
                Connection {
                    protocol,
                    client: SocketAddr::new(client, ports.0),
                    virtual_addr: SocketAddr::new(virtual_ip, ports.1),
                    real: SocketAddr::new(real, ports.2),
                    state,
                    expires,
                    origin,
                    pe,
                }
            },
        )
}

proptest! {
    #[test]
    fn the_kernels_lines_parse_back_equal(
        plain in prop::collection::vec(any_connection(ConnSource::Plain), 0..40),
        synced in prop::collection::vec(any_connection(ConnSource::WithOrigin), 0..40),
    ) {
        for (entries, source, head) in [
            (&plain, ConnSource::Plain, PLAIN_HEAD),
            (&synced, ConnSource::WithOrigin, SYNC_HEAD),
        ] {
            let mut text = head.to_string();
            for c in entries.iter() {
                text.push_str(&kernel_line(c, source));
                text.push('\n');
            }
            let (got, walk) = read_all(text.as_bytes(), source).unwrap();
            prop_assert_eq!(walk.malformed, 0);
            prop_assert_eq!(&got, entries);
        }
    }

    #[test]
    fn any_bytes_are_taken_or_refused_never_a_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..2_000),
    ) {
        let mut text = PLAIN_HEAD.as_bytes().to_vec();
        text.extend_from_slice(&bytes);
        let (got, walk) = read_all(&text, ConnSource::Plain).unwrap();
        prop_assert_eq!(got.len() as u64, walk.entries);
        for c in got {
            prop_assert!(c.protocol.as_str().bytes().all(|b| b.is_ascii_graphic()));
            if let Some(pe) = c.pe {
                prop_assert!(pe.data.bytes().all(|b| (b' '..=b'~').contains(&b)));
            }
        }
    }
}
