//! Tuning mode: one real server's weight under the arrow keys, entered on
//! purpose (`Enter` or `w` on its row) so that looking around never changes
//! production. Any key other than the weight keys leaves it first; so does
//! the real server disappearing.

use crate::app::table::Row;
use crate::app::App;
use crate::model::{DestKey, ServiceKey};

use super::request::Request;
use super::state::Editing;

/// The real server being tuned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    pub service: ServiceKey,
    pub dest: DestKey,
}

impl Editing {
    /// The real server being tuned, if tuning mode is on.
    pub fn tuning(&self) -> Option<Tuning> {
        self.tuning
    }

    pub(super) fn start_tuning(&mut self, service: ServiceKey, dest: DestKey) {
        self.tuning = Some(Tuning { service, dest });
    }

    /// Leaves tuning mode (a key that is not a weight key, or `Esc`).
    pub fn end_tuning(&mut self) {
        self.tuning = None;
    }

    /// `0` in tuning mode: weight 0. Presses not yet sent are dropped, so
    /// they cannot land after it.
    pub(super) fn drain_tuned(&mut self) {
        if let Some(t) = self.tuning {
            self.nudger.discard(t.service, t.dest);
            self.send(Request::SetWeight {
                service: t.service,
                dest: t.dest,
                weight: 0,
            });
        }
    }

    /// Keeps tuning mode honest after a poll: the selection follows the
    /// real server through re-sorts, so if it is not on it any more, the
    /// real server is gone (deleted elsewhere) and the mode ends, saying so.
    /// Also tells the app which row to mark.
    pub fn check_tuning(&mut self, app: &mut App) {
        if let Some(t) = self.tuning {
            let on_it = match app.view().selected_row() {
                Some(Row::Dest(i, j)) => {
                    let row = &app.store().services()[i];
                    row.service().key == t.service && row.dests()[j].dest().key() == t.dest
                }
                _ => false,
            };
            if !on_it {
                self.tuning = None;
                self.say(
                    format!(
                        "tuning ended: {} is gone from {}",
                        crate::output::addr_port(&t.dest.addr, t.dest.port),
                        t.service
                    ),
                    true,
                );
            }
        }
        app.set_tuning(self.tuning.map(|t| (t.service, t.dest)));
    }
}
