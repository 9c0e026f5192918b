//! The summary below the real servers: persistence templates and the real
//! server each pins its clients to, the top clients by address and by /24
//! (or /64), and what the sync daemon brought. Each gets the lines the
//! height allows, one at the least.

use std::fmt::Display;

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::conns::{ConnReading, Pin, Standing, Top};
use crate::output::addr_port;

use super::super::Palette;
use super::numbers::{count_text, mm_ss};

/// Side by side from this width: clients by address | by prefix.
const TWO_COLUMNS: u16 = 110;

pub fn draw(frame: &mut Frame, area: Rect, reading: &ConnReading, exact: bool, palette: &Palette) {
    if area.height == 0 {
        return;
    }
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let dim = Style::default().add_modifier(Modifier::DIM);
    let mut lines: Vec<Line> = Vec::new();
    let h = area.height as usize;
    if reading.total.synced > 0 {
        lines.push(Line::from(vec![
            Span::styled("from the sync daemon ", bold),
            Span::raw(format!(
                "{} of {} entries",
                count_text(reading.count(reading.total.synced), exact),
                count_text(reading.count(reading.total.entries()), exact)
            )),
        ]));
    }
    // What is left is shared: the pins a third, the clients the rest.
    let pins_room = if reading.pins.is_empty() {
        0
    } else {
        ((h.saturating_sub(lines.len())) / 3).max(2)
    };
    if !reading.pins.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("templates ", bold),
            Span::raw(count_text(reading.count(reading.pins_seen), exact)),
            Span::styled(" pin clients to real servers (gone and drained first)", dim),
        ]));
        for p in reading.pins.iter().take(pins_room - 1) {
            lines.push(pin_line(p, palette));
        }
    }
    let room = h
        .saturating_sub(lines.len() + 1)
        .min(reading.top_clients.len().max(reading.top_prefixes.len()));
    let clients = tops(&reading.top_clients, reading, exact);
    let prefixes = tops(&reading.top_prefixes, reading, exact);
    if clients.is_empty() {
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    if area.width >= TWO_COLUMNS && room >= 2 {
        let half = (area.width as usize - 2) / 2;
        lines.push(Line::styled(
            format!(
                "{:<half$}  {}",
                "top clients", "top client networks (/24, /64)"
            ),
            bold,
        ));
        for k in 0..room {
            let a = clients.get(k).map_or("", String::as_str);
            let b = prefixes.get(k).map_or("", String::as_str);
            lines.push(Line::raw(format!("{a:<half$}  {b}")));
        }
    } else {
        for (title, items) in [("top clients ", &clients), ("by network ", &prefixes)] {
            // Whole items only: an address is never cut.
            let room = (area.width as usize).saturating_sub(title.len());
            let mut text = String::new();
            for item in items.iter() {
                let sep = if text.is_empty() { "" } else { " · " };
                if text.chars().count() + sep.len() + item.chars().count() > room {
                    break;
                }
                text.push_str(sep);
                text.push_str(item);
            }
            lines.push(Line::from(vec![Span::styled(title, bold), Span::raw(text)]));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// `203.0.113.7 → 10.1.0.9:80 deleted, 29:25 left`.
fn pin_line(p: &Pin, palette: &Palette) -> Line<'static> {
    let to = addr_port(&p.dest.addr, p.dest.port);
    let (mark, style) = match p.standing {
        Standing::Serving => ("", Style::default()),
        Standing::Drained => (" weight 0", Style::default().fg(palette.warn)),
        Standing::Gone => (" deleted", Style::default().fg(palette.alert)),
    };
    Line::styled(
        format!("  {} → {to}{mark}, {} left", p.client, mm_ss(p.expires)),
        style,
    )
}

/// `203.0.113.7 812` each; `~` when scaled from a sample or when the
/// bounded counter may have over-counted it.
fn tops<K: Display>(tops: &[Top<K>], reading: &ConnReading, exact: bool) -> Vec<String> {
    tops.iter()
        .map(|t| {
            let mut n = count_text(reading.count(t.count), exact);
            if t.error > 0 && !n.starts_with('~') {
                n.insert(0, '~');
            }
            format!("{} {n}", t.key)
        })
        .collect()
}
