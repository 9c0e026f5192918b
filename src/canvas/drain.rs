//! The drain view (`x` on a real server, `X`): every real server drained
//! and watched, one line each; for the one under the cursor its active,
//! inactive and persistent counts over time as the kernel reports them,
//! when its last connection-table entry expires, what still sends it new
//! connections, and what was asked on its end.

use std::time::{Duration, SystemTime};

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::drain::{Sample, Watch};
use crate::app::warnings::on_drain;
use crate::app::App;
use crate::conns::ConnReading;
use crate::output::addr_port;

use super::connections::numbers::{count_text, grouped, mm_ss};
use super::time::{clock, TimeZone};
use super::Palette;

/// How far back "new connections lately" looks.
const LATELY: Duration = Duration::from_secs(10);

/// Clients named per line of templates.
const PINS_NAMED: usize = 4;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, palette: &Palette, tz: TimeZone) {
    let Some(view) = app.drain_view() else { return };
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let dim = Style::default().add_modifier(Modifier::DIM);
    let watches = app.drains().watches();
    let mut lines = vec![Line::from(vec![
        Span::styled("drain ", dim),
        Span::styled(
            match watches.len() {
                1 => "1 real server watched".to_string(),
                n => format!("{n} real servers watched"),
            },
            bold,
        ),
    ])];
    if watches.is_empty() {
        lines.push(Line::styled(
            "no drain is watched: x on a real server with a weight drains it and watches here",
            dim,
        ));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
        return;
    }
    // The list takes at most a third of the room; the cursor stays on it.
    let room = (area.height as usize / 3).max(1);
    let first = view.cursor().saturating_sub(room - 1);
    let polled = app.store().poll_status().last_ok;
    for (i, w) in watches.iter().enumerate().skip(first).take(room) {
        lines.push(list_line(w, i == view.cursor(), polled));
    }
    let Some(w) = view.focused(app.drains()) else {
        frame.render_widget(Paragraph::new(lines), area);
        return;
    };
    lines.push(Line::from(""));
    lines.push(options_line(w, polled, tz));
    let spark_width = area.width.saturating_sub(24) as usize;
    lines.extend(count_lines(w, spark_width, palette));
    let reading = view
        .scope()
        .and_then(|s| app.store().connections().reading_of(s));
    lines.push(expiry_line(
        w,
        reading.map(|r| r.as_ref()),
        app.view().exact(),
    ));
    lines.extend(new_connection_lines(
        w,
        reading.map(|r| r.as_ref()),
        palette,
    ));
    if let Some(r) = &w.refusal {
        lines.push(Line::styled(
            format!("last refused: {r}"),
            Style::default().fg(palette.alert),
        ));
    }
    // Each line says its point first: a narrow screen cuts, never wraps.
    // The settings' warnings are sentences: they wrap in the room left.
    let warnings = warning_lines(app, w, palette);
    let top = (lines.len() as u16).min(area.height);
    let head = Rect {
        height: top,
        ..area
    };
    let rest = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    frame.render_widget(Paragraph::new(lines), head);
    if !warnings.is_empty() && rest.height > 0 {
        frame.render_widget(Paragraph::new(warnings).wrap(Wrap { trim: true }), rest);
    }
}

/// What the kernel's `net.ipv4.vs.*` settings will do to this drain
/// (`warnings::on_drain`), each as `⚠ what happens. What would change it.`
fn warning_lines(app: &App, w: &Watch, palette: &Palette) -> Vec<Line<'static>> {
    let settings = app.store().settings();
    let Some(row) = app.store().service(&w.service) else {
        return Vec::new();
    };
    let Some(dest) = row.dests().iter().find(|d| d.dest().key() == w.dest) else {
        return Vec::new();
    };
    let warn = Style::default().fg(palette.warn);
    on_drain(&settings.values(), row.service(), dest.dest())
        .into_iter()
        .map(|found| Line::styled(format!("⚠ {found}"), warn))
        .collect()
}

/// `▶ 10.1.0.2:80  TCP 192.0.2.10:80  104 active  415 inactive  0 persistent  02:31`.
fn list_line(w: &Watch, cursor: bool, polled: Option<SystemTime>) -> Line<'static> {
    let mark = if cursor { "▶ " } else { "  " };
    let style = match cursor {
        true => Style::default().add_modifier(Modifier::BOLD),
        false => Style::default(),
    };
    let counts = match w.last() {
        Some(s) => format!(
            "{} active  {} inactive  {} persistent",
            grouped(s.active.into()),
            grouped(s.inactive.into()),
            grouped(s.persistent.into())
        ),
        None => "not read yet".into(),
    };
    // The service last: a narrow screen cuts it first.
    let since = draining_for(w, polled).unwrap_or_default();
    let text = format!(
        "{mark}{:<21} {counts}  {since:>5}  {}",
        addr_port(&w.dest.addr, w.dest.port),
        w.service
    );
    Line::styled(text, style)
}

/// How long it has drained, `mm:ss` (`hh:mm:ss` past an hour).
fn draining_for(w: &Watch, polled: Option<SystemTime>) -> Option<String> {
    let d = polled?.duration_since(w.started?).ok()?.as_secs();
    Some(match d {
        0..3600 => mm_ss(d as u32),
        _ => format!("{}:{}", d / 3600, mm_ss((d % 3600) as u32)),
    })
}

