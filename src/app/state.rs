//! The monitor's state: the store (the data), the view (how it is looked
//! at) and the poll being applied, with their two pure transitions:
//! `update` for operator actions and `apply` for backend events.

use std::collections::HashMap;

use crate::conns::{ConnEvent, ConnRequest};
use crate::model::{DestKey, ServiceKey};

use super::action::{Action, Event, PollResult};
use super::config::AppConfig;
use super::drain::{DrainRequest, Drains};
use super::editing::WeightMark;
use super::replay::{CursorMove, Replay};
use super::store::{Applying, DirectorReading, ServiceRow, SettingsReading, Step, Store};
use super::view::drain::DrainView;
use super::view::View;

#[derive(Debug, Clone)]
pub struct App {
    store: Store,
    view: View,
    /// A poll being applied a slice at a time.
    applying: Option<Applying>,
    /// Readings that arrived while frozen, applied on thaw.
    pending: Vec<Event>,
    /// Weight-change status of real servers pressed this session (set by
    /// the editing UI).
    weight_marks: HashMap<(ServiceKey, DestKey), WeightMark>,
    /// The real server in tuning mode (set by the editing UI).
    tuning: Option<(ServiceKey, DestKey)>,
    /// What the connections view asked of the owner thread, not sent yet.
    conn_requests: Vec<ConnRequest>,
    /// A replay's time cursor (None: the live table).
    replay: Option<Replay>,
    /// Real servers drained and watched this session.
    drains: Drains,
    /// The drain view, while open: it takes the table's room.
    drain_view: Option<DrainView>,
}

impl App {
    pub fn new(config: AppConfig) -> App {
        App {
            store: Store::new(config),
            view: View::default(),
            applying: None,
            pending: Vec::new(),
            weight_marks: HashMap::new(),
            tuning: None,
            conn_requests: Vec::new(),
            replay: None,
            drains: Drains::default(),
            drain_view: None,
        }
    }

    pub fn drain_view(&self) -> Option<&DrainView> {
        self.drain_view.as_ref()
    }

    /// Opens the drain view, the cursor on the watch of this real server
    /// if it has one.
    pub fn open_drain_view(&mut self, on: Option<(ServiceKey, DestKey)>) {
        if self.view.connections().is_some() {
            self.update(Action::Connections);
        }
        let mut v = self.drain_view.take().unwrap_or_default();
        let at = on.and_then(|(s, d)| {
            let w = self.drains.watches();
            w.iter().position(|w| w.service == s && w.dest == d)
        });
        v.focus(&self.drains, at);
        self.drain_view = Some(v);
        self.sync_drain_view();
    }

    fn close_drain_view(&mut self) {
        if let Some(r) = self.drain_view.take().and_then(DrainView::close) {
            self.request_connections(r);
        }
    }

    /// After the watches changed: the view follows (its reading, its
    /// cursor) and closes once its last watch ended.
    pub fn sync_drain_view(&mut self) {
        let Some(v) = &mut self.drain_view else {
            return;
        };
        let mut requests = Vec::new();
        let open = v.sync(&self.drains, &mut requests);
        for r in requests {
            self.request_connections(r);
        }
        if !open {
            self.close_drain_view();
        }
    }

    /// An action for the drain view; false for those the monitor still
    /// answers as usual (help, quit, freeze, a click on no row…).
    fn update_drain_view(&mut self, action: Action) -> bool {
        let Some(v) = &mut self.drain_view else {
            return false;
        };
        let step = match action {
            Action::Up | Action::ScrollUp => -1,
            Action::Down | Action::ScrollDown => 1,
            Action::PageUp | Action::Home => isize::MIN / 2,
            Action::PageDown | Action::End => isize::MAX / 2,
            Action::Escape | Action::DrainView => {
                self.close_drain_view();
                return true;
            }
            // The table's own moves and views wait until the view closes.
            Action::Left
            | Action::Right
            | Action::Toggle
            | Action::Connections
            | Action::FilterStart
            | Action::NextAlert
            | Action::SortNext
            | Action::SortReverse => return true,
            _ => return false,
        };
        v.move_by(step, &self.drains);
        self.sync_drain_view();
        true
    }

