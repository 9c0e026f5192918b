//! Golden lines both ways, round trips of readings, and hostile lines.

use proptest::prelude::*;

use super::*;
use crate::model::{
    Dest, DestKey, Family, Info, Protocol, Service, ServiceEntry, ServiceKey, Snapshot,
};

fn tcp(last: u8, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: format!("192.0.2.{last}").parse().unwrap(),
        port,
    }
}

fn table(weights: &[(u8, &[u32])]) -> Snapshot {
    Snapshot {
        info: Info {
            version: 0x010201,
            conn_tab_size: 4096,
        },
        services: weights
            .iter()
            .map(|(last, ws)| ServiceEntry {
                service: Service::new(tcp(*last, 80), "wlc"),
                dests: ws
                    .iter()
                    .enumerate()
                    .map(|(i, w)| Dest {
                        weight: *w,
                        ..Dest::new(std::net::Ipv4Addr::from(0x0a00_0001 + i as u32).into(), 80)
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Services and their real servers sorted, so tables compare whatever the order.
fn sorted(mut t: Snapshot) -> Snapshot {
    let key = |k: &ServiceKey| serde_json::to_string(k).unwrap();
    t.services.sort_by_key(|e| key(&e.service.key));
    for e in &mut t.services {
        e.dests.sort_by_key(|d| (d.addr, d.port));
    }
    t
}

fn replay(lines: &[Reading], staging: &mut Staging) -> Snapshot {
    let mut out = None;
    for l in lines {
        // Each line goes through the wire, as the agent writes it.
        let wire = encode(&FromAgent::Reading(l.clone()));
        let FromAgent::Reading(back) = decode_from_agent(wire.as_bytes()).unwrap() else {
            panic!("not a reading: {wire}");
        };
        out = staging.take(&back).unwrap().cloned();
    }
    out.expect("the last line completes the reading")
}

#[test]
fn golden_hello_both_ways() {
    let line = r#"{"type":"hello","protocol":2,"lvstop":"0.1.0","host":"lb1","ipvs":"1.2.1","capabilities":["read","apply","ping","resync"],"read_only":false,"netns":"host","interval_ms":1000}"#;
    let hello = Hello {
        protocol: 2,
        lvstop: "0.1.0".into(),
        host: "lb1".into(),
        ipvs: "1.2.1".into(),
        capabilities: ["read", "apply", "ping", "resync"]
            .map(String::from)
            .to_vec(),
        read_only: false,
        netns: "host".into(),
        interval_ms: 1000,
    };
    assert_eq!(encode(&FromAgent::Hello(hello.clone())), line);
    assert_eq!(
        decode_from_agent(line.as_bytes()).unwrap(),
        FromAgent::Hello(hello)
    );
}

#[test]
fn golden_delta_line_both_ways() {
    let prev = table(&[(1, &[1, 2]), (2, &[5])]);
    let next = table(&[(1, &[1, 3])]);
    let lines = readings(Some(&prev), &next, 7, 1_700_000_000_000, 250);
    assert_eq!(lines.len(), 1);
    let wire = encode(&FromAgent::Reading(lines[0].clone()));
    let want = concat!(
        r#"{"type":"reading","seq":7,"full":false,"more":false,"at_ms":1700000000000,"took_us":250,"#,
        r#""removed":[{"kind":"addr","protocol":"tcp","addr":"192.0.2.2","port":80}],"#,
        r#""services":[{"key":{"kind":"addr","protocol":"tcp","addr":"192.0.2.1","port":80},"#,
        r#""dests":[{"addr":"10.0.0.2","port":80,"forward":"masq","weight":3,"#
    );
    assert!(wire.starts_with(want), "{wire}");
    assert_eq!(
        decode_from_agent(wire.as_bytes()).unwrap(),
        FromAgent::Reading(lines[0].clone())
    );
}

#[test]
fn golden_requests_both_ways() {
    for (line, message) in [
        (
            r#"{"type":"ping","id":3,"sent_ms":1700000000000}"#,
            ToAgent::Ping {
                id: 3,
                sent_ms: 1_700_000_000_000,
            },
        ),
        (r#"{"type":"resync"}"#, ToAgent::Resync),
        (
            r#"{"type":"apply","id":4,"change":{"op":"delete_service","kind":"fwmark","family":"inet","mark":7},"user":"alice@laptop"}"#,
            ToAgent::Apply {
                id: 4,
                change: crate::model::Change::DeleteService(ServiceKey::Fwmark {
                    family: Family::V4,
                    mark: 7,
                }),
                user: "alice@laptop".into(),
            },
        ),
    ] {
        assert_eq!(encode(&message), line);
        assert_eq!(decode_to_agent(line.as_bytes()).unwrap(), message);
    }
}

#[test]
fn an_unchanged_table_is_one_short_line() {
    let t = table(&[(1, &[1, 2]), (2, &[5])]);
    let lines = readings(Some(&t), &t, 2, 0, 0);
    assert_eq!(lines.len(), 1);
    assert!(encode(&FromAgent::Reading(lines[0].clone())).len() < 100);
}

#[test]
fn a_big_table_spreads_over_lines_under_the_cap() {
    let ws: Vec<u32> = (0..2_500).collect();
    let big = table(&[(1, &ws), (2, &ws[..10])]);
    let lines = readings(None, &big, 1, 0, 0);
    assert!(lines.len() >= 3, "{}", lines.len());
    assert!(lines
        .iter()
        .all(|l| encode(&FromAgent::Reading(l.clone())).len() < MAX_LINE));
    assert!(lines[..lines.len() - 1].iter().all(|l| l.more));
    let mut s = Staging::new();
    assert_eq!(sorted(replay(&lines, &mut s)), sorted(big));
}

/// `table` with traffic: every real server's counters moved by `by`.
fn with_traffic(mut t: Snapshot, by: u64) -> Snapshot {
    for e in &mut t.services {
        e.service.stats.conns += by;
        e.service.stats.inbytes += 100 * by;
        for d in &mut e.dests {
            d.active_conns += by as u32;
            d.stats.conns += by;
            d.stats.inpkts += 2 * by;
            d.stats.inbytes += 100 * by;
        }
    }
    t
}

#[test]
fn golden_counters_line_both_ways() {
    let mut prev = table(&[(1, &[1, 2])]);
    prev.services[0].dests[1].stats.inbps = 5;
    prev.services[0].dests[1].stats.outbytes = u64::MAX;
    let mut next = with_traffic(prev.clone(), 3);
    // A rate that fell and a counter that wrapped are exact differences too.
    next.services[0].dests[1].stats.inbps = 0;
    next.services[0].dests[1].stats.outbytes = 0;
    let lines = readings(Some(&prev), &next, 7, 1_700_000_000_000, 250);
    let wire = encode(&FromAgent::Reading(lines[0].clone()));
    let want = concat!(
        r#"{"type":"reading","seq":7,"full":false,"more":false,"at_ms":1700000000000,"took_us":250,"#,
        r#""services":[{"key":{"kind":"addr","protocol":"tcp","addr":"192.0.2.1","port":80},"#,
        r#""stats":[3,0,0,300,0,0,0,0,0,0],"dest_stats":["#,
        r#"["10.0.0.1",80,[3,0,0,3,6,0,300,0,0,0,0,0,0]],"#,
        r#"["10.0.0.2",80,[3,0,0,3,6,0,300,1,0,0,0,-5,0]]]}]}"#
    );
    assert_eq!(wire, want);
    let FromAgent::Reading(back) = decode_from_agent(want.as_bytes()).unwrap() else {
        panic!("not a reading");
    };
    assert_eq!(back, lines[0]);
    let mut s = Staging::new();
    replay(&readings(None, &prev, 6, 0, 0), &mut s);
    assert_eq!(s.take(&back).unwrap().unwrap(), &next);
}

/// The session captured from `lvstop --demo -d 1 agent` for the protocol's
/// document (and the fuzzer's seed) reads back as lvstop reads it.
#[test]
fn the_captured_demo_session_reads_back() {
    let session = include_str!("../../../tests/golden/agent/demo.jsonl");
    let mut s = Staging::new();
    let (mut tables, mut counters) = (0, 0);
    for line in session.lines() {
        match decode_from_agent(line.as_bytes()).unwrap() {
            FromAgent::Hello(h) => assert_eq!(h.protocol, PROTOCOL_VERSION),
            FromAgent::Reading(r) => {
                counters += r
                    .services
                    .iter()
                    .filter(|c| !c.dest_stats.is_empty())
                    .count();
                let table = s.take(&r).unwrap().expect("one line a reading");
                tables += 1;
                // Counters as changes land on what the whole reading sent.
                assert!(table.services.iter().all(|e| !e.dests.is_empty()));
            }
            _ => {}
        }
    }
    assert_eq!(tables, 5);
    assert!(counters > 10, "{counters}");
}

#[test]
fn counters_come_as_differences_configuration_whole() {
    let ws: Vec<u32> = (1..=10).collect();
    let prev = table(&[(1, &ws), (2, &ws)]);
    let mut next = with_traffic(prev.clone(), 1_000_000);
    next.services[1].dests[4].weight = 99;
    next.services[1].service.scheduler = "rr".into();
    let lines = readings(Some(&prev), &next, 2, 0, 0);
    let s1 = &lines[0].services[0];
    assert!(s1.service.is_none() && s1.stats.is_some() && s1.dests.is_empty());
    assert_eq!(s1.dest_stats.len(), 10);
    let s2 = &lines[0].services[1];
    assert_eq!(s2.service.as_ref().unwrap().scheduler, "rr");
    assert!(s2.stats.is_none());
    assert_eq!(s2.dests.len(), 1);
    assert_eq!(s2.dests[0].weight, 99);
    assert_eq!(s2.dest_stats.len(), 9);
    // Counters cost a fraction of whole real servers.
    let compact = encode(&FromAgent::Reading(lines[0].clone())).len();
    let whole = encode(&FromAgent::Reading(
        readings(None, &next, 1, 0, 0)[0].clone(),
    ))
    .len();
    assert!(compact * 3 < whole, "{compact} vs {whole}");
    let mut s = Staging::new();
    replay(&readings(None, &prev, 1, 0, 0), &mut s);
    assert_eq!(replay(&lines, &mut s), next);
}

#[test]
fn a_lost_line_of_a_reading_is_refused() {
    let ws: Vec<u32> = (0..2_500).collect();
    let prev = table(&[(1, &ws)]);
    let next = with_traffic(prev.clone(), 1);
    let lines = readings(Some(&prev), &next, 2, 0, 0);
    assert!(lines.len() >= 3, "{}", lines.len());
    assert_eq!(
        lines.iter().map(|l| l.part).collect::<Vec<_>>(),
        (0..lines.len() as u32).collect::<Vec<_>>()
    );
    let mut s = Staging::new();
    replay(&readings(None, &prev, 1, 0, 0), &mut s);
    assert_eq!(s.take(&lines[0]).unwrap(), None);
    let e = s.take(&lines[2]).unwrap_err();
    assert!(
        e.0.contains("part 2 of reading 2 where part 1 was due"),
        "{e}"
    );
    // The table is gone: only a whole reading starts it again.
    assert!(s.table().is_none());
    assert!(s
        .take(&lines[0])
        .unwrap_err()
        .0
        .contains("before any whole"));
    let mut s = Staging::new();
    replay(&readings(None, &prev, 1, 0, 0), &mut s);
    let e = s.take(&lines[1]).unwrap_err();
    assert!(e.0.contains("begins with part 1"), "{e}");
}

#[test]
fn counters_that_do_not_fit_the_table_are_refused() {
    let t = table(&[(1, &[1])]);
    let start = |s: &mut Staging| replay(&readings(None, &t, 1, 0, 0), s);
    let moves = |addr: &str, active: i64| {
        let mut line = readings(Some(&t), &t, 2, 0, 0).remove(0);
        let mut change = ServiceChange::new(tcp(1, 80));
        let mut by = [0; 13];
        by[0] = active;
        change.dest_stats = vec![DestMoves(addr.parse().unwrap(), 80, by)];
        line.services.push(change);
        line
    };
    let mut s = Staging::new();
    start(&mut s);
    let e = s.take(&moves("10.9.9.9", 1)).unwrap_err();
    assert!(e.0.contains("real server the table does not hold"), "{e}");
    for active in [-1, i64::from(u32::MAX) + 1, i64::MAX, i64::MIN] {
        let mut s = Staging::new();
        start(&mut s);
        let e = s.take(&moves("10.0.0.1", active)).unwrap_err();
        assert!(e.0.contains("out of range"), "{e}");
    }
    // A service's counters for a service never sent.
    let mut line = readings(Some(&t), &t, 2, 0, 0).remove(0);
    let mut change = ServiceChange::new(tcp(9, 80));
    change.stats = Some(StatsMoves([1; 10]));
    line.services.push(change);
    let mut s = Staging::new();
    start(&mut s);
    assert!(s.take(&line).unwrap_err().0.contains("never sent"));
    // Out of schema: eleven counters for a service, twelve for a real server.
    for bad in [
        r#"{"type":"reading","seq":2,"full":false,"more":false,"at_ms":0,"took_us":0,"services":[{"key":{"kind":"addr","protocol":"tcp","addr":"192.0.2.1","port":80},"stats":[0,0,0,0,0,0,0,0,0,0,0]}]}"#,
        r#"{"type":"reading","seq":2,"full":false,"more":false,"at_ms":0,"took_us":0,"services":[{"key":{"kind":"addr","protocol":"tcp","addr":"192.0.2.1","port":80},"dest_stats":[["10.0.0.1",80,[0,0,0,0,0,0,0,0,0,0,0,0]]]}]}"#,
    ] {
        assert!(decode_from_agent(bad.as_bytes())
            .unwrap_err()
            .0
            .contains("malformed"));
    }
}

#[test]
fn hostile_lines_are_refused_in_words() {
    let huge = vec![b' '; MAX_LINE + 1];
    let escape = r#"{"type":"hello","protocol":1,"lvstop":"0.1.0","host":"lb\u001b[2J","ipvs":"1.2.1","capabilities":[],"read_only":false,"netns":"host","interval_ms":1000}"#;
    let unknown = r#"{"type":"pong","id":1,"sent_ms":1,"at_ms":2,"extra":true}"#;
    for (line, want) in [
        (&huge[..], "over the limit"),
        (b"{\"type\":\"nonsense\"}", "malformed"),
        (b"not json", "malformed"),
        (b"\xff\xfe", "not UTF-8"),
        (escape.as_bytes(), "control character U+001B"),
        (unknown.as_bytes(), "malformed"),
        (br#"{"type":"\u001b[2J"}"#, "unknown variant `\\u{1b}[2J`"),
        (b"{\"type\":\"\x1b[2J\"}", "malformed"),
    ] {
        let e = decode_from_agent(line).unwrap_err();
        assert!(e.0.contains(want), "{e}");
        assert!(!e.0.chars().any(char::is_control), "{e:?}");
    }
}

#[test]
fn deltas_that_do_not_fit_the_table_are_refused() {
    let t = table(&[(1, &[1])]);
    let mut s = Staging::new();
    replay(&readings(None, &t, 1, 0, 0), &mut s);
    let mut gone = readings(Some(&t), &table(&[]), 2, 0, 0);
    gone[0].removed.push(tcp(9, 80));
    assert!(s.take(&gone[0]).unwrap_err().0.contains("does not hold"));
    let mut s = Staging::new();
    replay(&readings(None, &t, 1, 0, 0), &mut s);
    let skip = readings(Some(&t), &t, 3, 0, 0);
    assert!(s
        .take(&skip[0])
        .unwrap_err()
        .0
        .contains("follows reading 1"));
    // A refused line ends the table: the next line has nothing to apply to.
    assert!(s.take(&skip[0]).unwrap_err().0.contains("before any whole"));
    let mut s = Staging::new();
    replay(&readings(None, &t, 1, 0, 0), &mut s);
    let mut orphan = readings(Some(&t), &t, 2, 0, 0);
    orphan[0].services.push(ServiceChange::new(tcp(9, 80)));
    assert!(s.take(&orphan[0]).unwrap_err().0.contains("never sent"));
    let mut first = Staging::new();
    assert!(first
        .take(&skip[0])
        .unwrap_err()
        .0
        .contains("before any whole"));
    let mut missing_dest = readings(Some(&t), &t, 2, 0, 0);
    let mut change = ServiceChange::new(tcp(1, 80));
    change.removed = vec![DestKey {
        addr: "10.9.9.9".parse().unwrap(),
        port: 1,
    }];
    missing_dest[0].services.push(change);
    let mut s = Staging::new();
    replay(&readings(None, &t, 1, 0, 0), &mut s);
    assert!(s
        .take(&missing_dest[0])
        .unwrap_err()
        .0
        .contains("real server"));
}

fn arb_table() -> impl Strategy<Value = Snapshot> {
    proptest::collection::btree_map(
        (1u8..30, 1u16..4),
        proptest::collection::btree_map(
            (1u8..20, 1u16..3),
            (0u32..5, 0u64..3, any::<u64>(), 0u32..3),
            0..6,
        ),
        0..12,
    )
    .prop_map(|services| Snapshot {
        info: Info {
            version: 0x010201,
            conn_tab_size: 4096,
        },
        services: services
            .into_iter()
            .map(|((last, port), dests)| ServiceEntry {
                service: Service::new(tcp(last, port), if port == 2 { "rr" } else { "wlc" }),
                dests: dests
                    .into_iter()
                    .map(|((d, p), (w, c, bytes, active))| {
                        let mut dest = Dest::new(format!("10.0.0.{d}").parse().unwrap(), p);
                        dest.weight = w;
                        dest.stats.conns = c;
                        dest.stats.inbytes = bytes;
                        dest.active_conns = active;
                        dest
                    })
                    .collect(),
            })
            .collect(),
    })
}

proptest! {
    /// Any sequence of tables, sent as a whole one then changes, arrives as sent.
    #[test]
    fn tables_arrive_as_sent(tables in proptest::collection::vec(arb_table(), 1..6)) {
        let mut s = Staging::new();
        let mut prev: Option<&Snapshot> = None;
        for (i, t) in tables.iter().enumerate() {
            let got = replay(&readings(prev, t, i as u64 + 1, 0, 0), &mut s);
            prop_assert_eq!(sorted(got), sorted(t.clone()));
            prev = Some(t);
        }
    }

    /// Whatever bytes arrive, decoding answers (a message or a refusal), never panics.
    #[test]
    fn any_bytes_decode_or_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode_from_agent(&bytes);
        let _ = decode_to_agent(&bytes);
    }
}
