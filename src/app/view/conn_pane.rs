//! The connections view as a pane of the table view: opened on the
//! selected row, and answering the keys while it is open.

use super::connections::{ConnView, Outcome};
use super::lists::ConnLists;
use super::View;
use crate::app::action::Action;
use crate::app::store::Store;
use crate::app::table::Row;
use crate::conns::Scope;

impl View {
    /// `c`: the connections view on the selected service, or the selected
    /// real server within its service. Its scope stays while it is open:
    /// the table under it does not move, and a poll re-sorting the table
    /// must not change what an operator is reading.
    pub(super) fn open_connections(&mut self, store: &Store) {
        let scope = match self.selected_row() {
            Some(Row::Service(i)) => Scope::service(store.services()[i].service().key),
            Some(Row::Dest(i, j)) => Scope {
                dest: Some(store.services()[i].dests()[j].dest().key()),
                ..Scope::service(store.services()[i].service().key)
            },
            None => return,
        };
        self.connections = Some(ConnView::open(scope, self.viewport));
        self.drain_conn_requests();
    }

    /// An action while the connections view is open; false for those the
    /// whole monitor still answers (help, quit, freeze, the number format).
    pub(super) fn update_connections(&mut self, action: Action, store: &Store) -> bool {
        match action {
            Action::Help
            | Action::CloseHelp
            | Action::Quit
            | Action::Freeze
            | Action::NextMetric
            | Action::ToggleExact
            | Action::DirectorPanel
            | Action::Settings => return false,
            _ => {}
        }
        let Some(view) = self.connections.as_mut() else {
            return false;
        };
        // The latest reading of the view's service (an older scope's while
        // a new one is read: the lists keep only what the view asks).
        let reading = store
            .connections()
            .reading()
            .filter(|r| r.scope.service == view.opened().service);
        let lists = match reading {
            Some(r) => ConnLists::new(&r.dests, &r.entries, view),
            None => ConnLists::new(&[], &[], view),
        };
        // A new reading may have shortened the lists under the cursors.
        view.clamp(lists.lens());
        match action {
            Action::ConnExact => view.exact(store.connections().exact_progress().is_some()),
            Action::Resize {
                table_rows,
                table_width,
            } => {
                view.update(action, lists.lens());
                self.viewport = table_rows;
                self.width = table_width;
            }
            _ => match view.update(action, lists.lens()) {
                Outcome::Done => {}
                Outcome::Drill => {
                    let real = lists.server_at(view.servers_cursor().at);
                    view.drill(real);
                }
                Outcome::Closed => {
                    self.conn_requests.extend(view.take_requests());
                    self.connections = None;
                }
            },
        }
        self.drain_conn_requests();
        true
    }

    fn drain_conn_requests(&mut self) {
        if let Some(v) = self.connections.as_mut() {
            self.conn_requests.extend(v.take_requests());
        }
    }
}
