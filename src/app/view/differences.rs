//! The fleet's differences view: `fleet::diff` over the directors' latest
//! tables, one line each, a cursor that can jump to the row on a director
//! that has it. The list is refreshed as polls come; the cursor stays on the
//! same difference while it is still listed.

use crate::fleet::{Difference, DirectorName, Kind};

#[derive(Debug, Clone, Default)]
pub struct DifferencesView {
    open: bool,
    list: Vec<Difference>,
    /// Directors whose table is not read whole yet (no list until it is).
    waiting_for: Vec<DirectorName>,
    cursor: usize,
}

impl DifferencesView {
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn open(&mut self) {
        self.open = true;
    }

    pub fn close(&mut self) {
        self.open = false;
    }

    /// The latest comparison, or the directors it waits for.
    pub fn set(&mut self, list: Vec<Difference>, waiting_for: Vec<DirectorName>) {
        let keep = self.selected().cloned();
        self.list = list;
        self.waiting_for = waiting_for;
        if let Some(keep) = keep {
            if let Some(i) = self.list.iter().position(|d| *d == keep) {
                self.cursor = i;
            }
        }
        self.cursor = self.cursor.min(self.list.len().saturating_sub(1));
    }

    pub fn list(&self) -> &[Difference] {
        &self.list
    }

    pub fn waiting_for(&self) -> &[DirectorName] {
        &self.waiting_for
    }

    /// How many differences, once every table is read whole.
    pub fn count(&self) -> Option<usize> {
        self.waiting_for.is_empty().then_some(self.list.len())
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.list.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, last) as usize;
    }

    pub fn selected(&self) -> Option<&Difference> {
        self.list.get(self.cursor)
    }
}

/// The directors that have the difference's row, in the order listed.
pub fn directors_with_row(d: &Difference) -> Vec<&DirectorName> {
    match &d.kind {
        Kind::Presence { on, .. } => on.iter().collect(),
        Kind::Setting { values, .. } => values.iter().flat_map(|(_, on)| on).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::Setting;
    use crate::model::{Protocol, ServiceKey};

    fn diff(port: u16) -> Difference {
        Difference {
            service: ServiceKey::Addr {
                protocol: Protocol::Tcp,
                addr: "10.0.0.1".parse().unwrap(),
                port,
            },
            dest: None,
            kind: Kind::Setting {
                setting: Setting::Scheduler,
                values: vec![
                    ("wlc".into(), vec!["lb1".into()]),
                    ("rr".into(), vec!["lb2".into(), "lb3".into()]),
                ],
            },
        }
    }

    #[test]
    fn cursor_follows_its_difference_across_refreshes() {
        let mut v = DifferencesView::default();
        v.set(vec![diff(80), diff(443)], vec![]);
        v.move_by(1);
        assert_eq!(v.selected(), Some(&diff(443)));
        v.set(vec![diff(22), diff(80), diff(443)], vec![]);
        assert_eq!(v.selected(), Some(&diff(443)));
        v.set(vec![diff(22)], vec![]);
        assert_eq!(v.cursor(), 0);
        v.move_by(-5);
        assert_eq!(v.cursor(), 0);
    }

    #[test]
    fn no_count_while_a_table_is_not_read_whole() {
        let mut v = DifferencesView::default();
        v.set(vec![], vec!["lb2".into()]);
        assert_eq!(v.count(), None);
        v.set(vec![diff(80)], vec![]);
        assert_eq!(v.count(), Some(1));
    }

    #[test]
    fn the_row_is_on_every_director_a_setting_names() {
        let d = diff(80);
        let names: Vec<&str> = directors_with_row(&d).iter().map(|n| n.as_str()).collect();
        assert_eq!(names, ["lb1", "lb2", "lb3"]);
    }
}
