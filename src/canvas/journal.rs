//! The journal pane (`J`) under the sparklines: the latest changes in
//! words, the position in the title; an empty journal is one line.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use crate::app::editing::JournalPane;

/// Entries the pane shows in `area` (inside its frame).
pub fn rows(area: Rect) -> usize {
    area.height.saturating_sub(2) as usize
}

pub fn draw(frame: &mut Frame, area: Rect, pane: &JournalPane) {
    frame.render_widget(Clear, area);
    let lines = pane.lines();
    if lines.is_empty() {
        let dim = Style::default().add_modifier(Modifier::DIM);
        let text = Line::styled("journal: no changes yet  (J or Esc closes)", dim);
        frame.render_widget(Paragraph::new(text), area);
        return;
    }
    let (start, end) = pane.window(rows(area));
    let title = format!(
        " journal {}–{} of {} · ↑↓ PgUp PgDn Home End scroll · J/Esc close ",
        start + 1,
        end,
        lines.len()
    );
    let shown: Vec<Line> = lines[start..end]
        .iter()
        .map(|l| Line::from(l.clone()))
        .collect();
    frame.render_widget(
        Paragraph::new(shown).block(Block::bordered().title(title)),
        area,
    );
}
