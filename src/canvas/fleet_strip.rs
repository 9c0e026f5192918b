//! The fleet monitor's top line: each director with its health (the last
//! reading's age and the poll's time, STALE in the warning colour), the one
//! on screen reversed, and the differences view's key (with the count
//! while it is open).

use std::time::Duration;

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::fleet_health::Health;
use crate::fleet::DirectorName;

use super::Palette;

/// Text from outside (a host name, a remote's error) with control
/// characters replaced, so nothing from data moves the terminal.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn secs(d: Duration) -> String {
    if d < Duration::from_secs(10) {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{}s", d.as_secs())
    }
}

fn health_text(h: &Health) -> String {
    match h {
        Health::Connecting => "connecting".into(),
        Health::Live { age, lag } => format!("{} ago, {}ms", secs(*age), lag.as_millis()),
        Health::Stale { age: Some(age), .. } => format!("STALE {}", secs(*age)),
        Health::Stale { age: None, .. } => "STALE".into(),
        // The reason, cut short: the line has every director to show.
        Health::Bad { reason } => format!(
            "BAD: {}",
            printable(reason).chars().take(40).collect::<String>()
        ),
    }
}

/// `lb1 0.4s ago, 12ms │ lb2 STALE 14s │ F: differences` (the count
/// while the differences view is open).
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    directors: &[(&DirectorName, Health)],
    current: usize,
    differences: Option<usize>,
    palette: &Palette,
) {
    let mut spans = Vec::new();
    for (i, (name, health)) in directors.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" │ "));
        }
        let mut style = Style::default();
        if health.is_stale() {
            style = style.fg(palette.warn);
        }
        if i == current {
            style = style.add_modifier(Modifier::REVERSED);
        }
        spans.push(Span::styled(
            format!("{} {}", printable(name.as_str()), health_text(health)),
            style,
        ));
    }
    match differences {
        Some(0) => spans.push(Span::raw(" │ tables agree")),
        Some(n) => spans.push(Span::styled(
            format!(" │ {n} difference{} (F)", if n == 1 { "" } else { "s" }),
            Style::default().fg(palette.warn),
        )),
        None => spans.push(Span::raw(" │ F: differences")),
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
