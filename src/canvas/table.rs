//! The service / real-server tree. Only the rows on screen are built.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::Frame;

use crate::app::alerts::Alert;
use crate::app::editing::WeightMark;
use crate::app::rates::RateSource;
use crate::app::table::Row;
use crate::app::units::human;
use crate::app::{App, Changed, DestRow, ServiceRow};
use crate::model::{ServiceFlags, ServiceKey};
use crate::output::addr_port;

use super::alerts;
use super::Palette;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Prot,
    Address,
    Sched,
    Forward,
    Weight,
    Active,
    Inact,
    Cps,
    InPps,
    OutPps,
    InBps,
    OutBps,
    Share,
    Alert,
}

impl Col {
    fn title(self) -> &'static str {
        match self {
            Col::Prot => "Prot",
            Col::Address => "LocalAddress:Port",
            Col::Sched => "Scheduler",
            Col::Forward => "Forward",
            Col::Weight => "Weight",
            Col::Active => "ActiveConn",
            Col::Inact => "InActConn",
            Col::Cps => "CPS",
            Col::InPps => "InPPS",
            Col::OutPps => "OutPPS",
            Col::InBps => "InBPS",
            Col::OutBps => "OutBPS",
            Col::Share => "Weight→Traffic",
            Col::Alert => "Alert",
        }
    }

    fn width(self) -> u16 {
        match self {
            Col::Prot => 4,
            Col::Address => 24,
            Col::Sched => 11,
            Col::Forward => 7,
            Col::Weight => 6,
            Col::Active => 10,
            Col::Inact => 9,
            Col::Cps | Col::InPps | Col::OutPps | Col::InBps | Col::OutBps => 7,
            Col::Share => 14,
            Col::Alert => 10,
        }
    }

    fn right(self) -> bool {
        !matches!(
            self,
            Col::Prot | Col::Address | Col::Sched | Col::Forward | Col::Share | Col::Alert
        )
    }

    fn changed_bit(self) -> u16 {
        match self {
            Col::Weight => Changed::WEIGHT,
            Col::Active => Changed::ACTIVE,
            Col::Inact => Changed::INACT,
            Col::Cps => Changed::CPS,
            Col::InPps => Changed::INPPS,
            Col::OutPps => Changed::OUTPPS,
            Col::InBps => Changed::INBPS,
            Col::OutBps => Changed::OUTBPS,
            _ => 0,
        }
    }
}

/// Screen order.
const ORDER: [Col; 14] = [
    Col::Prot,
    Col::Address,
    Col::Sched,
    Col::Forward,
    Col::Weight,
    Col::Active,
    Col::Inact,
    Col::Cps,
    Col::InPps,
    Col::OutPps,
    Col::InBps,
    Col::OutBps,
    Col::Share,
    Col::Alert,
];

/// What survives on a narrow terminal, most important first.
const PRIORITY: [Col; 14] = [
    Col::Address,
    Col::Active,
    Col::Cps,
    Col::Weight,
    Col::Alert,
    Col::Inact,
    Col::Prot,
    Col::Share,
    Col::InBps,
    Col::Sched,
    Col::OutBps,
    Col::InPps,
    Col::Forward,
    Col::OutPps,
];

/// Columns that fit in `width`, in screen order, with their widths (the
/// address column takes what is left over).
fn columns(width: u16) -> Vec<(Col, u16)> {
    let mut chosen = Vec::new();
    let mut used = 0u16;
    for c in PRIORITY {
        let need = c.width() + if chosen.is_empty() { 0 } else { 1 };
        if used + need <= width {
            used += need;
            chosen.push(c);
        }
    }
    let spare = width - used;
    ORDER
        .iter()
        .filter(|c| chosen.contains(c))
        .map(|&c| {
            (
                c,
                if c == Col::Address {
                    c.width() + spare
                } else {
                    c.width()
                },
            )
        })
        .collect()
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, palette: &Palette) {
    let cols = columns(area.width);
    let buf = frame.buffer_mut();
    let title = Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let mut x = area.x;
    for (c, w) in &cols {
        put(buf, x, area.y, *w, c.title(), c.right(), title);
        x += w + 1;
    }
    let rows = area.height.saturating_sub(1) as usize;
    let end = (app.view().offset() + rows).min(app.view().rows().len());
    for (line, i) in (app.view().offset()..end).enumerate() {
        let y = area.y + 1 + line as u16;
        let selected = i == app.view().selected();
        let base = if selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        if selected {
            buf.set_style(Rect::new(area.x, y, area.width, 1), base);
        }
        let cells = match app.view().rows()[i] {
            Row::Service(s) => service_cells(app, &app.store().services()[s], *palette),
            Row::Dest(s, d) => dest_cells(app, &app.store().services()[s], d, *palette),
        };
        let mut x = area.x;
        for (c, w) in &cols {
            let (text, changed, colour) = cells(*c);
            let mut style = base;
            if let Some(fg) = colour {
                style = style.fg(fg);
            }
            if changed {
                style = style.add_modifier(Modifier::BOLD).fg(palette.changed);
            }
            put(buf, x, y, *w, &text, c.right(), style);
            x += w + 1;
        }
    }
    if app.view().rows().is_empty() {
        let msg = if app.store().info().is_none() {
            "reading the IPVS table…"
        } else if app.view().filter().is_empty() {
            "no virtual services"
        } else {
            "no service matches the filter"
        };
        put(
            buf,
            area.x + 1,
            area.y + 1,
            area.width.saturating_sub(1),
            msg,
            false,
            Style::default(),
        );
    }
}

