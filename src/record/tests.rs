//! The recording format end to end: what is written reads back equal, from
//! any instant; cut, corrupted, foreign and newer files are handled as
//! docs/recording.md says.

use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;

use super::table_part::TablePart;
use super::*;
use crate::model::{
    Dest, Family, Forward, Info, Protocol, Service, ServiceEntry, ServiceKey, Snapshot, Stats,
};

pub(super) fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lvstop-record-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
}

/// A table of `services` services with `dests` real servers each, its
/// counters moved by `step` (some fields change each step, some not).
fn table(services: usize, dests: usize, step: u64) -> Snapshot {
    let mut out = Vec::new();
    for s in 0..services {
        let key = if s % 7 == 6 {
            ServiceKey::Fwmark {
                family: Family::V6,
                mark: s as u32,
            }
        } else {
            ServiceKey::Addr {
                protocol: if s % 3 == 0 {
                    Protocol::Udp
                } else {
                    Protocol::Tcp
                },
                addr: IpAddr::V4(Ipv4Addr::new(10, 0, (s / 250) as u8, (s % 250) as u8)),
                port: 80,
            }
        };
        let mut service = Service::new(key, if step % 5 == 4 { "wrr" } else { "rr" });
        service.stats = stats(step * (s as u64 + 1));
        service.pe_name = (s % 4 == 1 && step.is_multiple_of(2)).then(|| "sip".to_string());
        let dests = (0..dests)
            .filter(|d| !(d + step as usize).is_multiple_of(9)) // real servers come and go
            .map(|d| {
                let addr = if d % 2 == 0 {
                    IpAddr::V4(Ipv4Addr::new(192, 168, s as u8, d as u8))
                } else {
                    IpAddr::V6(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, s as u16, d as u16))
                };
                let mut dest = Dest::new(addr, 8080);
                dest.weight = (step as u32 + d as u32) % 4;
                dest.forward = if d % 3 == 0 {
                    Forward::Route
                } else {
                    Forward::Masq
                };
                dest.active_conns = (step as u32 * 7 + d as u32) % 50;
                dest.inactive_conns = 100u32.saturating_sub(step as u32);
                dest.stats = stats(step * d as u64);
                dest
            })
            .collect();
        out.push(ServiceEntry { service, dests });
    }
    Snapshot {
        info: Info {
            version: 0x010201,
            conn_tab_size: 4096,
        },
        services: out,
    }
}

fn stats(n: u64) -> Stats {
    Stats {
        conns: n,
        inpkts: n * 10,
        outpkts: n * 9,
        inbytes: n * 1000,
        outbytes: u64::MAX - n,
        cps: n % 3,
        ..Stats::default()
    }
}

fn tick(secs: u64, snapshot: Snapshot) -> Entry {
    Entry::Tick(Tick {
        wall: at(secs),
        took: Duration::from_micros(1234 + secs),
        interval: Duration::from_secs(1),
        estimator: [None, Some(true), Some(false)][secs as usize % 3],
        snapshot,
    })
}

/// A timeline: a tick a second, a journal line, a gap and a summary now and then.
fn timeline(seconds: u64) -> Vec<Entry> {
    let mut entries = Vec::new();
    for s in 0..seconds {
        entries.push(tick(s, table(5, 6, s)));
        if s % 4 == 1 {
            entries.push(Entry::Journal {
                wall: at(s),
                line: format!(r#"{{"id":"1.{s}","stage":"intent"}}"#),
            });
        }
        if s % 11 == 3 {
            entries.push(Entry::Gap {
                wall: at(s),
                reason: "the poll failed: Operation not permitted".into(),
            });
        }
        if s % 13 == 5 {
            entries.push(Entry::Connections {
                wall: at(s),
                summary: conn_record(s),
            });
        }
    }
    entries
}

fn conn_record(s: u64) -> ConnRecord {
    let dest = crate::model::DestKey {
        addr: IpAddr::V4(Ipv4Addr::new(192, 168, 0, 2)),
        port: 8080,
    };
    let counts = conn_record::StateRecord {
        states: vec![("ESTABLISHED".into(), s), ("TIME_WAIT".into(), 3)],
        other: 0,
        templates: 1,
    };
    ConnRecord {
        service: table(1, 0, 0).services[0].service.key,
        dest: None,
        clients: Some("10.1.0.0/16".into()),
        read: 100 + s,
        expected: None,
        total: counts.clone(),
        dests: vec![DestConnRecord { dest, counts }],
        top_clients: vec![(IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3)), 7, 0)],
    }
}