    /// The drain assistant's watches.
    pub fn drains(&self) -> &Drains {
        &self.drains
    }

    pub fn drains_mut(&mut self) -> &mut Drains {
        &mut self.drains
    }

    /// What the drain assistant asks of the owner since the last call.
    pub fn take_drain_requests(&mut self) -> Vec<DrainRequest> {
        self.drains.take_requests()
    }

    /// The data: services, real servers, totals, poll status.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// How the data is shown: rows, selection, filter, sort, overlays.
    pub fn view(&self) -> &View {
        &self.view
    }

    pub fn config(&self) -> &AppConfig {
        self.store.config()
    }

    /// The service the selection is on (or whose real server it is on).
    pub fn selected_service(&self) -> Option<&ServiceRow> {
        self.view.selected_service(&self.store)
    }

    /// Services whose real servers should be read every poll: those with a
    /// row on screen, and the selected one (its sparklines).
    /// Services of drained real servers under watch too: their counts are
    /// what the drain view shows and what removal waits for.
    pub fn watched(&self) -> Vec<ServiceKey> {
        let mut watched = self.view.watched(&self.store);
        for s in self.drains.services() {
            if !watched.contains(&s) {
                watched.push(s);
            }
        }
        watched
    }

    /// Number of pending (frozen) readings.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Weight-change marks of real servers pressed this session.
    pub fn weight_marks(&self) -> &HashMap<(ServiceKey, DestKey), WeightMark> {
        &self.weight_marks
    }

    /// The editing UI sets the marks.
    /// The real server in tuning mode, for its row.
    pub fn tuning(&self) -> Option<(ServiceKey, DestKey)> {
        self.tuning
    }

    pub fn set_tuning(&mut self, tuning: Option<(ServiceKey, DestKey)>) {
        self.tuning = tuning;
    }

    pub fn weight_marks_mut(&mut self) -> &mut HashMap<(ServiceKey, DestKey), WeightMark> {
        &mut self.weight_marks
    }

    /// Makes this the monitor of a recording: the cursor keys answer.
    pub fn start_replay(&mut self) {
        self.replay = Some(Replay::default());
    }

    /// The replay's time cursor, when this is a replay.
    pub fn replay(&self) -> Option<&Replay> {
        self.replay.as_ref()
    }

    pub fn replay_mut(&mut self) -> Option<&mut Replay> {
        self.replay.as_mut()
    }

    /// The cursor's moves the keys asked since the last call.
    pub fn take_cursor_moves(&mut self) -> Vec<CursorMove> {
        self.replay
            .as_mut()
            .map(Replay::take_moves)
            .unwrap_or_default()
    }

    /// The replay jumped: the data starts again (the history up to the
    /// cursor follows as polls); filter, sort and expansion stay.
    pub fn rewind(&mut self) {
        self.applying = None;
        self.pending.clear();
        self.store.rewind();
        self.view.forget_gone(&self.store);
        self.view.rebuild(&mut self.store);
    }

    /// Selects a service's or real server's row (the fleet's differences
    /// view jumping to it); false when no row shows it.
    pub fn reveal(&mut self, service: ServiceKey, dest: Option<DestKey>) -> bool {
        self.view.reveal(&mut self.store, service, dest)
    }

    // ---- backend events ----

    /// Applies a backend event whole.
    pub fn apply(&mut self, event: Event) {
        self.begin(event);
        self.finish();
    }

    /// Starts applying a backend event; a poll's rows are then brought up to
    /// date by `apply_step` (a poll still being applied is finished first).
    pub fn begin(&mut self, event: Event) {
        if self.view.frozen() {
            // Polling continues; the display does not move until thawed.
            if let Event::PollFailed { .. } = event {
                self.begin_now(event);
            } else {
                self.pending.push(event);
            }
            return;
        }
        self.begin_now(event);
    }

    /// Whether a poll is half applied.
    pub fn applying(&self) -> bool {
        self.applying.is_some()
    }

