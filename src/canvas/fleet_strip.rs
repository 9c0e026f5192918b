//! The fleet monitor's top line: each director with its health (the last
//! reading's age and the poll's time, STALE with its retry or BAD with the
//! reason in the warning colour), the one on screen reversed with its whole
//! reason, and the differences view's key (with the count while it is open).

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

/// Most of a reason the line shows: the line has every director to show,
/// and the one on screen gets more.
const REASON_CHARS: usize = 40;
const REASON_CHARS_ON_SCREEN: usize = 100;

fn health_text(h: &Health, on_screen: bool) -> String {
    let reason = |r: &str| {
        let r = printable(r);
        let most = if on_screen {
            REASON_CHARS_ON_SCREEN
        } else {
            REASON_CHARS
        };
        let mut cut: String = r.chars().take(most).collect();
        if cut.len() < r.len() {
            cut.push('…');
        }
        cut
    };
    match h {
        Health::Connecting => "connecting".into(),
        Health::Live {
            age,
            lag: Some(lag),
        } => {
            format!("{} ago, {}ms", secs(*age), lag.as_millis())
        }
        Health::Live { age, lag: None } => format!("{} ago", secs(*age)),
        Health::Stale {
            age,
            reason: why,
            retry_in,
        } => {
            let mut text = "STALE".to_string();
            if let Some(age) = age {
                text.push_str(&format!(" {}", secs(*age)));
            }
            if let Some(retry) = retry_in {
                text.push_str(&format!(", retry in {}", secs(*retry)));
            }
            if on_screen {
                text.push_str(&format!(": {}", reason(why)));
            }
            text
        }
        Health::Bad { reason: why } => format!("BAD: {}", reason(why)),
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
            format!(
                "{} {}",
                printable(name.as_str()),
                health_text(health, i == current)
            ),
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