fn small_blocks() -> RecordOptions {
    RecordOptions {
        block_span: Duration::from_secs(10),
        ..RecordOptions::default()
    }
}

fn record(path: &Path, entries: &[Entry], options: RecordOptions) {
    let mut r = Recorder::create(path, options).unwrap();
    for e in entries {
        r.append(e).unwrap();
    }
    r.close().unwrap();
}

fn all(rec: &Recording) -> Vec<Entry> {
    let (from, to) = rec.span().expect("a span");
    rec.entries(from, to).collect()
}

#[test]
fn what_is_written_reads_back_equal() {
    let dir = temp_dir("roundtrip");
    let path = dir.join("rec");
    let entries = timeline(95);
    record(&path, &entries, small_blocks());
    let rec = Recording::open(&path).unwrap();
    assert_eq!(rec.problems(), &[] as &[String]);
    assert_eq!(all(&rec), entries);
    assert_eq!(rec.ticks().len(), 95);
    assert_eq!(rec.span(), Some((at(0), at(94))));
    let v = rec.version().unwrap();
    assert_eq!(v.format, FORMAT_VERSION);
    assert_eq!(v.lvstop, format!("lvstop {}", env!("CARGO_PKG_VERSION")));
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// A recording written by format 1 stays readable by every later lvstop:
/// the file in tests/golden was written once (LVSTOP_WRITE_GOLDEN=1 writes
/// it again, only when the format version changes) and must read back as
/// the timeline that made it.
#[test]
fn the_format_1_golden_recording_still_reads() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/recording/format1.rec");
    if std::env::var("LVSTOP_WRITE_GOLDEN").is_ok_and(|v| v == "1") {
        let _ = fs::remove_file(&golden);
        fs::create_dir_all(golden.parent().unwrap()).unwrap();
        record(&golden, &timeline(30), small_blocks());
    }
    let rec = Recording::open(&golden).unwrap();
    assert_eq!(rec.problems(), &[] as &[String]);
    assert_eq!(rec.version().unwrap().format, 1);
    assert_eq!(all(&rec), timeline(30));
    let (entries, problems) = read_segment_bytes(&fs::read(&golden).unwrap());
    assert_eq!((entries, problems.len()), (timeline(30).len(), 0));
}

#[test]
fn a_replay_starts_anywhere_with_the_whole_table() {
    let dir = temp_dir("from");
    let path = dir.join("rec");
    let entries = timeline(60);
    record(&path, &entries, small_blocks());
    let rec = Recording::open(&path).unwrap();
    for from in [0, 1, 9, 10, 11, 33, 59] {
        // Half a second after a tick: that tick comes first, then what follows.
        let start = at(from) + Duration::from_millis(500);
        let got: Vec<Entry> = rec.entries(start, at(from + 5)).collect();
        assert_eq!(got[0], tick(from, table(5, 6, from)), "from {from}");
        let expected: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.wall() > start && e.wall() <= at(from + 5))
            .collect();
        assert_eq!(got[1..].iter().collect::<Vec<_>>(), expected, "from {from}");
    }
    // Exactly at a tick: that tick, once.
    let got: Vec<Entry> = rec.entries(at(20), at(20)).collect();
    assert_eq!(got[0], tick(20, table(5, 6, 20)));
    assert!(got[1..].iter().all(|e| !matches!(e, Entry::Tick(_))));
}

