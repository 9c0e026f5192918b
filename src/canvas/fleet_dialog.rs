//! The fleet's "to all" dialog: the weight typed, then the question naming
//! each director the change goes to.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::fleet_change::FleetDialog;

use super::fleet_strip::printable;
use super::Palette;

pub fn draw(frame: &mut Frame, area: Rect, dialog: &FleetDialog, palette: &Palette) {
    let width = area.width.min(70);
    let height = area.height.min(8);
    let r = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(Clear, r);
    let block = Block::bordered().title(" Weight on every director ");
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let target = printable(&dialog.target());
    let names = printable(&dialog.names());
    let mut lines = vec![Line::from(target)];
    match dialog.confirming {
        None => {
            lines.push(Line::from(format!("on {names}")));
            lines.push(Line::from(format!("weight: {}▏", dialog.typed)));
            if let Some(e) = &dialog.error {
                lines.push(Line::styled(e.clone(), Style::default().fg(palette.alert)));
            }
            lines.push(Line::from("Enter: next · Esc: cancel"));
        }
        Some(w) => {
            lines.push(Line::styled(
                format!("Set weight {w} on {names}?"),
                Style::default().fg(palette.warn),
            ));
            lines.push(Line::from("y/Enter: send to each · n/Esc: cancel"));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
