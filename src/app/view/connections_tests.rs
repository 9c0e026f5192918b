use std::net::IpAddr;

use super::*;
use crate::conns::{ConnRequest, Scope};
use crate::model::{Protocol, ServiceKey};

fn service() -> ServiceKey {
    ServiceKey::Addr {
        protocol: Protocol::Tcp,
        addr: "192.0.2.10".parse().unwrap(),
        port: 80,
    }
}

fn real(last: u8) -> DestKey {
    DestKey {
        addr: IpAddr::from([10, 1, 0, last]),
        port: 80,
    }
}

fn opened() -> ConnView {
    let mut v = ConnView::open(Scope::service(service()), 5);
    v.take_requests();
    v
}

const LENS: Lens = Lens {
    servers: 3,
    entries: 12,
};

fn typed(v: &mut ConnView, text: &str) -> Outcome {
    v.update(Action::FilterStart, LENS);
    for c in text.chars() {
        v.update(Action::FilterChar(c), LENS);
    }
    v.update(Action::FilterAccept, LENS)
}

#[test]
fn opening_asks_for_a_reading_of_its_scope() {
    let scope = Scope {
        dest: Some(real(2)),
        ..Scope::service(service())
    };
    let mut v = ConnView::open(scope.clone(), 5);
    assert_eq!(v.take_requests(), [ConnRequest::Open(scope)]);
    assert!(v.take_requests().is_empty(), "asked once");
}

/// A filter applies on Enter and asks for a new reading; a bad one is
/// refused in words and the filter before it stays.
#[test]
fn a_client_filter_applies_on_enter_and_a_bad_one_changes_nothing() {
    let mut v = opened();
    typed(&mut v, "10.9.0.0/16");
    assert_eq!(v.query().clients.unwrap().to_string(), "10.9.0.0/16");
    assert_eq!(v.take_requests(), [ConnRequest::Open(v.query().clone())]);
    assert_eq!(v.typing(), None);

    typed(&mut v, "/40");
    // (typed after the filter in force: `10.9.0.0/16/40`)
    assert_eq!(v.query().clients.unwrap().to_string(), "10.9.0.0/16");
    let e = v.error().unwrap();
    assert!(
        e.starts_with("client filter: ") && e.contains("0 to 32"),
        "{e}"
    );
    assert!(v.take_requests().is_empty(), "nothing new to read");

    // Typing again starts from the filter in force, and clears the error.
    v.update(Action::FilterStart, LENS);
    assert_eq!(v.typing(), Some("10.9.0.0/16"));
    assert_eq!(v.error(), None);
    // Esc while typing clears the filter.
    v.update(Action::Escape, LENS);
    assert_eq!(v.query().clients, None);
    assert_eq!(v.typing(), None);
    assert_eq!(v.take_requests(), [ConnRequest::Open(v.query().clone())]);
}

/// What reaches the filter is what an address is made of, and no more
/// than the longest prefix: a pasted escape sequence never gets in.
#[test]
fn the_filter_takes_only_address_characters_and_is_capped() {
    let mut v = opened();
    v.update(Action::FilterStart, LENS);
    for c in "\u{1b}[2J10.0.0.1 zz\n".chars() {
        v.update(Action::FilterChar(c), LENS);
    }
    assert_eq!(v.typing(), Some("210.0.0.1"));
    // The longest an address and prefix can be, and no more.
    for _ in 0..100 {
        v.update(Action::FilterChar('f'), LENS);
    }
    assert_eq!(v.typing().unwrap().len(), CLIENT_FILTER_MAX);
    v.update(Action::FilterBackspace, LENS);
    assert_eq!(v.typing().unwrap().len(), CLIENT_FILTER_MAX - 1);
}

