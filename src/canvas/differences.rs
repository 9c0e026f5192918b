//! The fleet's differences view (`F`): one difference a line, in ipvsadm's
//! order, the cursor's reversed; Enter jumps to the row.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use crate::app::view::differences::DifferencesView;

use super::fleet_strip::printable;
use super::Palette;

pub fn draw(frame: &mut Frame, area: Rect, view: &DifferencesView, palette: &Palette) {
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .title(" Differences between the directors · Enter: go to the row · Esc: close ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = inner.height as usize;
    let mut lines = Vec::new();
    if !view.waiting_for().is_empty() {
        let names: Vec<String> = view
            .waiting_for()
            .iter()
            .map(|n| printable(n.as_str()))
            .collect();
        lines.push(Line::styled(
            format!("waiting for a whole table from {}", names.join(", ")),
            Style::default().fg(palette.warn),
        ));
    } else if view.list().is_empty() {
        lines.push(Line::from("the directors' tables agree"));
    } else {
        // Scrolled so the cursor is on screen.
        let first = view.cursor().saturating_sub(rows.saturating_sub(1));
        for (i, d) in view.list().iter().enumerate().skip(first).take(rows) {
            let style = if i == view.cursor() {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            lines.push(Line::styled(printable(&d.to_string()), style));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
