//! The header: where, what, how fresh, and the director's totals.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};
use ratatui::Frame;

use crate::app::rates::RateSource;
use crate::app::units::human;
use crate::app::{App, Metric};

use super::alerts;
use super::time::clock;
use super::Chrome;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, chrome: &Chrome) {
    let [top, l1, l2] = Layout::vertical([Constraint::Length(1); 3]).areas(area);
    frame.render_widget(Paragraph::new(status_line(app, chrome)), top);
    // The alert line, below the totals, when the layout made room for it.
    if area.height > 3 {
        if let Some(line) = alerts::header_line(app, &chrome.palette) {
            let alert = Rect::new(area.x, area.y + 3, area.width, 1);
            frame.render_widget(Paragraph::new(line), alert);
        }
    }
    // Unknown (a derived rate not yet measurable) shows as "-", never 0.
    let rates = app.store().totals().rates;
    let r = |f: fn(&crate::app::rates::Rates) -> f64| rates.as_ref().map(f);
    let cells = [
        (Metric::Cps, r(|r| r.cps)),
        (Metric::InPps, r(|r| r.inpps)),
        (Metric::InBps, r(|r| r.inbps)),
        (Metric::Active, Some(app.store().totals_active() as f64)),
        (Metric::OutPps, r(|r| r.outpps)),
        (Metric::OutBps, r(|r| r.outbps)),
    ];
    for (line, chunk) in [l1, l2].into_iter().zip(cells.chunks(3)) {
        let cols = Layout::horizontal([Constraint::Ratio(1, 3); 3]).split(line);
        for (cell, (metric, value)) in cols.iter().zip(chunk) {
            total_cell(frame, *cell, app, chrome, *metric, *value);
        }
    }
}

fn status_line(app: &App, chrome: &Chrome) -> Line<'static> {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut spans = vec![Span::styled("lvstop", bold)];
    if !chrome.host.is_empty() {
        spans.push(Span::raw(format!(" {}", chrome.host)));
    }
    let badge = |text: String, bg: Color| {
        Span::styled(
            format!(" {text} "),
            Style::default()
                .fg(Color::Black)
                .bg(bg)
                .add_modifier(Modifier::BOLD),
        )
    };
    for b in &chrome.badges {
        spans.push(Span::raw(" "));
        spans.push(badge(b.clone(), chrome.palette.badge));
    }
    if app.view().frozen() {
        spans.push(Span::raw(" "));
        spans.push(badge("FROZEN".into(), Color::Blue));
    }
    if let Some(since) = app.store().poll_status().failing_since {
        spans.push(Span::raw(" "));
        spans.push(badge(
            format!("stale since {}", clock(since, chrome.tz)),
            chrome.palette.alert,
        ));
    }
    if let Some(info) = &app.store().info() {
        spans.push(Span::raw(format!(
            " │ IPVS {} (size={})",
            info.version_string(),
            info.conn_tab_size
        )));
    }
    let delay = app.config().delay.as_secs_f64();
    let interval = app.store().poll_status().interval.as_secs_f64();
    if interval > delay * 1.05 {
        spans.push(Span::styled(
            format!(" │ every {interval:.1}s (slow; asked {delay:.1}s)"),
            Style::default().fg(chrome.palette.warn),
        ));
    } else {
        spans.push(Span::raw(format!(" │ every {delay:.1}s")));
    }
    match app.store().poll_status().last_ok {
        Some(t) => spans.push(Span::raw(format!(" · polled {}", clock(t, chrome.tz)))),
        None => spans.push(Span::raw(" · waiting")),
    }
    match app.store().rate_source() {
        RateSource::Counters if app.store().info().is_some() => {
            spans.push(Span::raw(" · rates from counters"));
        }
        RateSource::Off => spans.push(Span::styled(
            " · estimator off (run_estimation=0)",
            Style::default().fg(chrome.palette.warn),
        )),
        _ => {}
    }
    Line::from(spans)
}

fn total_cell(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    chrome: &Chrome,
    metric: Metric,
    value: Option<f64>,
) {
    let label = match metric {
        Metric::Active => "ActConn",
        m => m.label(),
    };
    let text = format!(
        " {label:<7}{:>7} ",
        value.map_or("-".into(), |v| human(v, app.view().exact()))
    );
    let width = text.chars().count() as u16;
    let [t, s] = Layout::horizontal([Constraint::Length(width), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(text), t);
    let data = app.store().totals().history.tail(metric, s.width as usize);
    frame.render_widget(
        Sparkline::default()
            .data(&data)
            .style(Style::default().fg(chrome.palette.spark)),
        s,
    );
}