/// Ticks decode in place while each item is the one expected, then by
/// reference: services and real servers removed, added and moved in the
/// middle of the lists read back as written.
#[test]
fn items_moved_or_gone_in_the_middle_read_back() {
    let dir = temp_dir("moved");
    let path = dir.join("rec");
    let base = table(8, 6, 1);
    let mut tables = vec![base.clone()];
    let mut t = base.clone();
    t.services.remove(3);
    tables.push(t.clone());
    t.services.swap(4, 1);
    t.services[2].dests.reverse();
    tables.push(t.clone());
    t.services.insert(2, table(12, 2, 7).services.remove(11));
    t.services[5].dests.remove(2);
    tables.push(t.clone());
    t.services.reverse();
    tables.push(t);
    tables.push(base);
    let entries: Vec<Entry> = tables
        .into_iter()
        .enumerate()
        .map(|(i, t)| tick(i as u64, t))
        .collect();
    record(&path, &entries, small_blocks());
    let rec = Recording::open(&path).unwrap();
    assert_eq!(all(&rec), entries);
}

/// The replay's scan of journal lines and summaries: every entry but the
/// ticks, in order, whichever blocks hold them.
#[test]
fn besides_ticks_is_every_entry_but_the_ticks() {
    let dir = temp_dir("besides");
    let path = dir.join("rec");
    // Forty seconds of ticks alone, then the timeline: blocks of ticks
    // only, passed over unread, and blocks with the rest.
    let mut entries: Vec<Entry> = (0..40).map(|s| tick(s, table(3, 2, s))).collect();
    entries.extend(timeline(95).into_iter().map(|e| match e {
        Entry::Tick(mut t) => {
            t.wall += Duration::from_secs(40);
            Entry::Tick(t)
        }
        Entry::Journal { wall, line } => Entry::Journal {
            wall: wall + Duration::from_secs(40),
            line,
        },
        Entry::Connections { wall, summary } => Entry::Connections {
            wall: wall + Duration::from_secs(40),
            summary,
        },
        Entry::Gap { wall, reason } => Entry::Gap {
            wall: wall + Duration::from_secs(40),
            reason,
        },
    }));
    record(&path, &entries, small_blocks());
    let rec = Recording::open(&path).unwrap();
    let expected: Vec<Entry> = entries
        .into_iter()
        .filter(|e| !matches!(e, Entry::Tick(_)))
        .collect();
    assert!(expected.len() > 10);
    assert_eq!(rec.besides_ticks().collect::<Vec<_>>(), expected);
}

#[test]
fn recording_again_appends_after_a_torn_tail() {
    let dir = temp_dir("append");
    let path = dir.join("rec");
    let entries = timeline(30);
    record(&path, &entries[..20], small_blocks());
    // A crash in the middle of a block: half of a block's bytes at the end.
    let whole = fs::read(&path).unwrap();
    let mut torn = whole.clone();
    torn.extend_from_slice(&whole[whole.len() - 50..whole.len() - 10]);
    torn[whole.len()..whole.len() + 4].copy_from_slice(&block::MAGIC);
    fs::write(&path, &torn).unwrap();
    assert!(!Recording::open(&path).unwrap().problems().is_empty());
    record(&path, &entries[20..], small_blocks());
    let rec = Recording::open(&path).unwrap();
    assert_eq!(rec.problems(), &[] as &[String]);
    assert_eq!(all(&rec), entries);
}

#[test]
fn rotation_keeps_the_newest_within_the_bound() {
    let dir = temp_dir("rotate");
    let path = dir.join("rec");
    let options = RecordOptions {
        max_bytes: 64 << 10,
        block_span: Duration::from_secs(2),
        ..RecordOptions::default()
    };
    let mut r = Recorder::create(&path, options.clone()).unwrap();
    let mut last = Vec::new();
    for s in 0..3000 {
        let e = tick(s, table(20, 10, s));
        r.append(&e).unwrap();
        last.push(e);
    }
    r.close().unwrap();
    let total: u64 = segments::oldest_first(&path)
        .iter()
        .map(|p| fs::metadata(p).unwrap().len())
        .sum();
    assert!(segments::rotated_count(&path) >= 2);
    // Within the bound, plus at most one block past a segment's end.
    assert!(total <= options.max_bytes + 4096, "{total} bytes");
    let rec = Recording::open(&path).unwrap();
    assert_eq!(rec.problems(), &[] as &[String]);
    let got = all(&rec);
    assert!(got.len() > 10 && got.len() < 3000, "{} entries", got.len());
    assert_eq!(got[..], last[last.len() - got.len()..]);
}

