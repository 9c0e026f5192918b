//! The status line while the connections view is open: on the left the
//! client filter being typed, why the last one was refused, or the view's
//! key hints; on the right its sort and client filter.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::app::view::connections::ConnView;
use crate::keys::KeyTable;

use super::super::Palette;

/// The left side; None when a message of the monitor's should show instead.
pub fn left(view: &ConnView, palette: &Palette) -> Option<Line<'static>> {
    let key = Style::default().add_modifier(Modifier::BOLD);
    if let Some(text) = view.typing() {
        return Some(Line::from(vec![
            Span::styled("client /", key),
            Span::raw(text.to_string()),
            Span::styled("█", Style::default().add_modifier(Modifier::SLOW_BLINK)),
            Span::raw("   e.g. 203.0.113.0/24 · Enter keeps · Esc clears"),
        ]));
    }
    if let Some(e) = view.error() {
        return Some(Line::styled(
            e.to_string(),
            Style::default().fg(palette.alert),
        ));
    }
    None
}

/// The view's key hints.
pub fn hints(keys: &KeyTable) -> Line<'static> {
    let key = Style::default().add_modifier(Modifier::BOLD);
    let mut spans = Vec::new();
    for (i, (k, what)) in keys.connections_footer().into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(k, key));
        spans.push(Span::raw(format!(" {what}")));
    }
    Line::from(spans)
}

/// `sort SYN_RECV ▼  client 203.0.113.0/24`: the sort of the list in view.
pub fn state(view: &ConnView) -> Line<'static> {
    let dim = Style::default().add_modifier(Modifier::DIM);
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let (label, reversed) = match view.entries() {
        true => {
            let (s, r) = view.entry_sort();
            (s.label(), r)
        }
        false => {
            let (s, r) = view.server_sort();
            (s.label(), r)
        }
    };
    let mut spans = vec![
        Span::styled("sort ", dim),
        Span::styled(
            format!("{label}{}", if reversed { " reversed" } else { "" }),
            bold,
        ),
    ];
    if let Some(p) = view.query().clients {
        spans.push(Span::styled("  client ", dim));
        spans.push(Span::styled(p.to_string(), bold));
    }
    Line::from(spans)
}
