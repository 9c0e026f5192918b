//! Which rows the table shows, in which order: filter, sort and the
//! expanded set turn the model into a flat row list. Built when the model or
//! the view settings change, never per frame; drawing then touches only the
//! visible slice of it.

use std::cmp::Ordering;

use crate::model::{Dest, DestKey, Service, ServiceKey};
use crate::output::addr_port;

use super::rates::Rates;

/// One line of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// Index into the model's services.
    Service(usize),
    /// Service index, real-server index within it.
    Dest(usize, usize),
}

/// What identifies a row across polls, so the selection follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKey {
    Service(ServiceKey),
    Dest(ServiceKey, DestKey),
}

/// Sort column, cycled with `o`; `Ipvsadm` is ipvsadm's default order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    #[default]
    Ipvsadm,
    Prot,
    Address,
    Scheduler,
    Weight,
    ActiveConn,
    InActConn,
    Cps,
    InPps,
    OutPps,
    InBps,
    OutBps,
}

impl SortColumn {
    pub const ALL: [SortColumn; 12] = [
        SortColumn::Ipvsadm,
        SortColumn::Prot,
        SortColumn::Address,
        SortColumn::Scheduler,
        SortColumn::Weight,
        SortColumn::ActiveConn,
        SortColumn::InActConn,
        SortColumn::Cps,
        SortColumn::InPps,
        SortColumn::OutPps,
        SortColumn::InBps,
        SortColumn::OutBps,
    ];

    pub fn next(self) -> SortColumn {
        let i = Self::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    pub fn label(self) -> &'static str {
        match self {
            SortColumn::Ipvsadm => "default",
            SortColumn::Prot => "Prot",
            SortColumn::Address => "LocalAddress:Port",
            SortColumn::Scheduler => "Scheduler",
            SortColumn::Weight => "Weight",
            SortColumn::ActiveConn => "ActiveConn",
            SortColumn::InActConn => "InActConn",
            SortColumn::Cps => "CPS",
            SortColumn::InPps => "InPPS",
            SortColumn::OutPps => "OutPPS",
            SortColumn::InBps => "InBPS",
            SortColumn::OutBps => "OutBPS",
        }
    }

    /// Numbers sort biggest first unless reversed; words A to Z.
    pub fn numeric(self) -> bool {
        !matches!(
            self,
            SortColumn::Ipvsadm | SortColumn::Prot | SortColumn::Address | SortColumn::Scheduler
        )
    }
}

/// A row's values as the sort sees them.
pub struct SortValues<'a> {
    pub prot: &'a str,
    /// Only filled when sorting by address (formatting costs).
    pub address: String,
    pub scheduler: &'a str,
    pub weight: u64,
    pub active: u64,
    pub inactive: u64,
    pub rates: Rates,
}

impl SortValues<'_> {
    fn compare(&self, other: &SortValues<'_>, col: SortColumn) -> Ordering {
        let f = |a: f64, b: f64| a.partial_cmp(&b).unwrap_or(Ordering::Equal);
        match col {
            SortColumn::Ipvsadm => Ordering::Equal,
            SortColumn::Prot => self.prot.cmp(other.prot),
            SortColumn::Address => self.address.cmp(&other.address),
            SortColumn::Scheduler => self.scheduler.cmp(other.scheduler),
            SortColumn::Weight => self.weight.cmp(&other.weight),
            SortColumn::ActiveConn => self.active.cmp(&other.active),
            SortColumn::InActConn => self.inactive.cmp(&other.inactive),
            SortColumn::Cps => f(self.rates.cps, other.rates.cps),
            SortColumn::InPps => f(self.rates.inpps, other.rates.inpps),
            SortColumn::OutPps => f(self.rates.outpps, other.rates.outpps),
            SortColumn::InBps => f(self.rates.inbps, other.rates.inbps),
            SortColumn::OutBps => f(self.rates.outbps, other.rates.outbps),
        }
    }
}

/// Orders by `col` (biggest first for numbers unless `reversed`), keeping the
/// previous order for ties so the sort is stable. Each item's values are
/// taken once, not per comparison (50,000 services: 800,000 comparisons).
pub fn sort_by_column<'a, T: Copy>(
    items: &mut [T],
    col: SortColumn,
    reversed: bool,
    values: impl Fn(&T) -> SortValues<'a>,
) {
    if col == SortColumn::Ipvsadm {
        if reversed {
            items.reverse();
        }
        return;
    }
    let descending = col.numeric() != reversed;
    let mut keyed: Vec<(SortValues<'a>, T)> = items.iter().map(|t| (values(t), *t)).collect();
    keyed.sort_by(|a, b| {
        let o = a.0.compare(&b.0, col);
        if descending {
            o.reverse()
        } else {
            o
        }
    });
    for (slot, (_, t)) in items.iter_mut().zip(keyed) {
        *slot = t;
    }
}

/// The text a filter matches against: what the row shows (address and port,
/// protocol, scheduler).
pub fn service_text(s: &Service) -> String {
    format!("{} {}", s.key, s.scheduler).to_lowercase()
}

pub fn dest_text(d: &Dest) -> String {
    addr_port(&d.addr, d.port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_columns_sort_biggest_first() {
        let mut v = [(1u64, 'a'), (5, 'b'), (3, 'c')];
        let vals = |x: &(u64, char)| SortValues {
            prot: "TCP",
            address: x.1.to_string(),
            scheduler: "rr",
            weight: 0,
            active: x.0,
            inactive: 0,
            rates: Rates::default(),
        };
        sort_by_column(&mut v, SortColumn::ActiveConn, false, vals);
        assert_eq!(v.map(|x| x.1), ['b', 'c', 'a']);
        sort_by_column(&mut v, SortColumn::ActiveConn, true, vals);
        assert_eq!(v.map(|x| x.1), ['a', 'c', 'b']);
        sort_by_column(&mut v, SortColumn::Address, false, vals);
        assert_eq!(v.map(|x| x.1), ['a', 'b', 'c']);
    }
}
