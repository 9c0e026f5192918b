//! The kit's fakes do what the tests built on them rely on.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use ratatui::buffer::Buffer;

use super::*;
use crate::backend::{Error, ErrorKind, Reader, Writer};
use crate::clock::Clock;
use crate::model::{Change, Dest, Timeouts};

fn io(m: &str) -> Error {
    Error::new(ErrorKind::Io, m)
}

#[test]
fn failures_hit_only_the_calls_they_name_until_healed() {
    let mut b = FakeReader::new(FakeTable::sample());
    b.fail(CallKind::Info, Calls::Nth(2), io("second"));
    b.fail(CallKind::Timeouts, Calls::From(2), io("from the second"));
    assert!(b.info().is_ok());
    assert_eq!(b.info().unwrap_err().to_string(), "second");
    assert!(b.info().is_ok());
    assert!(b.timeouts().is_ok());
    assert!(b.timeouts().is_err());
    assert!(b.timeouts().is_err());
    b.fail_reads(io("down"));
    assert_eq!(b.services().unwrap_err().to_string(), "down");
    b.heal();
    assert_eq!(b.services().unwrap().len(), 4);
    assert!(b.timeouts().is_ok());
}

#[test]
fn calls_are_logged_in_order_and_taken_by_kind() {
    let mut b = FakeReader::new(FakeTable::sample());
    let keys: Vec<_> = b.services().unwrap().iter().map(|s| s.key).collect();
    b.dests(&keys[1]).unwrap();
    b.service(&keys[0]).unwrap();
    b.dests(&keys[2]).unwrap();
    let kinds: Vec<CallKind> = b.calls().iter().map(|r| r.call.kind()).collect();
    use CallKind::*;
    assert_eq!(kinds, [Services, Dests, Service, Dests]);
    assert_eq!(b.keys(Dests), [keys[1], keys[2]]);
    assert_eq!(b.take_keys(Dests), [keys[1], keys[2]]);
    assert!(b.keys(Dests).is_empty());
    assert_eq!(b.keys(Service), [keys[0]]);
    // Counts are since the start, whatever was taken.
    assert_eq!(b.count(Dests), 2);
    let quiet = FakeReader::new(FakeTable::sample()).unrecorded();
    quiet.clone().info().unwrap();
    assert!(quiet.calls().is_empty());
    assert_eq!(quiet.count(Info), 1);
}

#[test]
fn latency_takes_the_clocks_time_and_calls_carry_it() {
    let clock = Arc::new(ManualClock::new(SystemTime::UNIX_EPOCH));
    let mut b = FakeReader::new(FakeTable::sample()).on_clock(clock.clone());
    b.latency(CallKind::Services, Duration::from_secs(4));
    b.info().unwrap();
    b.services().unwrap();
    assert_eq!(clock.now(), Duration::from_secs(4));
    let at: Vec<Duration> = b.calls().iter().map(|r| r.at).collect();
    assert_eq!(at, [Duration::ZERO, Duration::from_secs(4)]);
}

#[test]
fn hooks_run_in_order_on_the_table_before_the_call() {
    let mut b = FakeReader::new(FakeTable::empty());
    let seen = Arc::new(Mutex::new(Vec::new()));
    for n in [1, 2] {
        let seen = seen.clone();
        b.before(CallKind::Info, move |t, call| {
            assert_eq!(*call, Call::Info);
            t.info.conn_tab_size = n;
            seen.lock().unwrap().push(n);
        });
    }
    assert_eq!(b.info().unwrap().conn_tab_size, 2);
    assert_eq!(*seen.lock().unwrap(), [1, 2]);
}

#[test]
fn clones_share_the_table_the_log_and_the_estimator() {
    let a = FakeReader::new(FakeTable::empty());
    let mut b = a.clone();
    assert_eq!(b.estimator_running(), None);
    a.report_estimator(Some(false));
    assert_eq!(b.estimator_running(), Some(false));
    a.inner().timeouts.udp = 5;
    assert_eq!(b.timeouts().unwrap().udp, 5);
    assert_eq!(a.count(CallKind::Timeouts), 1);
}

#[test]
fn changes_land_in_the_table_and_are_recorded() {
    let mut b = FakeBackend::new(FakeTable::empty());
    let vip = tcp("192.0.2.1".parse().unwrap(), 80);
    let service = crate::model::Service::new(vip, "rr");
    let mut dest = Dest::new("10.0.0.1".parse().unwrap(), 80);
    b.apply(&Change::AddService(service.clone())).unwrap();
    let again = b.apply(&Change::AddService(service.clone()));
    assert_eq!(again.unwrap_err().kind(), ErrorKind::Exists);
    b.apply(&Change::AddDest {
        service: vip,
        dest: dest.clone(),
    })
    .unwrap();
    dest.weight = 7;
    b.apply(&Change::EditDest {
        service: vip,
        dest: dest.clone(),
    })
    .unwrap();
    assert_eq!(b.dests(&vip).unwrap(), [dest.clone()]);
    b.apply(&Change::DeleteDest {
        service: vip,
        dest: dest.key(),
    })
    .unwrap();
    assert!(b.dests(&vip).unwrap().is_empty());
    let t = Timeouts {
        tcp: 1,
        tcp_fin: 2,
        udp: 3,
    };
    b.apply(&Change::SetTimeouts(t)).unwrap();
    assert_eq!(b.timeouts().unwrap(), t);
    b.apply(&Change::Flush).unwrap();
    let gone = b.apply(&Change::DeleteService(vip));
    assert_eq!(gone.unwrap_err().kind(), ErrorKind::NotFound);
    // Refused changes are recorded too: they reached the backend.
    assert_eq!(b.changes().len(), 8);
    assert!(b.services().unwrap().is_empty());
}

#[test]
fn zeroing_clears_the_counters_of_the_service_named() {
    let mut t = FakeTable::sample();
    t.advance(10, true);
    let first = t.services[0].0.key;
    t.apply(&Change::Zero(Some(first))).unwrap();
    assert_eq!(t.services[0].0.stats, Default::default());
    assert!(t.services[0]
        .1
        .iter()
        .all(|(d, _)| d.stats == Default::default()));
    assert_ne!(t.services[1].0.stats, Default::default());
    t.apply(&Change::Zero(None)).unwrap();
    assert_eq!(t.services[1].0.stats, Default::default());
}

#[test]
fn the_screen_reads_as_trimmed_text_or_whole_rows() {
    let buf = Buffer::with_lines(["ab  ", " c  "]);
    assert_eq!(screen::text(&buf), "ab\n c\n");
    assert_eq!(screen::rows(&buf), ["ab  ", " c  "]);
}

#[test]
fn keys_read_as_characters_and_named_keys() {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let key = |c, m| Event::Key(KeyEvent::new(c, m));
    let none = KeyModifiers::NONE;
    assert_eq!(
        key_events("a<<Enter><S-Tab><PgDn>"),
        [
            key(KeyCode::Char('a'), none),
            key(KeyCode::Char('<'), none),
            key(KeyCode::Enter, none),
            key(KeyCode::Tab, KeyModifiers::SHIFT),
            key(KeyCode::PageDown, none),
        ]
    );
}
