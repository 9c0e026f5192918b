//! The `?` overlay: every key.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

/// Every key the monitor answers to, as the overlay lists it.
pub const KEYS: &[(&str, &str)] = &[
    ("↑ ↓  j k", "move the selection"),
    ("PgUp PgDn Home End", "a page / first / last row"),
    ("Enter", "expand / collapse a service"),
    ("→  ←", "expand / collapse (service rows)"),
    ("→ ← ⇧→ ⇧←", "weight +1 −1 +10 −10 (real server)"),
    ("w  x", "exact weight / drain, again restores"),
    ("A  a", "add service / real server"),
    ("E  e", "edit service / real server"),
    ("D  d", "delete service / real server"),
    ("s  Z  u", "scheduler / zero counters / undo"),
    ("J", "journal of changes"),
    ("/", "filter: address, port, scheduler"),
    ("Esc", "clear the filter / close help"),
    ("o  O", "sort by next column / reverse"),
    ("f", "freeze the display (polling goes on)"),
    ("m", "sparkline metric"),
    ("#", "exact numbers / K M G"),
    ("?", "this help"),
    ("q  Ctrl-C", "quit"),
    ("wheel, click", "scroll, select"),
];

pub fn draw(frame: &mut Frame, area: Rect) {
    let width = 62.min(area.width);
    let height = (KEYS.len() as u16 + 4).min(area.height);
    let r = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<19}"), bold),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(" Esc or ? closes"));
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Keys ")),
        r,
    );
}
