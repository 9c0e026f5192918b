//! Which table columns a terminal width shows. A pure function of the width,
//! so the canvas (which draws them) and the view (whose `o` cycles only the
//! sort columns on screen) agree without the view reading the screen.

use super::table::SortColumn;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Prot,
    Address,
    Sched,
    Forward,
    Weight,
    Active,
    Inact,
    /// Half-open (`SYN_RECV`) entries, table-wide, from the connection table.
    HalfOpen,
    Cps,
    InPps,
    OutPps,
    InBps,
    OutBps,
    Share,
    Alert,
}

impl Column {
    pub fn title(self) -> &'static str {
        match self {
            Column::Prot => "Prot",
            Column::Address => "LocalAddress:Port",
            Column::Sched => "Scheduler",
            Column::Forward => "Forward",
            Column::Weight => "Weight",
            Column::Active => "ActiveConn",
            Column::Inact => "InActConn",
            Column::HalfOpen => "SYN_RECV",
            Column::Cps => "CPS",
            Column::InPps => "InPPS",
            Column::OutPps => "OutPPS",
            Column::InBps => "InBPS",
            Column::OutBps => "OutBPS",
            Column::Share => "Weight→Traffic",
            Column::Alert => "Alert",
        }
    }

    /// The width the choice of columns counts on: the title plus a sort
    /// mark, the address as a typical IPv4 service with its tree marker,
    /// numbers as their human form. The canvas then sizes each column to what
    /// it shows.
    pub fn nominal_width(self) -> u16 {
        match self {
            Column::Address => 22,
            Column::Share => 14,
            Column::Alert => 10,
            Column::Cps | Column::InPps | Column::OutPps | Column::InBps | Column::OutBps => {
                self.title().chars().count() as u16 + 2
            }
            c => c.title().chars().count() as u16 + 1,
        }
    }

    /// Numbers are right-aligned.
    pub fn right(self) -> bool {
        !matches!(
            self,
            Column::Prot
                | Column::Address
                | Column::Sched
                | Column::Forward
                | Column::Share
                | Column::Alert
        )
    }

    /// The sort this column's title stands for.
    pub fn sort(self) -> Option<SortColumn> {
        Some(match self {
            Column::Prot => SortColumn::Prot,
            Column::Address => SortColumn::Address,
            Column::Sched => SortColumn::Scheduler,
            Column::Weight => SortColumn::Weight,
            Column::Active => SortColumn::ActiveConn,
            Column::Inact => SortColumn::InActConn,
            Column::Cps => SortColumn::Cps,
            Column::InPps => SortColumn::InPps,
            Column::OutPps => SortColumn::OutPps,
            Column::InBps => SortColumn::InBps,
            Column::OutBps => SortColumn::OutBps,
            Column::Forward | Column::Share | Column::Alert | Column::HalfOpen => return None,
        })
    }
}

/// Screen order.
pub const ORDER: [Column; 15] = [
    Column::Prot,
    Column::Address,
    Column::Sched,
    Column::Forward,
    Column::Weight,
    Column::Active,
    Column::Inact,
    Column::HalfOpen,
    Column::Cps,
    Column::InPps,
    Column::OutPps,
    Column::InBps,
    Column::OutBps,
    Column::Share,
    Column::Alert,
];

/// What survives on a narrow terminal, most important first; also the
/// order in which columns drop when exact numbers need more room. The
/// half-open column comes last: wide layouts only.
pub const PRIORITY: [Column; 15] = [
    Column::Address,
    Column::Active,
    Column::Cps,
    Column::Weight,
    Column::Alert,
    Column::Inact,
    Column::Prot,
    Column::Share,
    Column::InBps,
    Column::Sched,
    Column::OutBps,
    Column::InPps,
    Column::Forward,
    Column::OutPps,
    Column::HalfOpen,
];

/// The columns `width` shows, in screen order.
pub fn visible(width: u16) -> Vec<Column> {
    let mut chosen = Vec::new();
    let mut used = 0u16;
    for c in PRIORITY {
        let need = c.nominal_width() + u16::from(!chosen.is_empty());
        if used + need <= width {
            used += need;
            chosen.push(c);
        }
    }
    ORDER.into_iter().filter(|c| chosen.contains(c)).collect()
}

/// The sorts `o` cycles through at `width`: ipvsadm's order, then each
/// visible column that sorts, in screen order.
pub fn visible_sorts(width: u16) -> Vec<SortColumn> {
    std::iter::once(SortColumn::Ipvsadm)
        .chain(visible(width).into_iter().filter_map(Column::sort))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_terminals_keep_the_important_columns() {
        let narrow = visible(60);
        assert!(narrow.contains(&Column::Address));
        assert!(narrow.contains(&Column::Active));
        assert!(narrow.contains(&Column::Cps));
        assert!(!narrow.contains(&Column::OutPps));
        assert_eq!(visible(200).len(), ORDER.len());
        assert!(!visible(120).contains(&Column::HalfOpen), "wide only");
        assert!(visible(160).contains(&Column::HalfOpen));
        for w in [60u16, 80, 120, 200] {
            let total: u16 = visible(w)
                .iter()
                .map(|c| c.nominal_width() + 1)
                .sum::<u16>()
                - 1;
            assert!(total <= w, "nominal columns fit in {w}");
        }
    }

    #[test]
    fn sorts_offered_are_the_visible_columns() {
        let at80 = visible_sorts(80);
        assert_eq!(at80[0], SortColumn::Ipvsadm);
        assert!(at80.contains(&SortColumn::Cps));
        assert!(!at80.contains(&SortColumn::OutPps), "{at80:?}");
        assert_eq!(visible_sorts(200).len(), SortColumn::ALL.len());
    }
}
