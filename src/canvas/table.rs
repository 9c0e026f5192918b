//! The service / real-server tree. Only the rows on screen are built.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::Frame;

use crate::app::alerts::Alert;
use crate::app::columns::{self, Column as Col, PRIORITY};
use crate::app::editing::WeightMark;
use crate::app::rates::{RateSource, Rates};
use crate::app::series::Series;
use crate::app::table::Row;
use crate::app::units::human;
use crate::app::{App, Changed, DestRow, Metric, ServiceRow};
use crate::model::{ServiceFlags, ServiceKey};
use crate::output::addr_port;

use super::alerts;
use super::bars;
use super::emphasis::{self, big_jump, RECENT};
use super::half_open;
use super::Palette;

/// The change bit a column's highlight follows.
fn changed_bit(c: Col) -> u16 {
    match c {
        Col::Weight => Changed::WEIGHT,
        Col::Active => Changed::ACTIVE,
        Col::Cps => Changed::CPS,
        Col::InPps => Changed::INPPS,
        Col::OutPps => Changed::OUTPPS,
        Col::InBps => Changed::INBPS,
        Col::OutBps => Changed::OUTBPS,
        _ => 0,
    }
}

/// The history metric behind a column, for the jump rule.
fn metric_of(c: Col) -> Option<Metric> {
    Some(match c {
        Col::Active => Metric::Active,
        Col::Cps => Metric::Cps,
        Col::InPps => Metric::InPps,
        Col::OutPps => Metric::OutPps,
        Col::InBps => Metric::InBps,
        Col::OutBps => Metric::OutBps,
        _ => return None,
    })
}

/// A trend column narrower than this is not worth drawing; the spare width
/// then stays with the address column.
const TREND_MIN: u16 = 8;

/// The table's columns at `width` with their widths, and the width of the
/// trend sparkline (0 for none). `need` gives each visible column the width
/// its title and the cells on screen take. Columns are as wide as they need;
/// when they need more than `width` (exact numbers, long addresses) the
/// least important drop, so a number is never cut; spare width goes to the
/// trend column.
pub fn layout(width: u16, need: impl Fn(Col) -> u16) -> (Vec<(Col, u16)>, u16) {
    let mut cols: Vec<(Col, u16)> = columns::visible(width)
        .into_iter()
        .map(|c| (c, need(c)))
        .collect();
    let used = |cols: &[(Col, u16)]| cols.iter().map(|(_, w)| w + 1).sum::<u16>() - 1;
    for drop in PRIORITY.iter().rev() {
        if cols.len() <= 1 || used(&cols) <= width {
            break;
        }
        if *drop != Col::Address {
            cols.retain(|(c, _)| c != drop);
        }
    }
    if used(&cols) > width {
        // The address alone is wider than the screen: it is cut with `…`.
        let total = used(&cols);
        if let Some((_, w)) = cols.iter_mut().find(|(c, _)| *c == Col::Address) {
            *w = width.saturating_sub(total - *w);
        }
    }
    let spare = width.saturating_sub(used(&cols));
    if spare > TREND_MIN {
        (cols, spare - 1)
    } else {
        if let Some((_, w)) = cols.iter_mut().find(|(c, _)| *c == Col::Address) {
            *w += spare;
        }
        (cols, 0)
    }
}

/// A cell: its text, whether it is highlighted, its colour.
type Cell = (String, bool, Option<Color>);

/// What the table shows in an area: the rows on screen, each candidate
/// column's cells for them, and the columns that fit with their widths.
struct Plan<'a> {
    on_screen: &'a [Row],
    all: Vec<Col>,
    cells: Vec<Vec<Cell>>,
    cols: Vec<(Col, u16)>,
    trend: u16,
    sort_col: Option<Col>,
    mark: &'static str,
}

impl Plan<'_> {
    fn title_of(&self, c: Col) -> String {
        if Some(c) == self.sort_col {
            format!("{}{}", c.title(), self.mark)
        } else {
            c.title().to_string()
        }
    }
}

