//! The fleet grouped by virtual service (`V`): each service once, summed,
//! then each director's active connections with its share.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use crate::app::fleet_across::{share, AcrossRow};
use crate::output::text::service_name;

use super::fleet_strip::printable;

/// `rows` from `first` on, over `area`.
pub fn draw(frame: &mut Frame, area: Rect, rows: &[AcrossRow], first: usize) {
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .title(" By virtual service across directors · ActConn (share) · ↑/↓ scroll · Esc: close ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::styled(
        format!(
            "{:<33} {:>9} {:>7}  each director",
            "Prot LocalAddress:Port", "ActConn", "CPS"
        ),
        bold,
    )];
    let room = (inner.height as usize).saturating_sub(1);
    for row in rows.iter().skip(first).take(room) {
        let each: Vec<String> = row
            .each
            .iter()
            .map(|(name, part)| {
                let name = printable(name.as_str());
                match part {
                    Some(p) => format!(
                        "{name} {} ({}%)",
                        p.active,
                        share(p.active, row.total.active)
                    ),
                    None => format!("{name} —"),
                }
            })
            .collect();
        lines.push(Line::from(format!(
            "{:<33} {:>9} {:>7}  {}",
            service_name(&row.service),
            row.total.active,
            row.total.cps,
            each.join(" │ ")
        )));
    }
    if rows.is_empty() {
        lines.push(Line::from("no service on any director yet"));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