/// `10.1.0.2:80 of TCP 192.0.2.10:80: weight 0 (was 3) · remove when drained
/// · deadline 12:20:00 (in 14:10)`.
fn options_line(w: &Watch, polled: Option<SystemTime>, tz: TimeZone) -> Line<'static> {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let remove = match w.options.remove_when_drained {
        true => "remove when drained (nothing pointing to it at 2 readings)",
        false => "kept when drained",
    };
    let mut spans = vec![
        Span::styled(w.name(), bold),
        Span::raw(format!(": weight 0 (was {}) · {remove}", w.previous_weight)),
    ];
    if let Some(deadline) = w.options.deadline_unix {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(deadline);
        let left = polled
            .and_then(|p| at.duration_since(p).ok())
            .map(|d| format!(" (in {})", mm_ss(d.as_secs().min(u32::MAX.into()) as u32)))
            .unwrap_or_else(|| " (passed)".into());
        spans.push(Span::raw(format!(" · deadline {}{left}", clock(at, tz))));
    }
    Line::from(spans)
}

/// Active, inactive and persistent counts now and over time, on one
/// scale so equal counts draw equal bars; the newest at the right edge.
fn count_lines(w: &Watch, width: usize, palette: &Palette) -> Vec<Line<'static>> {
    let shown: Vec<&Sample> = w.samples.iter().rev().take(width).collect();
    let top = shown
        .iter()
        .map(|s| s.active.max(s.inactive).max(s.persistent))
        .max()
        .unwrap_or(0);
    let rows: [(&str, CountOf); 3] = [
        ("ActiveConn", |s| s.active),
        ("InActConn", |s| s.inactive),
        ("PersistConn", |s| s.persistent),
    ];
    rows.iter()
        .map(|(label, of)| {
            let now = w.last().map_or("-".to_string(), |s| grouped(of(s).into()));
            // The newest at the right edge, as in the sparkline pane.
            let pad = " ".repeat(width.saturating_sub(shown.len()));
            let bars: String = shown.iter().rev().map(|s| bar(of(s), top)).collect();
            let bars = pad + &bars;
            Line::from(vec![
                Span::raw(format!("{label:<12}{now:>10}  ")),
                Span::styled(bars, Style::default().fg(palette.spark)),
            ])
        })
        .collect()
}

/// Which of a sample's counts a line draws.
type CountOf = fn(&Sample) -> u32;

fn bar(v: u32, top: u32) -> char {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if v == 0 || top == 0 {
        return BARS[0];
    }
    let step = (u64::from(v) * 7).div_ceil(u64::from(top)).clamp(1, 7);
    BARS[step as usize]
}

/// When its last entry in the connection table expires, from the reading
/// of its real server.
fn expiry_line(w: &Watch, reading: Option<&ConnReading>, exact: bool) -> Line<'static> {
    let dim = Style::default().add_modifier(Modifier::DIM);
    let Some(r) = reading else {
        return Line::styled("reading the connection table…", dim);
    };
    let Some(d) = r.dests.iter().find(|d| d.dest == w.dest) else {
        return Line::from("no entry to it in the connection table");
    };
    let entries = count_text(r.count(d.counts.entries()), exact);
    let at_least = if r.sampling.is_exact() { "" } else { "≥ " };
    Line::from(format!(
        "connection table: {entries} entries to it ({} templates), the last expires in {at_least}{}",
        count_text(r.count(d.counts.templates), exact),
        mm_ss(d.last_expires)
    ))
}

/// What still sends it new connections at weight 0: the kernel's counter
/// rising, and why: templates pinning clients (shown while any points to
/// it, a returning client may come at any time), or reused source ports.
fn new_connection_lines(
    w: &Watch,
    reading: Option<&ConnReading>,
    palette: &Palette,
) -> Vec<Line<'static>> {
    let lately = w.new_within(LATELY);
    let since = w.new_since_start();
    let warn = Style::default().fg(palette.warn);
    let mut lines = vec![match lately {
        0 => Line::from(format!(
            "no new connection in the last {} s ({} since watched)",
            LATELY.as_secs(),
            grouped(since)
        )),
        _ => Line::styled(
            format!(
                "still sent new connections at weight 0: {} in the last {} s ({} since watched)",
                grouped(lately),
                LATELY.as_secs(),
                grouped(since)
            ),
            warn,
        ),
    }];
    let pins: Vec<String> = reading
        .map(|r| {
            r.pins
                .iter()
                .filter(|p| p.dest == w.dest)
                .map(|p| p.client.to_string())
                .collect()
        })
        .unwrap_or_default();
    let templates = w.last().map_or(0, |s| s.persistent);
    if templates > 0 || !pins.is_empty() {
        let mut named = pins.iter().take(PINS_NAMED).cloned().collect::<Vec<_>>();
        if pins.len() > PINS_NAMED {
            named.push(format!("+{} more", pins.len() - PINS_NAMED));
        }
        let who = match named.is_empty() {
            true => String::new(),
            false => format!(": {}", named.join(", ")),
        };
        lines.push(Line::from(format!(
            "  persistence templates pin {} clients to it{who}",
            grouped(templates.max(pins.len() as u32).into())
        )));
    } else if since > 0 {
        lines.push(Line::from(
            "  no template points to it: clients reusing a source port (conn_reuse_mode)",
        ));
    }
    lines
}
