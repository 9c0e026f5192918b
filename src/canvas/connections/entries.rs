//! The drill-down: the entries themselves, as `ipvsadm -Lnc` prints them
//! (conn-batch's formatter), filtered and sorted by the view, scrolled with
//! the cursor.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::view::connections::ConnView;
use crate::app::view::lists::ConnLists;
use crate::conns::ConnReading;
use crate::output::{conn_header, conn_line};

use super::super::Palette;
use super::numbers::grouped;

/// Said in a replay's drill-down: without it an empty list would read as
/// "no connections", when the recording simply never held them.
const NOT_RECORDED: &str = "not recorded: a recording keeps connection counts, not the entries";

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    reading: &ConnReading,
    lists: &ConnLists,
    view: &ConnView,
    recorded: bool,
    palette: &Palette,
) {
    let dim = Style::default().add_modifier(Modifier::DIM);
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut head = Vec::new();
    conn_header(&mut head, false);
    // The second header line: `pro expire state …`.
    let head = String::from_utf8_lossy(&head)
        .lines()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let mut lines = vec![Line::styled(head, bold)];
    let rows = (area.height as usize).saturating_sub(2);
    let n = lists.entries.len();
    if n == 0 {
        let why = if recorded {
            NOT_RECORDED.to_string()
        } else if reading.entries.is_empty() {
            "no entries in this scope".to_string()
        } else {
            format!(
                "none of the {} entries kept is in this scope",
                grouped(reading.entries.len() as u64)
            )
        };
        lines.push(Line::raw(why));
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let cursor = view.entries_cursor();
    let offset = cursor.offset.min(n.saturating_sub(rows));
    let at = cursor.at.min(n - 1);
    let offset = if at >= offset + rows {
        at + 1 - rows
    } else {
        offset.min(at)
    };
    let mut buf = Vec::with_capacity(120);
    for (i, c) in lists.entries.iter().enumerate().skip(offset).take(rows) {
        buf.clear();
        conn_line(&mut buf, c, false);
        // Tokens and addresses only: printable ASCII, no control character.
        let text = String::from_utf8_lossy(&buf).trim_end().to_string();
        let style = if i == at {
            Style::default().add_modifier(Modifier::REVERSED)
        } else if c.state.as_str() == crate::conns::HALF_OPEN {
            Style::default().fg(palette.warn)
        } else {
            Style::default()
        };
        lines.push(Line::styled(text, style));
    }
    let end = (offset + rows).min(n);
    let mut foot = format!("entries {}–{} of {}", offset + 1, end, grouped(n as u64));
    if reading.entries_more > 0 {
        foot.push_str(&format!(
            " (the first {} in scope kept, {} more not)",
            grouped(reading.entries.len() as u64),
            grouped(reading.entries_more)
        ));
    }
    if !reading.sampling.is_exact() {
        foot.push_str(" · from a sample: E reads the whole table");
    }
    let body = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    frame.render_widget(Paragraph::new(lines), body);
    let foot_area = Rect {
        y: area.y + area.height.saturating_sub(1),
        height: 1.min(area.height),
        ..area
    };
    frame.render_widget(Paragraph::new(Line::styled(foot, dim)), foot_area);
}
