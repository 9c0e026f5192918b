//! The summary's first part: one line per real server with its entries
//! by state, the states that matter most kept when the width is short,
//! the rest summed in `other` so a line always adds up.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::view::connections::ConnView;
use crate::app::view::lists::ConnLists;
use crate::conns::{ConnReading, Counts, Standing, HALF_OPEN};
use crate::model::{Protocol, ServiceKey, Token};
use crate::output::addr_port;

use super::super::Palette;
use super::numbers::{count_text, mm_ss};

/// States with a column of their own when they fit, most telling first
/// (`SYN_RECV` even at zero on TCP: none half-open is an answer too).
const STATES: [&str; 6] = [
    "ESTABLISHED",
    HALF_OPEN,
    "TIME_WAIT",
    "FIN_WAIT",
    "CLOSE_WAIT",
    "UDP",
];

/// A column of the real-server table.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Col {
    Entries,
    State(Token),
    Other,
    Templates,
    Synced,
    /// Drained or gone, and when its last entry expires.
    Note,
}

impl Col {
    fn title(&self) -> String {
        match self {
            Col::Entries => "entries".into(),
            Col::State(t) => t.as_str().into(),
            Col::Other => "other".into(),
            Col::Templates => "templates".into(),
            Col::Synced => "synced".into(),
            Col::Note => String::new(),
        }
    }
}

/// One line's cells, before they are laid out.
struct Cells<'a> {
    name: String,
    counts: &'a Counts,
    note: String,
    selected: bool,
}

/// Draws the real-server lines and a total line; returns the lines used
/// (with a blank one after).
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    reading: &ConnReading,
    lists: &ConnLists,
    view: &ConnView,
    exact: bool,
    palette: &Palette,
) -> u16 {
    if reading.total.entries() == 0 && reading.dests.iter().all(|d| d.counts.entries() == 0) {
        let what = match reading.scope.clients {
            Some(p) => format!("no connections from {p} in this scope"),
            None => "no connections in this scope".to_string(),
        };
        let mut lines = vec![Line::raw(what)];
        if !reading.sampling.is_exact() {
            lines.push(Line::styled(
                "(none among the entries sampled: E reads the whole table)",
                Style::default().add_modifier(Modifier::DIM),
            ));
        }
        let n = lines.len() as u16;
        frame.render_widget(Paragraph::new(lines), area);
        return n + 1;
    }
    let sampled = !reading.sampling.is_exact();
    let cursor = view.servers_cursor();
    // Room for the title, the total and a line for what follows.
    let rows = (area.height as usize).saturating_sub(3).max(1);
    let offset = cursor.offset.min(lists.servers.len().saturating_sub(rows));
    // Drawn with fewer lines than a page: the cursor stays on screen.
    let offset = if cursor.at >= offset + rows {
        cursor.at + 1 - rows
    } else {
        offset
    };
    let mut lines: Vec<Cells> = lists
        .servers
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .map(|(i, d)| Cells {
            name: addr_port(&d.dest.addr, d.dest.port),
            counts: &d.counts,
            note: note(d.standing, d.last_expires, sampled),
            selected: i == cursor.at,
        })
        .collect();
    lines.push(Cells {
        name: "all".into(),
        counts: &reading.total,
        note: String::new(),
        selected: false,
    });
    let cols = columns(reading, &lines, area.width, exact);
    let name_w = lines
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0)
        .max("real server".len());
    let mut out = Vec::with_capacity(lines.len() + 1);
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut head = format!("  {:<name_w$}", "real server");
    for (c, w) in &cols {
        head.push(' ');
        match c {
            Col::Note => head.push_str(&format!("{:<w$}", c.title())),
            _ => head.push_str(&format!("{:>w$}", c.title())),
        }
    }
    out.push(Line::styled(head, bold));
    let last = lines.len() - 1;
    for (k, cells) in lines.iter().enumerate() {
        let mut text = format!(
            "{} {:<name_w$}",
            if cells.selected { '▸' } else { ' ' },
            cells.name
        );
        for (c, w) in &cols {
            text.push(' ');
            let cell = cell(c, cells, reading, &cols, exact);
            match c {
                Col::Note => text.push_str(&format!("{cell:<w$}")),
                _ => text.push_str(&format!("{cell:>w$}")),
            }
        }
        let style = if cells.selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else if k == last {
            Style::default().add_modifier(Modifier::DIM)
        } else if !cells.note.is_empty() {
            Style::default().fg(palette.warn)
        } else {
            Style::default()
        };
        out.push(Line::styled(text.trim_end().to_string(), style));
    }
    let n = out.len() as u16;
    frame.render_widget(Paragraph::new(out), area);
    n + 1
}