/// Writes `text` into a cell of `width`, cut to fit (a copy only when cut:
/// this runs for every cell of every row drawn).
fn put(buf: &mut Buffer, x: u16, y: u16, width: u16, text: &str, right: bool, style: Style) {
    let w = width as usize;
    let len = text.chars().count();
    if len > w {
        let shown: String = text
            .chars()
            .take(w.saturating_sub(1))
            .chain(['…'])
            .collect();
        buf.set_stringn(x, y, &shown, w, style);
    } else {
        let x = if right { x + (w - len) as u16 } else { x };
        if text.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            // What `set_stringn` does for printable ASCII (one cell a byte),
            // without its grapheme segmentation: most cells are numbers and
            // addresses, and this is most of a row's drawing.
            let room = buf.area.right().saturating_sub(x) as usize;
            for (i, b) in text.bytes().take(room).enumerate() {
                buf[(x + i as u16, y)].set_char(b as char).set_style(style);
            }
        } else {
            buf.set_stringn(x, y, text, w, style);
        }
    }
}

type Cell = (String, bool, Option<Color>);

fn rate_cells(series_rates: Option<crate::app::rates::Rates>, exact: bool, c: Col) -> String {
    let Some(r) = series_rates else {
        return "-".into();
    };
    let v = match c {
        Col::Cps => r.cps,
        Col::InPps => r.inpps,
        Col::OutPps => r.outpps,
        Col::InBps => r.inbps,
        Col::OutBps => r.outbps,
        _ => return String::new(),
    };
    human(v, exact)
}

fn service_cells<'a>(
    app: &'a App,
    row: &'a ServiceRow,
    palette: Palette,
) -> Box<dyn Fn(Col) -> Cell + 'a> {
    let open = app.view().is_expanded(&row.service().key);
    Box::new(move |c| {
        let changed = row.changed().has(c.changed_bit());
        if c == Col::Alert {
            let (text, colour) = alerts::service_cell(row, &palette);
            return (text, false, colour);
        }
        let text = match c {
            Col::Prot => match row.service().key {
                ServiceKey::Addr { protocol, .. } => protocol.name().to_string(),
                ServiceKey::Fwmark { .. } => "FWM".into(),
            },
            Col::Address => {
                let marker = if row.dests().is_empty() && row.dests_read_at().is_some() {
                    "  "
                } else if open {
                    "▾ "
                } else {
                    "▸ "
                };
                format!("{marker}{}", service_address(&row.service().key))
            }
            Col::Sched => scheduler(row),
            Col::Active => human(row.active() as f64, app.view().exact()),
            Col::Inact => human(row.inactive() as f64, app.view().exact()),
            Col::Cps | Col::InPps | Col::OutPps | Col::InBps | Col::OutBps => {
                rate_cells(row.series().rates, app.view().exact(), c)
            }
            Col::Forward | Col::Weight | Col::Share | Col::Alert => String::new(),
        };
        (text, changed, None)
    })
}

/// The weight cell's mark after a real server's weight presses.
fn mark_glyph(mark: &WeightMark) -> char {
    match mark {
        WeightMark::Pending => '…',
        WeightMark::Applied => '✓',
        WeightMark::Failed { .. } => '✗',
    }
}