    /// Brings up to `max_rows` more rows (services and the real servers read
    /// with them) up to date with the poll being applied (then sums as many
    /// service rows into the director totals); true once none is left half
    /// applied. Between steps the table is consistent: rows index the
    /// services, which keep their places; rows not reached yet show the
    /// previous poll.
    pub fn apply_step(&mut self, max_rows: usize) -> bool {
        let Some(job) = &mut self.applying else {
            return true;
        };
        match self.store.step(job, max_rows, self.view.expanded()) {
            Step::Working => false,
            Step::Done { rebuild } => {
                self.applying = None;
                self.drains.observe(&self.store);
                self.sync_drain_view();
                if rebuild || self.view.order_can_move() {
                    self.view.rebuild(&mut self.store);
                }
                true
            }
        }
    }

    fn finish(&mut self) {
        while !self.apply_step(usize::MAX) {}
    }

    fn begin_now(&mut self, event: Event) {
        match event {
            Event::Polled(p) => {
                self.finish();
                self.begin_poll(p);
            }
            Event::PollFailed { wall, error, .. } => self.store.poll_failed(wall, error),
        }
    }

    /// Matches the poll's services to rows and leaves the per-row work to
    /// `apply_step`. Rows that moved are listed again before the services
    /// watched are noted, so the screen's services keep their series.
    fn begin_poll(&mut self, p: PollResult) {
        let placed = self.store.place(p);
        if placed.reindexed() {
            self.view.forget_gone(&self.store);
            self.view.rebuild(&mut self.store);
        }
        let watched = self.view.watched(&self.store);
        let selected = self.selected_service().map(|r| r.service().key);
        let spare = self.store.note_watched(watched, selected);
        self.applying = Some(self.store.start(placed, spare));
    }

    /// A report about the connection table from the owner thread; applied
    /// at once, frozen or not (it is not a poll of the services).
    pub fn apply_connections(&mut self, event: ConnEvent) {
        self.store.connections_mut().apply(event);
    }

    /// The owner thread's latest reading of the timeouts and sync daemons.
    pub fn apply_director(&mut self, reading: DirectorReading) {
        self.store.set_director(reading);
    }

    /// A reading of the kernel's settings from the owner thread; applied at
    /// once, frozen or not (it is not a poll of the services).
    pub fn apply_settings(&mut self, reading: SettingsReading) {
        self.store.apply_settings(reading);
    }

    /// Whether the settings panel asked for a reading since the last call;
    /// the event loop asks the owner thread.
    pub fn take_settings_request(&mut self) -> bool {
        self.view.take_settings_asked()
    }

    /// Asks the owner thread to open, move or close the connections view's
    /// reading, or for an exact read; the event loop sends what
    /// `take_conn_requests` returns. Closing forgets the view's reading.
    pub fn request_connections(&mut self, request: ConnRequest) {
        match request {
            ConnRequest::Close => self.store.connections_mut().close_view(),
            // The progress goes at once; the owner thread confirms.
            ConnRequest::CancelExact => self.store.connections_mut().cancel_exact(),
            _ => {}
        }
        self.conn_requests.push(request);
    }

    /// The connection requests made since the last call, oldest first.
    pub fn take_conn_requests(&mut self) -> Vec<ConnRequest> {
        std::mem::take(&mut self.conn_requests)
    }

    // ---- operator actions ----