fn plan<'a>(app: &'a App, area: Rect, palette: Palette) -> Plan<'a> {
    let view = app.view();
    let rows = area.height.saturating_sub(1) as usize;
    let end = (view.offset() + rows).min(view.rows().len());
    let on_screen = &view.rows()[view.offset().min(end)..end];
    // Every visible column's cells, once: their widths size the columns.
    let all = columns::visible(area.width);
    let cells: Vec<Vec<Cell>> = on_screen
        .iter()
        .map(|row| match *row {
            Row::Service(s) => {
                let f = service_cells(app, &app.store().services()[s], palette);
                all.iter().map(|c| f(*c)).collect()
            }
            Row::Dest(s, d) => {
                let f = dest_cells(app, &app.store().services()[s], d, palette);
                all.iter().map(|c| f(*c)).collect()
            }
        })
        .collect();
    let sort_col = all.iter().copied().find(|c| c.sort() == Some(view.sort()));
    let mark = if view.sort().numeric() != view.sort_reversed() {
        "▼"
    } else {
        "▲"
    };
    let mut plan = Plan {
        on_screen,
        all,
        cells,
        cols: Vec::new(),
        trend: 0,
        sort_col,
        mark,
    };
    let need = |c: Col| {
        let i = plan.all.iter().position(|x| *x == c).unwrap_or(0);
        let content = plan
            .cells
            .iter()
            .map(|r| r[i].0.chars().count())
            .max()
            .unwrap_or(0);
        content.max(plan.title_of(c).chars().count()) as u16
    };
    let (cols, trend) = layout(area.width, need);
    plan.cols = cols;
    plan.trend = trend;
    plan
}