fn dest_cells<'a>(
    app: &'a App,
    row: &'a ServiceRow,
    j: usize,
    palette: Palette,
) -> Box<dyn Fn(Col) -> Cell + 'a> {
    let d: &DestRow = &row.dests()[j];
    Box::new(move |c| {
        let changed = d.changed().has(c.changed_bit());
        let mut colour = None;
        let text = match c {
            Col::Prot => String::new(),
            Col::Address => match app.tuning() == Some((row.service().key, d.dest().key())) {
                true => format!("TUNING → {}", addr_port(&d.dest().addr, d.dest().port)),
                false => format!("  → {}", addr_port(&d.dest().addr, d.dest().port)),
            },
            Col::Sched => String::new(),
            Col::Forward => d.dest().forward.name().to_string(),
            Col::Weight => match app.weight_marks().get(&(row.service().key, d.dest().key())) {
                Some(mark) => format!("{}{}", d.dest().weight, mark_glyph(mark)),
                None => d.dest().weight.to_string(),
            },
            Col::Active => human(d.dest().active_conns as f64, app.view().exact()),
            Col::Inact => human(d.dest().inactive_conns as f64, app.view().exact()),
            Col::Cps | Col::InPps | Col::OutPps | Col::InBps | Col::OutBps => {
                rate_cells(d.rates(app.store().rate_source()), app.view().exact(), c)
            }
            Col::Share => {
                // Yellow only with a share alert raised, not per poll.
                if let Some(a @ Alert::Share { .. }) = d.alert() {
                    colour = Some(alerts::colour(a.severity(), &palette));
                }
                share(row, j, app.store().rate_source())
            }
            Col::Alert => {
                let (text, c) = alerts::dest_cell(d, &palette);
                colour = c;
                text
            }
        };
        (text, changed, colour)
    })
}

/// Weight share against traffic share: `33% ██▌  50%`. Traffic is new
/// connections when there are any, else active connections.
fn share(row: &ServiceRow, j: usize, source: RateSource) -> String {
    let weights: u64 = row.weight();
    let cps: f64 = row
        .dests()
        .iter()
        .map(|d| d.rates(source).map_or(0.0, |r| r.cps))
        .sum();
    let d = &row.dests()[j];
    let w = if weights > 0 {
        d.dest().weight as f64 / weights as f64
    } else {
        0.0
    };
    let t = if cps > 0.0 {
        d.rates(source).map_or(0.0, |r| r.cps) / cps
    } else {
        let active = row.active();
        if active == 0 {
            return format!("{:>3.0}%", w * 100.0);
        }
        d.dest().active_conns as f64 / active as f64
    };
    let eighths = (t * 32.0).round() as usize; // 4 cells of 8 steps
    let mut bar = String::new();
    for cell in 0..4 {
        let fill = eighths.saturating_sub(cell * 8).min(8);
        bar.push(match fill {
            0 => ' ',
            1 => '▏',
            2 => '▎',
            3 => '▍',
            4 => '▌',
            5 => '▋',
            6 => '▊',
            7 => '▉',
            _ => '█',
        });
    }
    format!("{:>3.0}% {bar} {:>3.0}%", w * 100.0, t * 100.0)
}

fn scheduler(row: &ServiceRow) -> String {
    let s = &row.service();
    let mut out = s.scheduler.clone();
    if s.flags.has(ServiceFlags::PERSISTENT) {
        out.push_str(&format!(" p{}", s.timeout));
    }
    if s.flags.has(ServiceFlags::ONEPACKET) {
        out.push_str(" ops");
    }
    out
}

fn service_address(k: &ServiceKey) -> String {
    match k {
        ServiceKey::Addr { addr, port, .. } => addr_port(addr, *port),
        ServiceKey::Fwmark { mark, family } => match family {
            crate::model::Family::V4 => format!("{mark}"),
            crate::model::Family::V6 => format!("{mark} IPv6"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_terminals_keep_the_important_columns() {
        let names = |w| columns(w).iter().map(|(c, _)| *c).collect::<Vec<_>>();
        let narrow = names(60);
        assert!(narrow.contains(&Col::Address));
        assert!(narrow.contains(&Col::Active));
        assert!(narrow.contains(&Col::Cps));
        assert!(!narrow.contains(&Col::OutPps));
        let wide = names(200);
        assert_eq!(wide.len(), ORDER.len());
        for w in [60u16, 80, 120, 200] {
            let total: u16 = columns(w).iter().map(|(_, w)| w + 1).sum::<u16>() - 1;
            assert_eq!(total, w, "columns fill exactly {w}");
        }
    }
}
