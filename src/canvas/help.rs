//! The `?` overlay: every key, as the key table lists it, and beside it a
//! legend of every glyph and colour the monitor draws.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use crate::app::Action;
use crate::keys::{Command, KeyTable};

use super::Palette;

/// The legend's width: 16 characters an entry and its border.
const LEGEND: u16 = 18;

pub fn draw(frame: &mut Frame, area: Rect, keys: &KeyTable, palette: &Palette, replay: bool) {
    let help = keys.help_lines(replay);
    let keys_width = 62.min(area.width.saturating_sub(LEGEND));
    let width = keys_width + LEGEND;
    let height = (help.len() as u16 + 4).min(area.height);
    let whole = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let r = Rect::new(whole.x, whole.y, keys_width, height);
    let l = Rect::new(whole.x + keys_width, whole.y, LEGEND, height);
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line> = help
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<19}"), bold),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    let close = keys.key_for(Command::View(Action::CloseHelp));
    lines.push(Line::from(format!(" {} closes", close.unwrap_or_default())));
    frame.render_widget(Clear, whole);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Keys ")),
        r,
    );
    frame.render_widget(
        Paragraph::new(legend(palette)).block(Block::bordered().title(" Legend ")),
        l,
    );
}

/// Every glyph and colour the monitor draws, one short line each.
fn legend(p: &Palette) -> Vec<Line<'static>> {
    let fg = |c: Color| Style::default().fg(c);
    let changed = fg(p.changed).add_modifier(Modifier::BOLD);
    let badge = Style::default().fg(Color::Black).bg(p.alert);
    let entry = |glyph: &'static str, style: Style, what: &'static str| {
        Line::from(vec![Span::styled(glyph, style), Span::raw(what)])
    };
    vec![
        entry("▸ ▾", Style::default(), " closed/open"),
        entry("→", Style::default(), " real server"),
        entry("…", Style::default(), " write pending"),
        entry("✓", Style::default(), " write applied"),
        entry("✗", Style::default(), " write failed"),
        entry("⚠", fg(p.alert), " alert"),
        entry("▼▲", Style::default(), " sorted column"),
        entry("▁▃▅█", fg(p.spark), " history"),
        entry("▁", fg(p.spark), " zero; blank:"),
        entry("", Style::default(), "  no data yet"),
        entry("█▋", Style::default(), " traffic share"),
        entry("bold", changed, " your edit,"),
        entry("", Style::default(), " or a big jump"),
        entry("red", fg(p.alert), " alert"),
        entry("yellow", fg(p.warn), " alert"),
        entry("stale", badge, " polls fail"),
    ]
}
