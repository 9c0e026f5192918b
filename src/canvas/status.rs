//! The status line at the foot of the screen: on the left the filter being
//! typed, the last message, or the key hints; on the right, always, how
//! the table is sorted and filtered, so a table that looks short or out of
//! order says why at every width.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::editing::Message;
use crate::app::table::SortColumn;
use crate::app::App;
use crate::keys::KeyTable;

use super::Palette;

/// The longest filter text the right side shows whole; a longer one ends in
/// `…` so the sort state and some of the left side keep their room.
const FILTER_SHOWN: usize = 20;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    message: Option<&Message>,
    palette: &Palette,
    keys: &KeyTable,
) {
    let conns = app.view().connections();
    let state = match conns {
        Some(v) => super::connections::footer::state(v),
        None => state_line(app),
    };
    let state_width = state.width() as u16;
    let [left, _, right] = Layout::horizontal([
        Constraint::Min(0),
        Constraint::Length(2),
        Constraint::Length(state_width),
    ])
    .areas(area);
    let room = left.width as usize;
    let conn_left = conns.and_then(|v| super::connections::footer::left(v, palette));
    let line = if let Some(line) = conn_left {
        line
    } else if let Some(text) = app.replay().and_then(|r| r.goto()) {
        goto_line(text)
    } else if app.view().filter_editing() {
        filter_line(app, keys)
    } else if let Some(line) = super::tuning::tuning_line(app, message, palette, keys, room) {
        line
    } else if let Some(m) = message {
        message_line(m, palette, room)
    } else if conns.is_some() {
        super::connections::footer::hints(keys)
    } else if app.drain_view().is_some() {
        drain_hints(keys)
    } else {
        hints_line(keys, room)
    };
    frame.render_widget(Paragraph::new(line), left);
    frame.render_widget(Paragraph::new(state), right);
}

/// The drain view's key hints.
fn drain_hints(keys: &KeyTable) -> Line<'static> {
    let key = Style::default().add_modifier(Modifier::BOLD);
    let mut spans = Vec::new();
    for (i, (k, what)) in keys.drain_footer().into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(k, key));
        spans.push(Span::raw(format!(" {what}")));
    }
    Line::from(spans)
}

/// `sort CPS ▼  filter 10.0.1`: ▼ is biggest (or Z) first.
pub fn state_line(app: &App) -> Line<'static> {
    let view = app.view();
    let dim = Style::default().add_modifier(Modifier::DIM);
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let direction = match (view.sort(), view.sort().numeric() != view.sort_reversed()) {
        (SortColumn::Ipvsadm, false) => "",
        (SortColumn::Ipvsadm, true) => " reversed",
        (_, true) => " ▼",
        (_, false) => " ▲",
    };
    let mut spans = vec![
        Span::styled("sort ", dim),
        Span::styled(format!("{}{direction}", view.sort().label()), bold),
    ];
    // While it is typed the filter shows on the left.
    if !view.filter().is_empty() && !view.filter_editing() {
        spans.push(Span::styled("  filter ", dim));
        spans.push(Span::styled(cut(view.filter(), FILTER_SHOWN), bold));
    }
    Line::from(spans)
}

fn filter_line(app: &App, keys: &KeyTable) -> Line<'static> {
    let key = Style::default().add_modifier(Modifier::BOLD);
    Line::from(vec![
        Span::styled("/", key),
        Span::raw(app.view().filter().to_string()),
        Span::styled("█", Style::default().add_modifier(Modifier::SLOW_BLINK)),
        Span::raw(format!(
            "   {}",
            keys.footer(true)
                .iter()
                .map(|(k, what)| format!("{k} {what}"))
                .collect::<Vec<_>>()
                .join(" · ")
        )),
    ])
}

/// The replay's go-to form: the time being typed and its forms.
fn goto_line(text: &str) -> Line<'static> {
    let key = Style::default().add_modifier(Modifier::BOLD);
    Line::from(vec![
        Span::styled("go to ", key),
        Span::raw(text.to_string()),
        Span::styled("█", Style::default().add_modifier(Modifier::SLOW_BLINK)),
        Span::raw("   HH:MM[:SS] · YYYY-MM-DD HH:MM[:SS] · Enter goes · Esc"),
    ])
}

fn message_line(m: &Message, palette: &Palette, room: usize) -> Line<'static> {
    let style = if m.error {
        Style::default().fg(palette.alert)
    } else {
        Style::default().fg(palette.spark)
    };
    let text = fit_words(&m.text, room).unwrap_or_else(|| cut(&m.text, room));
    Line::from(Span::styled(text, style))
}

/// The key hints that fit: the first (help) and the last (quit) always,
/// those before the last dropped from the right first.
fn hints_line(keys: &KeyTable, room: usize) -> Line<'static> {
    let mut hints = keys.footer(false);
    let width = |h: &[(String, &str)]| -> usize {
        h.iter()
            .map(|(k, what)| k.chars().count() + 1 + what.chars().count() + 2)
            .sum::<usize>()
            .saturating_sub(2)
    };
    while hints.len() > 2 && width(&hints) > room {
        hints.remove(hints.len() - 2);
    }
    let key = Style::default().add_modifier(Modifier::BOLD);
    let mut spans = Vec::new();
    for (i, (k, what)) in hints.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(k, key));
        spans.push(Span::raw(format!(" {what}")));
    }
    Line::from(spans)
}

/// `text` in `width` columns, cut at a space with `…` if it is longer, so
/// an address (which has none) is whole or not shown. None if not even
/// the first word fits.
pub(super) fn fit_words(text: &str, width: usize) -> Option<String> {
    if text.chars().count() <= width {
        return Some(text.to_string());
    }
    let mut cut = None;
    for (at, c) in text.char_indices() {
        if text[..at].chars().count() + 1 > width {
            break;
        }
        if c == ' ' {
            cut = Some(at);
        }
    }
    cut.map(|at| format!("{}…", text[..at].trim_end()))
}

/// `text` in at most `max` characters, ending in `…` when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod word_tests {
    use super::fit_words;

    #[test]
    fn long_messages_are_cut_between_words_never_in_an_address() {
        let text = "deleted 10.10.1.13:8080 from TCP 192.0.2.10:80 ✓";
        assert_eq!(fit_words(text, 80).as_deref(), Some(text));
        assert_eq!(
            fit_words(text, 40).as_deref(),
            Some("deleted 10.10.1.13:8080 from TCP…")
        );
        assert_eq!(fit_words(text, 20).as_deref(), Some("deleted…"));
        assert_eq!(fit_words(text, 7), None);
    }
}
