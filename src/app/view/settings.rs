//! The settings panel (`K`): every `net.ipv4.vs.*` setting lvstop reads,
//! its value and a one-line meaning (after the kernel's ipvs-sysctl
//! documentation), the settings a warning is active for marked, and the
//! warnings themselves in words.

use crate::model::{Setting, VsSettings};

use super::super::store::Store;
use super::super::warnings::{self, Warning};

/// The panel while open: how far it is scrolled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsPanel {
    offset: usize,
}

impl SettingsPanel {
    /// The first line shown.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Moves by `by` lines within `len` lines.
    pub(super) fn scroll(&mut self, by: isize, len: usize) {
        let last = len.saturating_sub(1) as isize;
        self.offset = (self.offset as isize + by).clamp(0, last) as usize;
    }
}

/// One setting as the panel lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingLine {
    pub setting: Setting,
    /// `None`: not in this kernel (or not read yet).
    pub value: Option<i64>,
    pub meaning: &'static str,
    /// A warning in force depends on it.
    pub matters: bool,
}

/// What the panel shows: a line per setting and the warnings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsContent {
    pub lines: Vec<SettingLine>,
    pub warnings: Vec<Warning>,
}

impl SettingsContent {
    /// The panel's content for the table as last read: warnings for each
    /// drained real server and for the rates the table shows.
    pub fn of(store: &Store) -> SettingsContent {
        let values = store.settings().values();
        let drained = store
            .services()
            .iter()
            .flat_map(|row| row.dests().iter().map(move |d| (row.service(), d.dest())));
        SettingsContent::from_values(&values, warnings::standing(&values, drained, true))
    }

    fn from_values(values: &VsSettings, warnings: Vec<Warning>) -> SettingsContent {
        let lines = Setting::ALL
            .iter()
            .map(|&setting| SettingLine {
                setting,
                value: values.get(setting),
                meaning: meaning(setting),
                matters: warnings.iter().any(|w| w.settings.contains(&setting)),
            })
            .collect();
        SettingsContent { lines, warnings }
    }
}

/// What a setting does, in a line.
pub fn meaning(setting: Setting) -> &'static str {
    use Setting::*;
    match setting {
        ConnReuseMode => {
            "reused client port: 0 same server, 1 rescheduled after TIME_WAIT, +2 FIN_WAIT (DR)"
        }
        ExpireNodestConn => {
            "1: a connection whose server is gone expires at its next packet; 0: packets dropped"
        }
        ExpireQuiescentTemplate => {
            "1: a persistence template to a weight-0 server expires when next used"
        }
        SloppyTcp => "1: a connection may start from any TCP packet, not only a SYN",
        SloppySctp => "1: a connection may start from any SCTP packet, not only an INIT",
        Conntrack => "1: keep netfilter conntrack entries for IPVS connections",
        RunEstimation => "0: the rate estimator is stopped (rates read 0)",
        SnatReroute => "1: replies of NAT real servers are routed as if the director sent them",
        ScheduleIcmp => "1: ICMP packets of no connection are scheduled too",
        IgnoreTunneled => "1: packets of unknown protocols (tunnels) are left alone, against loops",
        DropEntry => "defence: drop SYN_RECV entries (0 off, 1-2 when memory is low, 3 always)",
        DropPacket => "defence: drop 1/rate packets (0 off, 1-2 when memory is low, 3 always)",
        SecureTcp => {
            "defence: a stricter TCP state table (0 off, 1-2 when memory is low, 3 always)"
        }
        Amemthresh => "available memory (pages) below which the automatic defences start",
        SyncThreshold => {
            "a connection is synced once it has this many packets (modulo sync_period)"
        }
        SyncPeriod => "packets between syncs of a connection (0: state changes only)",
        SyncRefreshPeriod => {
            "seconds of timer change before an unchanged connection is synced again"
        }
        SyncRetries => "resends of a sync message (0-3), every sync_refresh_period/8",
        SyncQlenMax => "sync messages queued at most before sending",
        SyncSockSize => {
            "the sync socket's send (master) or receive (backup) buffer; 0: system default"
        }
        SyncPorts => "sync threads, each with its own UDP port from 8848",
        SyncPersistMode => "1: persistent services sync their templates only, not each connection",
        SyncVersion => "the sync protocol version sent (0 legacy, 1 current)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_a_line_and_warned_ones_are_marked() {
        let mut v = VsSettings::kernel_defaults();
        v.run_estimation = Some(0);
        v.sloppy_tcp = None;
        let content = SettingsContent::from_values(&v, warnings::on_rates(&v));
        assert_eq!(content.lines.len(), Setting::ALL.len());
        let line = |s| content.lines.iter().find(|l| l.setting == s).unwrap();
        assert!(line(Setting::RunEstimation).matters);
        assert!(!line(Setting::ConnReuseMode).matters);
        assert_eq!(line(Setting::SloppyTcp).value, None);
        assert_eq!(line(Setting::Amemthresh).value, Some(1024));
        assert!(Setting::ALL.iter().all(|&s| !meaning(s).is_empty()));
    }

    #[test]
    fn scrolling_stays_within_the_lines() {
        let mut p = SettingsPanel::default();
        p.scroll(-3, 23);
        assert_eq!(p.offset(), 0);
        p.scroll(10, 23);
        assert_eq!(p.offset(), 10);
        p.scroll(100, 23);
        assert_eq!(p.offset(), 22);
    }
}
