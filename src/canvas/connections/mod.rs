//! The connections view (`c`): who is connected where, in what state. A
//! title line (scope, exact or sampled, how old), then either the summary
//! (counts by state per real server, templates and what they pin, top
//! clients) or the drill-down to the entries as `ipvsadm -Lnc` prints them.
//! Sampled counts always carry `~`; an empty state says why in words.

mod entries;
pub mod footer;
pub(super) mod numbers;
mod sections;
mod servers;

use std::time::SystemTime;

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::view::connections::ConnView;
use crate::app::view::lists::ConnLists;
use crate::app::App;
use crate::conns::{ConnReading, Made, Sampling};
use crate::output::addr_port;

use super::time::{clock, TimeZone};
use super::Palette;

use numbers::{count_text, grouped};

/// What the store holds for the view, in the terms the drawing needs.
struct Shown<'a> {
    /// The latest reading of the view's service (perhaps of an older scope
    /// or filter: then `current` is false).
    reading: Option<&'a ConnReading>,
    current: bool,
    /// Why the last read failed, in words.
    error: Option<&'a str>,
    /// Why the exact read asked for stopped.
    exact_error: Option<&'a str>,
    /// An exact read under way: percent done.
    progress: Option<u8>,
    /// When the table was last polled, for the reading's age.
    polled: Option<SystemTime>,
}

impl<'a> Shown<'a> {
    fn of(app: &'a App, view: &ConnView) -> Shown<'a> {
        let store = app.store().connections();
        let reading = store
            .reading()
            .map(|r| &**r)
            .filter(|r| r.scope.service == view.opened().service);
        Shown {
            current: reading.is_some_and(|r| *view.query() == r.scope),
            reading,
            error: store.view_failure().map(|f| f.error.as_str()),
            exact_error: store.exact_failure().map(|f| f.error.as_str()),
            progress: store.exact_progress().map(|p| p.percent()),
            polled: app.store().poll_status().last_ok,
        }
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, palette: &Palette, tz: TimeZone) {
    let Some(view) = app.view().connections() else {
        return;
    };
    if area.height == 0 {
        return;
    }
    let shown = Shown::of(app, view);
    let title = Rect { height: 1, ..area };
    frame.render_widget(Paragraph::new(title_line(app, view, &shown, tz)), title);
    let body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    let Some(reading) = shown.reading else {
        let why = match shown.error {
            Some(e) => Line::styled(
                format!("no connections read: {e}"),
                Style::default().fg(palette.alert),
            ),
            _ => Line::styled(
                "reading the connection table…",
                Style::default().add_modifier(Modifier::DIM),
            ),
        };
        frame.render_widget(Paragraph::new(why).wrap(Wrap { trim: true }), body);
        return;
    };
    let lists = ConnLists::new(&reading.dests, &reading.entries, view);
    let exact = app.view().exact();
    if view.entries() {
        let recorded = app.replay().is_some();
        entries::draw(frame, body, reading, &lists, view, recorded, palette);
    } else {
        let used = servers::draw(frame, body, reading, &lists, view, exact, palette);
        let rest = Rect {
            y: body.y + used,
            height: body.height.saturating_sub(used),
            ..body
        };
        sections::draw(frame, rest, reading, exact, palette);
    }
}

/// `connections TCP 192.0.2.10:80 › 10.1.0.2:80  clients 203.0.113.0/24 ·
/// 2 s old · sampled 4,000 of ~1.2M, ±19 %`.
fn title_line(app: &App, view: &ConnView, shown: &Shown, tz: TimeZone) -> Line<'static> {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let dim = Style::default().add_modifier(Modifier::DIM);
    let query = view.query();
    let mut spans = vec![
        Span::styled("connections ", dim),
        Span::styled(query.service.to_string(), bold),
    ];
    if let Some(d) = query.dest {
        spans.push(Span::raw(" › "));
        spans.push(Span::styled(addr_port(&d.addr, d.port), bold));
    }
    if let Some(p) = query.clients {
        spans.push(Span::styled("  clients ", dim));
        spans.push(Span::styled(p.to_string(), bold));
    }
    if app.store().service(&query.service).is_none() {
        spans.push(Span::raw("  (no longer in the table)"));
    }
    if let Some(r) = shown.reading {
        // How old first: on a narrow screen the margin's words go first.
        // Its age at the last poll; before any, its time of day.
        let age = match shown.polled.and_then(|p| p.duration_since(r.wall).ok()) {
            Some(d) => format!("{} s old", d.as_secs()),
            None => format!("read {}", clock(r.wall, tz)),
        };
        spans.push(Span::styled(format!(" · {age} · "), dim));
        spans.push(Span::raw(how_read(r)));
        if !r.origins_read {
            // Read from ip_vs_conn: which entries a master synced is unknown.
            spans.push(Span::styled(
                " · origin not read: no backup sync daemon",
                dim,
            ));
        }
        if !shown.current {
            spans.push(Span::raw(" · reading the new scope…"));
        }
    }
    if let Some(pct) = shown.progress {
        spans.push(Span::styled(format!(" · exact read {pct} %"), bold));
    }
    if let Some(e) = shown.exact_error {
        spans.push(Span::raw(format!(" · exact read stopped: {e}")));
    }
    if let (Some(e), Some(_)) = (shown.error, shown.reading) {
        spans.push(Span::raw(format!(" · last read failed: {e}")));
    }
    Line::from(spans)
}

/// `exact` (`exact, read over 3 refreshes, kept`: asked for, it stays until
/// another is) or `sampled 4,000 of ~1.2M, ±19 %`: the margin of the scope's
/// count at 95 %, relative to it.
fn how_read(r: &ConnReading) -> String {
    match r.sampling {
        Sampling::Exact => match r.made {
            Made::OneGo => "exact".into(),
            Made::Spread { refreshes } => {
                format!("exact, read over {refreshes} refreshes, kept")
            }
        },
        Sampling::Sampled { read, expected } => {
            let total = r.count(r.total.entries());
            let margin = match total.value() {
                0 => format!("±{}", grouped(total.margin())),
                v => format!("±{} %", (total.margin() * 100).div_ceil(v)),
            };
            format!(
                "sampled {} of ~{}, {margin}",
                grouped(read),
                count_text(crate::conns::Count::Exact { value: expected }, false),
            )
        }
    }
}