#[test]
fn a_corrupt_block_is_skipped_and_named() {
    let dir = temp_dir("corrupt");
    let path = dir.join("rec");
    let entries = timeline(40);
    record(&path, &entries, small_blocks());
    let clean = Recording::open(&path).unwrap();
    let blocks: Vec<u64> = clean.block_offsets();
    assert_eq!(blocks.len(), 4);
    let mut bytes = fs::read(&path).unwrap();
    let second = blocks[1] as usize;
    bytes[second + block::HEADER_LEN + 20] ^= 0x40;
    fs::write(&path, &bytes).unwrap();
    let rec = Recording::open(&path).unwrap();
    assert_eq!(rec.problems().len(), 1, "{:?}", rec.problems());
    let problem = &rec.problems()[0];
    assert!(problem.contains(&format!("byte {second}")), "{problem}");
    assert!(problem.contains("2027-01-15T08:00:10.000Z"), "{problem}");
    let got = all(&rec);
    let expected: Vec<Entry> = entries
        .iter()
        .filter(|e| e.wall() < at(10) || e.wall() >= at(20))
        .cloned()
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn a_newer_format_says_which_version_wrote_it() {
    let dir = temp_dir("newer");
    let path = dir.join("rec");
    let future = WriterVersion {
        lvstop: "lvstop 9.0.0".into(),
        format: FORMAT_VERSION + 1,
    };
    fs::write(&path, segment_header::encode(&future)).unwrap();
    let err = Recording::open(&path).err().unwrap().to_string();
    assert!(
        err.contains("lvstop 9.0.0") && err.contains("format 2"),
        "{err}"
    );
    let err = Recorder::create(&path, RecordOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("lvstop 9.0.0"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), segment_header::encode(&future));
}

#[test]
fn an_older_format_is_rotated_away_not_overwritten() {
    let dir = temp_dir("older");
    let path = dir.join("rec");
    let old = segment_header::encode(&WriterVersion {
        lvstop: "lvstop 0.0.1".into(),
        format: 0,
    });
    fs::write(&path, &old).unwrap();
    record(&path, &timeline(3), RecordOptions::default());
    assert_eq!(fs::read(segments::numbered(&path, 1)).unwrap(), old);
    assert_eq!(all(&Recording::open(&path).unwrap()), timeline(3));
}

#[test]
fn what_is_not_a_recording_is_never_touched() {
    let dir = temp_dir("foreign");
    let text = dir.join("notes.txt");
    fs::write(&text, "important\n").unwrap();
    let err = Recorder::create(&text, RecordOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("not an lvstop recording"), "{err}");
    assert_eq!(fs::read_to_string(&text).unwrap(), "important\n");
    assert!(Recording::open(&text).is_err());

    let link = dir.join("link");
    std::os::unix::fs::symlink(dir.join("target"), &link).unwrap();
    let err = Recorder::create(&link, RecordOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("symbolic link"), "{err}");
    assert!(!dir.join("target").exists());

    let err = Recorder::create(&dir, RecordOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn sizes_parse_and_bad_ones_name_the_flag() {
    assert_eq!(parse_size("500M"), Ok(500 << 20));
    assert_eq!(parse_size("2G"), Ok(2 << 30));
    assert_eq!(parse_size("64k"), Ok(64 << 10));
    assert_eq!(parse_size("1GiB"), Ok(1 << 30));
    assert_eq!(parse_size("1048576"), Ok(1 << 20));
    for bad in ["", "M", "5X", "-1G", "1.5G", "99999999999T"] {
        let err = parse_size(bad).unwrap_err();
        assert!(err.contains(&format!("'{bad}'")), "{err}");
    }
    assert!(parse_size("10K").unwrap_err().contains("too small"));
}

#[test]
fn the_writer_thread_writes_everything_sent() {
    let dir = temp_dir("thread");
    let path = dir.join("rec");
    let mut handle = RecordThread::spawn(Recorder::create(&path, small_blocks()).unwrap());
    let entries = timeline(25);
    for e in &entries {
        // A bounded queue: wait for room rather than drop in this test.
        while handle.is_recording() && !handle.send_or_wait(e.clone()) {}
    }
    assert_eq!(handle.finish(), Ok(()));
    assert_eq!(all(&Recording::open(&path).unwrap()), entries);
}

#[test]
fn a_sender_closes_the_recording_for_a_signal_exit() {
    let dir = temp_dir("signal");
    let path = dir.join("rec");
    let mut handle = RecordThread::spawn(Recorder::create(&path, small_blocks()).unwrap());
    let mut entries = timeline(25);
    for e in &entries {
        while handle.is_recording() && !handle.send_or_wait(e.clone()) {}
    }
    let sender = handle.sender().unwrap();
    let wall = entries.last().unwrap().wall() + Duration::from_secs(1);
    let reason = "recording stopped (the monitor was signalled)".to_string();
    // What the signal path does before the process exits: the owner's
    // `finish` never runs, yet the open block is on disk.
    assert!(sender.close_within(wall, reason.clone(), Duration::from_secs(10)));
    entries.push(Entry::Gap { wall, reason });
    assert_eq!(all(&Recording::open(&path).unwrap()), entries);
    assert!(
        !sender.send(entries[0].clone()),
        "closed: nothing more is taken"
    );
    drop(handle);
}

#[test]
fn a_full_queue_stops_the_recording_and_says_why() {
    let dir = temp_dir("full");
    let path = dir.join("rec");
    let mut handle =
        RecordThread::spawn_with_queue(Recorder::create(&path, small_blocks()).unwrap(), 0);
    // A rendezvous queue: the first send finds no writer waiting at least
    // once in a burst this long.
    let sent = (0..10_000).all(|s| handle.send(tick(s, table(1, 1, s))));
    assert!(!sent);
    assert!(!handle.is_recording());
    let why = handle.finish().unwrap_err();
    assert!(why.contains("fell behind"), "{why}");
}

/// Cuts the recording `bytes` at `cut`: what reads back is a prefix of
/// `entries`, and unless the cut fell between blocks, a problem says where
/// the recording stops.
fn cut_reads_a_prefix(bytes: &[u8], cut: usize, dir: &Path, entries: &[Entry]) {
    let whole = {
        let path = dir.join("whole");
        fs::write(&path, bytes).unwrap();
        Recording::open(&path).unwrap().block_offsets()
    };
    let path = dir.join(format!("cut-{cut}"));
    fs::write(&path, &bytes[..cut]).unwrap();
    let rec = Recording::open(&path).unwrap();
    let got: Vec<Entry> = match rec.span() {
        Some((from, to)) => rec.entries(from, to).collect(),
        None => Vec::new(),
    };
    assert_eq!(got[..], entries[..got.len()], "cut at {cut}");
    let header = segment_header::encode(&this_writer()).len();
    let between_blocks = whole.iter().any(|&o| o as usize == cut) || cut == bytes.len();
    if cut < header {
        assert!(rec.problems()[0].contains("cut short"), "cut at {cut}");
    } else if cut == header || between_blocks {
        assert_eq!(rec.problems(), &[] as &[String], "cut at {cut}");
    } else {
        assert!(
            rec.problems().iter().any(|p| p.contains("stops at byte")),
            "cut at {cut}: {:?}",
            rec.problems()
        );
    }
    fs::remove_file(&path).unwrap();
}

#[test]
fn a_recording_cut_at_every_block_boundary_reads_up_to_the_cut() {
    let dir = temp_dir("cut-blocks");
    let path = dir.join("rec");
    let entries = timeline(60);
    record(&path, &entries, small_blocks());
    let bytes = fs::read(&path).unwrap();
    let rec = Recording::open(&path).unwrap();
    let mut cuts: Vec<usize> = rec.block_offsets().iter().map(|&o| o as usize).collect();
    cuts.push(bytes.len());
    for (i, &cut) in cuts.iter().enumerate() {
        for c in [cut.saturating_sub(1), cut, cut + 1]
            .into_iter()
            .filter(|&c| c <= bytes.len())
        {
            cut_reads_a_prefix(&bytes, c, &dir, &entries);
        }
        let path = dir.join("exact");
        fs::write(&path, &bytes[..cut]).unwrap();
        let got = Recording::open(&path).unwrap();
        assert_eq!(got.problems(), &[] as &[String], "cut at block {i}");
        assert_eq!(got.ticks().len(), i * 10);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_recording_cut_anywhere_reads_up_to_the_cut(cut in 0usize..100_000) {
        let dir = temp_dir("cut-any");
        let path = dir.join("rec");
        let entries = timeline(40);
        record(&path, &entries, small_blocks());
        let bytes = fs::read(&path).unwrap();
        cut_reads_a_prefix(&bytes, cut % (bytes.len() + 1), &dir, &entries);
    }

    #[test]
    fn flipped_bytes_never_crash_the_reader(flips in prop::collection::vec((0usize..100_000, 1u8..=255), 1..8)) {
        let dir = temp_dir("flip");
        let path = dir.join("rec");
        record(&path, &timeline(30), small_blocks());
        let mut bytes = fs::read(&path).unwrap();
        let n = bytes.len();
        for (at, x) in flips {
            bytes[at % n] ^= x;
        }
        fs::write(&path, &bytes).unwrap();
        if let Ok(rec) = Recording::open(&path) {
            if let Some((from, to)) = rec.span() {
                let _ = rec.entries(from, to).count();
            }
        }
    }

    #[test]
    fn any_table_change_round_trips(steps in prop::collection::vec((0usize..12, 0usize..12, 0u64..50), 1..12)) {
        let dir = temp_dir("tables");
        let path = dir.join("rec");
        let entries: Vec<Entry> = steps
            .iter()
            .enumerate()
            .map(|(i, &(s, d, step))| tick(i as u64, table(s, d, step)))
            .collect();
        record(&path, &entries, small_blocks());
        let rec = Recording::open(&path).unwrap();
        prop_assert_eq!(all(&rec), entries);
    }
}

/// A poll's part: the whole services list or some services, with some of
/// their real servers.
fn part(t: &Snapshot, whole: bool, services: &[usize], dests: &[usize]) -> TablePart {
    TablePart {
        wall: at(0),
        took: Duration::from_millis(3),
        interval: Duration::from_secs(1),
        estimator: Some(true),
        info: t.info,
        whole,
        services: if whole {
            t.services.iter().map(|e| e.service.clone()).collect()
        } else {
            services
                .iter()
                .map(|&i| t.services[i].service.clone())
                .collect()
        },
        dests: dests
            .iter()
            .map(|&i| (t.services[i].service.key, t.services[i].dests.clone()))
            .collect(),
    }
}

#[test]
fn partial_polls_merge_into_the_table_the_monitor_knows() {
    let mut merge = table_part::TableMerge::default();
    let first = table(6, 4, 1);
    // The first poll reads everything.
    let all_dests: Vec<usize> = (0..6).collect();
    assert_eq!(
        merge.tick(part(&first, true, &[], &all_dests)).snapshot,
        first
    );
    // Then services 1 and 2 re-read with their real servers: the rest keep
    // the first reading.
    let second = table(6, 4, 2);
    let got = merge.tick(part(&second, false, &[1, 2], &[1, 2])).snapshot;
    for i in 0..6 {
        let from = if i == 1 || i == 2 { &second } else { &first };
        assert_eq!(got.services[i], from.services[i], "service {i}");
    }
    // A whole list without service 0: it is gone; the others keep theirs.
    let mut third = table(6, 4, 3);
    third.services.remove(0);
    let got = merge.tick(part(&third, true, &[], &[])).snapshot;
    assert_eq!(got.services.len(), 5);
    assert_eq!(got.services[0].service, third.services[0].service);
    assert_eq!(got.services[0].dests, second.services[1].dests);
}

/// The merge keeps where each service stands between polls: a listing in
/// another order, then a poll reading one service's real servers, puts
/// them on that service.
#[test]
fn a_reordered_listing_moves_where_real_servers_go() {
    let mut merge = table_part::TableMerge::default();
    let first = table(5, 3, 1);
    let all: Vec<usize> = (0..5).collect();
    merge.tick(part(&first, true, &[], &all));
    let mut reordered = table(5, 3, 2);
    reordered.services.reverse();
    merge.tick(part(&reordered, true, &[], &[]));
    let got = merge.tick(part(&reordered, false, &[], &[0])).snapshot;
    assert_eq!(got.services[0], reordered.services[0]);
    assert_eq!(got.services[4].service, reordered.services[4].service);
    assert_eq!(got.services[4].dests, first.services[0].dests);
}

/// Polls that each re-read some services' real servers, written with the
/// merge's hint (only those compared and copied) and without it: the same
/// file, byte for byte, reading back as the tables merged. Blocks of a few
/// ticks, a reordered listing, a service gone and one new between them.
#[test]
fn a_poll_reading_a_subset_records_the_same_file_as_a_whole_compare() {
    let dir = temp_dir("hinted");
    let options = RecordOptions {
        block_span: Duration::from_secs(4),
        ..RecordOptions::default()
    };
    let mut hinted = Recorder::create(&dir.join("hinted"), options.clone()).unwrap();
    let mut whole = Recorder::create(&dir.join("whole"), options).unwrap();
    let mut merge = table_part::TableMerge::default();
    let mut ticks = Vec::new();
    for step in 0..20u64 {
        let mut t = table(9, 5, step);
        if step == 8 {
            t.services.reverse();
        }
        if step >= 12 {
            t.services.remove(3);
        }
        let all: Vec<usize> = (0..t.services.len()).collect();
        let mut p = match step {
            0 | 8 => part(&t, true, &[], &all),
            // A service on screen re-read alone: new to the table at 15.
            15 => part(&t, false, &[2], &[2]),
            s => {
                let slice: Vec<usize> = all
                    .iter()
                    .copied()
                    .filter(|i| i % 3 == s as usize % 3)
                    .collect();
                part(&t, s % 2 == 0, &slice, &slice)
            }
        };
        if step == 15 {
            let mut fresh = table(12, 3, step).services.remove(11);
            fresh.service.key = ServiceKey::Fwmark {
                family: Family::V4,
                mark: 999,
            };
            p.services.push(fresh.service.clone());
            p.dests.push((fresh.service.key, fresh.dests));
        }
        p.wall = at(step);
        merge.with_tick(p, |entry, hint| {
            assert!(hint.is_some());
            hinted.append_hinted(entry, hint).unwrap();
            whole.append(entry).unwrap();
            ticks.push(entry.clone());
        });
    }
    hinted.close().unwrap();
    whole.close().unwrap();
    let (a, b) = (
        fs::read(dir.join("hinted")).unwrap(),
        fs::read(dir.join("whole")).unwrap(),
    );
    assert!(
        a == b,
        "the hinted recording differs from the whole compare"
    );
    let rec = Recording::open(&dir.join("hinted")).unwrap();
    assert_eq!(rec.problems(), &[] as &[String]);
    assert_eq!(all(&rec), ticks);
}

/// A block closes on the bytes of its changes after its first table (what
/// a jump into it decodes), not on the table's own size: a table bigger
/// than the bound still makes minute-long blocks when it does not move.
#[test]
fn a_block_is_bounded_by_its_changes_not_by_its_table() {
    let dir = temp_dir("block-bytes");
    let options = RecordOptions {
        block_span: Duration::from_secs(60),
        block_bytes: 2 << 10,
        ..RecordOptions::default()
    };
    let still = dir.join("still");
    let mut r = Recorder::create(&still, options.clone()).unwrap();
    for s in 0..30 {
        r.append(&tick(s, table(20, 10, 7))).unwrap();
    }
    r.close().unwrap();
    let rec = Recording::open(&still).unwrap();
    assert_eq!(rec.ticks().len(), 30);
    assert_eq!(rec.block_offsets().len(), 1, "a block for each tick");

    let moving = dir.join("moving");
    let mut r = Recorder::create(&moving, options).unwrap();
    for s in 0..30 {
        r.append(&tick(s, table(20, 10, s))).unwrap();
    }
    r.close().unwrap();
    let rec = Recording::open(&moving).unwrap();
    assert_eq!(rec.ticks().len(), 30);
    let blocks = rec.block_offsets().len();
    assert!((2..30).contains(&blocks), "{blocks} blocks");
}
