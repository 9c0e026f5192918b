//! What the operator looks at and how: the row list (filter, sort, expanded
//! services), the cursor and the scroll, the metric, overlays, freeze and
//! quit. Reads the store; never changes its data.

mod conn_pane;
pub mod connections;
pub mod differences;
pub mod drain;
pub mod lists;
mod reveal;
pub mod settings;

use std::collections::HashSet;

use crate::model::ServiceKey;

use self::connections::ConnView;
use self::settings::SettingsPanel;
use super::action::Action;
use super::columns::visible_sorts;
use super::metric::Metric;
use super::rates::RateSource;
use super::store::{ServiceRow, Store};
use super::table::{dest_text, sort_by_column, Row, RowKey, SortColumn, SortValues};
use crate::conns::ConnRequest;

#[derive(Debug, Clone)]
pub struct View {
    /// Rows after filter, sort and expansion.
    rows: Vec<Row>,
    selected: usize,
    selected_key: Option<RowKey>,
    /// First row shown.
    offset: usize,
    /// Rows the table can show (set by the canvas's layout).
    viewport: usize,
    /// The table's width in columns: which columns `o` can sort by.
    width: u16,
    expanded: HashSet<ServiceKey>,
    filter: String,
    filter_editing: bool,
    sort: SortColumn,
    sort_reversed: bool,
    frozen: bool,
    metric: Metric,
    help: bool,
    exact: bool,
    quit: bool,
    /// The connections view, while open: it has the keys the table had.
    connections: Option<ConnView>,
    /// What the connections view asks of the owner thread, oldest first.
    conn_requests: Vec<ConnRequest>,
    /// The director panel (`T`: timeouts, sync daemons) is open.
    director_panel: bool,
    /// The settings panel, while open: it has the arrow keys.
    settings: Option<SettingsPanel>,
    /// The panel opened: the owner thread is to read the settings now.
    settings_asked: bool,
}

impl Default for View {
    fn default() -> View {
        View {
            rows: Vec::new(),
            selected: 0,
            selected_key: None,
            offset: 0,
            viewport: 10,
            width: u16::MAX,
            expanded: HashSet::new(),
            filter: String::new(),
            filter_editing: false,
            sort: SortColumn::Ipvsadm,
            sort_reversed: false,
            frozen: false,
            metric: Metric::Cps,
            help: false,
            exact: false,
            quit: false,
            connections: None,
            conn_requests: Vec::new(),
            director_panel: false,
            settings: None,
            settings_asked: false,
        }
    }
}

impl View {
    /// Rows after filter, sort and expansion.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The selected row's index in `rows`.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The selected row.
    pub fn selected_row(&self) -> Option<Row> {
        self.rows.get(self.selected).copied()
    }

    /// First row shown.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Rows the table can show.
    pub fn viewport(&self) -> usize {
        self.viewport
    }

    pub fn is_expanded(&self, key: &ServiceKey) -> bool {
        self.expanded.contains(key)
    }

