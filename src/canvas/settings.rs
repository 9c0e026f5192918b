//! The settings panel (`K`): a line per `net.ipv4.vs.*` setting (name,
//! value, meaning), those a warning is active for marked `!` in the warning
//! colour, and under the list the warnings in words. Drawn over the table.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::store::SETTINGS_EVERY;
use crate::app::view::settings::{SettingsContent, SettingsPanel};
use crate::app::App;

use super::time::{clock, TimeZone};
use super::Palette;

/// The name column: the longest name, `expire_quiescent_template`, and a gap.
const NAME: usize = 26;
/// The value column, right-aligned (sync_qlen_max reaches 7 digits).
const VALUE: usize = 7;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    panel: &SettingsPanel,
    palette: &Palette,
    tz: TimeZone,
) {
    let content = SettingsContent::of(app.store());
    let warn = Style::default().fg(palette.warn);
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let dim = Style::default().add_modifier(Modifier::DIM);
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(" Kernel settings (net.ipv4.vs.*) · K or Esc closes ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 {
        return;
    }

    let warnings: Vec<Line> = content
        .warnings
        .iter()
        .map(|w| Line::from(vec![Span::styled("! ", warn), Span::raw(w.to_string())]))
        .collect();
    // The warnings take the room their wrapped text needs, at most half
    // (a line more each: words wrap before the edge).
    let wrapped: u16 = content
        .warnings
        .iter()
        .map(|w| {
            let chars = w.to_string().chars().count() + 2;
            chars.div_ceil(inner.width.max(1) as usize) as u16 + 1
        })
        .sum();
    let warn_rows = if wrapped == 0 {
        0
    } else {
        (wrapped + 1).min(inner.height / 2)
    };
    let list_rows = inner.height - warn_rows;

    let mut lines = vec![status(app, tz, warn, dim), column_titles(bold)];
    let room = (list_rows as usize).saturating_sub(lines.len());
    let known = app.store().settings().known();
    let first = panel.offset().min(content.lines.len().saturating_sub(room));
    // What is left of the width after the mark, the name and the value.
    let meaning_room = (inner.width as usize).saturating_sub(1 + NAME + VALUE + 2);
    for line in content.lines.iter().skip(first).take(room) {
        let (value, meaning) = match (line.value, known) {
            (Some(v), _) => (v.to_string(), line.meaning),
            (None, true) => ("-".to_string(), "not in this kernel"),
            (None, false) => ("?".to_string(), line.meaning),
        };
        let (mark, style) = if line.matters {
            ("!", warn.add_modifier(Modifier::BOLD))
        } else {
            (" ", Style::default())
        };
        lines.push(Line::from(vec![
            Span::styled(mark, style),
            Span::styled(format!("{:<NAME$}", line.setting.name()), style),
            Span::styled(format!("{value:>VALUE$}  "), style),
            Span::styled(cut(meaning, meaning_room), dim),
        ]));
    }
    let list = Rect::new(inner.x, inner.y, inner.width, list_rows);
    frame.render_widget(Paragraph::new(lines), list);
    if warn_rows > 0 {
        let below = Rect::new(inner.x, inner.y + list_rows, inner.width, warn_rows);
        let mut text = vec![Line::from("")];
        text.extend(warnings);
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), below);
    }
}

/// When the settings were read, or why they could not be.
fn status(app: &App, tz: TimeZone, warn: Style, dim: Style) -> Line<'static> {
    let settings = app.store().settings();
    let mut spans = Vec::new();
    match settings.read_at() {
        // Its age at the last poll; before any, its time of day.
        Some(read) => {
            let polled = app.store().poll_status().last_ok;
            let age = match polled.and_then(|p| p.duration_since(read).ok()) {
                Some(d) => format!(" {} s old", d.as_secs()),
                None => format!(" read {}", clock(read, tz)),
            };
            spans.push(Span::styled(
                format!("{age} · read every {} s", SETTINGS_EVERY.as_secs()),
                dim,
            ));
        }
        None if settings.error().is_none() => spans.push(Span::styled(" not read yet", dim)),
        None => {}
    }
    if let Some(e) = settings.error() {
        let e: String = e
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        spans.push(Span::styled(format!(" cannot read: {e}"), warn));
    }
    Line::from(spans)
}

fn column_titles(bold: Style) -> Line<'static> {
    Line::from(Span::styled(
        format!(" {:<NAME$}{:>VALUE$}  meaning", "setting", "value"),
        bold,
    ))
}

/// `text` in at most `room` characters, ending in `…` when cut.
fn cut(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_string();
    }
    let mut kept: String = text.chars().take(room.saturating_sub(1)).collect();
    kept.push('…');
    kept
}
