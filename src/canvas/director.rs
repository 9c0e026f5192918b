//! The director's settings: the header's short item (`timeouts
//! 900/120/300`) and the panel (`T`) with the timeouts and the keys of the
//! forms that change them.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use crate::app::editing::EditCommand;
use crate::app::{Action, App, DirectorReading};
use crate::keys::{Command, KeyTable};
use crate::model::Timeouts;

use super::time::clock;
use super::Chrome;

/// `timeouts 900/120/300`; nothing before the first reading or when the
/// timeouts could not be read (the panel says why).
pub fn header_text(reading: Option<&DirectorReading>) -> Option<String> {
    let t = reading?.timeouts.as_ref().ok()?;
    Some(format!("timeouts {}/{}/{}", t.tcp, t.tcp_fin, t.udp))
}

/// The panel over the table and sparklines: `area` is theirs.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, chrome: &Chrome, keys: &KeyTable) {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let dim = Style::default().add_modifier(Modifier::DIM);
    let alert = Style::default().fg(chrome.palette.alert);
    let mut lines = Vec::new();
    let reading = app.store().director();
    lines.push(Line::styled("Connection timeouts (ipvsadm --set)", bold));
    match reading.map(|r| &r.timeouts) {
        None => lines.push(Line::styled("  not read yet", dim)),
        Some(Ok(t)) => lines.extend(timeout_lines(t)),
        Some(Err(e)) => lines.push(Line::styled(format!("  could not be read: {e}"), alert)),
    }
    lines.push(Line::from(""));
    if let Some(r) = reading {
        lines.push(Line::styled(
            format!(
                "read {} · again every 5 s and after a change",
                clock(r.wall, chrome.tz)
            ),
            dim,
        ));
    }
    lines.push(key_line(keys));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Director: timeouts ")),
        area,
    );
}

fn timeout_lines(t: &Timeouts) -> Vec<Line<'static>> {
    let row = |name: &str, secs: u32, what: &str| {
        Line::from(vec![
            Span::raw(format!("  {name:<7}{secs:>8} s  ")),
            Span::styled(
                what.to_string(),
                Style::default().add_modifier(Modifier::DIM),
            ),
        ])
    };
    vec![
        row("tcp", t.tcp, "established TCP connections"),
        row("tcpfin", t.tcp_fin, "TCP after the client's FIN"),
        row("udp", t.udp, "UDP"),
    ]
}

/// The panel's keys, named from the key table (so a remap shows).
fn key_line(keys: &KeyTable) -> Line<'static> {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let hints = [
        (Command::Edit(EditCommand::SetTimeouts), "set timeouts"),
        (Command::Edit(EditCommand::Undo), "undo"),
        (Command::View(Action::DirectorPanel), "close"),
    ];
    let mut spans = Vec::new();
    for (command, label) in hints {
        let Some(k) = keys.key_for(command) else {
            continue;
        };
        if !spans.is_empty() {
            spans.push(Span::raw(" · "));
        }
        spans.push(Span::styled(k, bold));
        spans.push(Span::raw(format!(" {label}")));
    }
    Line::from(spans)
}