/// The columns the table in `area` shows now. Content can push a column off
/// screen (exact numbers, long addresses), so `o` asks this, not the width.
pub fn shown_columns(app: &App, area: Rect) -> Vec<Col> {
    plan(app, area, Palette::default())
        .cols
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, palette: &Palette) {
    let view = app.view();
    let p = plan(app, area, *palette);
    let (on_screen, all, cells, cols, trend) = (p.on_screen, &p.all, &p.cells, &p.cols, p.trend);
    let title_of = |c: Col| p.title_of(c);
    let buf = frame.buffer_mut();
    let title = Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let mut x = area.x;
    for (c, w) in cols.iter() {
        put(buf, x, area.y, *w, &title_of(*c), c.right(), title);
        x += w + 1;
    }
    if trend > 0 {
        let t = format!("{} trend", view.metric().label());
        put(buf, x, area.y, trend, &t, false, title);
    }
    for (line, (row, row_cells)) in on_screen.iter().zip(cells).enumerate() {
        let i = view.offset() + line;
        let y = area.y + 1 + line as u16;
        let selected = i == view.selected();
        let base = if selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        if selected {
            buf.set_style(Rect::new(area.x, y, area.width, 1), base);
        }
        let mut x = area.x;
        for (c, w) in cols.iter() {
            let k = all.iter().position(|x| x == c).unwrap_or(0);
            let (text, changed, colour) = &row_cells[k];
            let mut style = base;
            if let Some(fg) = colour {
                style = style.fg(*fg);
            }
            if *changed {
                style = style.add_modifier(Modifier::BOLD).fg(palette.changed);
            }
            put(buf, x, y, *w, text, c.right(), style);
            x += w + 1;
        }
        if trend > 0 {
            let (series, rates) = match *row {
                Row::Service(s) => {
                    let r = &app.store().services()[s];
                    (Some(r.series()), r.series().rates)
                }
                Row::Dest(s, d) => {
                    let d = &app.store().services()[s].dests()[d];
                    (d.series(), d.rates(app.store().rate_source()))
                }
            };
            let data = history(series, rates, view.metric(), trend as usize);
            let max = data.iter().copied().max().unwrap_or(0);
            let text = bars::line(&data, trend as usize, max);
            put(buf, x, y, trend, &text, false, base.fg(palette.spark));
        }
    }
    if view.rows().is_empty() {
        let msg = if app.store().info().is_none() {
            "reading the IPVS table…"
        } else if view.filter().is_empty() {
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

/// The newest `n` samples of a series to plot: none while its rates are
/// unknown (shown as `-`), as the history then holds zeros that were never
/// measured and no data must not draw as zero.
pub fn history(series: Option<&Series>, rates: Option<Rates>, m: Metric, n: usize) -> Vec<u64> {
    match series {
        Some(s) if m == Metric::Active || rates.is_some() => s.history.tail(m, n),
        _ => Vec::new(),
    }
}

/// Whether a cell of a series is worth highlighting: a jump large enough to
/// matter (see `emphasis::big_jump`) in a value that changed this poll.
fn jumped(series: Option<&Series>, changed: Changed, c: Col, now: f64) -> bool {
    let (Some(series), Some(m)) = (series, metric_of(c)) else {
        return false;
    };
    if !changed.has(changed_bit(c)) {
        return false;
    }
    let recent = series.history.tail(m, RECENT + 1);
    let before = &recent[..recent.len().saturating_sub(1)];
    big_jump(now, before, emphasis::floor(m))
}

fn rate_value(r: Option<Rates>, c: Col) -> Option<f64> {
    let r = r?;
    Some(match c {
        Col::Cps => r.cps,
        Col::InPps => r.inpps,
        Col::OutPps => r.outpps,
        Col::InBps => r.inbps,
        Col::OutBps => r.outbps,
        _ => return None,
    })
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

fn service_cells<'a>(
    app: &'a App,
    row: &'a ServiceRow,
    palette: Palette,
) -> Box<dyn Fn(Col) -> Cell + 'a> {
    let open = app.view().is_expanded(&row.service().key);
    let exact = app.view().exact();
    Box::new(move |c| {
        if c == Col::Alert {
            let (text, colour) = alerts::service_cell(row, &palette);
            return (text, false, colour);
        }
        let value = match c {
            Col::Active => Some(row.active() as f64),
            Col::Inact => Some(row.inactive() as f64),
            _ => rate_value(row.series().rates, c),
        };
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
            Col::Active | Col::Inact => human(value.unwrap_or(0.0), exact),
            Col::Cps | Col::InPps | Col::OutPps | Col::InBps | Col::OutBps => {
                value.map_or("-".into(), |v| human(v, exact))
            }
            Col::HalfOpen => half_open::service_cell(app, row, exact),
            Col::Forward | Col::Weight | Col::Share | Col::Alert => String::new(),
        };
        let jump = value.is_some_and(|v| jumped(Some(row.series()), row.changed(), c, v));
        (text, jump, None)
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
    let exact = app.view().exact();
    let rates = d.rates(app.store().rate_source());
    Box::new(move |c| {
        let mut colour = None;
        let value = match c {
            Col::Active => Some(d.dest().active_conns as f64),
            Col::Inact => Some(d.dest().inactive_conns as f64),
            _ => rate_value(rates, c),
        };
        let mut highlight = value.is_some_and(|v| jumped(d.series(), d.changed(), c, v));
        let text = match c {
            Col::Prot | Col::Sched => String::new(),
            Col::Address => match app.tuning() == Some((row.service().key, d.dest().key())) {
                true => format!("TUNING → {}", addr_port(&d.dest().addr, d.dest().port)),
                false => format!("  → {}", addr_port(&d.dest().addr, d.dest().port)),
            },
            Col::Forward => d.dest().forward.name().to_string(),
            Col::Weight => match app.weight_marks().get(&(row.service().key, d.dest().key())) {
                // The operator's own edit: highlighted while its mark shows.
                Some(mark) => {
                    highlight = true;
                    format!("{}{}", d.dest().weight, mark_glyph(mark))
                }
                None => d.dest().weight.to_string(),
            },
            Col::Active | Col::Inact => human(value.unwrap_or(0.0), exact),
            Col::Cps | Col::InPps | Col::OutPps | Col::InBps | Col::OutBps => {
                value.map_or("-".into(), |v| human(v, exact))
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
            Col::HalfOpen => {
                if let Some(a @ Alert::HalfOpen { .. }) = d.alert() {
                    colour = Some(alerts::colour(a.severity(), &palette));
                }
                half_open::dest_cell(app, row, d, exact)
            }
        };
        (text, highlight, colour)
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

    fn widths(cols: &[(Col, u16)]) -> u16 {
        cols.iter().map(|(_, w)| w + 1).sum::<u16>() - 1
    }

    #[test]
    fn columns_are_as_wide_as_their_content_and_spare_width_is_the_trend() {
        let need = |c: Col| if c == Col::Address { 18 } else { 6 };
        let (cols, trend) = layout(200, need);
        let addr = cols.iter().find(|(c, _)| *c == Col::Address).unwrap().1;
        assert_eq!(addr, 18, "the address column is no wider than its text");
        assert!(trend > TREND_MIN);
        assert_eq!(widths(&cols) + 1 + trend, 200, "the trend takes the rest");
    }

    #[test]
    fn exact_numbers_drop_columns_instead_of_being_cut() {
        let need = |c: Col| match c {
            Col::Address => 22,
            c if c.right() => 12,
            _ => 8,
        };
        let (cols, _) = layout(80, need);
        assert!(widths(&cols) <= 80);
        for (c, w) in &cols {
            assert!(*w >= need(*c), "{c:?} keeps its full width");
        }
        let names: Vec<Col> = cols.iter().map(|(c, _)| *c).collect();
        assert!(names.contains(&Col::Active) && names.contains(&Col::Cps));
        assert!(names.len() < columns::visible(80).len(), "some dropped");
    }

    #[test]
    fn a_little_spare_width_stays_with_the_address() {
        let visible = columns::visible(80);
        let total: u16 = visible.iter().map(|c| c.nominal_width() + 1).sum::<u16>() - 1;
        let (cols, trend) = layout(80, |c| c.nominal_width());
        assert_eq!(
            trend,
            if 80 - total > TREND_MIN {
                80 - total - 1
            } else {
                0
            }
        );
        if trend == 0 {
            assert_eq!(widths(&cols), 80);
        }
    }
}
