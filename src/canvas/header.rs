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
use super::director;
use super::time::{clock, date};
use super::Chrome;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, chrome: &Chrome) {
    let [top, l1, l2] = Layout::vertical([Constraint::Length(1); 3]).areas(area);
    frame.render_widget(Paragraph::new(status_line(app, chrome, top.width)), top);
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

/// One part of the status line and how readily it gives way on a narrow
/// terminal: higher `drop` numbers go first.
struct Item {
    drop: u8,
    spans: Vec<Span<'static>>,
}

/// The order items give way, first to last: the timeouts and sync daemons
/// (the panel, `T`, has them whole), the IPVS version, the host
/// name, the rate-source note, the poll interval, the mode badges (DEMO,
/// READ-ONLY), FROZEN. The program name, the stale badge and the time of
/// the last poll (the data's age, with seconds) always stay.
mod drop {
    pub const NEVER: u8 = 0;
    pub const FROZEN: u8 = 1;
    pub const BADGES: u8 = 2;
    pub const INTERVAL: u8 = 3;
    pub const RATES: u8 = 4;
    pub const HOST: u8 = 5;
    pub const VERSION: u8 = 6;
    pub const DIRECTOR: u8 = 7;
}

fn status_items(app: &App, chrome: &Chrome) -> Vec<Item> {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let item = |drop, spans| Item { drop, spans };
    let mut items = vec![item(drop::NEVER, vec![Span::styled("lvstop", bold)])];
    if !chrome.host.is_empty() {
        items.push(item(
            drop::HOST,
            vec![Span::raw(format!(" {}", chrome.host))],
        ));
    }
    let badge = |text: String, bg: Color| {
        vec![
            Span::raw(" "),
            Span::styled(
                format!(" {text} "),
                Style::default()
                    .fg(Color::Black)
                    .bg(bg)
                    .add_modifier(Modifier::BOLD),
            ),
        ]
    };
    for b in &chrome.badges {
        items.push(item(drop::BADGES, badge(b.clone(), chrome.palette.badge)));
    }
    if let Some(r) = app.replay() {
        items.push(item(
            drop::NEVER,
            badge("REPLAY".into(), chrome.palette.badge),
        ));
        if let Some(st) = r.status() {
            let state = if st.playing {
                format!(" ▶ ×{}", st.speed)
            } else {
                " ❚❚ paused".to_string()
            };
            items.push(item(drop::NEVER, vec![Span::styled(state, bold)]));
        }
    }
    if app.view().frozen() {
        items.push(item(drop::FROZEN, badge("FROZEN".into(), Color::Blue)));
    }
    if let Some(since) = app.store().poll_status().failing_since {
        let text = format!("stale since {}", clock(since, chrome.tz));
        items.push(item(drop::NEVER, badge(text, chrome.palette.alert)));
    }
    if let Some(info) = &app.store().info() {
        let text = format!(
            " │ IPVS {} (size={})",
            info.version_string(),
            info.conn_tab_size
        );
        items.push(item(drop::VERSION, vec![Span::raw(text)]));
    }
    if let Some(text) = director::header_text(app.store().director()) {
        items.push(item(drop::DIRECTOR, vec![Span::raw(format!(" │ {text}"))]));
    }
    let delay = app.config().delay.as_secs_f64();
    let interval = app.store().poll_status().interval.as_secs_f64();
    let every = if interval > delay * 1.05 {
        Span::styled(
            format!(" │ every {interval:.1}s (slow; asked {delay:.1}s)"),
            Style::default().fg(chrome.palette.warn),
        )
    } else {
        Span::raw(format!(" │ every {delay:.1}s"))
    };
    items.push(item(drop::INTERVAL, vec![every]));
    let replayed = app.replay().and_then(|r| r.status());
    let polled = match (replayed, app.store().poll_status().last_ok) {
        (Some(st), _) => format!(
            " · recorded {} {} ({}/{})",
            date(st.at, chrome.tz),
            clock(st.at, chrome.tz),
            st.tick + 1,
            st.ticks
        ),
        (None, Some(t)) => format!(" · polled {}", clock(t, chrome.tz)),
        (None, None) => " · waiting".into(),
    };
    items.push(item(drop::NEVER, vec![Span::raw(polled)]));
    match app.store().rate_source() {
        RateSource::Counters if app.store().info().is_some() => {
            items.push(item(drop::RATES, vec![Span::raw(" · rates from counters")]));
        }
        RateSource::Off => items.push(item(
            drop::RATES,
            vec![Span::styled(
                " · estimator off (run_estimation=0)",
                Style::default().fg(chrome.palette.warn),
            )],
        )),
        _ => {}
    }
    items
}

/// The items that fit in `width`, dropping the most expendable first.
fn fit(mut items: Vec<Item>, width: u16) -> Vec<Item> {
    let len = |items: &[Item]| -> usize {
        items
            .iter()
            .flat_map(|i| &i.spans)
            .map(|s| s.content.chars().count())
            .sum()
    };
    while len(&items) > width as usize {
        let Some((k, _)) = items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.drop != drop::NEVER)
            .max_by_key(|(k, i)| (i.drop, *k))
        else {
            break;
        };
        items.remove(k);
    }
    items
}

fn status_line(app: &App, chrome: &Chrome, width: u16) -> Line<'static> {
    Line::from(
        fit(status_items(app, chrome), width)
            .into_iter()
            .flat_map(|i| i.spans)
            .collect::<Vec<_>>(),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn item(drop: u8, text: &str) -> Item {
        Item {
            drop,
            spans: vec![Span::raw(text.to_string())],
        }
    }

    fn text(items: &[Item]) -> String {
        items
            .iter()
            .flat_map(|i| &i.spans)
            .map(|s| s.content.to_string())
            .collect()
    }

    #[test]
    fn at_80_columns_the_poll_time_stays_and_the_version_goes_first() {
        let all = || {
            vec![
                item(drop::NEVER, "lvstop"),
                item(drop::HOST, " director.example.net"),
                item(drop::BADGES, "  DEMO "),
                item(drop::BADGES, "  READ-ONLY "),
                item(drop::FROZEN, "  FROZEN "),
                item(drop::NEVER, "  stale since 12:03:31 "),
                item(drop::VERSION, " │ IPVS 1.2.1 (size=4096)"),
                item(drop::INTERVAL, " │ every 1.0s (slow; asked 0.5s)"),
                item(drop::NEVER, " · polled 12:03:30"),
                item(drop::RATES, " · estimator off (run_estimation=0)"),
            ]
        };
        let line = text(&fit(all(), 80));
        assert!(line.chars().count() <= 80, "{line}");
        assert!(line.contains("polled 12:03:30"), "{line}");
        assert!(line.contains("stale since 12:03:31"), "{line}");
        assert!(line.contains("FROZEN"), "{line}");
        assert!(!line.contains("IPVS"), "the version goes first: {line}");
        assert!(!line.contains("director"), "then the host: {line}");
        let wide = text(&fit(all(), 200));
        assert!(wide.contains("IPVS") && wide.contains("director"), "{wide}");
    }
}
