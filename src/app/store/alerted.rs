//! The services with alerts raised, kept as polls judge them: what the
//! header's line and the `n` key read without a pass over the table.

use crate::model::ServiceKey;

use super::super::alerts::Alert;
use super::Store;

/// The worst alert on the director: where it is and how many others.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorstAlert<'a> {
    /// Indexes of its service row and real server.
    pub service: usize,
    pub dest: usize,
    pub alert: &'a Alert,
    /// Alerts raised on other real servers.
    pub others: usize,
}

impl Store {
    /// Records how many alerts a service's real servers have raised.
    pub(super) fn note_alerts(&mut self, key: ServiceKey, alerts: u16) {
        if alerts > 0 {
            self.alerted.insert(key, alerts);
        } else if !self.alerted.is_empty() {
            self.alerted.remove(&key);
        }
    }

    /// Alerts raised over every real server.
    pub fn alert_count(&self) -> usize {
        self.alerted.values().map(|&n| n as usize).sum()
    }

    /// Indexes of the service rows with an alert raised, in row order.
    pub fn alerted_services(&self) -> Vec<usize> {
        let mut rows: Vec<usize> = self
            .alerted
            .keys()
            .filter_map(|k| self.position(k))
            .collect();
        rows.sort_unstable();
        rows
    }

    /// The worst alert raised: the worst kind, then the first in ipvsadm's
    /// order.
    pub fn worst_alert(&self) -> Option<WorstAlert<'_>> {
        let mut worst: Option<(usize, usize, &Alert)> = None;
        for i in self.alerted_services() {
            for (j, d) in self.services[i].dests.iter().enumerate() {
                let Some(a) = d.alert() else { continue };
                if worst.is_none_or(|(_, _, w)| a.kind() < w.kind()) {
                    worst = Some((i, j, a));
                }
            }
        }
        let (service, dest, alert) = worst?;
        Some(WorstAlert {
            service,
            dest,
            alert,
            others: self.alert_count().saturating_sub(1),
        })
    }
}
