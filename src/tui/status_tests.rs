//! The status line on the whole monitor: messages that expire on the
//! monitor's clock, and the sort and filter state at every size.

use std::time::Duration;

use super::tests::{snapshot_all, Harness};
use crate::app::editing::{Reply, Request};
use crate::app::status_line::{ERROR_SHOWN, SUCCESS_SHOWN};
use crate::app::table::SortColumn;
use crate::poll::Report;

fn footer(h: &mut Harness) -> String {
    h.screen().lines().last().unwrap_or_default().to_string()
}

#[test]
fn a_refusal_stays_longer_than_a_success_then_the_hints_return() {
    let mut h = Harness::new(80, 24);
    h.ticks(2);
    // On a service row, `x` (drain) asks for a real server.
    h.keys("x");
    let refusal = footer(&mut h);
    assert!(
        refusal.starts_with("select a real server first"),
        "{refusal}"
    );
    h.clock.advance(SUCCESS_SHOWN);
    assert_eq!(
        footer(&mut h),
        refusal,
        "an error outlasts a success's time"
    );
    h.clock.advance(ERROR_SHOWN - SUCCESS_SHOWN);
    let after = footer(&mut h);
    assert!(after.starts_with("?/F1 help"), "{after}");

    h.monitor.report(Report::Edit(Reply {
        request: Request::Undo { of: "1".into() },
        result: Ok("undone: ipvsadm -e -t 10.0.0.1:80 -r 10.1.0.1:80 -w 3".into()),
    }));
    assert!(footer(&mut h).starts_with("undone: ipvsadm -e"));
    h.clock.advance(SUCCESS_SHOWN - Duration::from_millis(1));
    assert!(footer(&mut h).starts_with("undone: ipvsadm -e"));
    h.clock.advance(Duration::from_millis(1));
    assert!(footer(&mut h).starts_with("?/F1 help"));
}

#[test]
fn a_new_message_replaces_the_old_at_once() {
    let mut h = Harness::new(120, 40);
    h.ticks(2);
    h.keys("x");
    h.monitor.report(Report::Edit(Reply {
        request: Request::Undo { of: "1".into() },
        result: Err("nothing to undo".into()),
    }));
    let line = footer(&mut h);
    assert!(line.starts_with("nothing to undo"), "{line}");
    assert!(!line.contains("select a real server"), "{line}");
}

/// Sorted by CPS, biggest first, with a kept filter: both named on the
/// right of the status line, at 80 columns too.
#[test]
fn sort_and_filter_state_always_shown() {
    // `o` offers only the columns on screen: how many presses reach CPS
    // depends on the width.
    let sort_by_cps = |h: &mut Harness| {
        for _ in 0..12 {
            if h.monitor.app.view().sort() == SortColumn::Cps {
                break;
            }
            h.keys("o");
        }
        assert_eq!(h.monitor.app.view().sort(), SortColumn::Cps);
    };
    snapshot_all("status_sort_and_filter", |h| {
        h.ticks(4);
        sort_by_cps(h);
        h.keys("/10.1.0<Enter>");
        h.ticks(1);
    });
    let mut h = Harness::new(80, 24);
    h.ticks(2);
    sort_by_cps(&mut h);
    h.keys("O/10.1.0<Enter>");
    let line = footer(&mut h);
    assert!(line.ends_with("sort CPS ▲  filter 10.1.0"), "{line}");
    // While a message is shown, the state stays on the right. The filter
    // put the cursor on the first matching real server: ← goes up to the
    // service, where `x` asks for a real server.
    h.keys("<Left>x");
    let line = footer(&mut h);
    assert!(line.starts_with("select a real server"), "{line}");
    assert!(line.ends_with("sort CPS ▲  filter 10.1.0"), "{line}");
}