/// `weight 0, 14:32 left` / `deleted, ≥02:10 left`: how long until its last
/// entry expires. From a sample the last seen is a lower bound.
fn note(standing: Standing, last: u32, sampled: bool) -> String {
    let what = match standing {
        Standing::Serving => return String::new(),
        Standing::Drained => "weight 0",
        Standing::Gone => "deleted",
    };
    match (last, sampled) {
        (0, _) => what.to_string(),
        (_, false) => format!("{what}, {} left", mm_ss(last)),
        (_, true) => format!("{what}, ≥{} left", mm_ss(last)),
    }
}

fn cell(
    c: &Col,
    cells: &Cells,
    reading: &ConnReading,
    cols: &[(Col, usize)],
    exact: bool,
) -> String {
    let n = |x: u64| count_text(reading.count(x), exact);
    let counts = cells.counts;
    match c {
        Col::Entries => n(counts.entries()),
        Col::State(t) => n(counts.states.get(t.as_str())),
        Col::Other => {
            let shown: u64 = cols
                .iter()
                .filter_map(|(c, _)| match c {
                    Col::State(t) => Some(counts.states.get(t.as_str())),
                    _ => None,
                })
                .sum();
            n(counts.states.total() - shown)
        }
        Col::Templates => n(counts.templates),
        Col::Synced => n(counts.synced),
        Col::Note => cells.note.clone(),
    }
}

/// The columns that fit `width`, in screen order, with their widths.
fn columns(reading: &ConnReading, lines: &[Cells], width: u16, exact: bool) -> Vec<(Col, usize)> {
    let total = &reading.total;
    let tcp = !matches!(
        reading.scope.service,
        ServiceKey::Addr {
            protocol: Protocol::Udp,
            ..
        }
    );
    // States seen, the usual ones first, then others by count.
    let mut states: Vec<Token> = STATES
        .iter()
        .filter_map(|s| Token::new(s))
        .filter(|t| total.states.get(t.as_str()) > 0 || (tcp && t.as_str() == HALF_OPEN))
        .collect();
    let mut rest: Vec<(Token, u64)> = total
        .states
        .iter()
        .filter(|(t, _)| !STATES.contains(&t.as_str()))
        .collect();
    rest.sort_by_key(|r| std::cmp::Reverse(r.1));
    states.extend(rest.into_iter().map(|(t, _)| t));
    // Priority: what a line must show first when the width is short.
    let mut wanted = vec![Col::Entries];
    wanted.extend(states.iter().take(2).cloned().map(Col::State));
    if lines.iter().any(|l| !l.note.is_empty()) {
        wanted.push(Col::Note);
    }
    wanted.extend(states.iter().skip(2).cloned().map(Col::State));
    if total.templates > 0 {
        wanted.push(Col::Templates);
    }
    if total.synced > 0 {
        wanted.push(Col::Synced);
    }
    let name_w = lines
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(11);
    let width_of = |c: &Col, cols: &[(Col, usize)]| -> usize {
        let fake: Vec<(Col, usize)> = cols.to_vec();
        lines
            .iter()
            .map(|l| cell(c, l, reading, &fake, exact).chars().count())
            .chain([c.title().chars().count()])
            .max()
            .unwrap_or(0)
    };
    let other = Col::Other;
    let mut chosen: Vec<(Col, usize)> = Vec::new();
    let mut used = 2 + name_w;
    for c in wanted {
        let w = width_of(&c, &chosen);
        // Room kept for `other` whenever a state is left out.
        let other_w = width_of(&other, &chosen) + 1;
        if used + 1 + w + other_w <= width as usize {
            used += 1 + w;
            chosen.push((c, w));
        }
    }
    let hidden_state = states
        .iter()
        .any(|t| !chosen.iter().any(|(c, _)| *c == Col::State(*t)));
    if hidden_state || total.states.other() > 0 {
        let w = width_of(&other, &chosen);
        chosen.push((other, w));
    }
    // Screen order: entries, states, other, templates, synced, note.
    let rank = |c: &Col| match c {
        Col::Entries => (0, 0),
        Col::State(t) => (1, states.iter().position(|s| s == t).unwrap_or(0)),
        Col::Other => (2, 0),
        Col::Templates => (3, 0),
        Col::Synced => (4, 0),
        Col::Note => (5, 0),
    };
    chosen.sort_by_key(|(c, _)| rank(c));
    chosen
}
