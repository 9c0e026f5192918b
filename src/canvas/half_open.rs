//! The main table's `SYN_RECV` column (wide layouts): each real server's
//! half-open entries from the table-wide reading, the service's summed;
//! `~` when sampled, blank until the first reading.

use crate::app::units::human;
use crate::app::{App, DestRow, ServiceRow};
use crate::conns::Count;

pub fn dest_cell(app: &App, row: &ServiceRow, d: &DestRow, exact: bool) -> String {
    let conns = app.store().connections();
    match conns.half_open(&row.service().key, &d.dest().key()) {
        Some(c) => text(c, exact),
        None => String::new(),
    }
}

pub fn service_cell(app: &App, row: &ServiceRow, exact: bool) -> String {
    let conns = app.store().connections();
    let key = row.service().key;
    let mut sum: Option<(u64, bool)> = None;
    for d in row.dests() {
        if let Some(c) = conns.half_open(&key, &d.dest().key()) {
            let (v, e) = sum.unwrap_or((0, true));
            sum = Some((v + c.value(), e && c.is_exact()));
        }
    }
    match sum {
        Some((value, true)) => text(Count::Exact { value }, exact),
        // A sum of estimates: its value, marked as one.
        Some((value, false)) => text(Count::Estimated { value, margin: 0 }, exact),
        None => String::new(),
    }
}

fn text(c: Count, exact: bool) -> String {
    let n = human(c.value() as f64, exact);
    match c {
        Count::Exact { .. } => n,
        Count::Estimated { .. } => format!("~{n}"),
    }
}