    pub fn update(&mut self, action: Action) {
        if let Some(r) = &mut self.replay {
            match action {
                Action::Cursor(k) => return r.key(k),
                Action::GoToChar(c) => return r.type_char(c),
                Action::GoToBackspace => return r.backspace(),
                Action::GoToDone(go) => return r.close_goto(go),
                _ => {}
            }
        }
        // Help and the director panel, drawn over the view, take keys first.
        let over = self.view.help() || self.view.director_panel();
        if !over && self.update_drain_view(action) {
            return;
        }
        if action == Action::DrainView && !over {
            self.open_drain_view(None);
            return;
        }
        let thawed = self.view.update(action, &mut self.store);
        for request in self.view.take_conn_requests() {
            self.request_connections(request);
        }
        if thawed {
            for e in std::mem::take(&mut self.pending) {
                self.apply(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::table::{Row, SortColumn};
    use crate::app::test_polls::{app, poll, polled};
    use crate::model::{Dest, Service};
    use crate::testkit::FakeTable;

    /// A poll of some services leaves the row list alone unless it must
    /// change: an expanded service's real servers came, or the table is
    /// sorted by a value that moved.
    #[test]
    fn a_poll_of_some_services_moves_rows_when_it_must() {
        let table = FakeTable::sample();
        let mut a = app();
        a.apply(poll(&table, 1));
        let some = |at: u64, services: Vec<Service>, dests: Vec<(ServiceKey, Vec<Dest>)>| {
            let Event::Polled(mut p) = polled(at, services, dests) else {
                unreachable!()
            };
            p.whole = false;
            p.estimator = Some(true);
            Event::Polled(p)
        };
        let (first, ds) = &table.services[0];
        assert_eq!(a.selected_service().unwrap().service().key, first.key);
        a.update(Action::Right);
        let rows = a.view().rows().len();
        let mut more: Vec<Dest> = ds.iter().map(|(d, _)| d.clone()).collect();
        more.push(Dest::new("10.99.0.1".parse().unwrap(), 80));
        a.apply(some(2, vec![], vec![(first.key, more)]));
        assert_eq!(
            a.view().rows().len(),
            rows + 1,
            "the new real server has its row"
        );

        // Sorted by incoming packets: a service whose rate jumps goes first.
        while a.view().sort() != SortColumn::InPps {
            a.update(Action::SortNext);
        }
        let last = table.services.len() - 1;
        let mut hot = table.services[last].0.clone();
        hot.stats.inpps = 1 << 40;
        assert_ne!(
            a.view().rows()[0],
            Row::Service(a.store().position(&hot.key).unwrap())
        );
        a.apply(some(3, vec![hot.clone()], vec![]));
        assert_eq!(
            a.view().rows()[0],
            Row::Service(a.store().position(&hot.key).unwrap())
        );
    }

    #[test]
    fn sorting_by_a_column_orders_services_and_real_servers() {
        let mut t = FakeTable::sample();
        let mut a = app();
        t.advance(1, true);
        a.apply(poll(&t, 1));
        for key in a
            .store()
            .services()
            .iter()
            .map(|s| s.service().key)
            .collect::<Vec<_>>()
        {
            let i = a.store().position(&key).unwrap();
            let row = a.view().rows().iter().position(|r| *r == Row::Service(i));
            a.update(Action::Select(row.unwrap()));
            a.update(Action::Right);
        }
        while a.view().sort() != SortColumn::Cps {
            a.update(Action::SortNext);
        }
        let cps = |a: &App, r: &Row| match *r {
            Row::Service(i) => a.store().services()[i].series().rates.unwrap().cps,
            Row::Dest(i, j) => {
                a.store().services()[i].dests()[j]
                    .rates(a.store().rate_source())
                    .unwrap()
                    .cps
            }
        };
        let services: Vec<f64> = a
            .view()
            .rows()
            .iter()
            .filter(|r| matches!(r, Row::Service(_)))
            .map(|r| cps(&a, r))
            .collect();
        assert!(services.windows(2).all(|w| w[0] >= w[1]), "{services:?}");
        for s in 0..a.store().services().len() {
            let dests: Vec<f64> = a
                .view()
                .rows()
                .iter()
                .filter(|r| matches!(r, Row::Dest(i, _) if *i == s))
                .map(|r| cps(&a, r))
                .collect();
            assert!(dests.windows(2).all(|w| w[0] >= w[1]), "{dests:?}");
        }
        while a.view().sort() != SortColumn::Address {
            a.update(Action::SortNext);
        }
        let addresses: Vec<String> = a
            .view()
            .rows()
            .iter()
            .filter_map(|r| match *r {
                Row::Service(i) => Some(a.store().services()[i].service().key.to_string()),
                Row::Dest(..) => None,
            })
            .collect();
        assert!(addresses.windows(2).all(|w| w[0] <= w[1]), "{addresses:?}");
    }

    #[test]
    fn selection_follows_its_row_when_the_order_changes() {
        let mut t = FakeTable::sample();
        let mut a = app();
        t.advance(1, true);
        a.apply(poll(&t, 1));
        a.update(Action::Down); // TCP :443
        let key = a.selected_service().unwrap().service().key;
        a.update(Action::SortNext); // by protocol
        a.update(Action::SortReverse); // UDP first
        assert_eq!(a.selected_service().unwrap().service().key, key);
        // A new poll keeps it too.
        t.advance(1, true);
        a.apply(poll(&t, 2));
        assert_eq!(a.selected_service().unwrap().service().key, key);
    }

    #[test]
    fn filter_matches_real_server_addresses_and_esc_clears() {
        let mut t = FakeTable::sample();
        let mut a = app();
        t.advance(1, true);
        a.apply(poll(&t, 1));
        a.update(Action::FilterStart);
        for c in "10.1.2.".chars() {
            a.update(Action::FilterChar(c));
        }
        let dns = a.store().services().len() - 2;
        assert_eq!(
            a.view().rows(),
            [Row::Service(dns), Row::Dest(dns, 0), Row::Dest(dns, 1)],
            "only the DNS service has 10.1.2.x: it shows them"
        );
        a.update(Action::FilterBackspace);
        a.update(Action::FilterAccept);
        assert!(!a.view().filter_editing());
        a.update(Action::Escape);
        assert_eq!(a.view().rows().len(), 4);
    }

    /// The kept filter texts follow real servers that came and schedulers
    /// that changed.
    #[test]
    fn filter_follows_real_servers_and_schedulers_that_change() {
        let mut t = FakeTable::sample();
        let mut a = app();
        a.apply(poll(&t, 1));
        a.update(Action::FilterStart);
        for c in "10.9.9.9".chars() {
            a.update(Action::FilterChar(c));
        }
        assert_eq!(a.view().rows().len(), 0);
        let mut d = t.services[1].1[0].clone();
        d.0.addr = "10.9.9.9".parse().unwrap();
        t.services[1].1.push(d);
        a.apply(poll(&t, 2));
        let new = t.services[1].1.len() - 1;
        assert_eq!(a.view().rows(), vec![Row::Service(1), Row::Dest(1, new)]);
        a.update(Action::Escape);
        a.update(Action::FilterStart);
        for c in "sed".chars() {
            a.update(Action::FilterChar(c));
        }
        assert_eq!(a.view().rows().len(), 0);
        t.services[2].0.scheduler = "sed".into();
        a.apply(poll(&t, 3));
        assert_eq!(a.view().rows(), vec![Row::Service(2)]);
    }

    #[test]
    fn help_swallows_keys_until_closed() {
        let mut t = FakeTable::sample();
        let mut a = app();
        t.advance(1, true);
        a.apply(poll(&t, 1));
        a.update(Action::Help);
        a.update(Action::Down);
        a.update(Action::Freeze);
        assert_eq!(a.view().selected(), 0);
        assert!(!a.view().frozen());
        a.update(Action::Escape);
        assert!(!a.view().help());
        a.update(Action::Quit);
        assert!(a.view().quit());
    }

    #[test]
    fn paging_and_ends() {
        let mut t = FakeTable::many(100);
        let mut a = app();
        t.advance(1, true);
        a.apply(poll(&t, 1));
        a.update(Action::Resize {
            table_rows: 10,
            table_width: 120,
        });
        a.update(Action::PageDown);
        assert_eq!(a.view().selected(), 10);
        assert_eq!(a.view().offset(), 1);
        a.update(Action::End);
        assert_eq!(a.view().selected(), 99);
        assert_eq!(a.view().offset(), 90);
        a.update(Action::PageUp);
        assert_eq!(a.view().selected(), 89);
        a.update(Action::Home);
        assert_eq!((a.view().selected(), a.view().offset()), (0, 0));
        assert_eq!(a.watched().len(), 10, "only visible services are watched");
    }
}
