//! The director's settings: the header's short item (`timeouts
//! 900/120/300  sync: master eth0 id 1`) and the panel (`T`) with the
//! timeouts, every field of each sync daemon, the synced entries a backup
//! holds, and the keys of the forms that change them.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use crate::app::editing::EditCommand;
use crate::app::{Action, App, DirectorReading};
use crate::keys::{Command, KeyTable};
use crate::model::{SyncDaemon, Timeouts};
use crate::output::addr;

use super::connections::numbers::count_text;
use super::time::clock;
use super::Chrome;

/// `timeouts 900/120/300  sync: master eth0 id 1` (or `sync: none`);
/// a part that could not be read is left out (the panel says why),
/// nothing at all before the first reading.
pub fn header_text(reading: Option<&DirectorReading>) -> Option<String> {
    let reading = reading?;
    let mut parts = Vec::new();
    if let Ok(t) = &reading.timeouts {
        parts.push(format!("timeouts {}/{}/{}", t.tcp, t.tcp_fin, t.udp));
    }
    match reading.daemons.as_deref() {
        Ok([]) => parts.push("sync: none".into()),
        Ok(daemons) => {
            let each: Vec<String> = daemons
                .iter()
                .map(|d| format!("{} {} id {}", d.role, d.interface, d.sync_id))
                .collect();
            parts.push(format!("sync: {}", each.join(", ")));
        }
        Err(_) => {}
    }
    (!parts.is_empty()).then(|| parts.join("  "))
}

/// The panel over the table and sparklines: `area` is theirs.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, chrome: &Chrome, keys: &KeyTable) {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let dim = Style::default().add_modifier(Modifier::DIM);
    let alert = Style::default().fg(chrome.palette.alert);
    let failed = |e: &str| Line::styled(format!("  could not be read: {e}"), alert);
    let reading = app.store().director();
    let mut lines = vec![Line::styled("Connection timeouts (ipvsadm --set)", bold)];
    match reading.map(|r| &r.timeouts) {
        None => lines.push(Line::styled("  not read yet", dim)),
        Some(Ok(t)) => lines.extend(timeout_lines(t)),
        Some(Err(e)) => lines.push(failed(e)),
    }
    lines.push(Line::from(""));
    lines.push(Line::styled("Sync daemons (ipvsadm --daemon)", bold));
    match reading.map(|r| &r.daemons) {
        None => lines.push(Line::styled("  not read yet", dim)),
        Some(Ok(d)) if d.is_empty() => lines.push(Line::raw("  none running")),
        Some(Ok(d)) => lines.extend(daemon_lines(d)),
        Some(Err(e)) => lines.push(failed(e)),
    }
    if reading.is_some_and(DirectorReading::backup_runs) {
        lines.push(synced_line(app));
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
    lines.push(key_line(keys, app.view().connections().is_none()));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Director: timeouts, sync daemons ")),
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

/// A title line, then one line per daemon with every field; a field the
/// kernel did not report (before 4.7) is `-`.
fn daemon_lines(daemons: &[SyncDaemon]) -> Vec<Line<'static>> {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let rows: Vec<[String; 7]> = daemons
        .iter()
        .map(|d| {
            [
                d.role.name().to_string(),
                d.interface.as_str().to_string(),
                d.sync_id.to_string(),
                or_dash(d.max_len.map(|n| n.to_string())),
                or_dash(d.group.map(|g| addr(&g))),
                or_dash(d.port.map(|n| n.to_string())),
                or_dash(d.ttl.map(|n| n.to_string())),
            ]
        })
        .collect();
    // The group column as wide as the widest group shown (IPv6 ones are long).
    let group_w = rows
        .iter()
        .map(|r| r[4].chars().count())
        .chain(["multicast group".len()])
        .max()
        .unwrap_or(0);
    let line = |r: &[&str; 7]| {
        format!(
            "  {:<7} {:<15} {:>7} {:>10}  {:<group_w$} {:>5} {:>3}",
            r[0], r[1], r[2], r[3], r[4], r[5], r[6]
        )
    };
    let title = [
        "role",
        "interface",
        "sync id",
        "max length",
        "multicast group",
        "port",
        "TTL",
    ];
    let mut lines = vec![Line::styled(
        line(&title),
        Style::default().add_modifier(Modifier::DIM),
    )];
    for r in &rows {
        lines.push(Line::raw(line(&r.each_ref().map(String::as_str))));
    }
    lines
}

/// What the backup daemon brought, as the connections view last counted
/// it; the table is not walked for the panel alone.
fn synced_line(app: &App) -> Line<'static> {
    let exact = app.view().exact();
    match app.store().connections().reading() {
        Some(r) => Line::raw(format!(
            "  synced by the backup: {} of {} entries of {} (the connections view's reading)",
            count_text(r.count(r.total.synced), exact),
            count_text(r.count(r.total.entries()), exact),
            r.scope.service
        )),
        None => Line::styled(
            "  synced by the backup: press T in the connections view (c) to count them",
            Style::default().add_modifier(Modifier::DIM),
        ),
    }
}

/// The panel's keys, named from the key table (so a remap shows); over
/// the connections view only the one that closes it (`forms` false).
fn key_line(keys: &KeyTable, forms: bool) -> Line<'static> {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let all = [
        (Command::Edit(EditCommand::SetTimeouts), "set timeouts"),
        (Command::Edit(EditCommand::StartDaemon), "start a daemon"),
        (Command::Edit(EditCommand::StopDaemon), "stop one"),
        (Command::Edit(EditCommand::Undo), "undo"),
        (Command::View(Action::DirectorPanel), "close"),
    ];
    let hints = if forms { &all[..] } else { &all[4..] };
    let mut spans = Vec::new();
    for &(command, label) in hints {
        let Some(k) = keys.key_for(command) else {
            continue;
        };
        if !spans.is_empty() {
            spans.push(Span::raw(" · "));
        }
        spans.push(Span::styled(k, bold));
        spans.push(Span::raw(format!(" {label}")));
    }
    if !forms {
        spans.push(Span::raw(
            " (the forms open over the table: nothing here changes it)",
        ));
    }
    Line::from(spans)
}
