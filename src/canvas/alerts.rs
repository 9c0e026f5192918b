//! Alerts on screen: a real server's alert cell, its service's roll-up
//! (`⚠2`) and the header line naming the worst. Red and yellow mean an
//! alert and nothing else: the draining mark is neutral.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::app::alerts::Severity;
use crate::app::{App, DestRow, ServiceRow};
use crate::output::addr_port;

use super::Palette;

/// The colour of an alert of `severity`.
pub fn colour(severity: Severity, palette: &Palette) -> Color {
    match severity {
        Severity::Critical => palette.alert,
        Severity::Warning => palette.warn,
    }
}

/// A real server's cell: its alert, or the neutral draining mark.
pub fn dest_cell(d: &DestRow, palette: &Palette) -> (String, Option<Color>) {
    match d.alert() {
        Some(a) => (
            format!("⚠ {}", a.label()),
            Some(colour(a.severity(), palette)),
        ),
        None if d.draining() => ("draining".into(), None),
        None => (String::new(), None),
    }
}

/// A service's cell, collapsed or not: how many of its real servers have
/// an alert, in the colour of the worst.
pub fn service_cell(row: &ServiceRow, palette: &Palette) -> (String, Option<Color>) {
    if row.alerts() == 0 {
        return (String::new(), None);
    }
    let worst = row
        .dests()
        .iter()
        .filter_map(|d| d.alert())
        .map(|a| a.severity())
        .max();
    (
        format!("⚠{}", row.alerts()),
        worst.map(|s| colour(s, palette)),
    )
}

/// The header's alert line: the worst alert in words and how many others;
/// `None` without any (the line then gives its row back to the table).
pub fn header_line(app: &App, palette: &Palette) -> Option<Line<'static>> {
    let store = app.store();
    let worst = store.worst_alert()?;
    let dest = store.services()[worst.service].dests()[worst.dest].dest();
    let style = Style::default()
        .fg(colour(worst.alert.severity(), palette))
        .add_modifier(Modifier::BOLD);
    let mut spans = vec![Span::styled(
        format!(
            "⚠ {} {}",
            addr_port(&dest.addr, dest.port),
            worst.alert.describe()
        ),
        style,
    )];
    if worst.others > 0 {
        spans.push(Span::raw(format!("  (+{} more; n: next)", worst.others)));
    } else {
        spans.push(Span::raw("  (n: go there)"));
    }
    Some(Line::from(spans))
}