    pub(super) fn expanded(&self) -> &HashSet<ServiceKey> {
        &self.expanded
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Whether the filter line takes the keys.
    pub fn filter_editing(&self) -> bool {
        self.filter_editing
    }

    pub fn sort(&self) -> SortColumn {
        self.sort
    }

    pub fn sort_reversed(&self) -> bool {
        self.sort_reversed
    }

    /// Whether the display holds still while polling continues.
    pub fn frozen(&self) -> bool {
        self.frozen
    }

    /// The metric of the sparklines.
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// Whether the help overlay is open.
    pub fn help(&self) -> bool {
        self.help
    }

    /// Whether numbers are shown whole instead of with unit prefixes.
    pub fn exact(&self) -> bool {
        self.exact
    }

    pub fn quit(&self) -> bool {
        self.quit
    }

    /// Whether the director panel (`T`) is open.
    pub fn director_panel(&self) -> bool {
        self.director_panel
    }

    /// The connections view, if open.
    pub fn connections(&self) -> Option<&ConnView> {
        self.connections.as_ref()
    }

    /// Whether a filter is being typed: the table's, or the connections
    /// view's client filter.
    pub fn typing(&self) -> bool {
        self.filter_editing
            || self
                .connections
                .as_ref()
                .is_some_and(|c| c.typing().is_some())
    }

    /// What the connections view asked of the owner thread since the last
    /// call, oldest first.
    pub fn take_conn_requests(&mut self) -> Vec<ConnRequest> {
        std::mem::take(&mut self.conn_requests)
    }

    /// The service the selection is on (or whose real server it is on).
    pub fn selected_service<'a>(&self, store: &'a Store) -> Option<&'a ServiceRow> {
        match self.rows.get(self.selected)? {
            Row::Service(i) | Row::Dest(i, _) => store.services().get(*i),
        }
    }

    /// Services with a row on screen, and the selected one.
    pub fn watched(&self, store: &Store) -> Vec<ServiceKey> {
        // A screenful of rows: a scan of the services seen so far beats
        // hashing every row's key.
        let mut seen: Vec<usize> = Vec::new();
        let end = (self.offset + self.viewport).min(self.rows.len());
        let visible = self.rows.get(self.offset..end).unwrap_or(&[]);
        for row in visible.iter().chain(self.rows.get(self.selected)) {
            let (Row::Service(i) | Row::Dest(i, _)) = *row;
            if !seen.contains(&i) {
                seen.push(i);
            }
        }
        let services = store.services();
        seen.iter().map(|&i| services[i].service().key).collect()
    }

    /// Whether a poll can move rows by itself: a filter or a sort by value.
    pub(super) fn order_can_move(&self) -> bool {
        !self.filter.is_empty() || self.sort != SortColumn::Ipvsadm
    }

    /// Forgets expanded services the store no longer has.
    pub(super) fn forget_gone(&mut self, store: &Store) {
        self.expanded.retain(|k| store.service(k).is_some());
    }

    /// Handles an operator action; true when it thawed a frozen display
    /// (the readings held back are then due).
    pub(super) fn update(&mut self, action: Action, store: &mut Store) -> bool {
        if self.help {
            // The overlay takes keys until closed.
            match action {
                Action::Help | Action::Escape | Action::CloseHelp => self.help = false,
                Action::Quit => self.quit = true,
                Action::Resize {
                    table_rows,
                    table_width,
                } => self.set_viewport(table_rows, table_width),
                _ => {}
            }
            return false;
        }
        if self.settings.is_some() && self.update_settings(action) {
            return false;
        }
        // The panel opens over the table or the connections view; Esc and
        // `T` close it, not what is under it.
        if self.director_panel {
            match action {
                Action::Escape | Action::DirectorPanel => {
                    self.director_panel = false;
                    return false;
                }
                Action::Connections => return false,
                _ => {}
            }
        }
        if self.connections.is_some() && self.update_connections(action, store) {
            return false;
        }
        if self.filter_editing && self.edit_filter(&action, store) {
            return false;
        }
        match action {
            Action::Up => self.move_by(-1, store),
            Action::Down => self.move_by(1, store),
            Action::PageUp => self.move_by(-(self.viewport.max(1) as isize), store),
            Action::PageDown => self.move_by(self.viewport.max(1) as isize, store),
            Action::Home => self.select(0, store),
            Action::End => self.select(self.rows.len().saturating_sub(1), store),
            Action::ScrollUp => self.move_by(-3, store),
            Action::ScrollDown => self.move_by(3, store),
            Action::Select(i) => {
                if i < self.rows.len() {
                    self.select(i, store)
                }
            }
            Action::Right => self.expand(Some(true), store),
            Action::Left => self.expand(Some(false), store),
            Action::Toggle | Action::FilterAccept => self.expand(None, store),
            Action::FilterStart => self.filter_editing = true,
            Action::FilterChar(_) | Action::FilterBackspace => {}
            Action::Escape => {
                if !self.filter.is_empty() {
                    self.filter.clear();
                    self.rebuild(store);
                }
            }
            Action::SortNext => {
                self.sort = next_visible_sort(self.sort, self.width);
                self.sort_reversed = false;
                self.rebuild(store);
            }
            Action::SortReverse => {
                self.sort_reversed = !self.sort_reversed;
                self.rebuild(store);
            }
            Action::Freeze => {
                self.frozen = !self.frozen;
                return !self.frozen;
            }
            Action::NextMetric => self.metric = self.metric.next(),
            Action::Help => self.help = true,
            Action::CloseHelp => {}
            Action::ToggleExact => self.exact = !self.exact,
            Action::NextAlert => self.next_alert(store),
            Action::Resize {
                table_rows,
                table_width,
            } => self.set_viewport(table_rows, table_width),
            Action::Quit => self.quit = true,
            Action::Connections => self.open_connections(store),
            Action::ConnEntries | Action::ConnExact | Action::DrainView => {}
            // The replay's own, taken by the app first.
            Action::Cursor(_)
            | Action::GoToChar(_)
            | Action::GoToBackspace
            | Action::GoToDone(_) => {}
            Action::DirectorPanel => self.director_panel = true,
            Action::Settings => {
                self.settings = Some(SettingsPanel::default());
                self.settings_asked = true;
            }
        }
        false
    }

    /// The settings panel, while open.
    pub fn settings_panel(&self) -> Option<&SettingsPanel> {
        self.settings.as_ref()
    }

    /// Whether the panel asked for a reading since the last call.
    pub(super) fn take_settings_asked(&mut self) -> bool {
        std::mem::take(&mut self.settings_asked)
    }

    /// An action while the settings panel is open; false for those the
    /// whole monitor still answers (help, quit, freeze, resize).
    fn update_settings(&mut self, action: Action) -> bool {
        let Some(panel) = self.settings.as_mut() else {
            return false;
        };
        let len = crate::model::Setting::ALL.len();
        let page = self.viewport.max(1) as isize;
        match action {
            Action::Up => panel.scroll(-1, len),
            Action::Down => panel.scroll(1, len),
            Action::ScrollUp => panel.scroll(-3, len),
            Action::ScrollDown => panel.scroll(3, len),
            Action::PageUp => panel.scroll(-page, len),
            Action::PageDown => panel.scroll(page, len),
            Action::Home => panel.scroll(-(len as isize), len),
            Action::End => panel.scroll(len as isize, len),
            Action::Escape | Action::Settings => self.settings = None,
            Action::Help
            | Action::CloseHelp
            | Action::Quit
            | Action::Freeze
            | Action::Resize { .. } => return false,
            _ => {}
        }
        true
    }

    /// Keys while the filter line is open; false for those it leaves to
    /// navigation.
    fn edit_filter(&mut self, action: &Action, store: &mut Store) -> bool {
        match action {
            Action::FilterChar(c) => self.filter.push(*c),
            Action::FilterBackspace => {
                self.filter.pop();
            }
            Action::FilterAccept => {
                self.filter_editing = false;
                return true;
            }
            Action::Escape => {
                self.filter_editing = false;
                self.filter.clear();
            }
            _ => return false,
        }
        self.rebuild(store);
        self.select_first_match(store);
        true
    }

    /// Puts the cursor on the first row whose own line the filter matches.
    fn select_first_match(&mut self, store: &Store) {
        let needle = self.filter.to_lowercase();
        if needle.is_empty() {
            return;
        }
        if let Some(k) = self
            .rows
            .iter()
            .position(|r| store.row_matches(*r, &needle))
        {
            self.select(k, store);
        }
    }

    fn set_viewport(&mut self, rows: usize, width: u16) {
        self.viewport = rows;
        self.width = width;
        self.scroll_to_selection();
    }

    /// ← / → (`Some`: open or close) and Enter (`None`: toggle): only
    /// service rows expand and collapse; on a real server ← goes up the
    /// tree to its service (as htop and lazygit do) and → does nothing.
    fn expand(&mut self, open: Option<bool>, store: &mut Store) {
        let i = match self.rows.get(self.selected) {
            Some(Row::Service(i)) => i,
            Some(Row::Dest(s, _)) => {
                let s = *s;
                if open == Some(false) {
                    let up = self.rows[..self.selected]
                        .iter()
                        .rposition(|r| *r == Row::Service(s));
                    if let Some(up) = up {
                        self.select(up, store);
                    }
                }
                return;
            }
            None => return,
        };
        let key = store.services()[*i].service().key;
        let changed = match open.unwrap_or(!self.expanded.contains(&key)) {
            true => self.expanded.insert(key),
            false => self.expanded.remove(&key),
        };
        if changed {
            self.rebuild(store);
        }
    }

    /// Selects the next real server after the selection (wrapping round)
    /// with an alert raised, expanding its service if it is collapsed.
    fn next_alert(&mut self, store: &mut Store) {
        let alerted = store.alerted_services();
        let n = self.rows.len();
        if alerted.is_empty() || n == 0 {
            return;
        }
        for step in 1..=n {
            let k = (self.selected + step) % n;
            match self.rows[k] {
                Row::Dest(i, j) if store.services()[i].dests()[j].alert().is_some() => {
                    return self.select(k, store);
                }
                Row::Service(i) if alerted.binary_search(&i).is_ok() => {
                    let key = store.services()[i].service().key;
                    if self.expanded.insert(key) {
                        // Its real servers come next in the rebuilt rows.
                        self.selected_key = Some(store.row_key(&Row::Service(i)));
                        self.selected = k;
                        self.rebuild(store);
                        let first = self.rows.iter().position(|r| {
                            matches!(*r, Row::Dest(s, j) if s == i
                                && store.services()[s].dests()[j].alert().is_some())
                        });
                        return self.select(first.unwrap_or(self.selected), store);
                    }
                }
                _ => {}
            }
        }
    }

    fn move_by(&mut self, delta: isize, store: &Store) {
        if self.rows.is_empty() {
            return;
        }
        let last = self.rows.len() - 1;
        let target = (self.selected as isize + delta).clamp(0, last as isize) as usize;
        self.select(target, store);
    }

    fn select(&mut self, i: usize, store: &Store) {
        self.selected = i.min(self.rows.len().saturating_sub(1));
        self.selected_key = self.rows.get(self.selected).map(|r| store.row_key(r));
        self.scroll_to_selection();
    }

    fn scroll_to_selection(&mut self) {
        let height = self.viewport.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let max_offset = self.rows.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }

    /// Recomputes the row list after the store or a view setting changed,
    /// keeping the selection on the same service or real server.
    pub(super) fn rebuild(&mut self, store: &mut Store) {
        let needle = self.filter.to_lowercase();
        store.refresh_search(!needle.is_empty());
        let store = &*store;
        let mut order: Vec<usize> = (0..store.services().len())
            .filter(|&i| needle.is_empty() || store.matches(i, &needle))
            .collect();
        let (sort, rev) = (self.sort, self.sort_reversed);
        sort_by_column(&mut order, sort, rev, |&i| service_values(store, i, sort));
        let mut rows = Vec::with_capacity(order.len());
        for i in order {
            rows.push(Row::Service(i));
            let row = &store.services()[i];
            // Hashing every key costs at 50,000 services; most tables have
            // nothing expanded.
            let mut ds: Vec<usize> =
                if !self.expanded.is_empty() && self.expanded.contains(&row.service().key) {
                    (0..row.dests().len()).collect()
                } else if !needle.is_empty() {
                    // A filter shows the real servers it matches, under their
                    // service, while it is on; `expanded` is left as it was.
                    store.matching_dests(i, &needle)
                } else {
                    continue;
                };
            let source = store.rate_source();
            sort_by_column(&mut ds, sort, rev, |&j| dest_values(row, j, sort, source));
            rows.extend(ds.into_iter().map(|j| Row::Dest(i, j)));
        }
        self.rows = rows;
        // Usually the selected row did not move: check it before searching.
        let stayed = self.rows.get(self.selected).map(|r| store.row_key(r));
        let found = self.selected_key.and_then(|k| {
            if stayed == Some(k) {
                return Some(self.selected);
            }
            self.rows
                .iter()
                .position(|r| store.row_key(r) == k)
                .or(match k {
                    // A vanished real server: stay on its service.
                    RowKey::Dest(s, _) => self
                        .rows
                        .iter()
                        .position(|r| store.row_key(r) == RowKey::Service(s)),
                    RowKey::Service(_) => None,
                })
        });
        self.select(found.unwrap_or(self.selected), store);
    }
}