#[test]
fn cursors_move_within_their_list() {
    let mut v = opened();
    v.update(Action::Down, LENS);
    v.update(Action::Down, LENS);
    v.update(Action::Down, LENS);
    assert_eq!(v.servers_cursor().at, 2, "three real servers");
    v.update(Action::Home, LENS);
    assert_eq!(v.servers_cursor().at, 0);
    assert_eq!(v.update(Action::ConnEntries, LENS), Outcome::Drill);
    v.drill(Some(real(1)));
    v.update(Action::PageDown, LENS);
    assert_eq!(v.entries_cursor(), ListCursor { at: 5, offset: 1 });
    v.update(Action::End, LENS);
    assert_eq!(v.entries_cursor(), ListCursor { at: 11, offset: 7 });
    v.update(Action::PageUp, LENS);
    assert_eq!(v.entries_cursor().at, 6);
    // A list that shrank keeps the cursor inside.
    v.clamp(Lens {
        servers: 1,
        entries: 2,
    });
    assert_eq!(v.entries_cursor(), ListCursor { at: 1, offset: 0 });
    assert_eq!(v.servers_cursor().at, 0);
    // An empty list: the cursor stays at its start.
    v.update(Action::Down, Lens::default());
    assert_eq!(v.entries_cursor(), ListCursor::default());
}

/// Enter narrows to the real server under the cursor (a new reading);
/// Esc goes back to the scope the view was opened on, then out.
#[test]
fn drill_down_narrows_and_esc_goes_back_then_out() {
    let mut v = opened();
    assert_eq!(v.update(Action::Toggle, LENS), Outcome::Drill);
    v.drill(Some(real(3)));
    assert!(v.entries());
    assert_eq!(v.query().dest, Some(real(3)));
    assert_eq!(v.take_requests(), [ConnRequest::Open(v.query().clone())]);
    // Enter in the drill-down does nothing more.
    assert_eq!(v.update(Action::ConnEntries, LENS), Outcome::Done);
    assert_eq!(v.update(Action::Escape, LENS), Outcome::Done);
    assert!(!v.entries());
    assert_eq!(v.query(), v.opened());
    assert_eq!(v.take_requests(), [ConnRequest::Open(v.query().clone())]);
    assert_eq!(v.update(Action::Escape, LENS), Outcome::Closed);
    assert_eq!(v.take_requests(), [ConnRequest::Close]);
}

/// Opened on a real server, the drill-down stays on it: no new reading.
#[test]
fn drill_down_of_a_real_server_scope_reads_nothing_new() {
    let scope = Scope {
        dest: Some(real(2)),
        ..Scope::service(service())
    };
    let mut v = ConnView::open(scope, 5);
    v.take_requests();
    v.drill(Some(real(2)));
    v.update(Action::Left, LENS);
    assert!(!v.entries(), "← leaves the drill-down too");
    assert!(v.take_requests().is_empty());
    assert_eq!(
        v.update(Action::Left, LENS),
        Outcome::Done,
        "← in the summary stays"
    );
    assert_eq!(v.update(Action::Connections, LENS), Outcome::Closed);
}

#[test]
fn o_sorts_the_list_in_view_and_capital_o_reverses_it() {
    let mut v = opened();
    let servers: Vec<ServerSort> = (0..4)
        .map(|_| {
            v.update(Action::SortNext, LENS);
            v.server_sort().0
        })
        .collect();
    assert_eq!(
        servers,
        [
            ServerSort::HalfOpen,
            ServerSort::Established,
            ServerSort::Address,
            ServerSort::Entries
        ]
    );
    v.update(Action::SortReverse, LENS);
    assert_eq!(v.server_sort(), (ServerSort::Entries, true));
    v.drill(None);
    v.update(Action::SortNext, LENS);
    assert_eq!(v.entry_sort(), (EntrySort::Expires, false));
    v.update(Action::SortReverse, LENS);
    assert_eq!(v.entry_sort(), (EntrySort::Expires, true));
    assert_eq!(
        v.server_sort(),
        (ServerSort::Entries, true),
        "each list keeps its own"
    );
}

#[test]
fn e_asks_for_an_exact_read_or_cancels_the_one_running() {
    let mut v = opened();
    v.exact(false);
    v.exact(true);
    assert_eq!(
        v.take_requests(),
        [ConnRequest::Exact, ConnRequest::CancelExact]
    );
}

/// Keys of the table that mean nothing here change nothing here.
#[test]
fn table_keys_do_nothing_in_the_view() {
    let mut v = opened();
    let before = format!("{v:?}");
    for a in [
        Action::Right,
        Action::NextAlert,
        Action::Select(2),
        Action::FilterChar('x'),
        Action::FilterBackspace,
        Action::FilterAccept,
    ] {
        assert_eq!(v.update(a, LENS), Outcome::Done, "{a:?}");
    }
    assert_eq!(format!("{v:?}"), before);
}
