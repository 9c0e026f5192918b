//! Sparklines of the selected service and each of its real servers.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Block, Paragraph, Sparkline};
use ratatui::Frame;

use crate::app::history::History;
use crate::app::units::human;
use crate::app::App;

use super::Palette;

const LABEL: u16 = 24;
const VALUE: u16 = 8;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, palette: &Palette) {
    let Some(row) = app.selected_service() else {
        frame.render_widget(Block::bordered().title(" history "), area);
        return;
    };
    let title = format!(" {} — {} (m) ", app.metric.label(), row.service.key);
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut series: Vec<(String, &History)> = vec![("service".into(), &row.series.history)];
    for d in &row.dests {
        series.push((
            format!("→ {}", crate::app::table::dest_text(&d.dest)),
            &d.series.history,
        ));
    }
    let shown = inner.height as usize;
    let hidden = series.len().saturating_sub(shown);
    for (i, (label, history)) in series.iter().take(shown).enumerate() {
        let y = inner.y + i as u16;
        let line = Rect::new(inner.x, y, inner.width, 1);
        let [l, s, v] = Layout::horizontal([
            Constraint::Length(LABEL),
            Constraint::Min(1),
            Constraint::Length(VALUE),
        ])
        .areas(line);
        let label = if hidden > 0 && i + 1 == shown {
            format!("+{} more", hidden + 1)
        } else {
            label.clone()
        };
        frame.render_widget(Paragraph::new(label), l);
        if hidden > 0 && i + 1 == shown {
            continue;
        }
        let data = history.tail(app.metric, s.width as usize);
        frame.render_widget(
            Sparkline::default()
                .data(&data)
                .style(Style::default().fg(palette.spark)),
            s,
        );
        let now = data.last().copied().unwrap_or(0) as f64;
        frame.render_widget(Paragraph::new(format!("{:>8}", human(now, app.exact))), v);
    }
}
