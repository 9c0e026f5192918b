//! A filter that matches real servers shows them: their service opens
//! while the filter is on and goes back as it was once it is cleared; the
//! cursor lands on the first row that matches.

use super::action::Action;
use super::table::Row;
use super::test_polls::{app, poll};
use super::App;
use crate::testkit::FakeTable;

fn typed(a: &mut App, text: &str) {
    a.update(Action::FilterStart);
    for c in text.chars() {
        a.update(Action::FilterChar(c));
    }
}

fn position(a: &App, key: &str) -> usize {
    a.store()
        .services()
        .iter()
        .position(|s| s.service().key.to_string() == key)
        .unwrap()
}

#[test]
fn a_real_server_match_opens_its_service_until_cleared() {
    let mut t = FakeTable::sample();
    let mut a = app();
    t.advance(1, true);
    a.apply(poll(&t, 1));
    let dns = position(&a, "UDP 192.0.2.53:53");
    typed(&mut a, "10.1.2.2");
    assert_eq!(a.view().rows(), [Row::Service(dns), Row::Dest(dns, 1)]);
    assert_eq!(
        a.view().selected_row(),
        Some(Row::Dest(dns, 1)),
        "on the match"
    );
    assert!(!a
        .view()
        .is_expanded(&a.store().services()[dns].service().key));
    // A poll keeps it shown.
    t.advance(1, true);
    a.apply(poll(&t, 2));
    assert_eq!(a.view().rows(), [Row::Service(dns), Row::Dest(dns, 1)]);
    a.update(Action::FilterAccept);
    a.update(Action::Escape);
    assert_eq!(a.view().rows().len(), 4, "collapsed again, as it was");
    assert_eq!(a.view().selected_row(), Some(Row::Service(dns)));
}

#[test]
fn a_service_opened_by_hand_keeps_all_its_real_servers() {
    let mut t = FakeTable::sample();
    let mut a = app();
    t.advance(1, true);
    a.apply(poll(&t, 1));
    let dns = position(&a, "UDP 192.0.2.53:53");
    let row = a.view().rows().iter().position(|r| *r == Row::Service(dns));
    a.update(Action::Select(row.unwrap()));
    a.update(Action::Right);
    typed(&mut a, "10.1.2.2");
    assert_eq!(
        a.view().rows(),
        [Row::Service(dns), Row::Dest(dns, 0), Row::Dest(dns, 1)]
    );
    assert_eq!(a.view().selected_row(), Some(Row::Dest(dns, 1)));
    a.update(Action::Escape);
    assert!(a
        .view()
        .is_expanded(&a.store().services()[dns].service().key));
    assert_eq!(a.view().rows().len(), 6, "still open after clearing");
}

#[test]
fn the_cursor_lands_on_the_first_match_as_the_filter_is_typed() {
    let mut t = FakeTable::sample();
    let mut a = app();
    t.advance(1, true);
    a.apply(poll(&t, 1));
    a.update(Action::End);
    // `:443` matches the HTTPS service's own line and its real servers'.
    typed(&mut a, ":443");
    let https = position(&a, "TCP 192.0.2.10:443");
    assert_eq!(a.view().selected_row(), Some(Row::Service(https)));
    assert_eq!(
        a.view().rows().len(),
        3,
        "the service and its 2 real servers"
    );
    // A scheduler matches service lines only: nothing opens.
    a.update(Action::Escape);
    typed(&mut a, "wlc");
    let http = position(&a, "TCP 192.0.2.10:80");
    assert_eq!(a.view().rows(), [Row::Service(http)]);
    assert_eq!(a.view().selected_row(), Some(Row::Service(http)));
}
