//! Sparklines of the selected service and its real servers: the selected
//! real server always, then alerted ones, then the rest that fit. All rows
//! share one scale, so equal values draw equal bars, and "now" is the right
//! edge of every row.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use crate::app::rates::Rates;
use crate::app::series::Series;
use crate::app::table::Row;
use crate::app::units::human;
use crate::app::{App, Metric};

use super::bars;
use super::emphasis::alerted;
use super::Palette;

const LABEL: u16 = 24;
const VALUE: u16 = 8;
/// Lines a series' bars may take when the pane has height to spare.
const MAX_BAR_LINES: u16 = 8;

/// The pane's order of the service's real servers (indices into its
/// dests): the selected one, then alerted ones, then the rest, each group
/// in the service's order.
pub fn dest_order(
    n: usize,
    selected: Option<usize>,
    alerted: impl Fn(usize) -> bool,
) -> Vec<usize> {
    let mut order: Vec<usize> = selected.filter(|&j| j < n).into_iter().collect();
    order.extend((0..n).filter(|&j| Some(j) != selected && alerted(j)));
    order.extend((0..n).filter(|&j| Some(j) != selected && !alerted(j)));
    order
}

/// How many series rows fit in `lines`, each `per` lines tall, when there
/// are `series` of them; the last row says how many more there are when
/// they do not all fit.
pub fn fit(series: usize, lines: u16) -> (usize, u16) {
    let lines = lines as usize;
    if series == 0 || lines == 0 {
        return (0, 1);
    }
    if series <= lines {
        let per = (lines / series).min(MAX_BAR_LINES as usize).max(1);
        return (series, per as u16);
    }
    (lines, 1)
}

struct Entry<'a> {
    label: String,
    series: Option<&'a Series>,
    rates: Option<Rates>,
    active: u64,
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, palette: &Palette) {
    let Some(row) = app.selected_service() else {
        frame.render_widget(Block::bordered().title(" history "), area);
        return;
    };
    let metric = app.view().metric();
    let title = format!(" {} — {} (m) ", metric.label(), row.service().key);
    let block = Block::bordered().title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let selected = match app.view().selected_row() {
        Some(Row::Dest(_, j)) => Some(j),
        _ => None,
    };
    let source = app.store().rate_source();
    let mut entries = vec![Entry {
        label: "service".into(),
        series: Some(row.series()),
        rates: row.series().rates,
        active: row.active(),
    }];
    for j in dest_order(row.dests().len(), selected, |j| alerted(&row.dests()[j])) {
        let d = &row.dests()[j];
        entries.push(Entry {
            label: format!("→ {}", crate::app::table::dest_text(d.dest())),
            // A real server's series exists only while its service is
            // watched; the selected one always is, from its next poll on.
            series: d.series(),
            rates: d.rates(source),
            active: d.dest().active_conns as u64,
        });
    }
    let (shown, per) = fit(entries.len(), inner.height);
    let hidden = entries.len() - shown;
    let width = inner.width.saturating_sub(LABEL + VALUE) as usize;
    let data: Vec<Vec<u64>> = entries
        .iter()
        .take(shown)
        .map(|e| super::table::history(e.series, e.rates, metric, width))
        .collect();
    // One scale for the service and its real servers.
    let max = data.iter().flatten().copied().max().unwrap_or(0);
    for (i, (e, values)) in entries.iter().zip(&data).enumerate() {
        let y = inner.y + i as u16 * per;
        let more = hidden > 0 && i + 1 == shown;
        let label = if more {
            format!("+{} more", hidden + 1)
        } else {
            e.label.clone()
        };
        let l = Rect::new(inner.x, y + per - 1, LABEL.min(inner.width), 1);
        frame.render_widget(Paragraph::new(label), l);
        if more {
            continue;
        }
        let spark = Style::default().fg(palette.spark);
        for (k, text) in bars::rows(values, width, max, per as usize)
            .into_iter()
            .enumerate()
        {
            let r = Rect::new(inner.x + LABEL, y + k as u16, width as u16, 1);
            frame.render_widget(Paragraph::new(text).style(spark), r);
        }
        let now = now_value(metric, e.rates, e.active)
            .map_or("-".into(), |v| human(v, app.view().exact()));
        let v = Rect::new(inner.x + LABEL + width as u16, y + per - 1, VALUE, 1);
        frame.render_widget(Paragraph::new(format!("{now:>8}")), v);
    }
}

fn now_value(metric: Metric, rates: Option<Rates>, active: u64) -> Option<f64> {
    match metric {
        Metric::Active => Some(active as f64),
        m => rates.map(|r| match m {
            Metric::Cps => r.cps,
            Metric::InPps => r.inpps,
            Metric::OutPps => r.outpps,
            Metric::InBps => r.inbps,
            _ => r.outbps,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selected_real_server_comes_first_then_alerted_ones() {
        assert_eq!(dest_order(5, Some(3), |j| j == 4), vec![3, 4, 0, 1, 2]);
        assert_eq!(dest_order(3, None, |j| j == 2), vec![2, 0, 1]);
        assert_eq!(dest_order(3, Some(2), |j| j == 2), vec![2, 0, 1]);
    }

    #[test]
    fn every_series_gets_a_line_or_the_last_says_how_many_more() {
        assert_eq!(fit(6, 4), (4, 1));
        assert_eq!(fit(3, 3), (3, 1));
        assert_eq!(fit(2, 7), (2, 3), "spare lines make taller bars");
        assert_eq!(fit(1, 40), (1, MAX_BAR_LINES));
    }
}
