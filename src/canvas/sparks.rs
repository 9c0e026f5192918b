//! Sparklines of the selected service and each of its real servers.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Block, Paragraph, Sparkline};
use ratatui::Frame;

use crate::app::rates::Rates;
use crate::app::series::Series;
use crate::app::units::human;
use crate::app::{App, Metric};

use super::Palette;

const LABEL: u16 = 24;
const VALUE: u16 = 8;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, palette: &Palette) {
    let Some(row) = app.selected_service() else {
        frame.render_widget(Block::bordered().title(" history "), area);
        return;
    };
    let title = format!(
        " {} — {} (m) ",
        app.view().metric().label(),
        row.service().key
    );
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // A real server's series exists only while its service is watched;
    // the selected one always is, from its next poll on.
    let mut series: Vec<(String, Option<&Series>, Option<Rates>, u64)> = vec![(
        "service".into(),
        Some(row.series()),
        row.series().rates,
        row.active(),
    )];
    for d in row.dests() {
        series.push((
            format!("→ {}", crate::app::table::dest_text(d.dest())),
            d.series(),
            d.rates(app.store().rate_source()),
            d.dest().active_conns as u64,
        ));
    }
    let shown = inner.height as usize;
    let hidden = series.len().saturating_sub(shown);
    for (i, (label, series, rates, active)) in series.iter().take(shown).enumerate() {
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
        let data = series.map_or_else(Vec::new, |h| {
            h.history.tail(app.view().metric(), s.width as usize)
        });
        frame.render_widget(
            Sparkline::default()
                .data(&data)
                .style(Style::default().fg(palette.spark)),
            s,
        );
        let now = match app.view().metric() {
            Metric::Active => Some(*active as f64),
            m => rates.map(|r| match m {
                Metric::Cps => r.cps,
                Metric::InPps => r.inpps,
                Metric::OutPps => r.outpps,
                Metric::InBps => r.inbps,
                _ => r.outbps,
            }),
        };
        let now = now.map_or("-".into(), |v| human(v, app.view().exact()));
        frame.render_widget(Paragraph::new(format!("{now:>8}")), v);
    }
}