/// The sort after `now` among those whose column `width` shows (a sort
/// whose column is off screen moves on to the first visible one after it).
fn next_visible_sort(now: SortColumn, width: u16) -> SortColumn {
    let offered = visible_sorts(width);
    let mut next = now.next();
    while !offered.contains(&next) {
        next = next.next();
    }
    next
}

fn service_values(store: &Store, i: usize, sort: SortColumn) -> SortValues<'_> {
    let row = &store.services()[i];
    let service = row.service();
    let prot = match service.key {
        ServiceKey::Addr { protocol, .. } => protocol.name(),
        ServiceKey::Fwmark { .. } => "FWM",
    };
    // Formatting an address costs more than the rest: only when sorted by it.
    let address = if sort == SortColumn::Address {
        service.key.to_string()
    } else {
        String::new()
    };
    SortValues {
        prot,
        address,
        scheduler: &service.scheduler,
        weight: row.weight(),
        active: row.active(),
        inactive: row.inactive(),
        rates: row.series().rates.unwrap_or_default(),
    }
}

fn dest_values(row: &ServiceRow, j: usize, sort: SortColumn, source: RateSource) -> SortValues<'_> {
    let d = &row.dests()[j];
    let dest = d.dest();
    SortValues {
        prot: "",
        address: if sort == SortColumn::Address {
            dest_text(dest)
        } else {
            String::new()
        },
        scheduler: "",
        weight: dest.weight as u64,
        active: dest.active_conns as u64,
        inactive: dest.inactive_conns as u64,
        rates: d.rates(source).unwrap_or_default(),
    }
}
